"""The audit trail proves itself: ordinary deletes change no row, tampering of every kind is reported,
PostgreSQL refuses UPDATE and DELETE, and sign-ins, failures and sign-outs are recorded."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from portal import audit
from portal.models import AuditEntry, AuditHead
from tests import factories
from tests.portal.audit_support import append_only_off

pytestmark = pytest.mark.django_db


def _fill(n: int) -> list[AuditEntry]:
    return [audit.record(None, "test.event", comment=f"entry {i}") for i in range(n)]


def _rows() -> list[tuple]:
    return list(AuditEntry.objects.order_by("id").values_list())


def test_deleting_a_channel_changes_no_audit_row_and_the_chain_stays_intact():
    from wizard.services import drafts

    user = factories.author(username="writer")
    channel = drafts.create_draft(user)
    audit.record(user, "test.event", channel=channel)
    pk = channel.pk
    before = _rows()
    drafts.delete_draft(channel, user)
    after = _rows()
    assert after[: len(before)] == before
    assert AuditEntry.objects.filter(channel_id=pk).count() == 3  # created, the event, deleted
    assert audit.verify_chain().ok


def test_deleting_an_environment_and_a_user_changes_no_audit_row():
    from portal.services import environments

    environment = factories.EnvironmentFactory()
    someone = factories.author(username="leaver")
    audit.record(someone, "test.event", environment=environment)
    before = _rows()
    assert environments.delete_or_archive(environment, actor=None) == "deleted"
    someone.delete()
    assert _rows()[: len(before)] == before
    assert audit.verify_chain().ok


def test_the_log_page_shows_a_deleted_channels_id(client):
    from wizard.services import drafts

    admin = factories.administrator(username="auditor")
    channel = drafts.create_draft(admin)
    pk = channel.pk
    drafts.delete_draft(channel, admin)
    client.force_login(admin)
    html = client.get(reverse("audit_log")).content.decode()
    assert f"#{pk}" in html


# --- tampering: every kind that was tried is detected ---------------------------------------------------


def _sha256(entry: AuditEntry) -> str:
    return hashlib.sha256(audit._canonical(entry)).hexdigest()


def _rewrite_and_rechain(entries, *, hasher):
    """Change one row, then recompute every later hash and the head as someone without the key would."""
    with append_only_off():
        target = AuditEntry.objects.get(pk=entries[1].pk)
        target.comment = "nothing happened"
        previous = entries[0].entry_hash
        for entry in AuditEntry.objects.filter(pk__gte=target.pk).order_by("id"):
            if entry.pk == target.pk:
                entry = target
            entry.previous_hash = previous
            entry.entry_hash = hasher(entry)
            entry.save()
            previous = entry.entry_hash
        AuditHead.objects.filter(pk=1).update(last_hash=previous)


def _tamper_comment(entries):
    with append_only_off():
        AuditEntry.objects.filter(pk=entries[2].pk).update(comment="changed")


def _tamper_details(entries):
    with append_only_off():
        AuditEntry.objects.filter(pk=entries[2].pk).update(details={"role": "System Administrator"})


def _tamper_delete_middle(entries):
    with append_only_off():
        AuditEntry.objects.filter(pk=entries[2].pk).delete()


def _tamper_delete_first(entries):
    with append_only_off():
        AuditEntry.objects.filter(pk=entries[0].pk).delete()


def _tamper_truncate_end(entries):
    with append_only_off():
        AuditEntry.objects.filter(pk__in=[e.pk for e in entries[-2:]]).delete()


def _tamper_truncate_and_fix_head(entries):
    with append_only_off():
        AuditEntry.objects.filter(pk__in=[e.pk for e in entries[-2:]]).delete()
    last = entries[-3]
    AuditHead.objects.filter(pk=1).update(count=len(entries) - 2, last_id=last.pk, last_hash=last.entry_hash)


def _tamper_delete_everything(entries):
    with append_only_off():
        AuditEntry.objects.all().delete()


def _tamper_delete_head(entries):
    AuditHead.objects.all().delete()


def _tamper_append_forged(entries):
    forged = AuditEntry(
        actor_name="mallory", action="revision.approved", previous_hash=entries[-1].entry_hash
    )
    forged.created_at = entries[-1].created_at
    forged.entry_hash = _sha256(forged)
    forged.save()


def _tamper_rechain_sha256(entries):
    _rewrite_and_rechain(entries, hasher=_sha256)


def _tamper_rechain_wrong_key(entries):
    import hmac

    def hasher(entry):
        return hmac.new(b"guessed-key", audit._canonical(entry), hashlib.sha256).hexdigest()

    _rewrite_and_rechain(entries, hasher=hasher)


def _tamper_swap_actor(entries):
    with append_only_off():
        AuditEntry.objects.filter(pk=entries[3].pk).update(actor_name="someone-else")


TAMPERING = {
    "comment rewritten": _tamper_comment,
    "details rewritten": _tamper_details,
    "actor rewritten": _tamper_swap_actor,
    "entry deleted in the middle": _tamper_delete_middle,
    "first entry deleted": _tamper_delete_first,
    "newest entries deleted": _tamper_truncate_end,
    "newest entries deleted and head rewritten": _tamper_truncate_and_fix_head,
    "every entry deleted": _tamper_delete_everything,
    "head deleted": _tamper_delete_head,
    "entry appended without the key": _tamper_append_forged,
    "row rewritten and later hashes recomputed (SHA-256)": _tamper_rechain_sha256,
    "row rewritten and later hashes recomputed (guessed key)": _tamper_rechain_wrong_key,
}


@pytest.mark.parametrize("case", list(TAMPERING))
def test_tampering_is_detected(case):
    entries = _fill(6)
    assert audit.verify_chain().ok
    TAMPERING[case](entries)
    check = audit.verify_chain()
    assert not check.ok, case
    assert check.reason


def test_truncation_reports_how_many_entries_are_missing(client):
    entries = _fill(7)
    _tamper_truncate_end(entries)
    check = audit.verify_chain()
    assert check.missing == 2
    assert "2 entries are missing at the end" in check.reason
    admin = factories.administrator(username="auditor")
    client.force_login(admin)
    html = client.post(reverse("audit_log")).content.decode()
    assert "The chain is broken" in html


def test_the_chain_is_keyed_with_the_configured_key(settings):
    entry = _fill(1)[0]
    assert entry.entry_hash != _sha256(entry)
    settings.PORTAL_AUDIT_KEY = "another-key-of-enough-length-0123456789abcdef"
    assert not audit.verify_chain().ok


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_postgresql_refuses_update_and_delete_on_audit_entries():
    entry = _fill(2)[0]
    for change in (
        lambda: AuditEntry.objects.filter(pk=entry.pk).update(comment="x"),
        lambda: AuditEntry.objects.filter(pk=entry.pk).delete(),
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            change()
    assert audit.verify_chain().ok


def test_postgresql_trigger_is_in_the_migration():
    from importlib import import_module

    migration = import_module("portal.migrations.0005_audit_immutable_keyed")
    assert "BEFORE UPDATE OR DELETE ON portal_auditentry" in migration.REFUSE_CHANGES


# --- sign-in --------------------------------------------------------------------------------------------


def test_sign_in_failed_sign_in_and_sign_out_are_audited_without_the_password(client):
    factories.author(username="dana")
    client.post(reverse("login"), {"username": "dana", "password": "wrong-Passw0rd!"})
    client.post(reverse("login"), {"username": "dana", "password": "changeme"})
    client.post(reverse("logout"))
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["auth.sign_in_failed", "auth.signed_in", "auth.signed_out"]
    failed = AuditEntry.objects.get(action="auth.sign_in_failed")
    assert failed.details["username"] == "dana"
    dump = json.dumps(list(AuditEntry.objects.values()), default=str)
    assert "wrong-Passw0rd!" not in dump and "changeme" not in dump
    assert audit.verify_chain().ok


def test_a_huge_username_is_cut_in_the_audit_log(client):
    client.post(reverse("login"), {"username": "x" * 5000, "password": "p"})
    entry = AuditEntry.objects.get(action="auth.sign_in_failed")
    assert len(entry.details["username"]) == 150
