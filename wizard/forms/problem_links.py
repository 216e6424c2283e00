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
    """The form's errors in the order of their controls on the page (the step's own errors first), so
    that the summary reads as the page does, for keyboard and screen-reader users too."""
    if not form.is_bound:
        return []
    form.is_valid()
    places = form.places()
    found: list[tuple[int, ProblemLink]] = []
    # A row set over its limit links to its row group, which the page tells about as rows are removed.
    limits = {message: f"rows-{name}" for name, message in form.too_many_rows.items()}
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = str(field.label) if field is not None and field.label else ""
        anchor = form[name].auto_id if field is not None else ""
        for message in errors:
            limit = limits.get(str(message), "")
            place = places.get(name, -1 if field is None else len(places))
            found.append((place, ProblemLink(label, str(message), anchor or limit, row_limit=bool(limit))))
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
                place = places.get(row_set.name, len(places))
                found.extend((place, ProblemLink(label, str(message), anchor)) for message in errors)
    found.sort(key=lambda placed: placed[0])  # stable: a row's errors keep their order
    return [link for _place, link in found]
