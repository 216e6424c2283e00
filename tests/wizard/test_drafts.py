"""Draft service: creating, optimistic saving, validation across steps, duplicate and delete."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.models import AuditEntry
from tests.factories import ChannelFactory, EnvironmentFactory, author, complete_data, environment_with_lists
from wizard.choices import DEFAULT_MESSAGING_QUEUE, one_named, provider_for
from wizard.models import Channel, ChannelStatus
from wizard.services import drafts
from wizard.steps import get_step

pytestmark = pytest.mark.django_db


def test_create_draft_starts_at_details_with_defaults_and_first_environment():
    environment = EnvironmentFactory()
    user = author()
    channel = drafts.create_draft(user)
    assert channel.current_step == "details"
    assert channel.environment == environment
    assert channel.data["details"]["environment"] == str(environment.pk)
    assert channel.data["appearance"]["title"] == "Let's chat"
    assert AuditEntry.objects.filter(action="channel.created", channel=channel).exists()


def test_the_same_creation_token_twice_makes_one_draft():
    user = author()
    token = uuid.uuid4()
    first = drafts.create_draft(user, token=token)
    second = drafts.create_draft(user, token=token)
    assert first.pk == second.pk
    assert Channel.objects.count() == 1


def test_save_step_stores_values_as_typed_and_bumps_version():
    user = author()
    channel = drafts.create_draft(user)
    values = dict(channel.data["details"], name="x" * 150)
    result = drafts.save_step(
        channel, "details", values, expected_version=1, user=user, current_step="workstream"
    )
    assert not result.valid
    channel.refresh_from_db()
    assert channel.version == 2
    assert channel.data["details"]["name"] == "x" * 150
    assert channel.name == "x" * 100
    assert channel.current_step == "workstream"
    assert "workstream" in channel.visited_steps


def test_a_stale_save_is_refused_and_names_who_saved():
    first, second = author(username="first"), author(username="second")
    channel = drafts.create_draft(first)
    drafts.save_step(
        channel, "details", dict(channel.data["details"], name="Mine"), expected_version=1, user=first
    )
    with pytest.raises(drafts.StaleDraftError) as error:
        drafts.save_step(
            channel, "details", dict(channel.data["details"], name="Theirs"), expected_version=1, user=second
        )
    assert "the last save was by first at" in str(error.value)
    channel.refresh_from_db()
    assert channel.data["details"]["name"] == "Mine"
    assert channel.version == 2


def test_a_double_submitted_save_is_accepted_once():
    user = author()
    channel = drafts.create_draft(user)
    values = dict(channel.data["details"], name="Twice")
    drafts.save_step(channel, "details", values, expected_version=1, user=user)
    result = drafts.save_step(channel, "details", values, expected_version=1, user=user)
    assert result.channel.version == 2


def test_persistent_chat_turns_wait_time_options_off():
    user = author()
    channel = ChannelFactory(owner=user, data=complete_data(behaviors={"show_wait_time": True}))
    values = dict(channel.data["workstream"], persistent_chat=True)
    result = drafts.save_step(channel, "workstream", values, expected_version=channel.version, user=user)
    assert result.channel.data["behaviors"]["show_wait_time"] is False
    assert any("turned off" in notice for notice in result.notices)


def save_new_title(channel, user):
    return drafts.save_step(
        channel,
        "appearance",
        dict(channel.data["appearance"], title="New"),
        expected_version=channel.version,
        user=user,
    )


def test_editing_an_approved_channel_withdraws_the_approval():
    user = author()
    channel = ChannelFactory(owner=user, status=ChannelStatus.APPROVED)
    result = save_new_title(channel, user)
    assert result.channel.status == ChannelStatus.DRAFT
    assert any("approval was withdrawn" in notice for notice in result.notices)
    assert AuditEntry.objects.filter(action="revision.approval_withdrawn").exists()


def test_an_approval_is_withdrawn_only_together_with_its_audit_entry(monkeypatch):
    user = author()
    channel = ChannelFactory(owner=user, status=ChannelStatus.APPROVED)

    def refuse(*args, **kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(drafts.audit, "record", refuse)
    with pytest.raises(RuntimeError):
        save_new_title(channel, user)
    stored = Channel.objects.get(pk=channel.pk)
    assert (stored.status, stored.version) == (ChannelStatus.APPROVED, channel.version)
    assert stored.data["appearance"]["title"] != "New"


def test_saving_a_draft_is_one_update_without_a_transaction_around_it():
    # BEGIN and COMMIT would be two more round trips to the database on every save.
    user = author()
    channel = ChannelFactory(owner=user)
    with CaptureQueriesContext(connection) as captured:
        save_new_title(channel, user)
    statements = [query["sql"].split()[0].upper() for query in captured.captured_queries]
    assert statements == ["UPDATE"]
    assert Channel.objects.get(pk=channel.pk).data["appearance"]["title"] == "New"


def test_a_channel_in_review_cannot_be_saved():
    user = author()
    channel = ChannelFactory(owner=user, status=ChannelStatus.IN_REVIEW)
    with pytest.raises(drafts.NotEditableError):
        drafts.save_step(
            channel, "details", channel.data["details"], expected_version=channel.version, user=user
        )


def test_validate_all_ties_each_problem_to_its_step():
    data = complete_data(appearance={"title": ""}, workstream={"persistent_chat": True})
    channel = ChannelFactory(data=data)
    problems = drafts.validate_all(channel)
    by_step = {(problem.step.slug, problem.label) for problem in problems}
    assert ("appearance", "Title") in by_step
    assert ("behaviors", "Authentication settings") in by_step
    assert drafts.validate_all(ChannelFactory()) == []


def test_reachable_steps_are_visited_ones_and_the_next():
    channel = ChannelFactory(visited_steps=["details", "workstream"])
    assert drafts.reachable_steps(channel) == {"details", "workstream", "appearance", "review"}


def test_duplicate_copies_data_under_a_new_name():
    user = author()
    channel = ChannelFactory()
    copy = drafts.duplicate(channel, user)
    assert copy.pk != channel.pk and copy.owner == user
    assert copy.name == "Copy of Contoso support chat"
    assert copy.data["appearance"] == channel.data["appearance"]
    assert copy.status == ChannelStatus.DRAFT


def test_a_duplicate_names_the_workstream_and_queue_it_creates_anew():
    channel = ChannelFactory()
    channel.data["workstream"].update(
        workstream_mode="new",
        workstream_name="Contoso chat",
        fallback_queue_mode="new",
        fallback_queue_name="Q" * 100,
    )
    channel.save()
    copy = drafts.duplicate(channel, author())
    assert copy.data["workstream"]["workstream_name"] == "Copy of Contoso chat"
    assert copy.data["workstream"]["fallback_queue_name"] == ("Copy of " + "Q" * 100)[:100]
    # Linking an existing workstream is not creating one: nothing to rename.
    channel.data["workstream"].update(workstream_mode="existing", workstream_name="Hidden name")
    channel.save()
    assert drafts.duplicate(channel, author()).data["workstream"]["workstream_name"] == "Hidden name"


def test_delete_refuses_a_published_channel():
    user = author()
    channel = ChannelFactory(owner=user)
    drafts.delete_draft(channel, user)
    assert not Channel.objects.filter(pk=channel.pk).exists()
    assert AuditEntry.objects.filter(action="channel.deleted").exists()


def _form_to_show(channel, step):
    choices = drafts.choices_for(channel)
    return drafts.form_to_show(channel, step, choices, drafts.shown_step_key(channel, step, choices))


def _behaviors(channel, **values):
    from wizard.steps import get_step

    channel.data["behaviors"] = dict(channel.data["behaviors"], **values)
    channel.save()
    return get_step("behaviors"), channel.data["behaviors"]


def test_a_saved_step_its_check_found_without_errors_is_drawn_without_validating_it_again(monkeypatch):
    from wizard.forms.base import StepForm
    from wizard.forms.rendering import render_form

    channel = ChannelFactory()
    step, values = _behaviors(
        channel,
        prechat_enabled=True,
        questions=[{"name": "Email", "text": "Email?", "answer_type": "192350000"}],
    )
    drawn_after_validation = render_form(_form_to_show(channel, step))
    check = drafts.check_step(channel, step, values)
    assert check.valid and check.shows_no_errors

    def refuse(form):
        raise AssertionError("validated again")

    monkeypatch.setattr(StepForm, "full_clean", refuse)
    form = _form_to_show(channel, step)
    assert form.piece_key and form.is_valid() and not form.rows["questions"].forms[0].errors
    assert render_form(form) == drawn_after_validation


def test_a_step_whose_hidden_rows_have_errors_is_validated_again_to_draw_them():
    # The pre-conversation survey is off: the step may go on, but its (hidden) blank question is drawn
    # with its error, so the remembered check can't stand in for the validation.
    channel = ChannelFactory()
    step, values = _behaviors(channel, prechat_enabled=False, questions=[{"name": "", "text": ""}])
    check = drafts.check_step(channel, step, values)
    assert check.valid and not check.shows_no_errors
    form = _form_to_show(channel, step)
    assert form.rows["questions"].forms[0].errors
    assert form.piece_key is None  # drawn whole: cached pieces know of no errors


def test_a_new_drafts_texts_are_in_its_widget_language_whatever_the_portal_is_read_in():
    from django.utils import translation

    with translation.override("ko"):
        channel = drafts.create_draft(author())
    assert channel.data["details"]["language"] == "1033"  # English
    assert channel.data["appearance"]["title"] == "Let's chat"
    assert channel.data["appearance"]["offline_title"] == "We're offline"


def _save_language(channel, user, language):
    values = dict(channel.data["details"], language=language)
    return drafts.save_step(channel, "details", values, expected_version=channel.version, user=user)


def test_texts_a_draft_was_given_follow_a_change_of_its_widget_language_and_changed_ones_stay():
    user = author()
    channel = drafts.create_draft(user)
    channel.data["appearance"]["subtitle"] = "Ask us anything"  # the author's own text
    channel.save()

    result = _save_language(channel, user, "1042")  # Korean
    korean = result.channel.data["appearance"]
    assert korean["title"] == "채팅해요" and korean["offline_title"] == "지금은 오프라인입니다"
    assert korean["subtitle"] == "Ask us anything"
    assert result.notices == ["The widget's texts you had not changed, such as its title, are now in Korean."]
    stored = Channel.objects.get(pk=channel.pk).data
    assert stored["appearance"]["title"] == "채팅해요"
    assert stored["behaviors"]["survey_link_message"] != channel.data["behaviors"]["survey_link_message"]

    # German has no texts of the portal's: English ones; back and forth changes nothing the author wrote.
    result = _save_language(result.channel, user, "1031")
    assert result.channel.data["appearance"]["title"] == "Let's chat"
    assert result.notices == [
        "The widget's texts you had not changed, such as its title, are now in English: the portal has them "
        "in English and Korean only. Write them in German on the Chat widget and Behaviors steps."
    ]
    assert result.channel.data["appearance"]["subtitle"] == "Ask us anything"
    result = _save_language(result.channel, user, "1033")  # English texts both: nothing to follow
    assert result.notices == []


def test_a_title_the_author_wrote_stays_when_the_widget_language_changes():
    user = author()
    channel = drafts.create_draft(user)
    channel.data["appearance"]["title"] = "Chat with Contoso"
    for name in ("subtitle", "generic_agent_name", "offline_title", "offline_subtitle"):
        channel.data["appearance"][name] = f"Own {name}"
    channel.data["behaviors"]["survey_link_message"] = "Own message"
    channel.save()
    result = _save_language(channel, user, "1042")
    assert result.channel.data["appearance"]["title"] == "Chat with Contoso"
    assert result.channel.data["behaviors"] == channel.data["behaviors"]
    assert result.notices == []


def test_checking_the_details_step_reads_the_environments_once_for_its_key_and_its_form():
    kept = EnvironmentFactory(name="Contoso test")
    EnvironmentFactory(name="Old org", archived=True)
    channel = ChannelFactory(environment=kept)
    step = get_step("details")
    values = dict(channel.step_data("details"), name="Checked once", environment=str(kept.pk))
    with CaptureQueriesContext(connection) as queries:
        check = drafts.check_step(channel, step, values)
    assert check.valid, check.problems
    environment_reads = [q["sql"] for q in queries.captured_queries if "portal_environment" in q["sql"]]
    assert len(environment_reads) == 1, environment_reads
    # The archived environment is not offered: choosing it is refused.
    archived = drafts.check_step(
        channel, step, dict(values, environment=str(EnvironmentFactory(name="Gone", archived=True).pk))
    )
    assert not archived.valid


# --- Moving a draft to another environment: its choices follow by name -----------------------------

ENGLISH = [("1033", "English (United States)")]


def _org_a():
    return environment_with_lists(
        "Org A",
        languages=ENGLISH,
        workstreams=[("a-ws", "Main chat")],
        queues=[(DEFAULT_MESSAGING_QUEUE, DEFAULT_MESSAGING_QUEUE), ("a-q", "Escalations")],
        operating_hours=[("a-hours", "Business hours")],
        authentication_settings=[("a-auth", "Portal sign-in")],
        surveys=[("a-survey", "After chat")],
    )


def _org_b():
    return environment_with_lists(
        "Org B",
        languages=ENGLISH,
        # Two workstreams of the name (names compare as Dataverse compares them): neither is taken.
        workstreams=[("b-ws1", "Main chat"), ("b-ws2", "MAIN CHAT")],
        queues=[(DEFAULT_MESSAGING_QUEUE, DEFAULT_MESSAGING_QUEUE), ("b-q", "escalations")],
        operating_hours=[("b-hours", "Business hours")],
        authentication_settings=[("b-auth", "Other sign-in")],
    )


def _chosen_in(environment):
    return complete_data(
        details={"environment": str(environment.pk)},
        workstream={
            "workstream_mode": "existing",
            "existing_workstream": "a-ws",
            "fallback_queue_mode": "existing",
            "existing_queue": "a-q",
        },
        appearance={"operating_hours_only": True, "operating_hours": "a-hours"},
        # The survey is not in effect (no post-conversation survey): not listed, though B has none.
        behaviors={"authentication_settings": "a-auth", "survey": "a-survey"},
    )


def _move(channel, user, environment, **kwargs):
    values = dict(channel.data["details"], environment=str(environment.pk))
    kwargs.setdefault("expected_version", channel.version)
    return drafts.save_step(channel, "details", values, user=user, **kwargs)


def test_a_draft_moved_to_another_environment_takes_its_options_of_the_same_name_and_lists_the_rest():
    user = author()
    org_a, org_b = _org_a(), _org_b()
    channel = ChannelFactory(owner=user, environment=org_a, data=_chosen_in(org_a))
    result = _move(channel, user, org_b)
    saved = Channel.objects.get(pk=channel.pk)
    assert saved.environment == org_b
    assert saved.data["appearance"]["operating_hours"] == "b-hours"
    assert saved.data["workstream"]["existing_queue"] == "b-q"
    assert saved.data["details"]["language"] == "1033"  # the same id in both: kept
    # What could not be bound stays, so its step goes on asking to choose again.
    assert saved.data["workstream"]["existing_workstream"] == "a-ws"
    assert saved.data["behaviors"]["authentication_settings"] == "a-auth"
    assert saved.data["behaviors"]["survey"] == "a-survey"
    assert result.notices == [
        "Choose again on Workstream: Existing workstream. What was chosen there before has no single "
        "match by name in Org B.",
        "Choose again on Behaviors: Authentication settings. What was chosen there before has no "
        "single match by name in Org B.",
    ]
    assert not drafts.check_step(saved, get_step("workstream"), saved.data["workstream"]).valid
    assert drafts.check_step(saved, get_step("appearance"), saved.data["appearance"]).valid

    # Saving the details again without moving binds nothing and says nothing more.
    again = drafts.save_step(
        saved,
        "details",
        dict(saved.data["details"], name="Renamed"),
        expected_version=saved.version,
        user=user,
    )
    assert again.notices == []


def test_a_draft_set_to_no_environment_and_back_keeps_its_choices():
    user = author()
    org_a = _org_a()
    chosen = _chosen_in(org_a)
    channel = ChannelFactory(owner=user, environment=org_a, data=chosen)
    values = dict(channel.data["details"], environment="")
    result = drafts.save_step(channel, "details", values, user=user, expected_version=channel.version)
    saved = Channel.objects.get(pk=channel.pk)
    assert saved.environment is None and result.notices == []
    assert saved.data["appearance"]["operating_hours"] == chosen["appearance"]["operating_hours"]
    assert saved.data["workstream"]["existing_workstream"] == chosen["workstream"]["existing_workstream"]
    # Choosing the environment again finds them as they were.
    _move(saved, user, org_a)
    back = Channel.objects.get(pk=channel.pk)
    assert back.data["appearance"]["operating_hours"] == chosen["appearance"]["operating_hours"]
    assert drafts.check_step(back, get_step("appearance"), back.data["appearance"]).valid


def test_a_draft_moved_to_an_environment_whose_lists_cant_be_read_keeps_its_choices_and_says_so():
    user = author()
    org_a = _org_a()
    unreachable = EnvironmentFactory(name="Org C")  # no lists cached, and its org can't be reached
    channel = ChannelFactory(owner=user, environment=org_a, data=_chosen_in(org_a))
    result = _move(channel, user, unreachable)
    saved = Channel.objects.get(pk=channel.pk)
    assert saved.environment == unreachable
    for slug in ("workstream", "appearance", "behaviors"):
        assert saved.data[slug] == channel.data[slug]
    assert len(result.notices) == 1
    assert result.notices[0].startswith("The lists of Org C can't be read right now")


def test_a_stale_move_binds_the_choices_saved_meanwhile():
    mover, other = author(username="mover"), author(username="other")
    org_a, org_b = _org_a(), _org_b()
    data = _chosen_in(org_a)
    data["appearance"]["operating_hours"] = ""
    channel = ChannelFactory(owner=mover, environment=org_a, data=data)
    opened = Channel.objects.get(pk=channel.pk)
    # Someone chooses operating hours of Org A after the mover's page was opened.
    drafts.save_step(
        Channel.objects.get(pk=channel.pk),
        "appearance",
        dict(data["appearance"], operating_hours="a-hours"),
        expected_version=opened.version,
        user=other,
    )
    result = _move(opened, mover, org_b, base=dict(opened.data["details"]))
    saved = Channel.objects.get(pk=channel.pk)
    assert saved.version == opened.version + 2 and saved.environment == org_b
    assert saved.data["appearance"]["operating_hours"] == "b-hours"
    assert len(result.notices) == 2


def test_a_choice_binds_to_the_one_option_of_its_name_whatever_its_case():
    options = [("1", "Business hours"), ("2", "Night shift"), ("3", "night SHIFT")]
    assert one_named(options, "business HOURS") == "1"
    assert one_named(options, "Night shift") == ""  # two of that name
    assert one_named(options, "Weekend") == ""
    assert one_named([("", "")], "") == ""


def test_a_draft_moved_between_two_orgs_takes_the_operating_hours_of_the_same_name(
    emulator_environment, test_environment
):
    user = author()
    source, target = provider_for(emulator_environment), provider_for(test_environment)

    def named(provider, kind, name):
        return next(value for value, label in getattr(provider, kind)().options if label == name)

    hours = named(source, "operating_hours", "Business hours")
    data = complete_data(
        details={"environment": str(emulator_environment.pk)},
        appearance={"operating_hours_only": True, "operating_hours": hours},
        behaviors={
            "authentication_settings": named(source, "authentication_settings", "Contoso portal sign-in")
        },
    )
    channel = ChannelFactory(owner=user, environment=emulator_environment, data=data)
    result = _move(channel, user, test_environment)
    saved = Channel.objects.get(pk=channel.pk).data
    assert (
        saved["appearance"]["operating_hours"] == named(target, "operating_hours", "Business hours") != hours
    )
    # The test org's sign-in is named differently.
    assert result.notices == [
        "Choose again on Behaviors: Authentication settings. What was chosen there before has no single "
        "match by name in Local Dataverse (test)."
    ]


def test_choices_in_rows_follow_too(monkeypatch):
    """No row set offers a list of the environment's yet; one that does (a queue per message, here)
    has its rows' choices bound the same way, each named by its row."""
    import dataclasses

    from django import forms

    from wizard import values
    from wizard.forms.behaviors import BehaviorsForm, MessageRowForm

    class RoutedMessageRow(MessageRowForm):
        queue = forms.ChoiceField(label="Queue", required=False)

        def __init__(self, *args, queues=(), **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["queue"] = forms.ChoiceField(
                label="Queue", required=False, choices=[("", "-"), *queues]
            )

    messages, questions = BehaviorsForm.row_sets
    monkeypatch.setattr(
        BehaviorsForm, "row_sets", (dataclasses.replace(messages, form_class=RoutedMessageRow), questions)
    )
    setup_choices = BehaviorsForm.setup_choices

    def with_queues(form):
        setup_choices(form)
        form.rows["messages"].form_kwargs["queues"] = form.choices.queues().options

    monkeypatch.setattr(BehaviorsForm, "setup_choices", with_queues)
    monkeypatch.setattr(values, "_rules", {})  # the reader's rules of the steps, read again

    user = author()
    org_a = environment_with_lists("Org A", queues=[("a-q", "Escalations"), ("a-over", "Overflow")])
    org_b = environment_with_lists("Org B", queues=[("b-q", "Escalations")])
    data = complete_data(details={"environment": str(org_a.pk)})
    data["behaviors"]["messages"] = [
        {"trigger": "agent_joined", "text": "Hello", "queue": "a-q"},
        {"trigger": "agent_left", "text": "Bye", "queue": "a-over"},
    ]
    channel = ChannelFactory(owner=user, environment=org_a, data=data)
    result = _move(channel, user, org_b)
    rows = Channel.objects.get(pk=channel.pk).data["behaviors"]["messages"]
    assert [row["queue"] for row in rows] == ["b-q", "a-over"]
    assert [row["text"] for row in rows] == ["Hello", "Bye"]
    assert result.notices == [
        "Choose again on Behaviors: Queue (Custom automated messages, row 2). What was chosen there "
        "before has no single match by name in Org B."
    ]
