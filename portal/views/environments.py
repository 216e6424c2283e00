"""Environments: list, add, edit with "Replace secret", Test connection, archive or delete."""

from __future__ import annotations

import copy

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.forms.environments import EnvironmentForm
from portal.http import AuthenticatedRequest
from portal.models import Environment
from portal.permissions import MANAGE_ENVIRONMENTS, permission_required
from portal.services import environments as service


@permission_required(MANAGE_ENVIRONMENTS)
def environment_list(request: AuthenticatedRequest) -> HttpResponse:
    show_archived = request.GET.get("archived") == "1"
    items = Environment.objects.all() if show_archived else Environment.objects.filter(archived=False)
    return render(
        request, "portal/environments/list.html", {"environments": items, "show_archived": show_archived}
    )


def _save(
    request: AuthenticatedRequest, form: EnvironmentForm, environment: Environment | None
) -> HttpResponse | None:
    result = service.save_environment(
        actor=request.user,
        data=form.model_data(),
        new_secret=form.cleaned_data.get("client_secret") or "",
        environment=environment,
    )
    if not result.saved and result.refusal:
        form.add_error("client_secret", result.refusal)
        return None
    if not result.saved:
        message = result.connection.message if result.connection else _("Not saved.")
        if environment is None:
            text = _(
                "Not added: the connection test failed. %(reason)s Correct the settings, enter the client "
                "secret again and retry."
            )
        else:
            text = _(
                "Not saved: the connection test with the new settings failed. %(reason)s The environment "
                "keeps its previous settings."
            )
        form.add_error(None, text % {"reason": message})
        return None
    assert result.environment is not None
    if result.connection is not None:
        messages.success(
            request,
            _("Saved. Connected to %(unit)s as %(user)s.")
            % {"unit": result.connection.business_unit, "user": result.connection.application_user},
        )
    else:
        messages.success(request, _("Saved."))
    return redirect("environments:detail", result.environment.pk)


@permission_required(MANAGE_ENVIRONMENTS)
def environment_new(request: AuthenticatedRequest) -> HttpResponse:
    form = EnvironmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        response = _save(request, form, None)
        if response is not None:
            return response
    return render(request, "portal/environments/form.html", {"form": form, "environment": None})


@permission_required(MANAGE_ENVIRONMENTS)
def environment_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    environment = get_object_or_404(Environment, pk=pk)
    # Validating writes the posted values onto the form's instance; the service compares them with the
    # stored ones, so the form works on a copy rather than reading the row a second time.
    form = EnvironmentForm(request.POST or None, instance=copy.copy(environment))
    if request.method == "POST" and form.is_valid():
        response = _save(request, form, environment)
        if response is not None:
            return response
    return render(
        request,
        "portal/environments/form.html",
        {
            "form": form,
            "environment": environment,
            "has_published": service.has_published_channels(environment),
        },
    )


@permission_required(MANAGE_ENVIRONMENTS)
@require_POST
def environment_test(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    environment = get_object_or_404(Environment, pk=pk)
    result = service.test_connection(environment)
    context = {"environment": environment, "result": result}
    if request.htmx:
        return render(request, "portal/environments/partials/connection_result.html", context)
    if result.ok:
        messages.success(
            request,
            _("Connection works: organization %(org)s, business unit %(unit)s, application user %(user)s.")
            % {"org": result.organization_id, "unit": result.business_unit, "user": result.application_user},
        )
    else:
        messages.error(request, _("Connection failed: %(reason)s") % {"reason": result.message})
    return redirect("environments:detail", environment.pk)


@permission_required(MANAGE_ENVIRONMENTS)
@require_POST
def environment_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    environment = get_object_or_404(Environment, pk=pk)
    name = environment.name
    outcome = service.delete_or_archive(environment, actor=request.user)
    if outcome == "archived":
        messages.info(
            request,
            _(
                "“%(name)s” has channels published to it, so it was archived instead of deleted; its history "
                "is kept."
            )
            % {"name": name},
        )
    else:
        messages.success(request, _("“%(name)s” was deleted.") % {"name": name})
    return redirect("environments:list")


@permission_required(MANAGE_ENVIRONMENTS)
@require_POST
def environment_restore(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    environment = get_object_or_404(Environment, pk=pk)
    service.restore(environment, actor=request.user)
    messages.success(request, _("“%(name)s” is active again.") % {"name": environment.name})
    return redirect("environments:detail", environment.pk)
