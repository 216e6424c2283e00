"""The publish service against the local Dataverse emulator (one emulator for the session)."""

from __future__ import annotations

from typing import Any

import pytest

from dataverse import forget_token_providers
from portal.models import AuditEntry
from publishing import mapping
from publishing.services import publish
from tests import factories
from tests.emulator_support import Knobs
from tests.publishing.helpers import FULL, approve_revision, approved_channel
from wizard.models import Channel, ChannelStatus, PublishAttempt, Revision

pytestmark = pytest.mark.django_db


def publish_now(channel: Any, user: Any = None) -> PublishAttempt:
    attempt, created = publish.request_publish(channel, user or factories.publisher())
    assert created
    attempt.refresh_from_db()
    return attempt


def rows(knobs: Knobs, table: mapping.Table, link: str, widget_id: str) -> list[dict[str, Any]]:
    return list(knobs.client.query(table.entity_set, filter=f"_{link}_value eq {widget_id}"))


def test_publish_writes_every_column(emulator_environment, knobs, no_sleep):
    channel = approved_channel(emulator_environment, **FULL)
    attempt = publish_now(channel)
    assert attempt.state == "succeeded", (attempt.error_message, attempt.failed_operation)
    assert attempt.widget_app_id
    assert "data-app-id" in attempt.widget_snippet
    channel.refresh_from_db()
    assert channel.status == ChannelStatus.PUBLISHED
    assert channel.published_revision.state == Revision.State.PUBLISHED

    wid = mapping.widget_id(channel.pk, emulator_environment.pk)
    widget = knobs.client.retrieve("msdyn_livechatconfigs", wid)
    expected = {
        "msdyn_name": "Contoso support chat",
        "msdyn_autodetectlanguage": True,
        "msdyn_conversationmode": 192350001,
        "msdyn_widgettitle": "Chat with Contoso",
        "msdyn_widgetsubtitle": "We reply within minutes",
        "msdyn_widgetthemecolor": 192360017,
        "msdyn_offlinewidgetthemecolor": 192360017,
        "msdyn_avatarurl": "https://contoso.example/logo.svg",
        "msdyn_agentdisplayname": 192350001,
        "msdyn_showagentname": True,
        "msdyn_genericagentdisplayname": "Contoso support",
        "msdyn_widgetposition": 192236011,
        "msdyn_proactivechatenabled": True,
        "msdyn_enablechatreconnect": True,
        "msdyn_timetoreconnectwithpreviousagent": 45,
        "msdyn_portalurl": "https://contoso.example/portal",
        "msdyn_redirectionurl": "https://contoso.example/bye",
        "msdyn_showwidgetduringofflinehours": True,
        "msdyn_offlinewidgettitle": "We're away",
        "msdyn_offlinewidgetsubtitle": "Back at nine",
        "msdyn_prechatenabled": True,
        "msdyn_postconversationsurveyenable": True,
        "msdyn_surveyprovider": 600990001,
        "msdyn_mcssurveyurl": "https://copilotstudio.example/survey",
        "msdyn_postconversationsurveymode": 192350001,
        "msdyn_postconversationsurveymessagetext": "Tell us how we did:",
        "msdyn_authenticatedsigninoptional": True,
        "msdyn_positioninqueue_enabled": False,
        "msdyn_averagewaittime_enabled": False,
        "msdyn_requestvisitorlocation": True,
        "msdyn_enablefileattachmentsforcustomers": True,
        "msdyn_enablefileattachmentsforagents": True,
        "msdyn_widgetvisualnotification": True,
        "msdyn_widgetsoundnotification": True,
        "msdyn_enablechattranscriptdownload": True,
        "msdyn_enablechattranscriptemail": True,
        "msdyn_emailtemplate": "contoso_transcript",
        "msdyn_mailbox": "support@contoso.example",
        "msdyn_callingoptions": 192350002,
        "msdyn_enablescreensharing": True,
        "msdyn_screensharingprovider": "ContosoShare",
        "msdyn_enablecobrowse": True,
        "msdyn_cobrowseprovider": "ContosoBrowse",
    }
    assert {key: widget.get(key) for key in expected} == expected
    assert widget["msdyn_widgetappid"] == attempt.widget_app_id

    korean = next(knobs.client.query("msdyn_oclanguages", filter="msdyn_localeid eq 1042"))
    assert widget["_msdyn_ocwidgetlanguage_value"] == korean["msdyn_oclanguageid"]
    hours = next(knobs.client.query("msdyn_operatinghours", filter="msdyn_name eq 'Business hours'"))
    assert widget["_msdyn_operatinghourid_value"] == hours["msdyn_operatinghourid"]
    auth = next(
        knobs.client.query("msdyn_authenticationsettingses", filter="msdyn_name eq 'Contoso portal sign-in'")
    )
    assert widget["_msdyn_authsettingsid_value"] == auth["msdyn_authenticationsettingsid"]

    workstream = knobs.client.retrieve("msdyn_liveworkstreams", widget["_msdyn_liveworkstreamid_value"])
    assert workstream["msdyn_name"] == "Contoso chat workstream"
    assert workstream["msdyn_streamsource"] == 192360000
    assert workstream["msdyn_workdistributionmode"] == 192350001
    assert workstream["msdyn_conversationmode"] == 192350001
    assert not workstream.get("msdyn_enableagentaffinity")  # a Push-only setting; this workstream is Pick
    queue = knobs.client.retrieve("queues", workstream["_msdyn_defaultqueue_value"])
    assert queue["name"] == "Contoso chat fallback"
    assert queue["msdyn_isomnichannelqueue"] is True
    assert queue["msdyn_queuetype"] == 192350000
    assert queue["msdyn_priority"] == mapping.QUEUE_PRIORITY

    domains = rows(knobs, mapping.DOMAIN, "msdyn_livechatconfigid", wid)
    assert sorted(d["msdyn_domainvalue"] for d in domains) == ["*.contoso.example", "contoso.example"]
    sequences = sorted(
        rows(knobs, mapping.SEQUENCE, "msdyn_chatengagementtochatsequenceid", wid),
        key=lambda r: r["sequencenumber"],
    )
    assert [(s["msdyn_name"], s["sequencenumber"], s["msdyn_questionrequired"]) for s in sequences] == [
        ("Name", 1, True),
        ("Email", 2, False),
    ]
    question = knobs.client.retrieve("msdyn_surveyquestions", sequences[0]["_msdyn_surveyquestion_value"])
    assert question["msdyn_questiontext"] == "What is your name?"
    assert question["_msdyn_liveworkstreamtochatquestion_value"] == workstream["msdyn_liveworkstreamid"]
    messages = rows(knobs, mapping.MESSAGE, "msdyn_widgetid", wid)
    assert [(m["msdyn_systemmessageeventtype"], m["msdyn_messagetext"]) for m in messages] == [
        (192350017, "Hi, I'm {Agentname}.")
    ]
    actions = list(AuditEntry.objects.filter(channel=channel).values_list("action", flat=True))
    assert {"publish.requested", "publish.started", "publish.succeeded"} <= set(actions)


def counts(knobs: Knobs, wid: str) -> dict[str, int]:
    channel_pk, environment_pk = next(
        (c.pk, e)
        for c in Channel.objects.all()
        for e in [c.environment_id]
        if mapping.widget_id(c.pk, e) == wid
    )
    ws = mapping.row_id(channel_pk, environment_pk, mapping.WORKSTREAM, "workstream")
    return {table.logical: len(rows(knobs, table, link, wid)) for table, link in mapping.CHILD_LINKS} | {
        "widgets": len(
            list(knobs.client.query("msdyn_livechatconfigs", filter=f"msdyn_livechatconfigid eq {wid}"))
        ),
        "workstreams": len(
            list(knobs.client.query("msdyn_liveworkstreams", filter=f"msdyn_liveworkstreamid eq {ws}"))
        ),
    }


def test_publishing_twice_changes_nothing(emulator_environment, knobs, no_sleep):
    channel = approved_channel(emulator_environment, **FULL)
    first = publish_now(channel)
    wid = mapping.widget_id(channel.pk, emulator_environment.pk)
    before = counts(knobs, wid)
    widget_before = knobs.client.retrieve("msdyn_livechatconfigs", wid)
    second = publish_now(channel)
    assert second.state == "succeeded", second.error_message
    assert counts(knobs, wid) == before
    widget_after = knobs.client.retrieve("msdyn_livechatconfigs", wid)
    ignore = {"modifiedon", "versionnumber", "@odata.etag", "@odata.context"}
    assert {k: v for k, v in widget_after.items() if k not in ignore} == {
        k: v for k, v in widget_before.items() if k not in ignore
    }
    assert second.widget_app_id == first.widget_app_id
    assert second.result["notes"] == []
    assert second.result["created_widget"] is False


def test_newer_revision_updates_in_place_and_drops_removed_children(emulator_environment, knobs, no_sleep):
    channel = approved_channel(emulator_environment, **FULL)
    first = publish_now(channel)
    wid = mapping.widget_id(channel.pk, emulator_environment.pk)
    data = {step: dict(values) for step, values in channel.data.items()}
    data["appearance"]["title"] = "Talk to Contoso"
    data["appearance"]["domains"] = [{"domain": "contoso.example"}]
    data["behaviors"]["questions"] = [FULL["behaviors"]["questions"][1]]
    data["behaviors"]["messages"] = []
    approve_revision(channel, data)
    second = publish_now(channel)
    assert second.state == "succeeded", second.error_message
    widget = knobs.client.retrieve("msdyn_livechatconfigs", wid)
    assert widget["msdyn_widgettitle"] == "Talk to Contoso"
    assert widget["msdyn_widgetappid"] == first.widget_app_id
    assert [d["msdyn_domainvalue"] for d in rows(knobs, mapping.DOMAIN, "msdyn_livechatconfigid", wid)] == [
        "contoso.example"
    ]
    sequences = rows(knobs, mapping.SEQUENCE, "msdyn_chatengagementtochatsequenceid", wid)
    assert [(s["msdyn_name"], s["sequencenumber"]) for s in sequences] == [("Email", 1)]
    assert rows(knobs, mapping.MESSAGE, "msdyn_widgetid", wid) == []
    dropped_question = mapping.row_id(channel.pk, emulator_environment.pk, mapping.QUESTION, "name")
    assert (
        list(
            knobs.client.query(
                "msdyn_surveyquestions", filter=f"msdyn_surveyquestionid eq {dropped_question}"
            )
        )
        == []
    )
    # One domain, one sequence with its question and the question's context variable, one message.
    assert second.result["deletes"] == 5
    assert counts(knobs, wid)["workstreams"] == 1


def test_a_500_inside_the_changeset_writes_nothing_and_names_the_part(emulator_environment, knobs, no_sleep):
    channel = approved_channel(emulator_environment, **FULL)
    wid = mapping.widget_id(channel.pk, emulator_environment.pk)
    knobs.fault(method="PATCH", path=r"msdyn_livechatwidgetlocations\(", status=500, times=1)
    attempt = publish_now(channel)
    assert attempt.state == "failed"
    assert attempt.failed_operation.startswith("Domain “")
    assert attempt.error_message
    assert counts(knobs, wid) == {
        "msdyn_livechatwidgetlocation": 0,
        "msdyn_questionsequence": 0,
        "msdyn_ocsystemmessage": 0,
        "widgets": 0,
        "workstreams": 0,
    }
    channel.refresh_from_db()
    assert channel.status == ChannelStatus.PUBLISH_FAILED
    assert AuditEntry.objects.filter(channel=channel, action="publish.failed").exists()


def test_a_429_is_waited_out_and_the_retries_are_shown(emulator_environment, knobs, no_sleep):
    channel = approved_channel(emulator_environment, **FULL)
    knobs.fault(method="POST", path=r"\$batch$", status=429, retry_after=3, times=2)
    attempt = publish_now(channel)
    assert attempt.state == "succeeded", attempt.error_message
    assert attempt.retries == 2
    assert no_sleep == [3, 3]


def test_a_429_storm_ends_in_a_clear_failure(emulator_environment, knobs, no_sleep):
    channel = approved_channel(emulator_environment, **FULL)
    knobs.fault(method="POST", path=r"\$batch$", status=429, retry_after=2, times=50)
    attempt = publish_now(channel)
    assert attempt.state == "failed"
    assert "429" in attempt.error_message
    assert attempt.retries == publish.MAX_ATTEMPTS - 1


def test_a_timeout_after_commit_is_retried_without_duplicates(emulator_environment, knobs, no_sleep):
    channel = approved_channel(emulator_environment, **FULL)
    wid = mapping.widget_id(channel.pk, emulator_environment.pk)
    seq = knobs.last_seq()
    # The write batch is the second $batch of the publish: let the read batch through.
    knobs.fault(method="POST", path=r"\$batch$", drop=True, after_commit=True, times=1, skip=1)
    attempt = publish_now(channel)
    assert attempt.state == "succeeded", attempt.error_message
    assert attempt.retries == 1
    writes = [
        e
        for e in knobs.log(seq)
        if e["path"].endswith("$batch") and any(o["method"] == "PATCH" for o in e.get("operations") or [])
    ]
    assert len(writes) == 2  # committed, answer lost, resent
    assert counts(knobs, wid) == {
        "msdyn_livechatwidgetlocation": 2,
        "msdyn_questionsequence": 2,
        "msdyn_ocsystemmessage": 1,
        "widgets": 1,
        "workstreams": 1,
    }


def test_a_wrong_client_secret_fails_clearly(emulator_environment, knobs, no_sleep):
    from portal import secrets

    emulator_environment.client_secret_encrypted = secrets.encrypt("not-the-secret")
    emulator_environment.save()
    forget_token_providers()
    channel = approved_channel(emulator_environment, **FULL)
    attempt = publish_now(channel)
    assert attempt.state == "failed"
    assert attempt.failed_operation == "Sign-in"
    assert "Signing in to" in attempt.error_message
    assert "not-the-secret" not in attempt.error_message


def test_a_widget_deleted_behind_the_portals_back_is_recreated_and_reported(
    emulator_environment, knobs, no_sleep
):
    channel = approved_channel(emulator_environment, **FULL)
    first = publish_now(channel)
    wid = mapping.widget_id(channel.pk, emulator_environment.pk)
    for table, link in mapping.CHILD_LINKS:
        for row in rows(knobs, table, link, wid):
            knobs.client.delete(table.entity_set, row[table.primary_id])
    knobs.client.delete("msdyn_livechatconfigs", wid)
    second = publish_now(channel)
    assert second.state == "succeeded", second.error_message
    assert second.result["created_widget"] is True
    assert "deleted" in second.result["notes"][0]
    assert second.widget_app_id and second.widget_app_id != first.widget_app_id
    assert counts(knobs, wid)["msdyn_livechatwidgetlocation"] == 2


def test_requests_of_one_publish(emulator_environment, knobs, no_sleep):
    channel = approved_channel(emulator_environment, **FULL)
    seq = knobs.last_seq()
    attempt = publish_now(channel)
    assert attempt.state == "succeeded"
    cold = knobs.log(seq)
    api = [e for e in cold if "/api/data/" in e["path"]]
    token = [e for e in cold if e["path"].endswith("/token")]
    assert len(token) == 1
    # One read $batch (references and current child rows), one write $batch, one read-back.
    assert [(e["method"], e["path"].rsplit("/", 1)[-1].split("(")[0]) for e in api] == [
        ("POST", "$batch"),
        ("POST", "$batch"),
        ("GET", "msdyn_livechatconfigs"),
    ]
    seq = knobs.last_seq()
    approve_revision(channel, channel.data)
    publish_now(channel)
    warm = knobs.log(seq)
    assert not [e for e in warm if "/api/data/" not in e["path"]]  # no token or discovery request
    # The same content again: the read shows every row as it would be written, so no write $batch.
    assert [(e["method"], e["path"].rsplit("/", 1)[-1].split("(")[0]) for e in warm] == [
        ("POST", "$batch"),
        ("GET", "msdyn_livechatconfigs"),
    ]


def test_a_reference_missing_from_the_environment_is_named(emulator_environment, knobs, no_sleep):
    data = {**FULL, "appearance": {**FULL["appearance"], "operating_hours": "Weekend hours"}}
    channel = approved_channel(emulator_environment, **data)
    attempt = publish_now(channel)
    assert attempt.state == "failed"
    assert attempt.failed_operation == "Operating hours “Weekend hours”"
    assert "not found" in attempt.error_message


def test_an_untrusted_certificate_fails_clearly_and_writes_nothing(emulator_environment, knobs, no_sleep):
    import certifi

    bundle = open(certifi.where(), encoding="ascii").read()
    first = bundle[
        bundle.index("-----BEGIN CERTIFICATE-----") : bundle.index("-----END CERTIFICATE-----") + 25
    ]
    emulator_environment.ca_bundle = first + "\n"
    emulator_environment.save()
    forget_token_providers()
    channel = approved_channel(emulator_environment, **FULL)
    attempt = publish_now(channel)
    assert attempt.state == "failed"
    assert "certificate" in attempt.error_message.lower()
    channel.refresh_from_db()
    assert channel.status == ChannelStatus.PUBLISH_FAILED
    widget_id = mapping.widget_id(channel.pk, emulator_environment.pk)
    assert (
        list(knobs.client.query("msdyn_livechatconfigs", filter=f"msdyn_livechatconfigid eq {widget_id}"))
        == []
    )


def test_an_org_url_nothing_answers_on_fails_clearly(emulator_environment, knobs, no_sleep):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    emulator_environment.org_url = f"https://127.0.0.1:{closed_port}"
    emulator_environment.save()
    forget_token_providers()
    attempt = publish_now(approved_channel(emulator_environment, **FULL))
    assert attempt.state == "failed"
    assert attempt.failed_operation == "Sign-in"
    assert f"https://127.0.0.1:{closed_port}" in attempt.error_message
    assert "org URL" in attempt.error_message


def test_option_set_answers_and_context_variables_are_written_and_follow_the_revision(
    emulator_environment, knobs, no_sleep
):
    topic = {
        "name": "Topic",
        "text": "What is it about?",
        "answer_type": "192350002",
        "options": "Sales;Support;Billing",
        "required": True,
    }
    behaviors = {**FULL["behaviors"], "questions": [*FULL["behaviors"]["questions"], topic]}
    channel = approved_channel(emulator_environment, **{**FULL, "behaviors": behaviors})
    attempt = publish_now(channel)
    assert attempt.state == "succeeded", (attempt.error_message, attempt.failed_operation)
    env = emulator_environment.pk
    question = mapping.question_id(channel.pk, env, "topic")

    def options() -> list[str]:
        found = knobs.client.query(
            "msdyn_chatansweroptions", filter=f"_msdyn_answeroptionsid_value eq {question}"
        )
        return sorted(row["msdyn_name"] for row in found)

    def variables() -> list[str]:
        ws = mapping.row_id(channel.pk, env, mapping.WORKSTREAM, "workstream")
        found = knobs.client.query(
            "msdyn_ocliveworkstreamcontextvariables", filter=f"_msdyn_liveworkstreamid_value eq {ws}"
        )
        return sorted(row["msdyn_name"] for row in found)

    assert options() == ["Billing", "Sales", "Support"]
    assert variables() == ["Email", "Name", "Topic"]

    # A newer revision drops an option and a question: their rows go, the rest stay as they were.
    data = {step: dict(values) for step, values in channel.data.items()}
    data["behaviors"]["questions"] = [
        FULL["behaviors"]["questions"][0],
        {**topic, "options": "Sales;Billing"},
    ]
    approve_revision(channel, data)
    second = publish_now(channel)
    assert second.state == "succeeded", (second.error_message, second.failed_operation)
    assert options() == ["Billing", "Sales"]
    assert variables() == ["Name", "Topic"]

    # Turning the survey off removes the questions, their options and their variables.
    data["behaviors"]["prechat_enabled"] = False
    approve_revision(channel, data)
    third = publish_now(channel)
    assert third.state == "succeeded", (third.error_message, third.failed_operation)
    assert options() == [] and variables() == []


@pytest.mark.parametrize(
    ("queue", "reason"),
    [
        ("Default entity queue", "routes records or calls"),
        ("Closed chat queue", "inactive"),
    ],
)
def test_a_fallback_queue_a_chat_workstream_cant_use_is_refused_by_name(
    emulator_environment, knobs, no_sleep, queue, reason
):
    if queue == "Closed chat queue":
        found = list(knobs.client.query("queues", filter="name eq 'Closed chat queue'"))
        queue_id = found[0]["queueid"] if found else None
        if queue_id is None:
            queue_id = str(
                knobs.client.create(
                    "queues",
                    {"name": queue, "msdyn_isomnichannelqueue": True, "msdyn_queuetype": 192350000},
                )
            )
        knobs.client.update("queues", queue_id, {"statecode": 1, "statuscode": 2})
    workstream = {**FULL["workstream"], "fallback_queue_mode": "existing", "existing_queue": queue}
    channel = approved_channel(emulator_environment, **{**FULL, "workstream": workstream})
    attempt = publish_now(channel)
    assert attempt.state == "failed"
    assert f"“{queue}”" in attempt.error_message and reason in attempt.error_message
    assert "Workstream step" in attempt.error_message
    wid = mapping.widget_id(channel.pk, emulator_environment.pk)
    assert counts(knobs, wid)["widgets"] == 0 and counts(knobs, wid)["workstreams"] == 0


def test_a_widget_on_an_existing_persistent_workstream_is_persistent(emulator_environment, knobs, no_sleep):
    import uuid

    name = f"Persistent chat workstream {uuid.uuid4().hex[:8]}"
    knobs.client.create(
        "msdyn_liveworkstreams",
        {
            "msdyn_name": name,
            "msdyn_streamsource": 192360000,
            "msdyn_workdistributionmode": 192350000,
            "msdyn_mode": 717210001,
            "msdyn_direction": 0,
            "msdyn_conversationmode": 192350001,
        },
    )
    # The draft says live chat (made before the workstream changed, say): the workstream decides.
    workstream = {"workstream_mode": "existing", "existing_workstream": name, "persistent_chat": False}
    behaviors = {**FULL["behaviors"], "show_queue_position": True, "show_wait_time": True}
    channel = approved_channel(
        emulator_environment, **{**FULL, "workstream": workstream, "behaviors": behaviors}
    )
    attempt = publish_now(channel)
    assert attempt.state == "succeeded", (attempt.error_message, attempt.failed_operation)
    widget = knobs.client.retrieve(
        "msdyn_livechatconfigs", mapping.widget_id(channel.pk, emulator_environment.pk)
    )
    assert widget["msdyn_conversationmode"] == 192350001
    assert widget["msdyn_positioninqueue_enabled"] is False
    assert widget["msdyn_averagewaittime_enabled"] is False

    # Without authentication settings the publish stops and says what to do.
    behaviors = {**behaviors, "authentication_settings": ""}
    approve_revision(channel, {**channel.data, "behaviors": behaviors})
    refused = publish_now(channel)
    assert refused.state == "failed"
    assert "authentication settings" in refused.error_message and "Behaviors step" in refused.error_message


def test_a_plugin_refusal_says_omnichannel_is_not_provisioned_and_what_to_do(
    emulator_environment, knobs, no_sleep, monkeypatch
):
    """The emulator's fault knob can't send a plug-in's body, so the client answers for the write."""
    from dataverse import DataverseClient, DataverseError

    real = DataverseClient.execute_batch
    calls = []

    def execute_batch(self, batch, *args, **kwargs):
        calls.append(batch)
        if len(calls) == 2:  # the write: refused by the widget's plug-in, as an unprovisioned org does
            raise DataverseError(
                "Omnichannel is not provisioned for this organization.",
                status=400,
                code="0x80040265",
                operation_label="Chat widget “Contoso support chat”",
            )
        return real(self, batch, *args, **kwargs)

    monkeypatch.setattr(DataverseClient, "execute_batch", execute_batch)
    channel = approved_channel(emulator_environment, **FULL)
    attempt = publish_now(channel)
    assert attempt.state == "failed"
    assert attempt.failed_operation == "Chat widget “Contoso support chat”"
    message = attempt.error_message
    assert "Omnichannel for Customer Service is installed in the environment but not provisioned" in message
    assert "Dynamics 365 apps > Omnichannel for Customer Service > Manage" in message
    assert "publish again" in message
    assert "“Omnichannel is not provisioned for this organization.”" in message
    assert emulator_environment.name in message
