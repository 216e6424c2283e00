"""Sign-in throttling on top of django-axes: a low limit per account and a higher one per address.

django-axes applies one failure limit to every lockout parameter. Here the address-wide count is scaled
so the address locks only after ``PORTAL_SIGN_IN_ADDRESS_FAILURE_LIMIT`` failures: one person's typos
lock their own account long before they lock everyone else signing in from the same office address.
"""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_parameters, get_client_username
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

# Set on the request when a sign-in was refused because of a lock (whatever the password), so the audit
# records that attempt once, as a lockout, and not also as a failed password.
BLOCKED_FLAG = "portal_sign_in_blocked"


def account_limit() -> int:
    return int(settings.AXES_FAILURE_LIMIT)


def address_limit() -> int:
    return max(int(settings.PORTAL_SIGN_IN_ADDRESS_FAILURE_LIMIT), account_limit())


def lockout_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


class AccountAndAddressHandler(AxesDatabaseHandler):
    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        limit, wide = account_limit(), address_limit()
        parameters = get_client_parameters(
            get_client_username(request, credentials),
            request.axes_ip_address,  # type: ignore[attr-defined]
            request.axes_user_agent,  # type: ignore[attr-defined]
            request,
            credentials,
        )
        counts: list[int] = []
        for filters, attempts in zip(parameters, self.get_user_attempts(request, credentials), strict=True):
            total = attempts.aggregate(Sum("failures_since_start"))["failures_since_start__sum"] or 0
            if "username" in filters:
                counts.append(total)
            else:
                # ``total * limit // wide`` reaches ``limit`` exactly when ``total`` reaches ``wide``.
                counts.append(total * limit // wide)
        return max(counts, default=0)


class ThrottlingBackend(AxesStandaloneBackend):
    def authenticate(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().authenticate(request, *args, **kwargs)
        except AxesBackendPermissionDenied:
            if request is not None:
                setattr(request, BLOCKED_FLAG, True)
            raise


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The lockout page: says how long the lock lasts and what triggered it (django-axes' lockout callable)."""
    context = {
        "failure_limit": account_limit(),
        "address_limit": address_limit(),
        "minutes": lockout_minutes(),
    }
    return render(request, "registration/locked_out.html", context, status=429)
