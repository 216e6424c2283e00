"""Writing and verifying the keyed, hash-chained audit log.

Each entry's hash is an HMAC (key ``PORTAL_AUDIT_KEY``, kept outside the database) over its own fields
and the previous entry's hash, so editing or deleting a row breaks the chain from that row on, and
someone with database access but not the key can't recompute the later hashes. ``AuditHead`` anchors
the end of the chain (count and last hash, with an HMAC over both), so deleting the newest entries is
reported with how many are missing. Writers lock the head row, so two concurrent writers can't both
chain onto the same predecessor. On PostgreSQL a trigger refuses UPDATE and DELETE on the entries.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import AuditEntry, AuditHead

HEAD_ID = 1


def _canonical(entry: AuditEntry) -> bytes:
    payload = {
        "created_at": entry.created_at.isoformat(),
        "actor": entry.actor_name,
        "action": entry.action,
        "channel": entry.channel_id,
        "revision": entry.revision_id,
        "environment": entry.environment_id,
        "hash": entry.content_hash,
        "comment": entry.comment,
        "details": entry.details,
        "previous": entry.previous_hash,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()


def _mac(message: bytes) -> str:
    return hmac.new(settings.PORTAL_AUDIT_KEY.encode(), message, hashlib.sha256).hexdigest()


def compute_hash(entry: AuditEntry) -> str:
    return _mac(_canonical(entry))


def head_mac(count: int, last_id: int, last_hash: str) -> str:
    return _mac(f"head:{count}:{last_id}:{last_hash}".encode())


def _locked_head() -> AuditHead:
    head = AuditHead.objects.select_for_update().filter(pk=HEAD_ID).first()
    if head is None:
        AuditHead.objects.get_or_create(pk=HEAD_ID)
        head = AuditHead.objects.select_for_update().get(pk=HEAD_ID)
    return head


def record(
    actor: Any,
    action: str,
    *,
    channel: Any = None,
    revision: Any = None,
    environment: Any = None,
    content_hash: str = "",
    comment: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the audit log and return it."""
    with transaction.atomic():
        head = _locked_head()
        entry = AuditEntry(
            actor=actor if getattr(actor, "pk", None) else None,
            actor_name=getattr(actor, "username", "") or "system",
            action=action,
            channel=channel,
            revision=revision,
            environment=environment,
            content_hash=content_hash or getattr(revision, "content_hash", ""),
            comment=comment,
            details=details or {},
            previous_hash=head.last_hash,
        )
        entry.created_at = timezone.now()
        entry.entry_hash = compute_hash(entry)
        entry.save(force_insert=True)
        head.count += 1
        head.last_id = entry.pk
        head.last_hash = entry.entry_hash
        head.mac = head_mac(head.count, head.last_id, head.last_hash)
        head.save()
        return entry


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    checked: int
    broken_at: int | None = None
    reason: str = ""
    missing: int = 0


def verify_chain(batch_size: int = 2000) -> ChainCheck:
    """Walk the whole log in id order, then compare its end with the head.

    Reports the first entry whose hash or link does not match, a head that was forged or removed, and
    entries missing at the end (how many) or appended around the log.
    """
    previous = ""
    checked = 0
    last_id = 0
    while True:
        rows = list(AuditEntry.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not rows:
            break
        for entry in rows:
            if entry.previous_hash != previous:
                return ChainCheck(
                    False, checked, entry.id, _("the link to the previous entry does not match")
                )
            if not hmac.compare_digest(compute_hash(entry), entry.entry_hash):
                return ChainCheck(False, checked, entry.id, _("the entry's content does not match its hash"))
            previous = entry.entry_hash
            checked += 1
            last_id = entry.id
    head = AuditHead.objects.filter(pk=HEAD_ID).first()
    if head is None:
        if checked:
            return ChainCheck(False, checked, None, _("the chain's anchor is missing"))
        return ChainCheck(True, 0)
    if not hmac.compare_digest(head_mac(head.count, head.last_id, head.last_hash), head.mac or ""):
        return ChainCheck(False, checked, None, _("the chain's anchor was changed"))
    if head.count > checked:
        return ChainCheck(
            False,
            checked,
            None,
            _("%(count)d entries are missing at the end (the last one was entry %(id)d)")
            % {"count": head.count - checked, "id": head.last_id},
            missing=head.count - checked,
        )
    if head.count < checked or head.last_hash != previous:
        return ChainCheck(
            False, checked, last_id, _("entries were added without extending the chain's anchor")
        )
    return ChainCheck(ok=True, checked=checked)
