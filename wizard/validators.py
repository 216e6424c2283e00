"""Validators that match what Dataverse and the chat widget accept."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import idna
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.forms.lengths import TextMaxLengthValidator

_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$", re.IGNORECASE)
# Dataverse names used as context keys: letters, digits and underscores, starting with a letter.
_QUESTION_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def validate_https_url(value: str) -> None:
    """Only absolute https URLs with a host: never javascript:, data:, http or relative URLs."""
    if not value:
        return
    if any(ch.isspace() for ch in value) or any(ord(ch) < 32 for ch in value):
        raise ValidationError(_("Remove the spaces from the URL."), code="https")
    parts = urlsplit(value)
    if parts.scheme.lower() != "https":
        raise ValidationError(
            _(
                "Enter a URL that starts with https:// (other schemes such as http:, javascript: and data: are not allowed)."
            ),
            code="https",
        )
    if not parts.hostname or "." not in parts.hostname and parts.hostname != "localhost":
        raise ValidationError(
            _("Enter a full URL with a host name, such as https://www.contoso.com/."), code="https"
        )


def validate_domain(value: str) -> None:
    """A host name, optionally starting with a wildcard label, without scheme, path or port."""
    if "://" in value or value.lower().startswith(("http:", "https:")):
        raise ValidationError(
            _("Enter the domain without http:// or https://, for example www.contoso.com."),
            code="domain_scheme",
        )
    if "/" in value or ":" in value or "?" in value:
        raise ValidationError(
            _("Enter only the domain, without a path or port, for example www.contoso.com."),
            code="domain_path",
        )
    # Its length is the field's to check (max_length), with the one message every text field gives.
    labels = value.split(".")
    if labels[0] == "*":
        labels = labels[1:]
        if len(labels) < 2:
            raise ValidationError(
                _("A wildcard needs a domain after it, for example *.contoso.com."), code="domain_wildcard"
            )
    if "*" in "".join(labels):
        raise ValidationError(
            _("A wildcard may only be the first label, for example *.contoso.com."), code="domain_wildcard"
        )
    if len(labels) < 2 and value != "localhost":
        raise ValidationError(_("Enter a full domain such as contoso.com."), code="domain_invalid")
    if not value.isascii():
        # A browser gives a page's host in its ASCII form, converted as the URL standard says (UTS #46,
        # non-transitional: straße.de is xn--strae-oqa.de, not strasse.de as Python's own "idna" codec
        # of IDNA 2003 has it), so that is the form a listed domain has to be in to match.
        wildcard = "*." if value.startswith("*.") else ""
        try:
            ascii_form = wildcard + idna.encode(value.removeprefix(wildcard), uts46=True).decode("ascii")
        except idna.IDNAError:
            ascii_form = ""
        if ascii_form:
            raise ValidationError(
                _("Enter an international domain in its ASCII form: %(ascii)s instead of %(domain)s.")
                % {"ascii": ascii_form, "domain": value},
                code="domain_idna",
            )
    for label in labels:
        if len(label) > 63:  # RFC 1035: a label is at most 63 octets
            raise ValidationError(
                _("Each part between the dots can have at most 63 characters; one here has %(count)s.")
                % {"count": len(label)},
                code="domain_label_length",
            )
        if not _HOST_LABEL.match(label):
            raise ValidationError(
                _("“%(domain)s” is not a valid domain: use letters, digits and hyphens between the dots.")
                % {"domain": value},
                code="domain_invalid",
            )


def validate_question_name(value: str) -> None:
    if not _QUESTION_NAME.match(value):
        raise ValidationError(
            _(
                "Start the name with a letter A–Z and use only letters A–Z, digits and underscores (it becomes a context variable)."
            ),
            code="question_name",
        )


def dataverse_length(value: str) -> int:
    """The length of ``value`` as Dataverse counts it against a column's MaxLength: UTF-16 code units.

    Dataverse is a .NET service and a .NET string's ``Length`` counts UTF-16 code units, so a character
    outside the Basic Multilingual Plane (most emoji) counts twice (INFERRED from the platform; no
    Microsoft page states it for MaxLength). A JavaScript string's ``length`` counts the same units, so the
    step page's check while typing (``data-max-length``, portal.js) and the server agree. Python's
    ``len`` counts code points and would let such text through.
    """
    return len(value.encode("utf-16-le")) // 2


def fit_dataverse_length(value: str, limit: int) -> str:
    """``value`` cut to at most ``limit`` UTF-16 code units, never splitting a character."""
    if dataverse_length(value) <= limit:
        return value
    units = 0
    for index, char in enumerate(value):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return value[:index]
    return value


# The message of a text past its limit, as the save says it and as the step page says it while typing
# (portal.js fills in the two numbers).
TOO_LONG = gettext_lazy(
    "Shorten this text to at most %(limit)d characters (it has %(length)d; emoji and some other symbols "
    "count as two)."
)


class DataverseMaxLengthValidator(TextMaxLengthValidator):
    """Refuses text longer than a Dataverse column holds, counted as Dataverse counts it."""

    message = TOO_LONG
    code = "dataverse_max_length"

    @staticmethod
    def count(value: str) -> int:
        return dataverse_length(value)

    def deconstruct(self) -> tuple[str, tuple[int], dict[str, object]]:
        return ("wizard.validators.DataverseMaxLengthValidator", (self.limit,), {})
