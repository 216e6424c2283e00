"""Which wizard fields someone changed in the org since a revision was published there.

Pure functions over plans and live rows. A column *drifted* when the org's value differs from what the
last published revision wrote; a drifted column is a *conflict* for a new publish when that publish
would write something else than the org now holds (a revision that already took the org's value over
is no conflict). Rows added in the org that the publish would delete, and rows deleted in the org that
it would write again, count too. Columns and rows are named by the wizard field they come from.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from publishing.mapping.builders import Operation
from publishing.mapping.columns import WIDGET_FIELDS
from publishing.mapping.live import LiveRows, differences
from publishing.mapping.plan import Plan
from publishing.mapping.tables import (
    ANSWER_OPTION,
    CONTEXT_VARIABLE,
    DOMAIN,
    MESSAGE,
    QUESTION,
    QUEUE,
    SEQUENCE,
    WIDGET,
    WORKSTREAM,
    Table,
)

Field = tuple[str, str]  # (step slug, field name)

_WIDGET_COLUMN_FIELDS: dict[str, Field] = {
    column.column: (slug, column.field) for slug, columns in WIDGET_FIELDS.items() for column in columns
}
_WIDGET_OTHER: dict[str, Field] = {
    "msdyn_conversationmode": ("workstream", "persistent_chat"),
    "msdyn_liveworkstreamid@odata.bind": ("workstream", "existing_workstream"),
    "msdyn_ocWidgetLanguage@odata.bind": ("details", "language"),
    "msdyn_operatinghourid@odata.bind": ("appearance", "operating_hours"),
    "msdyn_AuthsettingsId@odata.bind": ("behaviors", "authentication_settings"),
    "msdyn_PostConversationSurvey@odata.bind": ("behaviors", "survey"),
    "msdyn_mcssurveyurl": ("behaviors", "survey_url"),
}
_WORKSTREAM_FIELDS: dict[str, Field] = {
    "msdyn_name": ("workstream", "workstream_name"),
    "msdyn_workdistributionmode": ("workstream", "distribution_mode"),
    "msdyn_conversationmode": ("workstream", "persistent_chat"),
    "msdyn_enableagentaffinity": ("workstream", "persistent_chat"),
    "msdyn_defaultqueue@odata.bind": ("workstream", "existing_queue"),
}
_ROW_FIELDS: dict[str, Field] = {
    DOMAIN.logical: ("appearance", "domains"),
    SEQUENCE.logical: ("behaviors", "questions"),
    QUESTION.logical: ("behaviors", "questions"),
    ANSWER_OPTION.logical: ("behaviors", "questions"),
    CONTEXT_VARIABLE.logical: ("behaviors", "questions"),
    MESSAGE.logical: ("behaviors", "messages"),
    QUEUE.logical: ("workstream", "fallback_queue_name"),
}


def field_of(table: Table, column: str) -> Field:
    """The wizard field a written column comes from."""
    if table is WIDGET:
        return _WIDGET_COLUMN_FIELDS.get(column) or _WIDGET_OTHER.get(column) or ("details", "name")
    if table is WORKSTREAM:
        return _WORKSTREAM_FIELDS.get(column, ("workstream", "workstream_name"))
    return _ROW_FIELDS.get(table.logical, ("details", "name"))


def _upserts(plan: Plan) -> dict[str, Operation]:
    return {op.id.lower(): op for op in plan.operations if op.action == "upsert"}


def _child_ids(live: LiveRows, tables: Iterable[Table]) -> dict[str, Table]:
    found: dict[str, Table] = {}
    for table in tables:
        for row in live.table(table):
            found[str(row[table.primary_id]).lower()] = table
    return found


_CHILD_TABLES = (DOMAIN, SEQUENCE, MESSAGE)


@dataclass(frozen=True)
class Drift:
    """Fields whose org value differs from the last published revision's, and those a publish of this
    revision would overwrite (the conflicts), in the order of the wizard."""

    drifted: tuple[Field, ...]
    conflicts: tuple[Field, ...]


def compare(last: Plan, this: Plan | None, live: LiveRows, keep_ids: Iterable[str] = ()) -> Drift:
    """Drift of ``live`` against the ``last`` published plan; conflicts with ``this`` plan (None: no
    publish, only the check)."""
    keep = {i.lower() for i in keep_ids}
    last_ops = _upserts(last)
    this_ops = _upserts(this) if this is not None else {}
    drifted: dict[Field, None] = {}
    conflicts: dict[Field, None] = {}
    for row_id, op in last_ops.items():
        row = live.get(op.table, row_id)
        if row is None:
            if op.table in (WORKSTREAM, QUEUE):
                continue  # an existing workstream or queue is not the channel's to check
            field = field_of(op.table, "")
            drifted[field] = None
            if row_id in this_ops:  # the publish would write the deleted row again
                conflicts[field] = None
            continue
        for column in differences(op, row):
            field = field_of(op.table, column)
            drifted[field] = None
            mine = this_ops.get(row_id)
            if this is not None and (mine is None or column in differences(mine, row)):
                conflicts[field] = None
    for row_id, table in _child_ids(live, _CHILD_TABLES).items():
        if row_id in last_ops or row_id in keep:
            continue
        field = field_of(table, "")
        drifted[field] = None  # a row added in the org
        if this is not None and row_id not in this_ops:
            conflicts[field] = None
    return Drift(tuple(drifted), tuple(conflicts))
