from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _


def site(request):
    return {"DEMO_DATA": settings.DEMO_DATA, "SITE_URL": settings.SITE_URL}


@dataclass(frozen=True)
class Link:
    url: str
    label: str


def header(request):
    """The personal links of the header, worked out only when a page shows them (lazy):

    - ``my_checks_url``: "Mijn checks", for an account with saved checks or a session that
      opened an e-mail link of a saved check (one EXISTS query at most);
    - ``work_links``: where staff do their work: directory editors and municipal staff the
      beheer of the sociale kaart, municipal staff per gemeente its menukaart and drempels,
      municipal staff and regional coordinators the occupancy of respite places in their region,
      professionals of a care provider its beds and places (one EXISTS query),
      accounts that may open the Django admin the admin (one query, for municipal staff).
    """
    return {
        "my_checks_url": SimpleLazyObject(lambda: my_checks_url(request)),
        "work_links": SimpleLazyObject(lambda: work_links(getattr(request, "user", None))),
    }


def my_checks_url(request) -> str:
    from mantelzorg.assessment.selectors import check_list_for_user

    if check_list_for_user(getattr(request, "user", None), request).exists():
        return reverse("assessment:history")
    return ""


def _runs_respite(user) -> bool:
    """Whether a professional works for a care provider with an offer in the sociale kaart (one
    EXISTS): where respite beds and places are managed."""
    from mantelzorg.directory.models import Organization, Service

    return Service.objects.filter(
        organization__account_organisation__members=user, organization__kind=Organization.Kind.CARE_PROVIDER
    ).exists()


def work_links(user) -> list[Link]:
    from mantelzorg.accounts.models import Role
    from mantelzorg.accounts.selectors import is_platform_admin

    if user is None or not user.is_authenticated:
        return []
    links = []
    if user.role in (Role.DIRECTORY_EDITOR, Role.MUNICIPAL_STAFF) or is_platform_admin(user):
        links.append(Link(reverse("directory:manage"), _("Manage offers")))
    if user.role == Role.MUNICIPAL_STAFF:
        for code, name in user.municipalities.order_by("name_everyday").values_list("code", "name_everyday"):
            links.append(
                Link(
                    reverse("directory:respite_menu_edit", args=[code]),
                    _("Respite menu %(municipality)s") % {"municipality": name},
                )
            )
            links.append(
                Link(
                    reverse("assessment:thresholds", args=[code]),
                    _("Thresholds %(municipality)s") % {"municipality": name},
                )
            )
    if user.role in (Role.MUNICIPAL_STAFF, Role.COORDINATOR):
        links.append(Link(reverse("respite:region"), _("Respite places in the region")))
    if user.role == Role.PROFESSIONAL and _runs_respite(user):
        links.append(Link(reverse("respite:unit_list"), _("Beds and places")))
    if user.is_staff:
        links.append(Link(reverse("admin:index"), _("Site administration")))
    return links
