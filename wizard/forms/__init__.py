from wizard.forms.appearance import AppearanceForm
from wizard.forms.base import RowSet, StepContext, StepForm
from wizard.forms.behaviors import BehaviorsForm
from wizard.forms.details import DetailsForm
from wizard.forms.features import FeaturesForm
from wizard.forms.workstream import WorkstreamForm

__all__ = [
    "AppearanceForm",
    "BehaviorsForm",
    "DetailsForm",
    "FeaturesForm",
    "RowSet",
    "StepContext",
    "StepForm",
    "WorkstreamForm",
]
