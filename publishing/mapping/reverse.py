"""From what an environment holds to a revision's wizard data: the reverse of the forward mapping.

:func:`to_wizard` reads a widget's rows (:class:`~publishing.mapping.live.LiveRows`) into the wizard's
steps, field by field through the same column table the forward mapping writes from
(:data:`~publishing.mapping.columns.WIDGET_FIELDS`), and records which of the org's rows each wizard
row came from. :func:`reconcile` then runs the forward mapping over the result and compares every
planned row with the org: a column the wizard cannot represent as the org has it is *kept* (its value
goes back unchanged), a row the wizard cannot hold is *left alone*. A publish of the imported
revision therefore writes nothing (:func:`unchanged` says so), and the values kept are shown on the
channel page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from publishing.mapping.binding import Binding, key_of
from publishing.mapping.builders import MappingError
from publishing.mapping.columns import WIDGET_FIELDS, boolean, choice, minutes
from publishing.mapping.live import BIND, LiveRows, differences, live_value
from publishing.mapping.plan import Plan, build_plan
from publishing.mapping.references import EXISTING, WORKSTREAM_CONVERSATION_MODE
from publishing.mapping.tables import (
    ANSWER_OPTION,
    CHILD_LINKS,
    CONTEXT_VARIABLE,
    CONVERSATION_PERSISTENT,
    DOMAIN,
    MESSAGE,
    MESSAGE_TO_CUSTOMER,
    MESSAGE_TYPE_AUTOMATED,
    QUESTION,
    QUESTION_CHILDREN,
    QUESTIONNAIRE_PRECHAT_UNAUTHENTICATED,
    QUEUE,
    RULE_INCLUDE,
    SEQUENCE,
    WIDGET,
    WORKSTREAM,
)
from wizard.choices import DEFAULT_MESSAGING_QUEUE
from wizard.options import ANSWER_OPTION_SET
from wizard.steps import get_step
from wizard.values import clean_row, step_rules


@dataclass
class Imported:
    """A widget read into wizard data, with the rows it came from."""

    data: dict[str, dict[str, Any]]
    resolved: dict[str, str]
    ids: dict[str, str] = field(default_factory=dict)
    #: Rows of the org the wizard cannot hold (left alone by every publish), with why.
    left_alone: dict[str, str] = field(default_factory=dict)


def _id(value: Any) -> str:
    return str(value).strip("{}").lower() if value else ""


def _wizard_value(convert: Any, value: Any) -> Any:
    if convert is boolean:
        return bool(value)
    if convert is choice:
        return "" if value is None else str(value)
    if convert is minutes:
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    return "" if value is None else str(value)


def _row_form(slug: str, name: str) -> Any:
    form_class = get_step(slug).form_class
    assert form_class is not None
    return next(rs.form_class for rs in step_rules(form_class).row_sets if rs.name == name)


def _row_fits(slug: str, name: str, row: dict[str, Any]) -> bool:
    """Whether every value of ``row`` reads back as given through its row form's fields."""
    cleaned = clean_row(_row_form(slug, name), row)
    return all(cleaned.get(key) == value for key, value in row.items())


def to_wizard(live: LiveRows, environment_pk: int) -> Imported:
    """The wizard data of the widget in ``live``; raises :class:`MappingError` if there is none."""
    widget = live.widget
    if widget is None:
        raise MappingError("The chat widget was not found in the environment.")
    data: dict[str, dict[str, Any]] = {slug: {} for slug in WIDGET_FIELDS}
    for slug, columns in WIDGET_FIELDS.items():
        for column in columns:
            if column.field not in data[slug]:
                data[slug][column.field] = _wizard_value(column.convert, widget.get(column.column))
    imported = Imported(data, {}, {key_of(WIDGET, "widget"): _id(widget[WIDGET.primary_id])})
    _details(imported, live, widget, environment_pk)
    _workstream(imported, live, widget)
    _appearance(imported, live, widget)
    _behaviors(imported, live, widget)
    return imported


def _details(imported: Imported, live: LiveRows, widget: Mapping[str, Any], environment_pk: int) -> None:
    language = _id(widget.get("_msdyn_ocwidgetlanguage_value"))
    locale = live.locales.get(language)
    imported.data["details"].update(environment=str(environment_pk), language=str(locale or ""))
    if language:
        imported.resolved["language"] = language


def _workstream(imported: Imported, live: LiveRows, widget: Mapping[str, Any]) -> None:
    workstream_id = _id(widget.get("_msdyn_liveworkstreamid_value"))
    row = live.get(WORKSTREAM, workstream_id) if workstream_id else None
    step = imported.data["workstream"]
    step.update(workstream_mode=EXISTING, existing_workstream=workstream_id, fallback_queue_mode=EXISTING)
    if row is not None:
        mode = row.get("msdyn_conversationmode")
        step.update(
            workstream_name=str(row.get("msdyn_name") or ""),
            distribution_mode=str(row.get("msdyn_workdistributionmode") or ""),
            persistent_chat=mode == CONVERSATION_PERSISTENT,
            existing_queue=_queue_choice(live, _id(row.get("_msdyn_defaultqueue_value"))),
        )
        if mode is not None:
            imported.resolved[WORKSTREAM_CONVERSATION_MODE] = str(mode)
    if workstream_id:
        imported.resolved["workstream"] = workstream_id


def _queue_choice(live: LiveRows, queue_id: str) -> str:
    """The wizard's value for a queue: the out-of-the-box messaging queue by its name (as the wizard
    offers it), any other by id."""
    row = live.get(QUEUE, queue_id) if queue_id else None
    if row is not None and row.get(QUEUE.primary_name) == DEFAULT_MESSAGING_QUEUE:
        return DEFAULT_MESSAGING_QUEUE
    return queue_id


def _appearance(imported: Imported, live: LiveRows, widget: Mapping[str, Any]) -> None:
    step = imported.data["appearance"]
    hours = _id(widget.get("_msdyn_operatinghourid_value"))
    step.update(operating_hours_only=bool(hours), operating_hours=hours)
    if hours:
        imported.resolved["operating_hours"] = hours
    domains: list[dict[str, str]] = []
    seen: set[str] = set()
    for row in sorted(
        live.table(DOMAIN), key=lambda r: (str(r.get("msdyn_domainvalue") or ""), _id(r[DOMAIN.primary_id]))
    ):
        row_id = _id(row[DOMAIN.primary_id])
        value = str(row.get("msdyn_domainvalue") or "").strip()
        entry = {"domain": value}
        if row.get("msdyn_ruletype") != RULE_INCLUDE or not value or value.lower() in seen:
            imported.left_alone[row_id] = "domain rule the wizard cannot show"
            continue
        if not _row_fits("appearance", "domains", entry):
            imported.left_alone[row_id] = "domain the wizard does not accept"
            continue
        seen.add(value.lower())
        domains.append(entry)
        imported.ids[key_of(DOMAIN, value.lower())] = row_id
    step.update(domains_only=bool(domains), domains=domains)


def _behaviors(imported: Imported, live: LiveRows, widget: Mapping[str, Any]) -> None:
    step = imported.data["behaviors"]
    for slot, column, name in (
        ("authentication_settings", "_msdyn_authsettingsid_value", "authentication_settings"),
        ("survey", "_msdyn_postconversationsurvey_value", "survey"),
    ):
        value = _id(widget.get(column))
        step[name] = value
        if value:
            imported.resolved[slot] = value
    step["survey_url"] = str(widget.get("msdyn_mcssurveyurl") or "")
    step["messages"] = _messages(imported, live)
    step["questions"] = _questions(imported, live)


def _messages(imported: Imported, live: LiveRows) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    counts: dict[str, int] = {}
    for row in sorted(
        live.table(MESSAGE), key=lambda r: (str(r.get("msdyn_name") or ""), _id(r[MESSAGE.primary_id]))
    ):
        row_id = _id(row[MESSAGE.primary_id])
        trigger = (
            ""
            if row.get("msdyn_systemmessageeventtype") is None
            else str(row["msdyn_systemmessageeventtype"])
        )
        entry = {"trigger": trigger, "text": str(row.get("msdyn_messagetext") or "")}
        if (
            row.get("msdyn_messagetype") != MESSAGE_TYPE_AUTOMATED
            or row.get("msdyn_messagereceiver") != MESSAGE_TO_CUSTOMER
            or not _row_fits("behaviors", "messages", entry)
        ):
            imported.left_alone[row_id] = "message the wizard cannot show"
            continue
        counts[trigger] = counts.get(trigger, 0) + 1
        messages.append(entry)
        imported.ids[key_of(MESSAGE, f"{trigger}:{counts[trigger]}")] = row_id
    return messages


def _questions(imported: Imported, live: LiveRows) -> list[dict[str, Any]]:
    questions: list[dict[str, Any]] = []
    seen: set[str] = set()
    variables = {str(r.get("msdyn_name") or "").lower(): r for r in live.table(CONTEXT_VARIABLE)}
    sequences = sorted(
        live.table(SEQUENCE), key=lambda r: (r.get("sequencenumber") or 0, _id(r[SEQUENCE.primary_id]))
    )
    for sequence in sequences:
        sequence_id = _id(sequence[SEQUENCE.primary_id])
        question_id = _id(sequence.get("_msdyn_surveyquestion_value"))
        question = live.get(QUESTION, question_id) if question_id else None
        options = [
            row
            for row in live.table(ANSWER_OPTION)
            if _id(row.get("_msdyn_answeroptionsid_value")) == question_id
        ]
        name = str((question or {}).get("msdyn_name") or "")
        answer_type = "" if question is None else str(question.get("msdyn_answertype") or "")
        entry = {
            "name": name,
            "text": str((question or {}).get("msdyn_questiontext") or ""),
            "answer_type": answer_type,
            "options": ";".join(str(o.get("msdyn_name") or "") for o in options)
            if answer_type == ANSWER_OPTION_SET
            else "",
            "required": bool(sequence.get("msdyn_questionrequired")),
        }
        if (
            question is None
            or sequence.get("msdyn_chatquestionnairetype") != QUESTIONNAIRE_PRECHAT_UNAUTHENTICATED
            or not name
            or name.lower() in seen
            or (options and answer_type != ANSWER_OPTION_SET)
            or not _row_fits("behaviors", "questions", entry)
        ):
            for row_id in (sequence_id, question_id, *(_id(o[ANSWER_OPTION.primary_id]) for o in options)):
                if row_id:
                    imported.left_alone[row_id] = "pre-chat question the wizard cannot show"
            continue
        key = name.lower()
        seen.add(key)
        questions.append(entry)
        imported.ids[key_of(SEQUENCE, key)] = sequence_id
        imported.ids[key_of(QUESTION, key)] = question_id
        for option in options:
            option_name = str(option.get("msdyn_name") or "").strip()
            imported.ids[key_of(ANSWER_OPTION, f"{key}:{option_name.casefold()}")] = _id(
                option[ANSWER_OPTION.primary_id]
            )
        variable = variables.get(key)
        if variable is not None:
            imported.ids[key_of(CONTEXT_VARIABLE, key)] = _id(variable[CONTEXT_VARIABLE.primary_id])
    return questions


def existing_children(live: LiveRows) -> dict[str, list[str]]:
    """The ids of the widget's child rows (and of its questions' rows), as the publish reads them."""
    tables = [table for table, _link in CHILD_LINKS] + list(QUESTION_CHILDREN)
    return {table.logical: [_id(row[table.primary_id]) for row in live.table(table)] for table in tables}


def plan_for(
    data: Mapping[str, Any],
    live: LiveRows,
    resolved: Mapping[str, str],
    channel_pk: int,
    environment_pk: int,
    binding: Binding,
) -> Plan:
    sequence_questions = {
        _id(row[SEQUENCE.primary_id]): _id(row.get("_msdyn_surveyquestion_value"))
        for row in live.table(SEQUENCE)
        if row.get("_msdyn_surveyquestion_value")
    }
    return build_plan(
        data,
        channel_pk=channel_pk,
        environment_pk=environment_pk,
        resolved=resolved,
        existing_children=existing_children(live),
        dropped_question_ids=sequence_questions,
        binding=binding,
    )


def _as_written(planned: Any, live: Any, column: str) -> Any:
    """The org's value in the form the plan writes it (a lookup as ``/set(id)``)."""
    if not column.endswith(BIND):
        return live
    if not live:
        return None
    prefix = str(planned or "")
    entity_set = prefix[: prefix.index("(")] if "(" in prefix else ""
    return f"{entity_set}({_id(live)})" if entity_set else None


def reconcile(imported: Imported, live: LiveRows, channel_pk: int, environment_pk: int) -> Binding:
    """The binding under which publishing ``imported.data`` to this org changes nothing."""
    keep_ids = set(imported.left_alone)
    binding = Binding(dict(imported.ids), {}, frozenset(keep_ids))
    plan = plan_for(imported.data, live, imported.resolved, channel_pk, environment_pk, binding)
    kept: dict[str, dict[str, list[Any]]] = {}
    for op in plan.operations:
        if op.action == "delete":
            keep_ids.add(op.id.lower())
            continue
        row = live.get(op.table, op.id)
        if row is None:
            keep_ids.add(op.id.lower())  # a row the org never had (e.g. a question's context variable)
            continue
        for column in differences(op, row):
            kept.setdefault(op.id.lower(), {})[column] = [
                op.data[column],
                _as_written(op.data[column], live_value(column, row), column),
            ]
    binding = Binding(dict(imported.ids), kept, frozenset(keep_ids))
    if not unchanged(
        plan_for(imported.data, live, imported.resolved, channel_pk, environment_pk, binding), live
    ):
        raise MappingError("The widget could not be read into a channel that publishes back unchanged.")
    return binding


def unchanged(plan: Plan, live: LiveRows) -> bool:
    """Whether writing ``plan`` would change nothing in the org."""
    return not any(
        op.action == "delete" or differences(op, live.get(op.table, op.id)) for op in plan.operations
    )
