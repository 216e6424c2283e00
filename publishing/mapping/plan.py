"""The publish plan: the builders' upserts in the order Dataverse needs them, then the deletes of the
child rows a newer revision dropped."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from publishing.mapping import builders
from publishing.mapping.binding import NO_BINDING, Binding
from publishing.mapping.builders import Build, Operation
from publishing.mapping.columns import text
from publishing.mapping.references import reader
from publishing.mapping.tables import (
    CHILD_LINKS,
    CONTEXT_VARIABLE,
    QUESTION,
    QUESTION_CHILDREN,
    SEQUENCE,
    WIDGET,
    Table,
)
from wizard.values import DraftValues


@dataclass
class Plan:
    widget_id: str
    operations: list[Operation]

    def upserts(self, table: Table | None = None) -> list[Operation]:
        return [op for op in self.operations if op.action == "upsert" and table in (None, op.table)]

    def deletes(self, table: Table | None = None) -> list[Operation]:
        return [op for op in self.operations if op.action == "delete" and table in (None, op.table)]

    def find(self, table: Table) -> Operation | None:
        return next((op for op in self.upserts(table)), None)


def widget_id(channel_pk: int, environment_pk: int, binding: Binding = NO_BINDING) -> str:
    return binding.id(channel_pk, environment_pk, WIDGET, "widget")


def question_keys(data: Mapping[str, Any] | DraftValues) -> list[str]:
    """The keys (lower-case names) of the pre-chat questions a revision writes; each question's row,
    its answer options and its context variable take their ids from it."""
    rows = reader(data)["behaviors"].rows("questions")
    return [str(text(q.get("name"))).lower() for q in rows if text(q.get("name"))]


def question_id(channel_pk: int, environment_pk: int, key: str, binding: Binding = NO_BINDING) -> str:
    return binding.id(channel_pk, environment_pk, QUESTION, key)


def context_variable_id(channel_pk: int, environment_pk: int, key: str, binding: Binding = NO_BINDING) -> str:
    return binding.id(channel_pk, environment_pk, CONTEXT_VARIABLE, key)


def build_plan(
    data: Mapping[str, Any] | DraftValues,
    *,
    channel_pk: int,
    environment_pk: int,
    resolved: Mapping[str, str],
    existing_children: Mapping[str, Iterable[str]] | None = None,
    dropped_question_ids: Mapping[str, str] | None = None,
    binding: Binding = NO_BINDING,
) -> Plan:
    """The ordered upserts and deletes for one publish.

    ``resolved`` maps each :func:`references` slot to the row id found in the org. ``existing_children``
    maps a child table's logical name to the ids of its rows that point at the widget now (for
    :data:`QUESTION_CHILDREN`: the rows of this channel's questions, found by id);
    ``dropped_question_ids`` maps a question sequence id to the survey question it points at, so a
    dropped sequence takes its question with it. ``binding``: the rows an imported channel took over,
    the values it keeps and the rows it leaves alone (:mod:`publishing.mapping.binding`).
    """
    build = Build(reader(data), channel_pk, environment_pk, resolved, binding)
    ops, workstream_id = builders.workstream(build)
    ops += builders.questions(build, workstream_id)
    ops.append(builders.widget(build, workstream_id))
    ops += builders.domains(build)
    ops += builders.sequences(build)
    ops += builders.messages(build)
    ops = [_keep(op, binding) for op in ops if op.id.lower() not in binding.keep_ids]
    deletes = _deletes(ops, existing_children or {}, dropped_question_ids or {})
    return Plan(build.widget_id, ops + [op for op in deletes if op.id.lower() not in binding.keep_ids])


def _keep(op: Operation, binding: Binding) -> Operation:
    """The org's value for each kept column the mapping still writes as it did at import."""
    kept = binding.kept.get(op.id.lower()) or binding.kept.get(op.id)
    if not kept:
        return op
    data = dict(op.data)
    for column, (written, live) in kept.items():
        if column in data and data[column] == written:
            data[column] = live
    return Operation(op.action, op.table, op.id, data, op.label)


def _deletes(
    ops: list[Operation],
    existing_children: Mapping[str, Iterable[str]],
    dropped_question_ids: Mapping[str, str],
) -> list[Operation]:
    """Child rows the new revision dropped: sequences first, then the questions they pointed at."""
    planned = {op.id for op in ops}
    deletes: list[Operation] = []
    # Answer options before the questions they point at.
    for table in (*(table for table, _link in CHILD_LINKS), *QUESTION_CHILDREN):
        for existing_id in sorted(existing_children.get(table.logical, ())):
            if existing_id not in planned:
                deletes.append(Operation("delete", table, existing_id, label=f"{table.label} {existing_id}"))
    for op in list(deletes):
        dropped = dropped_question_ids.get(op.id) if op.table is SEQUENCE else None
        if dropped and dropped not in planned:
            deletes.append(Operation("delete", QUESTION, dropped, label=f"Survey question {dropped}"))
    return deletes
