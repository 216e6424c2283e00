"""Reloading the wizard's choice lists (languages, queues, …) from the channel's environment."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.http import AuthenticatedRequest
from portal.permissions import VIEW_CHANNEL, permission_required
from wizard.models import Channel


@permission_required(VIEW_CHANNEL)
@require_POST
def refresh_choices(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    from wizard.environment_choices import clear_cache

    channel = get_object_or_404(Channel.objects.select_related("environment"), pk=pk)
    if channel.environment is not None:
        clear_cache(channel.environment)
        messages.success(request, _("Lists reloaded from %(env)s.") % {"env": channel.environment.name})
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        target = channel.resume_url
    # Not ``redirect()``: it would take a bare word for a URL name.
    return HttpResponseRedirect(target)
