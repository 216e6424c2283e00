"""Field-by-field differences between two snapshots of the wizard data.

Walks the step registry, so step titles, field labels and display values are the ones the wizard and
the review summary show. Row lists (domains, survey questions, automated messages) are compared row by
row with ``difflib.SequenceMatcher``: rows come out added, removed, changed or unchanged.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import cached_property
from typing import Any

from wizard.choices import BuiltinChoices, ChoiceProvider
from wizard.steps import Step
from wizard.summary import EMPTY, FieldEntry, RowsEntry, StepForms, iter_entries
from wizard.values import DraftValues

ADDED = "added"
REMOVED = "removed"
CHANGED = "changed"
UNCHANGED = "unchanged"


@dataclass(frozen=True)
class FieldChange:
    name: str
    label: str
    old: str
    new: str

    @property
    def changed(self) -> bool:
        return self.old != self.new

    @property
    def removes(self) -> bool:
        """Whether a value goes (an empty old side is nothing to strike through)."""
        return self.changed and self.old != EMPTY

    @property
    def adds(self) -> bool:
        return self.changed and self.new != EMPTY

    @property
    def is_rows(self) -> bool:
        return False


@dataclass(frozen=True)
class RowChange:
    kind: str  # ADDED, REMOVED, CHANGED or UNCHANGED
    old: str = ""
    new: str = ""
    old_number: int | None = None
    new_number: int | None = None


@dataclass(frozen=True)
class RowsChange:
    name: str
    label: str
    rows: list[RowChange]
    show_unchanged: bool = True

    @property
    def changed(self) -> bool:
        return len(self.rows) != self._counts.get(UNCHANGED, 0)

    @property
    def is_rows(self) -> bool:
        return True

    @cached_property
    def shown_rows(self) -> list[RowChange]:
        """The rows to list: unchanged ones only when unchanged fields are shown."""
        if self.show_unchanged:
            return self.rows
        return [row for row in self.rows if row.kind != UNCHANGED]

    @cached_property
    def _counts(self) -> Counter[str]:
        return Counter(row.kind for row in self.rows)

    def count(self, kind: str) -> int:
        return self._counts.get(kind, 0)

    @property
    def added(self) -> int:
        return self.count(ADDED)

    @property
    def removed(self) -> int:
        return self.count(REMOVED)

    @property
    def modified(self) -> int:
        return self.count(CHANGED)


@dataclass
class StepDiff:
    step: Step
    entries: list[FieldChange | RowsChange] = field(default_factory=list)
    hidden: int = 0  # unchanged entries left out

    @property
    def changed(self) -> bool:
        return any(entry.changed for entry in self.entries)


@dataclass
class Diff:
    steps: list[StepDiff]
    changed_count: int
    unchanged_count: int
    show_unchanged: bool
    # the new snapshot's entries, for a summary by step without walking the forms again
    new_entries: list[FieldEntry | RowsEntry] = field(default_factory=list)

    @property
    def has_changes(self) -> bool:
        return self.changed_count > 0


def _row_key(row: dict[str, Any], names: list[str]) -> tuple[str, ...]:
    return tuple(str(row.get(name, "")) for name in names)


def diff_rows(
    old_rows: list[dict[str, Any]],
    new_rows: list[dict[str, Any]],
    old_text: list[str],
    new_text: list[str],
    names: list[str],
) -> list[RowChange]:
    """Rows matched in order: equal runs are unchanged, replaced runs are changed pairwise."""
    old_keys = [_row_key(row, names) for row in old_rows]
    new_keys = [_row_key(row, names) for row in new_rows]
    changes: list[RowChange] = []
    matcher = SequenceMatcher(a=old_keys, b=new_keys, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for offset in range(i2 - i1):
                changes.append(
                    RowChange(
                        UNCHANGED,
                        old_text[i1 + offset],
                        new_text[j1 + offset],
                        i1 + offset + 1,
                        j1 + offset + 1,
                    )
                )
            continue
        old_span = list(range(i1, i2))
        new_span = list(range(j1, j2))
        for index in range(max(len(old_span), len(new_span))):
            i = old_span[index] if index < len(old_span) else None
            j = new_span[index] if index < len(new_span) else None
            if i is not None and j is not None:
                changes.append(RowChange(CHANGED, old_text[i], new_text[j], i + 1, j + 1))
            elif i is not None:
                changes.append(RowChange(REMOVED, old=old_text[i], old_number=i + 1))
            elif j is not None:
                changes.append(RowChange(ADDED, new=new_text[j], new_number=j + 1))
    return changes


def diff(
    old: dict[str, Any] | DraftValues | None,
    new: dict[str, Any] | DraftValues,
    choices: ChoiceProvider | None = None,
    *,
    show_unchanged: bool = False,
) -> Diff:
    """Compare ``old`` (``None``: never published) with ``new``, step by step in wizard order.

    Against ``None`` every setting that applies is new: the old side is empty, not the values a new
    draft starts with (those were never live, and they depend on the reader's language)."""
    choices = choices or BuiltinChoices()
    forms = StepForms(choices)
    never = old is None
    old_entries = list(iter_entries(old if old is not None else {}, choices, forms=forms))
    new_entries = list(iter_entries(new, choices, forms=forms))
    steps: dict[str, StepDiff] = {}
    changed_count = unchanged_count = 0
    for before, after in zip(old_entries, new_entries, strict=True):
        if (never or not before.applies) and not after.applies:
            continue  # off in both revisions: not a difference, and not an "unchanged" field either
        step_diff = steps.setdefault(after.step.slug, StepDiff(after.step))
        entry: FieldChange | RowsChange
        if isinstance(after, RowsEntry):
            assert isinstance(before, RowsEntry)
            names = after.row_set.field_names()
            entry = RowsChange(
                after.row_set.name,
                after.label,
                diff_rows(
                    [] if never else before.rows,
                    after.rows,
                    [] if never else before.displays,
                    after.displays,
                    names,
                ),
                show_unchanged,
            )
        else:
            assert isinstance(before, FieldEntry) and isinstance(after, FieldEntry)
            entry = FieldChange(after.name, after.label, EMPTY if never else before.display, after.display)
        if entry.changed:
            changed_count += 1
        else:
            unchanged_count += 1
            if not show_unchanged:
                step_diff.hidden += 1
                continue
        step_diff.entries.append(entry)
    return Diff(list(steps.values()), changed_count, unchanged_count, show_unchanged, new_entries)
