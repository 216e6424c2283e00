"""One owner for a draft's values: the reader, and the cases where the former readers disagreed."""

from __future__ import annotations

import re
import uuid

import pytest
from django.core.management import call_command
from django.urls import reverse

from publishing import mapping
from tests.factories import ChannelFactory, author, complete_data
from wizard.choices import BuiltinChoices
from wizard.models import Channel
from wizard.services import diff as diffs
from wizard.services import workflow
from wizard.summary import iter_entries
from wizard.values import read

LANG, HOURS, AUTH, QUEUE = (str(uuid.uuid4()) for _ in range(4))
pytestmark = pytest.mark.django_db

RESOLVED = {"language": LANG, "operating_hours": HOURS, "authentication_settings": AUTH, "queue": QUEUE}


def widget(data):
    plan = mapping.build_plan(data, channel_pk=1, environment_pk=1, resolved=RESOLVED)
    op = plan.find(mapping.WIDGET)
    assert op is not None
    return op.data


def entry(data, name):
    return next(e for e in iter_entries(data, BuiltinChoices()) if getattr(e, "name", None) == name)


# --- the reader -----------------------------------------------------------------------------------------


def test_values_are_read_through_the_forms_fields():
    data = complete_data(
        appearance={"reconnect_enabled": "on", "reconnect_time_limit": " 30.0 ", "title": "  Hi  "},
        features={"calling": "nonsense"},
    )
    values = read(data)
    assert values["appearance"]["reconnect_enabled"] is True
    assert values["appearance"]["reconnect_time_limit"] == 30
    assert values["appearance"]["title"] == "Hi"
    # a value the form refuses reads as empty, never as the raw string
    assert values["features"]["calling"] == ""
    assert values["features"].refused("calling") == "nonsense"


@pytest.mark.parametrize("bad", ["javascript:alert(1)", "http://example.com/x.png", "<b>x</b>", 12, ["a"]])
def test_refused_urls_and_wrong_types_never_read_as_values(bad):
    values = read(complete_data(appearance={"logo_url": bad}))
    assert values["appearance"]["logo_url"] in ("",)


def test_garbage_data_reads_as_a_new_drafts_values():
    for data in (None, [], "x", {"appearance": "x", "behaviors": [1, "a"], "details": {"name": ["x"]}}):
        values = read(data)
        assert values["appearance"]["title"] and values["behaviors"].rows("messages") == []


def test_a_hidden_value_reads_empty_but_is_kept_for_the_form():
    values = read(complete_data(appearance={"anonymize_agent": False, "generic_agent_name": "Support"}))
    assert values["appearance"]["generic_agent_name"] == ""
    assert values["appearance"].cleaned("generic_agent_name") == "Support"
    assert values.snapshot()["appearance"]["generic_agent_name"] == "Support"


# --- the cases ------------------------------------------------------------------------------------


def test_a_time_limit_typed_as_30_point_0_is_published_and_reviewed_as_30_minutes():
    data = complete_data(appearance={"reconnect_enabled": True, "reconnect_time_limit": "30.0"})
    assert widget(data)["msdyn_timetoreconnectwithpreviousagent"] == 30
    assert widget(data)["msdyn_enablechatreconnect"] is True
    assert entry(data, "reconnect_time_limit").display == "30"


@pytest.mark.django_db
def test_a_revision_freezes_the_cleaned_value_not_the_raw_string():
    user = author()
    data = complete_data(appearance={"reconnect_enabled": True, "reconnect_time_limit": "30.0"})
    channel = ChannelFactory(owner=user, data=data)
    revision = workflow.submit(channel, user)
    assert revision.data["appearance"]["reconnect_time_limit"] == 30


@pytest.mark.parametrize(
    "appearance",
    [
        {"operating_hours_only": False, "show_offline_widget": True},
        {"operating_hours_only": True, "operating_hours": "Default", "show_offline_widget": False},
    ],
)
def test_hidden_offline_title_and_subtitle_are_not_written(appearance):
    data = complete_data(appearance={**appearance, "offline_title": "Closed", "offline_subtitle": "Bye"})
    columns = widget(data)
    assert columns["msdyn_offlinewidgettitle"] is None
    assert columns["msdyn_offlinewidgetsubtitle"] is None


def test_shown_offline_title_is_written():
    data = complete_data(
        appearance={
            "operating_hours_only": True,
            "operating_hours": "Default",
            "show_offline_widget": True,
            "offline_title": "Closed",
        }
    )
    assert widget(data)["msdyn_offlinewidgettitle"] == "Closed"


def _changed_names(old, new):
    result = diffs.diff(old, new, show_unchanged=False)
    return {e.name for step in result.steps for e in step.entries if e.changed}


def test_hidden_values_are_not_in_the_diff():
    old = complete_data(
        workstream={"fallback_queue_mode": "new", "fallback_queue_name": "Q", "existing_queue": "A"},
        appearance={"anonymize_agent": False, "generic_agent_name": "Support"},
    )
    new = complete_data(
        workstream={"fallback_queue_mode": "new", "fallback_queue_name": "Q", "existing_queue": "B"},
        appearance={"anonymize_agent": False, "generic_agent_name": "Helpdesk"},
    )
    assert _changed_names(old, new) == set()
    # and a hidden existing queue is not looked up for the publish either
    assert "queue" not in {ref.slot for ref in mapping.references(new)}


def test_a_value_that_applies_is_in_the_diff():
    old = complete_data(appearance={"anonymize_agent": True, "generic_agent_name": "Support"})
    new = complete_data(appearance={"anonymize_agent": True, "generic_agent_name": "Helpdesk"})
    assert _changed_names(old, new) == {"generic_agent_name"}


# --- a control the page disabled ------------------------------------------------------------------------


def _behaviors_post(channel, **values):
    data = {
        k: v
        for k, v in channel.data["behaviors"].items()
        if not isinstance(v, list) and v not in (False, None)
    }
    data.update(
        {"messages-TOTAL_FORMS": "0", "questions-TOTAL_FORMS": "0", "version": channel.version, "nav": "save"}
    )
    data.update(values)
    return data


@pytest.mark.django_db
def test_a_posted_value_for_a_control_disabled_by_persistent_chat_is_dropped(author_client):
    data = complete_data(
        workstream={"persistent_chat": True}, behaviors={"authentication_settings": "Contoso sign-in"}
    )
    channel = ChannelFactory(owner=author_client.user, data=data)
    page = author_client.get(reverse("wizard:step", args=[channel.pk, "behaviors"])).content.decode()
    assert re.search(r'name="show_queue_position"[^>]*disabled', page)
    post = _behaviors_post(channel, show_queue_position="on", show_wait_time="on")
    response = author_client.post(reverse("wizard:step", args=[channel.pk, "behaviors"]), post)
    assert response.status_code == 302
    channel.refresh_from_db()
    assert channel.data["behaviors"]["show_queue_position"] is False
    assert channel.data["behaviors"]["show_wait_time"] is False
    assert entry(channel.data, "show_queue_position").display == "Off"
    assert widget(channel.data)["msdyn_positioninqueue_enabled"] is False


@pytest.mark.django_db
def test_without_persistent_chat_the_control_is_saved(author_client):
    channel = ChannelFactory(owner=author_client.user)
    post = _behaviors_post(channel, show_queue_position="on")
    author_client.post(reverse("wizard:step", args=[channel.pk, "behaviors"]), post)
    channel.refresh_from_db()
    assert channel.data["behaviors"]["show_queue_position"] is True


# --- conflicts ----------------------------------------------------------------------------------------


def _hidden(html, name):
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    return found.group(1) if found else None


@pytest.mark.django_db
def test_saving_again_on_the_conflict_page_never_overwrites(author_client):
    channel = ChannelFactory(owner=author_client.user)
    url = reverse("wizard:step", args=[channel.pk, "details"])
    started = channel.version
    # someone else saves the step meanwhile
    other = author(username="colleague")
    theirs = {**channel.data["details"], "name": "Their name"}
    Channel.objects.filter(pk=channel.pk).update(
        version=started + 1, last_editor=other, data={**channel.data, "details": theirs}, name="Their name"
    )
    mine = {"name": "My name", "language": "1033", "nav": "save", "version": started}
    response = author_client.post(url, mine)
    html = response.content.decode()
    assert response.status_code == 409
    assert 'value="My name"' in html  # what I typed is kept
    assert "Their name" in html  # their value shown beside it
    assert "Keep mine" in html and "Take theirs" in html
    # pressing plain Save again on that page (its hidden inputs as the browser sends them) refuses again
    again = {**mine, "version": _hidden(html, "version"), "against": _hidden(html, "against")}
    response = author_client.post(url, again)
    assert response.status_code == 409
    channel.refresh_from_db()
    assert channel.data["details"]["name"] == "Their name"
    # "Keep mine" saves against the version shown beside it
    response = author_client.post(url, {**again, "resolve": "mine"})
    assert response.status_code == 302
    channel.refresh_from_db()
    assert channel.data["details"]["name"] == "My name" and channel.version == started + 2


@pytest.mark.django_db
def test_keep_mine_against_a_version_that_moved_on_again_is_refused(author_client):
    channel = ChannelFactory(owner=author_client.user)
    url = reverse("wizard:step", args=[channel.pk, "details"])
    Channel.objects.filter(pk=channel.pk).update(version=channel.version + 5)
    post = {"name": "Mine", "language": "1033", "version": channel.version, "against": channel.version + 1}
    response = author_client.post(url, {**post, "resolve": "mine"})
    assert response.status_code == 409
    channel.refresh_from_db()
    assert channel.data["details"]["name"] == "Contoso support chat"


@pytest.mark.django_db
def test_take_theirs_discards_mine(author_client):
    channel = ChannelFactory(owner=author_client.user)
    url = reverse("wizard:step", args=[channel.pk, "details"])
    before = channel.version
    response = author_client.post(url, {"name": "Mine", "version": "1", "against": "x", "resolve": "theirs"})
    assert response.status_code == 302
    channel.refresh_from_db()
    assert channel.version == before and channel.data["details"]["name"] == "Contoso support chat"


@pytest.mark.django_db
def test_a_forged_against_is_refused_without_a_500(author_client):
    channel = ChannelFactory(owner=author_client.user)
    url = reverse("wizard:step", args=[channel.pk, "details"])
    response = author_client.post(
        url, {"name": "Mine", "version": channel.version, "against": "x", "resolve": "mine"}
    )
    assert response.status_code == 409


# --- system checks --------------------------------------------------------------------------------------


def test_the_wizard_system_checks_pass():
    call_command("check", "--fail-level", "WARNING")


def test_a_post_conversation_survey_without_provider_is_refused_as_the_layout_hides_its_survey():
    from wizard.forms import BehaviorsForm, StepContext

    values = {**complete_data()["behaviors"], "postchat_enabled": True, "survey_provider": "", "survey": "s1"}
    form = BehaviorsForm(values, choices=BuiltinChoices(), context=StepContext(data=complete_data()))
    assert not form.is_valid() and "survey_provider" in form.errors
    assert read(complete_data(behaviors=values))["behaviors"]["survey"] == ""  # hidden: not published
