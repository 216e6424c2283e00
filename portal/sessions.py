"""Sessions end after an idle time and after an absolute time since sign-in, whichever comes first.

Django's own expiry (``SESSION_COOKIE_AGE``) moves forward each time the session is saved; this
middleware keeps the sign-in time and the last request's time in the session and signs the person
out when either limit has passed. The last request's time is written at most once a minute, so
ordinary page views don't each write the session.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

STARTED = "portal_session_started"
LAST_SEEN = "portal_session_last_seen"
# Who was signed out of this browser's session last: ``{"pk": user id, "username": name}``. It lets a
# page that reaches the portal after the sign-out give its unsaved work back to that person alone
# (``wizard.signed_out``).
SIGNED_OUT_USER = "portal_signed_out_user"
TOUCH_EVERY = 60


def remember_signed_out(request: HttpRequest, user: Any) -> None:
    """Note in the (new, signed-out) session who was just signed out of it."""
    request.session[SIGNED_OUT_USER] = {"pk": user.pk, "username": user.get_username()}


def forget_signed_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """``user_logged_in`` receiver: once someone has signed in, who was signed out before is moot."""
    if request is not None and hasattr(request, "session"):
        request.session.pop(SIGNED_OUT_USER, None)


def mark_signed_in(request: HttpRequest) -> None:
    now = int(time.time())
    request.session[STARTED] = now
    request.session[LAST_SEEN] = now


def expiry_reason(session: Mapping[str, Any], now: int) -> str | None:
    """Why the session has expired (``None`` if it has not)."""
    started = session.get(STARTED)
    last = session.get(LAST_SEEN)
    if isinstance(last, int) and now - last > settings.PORTAL_SESSION_IDLE_SECONDS:
        return "idle"
    if isinstance(started, int) and now - started > settings.PORTAL_SESSION_MAX_SECONDS:
        return "absolute"
    return None


class IdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            reason = expiry_reason(request.session, now)  # type: ignore[arg-type]
            if reason is not None:
                from portal import audit

                audit.record(user, "auth.session_expired", details={"reason": reason})
                request.session.flush()
                remember_signed_out(request, user)
                request.user = AnonymousUser()
                messages.info(
                    request,
                    _("You were signed out after a time without activity. Sign in again.")
                    if reason == "idle"
                    else _("Your session reached its maximum length. Sign in again."),
                )
            else:
                if STARTED not in request.session:
                    request.session[STARTED] = now
                last = request.session.get(LAST_SEEN)
                if not isinstance(last, int) or now - last >= TOUCH_EVERY:
                    request.session[LAST_SEEN] = now
        return self.get_response(request)
