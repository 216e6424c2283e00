"""Rules that reach across steps: a setting on one step that disables controls on another.

Each rule has a name that the layout's :class:`wizard.forms.layout.DisabledBy` refers to; the step form
(rendering and cleaning), the drafts service (storing) and the reader (reading) all ask this table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from wizard.choices import ChoiceProvider
from wizard.forms.workstream import chats_are_persistent

Rule = Callable[[Mapping[str, Any], "ChoiceProvider | None"], bool]

# name -> (holds(draft data, choices), why the controls are disabled)
RULES: dict[str, tuple[Rule, Promise]] = {
    "persistent_chat": (chats_are_persistent, _("Persistent chats don't show this.")),
}


def rule_holds(name: str, data: Mapping[str, Any], choices: ChoiceProvider | None) -> bool:
    return RULES[name][0](data, choices)


def rule_reason(name: str) -> Promise:
    return RULES[name][1]
