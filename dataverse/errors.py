"""Typed errors raised by the Dataverse client.

Every error carries what the service said (``code`` and ``message`` from the OData error body) plus where it
happened (``request_method``, ``request_url``). Tokens and secrets never appear in any attribute or message.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .odata import header_value

# Dataverse error codes that mean "a record with this key already exists" (DuplicateRecord,
# DuplicateRecordEntityKey). Kept in one place: the reference marks the 412 code values as partly unverified.
DUPLICATE_CODES = frozenset({"0x80040237", "0x80060892"})
DUPLICATE_MESSAGE_MARKERS = ("already exists", "duplicate key")


class DataverseError(Exception):
    """Base class for every error raised by the Dataverse client."""

    default_summary = "The Dataverse request failed"

    def __init__(
        self,
        message: str = "",
        *,
        status: int | None = None,
        code: str | None = None,
        retry_after: float | None = None,
        request_method: str | None = None,
        request_url: str | None = None,
        headers: Mapping[str, str] | None = None,
        body: Any = None,
        operation_label: str | None = None,
        content_id: str | None = None,
    ) -> None:
        self.message = message
        self.status = status
        self.code = code
        self.retry_after = retry_after
        self.request_method = request_method
        self.request_url = request_url
        self.headers: dict[str, str] = dict(headers or {})
        self.body = body
        self.operation_label = operation_label
        self.content_id = content_id
        #: True when the error was reported inside a ``$batch`` response part, not for the whole request.
        self.from_batch_part = False
        #: The parsed ``BatchResponse`` when the error came from a ``$batch`` call.
        self.batch_response: Any = None
        super().__init__(self.message)

    def __str__(self) -> str:
        where = ""
        if self.operation_label:
            where = f" for {self.operation_label}"
        elif self.content_id:
            where = f" in batch operation ${self.content_id}"
        status = (
            f" (HTTP {self.status}" + (f", code {self.code}" if self.code else "") + ")"
            if self.status
            else ""
        )
        text = f"{self.default_summary}{where}{status}"
        if self.message:
            text += f": {self.message}"
        if self.request_method and self.request_url:
            text += f" [{self.request_method} {self.request_url}]"
        return text

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status!r}, code={self.code!r}, message={self.message!r}, "
            f"request_method={self.request_method!r}, request_url={self.request_url!r})"
        )


class ValidationError(DataverseError):
    default_summary = "Dataverse rejected the request as invalid"


class AuthenticationError(DataverseError):
    default_summary = "Authentication with Dataverse failed"

    def __init__(self, message: str = "", *, www_authenticate: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.www_authenticate = www_authenticate

    def __str__(self) -> str:
        text = super().__str__()
        if self.www_authenticate:
            text += f" (challenge: {self.www_authenticate})"
        return text


class PrivilegeError(DataverseError):
    default_summary = "The application user lacks the privilege for this operation"


class NotFoundError(DataverseError):
    default_summary = "The Dataverse record or resource was not found"


class PreconditionFailedError(DataverseError):
    default_summary = "A Dataverse precondition failed"


class DuplicateError(PreconditionFailedError):
    default_summary = "A Dataverse record with the same key already exists"


class ThrottledError(DataverseError):
    default_summary = "Dataverse is busy (service protection limit reached)"

    def __str__(self) -> str:
        text = super().__str__()
        if self.retry_after is not None:
            text += f"; retry after {self.retry_after:g} s"
        return text


class ServiceUnavailableError(DataverseError):
    default_summary = "Dataverse is temporarily unavailable"


class TransportError(DataverseError):
    """No usable HTTP answer: connection refused or reset, DNS, TLS, or timeout."""

    default_summary = "Could not reach Dataverse"

    def __init__(
        self,
        message: str = "",
        *,
        timed_out: bool = False,
        may_have_committed: bool = False,
        before_send: bool = False,
        tls_failure: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.timed_out = timed_out
        #: True when a write's answer was lost after sending (read timeout, reset): it may have been applied.
        self.may_have_committed = may_have_committed
        #: True when the connection was never established, so nothing reached the service.
        self.before_send = before_send
        #: True for certificate or handshake failures; retrying does not help.
        self.tls_failure = tls_failure

    def __str__(self) -> str:
        text = super().__str__()
        if self.may_have_committed:
            text += " (the write may have been applied; check before repeating it if it is not idempotent)"
        return text


def parse_error_body(body: Any) -> tuple[str | None, str]:
    """Return ``(code, message)`` from an OData error body (dict, JSON text or bytes)."""
    if isinstance(body, bytes | bytearray):
        body = body.decode("utf-8", "replace")
    if isinstance(body, str):
        text = body.strip()
        if not text:
            return None, ""
        try:
            body = json.loads(text)
        except ValueError:
            return None, text[:500]
    if isinstance(body, Mapping):
        err = body.get("error")
        if isinstance(err, Mapping):
            code = err.get("code")
            return (str(code) if code is not None else None), str(err.get("message") or "")
        # Entra-style token endpoint errors: {"error": "invalid_client", "error_description": "..."}
        if isinstance(err, str):
            return err, str(body.get("error_description") or "")
    return None, ""


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After as seconds. Dataverse sends whole seconds; an HTTP date or garbage yields None."""
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return max(seconds, 0.0)


def error_for_status(
    status: int,
    headers: Mapping[str, str] | None = None,
    body: Any = None,
    *,
    request_method: str | None = None,
    request_url: str | None = None,
    operation_label: str | None = None,
    content_id: str | None = None,
) -> DataverseError:
    """Build the typed error for a failed HTTP answer (a whole response or one ``$batch`` part)."""
    headers = dict(headers or {})
    code, message = parse_error_body(body)
    kwargs: dict[str, Any] = {
        "status": status,
        "code": code,
        "request_method": request_method,
        "request_url": request_url,
        "headers": headers,
        "body": body,
        "operation_label": operation_label,
        "content_id": content_id,
        "retry_after": parse_retry_after(header_value(headers, "Retry-After")),
    }
    cls: type[DataverseError]
    if status == 400:
        cls = ValidationError
    elif status == 401:
        return AuthenticationError(
            message or "The access token was missing, expired or not accepted.",
            www_authenticate=header_value(headers, "WWW-Authenticate"),
            **kwargs,
        )
    elif status == 403:
        cls = PrivilegeError
    elif status == 404:
        cls = NotFoundError
    elif status == 412:
        lowered = message.lower()
        duplicate = (code or "").lower() in DUPLICATE_CODES or any(
            m in lowered for m in DUPLICATE_MESSAGE_MARKERS
        )
        cls = DuplicateError if duplicate else PreconditionFailedError
    elif status == 429:
        cls = ThrottledError
    elif status >= 500:
        cls = ServiceUnavailableError
    else:
        cls = DataverseError
    return cls(message, **kwargs)
