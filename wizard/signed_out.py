"""A step saved after the session ended is kept for its author.

The session can end while a step is open: an idle timeout, the maximum session length, a sign-out in
another tab. The step's Save or Next then reaches the portal signed out, and the sign-in page would be
the end of what was typed. :class:`KeepSignedOutSaveMiddleware` holds that form in the new (signed-out)
session, which Django keeps through sign-in (``django.contrib.auth.login`` cycles an anonymous
session's key and keeps its data); the step page then shows it again, not saved, to whoever signs in
and may edit the channel (:func:`take`). It saves nothing by itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

SESSION_KEY = "wizard_signed_out_save"
KEEP_SECONDS = 3600
# A step's form is a few KB; a bigger body is no step form and would only grow a signed-out session.
MAX_KEPT_BYTES = 64 * 1024
STEP_VIEW = "wizard:step"


class KeepSignedOutSaveMiddleware:
    """Before ``LoginRequiredMiddleware``: keeps a step form posted signed out, then lets the sign-in
    redirect happen. An htmx save is sent to the sign-in page as a whole-page visit (``HX-Redirect``),
    so the message below is shown there rather than read by htmx following the redirect itself."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        if request.method != "POST" or request.user.is_authenticated:
            return None
        if match is None or match.view_name != STEP_VIEW:
            return None
        try:
            if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_KEPT_BYTES:
                return None
        except ValueError:
            return None
        posted = {key: values for key, values in request.POST.lists() if key != "csrfmiddlewaretoken"}
        request.session[SESSION_KEY] = {"path": request.path, "post": posted, "at": int(time.time())}
        messages.info(
            request,
            _(
                "You were signed out before your changes to this step were saved. Sign in again: they "
                "will be filled in on the step, ready to check and save."
            ),
        )
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(redirect_to_login(request.path).url)
        return None


def take(request: HttpRequest) -> QueryDict | None:
    """The form posted signed out to this very step page, removed from the session (``None`` if there
    is none, or it is over an hour old)."""
    kept = request.session.get(SESSION_KEY)
    if not isinstance(kept, dict) or kept.get("path") != request.path:
        return None
    del request.session[SESSION_KEY]
    posted = kept.get("post")
    if not isinstance(posted, dict) or time.time() - int(kept.get("at", 0)) > KEEP_SECONDS:
        return None
    data = QueryDict(mutable=True)
    for key, values in posted.items():
        if isinstance(values, list):
            data.setlist(str(key), [str(value) for value in values])
    return data
