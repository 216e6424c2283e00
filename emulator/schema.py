"""The Dataverse tables the emulator serves, built from the metadata snapshot `metadata_snapshot.json`.

The snapshot is data: per table its entity set, primary id and name, typed columns (max length, required
level, choices), lookups (column → navigation property and target table, the N:1 side) and the N:N
relationships; each table names the public reference page it came from. Everything else in the emulator
reads this module, so a fix to the snapshot is a fix to every rule that uses it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SNAPSHOT = Path(__file__).with_name("metadata_snapshot.json")

STRING = "String"
MEMO = "Memo"
INTEGER = "Integer"
BOOLEAN = "Boolean"
PICKLIST = "Picklist"
MULTISELECT = "MultiSelectPicklist"
LOOKUP = "Lookup"
UNIQUEID = "Uniqueidentifier"
DATETIME = "DateTime"
STATE = "State"
STATUS = "Status"
BIGINT = "BigInt"

# Relationship kinds as the entity reference pages name them.
MANY_TO_ONE = "N:1"
ONE_TO_MANY = "1:N"
MANY_TO_MANY = "N:N"


@dataclass(frozen=True)
class Column:
    type: str
    max_length: int | None = None
    options: dict[int, str] | None = None
    read_only: bool = False
    required: str = "None"  # None / Recommended / ApplicationRequired / SystemRequired
    min_value: int | None = None
    max_value: int | None = None


@dataclass(frozen=True)
class Lookup:
    nav: str
    column: str
    target: str


@dataclass(frozen=True)
class ManyToMany:
    name: str
    table1: str
    table2: str


@dataclass
class Table:
    logical: str
    entity_set: str
    primary_id: str
    primary_name: str
    display: str
    columns: dict[str, Column] = field(default_factory=dict)
    lookups: list[Lookup] = field(default_factory=list)
    source: dict[str, str] = field(default_factory=dict)

    def lookup_by_nav(self, nav: str) -> Lookup | None:
        return next((lk for lk in self.lookups if lk.nav == nav), None)

    def lookup_by_column(self, column: str) -> Lookup | None:
        return next((lk for lk in self.lookups if lk.column == column), None)


def _column(spec: dict[str, Any]) -> Column:
    kind = spec["type"]
    options: dict[int, str] | None = None
    if kind == BOOLEAN:
        false_label, true_label = spec.get("labels", ["No", "Yes"])
        options = {0: false_label, 1: true_label}
    elif "options" in spec:
        options = {int(value): label for value, label in spec["options"].items()}
    return Column(
        kind,
        max_length=spec.get("max_length"),
        options=options,
        read_only=bool(spec.get("read_only")),
        required=spec.get("required", "None"),
        min_value=spec.get("min"),
        max_value=spec.get("max"),
    )


def _table(logical: str, spec: dict[str, Any]) -> Table:
    columns = {name: _column(col) for name, col in spec["columns"].items()}
    lookups = []
    for column, lk in spec["lookups"].items():
        lookups.append(Lookup(lk["nav"], column, lk["target"]))
        columns[column] = Column(LOOKUP, required=lk.get("required", "None"))
    return Table(
        logical,
        spec["entity_set"],
        spec["primary_id"],
        spec["primary_name"],
        spec["display"],
        columns,
        lookups,
        spec["source"],
    )


def load(path: Path = SNAPSHOT) -> dict[str, Any]:
    """The snapshot as stored: `{"tables": {...}, "relationships": [...], "restrict_delete": [...]}`."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


_DATA = load()
TABLES: dict[str, Table] = {logical: _table(logical, spec) for logical, spec in _DATA["tables"].items()}
BY_ENTITY_SET: dict[str, Table] = {t.entity_set: t for t in TABLES.values()}
RELATIONSHIPS: dict[str, ManyToMany] = {
    r["name"]: ManyToMany(r["name"], r["table1"], r["table2"])
    for r in _DATA["relationships"]
    if r["kind"] == MANY_TO_MANY
}
# Deleting a row referenced by these lookups is refused (cascade "Restrict").
RESTRICT_DELETE: list[tuple[str, str]] = [(r["table"], r["column"]) for r in _DATA["restrict_delete"]]


def collection_navs(table: str) -> dict[str, tuple[ManyToMany, str]]:
    """Collection-valued navigation properties of a table: name -> (relationship, target table)."""
    navs: dict[str, tuple[ManyToMany, str]] = {}
    for rel in RELATIONSHIPS.values():
        if rel.table1 == table:
            navs[rel.name] = (rel, rel.table2)
        elif rel.table2 == table:
            navs[rel.name] = (rel, rel.table1)
    return navs


def nav_kind(table: str, nav: str) -> str | None:
    """The relationship kind behind a navigation property of `table` (N:1 or N:N), None when unknown."""
    if TABLES[table].lookup_by_nav(nav) is not None:
        return MANY_TO_ONE
    if nav in collection_navs(table):
        return MANY_TO_MANY
    return None
