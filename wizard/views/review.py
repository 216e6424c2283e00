"""The review page of the revision in review."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import redirect

from portal.http import AuthenticatedRequest
from portal.permissions import VIEW_CHANNEL


@permission_required(VIEW_CHANNEL, raise_exception=True)
def review(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return redirect("wizard:step", pk, "review")
