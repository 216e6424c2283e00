"""Sign-ins, failed sign-ins, sign-outs and lockouts go to the audit log (never a password)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from portal import audit
from portal.sessions import mark_signed_in
from portal.sign_in_throttle import BLOCKED_FLAG

MAX_USERNAME = 150


def _address(request: HttpRequest | None) -> str:
    return str((request.META.get("REMOTE_ADDR") if request is not None else "") or "")[:45]


@receiver(user_logged_in, dispatch_uid="portal-audit-sign-in")
def signed_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        mark_signed_in(request)
    audit.record(user, "auth.signed_in", details={"address": _address(request)})


@receiver(user_logged_out, dispatch_uid="portal-audit-sign-out")
def signed_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit.record(user, "auth.signed_out", details={"address": _address(request)})


@receiver(user_login_failed, dispatch_uid="portal-audit-sign-in-failed")
def sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    if getattr(request, BLOCKED_FLAG, False):
        return  # refused because of a lock: audited once, as a lockout (_locked_out)
    # Only the username is kept: Django already masks the password in ``credentials``, and it is never
    # read here.
    username = str(credentials.get("username") or "")[:MAX_USERNAME]
    audit.record(None, "auth.sign_in_failed", details={"username": username, "address": _address(request)})


def _locked_out(
    sender: Any, request: HttpRequest | None, username: str | None, ip_address: str | None, **kwargs: Any
) -> None:
    audit.record(
        None,
        "auth.locked_out",
        details={"username": str(username or "")[:MAX_USERNAME], "address": str(ip_address or "")[:45]},
    )


def connect_lockouts() -> None:
    from axes.signals import user_locked_out

    user_locked_out.connect(_locked_out, dispatch_uid="portal-audit-locked-out")


def axes_username(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str:
    """The username django-axes counts failures for, cut to what its table holds (and a username can be)."""
    if credentials:
        value = credentials.get("username")
    else:
        value = getattr(request, "POST", {}).get("username") if request is not None else None
    return str(value or "")[:MAX_USERNAME]
