"""Publishing an approved revision to its Dataverse environment.

``request_publish`` (the view calls it) checks permission, state and approval, creates the one
active attempt for the channel and enqueues the task; ``run_publish`` (the task body) does the
work: one read ``$batch`` (reference rows and the widget's current child rows), one write ``$batch``
with one changeset (all upserts and deletes: all or nothing), then one read-back of the widget's
generated app id and snippet.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dataverse import (
    AuthenticationError,
    Batch,
    DataverseClient,
    DataverseError,
    RetryPolicy,
    ThrottledError,
    TransportError,
    literal,
)
from dataverse.odata import query_string
from portal import audit, secrets
from portal.models import Environment
from portal.permissions import PUBLISH_CHANNEL
from portal.services import environments as environment_service
from publishing import mapping
from publishing.mapping.live import LiveRows, differences
from publishing.mapping.reverse import existing_children
from publishing.models import EnvironmentLink
from publishing.services import drift as drift_service
from publishing.services.reading import Reads
from wizard.models import Channel, ChannelStatus, PublishAttempt, Revision, states
from wizard.models.states import Action
from wizard.services import workflow

logger = logging.getLogger(__name__)

ACTIVE = (PublishAttempt.State.QUEUED, PublishAttempt.State.RUNNING)
# Channel statuses from which a publish can be requested (a published channel can be published again).
PUBLISH_REQUEST_STATES = states.sources(Action.REQUEST_PUBLISH)
PUBLISH_TIMEOUT = (5.0, 60.0)
MAX_ATTEMPTS = 6  # one try and five retries
WIDGET_READ_BACK = ("msdyn_livechatconfigid", "msdyn_widgetappid", "msdyn_widgetsnippet", "versionnumber")

Sleep = Callable[[float], None]
#: How the publish waits between retries (tests replace it to run retries at once).
SLEEP: Sleep = time.sleep


def lease_seconds() -> int:
    """How long an attempt may go without progress before it counts as interrupted."""
    return int(getattr(settings, "PORTAL_PUBLISH_LEASE_SECONDS", 900))


def _lease_deadline() -> Any:
    return timezone.now() + timedelta(seconds=lease_seconds())


def expire_stale_attempts(channel_id: int | None = None) -> int:
    """Mark queued or running attempts whose lease ran out as failed and free their channels.

    A crash or a worker restart leaves an attempt active forever otherwise. Nothing can be half-written
    in Dataverse, since the write is one changeset; the channel can be published again. Returns how
    many attempts were expired.
    """
    stale = PublishAttempt.objects.filter(state__in=ACTIVE, lease_expires_at__lt=timezone.now())
    if channel_id is not None:
        stale = stale.filter(channel_id=channel_id)
    expired = 0
    for attempt_id in list(stale.values_list("pk", flat=True)):
        with transaction.atomic():
            attempt = (
                PublishAttempt.objects.select_for_update()
                .filter(pk=attempt_id, state__in=ACTIVE, lease_expires_at__lt=timezone.now())
                .first()
            )
            if attempt is None:
                continue
            message = str(
                _(
                    "The publish was interrupted (the worker stopped or did not answer in time). Nothing "
                    "was half-written: Dataverse applies the changes all together or not at all. Publish "
                    "again."
                )
            )
            attempt.state = PublishAttempt.State.FAILED
            attempt.finished_at = timezone.now()
            attempt.error_message = message
            attempt.progress = str(_("Publish failed"))
            attempt.save(update_fields=["state", "finished_at", "error_message", "progress"])
            channel = Channel.objects.select_for_update().get(pk=attempt.channel_id)
            if channel.status == ChannelStatus.PUBLISHING:
                channel.status = ChannelStatus.PUBLISH_FAILED
                channel.save(update_fields=["status", "updated_at"])
            audit.record(
                None,
                "publish.expired",
                channel=channel,
                revision=attempt.revision,
                environment=attempt.environment,
                details={"attempt": attempt.pk},
            )
            expired += 1
    return expired


class PublishError(Exception):
    """A publish can't be requested; ``str()`` says why in words the user can act on."""


# --- the client --------------------------------------------------------------------------------------


# --- requesting a publish ------------------------------------------------------------------------------


def publishable_revision(channel: Channel) -> Revision | None:
    return (
        channel.revisions.filter(state__in=[Revision.State.APPROVED, Revision.State.PUBLISHED])
        .order_by("-number")
        .first()
    )


def _assert_publishable(revision: Revision, user: User) -> None:
    try:
        workflow.assert_publishable(revision, user)
    except workflow.NotPublishableError as error:
        raise PublishError(str(error)) from error


def request_publish(channel: Channel, user: User) -> tuple[PublishAttempt, bool]:
    """Start publishing the channel's approved revision. Returns ``(attempt, created)``: a second
    request while one is queued or running returns the active attempt and starts nothing."""
    if not user.has_perm(PUBLISH_CHANNEL):
        raise PermissionDenied(_("You may not publish channels."))
    expire_stale_attempts(channel.pk)
    with transaction.atomic():
        channel = (
            Channel.objects.select_for_update(of=("self",)).select_related("environment").get(pk=channel.pk)
        )
        active = channel.publish_attempts.filter(state__in=ACTIVE).first()
        if active is not None:
            return active, False
        if channel.status not in PUBLISH_REQUEST_STATES:
            raise PublishError(
                _("Only an approved channel can be published; this channel is %(status)s.")
                % {"status": channel.status_in_sentence}
            )
        if channel.environment is None or channel.environment.archived:
            raise PublishError(_("Choose the environment to publish to on the Channel details step."))
        revision = publishable_revision(channel)
        if revision is None:
            raise PublishError(_("There is no approved revision to publish."))
        _assert_publishable(revision, user)
        try:
            with transaction.atomic():
                attempt = PublishAttempt.objects.create(
                    channel=channel,
                    revision=revision,
                    environment=channel.environment,
                    requested_by=user,
                    progress=_("Waiting to start"),
                    lease_expires_at=_lease_deadline(),
                )
        except IntegrityError:
            existing = channel.publish_attempts.filter(state__in=ACTIVE).first()
            if existing is None:
                raise
            return existing, False
        channel.status = states.after(Action.REQUEST_PUBLISH, channel.status)
        channel.save(update_fields=["status", "updated_at"])
        audit.record(
            user,
            "publish.requested",
            channel=channel,
            revision=revision,
            environment=channel.environment,
            details={"attempt": attempt.pk},
        )
    from publishing.tasks import publish_channel

    publish_channel.enqueue(attempt.pk)
    attempt.refresh_from_db()
    return attempt, True


# --- running a publish ------------------------------------------------------------------------------


class _Failure(Exception):
    def __init__(self, message: str, operation: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.operation = operation


def _progress(attempt: PublishAttempt, text: str, **fields: Any) -> None:
    """Report progress; each report also moves the attempt's lease forward."""
    attempt.progress = text[:200]
    fields["lease_expires_at"] = _lease_deadline()
    for name, value in fields.items():
        setattr(attempt, name, value)
    PublishAttempt.objects.filter(pk=attempt.pk).update(progress=attempt.progress, **fields)


def _on_retry(attempt: PublishAttempt, max_retries: int) -> Callable[[int, DataverseError, float], None]:
    def report(number: int, error: DataverseError, delay: float) -> None:
        if isinstance(error, ThrottledError):
            reason = _("Dataverse is busy (429)")
        elif isinstance(error, TransportError):
            reason = _("Dataverse did not answer")
        else:
            reason = _("Dataverse answered %(status)s") % {"status": error.status or "?"}
        text = _("%(reason)s: retry %(n)d of %(max)d, waiting %(delay)s s") % {
            "reason": reason,
            "n": number,
            "max": max_retries,
            "delay": f"{delay:g}",
        }
        _progress(attempt, text, retries=attempt.retries + 1)

    return report


def _query(table: mapping.Table, *, select: list[str], filter: str, top: int | None = None) -> str:
    return table.entity_set + query_string(select=select, filter=filter, top=top)


@dataclass
class _Current:
    resolved: dict[str, str]
    widget: dict[str, Any] | None
    children: dict[str, list[str]]
    sequence_questions: dict[str, str]
    live: LiveRows


@dataclass(frozen=True)
class _RowIds:
    channel_pk: int
    environment_pk: int
    binding: mapping.Binding

    def of(self, table: mapping.Table, key: str) -> str:
        return self.binding.id(self.channel_pk, self.environment_pk, table, key)

    @property
    def widget(self) -> str:
        return self.of(mapping.WIDGET, "widget")


def _read_current(client: DataverseClient, data: dict[str, Any], ids: _RowIds, keys: list[str]) -> _Current:
    """One read ``$batch``: the reference rows, and every row of the channel the org holds now (the
    widget, its child rows, the questions of this and the last published revision with their answer
    options and context variables, the workstream and fallback queue the channel creates), with the
    columns a publish writes, so unchanged rows are not written and drift can be told."""
    refs = mapping.references(data)
    batch = Batch()
    for ref in refs:
        table = ref.table
        if ref.by == "id":
            flt = f"{table.primary_id} eq {ref.value.strip('{}')}"
        elif ref.by == "localeid":
            flt = f"msdyn_localeid eq {int(ref.value)}"
        else:
            flt = f"{table.primary_name} eq {literal(ref.value)}"
        select = [table.primary_id, *mapping.REFERENCE_COLUMNS.get(ref.slot, ())]
        batch.get(_query(table, select=select, filter=flt, top=2), label=ref.label)
    question_ids = [ids.of(mapping.QUESTION, key) for key in keys]
    reads = Reads().widget(ids.widget)
    reads.by(mapping.QUESTION, mapping.QUESTION.primary_id, question_ids)
    reads.by(mapping.ANSWER_OPTION, "_msdyn_answeroptionsid_value", question_ids)
    reads.by(
        mapping.CONTEXT_VARIABLE,
        mapping.CONTEXT_VARIABLE.primary_id,
        [ids.of(mapping.CONTEXT_VARIABLE, key) for key in keys],
    )
    reads.by(mapping.WORKSTREAM, mapping.WORKSTREAM.primary_id, [ids.of(mapping.WORKSTREAM, "workstream")])
    reads.by(mapping.QUEUE, mapping.QUEUE.primary_id, [ids.of(mapping.QUEUE, "fallback")])
    reads.add_to(batch)
    response = client.execute_batch(batch)
    parts = [part.json or {} for part in response.responses]
    resolved: dict[str, str] = {}
    for ref, body in zip(refs, parts, strict=False):
        rows = body.get("value") or []
        if not rows:
            raise _Failure(_("%(what)s was not found in the environment.") % {"what": ref.label}, ref.label)
        resolved[ref.slot] = str(rows[0][ref.table.primary_id])
        _check_reference(ref, rows[0], resolved)
    live = reads.parse(parts[len(refs) :])
    sequence_questions = {
        str(row[mapping.SEQUENCE.primary_id]).lower(): str(row["_msdyn_surveyquestion_value"]).lower()
        for row in live.table(mapping.SEQUENCE)
        if row.get("_msdyn_surveyquestion_value")
    }
    return _Current(resolved, live.widget, existing_children(live), sequence_questions, live)


def _check_reference(ref: mapping.Reference, row: dict[str, Any], resolved: dict[str, str]) -> None:
    """Refuse a fallback queue a chat workstream can't use; note an existing workstream's conversation
    mode, which the widget follows."""
    if ref.slot == "queue":
        problem = mapping.fallback_queue_problem(row)
        if problem:
            raise _Failure(problem, ref.label)
    if ref.slot == "workstream" and row.get("msdyn_conversationmode") is not None:
        resolved[mapping.WORKSTREAM_CONVERSATION_MODE] = str(row["msdyn_conversationmode"])


def _previous_success(attempt: PublishAttempt) -> PublishAttempt | None:
    return (
        PublishAttempt.objects.filter(
            channel_id=attempt.channel_id,
            environment_id=attempt.environment_id,
            state=PublishAttempt.State.SUCCEEDED,
        )
        .exclude(pk=attempt.pk)
        .order_by("-finished_at", "-pk")
        .first()
    )


# A plug-in on the table refused the write: 0x80040265 (ISVAborted, -2147220891), HTTP 400, with the
# plug-in's own message (the "Web service error codes" list in MicrosoftDocs/powerapps-docs).
PLUGIN_ERROR_CODES = frozenset({"0x80040265", "-2147220891"})


def _plugin_failure_text(error: DataverseError, environment: Environment) -> str:
    """What a plug-in refusal means for a chat channel and what to do.

    The Omnichannel tables (chat widget, workstream, queue settings) are served by plug-ins that need
    the Omnichannel for Customer Service provisioning of the environment
    (ce/customer-service/administer/omnichannel-provision-license.md, whose steps the message repeats):
    an environment where the solutions are installed but provisioning never ran or has not finished
    refuses these writes through those plug-ins. The exact message differs between versions (UNVERIFIED), so it is shown as
    Dataverse gave it, after the explanation."""
    return _(
        "%(env)s refused %(what)s in one of its plug-ins: “%(detail)s”. This usually means Omnichannel "
        "for Customer Service is installed in the environment but not provisioned, or its provisioning "
        "hasn't finished. Ask an administrator to provision it: in the Power Platform admin center, "
        "Resources > Dynamics 365 apps > Omnichannel for Customer Service > Manage, add this environment "
        "with Chat turned on. Setup takes several minutes; then publish again. Nothing was written."
    ) % {
        "env": environment.name,
        "what": error.operation_label or _("the write"),
        "detail": error.message or _("no details"),
    }


def _failure_text(error: BaseException, environment: Environment) -> tuple[str, str]:
    """(message, failed operation) for an error, without secrets or tokens."""
    if isinstance(error, _Failure):
        return error.message, error.operation
    if isinstance(error, secrets.SecretUnreadable):
        return str(error), _("Sign-in")
    if isinstance(error, AuthenticationError):
        detail = error.message or _("the sign-in was refused")
        return (
            _(
                "Signing in to %(env)s failed: %(detail)s. Check the environment's org URL, tenant, client ID and secret."
            )
            % {"env": environment.name, "detail": detail},
            _("Sign-in"),
        )
    if isinstance(error, ThrottledError):
        wait = f"{error.retry_after:g}" if error.retry_after is not None else "?"
        return (
            _("Dataverse stayed busy (429) after every retry; it asked to wait %(wait)s s. Try again later.")
            % {"wait": wait},
            error.operation_label or "",
        )
    if isinstance(error, TransportError):
        return (
            _("Dataverse could not be reached: %(detail)s") % {"detail": error.message or str(error)},
            error.operation_label or "",
        )
    if isinstance(error, DataverseError) and (error.code or "").lower() in PLUGIN_ERROR_CODES:
        return _plugin_failure_text(error, environment), error.operation_label or ""
    if isinstance(error, DataverseError):
        status = f" (HTTP {error.status})" if error.status else ""
        message = error.message or str(error)
        return f"{message}{status}", error.operation_label or ""
    return _("Unexpected error: %(type)s") % {"type": type(error).__name__}, ""


def run_publish(attempt_id: int, *, sleep: Sleep | None = None) -> PublishAttempt:
    """The task body: write the attempt's revision to its environment and record the outcome."""
    attempt = PublishAttempt.objects.select_related("channel", "revision", "environment", "requested_by").get(
        pk=attempt_id
    )
    if attempt.state in ACTIVE and attempt.lease_expires_at and attempt.lease_expires_at < timezone.now():
        # Picked up after its lease ran out (a worker that was down): it is failed, not run late.
        expire_stale_attempts(attempt.channel_id)
        attempt.refresh_from_db()
    if attempt.state not in ACTIVE:
        return attempt
    channel, revision, environment = attempt.channel, attempt.revision, attempt.environment
    started = time.monotonic()
    attempt.state = PublishAttempt.State.RUNNING
    attempt.started_at = timezone.now()
    attempt.lease_expires_at = _lease_deadline()
    claimed = PublishAttempt.objects.filter(pk=attempt.pk, state__in=ACTIVE).update(
        state=attempt.state, started_at=attempt.started_at, lease_expires_at=attempt.lease_expires_at
    )
    if not claimed:
        attempt.refresh_from_db()
        return attempt
    _progress(attempt, _("Connecting to %(env)s") % {"env": environment.name})
    audit.record(
        attempt.requested_by,
        "publish.started",
        channel=channel,
        revision=revision,
        environment=environment,
        details={"attempt": attempt.pk},
    )
    try:
        # The token provider (and its cache) is shared per environment: a second publish requests no token.
        client = environment_service.client_for(
            environment,
            timeout=PUBLISH_TIMEOUT,
            retry=RetryPolicy(max_attempts=MAX_ATTEMPTS, on_retry=_on_retry(attempt, MAX_ATTEMPTS - 1)),
            sleep=sleep if sleep is not None else SLEEP,
        )
        promotion = _promotion(attempt)
        data = promotion["data"] if promotion else revision.data
        link = EnvironmentLink.objects.filter(channel_id=channel.pk, environment_id=environment.pk).first()
        binding = mapping.Binding.of(link.binding) if link is not None else mapping.NO_BINDING
        ids = _RowIds(channel.pk, environment.pk, binding)
        _progress(attempt, _("Reading the environment"))
        previous = _previous_success(attempt)
        keys = mapping.question_keys(data)
        if previous is not None:
            keys += [k for k in mapping.question_keys(previous.revision.data) if k not in keys]
        current = _read_current(client, data, ids, keys)

        def plan_of(revision_data: dict[str, Any]) -> mapping.Plan:
            return mapping.build_plan(
                revision_data,
                channel_pk=channel.pk,
                environment_pk=environment.pk,
                resolved=current.resolved,
                existing_children=current.children,
                dropped_question_ids=current.sequence_questions,
                binding=binding,
            )

        try:
            plan = plan_of(data)
        except mapping.MappingError as error:
            raise _Failure(str(error)) from error
        if previous is not None and current.live.widget is not None:
            report = drift_service.conflicts_for_publish(
                channel,
                environment,
                previous.revision,
                revision,
                plan,
                plan_of,
                current.live,
                binding,
                attempt,
            )
            if report is not None:
                _finish_drifted(attempt, report)
                return attempt
        changed = [
            op
            for op in plan.operations
            if op.action == "delete" or differences(op, current.live.get(op.table, op.id))
        ]
        if changed:
            batch = Batch()
            changeset = batch.changeset(label=_("Channel rows"))
            for op in changed:
                if op.action == "upsert":
                    changeset.upsert(op.table.entity_set, op.id, op.data, label=op.label)
                else:
                    changeset.delete(op.table.entity_set, op.id, label=op.label)
            _progress(attempt, _("Writing %(count)d rows") % {"count": len(changed)})
            client.execute_batch(batch)
        _progress(attempt, _("Reading back the widget"))
        widget = client.retrieve(mapping.WIDGET.entity_set, plan.widget_id, select=list(WIDGET_READ_BACK))
    except Exception as error:  # noqa: BLE001 - every failure ends the attempt with a reason
        if not isinstance(error, DataverseError | _Failure | secrets.SecretUnreadable):
            logger.exception("Publish attempt %s failed unexpectedly", attempt.pk)
        message, operation = _failure_text(error, environment)
        _finish_failed(attempt, message, operation)
        return attempt
    notes = _drift_notes(attempt, current.widget)
    result = {
        "widget_id": plan.widget_id,
        "widget_version": str(widget.get("versionnumber") or ""),
        "upserts": len([op for op in changed if op.action == "upsert"]),
        "deletes": len([op for op in changed if op.action == "delete"]),
        "unchanged": len(plan.operations) - len(changed),
        "deleted": [op.label for op in changed if op.action == "delete"],
        "overwritten": (attempt.result or {}).get("overwrite") or {},
        "created_widget": current.widget is None,
        "notes": notes,
        "seconds": round(time.monotonic() - started, 3),
    }
    if promotion:
        result["promotion"] = promotion
    _finish_succeeded(attempt, widget, result)
    return attempt


def _promotion(attempt: PublishAttempt) -> dict[str, Any] | None:
    """A promotion's source environment and bound data (see :mod:`publishing.services.promote`), or None."""
    promotion = (attempt.result or {}).get("promotion")
    return promotion if isinstance(promotion, dict) and isinstance(promotion.get("data"), dict) else None


def _drift_notes(attempt: PublishAttempt, widget_before: dict[str, Any] | None) -> list[str]:
    previous = _previous_success(attempt)
    if previous is None:
        return []
    if widget_before is None:
        return [
            str(
                _(
                    "The chat widget had been deleted in the environment since the last publish; it was created again."
                )
            )
        ]
    stored = str((previous.result or {}).get("widget_version") or "")
    now = str(widget_before.get("versionnumber") or "")
    if stored and now and stored != now:
        return [
            str(
                _(
                    "The chat widget had been changed in the environment since the last publish; it was updated to this revision."
                )
            )
        ]
    return []


def _still_running(attempt: PublishAttempt) -> bool:
    """Whether the attempt is still this worker's: an expired lease hands the channel back, and a late
    outcome then changes nothing (the write itself is idempotent)."""
    current = PublishAttempt.objects.select_for_update().filter(pk=attempt.pk).values_list("state", flat=True)
    if list(current) == [PublishAttempt.State.RUNNING]:
        return True
    logger.warning(
        "Publish attempt %s finished after its lease ran out; its outcome is not recorded", attempt.pk
    )
    return False


def _finish_succeeded(attempt: PublishAttempt, widget: dict[str, Any], result: dict[str, Any]) -> None:
    with transaction.atomic():
        if not _still_running(attempt):
            return
        attempt.state = PublishAttempt.State.SUCCEEDED
        attempt.finished_at = timezone.now()
        attempt.widget_app_id = str(widget.get("msdyn_widgetappid") or "")
        attempt.widget_snippet = str(widget.get("msdyn_widgetsnippet") or "")
        attempt.result = result
        attempt.error_message = ""
        attempt.failed_operation = ""
        attempt.progress = str(_("Published"))
        attempt.save()
        revision = attempt.revision
        if not _promotion(attempt):
            # A promotion leaves the channel's own status and published revision as they are.
            workflow.mark_published(revision, attempt.requested_by, attempt.environment)
        drift_service.clear(attempt.channel_id, attempt.environment_id)
        channel = revision.channel
        audit.record(
            attempt.requested_by,
            "publish.succeeded",
            channel=channel,
            revision=revision,
            environment=attempt.environment,
            details={
                "attempt": attempt.pk,
                "widget_app_id": attempt.widget_app_id,
                "upserts": result["upserts"],
                "deletes": result["deletes"],
                "notes": result["notes"],
                "overwritten": result.get("overwritten") or {},
            },
        )


def _finish_drifted(attempt: PublishAttempt, report: dict[str, Any]) -> None:
    """Stop before writing: someone changed the channel in the org since it was published there."""
    labels = ", ".join(str(view["label"]) for view in report["fields"])
    message = _(
        "Someone changed this channel in %(env)s since revision %(number)d was published there "
        "(%(fields)s). Nothing was written. Choose on the channel page, field by field, whether to keep "
        "the environment's value or overwrite it."
    ) % {"env": attempt.environment.name, "number": report["last_revision"], "fields": labels}
    _fail(
        attempt,
        message=message,
        operation=str(_("Drift check")),
        progress=str(_("Stopped: changed in the environment")),
        action="publish.drift_stopped",
        details={"fields": [view["key"] for view in report["fields"]]},
        result={"drift": [view["key"] for view in report["fields"]]},
    )


def _finish_failed(attempt: PublishAttempt, message: str, operation: str) -> None:
    _fail(
        attempt,
        message=message,
        operation=operation,
        progress=str(_("Publish failed")),
        action="publish.failed",
        details={"operation": operation, "message": message},
    )


def _fail(
    attempt: PublishAttempt,
    *,
    message: str,
    operation: str,
    progress: str,
    action: str,
    details: dict[str, Any],
    result: dict[str, Any] | None = None,
) -> None:
    """End a running attempt as failed, mark its channel (not for a promotion) and audit ``action``."""
    with transaction.atomic():
        if not _still_running(attempt):
            return
        attempt.state = PublishAttempt.State.FAILED
        attempt.finished_at = timezone.now()
        attempt.error_message = message
        attempt.failed_operation = operation[:200]
        attempt.progress = progress
        if result:
            attempt.result = {**(attempt.result or {}), **result}
        attempt.save()
        channel = Channel.objects.select_for_update().get(pk=attempt.channel_id)
        if not _promotion(attempt):
            channel.status = ChannelStatus.PUBLISH_FAILED
            channel.save(update_fields=["status", "updated_at"])
        audit.record(
            attempt.requested_by,
            action,
            channel=channel,
            revision=attempt.revision,
            environment=attempt.environment,
            details={"attempt": attempt.pk, **details},
        )
