"""Promote a revision to another environment, through the binding map of the pair of environments.

A revision names reference rows (language, existing workstream, fallback queue, operating hours,
authentication settings, survey) by name or by the id they have in the channel's own environment.
Before a promotion writes anything, each is bound to a row of the target: a choice the publisher made
before for this pair of environments, else the target's one row of that name (an id is first read back
to its name in the source; ``wizard.choices.one_named``, the rule a draft moved to another environment
binds its choices by too). What is left unresolved blocks the promotion with a list, and the publisher
picks from the target's rows; the choice is remembered. The promotion is then a publish attempt of its
own for the target environment (the revision with the values bound), run by the same task as a publish.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from dataverse import DataverseClient, DataverseError, literal
from portal import audit, secrets
from portal.models import Environment
from portal.permissions import PUBLISH_CHANNEL
from portal.services import environments as environment_service
from publishing import mapping
from publishing.models import BindingChoice
from publishing.services import publish
from publishing.services.live import live_revision
from wizard.choices import BuiltinChoices, Option, one_named
from wizard.models import Channel, PublishAttempt, Revision

# Where each slot's value lives in a revision's data.
FIELDS: dict[str, tuple[str, str]] = {
    "language": ("details", "language"),
    "workstream": ("workstream", "existing_workstream"),
    "queue": ("workstream", "existing_queue"),
    "operating_hours": ("appearance", "operating_hours"),
    "authentication_settings": ("behaviors", "authentication_settings"),
    "survey": ("behaviors", "survey"),
}
MAX_CANDIDATES = 200
READ_TIMEOUT = (5.0, 30.0)


class PromotionError(Exception):
    """A promotion can't be requested; ``str()`` says why."""


@dataclass
class Bound:
    """One value of the revision and the row of the target it is bound to (``row_id`` empty: unresolved)."""

    slot: str
    label: str
    value: str
    source_name: str = ""
    row_id: str = ""
    row_name: str = ""
    how: str = ""  # "remembered", "name", "locale"
    problem: str = ""
    candidates: list[tuple[str, str]] = field(default_factory=list)

    @property
    def resolved(self) -> bool:
        return bool(self.row_id)

    @property
    def named(self) -> str:
        """The kind and the value as a person reads it, e.g. Operating hours “Business hours”."""
        return f"{self.label} “{self.source_name or self.value}”"


class PromotionBlocked(PromotionError):
    def __init__(self, unresolved: list[Bound]) -> None:
        super().__init__(
            _("Bind every value to a row of the target environment first: %(list)s.")
            % {"list": ", ".join(b.named for b in unresolved)}
        )
        self.unresolved = unresolved


def targets(channel: Channel) -> list[Environment]:
    """The environments a channel can be promoted to: every active one but its own."""
    environments = Environment.objects.filter(archived=False).order_by("name")
    return [env for env in environments if env.pk != channel.environment_id]


def revision_to_promote(channel: Channel) -> Revision | None:
    """The approved (or published) revision, else the one live in the channel's environment."""
    return publish.publishable_revision(channel) or live_revision(channel)


def _client(environment: Environment) -> DataverseClient:
    return environment_service.client_for(environment, timeout=READ_TIMEOUT)


def _rows(client: DataverseClient, table: mapping.Table, flt: str | None, top: int) -> list[dict[str, Any]]:
    select = [table.primary_id, table.primary_name]
    return list(client.query(table.entity_set, select=select, filter=flt, top=top))


def _options(table: mapping.Table, rows: list[dict[str, Any]]) -> list[Option]:
    """``rows`` as (id, name) pairs; a row without a name is named by its id."""
    return [
        (str(row[table.primary_id]), str(row.get(table.primary_name) or row[table.primary_id]))
        for row in rows
    ]


def _bind(
    ref: mapping.Reference,
    remembered: Mapping[tuple[str, str], BindingChoice],
    source: DataverseClient,
    target: DataverseClient,
) -> Bound:
    table = ref.table
    # A locale id means nothing to a reader: the language's name where the portal knows it.
    shown = BuiltinChoices().languages().label_for(ref.value) if ref.by == "localeid" else ref.value
    bound = Bound(ref.slot, ref.table.label, ref.value, source_name=shown)
    choice = remembered.get((ref.slot, ref.value))
    if choice is not None:
        bound.row_id, bound.row_name, bound.how = choice.row_id, choice.row_name, "remembered"
        return bound
    if ref.by == "localeid":
        rows = list(
            target.query(
                table.entity_set,
                select=[table.primary_id],
                filter=f"msdyn_localeid eq {int(ref.value)}",
                top=2,
            )
        )
        if len(rows) == 1:
            bound.row_id, bound.row_name, bound.how = (
                str(rows[0][table.primary_id]),
                bound.source_name,
                "locale",
            )
            return bound
    else:
        name = ref.value
        if ref.by == "id":
            found = _rows(source, table, f"{table.primary_id} eq {ref.value.strip('{}')}", 1)
            name = str(found[0].get(table.primary_name) or "") if found else ""
            bound.source_name = name or ref.value
        if name:
            rows = _rows(target, table, f"{table.primary_name} eq {literal(name)}", 2)
            row_id = one_named(_options(table, rows), name)
            if row_id:
                bound.row_id, bound.row_name, bound.how = row_id, name, "name"
                return bound
            bound.problem = (
                _("The target has several rows named “%(name)s”.")
                if rows
                else _("The target has no row named “%(name)s”.")
            ) % {"name": name}
    bound.candidates = _options(table, _rows(target, table, None, MAX_CANDIDATES))
    return bound


def _read_failure(error: Exception) -> PromotionError:
    if isinstance(error, secrets.SecretUnreadable):
        return PromotionError(str(error))
    assert isinstance(error, DataverseError)
    return PromotionError(
        _("The environments could not be read: %(detail)s")
        % {"detail": error.message or type(error).__name__}
    )


def bindings(revision: Revision, source: Environment, target: Environment) -> list[Bound]:
    """Each reference value of the revision, bound to a row of ``target`` where the map or the name tells.
    Reads both environments; writes nothing."""
    refs = mapping.references(revision.data)
    remembered = {
        (c.slot, c.source_value): c for c in BindingChoice.objects.filter(source=source, target=target)
    }
    try:
        source_client, target_client = _client(source), _client(target)
        return [_bind(ref, remembered, source_client, target_client) for ref in refs]
    except (DataverseError, secrets.SecretUnreadable) as error:
        raise _read_failure(error) from error


def remember(
    source: Environment, target: Environment, bound: list[Bound], picks: Mapping[str, str], user: User
) -> None:
    """Keep the publisher's picks (slot → row id of the target) for this pair of environments; a pick
    that is not one of the target's rows is ignored."""
    for item in bound:
        pick = (picks.get(item.slot) or "").strip().lower()
        names = {row_id.lower(): name for row_id, name in item.candidates}
        if item.resolved or pick not in names:
            continue
        BindingChoice.objects.update_or_create(
            source=source,
            target=target,
            slot=item.slot,
            source_value=item.value[:200],
            defaults={"row_id": pick, "row_name": names[pick][:200], "chosen_by": user},
        )


def bound_data(data: Mapping[str, Any], bound: list[Bound]) -> dict[str, Any]:
    """The revision's data with every reference value replaced by the id of its row in the target."""
    result = copy.deepcopy(dict(data))
    for item in bound:
        section, name = FIELDS[item.slot]
        result.setdefault(section, {})[name] = item.row_id
    return result


def request_promotion(channel: Channel, target: Environment, user: User) -> PublishAttempt:
    """Promote the channel's revision to ``target``: bind its values, and if all are bound, start a
    publish attempt of its own there. Raises :class:`PromotionBlocked` (nothing written) otherwise."""
    if not user.has_perm(PUBLISH_CHANNEL):
        raise PermissionDenied(_("You may not publish channels."))
    source = channel.environment
    if source is None or target.pk == source.pk or target.archived:
        raise PromotionError(_("Choose another active environment to promote to."))
    revision = revision_to_promote(channel)
    if revision is None:
        raise PromotionError(_("There is no approved or live revision to promote."))
    if revision.state == Revision.State.APPROVED:
        try:
            publish._assert_publishable(revision, user)
        except publish.PublishError as error:
            raise PromotionError(str(error)) from error
    bound = bindings(revision, source, target)
    unresolved = [item for item in bound if not item.resolved]
    if unresolved:
        raise PromotionBlocked(unresolved)
    publish.expire_stale_attempts(channel.pk)
    try:
        with transaction.atomic():
            locked = Channel.objects.select_for_update(of=("self",)).get(pk=channel.pk)
            if locked.publish_attempts.filter(state__in=publish.ACTIVE).exists():
                raise PromotionError(_("A publish of this channel is running; promote it when it has ended."))
            attempt = PublishAttempt.objects.create(
                channel=locked,
                revision=revision,
                environment=target,
                requested_by=user,
                progress=_("Waiting to start"),
                lease_expires_at=publish._lease_deadline(),
                result={"promotion": {"source": source.pk, "data": bound_data(revision.data, bound)}},
            )
            audit.record(
                user,
                "promotion.requested",
                channel=locked,
                revision=revision,
                environment=target,
                details={
                    "attempt": attempt.pk,
                    "source": source.name,
                    "bindings": {item.slot: [item.source_name, item.row_name, item.how] for item in bound},
                },
            )
    except IntegrityError as error:
        raise PromotionError(
            _("A publish of this channel is running; promote it when it has ended.")
        ) from error
    from publishing.tasks import publish_channel

    publish_channel.enqueue(attempt.pk)
    attempt.refresh_from_db()
    return attempt


def is_promotion(attempt: PublishAttempt) -> bool:
    return bool((attempt.result or {}).get("promotion"))


def promoted_data(attempt: PublishAttempt) -> dict[str, Any] | None:
    promotion = (attempt.result or {}).get("promotion") or {}
    data = promotion.get("data")
    return dict(data) if isinstance(data, dict) else None
