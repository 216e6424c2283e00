"""The one registry of wizard steps.

URLs, the step navigation and progress, the reader of a draft's values (``wizard.values``), the review
summary and diff (``wizard.summary``) and the Dataverse mapping all walk this list; adding a field
means adding it to its step's form and to the mapping.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from wizard.choices import DEFAULT_LANGUAGE, text_language
from wizard.forms import AppearanceForm, BehaviorsForm, DetailsForm, FeaturesForm, StepForm, WorkstreamForm


@dataclass(frozen=True)
class Step:
    slug: str
    title: str | Promise
    form_class: type[StepForm] | None
    template: str

    @property
    def has_form(self) -> bool:
        return self.form_class is not None


STEPS: tuple[Step, ...] = (
    Step("details", _("Channel details"), DetailsForm, "wizard/steps/form_step.html"),
    Step("workstream", _("Workstream"), WorkstreamForm, "wizard/steps/form_step.html"),
    Step("appearance", _("Chat widget"), AppearanceForm, "wizard/steps/form_step.html"),
    Step("behaviors", _("Behaviors"), BehaviorsForm, "wizard/steps/form_step.html"),
    Step("features", _("User features"), FeaturesForm, "wizard/steps/form_step.html"),
    Step("review", _("Review and finish"), None, "wizard/steps/review_step.html"),
)
STEP_SLUGS = tuple(step.slug for step in STEPS)
FORM_STEPS = tuple(step for step in STEPS if step.form_class is not None)
FORM_STEP_SLUGS = tuple(step.slug for step in FORM_STEPS)
_BY_SLUG = {step.slug: step for step in STEPS}


def get_step(slug: str) -> Step:
    try:
        return _BY_SLUG[slug]
    except KeyError:
        raise Http404(f"No wizard step named {slug!r}.") from None


def step_index(slug: str) -> int:
    return STEP_SLUGS.index(slug)


def next_step(slug: str) -> Step | None:
    index = step_index(slug)
    return STEPS[index + 1] if index + 1 < len(STEPS) else None


def previous_step(slug: str) -> Step | None:
    index = step_index(slug)
    return STEPS[index - 1] if index > 0 else None


def default_data(language: str = DEFAULT_LANGUAGE) -> dict[str, dict[str, Any]]:
    """What a brand-new draft holds: every form step at its initial values. Their texts (the widget's
    title, the offline message...) are in the widget language ``language`` (a ``msdyn_localeid``; a new
    draft's is ``DEFAULT_LANGUAGE``), whatever language the author reads the portal in."""
    with translation.override(text_language(language)):
        return {step.slug: step.form_class.default_values() for step in FORM_STEPS if step.form_class}
