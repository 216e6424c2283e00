from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crispy_forms.layout import Field, Fieldset, Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from wizard.choices import DEFAULT_MESSAGING_QUEUE, ChoiceProvider
from wizard.forms.base import StepForm
from wizard.forms.fields import DataverseCharField
from wizard.forms.layout import ShowWhen, is_on
from wizard.options import DISTRIBUTION_MODES, DISTRIBUTION_PUSH

NEW = "new"
EXISTING = "existing"


class WorkstreamForm(StepForm):
    # Required while shown (clean() says so): their labels carry the required marker.
    required_when_shown = frozenset(
        {"workstream_name", "existing_workstream", "fallback_queue_name", "existing_queue"}
    )
    workstream_mode = forms.ChoiceField(
        label=_("Workstream"),
        choices=[(NEW, _("Create new workstream")), (EXISTING, _("Use existing workstream"))],
        initial=NEW,
        widget=forms.RadioSelect,
    )
    workstream_name = DataverseCharField(
        label=_("Workstream name"),
        max_length=100,
        required=False,
    )
    existing_workstream = forms.ChoiceField(
        label=_("Existing workstream"),
        required=False,
        help_text=_(
            "The chat widget follows the workstream's conversation mode: chats on a workstream marked "
            "(persistent chat) are persistent and need authentication settings."
        ),
    )
    distribution_mode = forms.ChoiceField(
        label=_("Work distribution mode"),
        choices=DISTRIBUTION_MODES,
        initial=DISTRIBUTION_PUSH,
        widget=forms.RadioSelect,
        help_text=_(
            "Push sends each chat to an available agent; with Pick, agents choose chats themselves. "
            "This can't be changed after the workstream is created."
        ),
    )
    persistent_chat = forms.BooleanField(
        label=_("Make chats persistent"),
        required=False,
        help_text=_(
            "Customers can come back to the same conversation later. Needs authentication settings "
            "and turns off position in queue and average wait time."
        ),
    )
    fallback_queue_mode = forms.ChoiceField(
        label=_("Fallback queue"),
        choices=[(EXISTING, _("Choose existing")), (NEW, _("Create new"))],
        initial=EXISTING,
        widget=forms.RadioSelect,
        help_text=_("Chats go here when no route-to-queue rule matches or routing fails."),
    )
    fallback_queue_name = DataverseCharField(
        label=_("Fallback queue name"),
        max_length=100,
        required=False,
    )
    existing_queue = forms.ChoiceField(
        label=_("Existing queue"), required=False, initial=DEFAULT_MESSAGING_QUEUE
    )

    def setup_choices(self) -> None:
        workstreams = self.choices.workstreams()
        persistent = persistent_workstream_ids(self.choices)
        # The widget follows an existing workstream's conversation mode: say which mode each one has.
        options = [
            (value, _("%(name)s (persistent chat)") % {"name": label} if value in persistent else label)
            for value, label in workstreams.options
        ]
        self.set_choices("existing_workstream", [("", _("Choose a workstream"))] + options)
        self.set_choices("existing_queue", [("", _("Choose a queue"))] + self.choices.queues().options)

    @classmethod
    def build_layout(cls) -> Any:
        return Layout(
            Fieldset(
                "",
                "workstream_mode",
                ShowWhen("workstream_mode=new", Field("workstream_name", autocomplete="off")),
                ShowWhen("workstream_mode=existing", "existing_workstream"),
                # An existing workstream keeps its own mode; the choice applies to a new one only.
                ShowWhen("workstream_mode=new", "distribution_mode"),
                # An existing workstream's chats are persistent or not already: the widget follows it.
                ShowWhen("workstream_mode=new", "persistent_chat"),
                "fallback_queue_mode",
                ShowWhen("fallback_queue_mode=new", Field("fallback_queue_name", autocomplete="off")),
                ShowWhen("fallback_queue_mode=existing", "existing_queue"),
            )
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("workstream_mode") == NEW and not data.get("workstream_name"):
            self.add_missing("workstream_name", _("Enter a name for the new workstream."))
        if data.get("workstream_mode") == EXISTING and not data.get("existing_workstream"):
            self.add_missing("existing_workstream", _("Choose the workstream to use, or create a new one."))
        if data.get("workstream_mode") == EXISTING and data.get("existing_workstream"):
            data["persistent_chat"] = data["existing_workstream"] in persistent_workstream_ids(self.choices)
        if data.get("fallback_queue_mode") == NEW and not data.get("fallback_queue_name"):
            self.add_missing("fallback_queue_name", _("Enter a name for the new fallback queue."))
        if data.get("fallback_queue_mode") == EXISTING and not data.get("existing_queue"):
            self.add_missing("existing_queue", _("Choose the fallback queue, or create a new one."))
        published = (self.context.published_data or {}).get("workstream") or {}
        before, now = published.get("distribution_mode"), data.get("distribution_mode")
        if (
            before
            and now
            and before != now
            and data.get("workstream_mode") == published.get("workstream_mode")
        ):
            self.add_error(
                "distribution_mode",
                _(
                    "The work distribution mode can't be changed after the workstream was published. "
                    "Set it back, or create a new workstream for the other mode."
                ),
            )
        return data


def persistent_workstream_ids(choices: ChoiceProvider) -> set[str]:
    """Ids (or names, in the builtin lists) of the environment's chat workstreams whose chats are
    persistent (msdyn_conversationmode 192350001)."""
    return {value for value, _label in choices.persistent_workstreams().options}


def chats_are_persistent(data: Mapping[str, Any], choices: ChoiceProvider | None) -> bool:
    """Whether the channel's chats are persistent: chosen for a new workstream, the existing
    workstream's own mode otherwise (read from the environment, so a draft saved before the workstream
    changed still follows it; without the environment's lists it is not known here and reads as off —
    the publish reads the mode from the org itself)."""
    workstream = data.get("workstream") or {}
    if workstream.get("workstream_mode") == EXISTING:
        existing = workstream.get("existing_workstream")
        return bool(existing) and choices is not None and str(existing) in persistent_workstream_ids(choices)
    return is_on(PERSISTENT_FIELD.clean(workstream.get("persistent_chat")))


PERSISTENT_FIELD = WorkstreamForm.base_fields["persistent_chat"]
