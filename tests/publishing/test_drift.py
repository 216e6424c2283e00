"""The drift guard: a change made in the org since the last publish is neither silently overwritten nor lost."""

from __future__ import annotations

from typing import Any

import pytest

from portal.models import AuditEntry
from publishing import mapping
from publishing.models import EnvironmentLink
from publishing.services import drift, imports, publish
from tests import factories
from tests.publishing.helpers import FULL, approve_revision, approved_channel
from tests.publishing.org import org_widget, writes
from wizard.models import Channel, ChannelStatus

pytestmark = pytest.mark.django_db


def publish_now(channel: Any, user: Any = None) -> Any:
    attempt, created = publish.request_publish(channel, user or factories.publisher())
    assert created
    attempt.refresh_from_db()
    return attempt


def published_then_changed_in_org(environment: Any, knobs: Any) -> tuple[Channel, str]:
    channel = approved_channel(environment, **FULL)
    assert publish_now(channel).state == "succeeded"
    wid = mapping.widget_id(channel.pk, environment.pk)
    knobs.client.update("msdyn_livechatconfigs", wid, {"msdyn_widgettitle": "Changed in the org"})
    return channel, wid


def next_revision(channel: Channel, **appearance: Any) -> None:
    channel.refresh_from_db()
    data = {**channel.data, "appearance": {**channel.data["appearance"], **appearance}}
    approve_revision(channel, data)


def test_a_drifted_title_stops_the_publish_before_writing(emulator_environment, knobs, no_sleep):
    channel, wid = published_then_changed_in_org(emulator_environment, knobs)
    next_revision(channel, subtitle="A new subtitle")
    seq = knobs.last_seq()
    attempt = publish_now(channel)
    assert attempt.state == "failed" and "Nothing was written" in attempt.error_message
    assert writes(knobs.log(seq)) == []
    row = knobs.client.retrieve("msdyn_livechatconfigs", wid)
    assert row["msdyn_widgettitle"] == "Changed in the org"  # not overwritten
    assert row["msdyn_widgetsubtitle"] == FULL["appearance"]["subtitle"]
    channel.refresh_from_db()
    assert channel.status == ChannelStatus.PUBLISH_FAILED
    [view] = EnvironmentLink.objects.get(channel=channel).drift["fields"]
    assert view["key"] == "appearance.title"
    assert (view["last"], view["live"], view["this"]) == (
        "Chat with Contoso",
        "Changed in the org",
        "Chat with Contoso",
    )
    assert AuditEntry.objects.filter(action="publish.drift_stopped", channel_id=channel.pk).exists()


def test_keeping_the_live_value_puts_it_in_a_new_draft_for_review(emulator_environment, knobs, no_sleep):
    channel, wid = published_then_changed_in_org(emulator_environment, knobs)
    next_revision(channel, subtitle="A new subtitle")
    publish_now(channel)
    outcome = drift.resolve(channel, factories.publisher(), {"appearance.title": drift.KEEP_LIVE}, "")
    assert outcome == "draft"
    channel.refresh_from_db()
    assert channel.status == ChannelStatus.DRAFT
    assert channel.data["appearance"]["title"] == "Changed in the org"  # not lost
    assert channel.data["appearance"]["subtitle"] == "A new subtitle"
    # Reviewed like any edit, then published: the title is the org's, the subtitle the revision's.
    approve_revision(channel, channel.data)
    attempt = publish_now(channel)
    assert attempt.state == "succeeded", attempt.error_message
    row = knobs.client.retrieve("msdyn_livechatconfigs", wid)
    assert (row["msdyn_widgettitle"], row["msdyn_widgetsubtitle"]) == ("Changed in the org", "A new subtitle")
    assert not EnvironmentLink.objects.get(channel=channel).drifted


def test_overwriting_is_audited_with_the_reason(emulator_environment, knobs, no_sleep):
    channel, wid = published_then_changed_in_org(emulator_environment, knobs)
    publish_now(channel)
    publisher = factories.publisher()
    with pytest.raises(drift.DriftError):
        drift.resolve(channel, publisher, {"appearance.title": drift.OVERWRITE}, "   ")
    with pytest.raises(drift.DriftError):
        drift.resolve(channel, publisher, {}, "reason")
    with pytest.raises(drift.DriftError):
        drift.resolve(channel, publisher, {"appearance.title": "<script>"}, "reason")
    with pytest.raises(drift.DriftError):
        drift.resolve(channel, publisher, {"appearance.title": drift.OVERWRITE}, "x" * 1001)
    outcome = drift.resolve(channel, publisher, {"appearance.title": drift.OVERWRITE}, "Brand guidelines")
    assert outcome == "publishing"
    attempt = channel.publish_attempts.first()
    assert attempt.state == "succeeded", attempt.error_message
    assert knobs.client.retrieve("msdyn_livechatconfigs", wid)["msdyn_widgettitle"] == "Chat with Contoso"
    chosen = AuditEntry.objects.get(action="publish.drift_overwrite_chosen", channel_id=channel.pk)
    assert chosen.comment == "Brand guidelines" and chosen.details["fields"] == ["appearance.title"]
    succeeded = AuditEntry.objects.filter(action="publish.succeeded", channel_id=channel.pk).first()
    assert "appearance.title" in succeeded.details["overwritten"]


def test_an_overwrite_choice_does_not_cover_a_later_change(emulator_environment, knobs, no_sleep):
    channel, wid = published_then_changed_in_org(emulator_environment, knobs)
    publish_now(channel)
    link = EnvironmentLink.objects.get(channel=channel)
    # The choice was made for "Changed in the org"; someone changes it again before the publish runs.
    link.drift = {
        "overwrite": {"appearance.title": {"live": drift.fingerprint("Changed in the org"), "reason": "r"}}
    }
    link.save()
    knobs.client.update("msdyn_livechatconfigs", wid, {"msdyn_widgettitle": "Changed again"})
    channel.refresh_from_db()
    attempt = publish_now(channel)
    assert attempt.state == "failed"
    assert knobs.client.retrieve("msdyn_livechatconfigs", wid)["msdyn_widgettitle"] == "Changed again"


def test_check_for_drift_writes_nothing_and_sets_the_badge(emulator_environment, knobs, no_sleep):
    channel, wid = published_then_changed_in_org(emulator_environment, knobs)
    domain = {
        "msdyn_name": "added.example",
        "msdyn_domainvalue": "added.example",
        "msdyn_ruletype": 100000000,
        "msdyn_livechatconfigid@odata.bind": f"/msdyn_livechatconfigs({wid})",
    }
    knobs.client.create("msdyn_livechatwidgetlocations", domain)
    seq = knobs.last_seq()
    link = drift.check(channel, factories.publisher())
    assert writes(knobs.log(seq)) == []
    assert link.drifted
    assert [view["key"] for view in link.drift["fields"]] == ["appearance.title", "appearance.domains"]
    knobs.client.update("msdyn_livechatconfigs", wid, {"msdyn_widgettitle": "Chat with Contoso"})
    for row in knobs.client.query(
        "msdyn_livechatwidgetlocations", filter="msdyn_domainvalue eq 'added.example'"
    ):
        knobs.client.delete("msdyn_livechatwidgetlocations", row["msdyn_livechatwidgetlocationid"])
    assert not drift.check(channel, factories.publisher()).drifted


def test_drift_of_an_imported_channel(emulator_environment, knobs, no_sleep):
    wid = org_widget(knobs.client)
    [result] = imports.import_widgets(emulator_environment, [wid], factories.publisher())
    assert not drift.check(result.channel, factories.publisher()).drifted
    knobs.client.update("msdyn_livechatconfigs", wid, {"msdyn_widgettitle": "Edited in the admin center"})
    link = drift.check(result.channel, factories.publisher())
    assert [view["live"] for view in link.drift["fields"]] == ["Edited in the admin center"]


def test_check_for_drift_says_why_it_cannot(emulator_environment, knobs, no_sleep):
    channel = approved_channel(emulator_environment, **FULL)
    with pytest.raises(drift.DriftError):
        drift.check(channel, factories.publisher())  # nothing live yet
    with pytest.raises(Exception) as refused:
        drift.check(channel, factories.author())
    assert refused.type.__name__ == "PermissionDenied"
    publish_now(channel)
    knobs.fault(method="POST", path=r"\$batch$", status=500, times=10)
    with pytest.raises(drift.DriftError):
        drift.check(channel, factories.publisher())
    knobs.clear()
