"""Import from environment: the org's widget becomes a channel whose first revision is what the org holds,
and publishing it unchanged writes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from portal.models import AuditEntry
from publishing import mapping
from publishing.models import EnvironmentLink
from publishing.services import imports, live, publish
from tests import factories
from tests.publishing.org import org_widget, writes
from wizard.models import Channel, ChannelStatus, Revision
from wizard.services import drafts, workflow

pytestmark = pytest.mark.django_db


def import_one(environment: Any, widget_id: str, user: Any = None) -> Channel:
    [result] = imports.import_widgets(environment, [widget_id], user or factories.publisher())
    assert result.error == "" and result.channel is not None, result.error
    return result.channel


def review_and_publish(channel: Channel) -> Any:
    """The workflow any channel goes through: an author saves a step, submits; a reviewer approves; a
    publisher publishes."""
    author = factories.author()
    channel.refresh_from_db()
    drafts.save_step(
        channel, "details", dict(channel.data["details"]), expected_version=channel.version, user=author
    )
    channel.refresh_from_db()
    revision = workflow.submit(channel, author)
    workflow.approve(channel, factories.reviewer(), revision_id=revision.pk, shown_hash=revision.content_hash)
    attempt, created = publish.request_publish(channel, factories.publisher())
    assert created
    attempt.refresh_from_db()
    return attempt


def test_the_list_names_each_widget_with_its_workstream_and_language(emulator_environment, knobs):
    wid = org_widget(knobs.client, "Listed widget")
    listed = {w.id: w for w in imports.list_widgets(emulator_environment)}
    assert listed[wid].name == "Listed widget"
    assert listed[wid].workstream == "Existing chat workstream"
    assert listed[wid].language == "Korean"
    assert listed[wid].modified_on.tzinfo is not None and listed[wid].channel is None


def test_the_first_revision_is_what_the_org_holds(emulator_environment, knobs):
    wid = org_widget(knobs.client, "Contoso imported chat")
    channel = import_one(emulator_environment, wid)
    assert channel.status == ChannelStatus.PUBLISHED and channel.environment == emulator_environment
    revision = channel.revisions.get()
    assert revision.number == 1 and revision.state == Revision.State.PUBLISHED
    assert live.live_revision(channel) == revision
    data = revision.data
    assert data["details"]["name"] == "Contoso imported chat" and data["details"]["language"] == "1042"
    assert data["workstream"]["workstream_mode"] == "existing"
    assert data["appearance"]["title"] == "Talk to us"
    assert data["appearance"]["operating_hours_only"] and data["appearance"]["offline_title"] == "We're away"
    assert data["appearance"]["domains"] == [{"domain": "contoso.example"}]  # the exclusion is left alone
    assert [m["text"] for m in data["behaviors"]["messages"]] == [
        "Welcome! An agent will be with you shortly."
    ]
    questions = data["behaviors"]["questions"]
    assert [(q["name"], q["answer_type"], q["options"], q["required"]) for q in questions] == [
        ("Name", "192350000", "", True),
        ("Topic", "192350002", "Billing;Orders", False),
    ]
    assert data["features"]["calling"] == "192350002" and data["features"]["attachments_customers"] is True
    binding = mapping.Binding.of(EnvironmentLink.objects.get(channel=channel).binding)
    assert binding.ids["msdyn_livechatconfig:widget"] == wid
    assert AuditEntry.objects.filter(action="channel.imported", channel_id=channel.pk).exists()
    # Listed as a channel now.
    listed = {w.id: w for w in imports.list_widgets(emulator_environment)}
    assert listed[wid].channel == channel


def test_a_round_trip_writes_nothing(emulator_environment, knobs, no_sleep):
    wid = org_widget(knobs.client)
    before = knobs.client.retrieve("msdyn_livechatconfigs", wid, select=["versionnumber"])["versionnumber"]
    channel = import_one(emulator_environment, wid)
    seq = knobs.last_seq()
    attempt = review_and_publish(channel)
    assert attempt.state == "succeeded", attempt.error_message
    log = knobs.log(seq)
    assert writes(log) == []
    assert any(entry["path"].endswith("$batch") for entry in log)  # it did read the org
    assert attempt.result["upserts"] == 0 and attempt.result["deletes"] == 0
    after = knobs.client.retrieve("msdyn_livechatconfigs", wid, select=["versionnumber"])["versionnumber"]
    assert after == before
    # The rows the wizard can't show are still there.
    domains = list(
        knobs.client.query("msdyn_livechatwidgetlocations", filter=f"_msdyn_livechatconfigid_value eq {wid}")
    )
    assert len(domains) == 2


def test_values_the_wizard_cannot_represent_are_kept_and_written_back(emulator_environment, knobs, no_sleep):
    # The wizard has one theme colour for online and offline; this widget has two.
    wid = org_widget(knobs.client, msdyn_offlinewidgetthemecolor=192350007)
    channel = import_one(emulator_environment, wid)
    binding = mapping.Binding.of(EnvironmentLink.objects.get(channel=channel).binding)
    assert binding.kept[wid]["msdyn_offlinewidgetthemecolor"] == [192360017, 192350007]
    # The author changes the title; the kept offline colour goes back unchanged, the title is written.
    author = factories.author()
    appearance = dict(channel.data["appearance"], title="New title")
    drafts.save_step(channel, "appearance", appearance, expected_version=channel.version, user=author)
    channel.refresh_from_db()
    revision = workflow.submit(channel, author)
    workflow.approve(channel, factories.reviewer(), revision_id=revision.pk, shown_hash=revision.content_hash)
    seq = knobs.last_seq()
    attempt, _created = publish.request_publish(channel, factories.publisher())
    attempt.refresh_from_db()
    assert attempt.state == "succeeded", attempt.error_message
    assert attempt.result["upserts"] == 1  # only the widget
    row = knobs.client.retrieve("msdyn_livechatconfigs", wid)
    assert row["msdyn_widgettitle"] == "New title"
    assert row["msdyn_offlinewidgetthemecolor"] == 192350007
    assert row["msdyn_widgetthemecolor"] == 192360017
    [write] = writes(knobs.log(seq))
    assert [op["method"] for op in write["operations"]] == ["PATCH"]


def test_importing_twice_makes_one_channel(emulator_environment, knobs):
    wid = org_widget(knobs.client)
    first = import_one(emulator_environment, wid)
    [again] = imports.import_widgets(emulator_environment, [wid, wid.upper()], factories.publisher())
    assert again.channel == first and not again.created
    assert Channel.objects.filter(pk=first.pk).count() == 1
    assert EnvironmentLink.objects.filter(environment=emulator_environment, channel=first).count() == 1


def test_bad_choices_and_a_failing_org_import_nothing(emulator_environment, knobs, no_sleep):
    with pytest.raises(imports.ImportProblem):
        imports.import_widgets(
            emulator_environment, ["javascript:alert(1)", "<b>x</b>", ""], factories.publisher()
        )
    before = Channel.objects.count()
    missing = "00000000-0000-0000-0000-000000000001"
    [result] = imports.import_widgets(emulator_environment, [missing], factories.publisher())
    assert result.channel is None and result.error
    knobs.fault(method="POST", path=r"\$batch$", status=500, times=10)
    [failed] = imports.import_widgets(emulator_environment, [org_widget_id(knobs)], factories.publisher())
    knobs.clear()
    assert failed.channel is None and failed.error
    assert Channel.objects.count() == before


def org_widget_id(knobs: Any) -> str:
    knobs.clear()
    wid = org_widget(knobs.client)
    knobs.fault(method="POST", path=r"\$batch$", status=500, times=10)
    return wid


def test_only_publishers_import(emulator_environment, knobs):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        imports.import_widgets(emulator_environment, [org_widget(knobs.client)], factories.author())


def test_two_imports_of_one_widget_at_once_make_one_channel(emulator_environment, knobs, monkeypatch):
    """The second import does not see the first's channel (it is not committed yet when it looks)."""
    wid = org_widget(knobs.client)
    first = import_one(emulator_environment, wid)
    monkeypatch.setattr(imports, "linked_channels", lambda environment: {})
    [second] = imports.import_widgets(emulator_environment, [wid], factories.publisher())
    assert second.channel is None and not second.created
    assert (
        EnvironmentLink.objects.filter(environment=emulator_environment, widget_id=wid).get().channel == first
    )
