"""The audit log: browse and filter it, verify its hash chain, export it as CSV or JSON.

Pages are keyset-paginated on the id (``?before=`` / ``?after=``), so a page costs the same few
queries with a hundred entries or a million, and nothing counts the whole table.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal import audit
from portal.forms.audit import AuditFilterForm
from portal.http import AuthenticatedRequest
from portal.models import AuditEntry
from portal.permissions import VIEW_AUDIT_LOG, permission_required
from portal.services import audit_entries

PAGE_SIZE = 50
EXPORT_CHUNK = 2000
EXPORT_FIELDS = [
    "id",
    "created_at",
    "actor_name",
    "action",
    "channel_id",
    "revision_id",
    "environment_id",
    "content_hash",
    "comment",
    "details",
    "previous_hash",
    "entry_hash",
]


def filters_from(params: Any) -> tuple[AuditFilterForm, dict[str, Any]]:
    form = AuditFilterForm(params)
    return form, form.filters()


def _action_choices() -> list[tuple[str, str]]:
    codes = AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct()
    return [(code, audit_entries.action_label(code)) for code in codes]


def _bad_request(
    request: AuthenticatedRequest,
    form: AuditFilterForm,
    actions: list[tuple[str, str]] | None = None,
    *,
    exporting: bool = False,
) -> HttpResponse:
    """The audit page with the filters as typed and each problem beside its field (status 400)."""
    if exporting:
        message = _("The filter was not understood, so nothing was exported: %(problem)s")
    else:
        message = _("The filter was not understood, so nothing is shown: %(problem)s")
    context = {
        "form": form,
        "entries": [],
        "filters": form.filters(),
        "actions": _action_choices() if actions is None else actions,
        "filter_problem": message % {"problem": form.problem()},
    }
    template = "portal/audit_log.html#results" if request.htmx else "portal/audit_log.html"
    return render(request, template, context, status=400)


def filtered(filters: dict[str, Any]) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.all()
    if filters["action"]:
        entries = entries.filter(action=filters["action"])
    if filters["actor"]:
        entries = entries.filter(actor_name=filters["actor"])
    if filters["channel"] is not None:
        entries = entries.filter(channel_id=filters["channel"])
    zone = timezone.get_current_timezone()
    if filters["date_from"]:
        entries = entries.filter(created_at__gte=datetime.combine(filters["date_from"], time.min, zone))
    if filters["date_to"]:
        end = datetime.combine(filters["date_to"] + timedelta(days=1), time.min, zone)
        entries = entries.filter(created_at__lt=end)
    return entries


def _query(filters: dict[str, Any], **extra: Any) -> str:
    params = {key: value for key, value in filters.items() if value not in (None, "")}
    params.update(extra)
    return urlencode(params)


@permission_required(VIEW_AUDIT_LOG)
@require_http_methods(["GET", "POST"])
def audit_log(request: AuthenticatedRequest) -> HttpResponse:
    form, filters = filters_from(request.GET)
    if not form.is_valid():
        return _bad_request(request, form)
    actions = _action_choices()
    if form.refuse_unknown_action({code for code, _label in actions}):
        return _bad_request(request, form, actions)
    entries = filtered(filters).select_related("channel", "revision", "environment")
    before, after = form.cleaned_data["before"], form.cleaned_data["after"]
    if after is not None:
        rows = list(entries.filter(id__gt=after).order_by("id")[: PAGE_SIZE + 1])
        has_newer = len(rows) > PAGE_SIZE
        rows = list(reversed(rows[:PAGE_SIZE]))
        has_older = bool(rows)
    else:
        if before is not None:
            entries = entries.filter(id__lt=before)
        rows = list(entries.order_by("-id")[: PAGE_SIZE + 1])
        has_older = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE]
        has_newer = before is not None
    check = audit.verify_chain() if request.method == "POST" else None
    for row in rows:
        row.action_label = audit_entries.action_label(row.action)  # type: ignore[attr-defined]
        row.summary = audit_entries.summary(row)  # type: ignore[attr-defined]
    context = {
        "form": form,
        "entries": rows,
        "filters": filters,
        "actions": actions,
        "older_query": _query(filters, before=rows[-1].id) if rows and has_older else "",
        "newer_query": _query(filters, after=rows[0].id) if rows and has_newer else "",
        "filter_query": _query(filters),
        "check": check,
        "check_message": chain_message(check) if check else "",
    }
    template = "portal/audit_log.html#results" if request.htmx else "portal/audit_log.html"
    return render(request, template, context)


class _Echo:
    def write(self, value: str) -> str:
        return value


def _row(entry: AuditEntry) -> list[Any]:
    return [
        entry.id,
        entry.created_at.isoformat(),
        entry.actor_name,
        entry.action,
        entry.channel_id or "",
        entry.revision_id or "",
        entry.environment_id or "",
        entry.content_hash,
        entry.comment,
        json.dumps(entry.details, sort_keys=True, default=str),
        entry.previous_hash,
        entry.entry_hash,
    ]


def _csv_lines(entries: QuerySet[AuditEntry]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(EXPORT_FIELDS)
    for entry in entries.iterator(chunk_size=EXPORT_CHUNK):
        # A leading = + - @ would make a spreadsheet evaluate the cell; prefix it with a quote.
        yield writer.writerow(
            [
                "'" + value if isinstance(value, str) and value.startswith(("=", "+", "-", "@")) else value
                for value in _row(entry)
            ]
        )


def _json_chunks(entries: QuerySet[AuditEntry]) -> Iterator[str]:
    yield "["
    first = True
    for entry in entries.iterator(chunk_size=EXPORT_CHUNK):
        item = dict(zip(EXPORT_FIELDS, _row(entry), strict=True))
        item["details"] = entry.details
        for key in ("channel_id", "revision_id", "environment_id"):
            item[key] = item[key] or None
        yield ("" if first else ",") + "\n" + json.dumps(item, default=str)
        first = False
    yield "\n]\n"


@permission_required(VIEW_AUDIT_LOG)
def audit_export(request: AuthenticatedRequest, fmt: str) -> HttpResponseBase:
    form, filters = filters_from(request.GET)
    if not form.is_valid():
        return _bad_request(request, form, exporting=True)
    entries = filtered(filters).order_by("id")
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    if fmt == "json":
        response = StreamingHttpResponse(_json_chunks(entries), content_type="application/json")
    else:
        response = StreamingHttpResponse(_csv_lines(entries), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.{fmt}"'
    audit.record(
        request.user,
        "audit.exported",
        details={"format": fmt, **{k: str(v) for k, v in filters.items() if v}},
    )
    return response


def chain_message(check: audit.ChainCheck) -> str:
    if check.ok:
        return _("The chain is intact: %(count)d entries checked.") % {"count": check.checked}
    if check.broken_at is None:
        return _("The chain is broken: %(reason)s.") % {"reason": check.reason}
    return _("The chain is broken at entry %(id)d: %(reason)s.") % {
        "id": check.broken_at,
        "reason": check.reason,
    }
