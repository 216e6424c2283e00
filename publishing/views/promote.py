"""Promote to… (bind the revision's values to the target's rows, then publish there) and Compare environments."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from portal.http import AuthenticatedRequest
from portal.models import Environment
from portal.permissions import PUBLISH_CHANNEL, VIEW_CHANNEL, permission_required
from publishing.services import compare as compare_service
from publishing.services import promote as service
from wizard.models import Channel
from wizard.services import diff as diffs
from wizard.services import drafts


def _pk(value: str | None) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if not value.isdigit() or len(value) > 18:
        raise Http404
    return int(value)


@permission_required(PUBLISH_CHANNEL)
@require_http_methods(["GET", "POST"])
def promote(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    channel = get_object_or_404(Channel.objects.select_related("environment"), pk=pk)
    source = request.POST if request.method == "POST" else request.GET
    targets = service.targets(channel)
    target_pk = _pk(source.get("environment"))
    target = next((env for env in targets if env.pk == target_pk), None)
    if target_pk is not None and target is None:
        raise Http404
    revision = service.revision_to_promote(channel)
    context: dict[str, Any] = {"channel": channel, "targets": targets, "target": target, "revision": revision}
    if target is not None and revision is not None and channel.environment is not None:
        try:
            bound = service.bindings(revision, channel.environment, target)
            if request.method == "POST":
                picks = {key[5:]: value for key, value in request.POST.items() if key.startswith("pick_")}
                service.remember(channel.environment, target, bound, picks, request.user)  # type: ignore[arg-type]
                attempt = service.request_promotion(channel, target, request.user)  # type: ignore[arg-type]
                if attempt.state == "failed":
                    messages.error(request, attempt.error_message)
                else:
                    messages.success(
                        request,
                        _("Revision %(number)d is being promoted to %(env)s.")
                        % {"number": revision.number, "env": target.name},
                    )
                return redirect("wizard:channel", channel.pk)
            context["bound"] = bound
        except service.PromotionBlocked as blocked:
            context["bound"] = service.bindings(revision, channel.environment, target)
            context["blocked"] = blocked.unresolved
        except service.PromotionError as problem:
            context["problem"] = str(problem)
    return render(request, "publishing/promote.html", context)


@permission_required(VIEW_CHANNEL)
@require_GET
def compare_environments(request: AuthenticatedRequest) -> HttpResponse:
    environments = list(Environment.objects.filter(archived=False).order_by("name"))
    rows = compare_service.live_matrix(environments)
    context: dict[str, Any] = {"environments": environments, "rows": rows}
    channel_pk = _pk(request.GET.get("channel"))
    if channel_pk is not None:
        channel = get_object_or_404(Channel, pk=channel_pk)
        by_pk = {env.pk: env for env in environments}
        a, b = by_pk.get(_pk(request.GET.get("a")) or 0), by_pk.get(_pk(request.GET.get("b")) or 0)
        context.update({"channel": channel, "env_a": a, "env_b": b})
        if a is not None and b is not None:
            old, new = compare_service.live_in(channel, a), compare_service.live_in(channel, b)
            context.update({"old": old, "new": new})
            if old is not None and new is not None:
                show_unchanged = request.GET.get("all") == "1"
                context.update(
                    {
                        "diff": diffs.diff(
                            old.data, new.data, drafts.choices_for(channel), show_unchanged=show_unchanged
                        ),
                        "show_unchanged": show_unchanged,
                        "toggle_query": urlencode(
                            {
                                "channel": channel.pk,
                                "a": a.pk,
                                "b": b.pk,
                                **({} if show_unchanged else {"all": "1"}),
                            }
                        ),
                        "old_label": _("%(env)s (revision %(number)d)")
                        % {"env": a.name, "number": old.number},
                        "new_label": _("%(env)s (revision %(number)d)")
                        % {"env": b.name, "number": new.number},
                    }
                )
    return render(request, "publishing/compare.html", context)
