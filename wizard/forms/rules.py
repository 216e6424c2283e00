"""Rules that reach across steps: a setting on one step that disables controls on another.

Each rule has a name that the layout's :class:`wizard.forms.layout.DisabledBy` refers to; the step form
(rendering and cleaning), the drafts service (storing) and the reader (reading) all ask this table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from wizard.choices import ChoiceProvider
from wizard.forms.workstream import chats_are_persistent


@dataclass(frozen=True)
class Rule:
    holds: Callable[[Mapping[str, Any], ChoiceProvider | None], bool]  # over the draft's data
    reason: Promise  # under each disabled control
    notice: Promise  # after a save turned controls off


RULES: dict[str, Rule] = {
    "persistent_chat": Rule(
        chats_are_persistent,
        _("Persistent chats don't show this."),
        _("Position in queue and average wait time were turned off: persistent chats don't show them."),
    ),
}


def rule_holds(name: str, data: Mapping[str, Any], choices: ChoiceProvider | None) -> bool:
    return RULES[name].holds(data, choices)


def rule_reason(name: str) -> Promise:
    return RULES[name].reason
