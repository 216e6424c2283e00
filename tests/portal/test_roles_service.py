"""The roles service against the local emulator: listing, paging, assigning, removing, bulk with 429."""

from __future__ import annotations

import pytest

from portal.models import AuditEntry
from portal.services import roles
from portal.services.environments import client_for
from tests.factories import administrator

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(emulator_environment):
    return client_for(emulator_environment, sleep=lambda seconds: None)


def by_name(client, name):
    return next(u for u in roles.iter_users(client) if u.fullname == name)


def test_lists_enabled_users_with_business_unit_access_mode_and_roles(client):
    users = {u.fullname: u for u in roles.iter_users(client)}
    assert "Dana Departed" not in users  # disabled in the org
    admin = users["Adrian Admin"]
    assert admin.email == "admin@contoso.example"
    assert admin.business_unit == "contoso"
    assert admin.access_mode_label == "Read-Write"
    assert [r["key"] for r in admin.omnichannel] == ["administrator"]
    assert users["Emil Europa"].business_unit == "Contoso Support EU"


def test_team_only_role_is_shown_with_the_team(client):
    taylor = by_name(client, "Taylor Teamwork")
    assert taylor.team_only_roles == ["agent"]
    assert taylor.omnichannel == [
        {
            "key": "agent",
            "label": roles.ROLE_LABELS["agent"],
            "direct": False,
            "teams": ["Contoso Support Team"],
        }
    ]


def test_pages_through_next_link(client):
    first = roles.list_users(client, page_size=3)
    assert len(first.users) == 3 and first.next_link
    second = roles.list_users(client, next_link=first.next_link, page_size=3)
    assert {u.id for u in first.users}.isdisjoint({u.id for u in second.users})
    with pytest.raises(ValueError):
        roles.list_users(client, next_link="https://evil.example/api/data/v9.2/systemusers?$skiptoken=x")


def test_search_escapes_quotes(client):
    assert [u.fullname for u in roles.list_users(client, search="europa").users] == ["Emil Europa"]
    assert roles.list_users(client, search="o'brien").users == []
    assert roles.search_filter("o'brien").endswith("contains(internalemailaddress,'o''brien'))")


def test_assign_and_remove_with_audit_and_skip_when_present(client, emulator_environment):
    actor = administrator()
    emil = by_name(client, "Emil Europa")
    alex = by_name(client, "Alex Agent")
    report = roles.change_role(
        client,
        environment=emulator_environment,
        actor=actor,
        user_ids=[alex.id],
        role_key="supervisor",
        action="assign",
    )
    assert report.done == 1
    assert by_name(client, "Alex Agent").holds(roles.SUPERVISOR)
    entry = AuditEntry.objects.filter(action="roles.assigned").latest("id")
    assert entry.actor == actor and entry.environment == emulator_environment
    assert entry.details["before"] == ["Omnichannel agent"]
    assert entry.details["after"] == ["Omnichannel agent", "Omnichannel supervisor"]

    again = roles.change_role(
        client,
        environment=emulator_environment,
        actor=actor,
        user_ids=[alex.id],
        role_key="supervisor",
        action="assign",
    )
    assert (again.done, again.skipped, again.requests) == (0, 1, 0)

    removed = roles.change_role(
        client,
        environment=emulator_environment,
        actor=actor,
        user_ids=[alex.id],
        role_key="supervisor",
        action="remove",
    )
    assert removed.done == 1 and not by_name(client, "Alex Agent").holds(roles.SUPERVISOR)
    assert emil  # used below


def test_user_of_child_business_unit_gets_that_units_copy_of_the_role(client, emulator_environment):
    # Every business unit holds its own copy of each role; a real org refuses the root unit's copy for a
    # user of a child unit, so the assignment must pick the copy of the user's own unit.
    emil = by_name(client, "Emil Europa")
    report = roles.change_role(
        client,
        environment=emulator_environment,
        actor=administrator(),
        user_ids=[emil.id],
        role_key="agent",
        action="assign",
    )
    assert report.done == 1, report.outcomes
    role_id = by_name(client, "Emil Europa").direct_roles[roles.AGENT]
    role = client.retrieve("roles", role_id, select=["_businessunitid_value"])
    assert role["_businessunitid_value"] == emil.business_unit_id
    roles.change_role(
        client,
        environment=emulator_environment,
        actor=administrator(),
        user_ids=[emil.id],
        role_key="agent",
        action="remove",
    )


def test_bulk_assign_waits_out_429_and_reports_per_user(client, emulator_environment, knobs):
    names = ["Avery Author", "Riley Reviewer", "Parker Publisher", "Taylor Teamwork", "Emil Europa"]
    users = [by_name(client, n) for n in names]
    knobs.fault(path=r"\$batch$", status=429, retry_after=1, times=1)
    knobs.fault(path="systemuserroles_association", status=429, retry_after=1, times=1)
    try:
        report = roles.change_role(
            client,
            environment=emulator_environment,
            actor=administrator(),
            user_ids=[u.id for u in users],
            role_key="agent",
            action="assign",
        )
    finally:
        knobs.clear()
    outcome = {o.name: o.status for o in report.outcomes}
    assert outcome == {
        "Avery Author": "done",
        "Riley Reviewer": "done",
        "Parker Publisher": "done",
        "Taylor Teamwork": "done",
        "Emil Europa": "done",
    }
    assert report.requests == 2  # the throttled user's changeset was resent alone
    for name in names:
        assert by_name(client, name).holds(roles.AGENT)
    # Rerunning only does what is missing.
    rerun = roles.change_role(
        client,
        environment=emulator_environment,
        actor=administrator(),
        user_ids=[u.id for u in users],
        role_key="agent",
        action="assign",
    )
    assert (rerun.done, rerun.skipped, rerun.failed, rerun.requests) == (0, 5, 0, 0)
    roles.change_role(
        client,
        environment=emulator_environment,
        actor=administrator(),
        user_ids=[u.id for u in users],
        role_key="agent",
        action="remove",
    )


def test_api_access_warning(client, emulator_environment):
    user = by_name(client, "Riley Reviewer")
    api_role = roles.RoleFinder(client).find(roles.API_ACCESS, user.business_unit_id)
    client.associate("systemusers", user.id, "systemuserroles_association", "roles", api_role)
    try:
        report = roles.change_role(
            client,
            environment=emulator_environment,
            actor=administrator(),
            user_ids=[user.id],
            role_key="agent",
            action="assign",
        )
        assert "Omnichannel API access" in report.outcomes[0].warning
        assert by_name(client, "Riley Reviewer").api_access_conflict
    finally:
        client.disassociate("systemusers", user.id, "systemuserroles_association", api_role)
        roles.change_role(
            client,
            environment=emulator_environment,
            actor=administrator(),
            user_ids=[user.id],
            role_key="agent",
            action="remove",
        )


def test_checklist_queries(client):
    assert roles.has_direct_holder(client, roles.ADMINISTRATOR)
    queue_id, members = roles.queue_members(client, "Default messaging queue")
    assert queue_id and members >= 1
    assert roles.queue_members(client, "No such queue") == (None, 0)
