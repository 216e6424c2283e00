"""Form fields shared by the step forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxLengthValidator

from wizard.validators import DataverseMaxLengthValidator


class DataverseCharField(forms.CharField):
    """Text for a Dataverse string column holding ``max_length``.

    Refused past the column's length as Dataverse counts it (UTF-16 code units,
    :class:`~wizard.validators.DataverseMaxLengthValidator`), with that one message instead of Django's
    second one counting code points. The step page draws the limit as ``data-max-length``
    (``wizard.forms.rendering``), which portal.js checks in UTF-16 code units too.
    """

    def __init__(self, *, max_length: int, **kwargs: Any) -> None:
        super().__init__(max_length=max_length, **kwargs)
        self.validators = [v for v in self.validators if not isinstance(v, MaxLengthValidator)]
        self.validators.append(DataverseMaxLengthValidator(max_length))
