"""The hash-chained audit log, its page, verification and exports."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal import audit
from portal.models import AuditEntry
from tests import factories
from tests.portal.audit_support import append_only_off

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user():
    return factories.administrator(username="auditor")


def _fill(n: int, actor=None):
    return [audit.record(actor, "test.event", comment=f"entry {i}") for i in range(n)]


def test_chain_links_each_entry_to_the_previous():
    entries = _fill(3)
    assert entries[0].previous_hash == ""
    assert entries[1].previous_hash == entries[0].entry_hash
    assert audit.verify_chain().ok
    assert audit.verify_chain().checked == 3


def test_tampered_comment_is_detected():
    entries = _fill(5)
    with append_only_off():
        AuditEntry.objects.filter(pk=entries[2].pk).update(comment="nothing to see")
    check = audit.verify_chain()
    assert not check.ok
    assert check.broken_at == entries[2].pk
    assert "content" in check.reason


def test_deleted_entry_is_detected():
    entries = _fill(4)
    with append_only_off():
        AuditEntry.objects.filter(pk=entries[1].pk).delete()
    check = audit.verify_chain()
    assert not check.ok and check.broken_at == entries[2].pk


def test_page_needs_permission(client):
    client.force_login(factories.author(username="a"))
    assert client.get(reverse("audit_log")).status_code == 403
    assert client.get(reverse("audit_export_csv")).status_code == 403
    assert client.post(reverse("audit_log")).status_code == 403


def test_page_lists_filters_and_escapes(client, admin_user):
    other = factories.author(username="someone")
    audit.record(other, "revision.submitted", comment="<em>hi</em>")
    audit.record(admin_user, "revision.approved")
    client.force_login(admin_user)
    html = client.get(reverse("audit_log")).content.decode()
    assert "&lt;em&gt;hi&lt;/em&gt;" in html and "<em>hi" not in html
    filtered = client.get(reverse("audit_log"), {"action": "revision.approved"}).context["entries"]
    assert [e.action for e in filtered] == ["revision.approved"]
    by_actor = client.get(reverse("audit_log"), {"actor": "someone"}).context["entries"]
    assert [e.actor_name for e in by_actor] == ["someone"]
    none = client.get(reverse("audit_log"), {"date_from": "2000-01-01", "date_to": "2000-01-02"})
    assert list(none.context["entries"]) == []


def test_keyset_pages(client, admin_user):
    client.force_login(admin_user)
    entries = _fill(120)
    first = client.get(reverse("audit_log"))
    assert [e.pk for e in first.context["entries"]] == [e.pk for e in reversed(entries)][:50]
    assert first.context["newer_query"] == ""
    second = client.get(reverse("audit_log") + "?" + first.context["older_query"])
    assert second.context["entries"][0].pk == entries[-51].pk
    back = client.get(reverse("audit_log") + "?" + second.context["newer_query"])
    assert [e.pk for e in back.context["entries"]] == [e.pk for e in first.context["entries"]]


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_query_count_does_not_grow(client, admin_user):
    client.force_login(admin_user)
    _fill(5)
    _count(client, reverse("audit_log"))  # the session and the permissions are cached from then on
    small = _count(client, reverse("audit_log"))
    AuditEntry.objects.bulk_create(
        AuditEntry(actor_name="bulk", action="bench.event", entry_hash=f"{i:064x}") for i in range(3000)
    )
    assert small > 0
    assert _count(client, reverse("audit_log")) == small
    assert _count(client, reverse("audit_log") + "?before=1500&action=bench.event") == small


def test_verify_button_reports_tampering(client, admin_user):
    client.force_login(admin_user)
    entries = _fill(3)
    ok = client.post(reverse("audit_log")).content.decode()
    assert "The chain is intact: 4 entries checked." in ok  # the three and the sign-in
    with append_only_off():
        AuditEntry.objects.filter(pk=entries[1].pk).update(comment="changed")
    broken = client.post(reverse("audit_log")).content.decode()
    assert f"The chain is broken at entry {entries[1].pk}" in broken


def test_csv_export_streams_everything(client, admin_user):
    _fill(3)
    audit.record(None, "test.formula", comment="=HYPERLINK(1)")
    client.force_login(admin_user)
    response = client.get(reverse("audit_export_csv"), {"action": "test.formula"})
    assert response.streaming
    body = b"".join(response.streaming_content).decode()
    lines = body.strip().splitlines()
    assert lines[0].startswith("id,created_at,actor_name,action")
    assert len(lines) == 2 and "'=HYPERLINK(1)" in lines[1]


def test_json_export(client, admin_user):
    entries = _fill(3)
    client.force_login(admin_user)
    response = client.get(reverse("audit_export_json"), {"action": "test.event"})
    data = json.loads(b"".join(response.streaming_content))
    assert [item["id"] for item in data] == [e.pk for e in entries]
    assert data[1]["previous_hash"] == entries[0].entry_hash
    assert AuditEntry.objects.filter(action="audit.exported").exists()


def test_role_changes_show_who_got_which_role_where_and_by_whom(client, admin_user):
    environment = factories.EnvironmentFactory(name="Contoso prod")
    details = {
        "user_id": "u1",
        "user": "Dana Agent",
        "email": "dana@contoso.com",
        "role": "Omnichannel agent",
    }
    audit.record(admin_user, "roles.assigned", environment=environment, details=details)
    audit.record(
        admin_user,
        "roles.removed",
        environment=environment,
        details=dict(details, role="Omnichannel supervisor"),
    )
    client.force_login(admin_user)
    html = client.get(reverse("audit_log")).content.decode()
    assert "Omnichannel agent assigned to Dana Agent (dana@contoso.com)" in html
    assert "Omnichannel supervisor removed from Dana Agent (dana@contoso.com)" in html
    assert "Contoso prod" in html and "auditor" in html
    assert "Security role assigned" in html


def test_role_change_details_are_escaped(client, admin_user):
    details = {"user": "<script>x()</script>", "role": "<b>r</b>"}
    audit.record(admin_user, "roles.assigned", details=details)
    client.force_login(admin_user)
    html = client.get(reverse("audit_log")).content.decode()
    assert "<script>x()</script>" not in html and "&lt;script&gt;" in html


def test_a_bad_filter_keeps_what_was_typed_and_says_what_is_wrong_beside_it(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("audit_log"), {"channel": "99999999999999999999", "actor": "ann"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="99999999999999999999"' in html and 'value="ann"' in html
    assert "No channel has that id; channel ids are whole numbers from 1 up to 19 digits." in html
    assert 'id="id_channel_error"' in html and "9223372036854775807" not in html


def test_dates_the_wrong_way_round_and_an_unknown_action_are_explained(client, admin_user):
    client.force_login(admin_user)
    backwards = client.get(reverse("audit_log"), {"date_from": "2026-05-02", "date_to": "2026-05-01"})
    assert backwards.status_code == 400
    assert "The to date is before the from date" in backwards.content.decode()
    assert 'value="2026-05-02"' in backwards.content.decode()
    unknown = client.get(reverse("audit_log"), {"action": "no.such.action"})
    assert unknown.status_code == 400
    html = unknown.content.decode()
    assert "No entry has this action" in html and '<option value="no.such.action" selected>' in html
    # An action the log holds is accepted even when it has no label.
    audit.record(admin_user, "custom.action")
    assert client.get(reverse("audit_log"), {"action": "custom.action"}).status_code == 200


def test_exporting_with_a_bad_filter_shows_the_audit_page_with_the_problem(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("audit_export_csv"), {"channel": "abc"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "nothing was exported" in html and 'value="abc"' in html
