"""Text length limits said instead of enforced by the browser.

A browser enforces ``maxlength`` by cutting typed or pasted text short without a word. A form with
:class:`LengthLimitMixin` draws each text limit as ``data-max-length`` instead: portal.js says the text is
too long as soon as it is (with the form's ``data-too-long-message``, :attr:`LengthLimitMixin.too_long_message`),
and the server refuses it with the same message and shows the form again with the text whole.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy

# Said by the server and, with the two numbers filled in, by portal.js while the user types.
# Characters as Python counts them; portal.js counts the same (data-count-characters).
TEXT_TOO_LONG = gettext_lazy("Shorten this text to at most %(limit)d characters (it has %(length)d).")


def too_long(limit: int, length: int) -> str:
    """:data:`TEXT_TOO_LONG` with its numbers, for a limit checked outside a form."""
    return str(TEXT_TOO_LONG) % {"limit": limit, "length": length}


class TextMaxLengthValidator:
    """Refuses text longer than ``limit``, counted by :meth:`count` (characters), with :attr:`message`."""

    message: Any = TEXT_TOO_LONG
    code = "max_length"

    def __init__(self, limit: int) -> None:
        self.limit = limit

    @staticmethod
    def count(value: str) -> int:
        return len(value)

    def __call__(self, value: str) -> None:
        length = self.count(value or "")
        if length > self.limit:
            raise ValidationError(
                self.message, code=self.code, params={"limit": self.limit, "length": length}
            )

    def __eq__(self, other: object) -> bool:
        return (
            type(other) is type(self)
            and isinstance(other, TextMaxLengthValidator)
            and other.limit == self.limit
        )


class LengthLimitMixin:
    """For a form: every field's ``maxlength`` becomes ``data-max-length``, checked with one message.

    The template puts :attr:`too_long_message` on the ``<form>`` as ``data-too-long-message``; it is
    passed from Python because ``{% translate %}`` can't carry a Korean message holding ``%(limit)d``.
    """

    too_long_message = TEXT_TOO_LONG
    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_lengths: dict[str, int] = {}
        for name, field in self.fields.items():
            limit = field.widget.attrs.pop("maxlength", None)
            if limit is None:
                continue
            self.max_lengths[name] = int(limit)
            field.widget.attrs["data-max-length"] = limit
            field.widget.attrs["data-count-characters"] = True
            field.validators = [
                validator for validator in field.validators if not isinstance(validator, MaxLengthValidator)
            ] + [TextMaxLengthValidator(int(limit))]
