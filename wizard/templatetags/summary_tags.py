"""``{% summary_entries entries %}``: the settings of one step as the body of a definition list.

Drawn in Python rather than by a template loop: the review step draws every step's settings after a
walk through the wizard, about sixty entries, and the template engine spent more on them than on the
rest of the page. Every text is escaped (``conditional_escape``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

register = template.Library()


@register.simple_tag
def summary_entries(entries: Iterable[Any]) -> SafeString:
    """``entries`` (``wizard.summary.FieldEntry`` / ``RowsEntry``) as ``<dt>``/``<dd>`` pairs; settings
    that don't apply (their toggle is off) are left out."""
    return mark_safe("".join(_entry(entry) for entry in entries if entry.applies))  # noqa: S308


def _entry(entry: Any) -> str:
    label = conditional_escape(entry.label)
    if entry.is_rows:
        if entry.displays:
            tag = "ol" if entry.row_set.ordered else "ul"
            items = "".join(f"<li>{conditional_escape(text)}</li>" for text in entry.displays)
            shown = f'<{tag} class="ps-3 mb-0">{items}</{tag}>'
        else:
            shown = "—"
        return f'<dt class="col-sm-5">{label}</dt><dd class="col-sm-7">{shown}</dd>'
    if entry.refused:
        message = gettext("Not accepted yet: “%(typed)s” (kept on the step; fix it there).")
        shown = f'<span class="text-danger">{conditional_escape(message % {"typed": entry.refused})}</span>'
    else:
        shown = conditional_escape(entry.display)
    return f'<dt class="col-sm-5">{label}</dt><dd class="col-sm-7 text-break">{shown}</dd>'
