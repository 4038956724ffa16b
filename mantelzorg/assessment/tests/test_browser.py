"""The whole Balanscheck in a real browser: phone and desktop, axe-core on every state, keyboard only."""

import pytest

from mantelzorg.assessment.tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}

ANSWERS_STEP1 = {
    "about__age_group": "45_66",
    "about__relation": "parent",
    "about__care_duration": "1_5_years",
    "about__lives_with": "no",
}
NUMBERS_STEP1 = {"about__work_hours": "24", "about__care_hours": "30"}


def _radio(page, name, value):
    page.check(f'input[name="{name}"][value="{value}"]')


def fill_all(page, axe, prefix):
    page.goto("/balanscheck/")
    axe(page, f"{prefix}-start")
    page.click("text=/Start (de|the) check/")
    axe(page, f"{prefix}-step1-empty")
    page.click('button[value="next"]')
    assert page.locator("#form-errors").is_visible()
    axe(page, f"{prefix}-step1-errors")
    page.fill('input[name="postcode"]', "12")
    for name, value in ANSWERS_STEP1.items():
        _radio(page, name, value)
    for name, value in NUMBERS_STEP1.items():
        page.fill(f'input[name="{name}"]', value)
    page.click('button[value="next"]')
    assert page.locator("#id_postcode_error").is_visible()
    axe(page, f"{prefix}-step1-postcode-error")
    page.fill('input[name="postcode"]', "1012 AB")
    axe(page, f"{prefix}-step1-filled")
    page.click('button[value="next"]')
    assert "2" in page.locator(".mz-progress__count").inner_text()
    for task in ("household", "personal_care", "emotional_support"):
        page.check(f'input[name="task__{task}__does"]')
    axe(page, f"{prefix}-step2-filled")
    page.click('button[value="next"]')
    page.click('button[value="next"]')
    assert page.locator("#form-errors").is_visible()
    axe(page, f"{prefix}-step3-errors")
    for task, energy in (
        ("household", "costs_a_lot"),
        ("personal_care", "costs_a_lot"),
        ("emotional_support", "gives"),
    ):
        page.fill(f'input[name="task__{task}__hours"]', "10")
        page.select_option(f'select[name="task__{task}__energy"]', energy)
        page.check(f'input[name="transferable"][value="task.{task}.transferable"]')
    axe(page, f"{prefix}-step3-filled")
    page.click('button[value="next"]')
    for name in (
        "pressure__work",
        "pressure__family",
        "pressure__health",
        "pressure__social",
        "pressure__money",
    ):
        _radio(page, name, "a_lot")
    _radio(page, "network__help", "little")
    axe(page, f"{prefix}-step4-filled")
    page.click('button[value="next"]')
    page.fill('input[name="overall_burden"]', "8")
    _radio(page, "wellbeing__cannot_cope", "often")
    axe(page, f"{prefix}-step5-filled")
    page.click('button[value="next"]')
    assert page.url.endswith("/balanscheck/uitslag/")


@pytest.mark.parametrize("viewport, prefix", [(PHONE, "assessment-phone"), (DESKTOP, "assessment-desktop")])
def test_full_flow_is_accessible(page, axe, viewport, prefix):
    factories.organization("Voorbeeld Steunpunt Amsterdam", kind="support_centre", municipalities=["GM0363"])
    page.set_viewport_size(viewport)
    fill_all(page, axe, prefix)
    assert page.locator("#level-heading").is_visible()
    axe(page, f"{prefix}-result")
    page.goto("/balanscheck/uitslag/afdrukken/")
    axe(page, f"{prefix}-print")
    page.goto("/balanscheck/bewaren/")
    axe(page, f"{prefix}-save")
    page.click('button:has-text("link")')
    axe(page, f"{prefix}-save-error")
    # no horizontal scrolling on the phone
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_back_button_keeps_answers(page):
    page.goto("/balanscheck/stap/1/")
    for name, value in ANSWERS_STEP1.items():
        _radio(page, name, value)
    for name, value in NUMBERS_STEP1.items():
        page.fill(f'input[name="{name}"]', value)
    page.click('button[value="next"]')
    page.click('button[value="back"]')
    assert page.input_value('input[name="about__care_hours"]') == "30"


def test_history_with_trend_is_accessible(page, axe, live_server):
    from django.utils import timezone

    from conftest import PASSWORD, make_user

    user = make_user("walk@example.org", "caregiver")
    for days, burden in ((120, 4), (60, 6), (1, 8)):
        factories.SavedCheckFactory(
            owner=user,
            created_at=timezone.now() - timezone.timedelta(days=days),
            scores={"overall_burden": burden, "care_hours": 10 + days // 10},
        )
    page.goto("/account/inloggen/?next=/balanscheck/mijn/")
    page.fill('input[name="username"], input[name="email"]', "walk@example.org")
    page.fill('input[type="password"]', PASSWORD)
    page.locator('main button[type="submit"]').first.click()
    page.wait_for_url("**/balanscheck/mijn/")
    assert page.locator("svg.mz-chart").count() >= 2
    axe(page, "assessment-history")


def test_email_saved_history_is_accessible(page, axe, live_server):
    """Saved by e-mail: the newest link shows the older check too, with the trend."""
    import re

    from django.core import mail
    from django.utils import timezone

    from mantelzorg.assessment import services

    factories.SavedCheckFactory(
        owner_email_hash=services.email_hash("walk@example.org"),
        created_at=timezone.now() - timezone.timedelta(days=90),
        scores={"overall_burden": 5, "care_hours": 12},
    )
    fill_all(page, lambda *_: None, "email")
    page.goto("/balanscheck/bewaren/")
    page.fill('input[name="email"]', "walk@example.org")
    page.click('button:has-text("link")')
    axe(page, "assessment-email-sent")
    link = re.search(r"(/balanscheck/link/\S+/)", mail.outbox[-1].body).group(1)
    page.context.clear_cookies()  # the link opened later, in another session
    page.goto(link)
    page.goto("/balanscheck/mijn/")
    assert page.locator("svg.mz-chart").count() >= 2
    assert page.locator("table.mz-table").first.locator("tbody tr").count() == 2
    axe(page, "assessment-history-email")
    folded = page.locator("details.mz-more-scores")
    assert not folded.locator("svg.mz-chart").first.is_visible()
    folded.locator("summary").click()  # the other scores, opened
    assert folded.locator("svg.mz-chart").first.is_visible()
    axe(page, "assessment-history-email-all-scores")


def _tab_to(page, name, value=None):
    from tests.browser import tab_until

    def wanted(info):
        return info["name"] == name and (value is None or info.get("value") == value)

    return tab_until(page, wanted, max_tabs=120)


def test_keyboard_only_walk_of_the_whole_check(page):
    from tests.browser import tab_until

    page.goto("/balanscheck/")
    tab_until(page, lambda i: i["tag"] == "A" and "/balanscheck/stap/1/" in (i["href"] or ""))
    page.keyboard.press("Enter")
    page.wait_for_url("**/stap/1/")

    def radio(name, presses):
        tab_until(page, lambda i: i["name"] == name, max_tabs=120)
        page.keyboard.press("Space")  # selects the first option
        for _ in range(presses):
            page.keyboard.press("ArrowDown")

    def number(name, value):
        tab_until(page, lambda i: i["name"] == name, max_tabs=120)
        page.keyboard.type(value)

    def next_step():
        tab_until(
            page,
            lambda i: (
                i["tag"] == "BUTTON"
                and i["type"] == "submit"
                and i["name"] == "direction"
                and i["text"] not in ("Vorige", "Previous", "Terug naar het begin", "Back to the start")
            ),
        )
        with page.expect_navigation():
            page.keyboard.press("Enter")

    radio("about__age_group", 3)
    number("about__work_hours", "0")
    radio("about__lives_with", 1)
    radio("about__relation", 1)
    radio("about__care_duration", 2)
    number("about__care_hours", "6")
    next_step()
    assert "/stap/2/" in page.url, page.locator("main").inner_text()[:1500]
    tab_until(page, lambda i: i["name"] == "task__emotional_support__does")
    page.keyboard.press("Space")
    next_step()
    assert "/stap/3/" in page.url
    number("task__emotional_support__hours", "4")
    tab_until(page, lambda i: i["name"] == "task__emotional_support__energy", max_tabs=120)
    page.keyboard.press("ArrowDown")  # a closed select: the first answer, "gives energy"
    next_step()  # the "someone else could take over" box stays unticked
    assert "/stap/4/" in page.url
    for name in ("pressure__family", "pressure__health", "pressure__social", "pressure__money"):
        radio(name, 0)
    radio("network__help", 0)
    next_step()
    assert "/stap/5/" in page.url
    number("overall_burden", "2")
    radio("wellbeing__cannot_cope", 0)
    next_step()
    assert page.url.endswith("/uitslag/")
    assert page.locator("#level-heading").inner_text().strip().endswith(("In balans", "In balance"))
