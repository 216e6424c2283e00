"""The revision → rows mapping: pure functions, no Dataverse."""

from __future__ import annotations

import uuid

import pytest
from django import forms

from publishing import mapping
from tests.publishing.helpers import FULL
from wizard.steps import FORM_STEPS, default_data
from wizard.values import read

LANG = str(uuid.uuid4())
HOURS = str(uuid.uuid4())
AUTH = str(uuid.uuid4())
QUEUE = str(uuid.uuid4())
RESOLVED = {"language": LANG, "operating_hours": HOURS, "authentication_settings": AUTH, "queue": QUEUE}


def data(**overrides):
    result = default_data()
    for step, values in FULL.items():
        result[step].update(values)
    for step, values in overrides.items():
        result[step].update(values)
    return result


def plan(values=None, **kwargs):
    return mapping.build_plan(values or data(), channel_pk=7, environment_pk=3, resolved=RESOLVED, **kwargs)


def test_every_form_field_is_mapped_exactly_once():
    for step in FORM_STEPS:
        names = set(step.form_class.base_fields) | {rs.name for rs in step.form_class.row_sets}
        columns = {entry.field for entry in mapping.WIDGET_FIELDS[step.slug]}
        handled = set(mapping.HANDLED_FIELDS[step.slug])
        assert not columns & handled, step.slug
        assert names == columns | handled, step.slug


def test_every_widget_field_lands_in_its_column():
    widget = plan().find(mapping.WIDGET)
    assert widget is not None
    values = read(data())
    for slug, entries in mapping.WIDGET_FIELDS.items():
        for entry in entries:
            field = FORM_STEPS[[s.slug for s in FORM_STEPS].index(slug)].form_class.base_fields[entry.field]
            value = values[slug][entry.field]  # cleaned, empty where the layout hides it
            if isinstance(field, forms.BooleanField):
                assert widget.data[entry.column] is value, entry.column
            elif entry.column not in ("msdyn_positioninqueue_enabled", "msdyn_averagewaittime_enabled"):
                assert widget.data[entry.column] == entry.convert(value), entry.column
    assert widget.data["msdyn_ocWidgetLanguage@odata.bind"] == f"/msdyn_oclanguages({LANG})"
    assert widget.data["msdyn_operatinghourid@odata.bind"] == f"/msdyn_operatinghours({HOURS})"
    assert widget.data["msdyn_AuthsettingsId@odata.bind"] == f"/msdyn_authenticationsettingses({AUTH})"
    assert widget.data["msdyn_mcssurveyurl"] == "https://copilotstudio.example/survey"
    assert widget.data["msdyn_conversationmode"] == mapping.CONVERSATION_PERSISTENT
    assert "msdyn_widgetappid" not in widget.data and "msdyn_widgetsnippet" not in widget.data


def test_ids_are_deterministic_and_scoped_to_channel_and_environment():
    first, again = plan(), plan()
    assert [op.id for op in first.operations] == [op.id for op in again.operations]
    other = mapping.build_plan(data(), channel_pk=7, environment_pk=4, resolved=RESOLVED)
    assert not {op.id for op in first.operations} & {op.id for op in other.operations}
    assert first.widget_id == str(uuid.uuid5(mapping.NAMESPACE, "7:3:msdyn_livechatconfig:widget"))


def test_order_puts_referenced_rows_first():
    tables = [op.table.logical for op in plan().operations]
    assert tables.index("queue") < tables.index("msdyn_liveworkstream") < tables.index("msdyn_livechatconfig")
    assert tables.index("msdyn_surveyquestion") < tables.index("msdyn_questionsequence")
    assert tables.index("msdyn_livechatconfig") < tables.index("msdyn_livechatwidgetlocation")


def test_existing_workstream_and_queue_are_bound_not_written():
    ws = str(uuid.uuid4())
    values = data(workstream={"workstream_mode": "existing", "existing_workstream": ws})
    result = mapping.build_plan(
        values, channel_pk=7, environment_pk=3, resolved={**RESOLVED, "workstream": ws}
    )
    assert not result.upserts(mapping.WORKSTREAM) and not result.upserts(mapping.QUEUE)
    assert (
        result.find(mapping.WIDGET).data["msdyn_liveworkstreamid@odata.bind"]
        == f"/msdyn_liveworkstreams({ws})"
    )
    values = data(workstream={"fallback_queue_mode": "existing", "existing_queue": "Default messaging queue"})
    result = plan(values)
    assert not result.upserts(mapping.QUEUE)
    assert result.find(mapping.WORKSTREAM).data["msdyn_defaultqueue@odata.bind"] == f"/queues({QUEUE})"


def test_references_by_id_name_and_locale():
    refs = {ref.slot: ref for ref in mapping.references(data())}
    assert (refs["language"].by, refs["language"].value) == ("localeid", "1042")
    assert refs["operating_hours"].by == "name"
    assert "queue" not in refs  # a new fallback queue
    refs = {ref.slot: ref for ref in mapping.references(data(behaviors={"authentication_settings": AUTH}))}
    assert refs["authentication_settings"].by == "id"


def test_dropped_children_are_deleted_and_kept_ones_are_not():
    current = plan()
    kept = {op.table.logical: [op.id] for op in current.upserts() if op.table in (mapping.DOMAIN,)}
    stale_domain, stale_sequence, stale_question = (str(uuid.uuid4()) for _ in range(3))
    result = plan(
        existing_children={
            "msdyn_livechatwidgetlocation": kept["msdyn_livechatwidgetlocation"] + [stale_domain],
            "msdyn_questionsequence": [stale_sequence],
        },
        dropped_question_ids={stale_sequence: stale_question},
    )
    deletes = [(op.table.logical, op.id) for op in result.deletes()]
    assert deletes == [
        ("msdyn_livechatwidgetlocation", stale_domain),
        ("msdyn_questionsequence", stale_sequence),
        ("msdyn_surveyquestion", stale_question),
    ]
    assert result.operations[-3:] == result.deletes()


def test_toggles_off_clear_their_dependent_columns_and_rows():
    values = data(
        appearance={
            "reconnect_enabled": False,
            "operating_hours_only": False,
            "domains_only": False,
            "anonymize_agent": False,
        },
        behaviors={"prechat_enabled": False, "postchat_enabled": False, "authentication_settings": ""},
        features={"transcript_email": False, "screen_sharing": False, "cobrowse": False},
        workstream={"persistent_chat": False},  # persistent chat would need the authentication settings
    )
    result = plan(values)
    widget = result.find(mapping.WIDGET).data
    for column in (
        "msdyn_timetoreconnectwithpreviousagent",
        "msdyn_portalurl",
        "msdyn_genericagentdisplayname",
        "msdyn_emailtemplate",
        "msdyn_screensharingprovider",
        "msdyn_cobrowseprovider",
        "msdyn_operatinghourid@odata.bind",
        "msdyn_AuthsettingsId@odata.bind",
        "msdyn_mcssurveyurl",
    ):
        assert widget[column] is None, column
    assert widget["msdyn_showwidgetduringofflinehours"] is False
    assert not result.upserts(mapping.DOMAIN) and not result.upserts(mapping.SEQUENCE)


def test_a_missing_reference_is_a_mapping_error():
    import pytest

    with pytest.raises(mapping.MappingError):
        mapping.build_plan(data(), channel_pk=1, environment_pk=1, resolved={})


# --- pre-chat answers ------------------------------------------------------------------------------------

TOPIC = {
    "name": "Topic",
    "text": "What is it about?",
    "answer_type": "192350002",
    "options": "Sales; Support;;sales;Billing",
    "required": True,
}


def with_topic(**behaviors):
    questions = [*FULL["behaviors"]["questions"], TOPIC]
    return data(behaviors={"questions": questions, **behaviors})


def test_option_set_answers_become_answer_option_rows_of_their_question():
    result = plan(with_topic())
    topic = next(op for op in result.upserts(mapping.QUESTION) if op.data["msdyn_name"] == "Topic")
    options = result.upserts(mapping.ANSWER_OPTION)
    assert [op.data["msdyn_name"] for op in options] == ["Sales", "Support", "Billing"]
    assert {op.data["msdyn_AnswerOptionsId@odata.bind"] for op in options} == {
        f"/msdyn_surveyquestions({topic.id})"
    }
    tables = [op.table for op in result.operations]
    assert tables.index(mapping.QUESTION) < tables.index(mapping.ANSWER_OPTION)
    assert [op.id for op in plan(with_topic()).upserts(mapping.ANSWER_OPTION)] == [op.id for op in options]
    # Only option sets have options: the single-line questions have none.
    assert len(options) == 3


def test_each_question_gets_a_text_context_variable_on_the_workstream():
    result = plan(with_topic())
    workstream = result.find(mapping.WORKSTREAM)
    variables = result.upserts(mapping.CONTEXT_VARIABLE)
    assert [op.data["msdyn_name"] for op in variables] == ["Name", "Email", "Topic"]
    for op in variables:
        assert op.data["msdyn_datatype"] == mapping.CONTEXT_VARIABLE_TEXT
        assert op.data["msdyn_liveworkstreamid@odata.bind"] == f"/msdyn_liveworkstreams({workstream.id})"
    assert [op.id for op in variables] == [
        mapping.context_variable_id(7, 3, key) for key in mapping.question_keys(with_topic())
    ]
    assert not plan(data(behaviors={"prechat_enabled": False})).upserts(mapping.CONTEXT_VARIABLE)


def test_dropped_answer_options_and_variables_are_deleted_before_their_questions():
    current = plan(with_topic())
    kept = [op.id for op in current.upserts(mapping.ANSWER_OPTION)]
    stale_option, stale_variable, stale_sequence, stale_question = (str(uuid.uuid4()) for _ in range(4))
    result = plan(
        with_topic(),
        existing_children={
            "msdyn_chatansweroption": [*kept, stale_option],
            "msdyn_ocliveworkstreamcontextvariable": [stale_variable],
            "msdyn_questionsequence": [stale_sequence],
        },
        dropped_question_ids={stale_sequence: stale_question},
    )
    assert [(op.table.logical, op.id) for op in result.deletes()] == [
        ("msdyn_questionsequence", stale_sequence),
        ("msdyn_chatansweroption", stale_option),
        ("msdyn_ocliveworkstreamcontextvariable", stale_variable),
        ("msdyn_surveyquestion", stale_question),
    ]


# --- derived names ---------------------------------------------------------------------------------------


def test_derived_names_fit_their_columns_as_dataverse_counts_them():
    from wizard.validators import dataverse_length

    for channel_name in ("x" * 100, "😀" * 50, "한" * 100):
        values = data(
            details={"name": channel_name},
            behaviors={
                "messages": [
                    {"trigger": "192350017", "text": "Hello"},
                    {"trigger": "192350017", "text": "Hello again"},
                    {"trigger": "192350021", "text": "You are next"},
                ]
            },
        )
        names = [op.data["msdyn_name"] for op in plan(values).upserts(mapping.MESSAGE)]
        assert all(dataverse_length(name) <= 100 for name in names), names
        assert len(set(names)) == 3  # the trigger and count that tell them apart are kept
        assert names[0].endswith(" 192350017.1") and names[2].endswith(" 192350021.1")
    assert mapping.derived_name("ab😀", limit=3) == "ab"  # never half a character


# --- new fallback queue and Push-only settings ------------------------------------------------------------


def test_a_new_fallback_queue_is_not_served_before_every_other_queue():
    queue = plan().find(mapping.QUEUE)
    assert queue is not None
    assert queue.data["msdyn_priority"] == mapping.QUEUE_PRIORITY == 10_000
    assert queue.data["msdyn_isomnichannelqueue"] is True
    assert queue.data["msdyn_queuetype"] == mapping.QUEUE_TYPE_MESSAGING


def test_agent_affinity_is_written_for_push_workstreams_only():
    push = plan(data(workstream={"distribution_mode": "192350000", "persistent_chat": True}))
    assert push.find(mapping.WORKSTREAM).data["msdyn_enableagentaffinity"] is True
    pick = plan(data(workstream={"distribution_mode": "192350001", "persistent_chat": True}))
    assert "msdyn_enableagentaffinity" not in pick.find(mapping.WORKSTREAM).data
    assert pick.find(mapping.WORKSTREAM).data["msdyn_conversationmode"] == mapping.CONVERSATION_PERSISTENT


# --- persistent chat belongs to the workstream ------------------------------------------------------------


def existing(mode, **behaviors):
    ws = str(uuid.uuid4())
    values = data(
        workstream={"workstream_mode": "existing", "existing_workstream": ws, "persistent_chat": False},
        behaviors={"show_queue_position": True, "show_wait_time": True, **behaviors},
    )
    resolved = {**RESOLVED, "workstream": ws, mapping.WORKSTREAM_CONVERSATION_MODE: str(mode)}
    return mapping.build_plan(values, channel_pk=7, environment_pk=3, resolved=resolved)


def test_a_widget_on_an_existing_workstream_follows_its_conversation_mode():
    widget = existing(mapping.CONVERSATION_PERSISTENT).find(mapping.WIDGET).data
    assert widget["msdyn_conversationmode"] == mapping.CONVERSATION_PERSISTENT
    # Persistent chats show neither the position in queue nor the wait time, whatever the draft said.
    assert widget["msdyn_positioninqueue_enabled"] is False
    assert widget["msdyn_averagewaittime_enabled"] is False
    live = existing(mapping.CONVERSATION_LIVE).find(mapping.WIDGET).data
    assert live["msdyn_conversationmode"] == mapping.CONVERSATION_LIVE
    assert live["msdyn_positioninqueue_enabled"] is True


def test_persistent_chat_without_authentication_settings_is_refused_however_it_was_chosen():
    with pytest.raises(mapping.MappingError, match="authentication settings"):
        existing(mapping.CONVERSATION_PERSISTENT, authentication_settings="")
    new = data(workstream={"persistent_chat": True}, behaviors={"authentication_settings": ""})
    with pytest.raises(mapping.MappingError, match="Behaviors step"):
        plan(new)


def test_automated_messages_point_at_their_widget_as_the_admin_center_does():
    result = plan()
    for op in result.upserts(mapping.MESSAGE):
        assert op.data["msdyn_widgetid@odata.bind"] == f"/msdyn_livechatconfigs({result.widget_id})"
        assert op.data["msdyn_instanceid"] == result.widget_id


def test_every_column_a_plan_writes_is_read_back_to_compare():
    from publishing.mapping.live import COLUMNS, lookup_column

    data = {
        **FULL,
        "workstream": {**FULL["workstream"], "workstream_mode": "new", "fallback_queue_mode": "new"},
    }
    data["behaviors"] = {
        **FULL["behaviors"],
        "questions": [
            {
                "name": "Topic",
                "text": "About?",
                "answer_type": "192350002",
                "options": "A;B",
                "required": True,
            }
        ],
    }
    resolved = {"language": "l", "operating_hours": "h", "authentication_settings": "a", "queue": "q"}
    plan = mapping.build_plan(data, channel_pk=1, environment_pk=1, resolved=resolved)
    tables = {op.table.logical for op in plan.operations}
    assert len(tables) == 9
    for op in plan.operations:
        missing = [key for key in op.data if lookup_column(key) not in COLUMNS[op.table.logical]]
        assert missing == [], (op.table.logical, missing)
