"""The refused step's error summary: one entry per error, each linking to the control it is about."""

from __future__ import annotations

from dataclasses import dataclass

from wizard.forms.base import StepForm


@dataclass(frozen=True)
class ProblemLink:
    label: str
    message: str
    anchor: str  # the id of the control (or of the row list) the error is about; "" when about the step
    row_limit: bool = False  # a row set's "at most N rows", which the page hides once rows are removed


def problem_links(form: StepForm) -> list[ProblemLink]:
    found: list[ProblemLink] = []
    if not form.is_bound:
        return found
    form.is_valid()
    # A row set over its limit links to its row group, which the page tells about as rows are removed.
    limits = {message: f"rows-{name}" for name, message in form.too_many_rows.items()}
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = str(field.label) if field is not None and field.label else ""
        anchor = form[name].auto_id if field is not None else ""
        for message in errors:
            limit = limits.get(str(message), "")
            found.append(ProblemLink(label, str(message), anchor or limit, row_limit=bool(limit)))
    for row_set in form.row_sets:
        if not form.row_set_enabled(row_set):
            continue
        for index, row in enumerate(form.rows[row_set.name].forms, start=1):
            for name, errors in row.errors.items():
                label = f"{row_set.row_label} {index}"
                anchor = f"rows-{row_set.name}"
                if name in row.fields:
                    label += f" – {row.fields[name].label}"
                    anchor = row[name].auto_id or anchor
                found.extend(ProblemLink(label, str(message), anchor) for message in errors)
    return found
