"""A step saved after the session ended is kept for its author.

The session can end while a step is open: an idle timeout, the maximum session length, a sign-out in
another tab. The step's Save or Next then reaches the portal signed out, and the sign-in page would be
the end of what was typed. :class:`KeepSignedOutSaveMiddleware` holds that form in the new (signed-out)
session, which Django keeps through sign-in (``django.contrib.auth.login`` cycles an anonymous
session's key and keeps its data); the step page then shows it again, not saved, to the person who
typed it, once they have signed in again and if they may still edit the channel (:func:`take`). It saves
nothing by itself.

Who typed it is who was signed out of that session last (``portal.sessions.SIGNED_OUT_USER``, noted
by the sign-out and by the idle timeout). A form that comes without that is not kept; whoever else signs
in next on that browser has it dropped at sign-in (:func:`drop_for_someone_else`), so that no one is
shown, or saves as their own, what another person typed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from portal.sessions import SIGNED_OUT_USER

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
        signed_out = request.session.get(SIGNED_OUT_USER)
        if not isinstance(signed_out, dict) or not isinstance(signed_out.get("pk"), int):
            return None  # no one to give it back to
        posted = {key: values for key, values in request.POST.lists() if key != "csrfmiddlewaretoken"}
        request.session[SESSION_KEY] = {
            "path": request.path,
            "post": posted,
            "at": int(time.time()),
            "user": signed_out["pk"],
        }
        messages.info(
            request,
            _(
                "You were signed out before your changes to this step were saved. Sign in again as "
                "%(user)s: they will be filled in on the step, ready to check and save."
            )
            % {"user": signed_out.get("username", "")},
        )
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(redirect_to_login(request.path).url)
        return None


def take(request: HttpRequest) -> QueryDict | None:
    """The form its signed-in reader posted signed out to this very step page, removed from the
    session (``None`` if there is none, it is someone else's, or it is over an hour old)."""
    kept = request.session.get(SESSION_KEY)
    if not isinstance(kept, dict) or kept.get("path") != request.path:
        return None
    del request.session[SESSION_KEY]
    if kept.get("user") != request.user.pk:
        return None
    posted = kept.get("post")
    if not isinstance(posted, dict) or time.time() - int(kept.get("at", 0)) > KEEP_SECONDS:
        return None
    data = QueryDict(mutable=True)
    for key, values in posted.items():
        if isinstance(values, list):
            data.setlist(str(key), [str(value) for value in values])
    return data


@receiver(user_logged_in, dispatch_uid="wizard.signed_out.drop_for_someone_else")
def drop_for_someone_else(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """At sign-in, forget a form kept for someone else."""
    if request is None or not hasattr(request, "session"):
        return
    kept = request.session.get(SESSION_KEY)
    if isinstance(kept, dict) and kept.get("user") != user.pk:
        del request.session[SESSION_KEY]
