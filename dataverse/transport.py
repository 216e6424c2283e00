"""HTTP session construction and translation of ``requests`` exceptions into :class:`TransportError`."""

from __future__ import annotations

import socket
import ssl
from typing import Any
from urllib.parse import urlsplit

import requests

from .errors import TransportError

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def build_session(ca_file: str | None = None) -> requests.Session:
    """A session that trusts ``ca_file`` (or the default store) and ignores proxy/CA environment variables.

    ``trust_env`` is off because ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE`` would otherwise silently override
    ``verify`` for every request made through the session.
    """
    session = requests.Session()
    session.trust_env = False
    session.verify = ca_file or True
    return session


def _causes(exc: BaseException) -> list[BaseException]:
    """The exception, its wrapped reasons (urllib3 style) and its ``__cause__``/``__context__`` chain."""
    seen: list[BaseException] = []
    stack: list[BaseException] = [exc]
    while stack:
        current = stack.pop()
        if any(current is s for s in seen):
            continue
        seen.append(current)
        for nxt in (getattr(current, "reason", None), current.__cause__, current.__context__, *current.args):
            if isinstance(nxt, BaseException):
                stack.append(nxt)
    return seen


def tls_reason(exc: BaseException) -> str | None:
    """The OpenSSL reason of a TLS failure, e.g. ``certificate verify failed: unable to get ...``."""
    causes = _causes(exc)
    for cause in causes:
        if isinstance(cause, ssl.SSLCertVerificationError):
            detail = cause.verify_message or cause.reason or ""
            return f"certificate verify failed: {detail}".rstrip(": ")
    for cause in causes:
        if isinstance(cause, ssl.SSLError):
            return str(cause.reason or cause)
    text = str(exc)
    marker = "certificate verify failed"
    if marker in text.lower():
        start = text.lower().index(marker)
        return text[start:].split("'")[0].split(")")[0].strip()
    return None


def _connection_never_made(exc: BaseException) -> bool:
    try:
        from urllib3.exceptions import NewConnectionError
    except ImportError:  # pragma: no cover
        return False
    return any(isinstance(c, NewConnectionError | ConnectionRefusedError) for c in _causes(exc))


def _why_not_connected(exc: BaseException, url: str) -> str:
    """Why a connection was never made, in words an administrator can act on (the exception's repr
    names pools and retries, which helps nobody)."""
    from urllib3.exceptions import NameResolutionError

    parts = urlsplit(url)
    host = parts.hostname or url
    causes = list(_causes(exc))
    if any(isinstance(c, NameResolutionError | socket.gaierror) for c in causes):
        return f"The host name {host} could not be found (DNS): check the address for typing mistakes."
    if any(isinstance(c, ConnectionRefusedError) for c in causes):
        return f"{host} port {parts.port or 443} refused the connection: nothing is listening there."
    return f"Could not connect to {host}."


def transport_error(exc: requests.RequestException, method: str, url: str) -> TransportError:
    """Translate a ``requests`` exception raised while sending ``method url``."""
    method = method.upper()
    is_write = method in WRITE_METHODS
    common: dict[str, Any] = {"request_method": method, "request_url": url}
    if isinstance(exc, requests.exceptions.SSLError):
        reason = tls_reason(exc) or "TLS handshake failed"
        return TransportError(
            f"TLS error talking to the server: {reason}", tls_failure=True, before_send=True, **common
        )
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return TransportError(
            "Timed out while connecting to the server.", timed_out=True, before_send=True, **common
        )
    if isinstance(exc, requests.exceptions.Timeout):
        return TransportError(
            "Timed out waiting for the server's answer.",
            timed_out=True,
            may_have_committed=is_write,
            **common,
        )
    if isinstance(exc, requests.exceptions.ConnectionError):
        if _connection_never_made(exc):
            return TransportError(_why_not_connected(exc, url), before_send=True, **common)
        return TransportError(f"The connection failed: {exc}", may_have_committed=is_write, **common)
    return TransportError(f"The HTTP request failed: {exc}", may_have_committed=is_write, **common)
