import pytest
from django.db import connection, transaction

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
        audit.log(action="viewed")


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


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_postgresql_trigger_refuses_update_and_delete(db):
    from django.db import DatabaseError

    row = _entry()
    for sql in (
        "UPDATE core_logentry SET purpose = 'x' WHERE id = %s",
        "DELETE FROM core_logentry WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [row.pk])
    assert LogEntry.objects.get(pk=row.pk).purpose == "testing"


@pytest.mark.django_db(transaction=True)
def test_entry_written_before_an_exception_survives_the_rollback():
    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        audit.log(action="core.test.attempted", object_type="test", object_id="42", outcome="failure")
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
                audit.log(action="core.test.inner", object_type="test", object_id="1")
                raise RuntimeError
        except RuntimeError:
            pass
        audit.log(action="core.test.outer", object_type="test", object_id="2")
    assert set(LogEntry.objects.values_list("action", flat=True)) >= {"core.test.inner", "core.test.outer"}
    assert LogEntry.objects.filter(action="core.test.inner").count() == 1


@pytest.mark.django_db(transaction=True)
def test_committed_entries_are_written_once():
    with transaction.atomic():
        audit.log(action="core.test.once", object_type="test", object_id="1")
    assert LogEntry.objects.filter(action="core.test.once").count() == 1
