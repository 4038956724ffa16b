import uuid

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from mantelzorg.core import audit
from mantelzorg.core.models import LogEntry


def _entry(**extra):
    audit.log(action="core.test.done", object_type="test", object_id="1", purpose="testing", **extra)
    return LogEntry.objects.order_by("-id").first()


def test_audit_row_has_every_nen7513_field(cast, rf):
    request = rf.get("/", REMOTE_ADDR="192.0.2.7")
    request.user = cast.professional
    audit.log(
        request=request,
        action="core.test.viewed",
        obj=cast.caregiver,
        subject=cast.caregiver,
        purpose="care (consent)",
        on_behalf_of="org:1",
    )
    row = LogEntry.objects.get(action="core.test.viewed")
    assert row.actor_id == str(cast.professional.pk)
    assert row.actor_role == "professional"
    assert row.on_behalf_of == "org:1"
    assert row.subject_id == str(cast.caregiver.pk)
    assert row.object_type == "accounts.user"
    assert row.object_id == str(cast.caregiver.pk)
    assert row.purpose == "care (consent)"
    assert row.outcome == "success"
    assert row.source_ip == "192.0.2.7"
    assert row.created_at.utcoffset().total_seconds() == 0


def test_action_must_name_app_entity_and_event(db):
    with pytest.raises(ValueError):
        audit.log(action="viewed", purpose="testing")


def test_purpose_is_required(db):
    with pytest.raises(ValueError):
        audit.log(action="core.test.done", object_type="test", object_id="1")


def test_fields_that_do_not_apply_say_none(db):
    row = _entry()
    assert (row.actor_id, row.actor_role, row.subject_id, row.source_ip) == (
        "none",
        "anonymous",
        "none",
        "none",
    )
    assert row.on_behalf_of == "none"
    assert all(getattr(row, name) for name in audit.FIELDS)


@pytest.mark.parametrize(
    "who, expected",
    [
        ("caregiver", "self"),
        ("admin", "platform"),
        ("other_staff", "municipality:GM0344"),
        ("editor", "organisation:{org}"),
        ("professional", "self"),  # a professional without an organisation acts in their own name
    ],
)
def test_on_behalf_of_follows_from_the_actor(cast, rf, who, expected):
    request = rf.get("/")
    request.user = getattr(cast, who)
    audit.log(request=request, action="core.test.viewed", subject=cast.caregiver, purpose="testing")
    row = LogEntry.objects.get(action="core.test.viewed")
    assert row.on_behalf_of == expected.format(org=cast.organisation.pk)


def test_account_ref_is_a_keyed_hash_not_the_address(settings):
    ref = audit.account_ref(" Jan@Example.nl ")
    assert ref == audit.account_ref("jan@example.nl") and ref.startswith("account:")
    assert "jan" not in ref and "example" not in ref
    settings.SECRET_KEY = "another-installation-" + "y" * 40
    assert audit.account_ref("jan@example.nl") != ref


def test_orm_insert_never_overwrites_an_existing_row(db):
    row = _entry()
    with pytest.raises(IntegrityError), transaction.atomic():
        LogEntry(
            pk=row.pk,
            uuid=uuid.uuid4(),
            created_at=row.created_at,
            action="core.test.forged",
            outcome="success",
            purpose="forged",
        ).save()
    copy = LogEntry(
        pk=row.pk,
        uuid=row.uuid,
        created_at=row.created_at,
        action="core.test.forged",
        outcome="success",
        purpose="forged",
    )
    for kwargs in (
        {"update_conflicts": True, "unique_fields": ["uuid"], "update_fields": ["action"]},
        {"ignore_conflicts": True},
    ):
        with pytest.raises(PermissionError):
            LogEntry.objects.bulk_create([copy], **kwargs)
    with pytest.raises(PermissionError):
        LogEntry.objects.bulk_update([row], ["purpose"])
    with pytest.raises(PermissionError):
        LogEntry.objects.update_or_create(pk=row.pk, defaults={"purpose": "forged"})
    assert LogEntry.objects.get(pk=row.pk).action == "core.test.done"


def test_the_database_refuses_update_delete_and_truncate_in_raw_sql(db):
    """SQLite: triggers (migration 0005); PostgreSQL: row triggers (0002) and a TRUNCATE trigger."""
    row = _entry()
    statements = [
        "UPDATE core_logentry SET purpose = 'x' WHERE id = %s",
        "DELETE FROM core_logentry WHERE id = %s",
    ]
    if connection.vendor == "sqlite":
        statements.append("INSERT OR REPLACE INTO core_logentry SELECT * FROM core_logentry WHERE id = %s")
    else:
        statements += [
            "INSERT INTO core_logentry SELECT * FROM core_logentry WHERE id = %s"
            " ON CONFLICT (id) DO UPDATE SET purpose = 'x'",
            "TRUNCATE core_logentry",
        ]
    for sql in statements:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [row.pk] if "%s" in sql else None)
    assert LogEntry.objects.get(pk=row.pk).purpose == "testing"


def test_orm_refuses_to_change_an_entry(db):
    row = _entry()
    row.purpose = "changed"
    with pytest.raises(PermissionError):
        row.save()
    with pytest.raises(PermissionError):
        LogEntry.objects.filter(pk=row.pk).update(purpose="changed")


def test_orm_refuses_to_delete_an_entry(db):
    row = _entry()
    with pytest.raises(PermissionError):
        row.delete()
    with pytest.raises(PermissionError):
        LogEntry.objects.all().delete()
    assert LogEntry.objects.filter(pk=row.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_entry_written_before_an_exception_survives_the_rollback():
    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        audit.log(
            action="core.test.attempted",
            object_type="test",
            object_id="42",
            outcome="failure",
            purpose="testing",
        )
        LogEntry.objects.count()  # the row is visible inside the transaction
        raise Boom
    rows = LogEntry.objects.filter(action="core.test.attempted")
    assert rows.count() == 1
    assert rows.get().object_id == "42"


@pytest.mark.django_db(transaction=True)
def test_entry_in_a_rolled_back_savepoint_survives_when_the_outer_transaction_commits():
    with transaction.atomic():
        try:
            with transaction.atomic():
                audit.log(action="core.test.inner", object_type="test", object_id="1", purpose="testing")
                raise RuntimeError
        except RuntimeError:
            pass
        audit.log(action="core.test.outer", object_type="test", object_id="2", purpose="testing")
    assert set(LogEntry.objects.values_list("action", flat=True)) >= {"core.test.inner", "core.test.outer"}
    assert LogEntry.objects.filter(action="core.test.inner").count() == 1


@pytest.mark.django_db(transaction=True)
def test_committed_entries_are_written_once():
    with transaction.atomic():
        audit.log(action="core.test.once", object_type="test", object_id="1", purpose="testing")
    assert LogEntry.objects.filter(action="core.test.once").count() == 1
