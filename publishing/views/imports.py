"""Import from environment: choose an environment, pick widgets, import them as channels."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods

from portal.http import AuthenticatedRequest
from portal.models import Environment
from portal.permissions import PUBLISH_CHANNEL, permission_required
from publishing.services import imports


def _environment(value: str) -> Environment | None:
    if not value:
        return None
    if not value.isdigit() or len(value) > 18:
        raise Http404
    return get_object_or_404(Environment, pk=int(value), archived=False)


@permission_required(PUBLISH_CHANNEL)
@require_http_methods(["GET", "POST"])
def import_channels(request: AuthenticatedRequest) -> HttpResponse:
    source = request.POST if request.method == "POST" else request.GET
    environment = _environment(source.get("environment", "").strip())
    context: dict[str, object] = {
        "environments": Environment.objects.filter(archived=False).order_by("name"),
        "environment": environment,
    }
    if environment is not None and request.method == "POST":
        try:
            context["results"] = imports.import_widgets(
                environment,
                request.POST.getlist("widget")[: imports.MAX_WIDGETS_PER_IMPORT + 1],
                request.user,  # type: ignore[arg-type]
            )
        except imports.ImportProblem as problem:
            context["problem"] = str(problem)
    if environment is not None:
        try:
            context["widgets"] = imports.list_widgets(environment)
        except imports.ImportProblem as problem:
            context.setdefault("problem", str(problem))
    return render(request, "publishing/import.html", context)
