"""Dutch is the default language; every msgid has a Dutch translation; English is complete."""

import ast
import functools
import shutil
import subprocess  # nosec B404: runs manage.py makemessages on a copy of the sources
import sys
from pathlib import Path

import pytest
from django.conf import settings

CATALOGUES = sorted(
    p for p in Path(settings.BASE_DIR).glob("**/locale/*/LC_MESSAGES/django.po") if ".venv" not in p.parts
)


def parse_po(path: Path) -> list[dict]:
    """A small .po reader: msgid, msgstr(s) and flags of every entry (header skipped)."""
    entries, current, field = [], None, None
    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            if current and current["msgid"]:
                entries.append(current)
            current, field = None, None
            continue
        if current is None:
            current = {
                "msgid": "",
                "msgid_plural": "",
                "msgctxt": "",
                "msgstr": {},
                "flags": "",
                "obsolete": False,
            }
        if line.startswith("#~"):
            current["obsolete"] = True
        elif line.startswith("#,"):
            current["flags"] += line
        elif line.startswith("#"):
            continue
        elif line.startswith("msgctxt "):
            field = ("msgctxt", None)
            current["msgctxt"] = ast.literal_eval(line[8:])
        elif line.startswith("msgid_plural "):
            field = ("msgid_plural", None)
            current["msgid_plural"] = ast.literal_eval(line[13:])
        elif line.startswith("msgid "):
            field = ("msgid", None)
            current["msgid"] = ast.literal_eval(line[6:])
        elif line.startswith("msgstr["):
            index = line[7 : line.index("]")]
            field = ("msgstr", index)
            current["msgstr"][index] = ast.literal_eval(line[line.index("]") + 2 :])
        elif line.startswith("msgstr "):
            field = ("msgstr", "0")
            current["msgstr"]["0"] = ast.literal_eval(line[7:])
        elif line.startswith('"') and field:
            name, index = field
            if name == "msgstr":
                current["msgstr"][index] += ast.literal_eval(line)
            else:
                current[name] += ast.literal_eval(line)
    return [e for e in entries if not e["obsolete"]]


def test_there_are_dutch_catalogues():
    assert any(p.parts[-3] == "nl" for p in CATALOGUES)


@pytest.mark.parametrize("path", [p for p in CATALOGUES if p.parts[-3] == "nl"], ids=str)
def test_dutch_catalogue_has_no_untranslated_or_fuzzy_msgids(path):
    problems = [
        e["msgid"]
        for e in parse_po(path)
        if "fuzzy" in e["flags"] or not all(value.strip() for value in e["msgstr"].values())
    ]
    assert not problems, f"{path}: {len(problems)} untranslated or fuzzy: {problems[:10]}"


@pytest.mark.parametrize("path", [p for p in CATALOGUES if p.parts[-3] == "nl"], ids=str)
def test_dutch_catalogue_is_compiled_and_up_to_date(path):
    import gettext

    mo = path.with_suffix(".mo")
    assert mo.exists(), f"{mo} missing: run 'make messages'"
    with mo.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)._catalog
    stale = [
        e["msgid"]
        for e in parse_po(path)
        if not e["msgid_plural"]
        and "fuzzy" not in e["flags"]
        # a message with a context is compiled under "context\x04msgid" (GNU gettext)
        and compiled.get(f"{e['msgctxt']}\x04{e['msgid']}" if e["msgctxt"] else e["msgid"])
        != e["msgstr"]["0"]
    ]
    assert not stale, f"{mo} is older than {path.name}: run 'make messages' ({stale[:5]})"


@pytest.mark.skipif(not shutil.which("xgettext"), reason="makemessages needs GNU gettext (xgettext)")
def test_every_msgid_of_the_sources_is_in_its_dutch_catalogue(tmp_path):
    """The catalogues are not behind the code: ``make messages`` run on a copy of the sources
    finds no msgid that the committed Dutch catalogue lacks (a new text without a Dutch
    translation would show in English on a Dutch page)."""
    base = Path(settings.BASE_DIR)
    copy = tmp_path / "src"
    skip = shutil.ignore_patterns("__pycache__", "*.mo", "static", "testdata", "fixtures")
    for name in ("mantelzorg", "config"):
        shutil.copytree(base / name, copy / name, ignore=skip)
    shutil.copy(base / "manage.py", copy)
    shutil.copytree(base / "locale", copy / "locale", ignore=skip)
    apps = sorted(p.parent for p in (copy / "mantelzorg").glob("*/locale"))
    python, manage = sys.executable, str(copy / "manage.py")
    ignore = ["--ignore=tests", "--ignore=*/tests/*"]
    run = functools.partial(subprocess.run, check=True, capture_output=True, timeout=300)
    run(
        [
            python,
            manage,
            "makemessages",
            "-l",
            "nl",
            *ignore,
            *[f"--ignore=mantelzorg/{a.name}/*" for a in apps],
        ],
        cwd=copy,
    )
    for app in apps:
        run([python, manage, "makemessages", "-l", "nl", *ignore], cwd=app)
    missing = {}
    for fresh in sorted(copy.glob("**/locale/nl/LC_MESSAGES/django.po")):
        committed = base / fresh.relative_to(copy)
        known = {(e["msgctxt"], e["msgid"]) for e in parse_po(committed)} if committed.exists() else set()
        # makemessages keeps the committed entries it still finds; a new one comes in untranslated.
        new = [e["msgid"] for e in parse_po(fresh) if (e["msgctxt"], e["msgid"]) not in known]
        if new:
            missing[str(committed.relative_to(base))] = new
    assert not missing, f"msgids missing from the Dutch catalogues (run 'make messages'): {missing}"


def test_dutch_is_the_default_language(client, db):
    body = client.get("/").content.decode()
    assert '<html lang="nl"' in body
    assert "Mantelzorg" in body


def test_language_switch_to_english_and_back(client, db):
    response = client.get("/taal/en/?next=/")
    assert response.status_code == 302 and response["Location"] == "/"
    english = client.get("/").content.decode()
    assert '<html lang="en"' in english
    assert "Do you care for someone close to you?" in english
    client.get("/taal/nl/?next=/")
    dutch = client.get("/").content.decode()
    assert "Do you care for someone close to you?" not in dutch


def test_language_switch_refuses_other_hosts_and_unknown_languages(client, db):
    client.get("/taal/xx/?next=/")
    assert '<html lang="nl"' in client.get("/").content.decode()
    response = client.get("/taal/en/?next=https://evil.example/")
    assert response["Location"] == "/"


def test_cached_home_page_still_follows_the_language(client, db):
    assert "Zorg je voor iemand" in client.get("/").content.decode()
    client.get("/taal/en/")
    assert "Do you care for someone" in client.get("/").content.decode()


def test_home_page_for_a_logged_in_user_is_not_the_cached_anonymous_page(client, cast, login_as):
    client.get("/")  # fills the cache
    login_as(cast.caregiver)
    body = client.get("/").content.decode()
    assert "Uitloggen" in body and "Inloggen" not in body
