"""The Omnichannel security roles page of one environment, and the channel page's checklist."""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib import messages
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

import dataverse
from portal.forms.environments import RoleChangeForm
from portal.http import AuthenticatedRequest
from portal.models import Environment
from portal.permissions import MANAGE_SECURITY_ROLES, VIEW_CHANNEL, permission_required
from portal.services import environments as env_service
from portal.services import roles as service
from portal.services.checklist import CHECKLIST_RATE, checklist
from portal.services.checklist import forget as forget_checklist

PAGES_KEY = "roles-pages-{pk}"
REPORT_KEY = "roles-report-{pk}"
MAX_REMEMBERED_PAGES = 50


def _remember_page(request: AuthenticatedRequest, environment: Environment, next_link: str) -> str:
    """Keep the @odata.nextLink in the session; the page only carries an opaque token."""
    token = hashlib.sha256(next_link.encode()).hexdigest()[:20]
    key = PAGES_KEY.format(pk=environment.pk)
    pages: dict[str, str] = dict(request.session.get(key) or {})
    if len(pages) >= MAX_REMEMBERED_PAGES:
        pages = {}
    pages[token] = next_link
    request.session[key] = pages
    return token


@permission_required(MANAGE_SECURITY_ROLES)
def roles_page(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    environment = get_object_or_404(Environment, pk=pk)
    search = request.GET.get("q", "").strip()[:100]
    token = request.GET.get("page", "")
    next_link = (request.session.get(PAGES_KEY.format(pk=pk)) or {}).get(token) if token else None
    context: dict[str, Any] = {
        "environment": environment,
        "search": search,
        "form": RoleChangeForm(initial={"role": request.GET.get("role", "agent")}),
        "report": request.session.pop(REPORT_KEY.format(pk=pk), None),
        "is_later_page": bool(next_link),
    }
    try:
        client = env_service.client_for(environment)
        page = service.list_users(client, search=search, next_link=next_link)
    except (dataverse.DataverseError, ValueError) as error:
        context["error"] = env_service.describe_failure(error)
        page = service.UserPage([], None)
    context["users"] = page.users
    if page.next_link:
        query = {"page": _remember_page(request, environment, page.next_link)}
        if search:
            query["q"] = search
        context["next_url"] = f"?{urlencode(query)}"
    return render(request, "portal/environments/roles.html", context)


@permission_required(MANAGE_SECURITY_ROLES)
@require_POST
def roles_change(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    environment = get_object_or_404(Environment, pk=pk)
    # Only ever a query string of this page.
    query = QueryDict(request.POST.get("return", "").lstrip("?").replace("\n", "")[:500], mutable=True)
    direct = request.POST.get("assign_directly", "")
    if direct:
        user_id, _sep, role_key = direct.partition(":")
        user_ids, action = [user_id], "assign"
    else:
        form = RoleChangeForm(request.POST)
        role_key = form.cleaned_data["role"] if form.is_valid() else ""
        user_ids = request.POST.getlist("users")
        action = "remove" if "remove" in request.POST else "assign"
    if role_key in service.OMNICHANNEL_ROLES and not direct:
        # The next change most likely concerns the same role: keep it chosen.
        query["role"] = role_key
    back = reverse("environments:roles", args=[pk]) + ("?" + query.urlencode() if query else "")
    if role_key not in service.OMNICHANNEL_ROLES:
        messages.error(request, _("Choose a role."))
        return redirect(back)
    if not user_ids:
        messages.error(request, _("Select at least one user."))
        return redirect(back)
    try:
        client = env_service.client_for(environment)
        report = service.change_role(
            client,
            environment=environment,
            actor=request.user,
            user_ids=user_ids,
            role_key=role_key,
            action=action,
        )
    except (dataverse.DataverseError, ValueError) as error:
        messages.error(
            request, _("Nothing was changed: %(reason)s") % {"reason": env_service.describe_failure(error)}
        )
        return redirect(back)
    forget_checklist(environment.pk)
    request.session[REPORT_KEY.format(pk=pk)] = {
        **report.as_dict(),
        "role_label": report.role_label,
        "done": report.done,
        "failed": report.failed,
        "skipped": report.skipped,
    }
    return redirect(back)


@permission_required(VIEW_CHANNEL)
@ratelimit(key="user", rate=CHECKLIST_RATE, block=False)
def checklist_fragment(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    environment = get_object_or_404(Environment, pk=pk)
    if getattr(request, "limited", False):
        # Each check can ask Dataverse a few questions: a viewer can't make the portal ask without limit.
        return HttpResponse(
            _("The readiness checklist was checked too often. Wait a minute, then reload the page."),
            status=429,
            content_type="text/plain; charset=utf-8",
        )
    queue = request.GET.get("queue", "")[:200]
    lines = checklist(environment, queue)
    return render(
        request,
        "portal/partials/environment_checklist_lines.html",
        {"environment": environment, "lines": lines, "can_fix": request.user.has_perm(MANAGE_SECURITY_ROLES)},
    )
