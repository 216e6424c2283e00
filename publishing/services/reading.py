"""Reading a chat widget's rows from an environment into :class:`~publishing.mapping.live.LiveRows`.

Reads go in ``$batch`` requests of GETs (no changeset): :class:`Reads` collects the queries, the
caller adds its own parts before or after, and :meth:`Reads.parse` fills the rows from the answers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from dataverse import Batch, DataverseClient
from dataverse.odata import query_string
from publishing.mapping import live as live_rows
from publishing.mapping.live import LiveRows
from publishing.mapping.tables import (
    ANSWER_OPTION,
    CHILD_LINKS,
    CONTEXT_VARIABLE,
    LANGUAGE,
    QUESTION,
    QUEUE,
    SEQUENCE,
    WIDGET,
    WORKSTREAM,
    Table,
)

# A filter on many ids is split so its URL stays short.
IDS_PER_QUERY = 40


def _any_of(column: str, ids: Iterable[str]) -> list[str]:
    unique = sorted({i.strip("{}").lower() for i in ids if i})
    return [
        " or ".join(f"{column} eq {i}" for i in unique[n : n + IDS_PER_QUERY])
        for n in range(0, len(unique), IDS_PER_QUERY)
    ]


class Reads:
    """GETs of rows into one LiveRows."""

    def __init__(self) -> None:
        self.queries: list[tuple[Table, str]] = []
        self.expand: dict[str, str] = {}  # table logical name → $expand

    def by(self, table: Table, column: str, ids: Iterable[str]) -> Reads:
        self.queries += [(table, flt) for flt in _any_of(column, ids)]
        return self

    def widget(self, widget_id: str) -> Reads:
        """The widget, its child rows and the languages (to read its language's locale id)."""
        self.by(WIDGET, WIDGET.primary_id, [widget_id])
        for table, link in CHILD_LINKS:
            self.by(table, f"_{link}_value", [widget_id])
        self.queries.append((LANGUAGE, ""))
        return self

    def add_to(self, batch: Batch) -> None:
        for table, flt in self.queries:
            batch.get(
                table.entity_set
                + query_string(
                    select=live_rows.select(table), filter=flt or None, expand=self.expand.get(table.logical)
                ),
                label=table.label,
            )

    def parse(self, parts: Sequence[dict[str, Any]], into: LiveRows | None = None) -> LiveRows:
        rows = into if into is not None else LiveRows()
        for (table, _flt), body in zip(self.queries, parts, strict=False):
            for row in body.get("value") or []:
                if table is WIDGET:
                    rows.widget = dict(row)
                elif table is LANGUAGE:
                    if row.get("msdyn_localeid") is not None:
                        rows.locales[str(row[LANGUAGE.primary_id]).lower()] = int(row["msdyn_localeid"])
                else:
                    rows.add(table, row)
                    queue = row.get("msdyn_defaultqueue") if table is WORKSTREAM else None
                    if isinstance(queue, dict) and queue.get(QUEUE.primary_id):
                        rows.add(QUEUE, queue)
        return rows

    def run(self, client: DataverseClient, into: LiveRows | None = None) -> LiveRows:
        if not self.queries:
            return into if into is not None else LiveRows()
        batch = Batch()
        self.add_to(batch)
        response = client.execute_batch(batch)
        return self.parse([part.json or {} for part in response.responses], into)


def read_widget(client: DataverseClient, widget_id: str) -> LiveRows:
    """Everything the reverse mapping needs of one widget: two read ``$batch`` requests."""
    rows = Reads().widget(widget_id).run(client)
    if rows.widget is None:
        return rows
    workstream = str(rows.widget.get("_msdyn_liveworkstreamid_value") or "")
    question_ids = [str(r.get("_msdyn_surveyquestion_value") or "") for r in rows.table(SEQUENCE)]
    second = Reads().by(WORKSTREAM, WORKSTREAM.primary_id, [workstream])
    # The workstream's fallback queue by name too: the wizard offers the default queue by its name.
    second.expand[WORKSTREAM.logical] = f"msdyn_defaultqueue($select={QUEUE.primary_id},{QUEUE.primary_name})"
    second.by(QUESTION, QUESTION.primary_id, question_ids)
    second.by(ANSWER_OPTION, "_msdyn_answeroptionsid_value", question_ids)
    second.by(CONTEXT_VARIABLE, "_msdyn_liveworkstreamid_value", [workstream])
    return second.run(client, rows)
