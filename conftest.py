"""Shared test fixtures: the cast from the architecture page, and the browser harness.

The cast: two caregivers, a network member, a professional with and one without consent,
municipal staff of two gemeenten (Amsterdam GM0363, Utrecht GM0344), a directory editor,
an admin, and the anonymous visitor (``None``).
"""

import os
import shutil
import tempfile
import types

import pytest
from django.core.management import call_command

from mantelzorg.accounts.models import ConsentRecord, Organisation, Role, User
from mantelzorg.assessment.apps import BALANCE_HISTORY, FOLLOW_UP
from mantelzorg.core.db import append_only

pytest_plugins = ["tests.browser"]

# The suite signs with a fixed key (config/settings.py, TESTING); the processes it starts (manage.py,
# gunicorn) without DJANGO_SECRET_KEY keep their generated key here, never in the repository's var/.
_SECRET_KEY_DIR = tempfile.mkdtemp(prefix="mz-test-secret-key-")
os.environ.setdefault("DJANGO_SECRET_KEY_FILE", os.path.join(_SECRET_KEY_DIR, "secret_key"))

PASSWORD = "correct horse battery staple"

# The names of the users in the ``cast`` fixture, in one place: tests parametrize over these
# (``getattr(cast, who)``) and derive their subsets from it, so a new cast member is checked
# everywhere at once.
CAST_NAMES = [
    "anonymous",
    "caregiver",
    "other_caregiver",
    "network_member",
    "professional",
    "professional_without_consent",
    "staff",
    "other_staff",
    "editor",
    "other_editor",
    "admin",
]


@pytest.fixture(scope="session", autouse=True)
def _static_from_sources(tmp_path_factory):
    """Tests serve static files from their sources (the finders), never from a var/static that an
    earlier `make run` or benchmark collected: WhiteNoise would serve those stale copies first."""
    from django.conf import settings

    settings.STATIC_ROOT = tmp_path_factory.mktemp("static-root")


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (content versions restart after a rollback)."""
    from django.core.cache import cache

    from mantelzorg.core.cache import forget_versions
    from mantelzorg.respite import index

    cache.clear()
    forget_versions()
    index.forget()  # the respite availability index of this process (built from another test's rows)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is deliberately slow; tests that are about hashing switch it back on."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- Reference data: loaded once per test session ------------------------------------------
# The migrations store the directory's taxonomies and the shipped instruments; after them the
# session loads the reference data (342 gemeenten, 4,086 PC4 areas) once, committed, so every
# test sees it: a ``db`` test runs in a transaction that is rolled back, which leaves it alone.
# A transactional test (``transaction=True``, ``live_server``) ends with a flush of every table;
# these tables are kept out of that flush (nothing but the migrations and load_reference_data
# writes them), so the next test finds them as they were, at no cost per test. A transactional
# test that adds or removes rows in them fails (``_reference_data``): it would leak into others.
REFERENCE_MODELS = [
    "core.Municipality",
    "core.PostcodeArea",
    "directory.Taxonomy",
    "directory.TaxonomyTerm",
    "assessment.InstrumentDefinition",
]


def _reference_tables() -> set[str]:
    from django.apps import apps

    return {apps.get_model(label)._meta.db_table for label in REFERENCE_MODELS}


def _reference_counts() -> dict[str, int]:
    from django.apps import apps

    return {label: apps.get_model(label)._default_manager.count() for label in REFERENCE_MODELS}


def _sql_flush_keeping_reference(style, connection, reset_sequences=True, allow_cascade=False):
    """``django.core.management.sql.sql_flush`` without the reference tables."""
    kept = _reference_tables()
    tables = [
        table
        for table in connection.introspection.django_table_names(only_existing=True, include_views=False)
        if table not in kept
    ]
    statements = connection.ops.sql_flush(
        style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
    )
    if append_only.TABLE not in tables:
        return statements
    # The audit trail refuses DELETE and TRUNCATE (core/db/append_only.py); the test database's
    # owner lifts that for the flush between transactional tests only.
    before, after = append_only.suspended(connection)
    return [*before, *statements, *after]


_reference_baseline: dict[str, int] = {}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test databases (created and migrated as usual), then the reference data."""
    from django.core.management.commands import flush

    from mantelzorg.directory.models import Taxonomy, TaxonomyTerm
    from mantelzorg.directory.taxonomy import load_taxonomies

    with django_db_blocker.unblock():
        call_command("load_reference_data", verbosity=0)
        if not TaxonomyTerm.objects.exists():  # a data migration, skipped by --no-migrations
            load_taxonomies(Taxonomy, TaxonomyTerm)
        _reference_baseline.update(_reference_counts())
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(flush, "sql_flush", _sql_flush_keeping_reference)
        yield


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Database tests: after a transactional test the reference tables must be as they were; after
    every test, no audit rows of its rolled-back transaction are left to replay."""
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    transactional = bool(marker and marker.kwargs.get("transaction")) or names & {
        "transactional_db",
        "live_server",
    }
    if not (marker or names & {"db", "transactional_db", "live_server"}):
        yield
        return
    # Requested here so that its teardown (rollback or flush) runs before the checks below.
    request.getfixturevalue("transactional_db" if transactional else "db")
    yield
    # The test's own wrapping transaction is rolled back on purpose: audit rows written in it
    # must not be replayed (as they would be after a real rollback, see core/db/replay.py).
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        if hasattr(connection, "audit_pending"):
            connection.audit_pending.clear()
            connection.audit_replay.clear()
    if transactional:
        counts = _reference_counts()
        if counts != _reference_baseline:
            pytest.fail(
                f"this transactional test changed reference tables (kept out of the flush): "
                f"{counts} != {_reference_baseline}"
            )


def make_user(email, role, *, municipalities=(), organisations=(), mfa=None):
    user = User.objects.create_user(
        email=email,
        password=PASSWORD,
        role=role,
        name=email.split("@")[0],
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
    )
    if municipalities:
        user.municipalities.set(municipalities)
    if organisations:
        user.organisations.set(organisations)
    if mfa or (mfa is None and user.requires_mfa):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    return user


@pytest.fixture
def cast(db):
    """The standard cast of users for access tests."""
    support_centre = Organisation.objects.create(
        name="Steunpunt Test Amsterdam", kind=Organisation.Kind.SUPPORT_CENTRE
    )
    support_centre.municipalities.set(["GM0363"])
    other_org = Organisation.objects.create(name="Welzijn Test Utrecht", kind=Organisation.Kind.WELFARE)
    other_org.municipalities.set(["GM0344"])
    c = types.SimpleNamespace(
        caregiver=make_user("alice@example.org", Role.CAREGIVER),
        other_caregiver=make_user("bob@example.org", Role.CAREGIVER),
        network_member=make_user("charlie@example.org", Role.NETWORK_MEMBER),
        professional=make_user("dewi@example.org", Role.PROFESSIONAL),
        professional_without_consent=make_user("erik@example.org", Role.PROFESSIONAL),
        staff=make_user("fatima@example.org", Role.MUNICIPAL_STAFF, municipalities=["GM0363"]),
        other_staff=make_user("gert@example.org", Role.MUNICIPAL_STAFF, municipalities=["GM0344"]),
        editor=make_user("hanna@example.org", Role.DIRECTORY_EDITOR, organisations=[support_centre]),
        other_editor=make_user("ivo@example.org", Role.DIRECTORY_EDITOR, organisations=[other_org]),
        admin=make_user("jan@example.org", Role.ADMIN),
        anonymous=None,
        organisation=support_centre,
        other_organisation=other_org,
        password=PASSWORD,
    )
    ConsentRecord.objects.create(
        grantor=c.caregiver, grantee=c.professional, scope=BALANCE_HISTORY, purpose=FOLLOW_UP
    )
    members = {name for name, value in vars(c).items() if value is None or isinstance(value, User)}
    assert members == set(CAST_NAMES), "CAST_NAMES must name every user of the cast"
    return c


def login(client, user):
    """Log ``user`` in on the test client, with a verified second factor when the role needs one."""
    if user is None:
        return client
    client.force_login(user)
    if user.requires_mfa:
        from django_otp import DEVICE_ID_SESSION_KEY

        device = user.totpdevice_set.first()
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def login_as(client):
    def _login(user):
        return login(client, user)

    return _login


# --- No secrets or personal data in logs (quality bar 4) -------------------------------
# Every log record of the whole suite is captured; at the end the run fails when any of
# them contains a password, a password hash, a session cookie value or an e-mail address.
import logging  # noqa: E402
import re  # noqa: E402

LOG_FORBIDDEN = [
    re.compile(re.escape(PASSWORD)),
    re.compile(r"(argon2|pbkdf2_sha256|md5)\$"),
    re.compile(r"[\w.+-]+@example\.(org|nl)"),
    re.compile(r"sessionid=\w+"),
    # a private signing key (mantelzorg/declaration/keys.py): a JWK's "d" or a PEM private key
    re.compile(r"""["']d["']\s*:\s*["'][A-Za-z0-9_-]{40,}"""),
    re.compile(r"BEGIN (EC )?PRIVATE KEY"),
]


class _LogScanner(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.hits: list[str] = []

    def emit(self, record):
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record is not our concern here
            return
        for pattern in LOG_FORBIDDEN:
            if pattern.search(message):
                self.hits.append(f"{record.name}: {message[:200]}")


_log_scanner = _LogScanner()

# What a server's access log must never hold either (tests/test_access_log_server.py scans the log of a
# real gunicorn run): a path token and a full postcode (four digits and two letters, in any written
# form); the four digits alone are fine.
ACCESS_LOG_FORBIDDEN = [
    *LOG_FORBIDDEN,
    re.compile(r"[\w.+-]+%40example\.(org|nl)"),  # an e-mail address in a query string
    re.compile(r"/balanscheck/link/(?!\[redacted\])[^/\s?]+"),
    re.compile(r"/account/wachtwoord-nieuw/(?!\[redacted\])[^/\s?]+"),
    re.compile(r"/account/aanmelden/bevestigen/(?!\[redacted\])[^/\s?]+"),
    re.compile(r"/netwerk/uitnodiging/(?!\[redacted\])[^/\s?]+"),
    re.compile(r"/netwerk/agenda/(?!\[redacted\])[^/\s?]+"),
    re.compile(r"(?<![0-9A-Za-z])[1-9][0-9]{3}(?:\+|%20|\s)?[A-Za-z]{2}(?![0-9A-Za-z])"),
]


def scan_log_text(source: str, text: str, *, record: bool = True) -> list[str]:
    """The lines of a captured log (a file, not a logging record) that hold forbidden data; with
    ``record`` they also count as hits of the session's log scan, so the run fails on them."""
    hits = [
        f"{source}: {line[:200]}"
        for line in text.splitlines()
        if any(pattern.search(line) for pattern in ACCESS_LOG_FORBIDDEN)
    ]
    if record:
        _log_scanner.hits.extend(hits)
    return hits


def pytest_sessionstart(session):
    logging.getLogger().addHandler(_log_scanner)


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_SECRET_KEY_DIR, ignore_errors=True)
    logging.getLogger().removeHandler(_log_scanner)
    if _log_scanner.hits:
        print("\nSensitive data found in application logs:\n  " + "\n  ".join(_log_scanner.hits[:20]))
        session.exitstatus = 1
