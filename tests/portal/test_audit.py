import pytest

from portal import audit
from portal.models import AuditEntry
from tests.factories import author

pytestmark = pytest.mark.django_db


def test_entries_chain_and_tampering_is_detected():
    user = author()
    first = audit.record(user, "channel.created", comment="one")
    second = audit.record(user, "channel.deleted", comment="two")
    assert second.previous_hash == first.entry_hash
    assert audit.verify_chain().ok
    AuditEntry.objects.filter(pk=first.pk).update(comment="rewritten")
    check = audit.verify_chain()
    assert not check.ok and check.broken_at == first.pk


def test_deleting_an_entry_breaks_the_chain():
    user = author()
    audit.record(user, "a")
    middle = audit.record(user, "b")
    audit.record(user, "c")
    middle.delete()
    assert not audit.verify_chain().ok
