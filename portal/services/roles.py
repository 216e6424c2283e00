"""Omnichannel security roles of an environment's users: listing, assigning, removing.

Roles are business-unit scoped: the role "Omnichannel agent" exists once per business unit, and a user
can only hold the copy of their own business unit. Role-persona mapping needs direct assignment, so
roles held only through a team are shown apart and can be assigned directly.

Bulk changes go in one ``$batch`` with one changeset per user and ``continue-on-error``: a failure for
one user is reported for that user and never hides or undoes the others. Rerunning a change only does
what is missing, because users who already hold (or no longer hold) the role are skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

import dataverse
from dataverse import Batch, DataverseClient, literal
from portal import audit

logger = logging.getLogger(__name__)

ADMINISTRATOR = "Omnichannel administrator"
SUPERVISOR = "Omnichannel supervisor"
AGENT = "Omnichannel agent"
API_ACCESS = "Omnichannel API access"
# Keys used in forms and URLs → role names in Dataverse.
OMNICHANNEL_ROLES: dict[str, str] = {"administrator": ADMINISTRATOR, "supervisor": SUPERVISOR, "agent": AGENT}
ROLE_LABELS = {
    "administrator": gettext_lazy("Omnichannel administrator"),
    "supervisor": gettext_lazy("Omnichannel supervisor"),
    "agent": gettext_lazy("Omnichannel agent"),
}
ACCESS_MODES = {
    0: gettext_lazy("Read-Write"),
    1: gettext_lazy("Administrative"),
    2: gettext_lazy("Read"),
    3: gettext_lazy("Support User"),
    4: gettext_lazy("Non-interactive"),
    5: gettext_lazy("Delegated Admin"),
}
USER_SELECT = [
    "systemuserid",
    "fullname",
    "internalemailaddress",
    "_businessunitid_value",
    "accessmode",
    "isdisabled",
]
# Dataverse refuses an N:N expanded together with an N:1 (businessunitid) and an N:N nested in an N:N
# (teammembership_association → teamroles_association), so a page of users is read in two supported queries:
# the users with their two N:N navigation properties (the business unit name comes as the lookup's formatted
# value), then the roles of the teams those users belong to.
USER_EXPAND = [
    "systemuserroles_association($select=roleid,name)",
    "teammembership_association($select=teamid,name)",
]
FORMATTED = "OData.Community.Display.V1.FormattedValue"
TEAM_EXPAND = "teamroles_association($select=teamid)"
PAGE_SIZE = 50
IDS_PER_QUERY = 40  # users fetched by id per request, keeping the URL short
USERS_PER_BATCH = 500  # changesets per $batch (the limit is 1,000 operations)


@dataclass
class DirectoryUser:
    id: str
    fullname: str
    email: str
    business_unit_id: str
    business_unit: str
    access_mode: int | None
    disabled: bool
    direct_roles: dict[str, str] = field(default_factory=dict)  # name → roleid
    team_roles: dict[str, list[str]] = field(default_factory=dict)  # name → team names

    @property
    def access_mode_label(self) -> str:
        return str(ACCESS_MODES.get(self.access_mode, _("Unknown"))) if self.access_mode is not None else ""

    def holds(self, role_name: str) -> bool:
        return role_name in self.direct_roles

    @property
    def omnichannel(self) -> list[dict[str, Any]]:
        """One entry per Omnichannel role the user has: direct and/or through which teams."""
        out = []
        for key, name in OMNICHANNEL_ROLES.items():
            direct = name in self.direct_roles
            teams = self.team_roles.get(name, [])
            if direct or teams:
                out.append({"key": key, "label": ROLE_LABELS[key], "direct": direct, "teams": teams})
        return out

    @property
    def team_only_roles(self) -> list[str]:
        """Omnichannel role keys the user has only through a team (needs a direct assignment)."""
        return [
            key
            for key, name in OMNICHANNEL_ROLES.items()
            if name not in self.direct_roles and self.team_roles.get(name)
        ]

    @property
    def has_api_access(self) -> bool:
        return API_ACCESS in self.direct_roles or bool(self.team_roles.get(API_ACCESS))

    @property
    def api_access_conflict(self) -> bool:
        held = set(self.direct_roles) | set(self.team_roles)
        return self.has_api_access and bool(held & {SUPERVISOR, AGENT})

    def omnichannel_names(self) -> list[str]:
        return sorted(name for name in self.direct_roles if name in OMNICHANNEL_ROLES.values())


def _user_from_row(row: dict[str, Any], team_roles: dict[str, list[str]]) -> DirectoryUser:
    """One user from a ``systemusers`` row; ``team_roles`` maps team id (lower case) → role names."""
    user = DirectoryUser(
        id=str(row.get("systemuserid", "")),
        fullname=str(row.get("fullname") or ""),
        email=str(row.get("internalemailaddress") or ""),
        business_unit_id=str(row.get("_businessunitid_value") or ""),
        business_unit=str(row.get(f"_businessunitid_value@{FORMATTED}") or ""),
        access_mode=row.get("accessmode"),
        disabled=bool(row.get("isdisabled")),
    )
    for role in row.get("systemuserroles_association") or []:
        user.direct_roles[str(role.get("name"))] = str(role.get("roleid"))
    for team in row.get("teammembership_association") or []:
        for name in team_roles.get(str(team.get("teamid") or "").lower(), []):
            user.team_roles.setdefault(name, []).append(str(team.get("name") or ""))
    return user


class TeamRoles:
    """Which Omnichannel roles each team holds, read once (one request) and only when a listed user is in a team.

    Read from the role side (``roles`` with their ``teamroles_association``): one single N:N expansion, a shape
    Dataverse supports, whatever the number of teams.
    """

    def __init__(self, client: DataverseClient) -> None:
        self.client = client
        self._by_team: dict[str, list[str]] | None = None

    def by_team(self) -> dict[str, list[str]]:
        """Team id (lower case) → names of the Omnichannel roles (and API access) the team holds."""
        if self._by_team is None:
            names = [*OMNICHANNEL_ROLES.values(), API_ACCESS]
            condition = " or ".join(f"name eq {literal(name)}" for name in names)
            found: dict[str, list[str]] = {}
            for role in self.client.query("roles", select=["name"], filter=condition, expand=TEAM_EXPAND):
                for team in role.get("teamroles_association") or []:
                    team_roles = found.setdefault(str(team.get("teamid") or "").lower(), [])
                    if role.get("name") not in team_roles:
                        team_roles.append(str(role.get("name")))
            self._by_team = found
        return self._by_team

    def users(self, rows: list[dict[str, Any]]) -> list[DirectoryUser]:
        """Users of ``systemusers`` rows; team roles are read only if one of them is in a team."""
        in_teams = any(row.get("teammembership_association") for row in rows)
        by_team = self.by_team() if in_teams else {}
        return [_user_from_row(row, by_team) for row in rows]


def search_filter(text: str) -> str:
    """``$filter`` for enabled users, optionally matching name or e-mail (quotes escaped as OData wants)."""
    base = "isdisabled eq false"
    text = text.strip()[:100]
    if not text:
        return base
    needle = literal(text) if not _looks_like_guid(text) else "'" + text + "'"
    return f"{base} and (contains(fullname,{needle}) or contains(internalemailaddress,{needle}))"


def _looks_like_guid(text: str) -> bool:
    # literal() leaves GUIDs bare and quotes every other text.
    return literal(text) == text


@dataclass
class UserPage:
    users: list[DirectoryUser]
    next_link: str | None


def list_users(
    client: DataverseClient,
    *,
    search: str = "",
    next_link: str | None = None,
    page_size: int | None = None,
    team_roles: TeamRoles | None = None,
) -> UserPage:
    """One page of enabled users with their roles (direct and through teams), ordered by name.

    Requests: one for the page, plus one for the roles of teams unless ``team_roles`` has read them already.
    """
    page_size = page_size or PAGE_SIZE
    if next_link:
        page = client.follow(next_link, page_size=page_size, include_annotations=FORMATTED)
    else:
        page = client.query_page(
            "systemusers",
            select=USER_SELECT,
            filter=search_filter(search),
            orderby="fullname",
            expand=USER_EXPAND,
            page_size=page_size,
            include_annotations=FORMATTED,
        )
    return UserPage((team_roles or TeamRoles(client)).users(page.rows), page.next_link)


def iter_users(
    client: DataverseClient, *, search: str = "", page_size: int = 1000
) -> Iterable[DirectoryUser]:
    """Every enabled user with roles, page by page (team roles are read once for all pages)."""
    team_roles = TeamRoles(client)
    next_link: str | None = None
    while True:
        page = list_users(
            client, search=search, next_link=next_link, page_size=page_size, team_roles=team_roles
        )
        yield from page.users
        if not page.next_link:
            return
        next_link = page.next_link


def fetch_users(client: DataverseClient, user_ids: Iterable[str]) -> dict[str, DirectoryUser]:
    """The current state of these users (disabled ones included), a few dozen ids per request."""
    ids = list(dict.fromkeys(str(i) for i in user_ids))
    found: dict[str, DirectoryUser] = {}
    team_roles = TeamRoles(client)
    for start in range(0, len(ids), IDS_PER_QUERY):
        chunk = ids[start : start + IDS_PER_QUERY]
        condition = " or ".join(f"systemuserid eq {literal(i)}" for i in chunk)
        rows = list(
            client.query(
                "systemusers",
                select=USER_SELECT,
                filter=condition,
                expand=USER_EXPAND,
                page_size=1000,
                include_annotations=FORMATTED,
            )
        )
        for user in team_roles.users(rows):
            found[user.id.lower()] = user
    return found


class RoleFinder:
    """Finds a role by name in a business unit; caches answers (including "missing") for one request."""

    def __init__(self, client: DataverseClient) -> None:
        self.client = client
        self._cache: dict[tuple[str, str], str | None] = {}

    def find(self, name: str, business_unit_id: str) -> str | None:
        key = (name, business_unit_id.lower())
        if key not in self._cache:
            page = self.client.query_page(
                "roles",
                select=["roleid", "name"],
                filter=f"name eq {literal(name)} and _businessunitid_value eq {literal(business_unit_id)}",
                top=1,
            )
            self._cache[key] = str(page.rows[0]["roleid"]) if page.rows else None
        return self._cache[key]


# -- changes


DONE = "done"
SKIPPED = "skipped"
FAILED = "failed"


@dataclass
class UserOutcome:
    user_id: str
    name: str
    status: str  # done / skipped / failed
    message: str
    warning: str = ""


@dataclass
class ChangeReport:
    action: str  # assign / remove
    role_key: str
    outcomes: list[UserOutcome] = field(default_factory=list)
    requests: int = 0

    @property
    def role_label(self) -> str:
        return str(ROLE_LABELS.get(self.role_key, self.role_key))

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def done(self) -> int:
        return self.count(DONE)

    @property
    def failed(self) -> int:
        return self.count(FAILED)

    @property
    def skipped(self) -> int:
        return self.count(SKIPPED)

    @property
    def warnings(self) -> list[UserOutcome]:
        return [o for o in self.outcomes if o.warning]

    def as_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "role_key": self.role_key,
            "outcomes": [o.__dict__ for o in self.outcomes],
        }


def change_role(
    client: DataverseClient,
    *,
    environment: Any,
    actor: Any,
    user_ids: Iterable[str],
    role_key: str,
    action: str,
    on_progress: Callable[[int, int], None] | None = None,
) -> ChangeReport:
    """Assign (``action="assign"``) or remove one Omnichannel role for many users at once."""
    if role_key not in OMNICHANNEL_ROLES:
        raise ValueError(f"unknown role {role_key!r}")
    if action not in ("assign", "remove"):
        raise ValueError(f"unknown action {action!r}")
    role_name = OMNICHANNEL_ROLES[role_key]
    report = ChangeReport(action=action, role_key=role_key)
    ids = list(dict.fromkeys(str(i).lower() for i in user_ids if i))
    if not ids:
        return report
    users = fetch_users(client, ids)
    finder = RoleFinder(client)
    planned: list[tuple[DirectoryUser, str]] = []
    for user_id in ids:
        user = users.get(user_id)
        if user is None:
            report.outcomes.append(
                UserOutcome(user_id, user_id, FAILED, _("This user no longer exists in the environment."))
            )
            continue
        if user.disabled:
            report.outcomes.append(
                UserOutcome(
                    user.id, user.fullname, SKIPPED, _("The user is disabled in the org; nothing changed.")
                )
            )
            continue
        if action == "assign":
            if user.holds(role_name):
                report.outcomes.append(
                    UserOutcome(
                        user.id,
                        user.fullname,
                        SKIPPED,
                        _("Already holds %(role)s directly.") % {"role": role_name},
                    )
                )
                continue
            role_id = finder.find(role_name, user.business_unit_id)
            if role_id is None:
                report.outcomes.append(
                    UserOutcome(
                        user.id,
                        user.fullname,
                        FAILED,
                        _(
                            "The business unit “%(unit)s” has no role named “%(role)s”. Add the role to that "
                            "business unit, or move the user to a business unit that has it."
                        )
                        % {"unit": user.business_unit or user.business_unit_id, "role": role_name},
                    )
                )
                continue
        else:
            role_id = user.direct_roles.get(role_name)
            if role_id is None:
                note = _("Does not hold %(role)s directly; nothing to remove.") % {"role": role_name}
                if user.team_roles.get(role_name):
                    note += " " + _("It is held through the team %(teams)s; remove it there.") % {
                        "teams": ", ".join(user.team_roles[role_name])
                    }
                report.outcomes.append(UserOutcome(user.id, user.fullname, SKIPPED, note))
                continue
        planned.append((user, role_id))

    total = len(planned)
    finished = 0
    for start in range(0, total, USERS_PER_BATCH):
        chunk = planned[start : start + USERS_PER_BATCH]
        results = _apply(client, chunk, action, report)
        for user, _role_id in chunk:
            error = results.get(user.id)
            before = user.omnichannel_names()
            if error is None:
                after = (
                    sorted(set(before) | {role_name})
                    if action == "assign"
                    else sorted(set(before) - {role_name})
                )
                warning = ""
                if action == "assign" and role_key in ("supervisor", "agent") and user.has_api_access:
                    warning = _(
                        "%(name)s also holds “Omnichannel API access”, which supervisors and agents must not "
                        "have. Remove it in the Power Platform admin center."
                    ) % {"name": user.fullname}
                message = (_("Assigned %(role)s.") if action == "assign" else _("Removed %(role)s.")) % {
                    "role": role_name
                }
                report.outcomes.append(UserOutcome(user.id, user.fullname, DONE, message, warning))
                audit.record(
                    actor,
                    "roles.assigned" if action == "assign" else "roles.removed",
                    environment=environment,
                    details={
                        "user_id": user.id,
                        "user": user.fullname,
                        "email": user.email,
                        "role": role_name,
                        "before": before,
                        "after": after,
                    },
                )
            else:
                report.outcomes.append(UserOutcome(user.id, user.fullname, FAILED, error))
        finished += len(chunk)
        if on_progress is not None:
            on_progress(finished, total)
    if report.failed:
        logger.info("Role %s of %s: %d failed", action, role_name, report.failed)
    return report


def _apply(
    client: DataverseClient, planned: list[tuple[DirectoryUser, str]], action: str, report: ChangeReport
) -> dict[str, str | None]:
    """Send one changeset per user; 429 for single users is waited out and only those are resent.

    Returns user id → None when applied, else the reason it failed.
    """
    results: dict[str, str | None] = {}
    pending = list(planned)
    policy = client.retry
    attempt = 0
    while pending:
        attempt += 1
        batch = Batch()
        for user, role_id in pending:
            changeset = batch.changeset(label=user.id)
            if action == "assign":
                changeset.associate(
                    "systemusers", user.id, "systemuserroles_association", "roles", role_id, label=user.id
                )
            else:
                changeset.disassociate(
                    "systemusers", user.id, "systemuserroles_association", role_id, label=user.id
                )
        report.requests += 1
        try:
            response = client.execute_batch(batch, continue_on_error=True)
        except dataverse.DataverseError as batch_error:
            # The whole request failed (after the client's own retries): nothing in it was applied.
            reason = batch_error.message or str(batch_error)
            for user, _role in pending:
                results[user.id] = reason
            return results
        throttled: list[tuple[DirectoryUser, str]] = []
        failures: dict[str, dataverse.DataverseError] = {
            failed.operation_label or "": failed for failed in response.errors
        }
        wait = 0.0
        for user, role_id in pending:
            error: dataverse.DataverseError | None = failures.get(user.id)
            if error is None:
                results[user.id] = None
            elif isinstance(error, dataverse.ThrottledError) and attempt < policy.max_attempts:
                throttled.append((user, role_id))
                wait = max(
                    wait, error.retry_after if error.retry_after is not None else policy.backoff(attempt)
                )
            else:
                results[user.id] = _reason(error)
        pending = throttled
        if pending:
            logger.info("Dataverse throttled %d role changes; waiting %.1f s", len(pending), wait)
            client.sleep(wait)
    return results


def _reason(error: dataverse.DataverseError) -> str:
    if isinstance(error, dataverse.ThrottledError):
        return _("Dataverse is busy (service protection limit); run the change again later to finish it.")
    return error.message or str(error)


# -- checklist for the channel page


def has_direct_holder(client: DataverseClient, role_name: str) -> bool:
    """Whether any enabled user holds a role of this name (in any business unit) directly."""
    for role in client.query(
        "roles",
        select=["roleid"],
        filter=f"name eq {literal(role_name)}",
        expand="systemuserroles_association($select=systemuserid;$filter=isdisabled eq false;$top=1)",
    ):
        if role.get("systemuserroles_association"):
            return True
    return False


def queue_members(client: DataverseClient, queue: str) -> tuple[str | None, int]:
    """(queue id, number of members) for a queue id or name; id None when there is no such queue."""
    queue = queue.strip()
    queue_id: str | None = None
    if _looks_like_guid(queue):
        queue_id = queue
    else:
        page = client.query_page("queues", select=["queueid"], filter=f"name eq {literal(queue)}", top=1)
        queue_id = str(page.rows[0]["queueid"]) if page.rows else None
    if queue_id is None:
        return None, 0
    members = client.related("queues", queue_id, "queuemembership_association", select=["systemuserid"])
    return queue_id, len(members)
