"""'Sign in with Microsoft': redirect to Entra ID, then redeem the code and sign the person in."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

from portal.services import entra

FLOW_KEY = "entra-flow"
NEXT_KEY = "entra-next"


@login_not_required
@require_GET
def entra_login(request: HttpRequest) -> HttpResponse:
    if not entra.is_enabled():
        raise Http404("Microsoft sign-in is not configured.")
    next_url = request.GET.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        request.session[NEXT_KEY] = next_url
    else:
        request.session.pop(NEXT_KEY, None)
    try:
        flow = entra.start(request.build_absolute_uri(reverse("entra:callback")))
    except entra.SignInError as error:
        messages.error(request, str(error))
        return redirect("login")
    request.session[FLOW_KEY] = flow
    return redirect(flow["auth_uri"])


@login_not_required
@require_GET
def entra_callback(request: HttpRequest) -> HttpResponse:
    if not entra.is_enabled():
        raise Http404("Microsoft sign-in is not configured.")
    flow = request.session.pop(FLOW_KEY, None)
    try:
        claims = entra.finish(flow, request.GET.dict())
    except entra.SignInError as error:
        messages.error(request, str(error))
        return redirect("login")
    user = entra.user_for_claims(claims)
    if not user.is_active:
        messages.error(request, "This portal account is disabled. Ask a portal administrator.")
        return redirect("login")
    next_url = request.session.pop(NEXT_KEY, "") or reverse("home")
    login(request, user, backend="portal.auth_backends.CachedPermissionsBackend")
    return redirect(next_url)
