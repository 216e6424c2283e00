"""The drift guard: has someone changed a channel in its environment since it was published there?

``check`` ("Check for drift" on the channel page, and the drift badge on the channel list) compares the
org's rows with the revision live there without publishing. A publish calls
``conflicts_for_publish`` before writing: fields changed in the org that this publish would overwrite
stop it, and the channel page shows each with three values (last published, live now, this revision).
``resolve`` takes the publisher's choice per field: keep the live value (it goes into the draft, which
then needs review like any edit) or overwrite it (recorded in the audit log with the reason; the next
publish writes over that value, as long as the org still holds the value that was seen).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dataverse import DataverseError, RetryPolicy
from portal import audit
from portal.forms.lengths import too_long
from portal.models import Environment
from portal.permissions import PUBLISH_CHANNEL
from portal.services import environments as environment_service
from publishing import mapping
from publishing.mapping.drift import Field, compare
from publishing.mapping.live import LiveRows
from publishing.mapping.reverse import to_wizard
from publishing.models import EnvironmentLink
from wizard.models import Channel, PublishAttempt, Revision
from wizard.steps import get_step
from wizard.values import read, step_rules

CHECK_TIMEOUT = (5.0, 30.0)
MAX_REASON = 1000
KEEP_LIVE = "live"
OVERWRITE = "overwrite"
# Fields whose live value comes with a toggle that must follow it into the draft.
COMPANIONS: dict[Field, tuple[str, ...]] = {
    ("appearance", "domains"): ("domains_only",),
    ("appearance", "operating_hours"): ("operating_hours_only",),
    ("behaviors", "questions"): ("prechat_enabled",),
    ("workstream", "existing_workstream"): ("workstream_mode",),
}


class DriftError(Exception):
    """A drift check or choice can't be done; ``str()`` says why."""


def fingerprint(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _label(slug: str, name: str) -> str:
    form_class = get_step(slug).form_class
    assert form_class is not None
    rules = step_rules(form_class)
    if name in rules.fields:
        return str(rules.fields[name].label or name)
    for row_set in rules.row_sets:
        if row_set.name == name:
            return str(row_set.label)
    return name


def _jsonable(value: Any) -> Any:
    return json.loads(fingerprint(value))


def field_views(
    fields: Iterable[Field],
    last_data: Mapping[str, Any],
    live_data: Mapping[str, Any],
    this_data: Mapping[str, Any] | None,
) -> list[dict[str, Any]]:
    """One entry per field: its label and its three values (as the reader gives them)."""
    last, live = read(last_data), read(live_data)
    this = read(this_data) if this_data is not None else None
    views = []
    for slug, name in fields:
        live_values = {name: live[slug].cleaned(name)}
        for companion in COMPANIONS.get((slug, name), ()):
            live_values[companion] = live[slug].cleaned(companion)
        views.append(
            {
                "key": f"{slug}.{name}",
                "step": slug,
                "step_title": str(get_step(slug).title),
                "field": name,
                "label": _label(slug, name),
                "last": _jsonable(last[slug][name]),
                "live": _jsonable(live[slug][name]),
                "this": _jsonable(this[slug][name]) if this is not None else None,
                "live_values": _jsonable(live_values),
            }
        )
    return views


def _link(channel: Channel, environment: Environment) -> EnvironmentLink:
    link, _created = EnvironmentLink.objects.get_or_create(channel=channel, environment=environment)
    return link


def conflicts_for_publish(
    channel: Channel,
    environment: Environment,
    last: Revision,
    this: Revision,
    plan: mapping.Plan,
    plan_of: Callable[[dict[str, Any]], mapping.Plan],
    live: LiveRows,
    binding: mapping.Binding,
    attempt: PublishAttempt,
) -> dict[str, Any] | None:
    """The drift report that stops this publish, or None when it may write. Fields the publisher chose
    to overwrite (while the org still holds the value they saw) don't stop it; they are recorded on the
    attempt for the audit log."""
    try:
        last_plan = plan_of(last.data)
    except mapping.MappingError:
        return None  # the last revision can't be mapped any more: nothing to compare with
    drift = compare(last_plan, plan, live, binding.keep_ids)
    if not drift.conflicts:
        return None
    views = field_views(drift.conflicts, last.data, to_wizard(live, environment.pk).data, this.data)
    link = _link(channel, environment)
    decisions = (link.drift or {}).get("overwrite") or {}
    overwritten = {
        view["key"]: decisions[view["key"]]
        for view in views
        if view["key"] in decisions and decisions[view["key"]].get("live") == fingerprint(view["live"])
    }
    if len(overwritten) == len(views):
        result = dict(attempt.result or {})
        result["overwrite"] = overwritten
        attempt.result = result
        PublishAttempt.objects.filter(pk=attempt.pk).update(result=result)
        return None
    report = {
        "fields": views,
        "revision": this.number,
        "last_revision": last.number,
        "source": "publish",
        "overwrite": decisions,
    }
    link.drift = report
    link.drift_checked_at = timezone.now()
    link.save(update_fields=["drift", "drift_checked_at"])
    return report


def clear(channel_id: int, environment_id: int) -> None:
    """After a successful publish the org holds the revision: nothing has drifted."""
    EnvironmentLink.objects.filter(channel_id=channel_id, environment_id=environment_id).update(
        drift={}, drift_checked_at=timezone.now()
    )


def check(channel: Channel, user: User) -> EnvironmentLink:
    """Compare the org with the revision live there; store and return the result (no write)."""
    from publishing.services import live as live_service
    from publishing.services import publish as publish_service

    if not user.has_perm(PUBLISH_CHANNEL):
        raise PermissionDenied(_("You may not check channels for drift."))
    environment = channel.environment
    if environment is None:
        raise DriftError(_("The channel has no environment to check."))
    last = live_service.live_revision(channel)
    if last is None:
        raise DriftError(_("No revision of this channel is live in %(env)s yet.") % {"env": environment.name})
    link = EnvironmentLink.objects.filter(channel=channel, environment=environment).first()
    binding = mapping.Binding.of(link.binding) if link is not None else mapping.NO_BINDING
    ids = publish_service._RowIds(channel.pk, environment.pk, binding)
    try:
        client = environment_service.client_for(
            environment, timeout=CHECK_TIMEOUT, retry=RetryPolicy(max_attempts=3)
        )
        current = publish_service._read_current(client, last.data, ids, mapping.question_keys(last.data))
    except publish_service._Failure as failure:
        raise DriftError(failure.message) from failure
    except (DataverseError, OSError) as error:
        message, _operation = publish_service._failure_text(error, environment)
        raise DriftError(message) from error
    if current.live.widget is None:
        raise DriftError(_("The chat widget is no longer in %(env)s.") % {"env": environment.name})
    try:
        last_plan = mapping.build_plan(
            last.data,
            channel_pk=channel.pk,
            environment_pk=environment.pk,
            resolved=current.resolved,
            existing_children=current.children,
            dropped_question_ids=current.sequence_questions,
            binding=binding,
        )
    except mapping.MappingError as error:
        raise DriftError(str(error)) from error
    drift = compare(last_plan, None, current.live, binding.keep_ids)
    link = _link(channel, environment)
    decisions = (link.drift or {}).get("overwrite") or {}
    if drift.drifted:
        views = field_views(
            drift.drifted, last.data, to_wizard(current.live, environment.pk).data, channel.data
        )
        link.drift = {
            "fields": views,
            "last_revision": last.number,
            "source": "check",
            "overwrite": decisions,
        }
    else:
        link.drift = {"overwrite": decisions} if decisions else {}
    link.drift_checked_at = timezone.now()
    link.save(update_fields=["drift", "drift_checked_at"])
    audit.record(
        user,
        "drift.checked",
        channel=channel,
        revision=last,
        environment=environment,
        details={"fields": [view["key"] for view in (link.drift or {}).get("fields", [])]},
    )
    return link


def resolve(channel: Channel, user: User, choices: Mapping[str, str], reason: str) -> str:
    """Apply the publisher's choice per drifted field. Returns "draft" when live values went into the
    draft (it needs review now), "publishing" when every field is overwritten and the publish started."""
    from publishing.services import publish as publish_service
    from wizard.services import drafts

    if not user.has_perm(PUBLISH_CHANNEL):
        raise PermissionDenied(_("You may not decide about drifted values."))
    environment = channel.environment
    link = (
        EnvironmentLink.objects.filter(channel=channel, environment=environment).first()
        if environment is not None
        else None
    )
    views = ((link.drift or {}).get("fields") or []) if link is not None else []
    if link is None or environment is None or not views:
        raise DriftError(_("Nothing has drifted; check again."))
    chosen = {view["key"]: choices.get(view["key"], "") for view in views}
    if any(choice not in (KEEP_LIVE, OVERWRITE) for choice in chosen.values()):
        raise DriftError(_("Choose for every field whether to keep the live value or overwrite it."))
    reason = (reason or "").strip()
    overwrite = [view for view in views if chosen[view["key"]] == OVERWRITE]
    keep = [view for view in views if chosen[view["key"]] == KEEP_LIVE]
    if overwrite and not reason:
        raise DriftError(_("Give the reason for overwriting what was changed in the environment."))
    if len(reason) > MAX_REASON:
        raise DriftError(too_long(MAX_REASON, len(reason)))
    with transaction.atomic():
        link = EnvironmentLink.objects.select_for_update().get(pk=link.pk)
        decisions = dict((link.drift or {}).get("overwrite") or {})
        for view in overwrite:
            decisions[view["key"]] = {"live": fingerprint(view["live"]), "reason": reason}
        link.drift = {"overwrite": decisions} if decisions else {}
        link.save(update_fields=["drift"])
        if overwrite:
            audit.record(
                user,
                "publish.drift_overwrite_chosen",
                channel=channel,
                environment=environment,
                comment=reason,
                details={"fields": [view["key"] for view in overwrite]},
            )
    if keep:
        fresh = Channel.objects.get(pk=channel.pk)
        by_step: dict[str, dict[str, Any]] = {}
        for view in keep:
            by_step.setdefault(view["step"], {}).update(view["live_values"])
        for slug, values in by_step.items():
            merged = {**fresh.step_data(slug), **values}
            fresh = drafts.save_step(fresh, slug, merged, expected_version=fresh.version, user=user).channel
        audit.record(
            user,
            "drift.kept_live",
            channel=fresh,
            environment=environment,
            details={"fields": [view["key"] for view in keep]},
        )
        return "draft"
    try:
        publish_service.request_publish(channel, user)
    except publish_service.PublishError as error:
        raise DriftError(str(error)) from error
    return "publishing"
