"""Sign-in and sign-out pages: Django's views, with a warning before the last attempt and a sign-out notice."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from portal.sessions import remember_signed_out
from portal.sign_in_throttle import account_limit, lockout_minutes


class SignInView(auth_views.LoginView):
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        # django-axes sets this after a failed password; the count is per account (portal.sign_in_throttle).
        failures = getattr(self.request, "axes_failures_since_start", None)
        context["last_attempt_warning"] = failures is not None and failures == account_limit() - 1
        context["lockout_minutes"] = lockout_minutes()
        return context


class SignOutView(auth_views.LogoutView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        response = super().post(request, *args, **kwargs)
        if user.is_authenticated:
            remember_signed_out(request, user)
        messages.info(request, _("You are signed out."))
        return response
