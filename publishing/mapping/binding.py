"""Rows of an environment a channel has taken over, and the values it leaves as they are.

A channel the portal created in an environment names its rows by deterministic ids
(:func:`publishing.mapping.tables.row_id`). A channel imported from an environment keeps the ids its
rows already have there (``ids``: ``"<table>:<key>"`` → id, the keys the builders use), and:

- ``kept``: per row id, columns whose value the wizard cannot represent (a title longer than the
  form allows, a choice the wizard does not offer, a name the portal would derive differently):
  ``column → [what the mapping writes for the imported values, the value in the org]``. While the
  mapping still writes the first, the publish writes the second: the org's value goes back unchanged.
  Once the author changes the field, their value is written.
- ``keep_ids``: rows the publish neither writes nor deletes (an excluded domain, a message to agents,
  a question the wizard cannot hold), and rows the org never had that the mapping would otherwise add
  (the context variable of a question created outside the admin center).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from publishing.mapping.tables import Table, row_id


def key_of(table: Table, key: str) -> str:
    return f"{table.logical}:{key}"


@dataclass(frozen=True)
class Binding:
    ids: Mapping[str, str] = field(default_factory=dict)
    kept: Mapping[str, Mapping[str, list[Any]]] = field(default_factory=dict)
    keep_ids: frozenset[str] = frozenset()

    def id(self, channel_pk: int, environment_pk: int, table: Table, key: str) -> str:
        return self.ids.get(key_of(table, key)) or row_id(channel_pk, environment_pk, table, key)

    @classmethod
    def of(cls, data: Mapping[str, Any] | None) -> Binding:
        """From its JSON form (as stored): ``{"ids": …, "kept": …, "keep_ids": […]}``."""
        data = data or {}
        return cls(
            dict(data.get("ids") or {}),
            {str(k): dict(v) for k, v in (data.get("kept") or {}).items()},
            frozenset(str(i).lower() for i in data.get("keep_ids") or ()),
        )

    def json(self) -> dict[str, Any]:
        return {
            "ids": dict(self.ids),
            "kept": {k: dict(v) for k, v in self.kept.items()},
            "keep_ids": sorted(self.keep_ids),
        }


NO_BINDING = Binding()
