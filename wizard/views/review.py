"""The review page of the revision in review."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from portal.permissions import VIEW_CHANNEL


@permission_required(VIEW_CHANNEL, raise_exception=True)
def review(request: HttpRequest, pk: int) -> HttpResponse:
    return redirect("wizard:step", pk, "review")
