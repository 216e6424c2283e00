"""Step forms: validation that matches Dataverse, rows, and the values-as-typed round trip."""

import pytest
from django.http import QueryDict

from tests.factories import complete_data
from wizard.choices import BuiltinChoices
from wizard.forms import AppearanceForm, BehaviorsForm, DetailsForm, FeaturesForm, StepContext, WorkstreamForm
from wizard.forms.rendering import render_field
from wizard.options import ANSWER_OPTION_SET, DISTRIBUTION_PICK, DISTRIBUTION_PUSH, SURVEY_MODE_LINK

pytestmark = pytest.mark.django_db
CHOICES = BuiltinChoices()


def bind(form_class, values, data=None, published=None):
    context = StepContext(data=data or complete_data(), published_data=published)
    return form_class(values, choices=CHOICES, context=context)


def step_values(step, **changes):
    values = complete_data()[step]
    values.update(changes)
    return values


def test_complete_data_is_valid_on_every_step():
    data = complete_data()
    for form_class, step in [
        (DetailsForm, "details"),
        (WorkstreamForm, "workstream"),
        (AppearanceForm, "appearance"),
        (BehaviorsForm, "behaviors"),
        (FeaturesForm, "features"),
    ]:
        form = bind(form_class, data[step], data)
        assert form.is_valid(), (step, form.errors)


@pytest.mark.parametrize(
    ("form_class", "step", "field", "limit"),
    [
        (DetailsForm, "details", "name", 100),
        (AppearanceForm, "appearance", "title", 100),
        (AppearanceForm, "appearance", "subtitle", 100),
    ],
)
def test_column_lengths(form_class, step, field, limit):
    assert bind(form_class, step_values(step, **{field: "x" * limit})).is_valid()
    form = bind(form_class, step_values(step, **{field: "x" * (limit + 1)}))
    assert not form.is_valid()
    assert f"at most {limit} characters" in form.errors[field][0]


def test_logo_url_length_and_scheme():
    long_url = "https://contoso.com/" + "a" * 3981
    assert len(long_url) == 4001
    assert "logo_url" in bind(AppearanceForm, step_values("appearance", logo_url=long_url)).errors
    for bad in ["javascript:alert(1)", "data:image/png;base64,AA", "http://contoso.com/x.png"]:
        form = bind(AppearanceForm, step_values("appearance", logo_url=bad))
        assert "https://" in form.errors["logo_url"][0]


def test_unknown_choice_values_are_rejected():
    form = bind(AppearanceForm, step_values("appearance", theme_color="hotpink", widget_position="top"))
    assert "theme_color" in form.errors and "widget_position" in form.errors


def test_wrong_types_are_rejected_not_crashing():
    form = bind(AppearanceForm, step_values("appearance", reconnect_enabled=True, reconnect_time_limit="1e"))
    assert form.errors["reconnect_time_limit"] == ["Enter a whole number."]
    # The box is text with a numeric keypad: a number box would be emptied by the browser before the
    # text reached the server, so the author would lose it and be told the field is required.
    html = str(form["reconnect_time_limit"])
    assert 'type="text"' in html and 'inputmode="numeric"' in html and 'value="1e"' in html


def test_reconnect_needs_a_time_limit():
    form = bind(AppearanceForm, step_values("appearance", reconnect_enabled=True, reconnect_time_limit=""))
    assert "time limit" in form.errors["reconnect_time_limit"][0]


def test_domains_rows_validate_each_domain_and_duplicates():
    values = step_values(
        "appearance",
        domains_only=True,
        domains=[
            {"domain": "https://contoso.com"},
            {"domain": "www.contoso.com"},
            {"domain": "WWW.contoso.com"},
        ],
    )
    form = bind(AppearanceForm, values)
    assert not form.is_valid()
    problems = dict(form.problems())
    assert "without http" in problems["Domain 1 – Domain"]
    assert "already in the list" in problems["Domain 3 – Domain"]


def test_an_over_long_domain_gets_one_message():
    long_domain = "a" * 60 + "." + "b" * 60 + "." + "c" * 60 + "." + "d" * 60 + ".com"
    form = bind(
        AppearanceForm, step_values("appearance", domains_only=True, domains=[{"domain": long_domain}])
    )
    assert not form.is_valid()
    [message] = form.rows["domains"].forms[0].errors["domain"]
    assert message.startswith("Shorten this text to at most 200 characters (it has 247;")


def test_domains_only_needs_a_domain():
    form = bind(AppearanceForm, step_values("appearance", domains_only=True, domains=[]))
    assert "at least one domain" in form.errors["domains_only"][0]


def test_domain_rows_are_ignored_when_toggle_is_off():
    form = bind(
        AppearanceForm, step_values("appearance", domains_only=False, domains=[{"domain": "bad domain"}])
    )
    assert form.is_valid()


def question(name, **extra):
    row = {
        "name": name,
        "text": f"What is your {name}?",
        "answer_type": "192350000",
        "options": "",
        "required": True,
    }
    row.update(extra)
    return row


def test_at_most_ten_questions_with_unique_names():
    values = step_values("behaviors", prechat_enabled=True, questions=[question(f"Q{i}") for i in range(11)])
    form = bind(BehaviorsForm, values)
    assert any("at most 10" in message for _, message in form.problems())
    values = step_values("behaviors", prechat_enabled=True, questions=[question("Email"), question("email")])
    form = bind(BehaviorsForm, values)
    assert any("unique" in message for _, message in form.problems())


def test_a_repeated_question_name_is_told_in_the_same_round_as_the_rows_other_problems():
    rows = [question("Email"), question("email", answer_type=ANSWER_OPTION_SET, options="")]
    form = bind(BehaviorsForm, step_values("behaviors", prechat_enabled=True, questions=rows))
    assert not form.is_valid()
    second = form.rows["questions"].forms[1]
    assert "options" in second.errors  # its own problem
    assert any("unique" in message for message in second.errors["name"])  # and the repeated name


def test_question_text_is_limited_to_512():
    ok = step_values("behaviors", prechat_enabled=True, questions=[question("Name", text="x" * 512)])
    assert bind(BehaviorsForm, ok).is_valid()
    too_long = step_values("behaviors", prechat_enabled=True, questions=[question("Name", text="x" * 513)])
    assert not bind(BehaviorsForm, too_long).is_valid()


def test_option_set_needs_options():
    values = step_values(
        "behaviors",
        prechat_enabled=True,
        questions=[question("Topic", answer_type=ANSWER_OPTION_SET, options="Sales")],
    )
    assert any("two options" in message for _, message in bind(BehaviorsForm, values).problems())


def test_persistent_chat_needs_authentication_settings_on_behaviors_step():
    data = complete_data(workstream={"persistent_chat": True})
    form = bind(BehaviorsForm, data["behaviors"], data)
    assert "Persistent chat needs authentication settings" in form.errors["authentication_settings"][0]
    assert form.fields["show_wait_time"].disabled


def test_screen_sharing_and_cobrowse_need_distinct_providers():
    form = bind(FeaturesForm, step_values("features", screen_sharing=True, cobrowse=True))
    assert "screen_sharing_provider" in form.errors and "cobrowse_provider" in form.errors
    form = bind(
        FeaturesForm,
        step_values(
            "features",
            screen_sharing=True,
            cobrowse=True,
            screen_sharing_provider="Contoso",
            cobrowse_provider="contoso",
        ),
    )
    assert "same provider" in form.errors["cobrowse_provider"][0]


def test_distribution_mode_is_one_way_after_publishing():
    published = complete_data(workstream={"distribution_mode": DISTRIBUTION_PUSH})
    form = bind(
        WorkstreamForm, step_values("workstream", distribution_mode=DISTRIBUTION_PICK), published=published
    )
    assert "can't be changed" in form.errors["distribution_mode"][0]


def test_values_from_post_keeps_invalid_input_as_typed():
    post = QueryDict(mutable=True)
    post.update(
        {
            "title": "<script>alert(1)</script>" + "x" * 200,
            "theme_color": "nope",
            "domains-TOTAL_FORMS": "2",
            "domains-0-domain": "http://a.com",
            "domains-1-domain": "b.com",
            "domains_only": "on",
        }
    )
    values = AppearanceForm.values_from_post(post)
    assert values["title"].startswith("<script>") and len(values["title"]) == 225
    assert values["theme_color"] == "nope"
    assert values["domains_only"] is True and values["proactive_chat"] is False
    assert values["domains"] == [{"domain": "http://a.com"}, {"domain": "b.com"}]
    rebound = bind(AppearanceForm, values)
    assert rebound["title"].value() == values["title"]


def test_values_from_post_caps_the_number_of_rows():
    post = QueryDict(mutable=True)
    post.update({"domains-TOTAL_FORMS": "100000"})
    assert len(AppearanceForm.values_from_post(post)["domains"]) == 50
    post["domains-TOTAL_FORMS"] = "lots"
    assert AppearanceForm.values_from_post(post)["domains"] == []


def test_summary_leaves_out_settings_whose_toggle_is_off():
    from wizard.summary import iter_entries

    data = complete_data(
        appearance={"reconnect_enabled": False, "reconnect_time_limit": 5},
        workstream={"workstream_mode": "new"},
    )
    applies = {
        entry.name if hasattr(entry, "name") else entry.row_set.name: entry.applies
        for entry in iter_entries(data, CHOICES)
    }
    assert applies["reconnect_time_limit"] is False
    assert applies["workstream_name"] is True and applies["existing_workstream"] is False
    assert applies["domains"] is False and applies["title"] is True
    data = complete_data(
        appearance={"reconnect_enabled": True, "operating_hours_only": True, "show_offline_widget": True}
    )
    applies = {getattr(entry, "name", None): entry.applies for entry in iter_entries(data, CHOICES)}
    assert applies["reconnect_time_limit"] and applies["offline_title"]


def test_an_unsaved_step_shows_the_drafts_starting_rows_without_errors():
    initial = step_values(
        "behaviors",
        prechat_enabled=True,
        messages=[{"trigger": "192350017", "text": "Hello"}],
        questions=[question("Email")],
    )
    form = BehaviorsForm(choices=CHOICES, context=StepContext(data=complete_data()), initial=initial)
    assert not form.is_bound and form.errors == {}
    assert [row.initial for row in form.rows["messages"].forms] == [{"trigger": "192350017", "text": "Hello"}]
    assert form.rows["questions"].forms[0].initial["name"] == "Email"
    assert form["prechat_enabled"].value() is True


def test_distribution_mode_is_a_setting_of_a_new_workstream_only():
    from wizard.summary import iter_entries

    data = complete_data(workstream={"workstream_mode": "existing", "existing_workstream": "abc"})
    applies = {getattr(entry, "name", None): entry.applies for entry in iter_entries(data, CHOICES)}
    assert applies["distribution_mode"] is False


def test_post_conversation_survey_with_customer_voice_needs_a_survey():
    form = bind(
        BehaviorsForm, step_values("behaviors", postchat_enabled=True, survey_provider="600990000", survey="")
    )
    assert not form.is_valid()
    assert "Choose a Customer Voice survey" in form.errors["survey"][0]


def test_an_empty_survey_list_is_explained_under_the_field():
    form = bind(BehaviorsForm, step_values("behaviors"))
    assert "no Customer Voice surveys" in str(form.fields["survey"].help_text)


def test_copilot_survey_does_not_need_a_customer_voice_survey():
    values = step_values(
        "behaviors",
        postchat_enabled=True,
        survey_provider="600990001",
        survey="",
        survey_url="https://x.contoso.com/s",
    )
    form = bind(BehaviorsForm, values)
    assert "survey" not in form.errors


def test_theme_color_options_carry_their_swatch_from_the_one_colour_table():
    from wizard.options import THEME_COLORS

    form = bind(AppearanceForm, step_values("appearance"))
    swatches = {option.data["value"]: option.data["swatch"] for option in form["theme_color"]}
    assert swatches == {color.value: color.hex for color in THEME_COLORS}


def test_options_are_shown_only_for_the_option_set_answer_type():
    from wizard.forms.behaviors import BehaviorsForm as Form

    questions = next(row_set for row_set in Form.row_sets if row_set.name == "questions")
    assert questions.row_conditions == f"options:answer_type={ANSWER_OPTION_SET}"


# --- what the Dataverse columns hold ---------------------------------------------------------------------


def test_automated_message_text_holds_what_its_column_holds():
    def messages(text):
        return step_values("behaviors", messages=[{"trigger": "192350017", "text": text}])

    assert bind(BehaviorsForm, messages("x" * 2000)).is_valid()
    assert not bind(BehaviorsForm, messages("x" * 2001)).is_valid()
    # 1,000 emoji are 1,000 characters to Python but 2,000 UTF-16 units to Dataverse: still fits.
    assert bind(BehaviorsForm, messages("😀" * 1000)).is_valid()
    form = bind(BehaviorsForm, messages("😀" * 1000 + "x"))
    assert not form.is_valid()
    assert any("at most 2000 characters" in message for _, message in form.problems())
    assert any("count as two" in message for _, message in form.problems())


def test_every_chat_trigger_of_the_admin_center_is_offered():
    from wizard.forms.behaviors import MessageRowForm

    offered = dict(MessageRowForm.base_fields["trigger"].choices)
    assert len(offered) == 18
    for value, label in [
        ("192350017", "Agent assigned to conversation"),
        ("192350021", "Customer's position in queue"),
        ("192350030", "Average wait time for customers: Minutes"),
        ("192350036", "Out of operating hours"),
        ("192350002", "Transfer to agent accepted"),
        ("192350015", "Session ended"),
        ("192350035", "Holiday message to customer"),
    ]:
        assert str(offered[value]) == label
    assert "192350073" not in offered  # "Offer customer callback" is a voice trigger


def test_question_text_counts_emoji_as_dataverse_does():
    fits = step_values("behaviors", prechat_enabled=True, questions=[question("Name", text="😀" * 256)])
    assert bind(BehaviorsForm, fits).is_valid()
    over = step_values("behaviors", prechat_enabled=True, questions=[question("Name", text="😀" * 257)])
    assert not bind(BehaviorsForm, over).is_valid()


def test_option_set_options_fit_their_column_and_are_each_there_once():
    def topic(options):
        return step_values(
            "behaviors",
            prechat_enabled=True,
            questions=[question("Topic", answer_type=ANSWER_OPTION_SET, options=options)],
        )

    assert bind(BehaviorsForm, topic("Sales; Support ;Billing;")).is_valid()  # a semicolon at the end is fine
    # What the reviewer reads is what customers get: no empty option, none twice (ignoring case).
    empty = bind(BehaviorsForm, topic("Sales;;Billing")).problems()
    assert [m for _, m in empty] == ["Remove the empty option: two semicolons have nothing between them."]
    twice = bind(BehaviorsForm, topic("Sales;Billing; sales")).problems()
    assert [m for _, m in twice] == [
        "“Sales” is there more than once. Keep it once, so customers see each choice once."
    ]
    # The same option twice is one option: not enough for an option set.
    assert any("two options" in m for _, m in bind(BehaviorsForm, topic("Sales;sales")).problems())
    form = bind(BehaviorsForm, topic("Sales;" + "y" * 101))
    assert any("at most 100 characters" in m for _, m in form.problems())
    html = bind(BehaviorsForm, topic("<b>Sales</b>;<script>x</script>"))
    assert html.is_valid()  # kept as text; escaped wherever it is shown


@pytest.mark.parametrize(
    ("form_class", "step", "field"),
    [
        (DetailsForm, "details", "name"),
        (WorkstreamForm, "workstream", "workstream_name"),
        (WorkstreamForm, "workstream", "fallback_queue_name"),
    ],
)
def test_names_count_emoji_as_dataverse_does(form_class, step, field):
    extra = {"fallback_queue_mode": "new"} if field == "fallback_queue_name" else {}
    assert bind(form_class, step_values(step, **extra, **{field: "😀" * 50})).is_valid()
    form = bind(form_class, step_values(step, **extra, **{field: "😀" * 51}))
    assert not form.is_valid()
    assert "count as two" in form.errors[field][0]


# --- persistent chat belongs to the workstream --------------------------------------------------------------


class WithWorkstreams(BuiltinChoices):
    def workstreams(self):
        from wizard.choices import ChoiceList

        return ChoiceList([("ws-live", "Sales chat"), ("ws-kept", "Support chat")])

    def persistent_workstreams(self):
        from wizard.choices import ChoiceList

        return ChoiceList([("ws-kept", "Support chat")])


def bind_with_workstreams(form_class, values, data):
    return form_class(values, choices=WithWorkstreams(), context=StepContext(data=data, published_data=None))


def test_an_existing_workstream_shows_its_conversation_mode_and_decides_it():
    values = step_values(
        "workstream", workstream_mode="existing", existing_workstream="ws-kept", persistent_chat=False
    )
    form = bind_with_workstreams(WorkstreamForm, values, complete_data())
    labels = dict(form.fields["existing_workstream"].choices)
    assert labels["ws-kept"] == "Support chat (persistent chat)" and labels["ws-live"] == "Sales chat"
    assert form.is_valid(), form.errors
    assert form.cleaned_data["persistent_chat"] is True  # follows the workstream, not the stale toggle
    live = {**values, "existing_workstream": "ws-live", "persistent_chat": True}
    form = bind_with_workstreams(WorkstreamForm, live, complete_data())
    assert form.is_valid() and form.cleaned_data["persistent_chat"] is False


def test_the_persistent_toggle_is_offered_for_a_new_workstream_only():
    from wizard.forms.layout import ShowWhen

    def conditions(layout, found=None):
        found = {} if found is None else found
        for item in getattr(layout, "fields", []):
            if isinstance(item, ShowWhen):
                for name in item.fields:
                    if isinstance(name, str):
                        found[name] = item
            conditions(item, found)
        return found

    layout = WorkstreamForm.build_layout()
    shown = conditions(layout)
    assert shown["persistent_chat"].condition == "workstream_mode=new"


def test_behaviors_of_an_existing_persistent_workstream_need_authentication_settings():
    data = complete_data(
        workstream={"workstream_mode": "existing", "existing_workstream": "ws-kept", "persistent_chat": False}
    )
    values = {**data["behaviors"], "authentication_settings": "", "show_wait_time": True}
    form = bind_with_workstreams(BehaviorsForm, values, data)
    assert "Persistent chat needs authentication settings" in form.errors["authentication_settings"][0]
    assert form.fields["show_wait_time"].disabled


@pytest.mark.parametrize(
    ("form_class", "step", "field", "limit"),
    [
        (DetailsForm, "details", "name", 100),
        (AppearanceForm, "appearance", "title", 100),
        (AppearanceForm, "appearance", "subtitle", 100),
    ],
)
def test_too_long_text_gets_one_message_counted_as_dataverse_counts(form_class, step, field, limit):
    form = bind(form_class, step_values(step, **{field: "x" * (limit + 50)}))
    assert not form.is_valid()
    assert form.errors[field] == [
        f"Shorten this text to at most {limit} characters (it has {limit + 50}; emoji and some other "
        "symbols count as two)."
    ]
    # An emoji counts as two there too, and so does the page's check (a string's length in UTF-16 units).
    emoji = bind(form_class, step_values(step, **{field: "😀" * (limit // 2 + 1)}))
    assert len(emoji.errors[field]) == 1
    # The page says the limit without a maxlength, with which a browser cuts pasted text short.
    drawn = render_field(form[field])
    assert f'data-max-length="{limit}"' in drawn and "maxlength" not in drawn
    assert 'value="' + "x" * (limit + 50) + '"' in drawn  # the refused text is shown whole


@pytest.mark.parametrize(
    ("form_class", "step", "switches", "field"),
    [
        (WorkstreamForm, "workstream", {"workstream_mode": "new"}, "workstream_name"),
        (WorkstreamForm, "workstream", {"fallback_queue_mode": "new"}, "fallback_queue_name"),
        (AppearanceForm, "appearance", {"anonymize_agent": True}, "generic_agent_name"),
        (
            AppearanceForm,
            "appearance",
            {"operating_hours_only": True, "show_offline_widget": True},
            "offline_title",
        ),
        (
            BehaviorsForm,
            "behaviors",
            {"postchat_enabled": True, "survey_mode": SURVEY_MODE_LINK},
            "survey_link_message",
        ),
        (FeaturesForm, "features", {"transcript_email": True}, "email_template"),
        (FeaturesForm, "features", {"screen_sharing": True}, "screen_sharing_provider"),
        (FeaturesForm, "features", {"cobrowse": True}, "cobrowse_provider"),
    ],
)
def test_an_over_long_text_a_switch_requires_is_told_to_be_shortened_not_also_to_be_filled_in(
    form_class, step, switches, field
):
    form = bind(form_class, step_values(step, **switches, **{field: "x" * 5000}))
    assert not form.is_valid()
    assert len(form.errors[field]) == 1
    assert form.errors[field][0].startswith("Shorten this text to at most")


def test_rows_share_their_row_forms_fields_and_no_row_changes_them():
    from wizard.forms.rendering import render_form

    rows = [
        question("Email"),
        question("", text="<b>x</b>"),
        question("Topic", answer_type=ANSWER_OPTION_SET),
    ]
    form = bind(BehaviorsForm, step_values("behaviors", prechat_enabled=True, questions=rows))
    row_set = next(row_set for row_set in form.row_sets if row_set.name == "questions")
    shared = row_set.form_class.base_fields

    def state():
        return {name: (dict(vars(field)), dict(field.widget.attrs)) for name, field in shared.items()}

    before = state()
    first, second, _third = form.rows["questions"].forms
    assert first.fields["name"] is second.fields["name"] is shared["name"]
    assert first.fields is not second.fields  # each row may still add or drop a field of its own
    assert not form.is_valid() and second.errors and not first.errors
    render_form(form, {"can_edit": True})
    assert state() == before


class SurveysChoices(BuiltinChoices):
    def surveys(self):
        from wizard.choices import ChoiceList

        return ChoiceList([("11111111-1111-1111-1111-111111111111", "After chat")])


def field_state(fields):
    return {
        name: (
            dict(vars(field)),
            dict(field.widget.attrs),
            dict(field.error_messages),
            list(getattr(field, "choices", [])),
        )
        for name, field in fields.items()
    }


@pytest.mark.parametrize(
    ("form_class", "step"),
    [
        (DetailsForm, "details"),
        (WorkstreamForm, "workstream"),
        (AppearanceForm, "appearance"),
        (BehaviorsForm, "behaviors"),
        (FeaturesForm, "features"),
    ],
)
def test_step_forms_share_their_fields_until_they_change_one(form_class, step):
    from tests.factories import EnvironmentFactory
    from wizard.forms.rendering import render_form

    before = field_state(form_class.base_fields)
    persistent = complete_data()
    persistent["workstream"].update(workstream_mode="new", persistent_chat=True)
    forms_built = []
    for environments in (False, True):
        if environments:
            EnvironmentFactory()  # the details form then requires an environment
        for data in (complete_data(), persistent):  # the rule that disables fields holds in the second
            for choices in (CHOICES, SurveysChoices()):
                context = StepContext(data=data)
                for values in (data[step], {**data[step], "name": "<b>x</b>" * 60}, None):
                    form = form_class(values, choices=choices, context=context, initial=data[step])
                    form.is_valid()
                    render_form(form, {"can_edit": True})
                    forms_built.append(form)
    # What one form changed is its own: the class's fields stay as declared.
    assert field_state(form_class.base_fields) == before
    # Only the fields a form changes are its own copies.
    unchanged = [
        name for name in form_class.base_fields if forms_built[0].fields[name] is form_class.base_fields[name]
    ]
    assert unchanged
    disabled = [f for f in forms_built if any(field.disabled for field in f.fields.values())]
    if step == "behaviors":
        assert disabled and all(f.fields["show_wait_time"].disabled for f in disabled)
        assert not form_class.base_fields["show_wait_time"].disabled


@pytest.mark.parametrize(
    ("form_class", "step", "changes", "field"),
    [
        (WorkstreamForm, "workstream", {"fallback_queue_mode": "existing"}, "existing_queue"),
        (
            WorkstreamForm,
            "workstream",
            {"workstream_mode": "existing"},
            "existing_workstream",
        ),
        (AppearanceForm, "appearance", {"operating_hours_only": True}, "operating_hours"),
        (DetailsForm, "details", {}, "environment"),
    ],
)
def test_a_choice_the_list_no_longer_offers_gets_one_message_that_says_what_to_do(
    form_class, step, changes, field
):
    gone = "727d0381-0000-4000-8000-000000000000"
    form = bind(form_class, step_values(step, **{**changes, field: gone}))
    assert not form.is_valid()
    [message] = form.errors[field]  # not also "choose one": the value is there, just not offered
    assert gone not in message and "Choose" in message


def test_the_question_name_help_says_the_rule_the_name_is_checked_against():
    row_form = BehaviorsForm.row_sets[1].form_class
    help_text = str(row_form.base_fields["name"].help_text)
    assert "a letter A–Z first" in help_text and "underscores" in help_text
    ok = step_values("behaviors", prechat_enabled=True, questions=[question("Order_number2")])
    assert bind(BehaviorsForm, ok).is_valid()
    for bad in ("2nd_order", "_order", "order-number"):
        form = bind(BehaviorsForm, step_values("behaviors", prechat_enabled=True, questions=[question(bad)]))
        assert not form.is_valid(), bad


@pytest.mark.parametrize(
    ("form_class", "step", "name", "hidden", "shown"),
    [
        # Time limit typed as letters, then Reconnect to previous chat turned off.
        (
            AppearanceForm,
            "appearance",
            "reconnect_time_limit",
            {"reconnect_enabled": False, "reconnect_time_limit": "abc"},
            {"reconnect_enabled": True},
        ),
        # A survey URL refused, then the post-conversation survey turned off.
        (
            BehaviorsForm,
            "behaviors",
            "survey_url",
            {"postchat_enabled": False, "survey_provider": "600990001", "survey_url": "javascript:alert(1)"},
            {"postchat_enabled": True},
        ),
        # A new fallback queue's name over 100 characters, then "Choose existing" again.
        (
            WorkstreamForm,
            "workstream",
            "fallback_queue_name",
            {"fallback_queue_mode": "existing", "fallback_queue_name": "q" * 101},
            {"fallback_queue_mode": "new"},
        ),
    ],
)
def test_a_field_a_choice_on_the_step_hides_is_not_checked_until_it_shows_again(
    form_class, step, name, hidden, shown
):
    form = bind(form_class, step_values(step, **hidden))
    assert form.is_valid(), form.errors
    assert form.problems() == []
    assert form.cleaned_data[name] in ("", None)  # read as empty, as the reader reads it
    assert form.source[name] == hidden[name]  # what was typed is kept for when it shows again
    shows = bind(form_class, step_values(step, **{**hidden, **shown}))
    assert not shows.is_valid() and name in shows.errors
