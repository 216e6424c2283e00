"""Writing and verifying the hash-chained audit log.

Each entry's hash covers its own fields and the previous entry's hash, so editing or deleting a row
in the database breaks the chain from that row on. Writers take a lock on the last entry so two
concurrent writers cannot both chain onto the same predecessor.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from portal.models import AuditEntry


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


def compute_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(_canonical(entry)).hexdigest()


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
        last = AuditEntry.objects.select_for_update().order_by("-id").only("entry_hash").first()
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
            previous_hash=last.entry_hash if last else "",
        )
        entry.created_at = timezone.now()
        entry.entry_hash = compute_hash(entry)
        entry.save(force_insert=True)
        return entry


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    checked: int
    broken_at: int | None = None
    reason: str = ""


def verify_chain(batch_size: int = 2000) -> ChainCheck:
    """Walk the whole log in id order and report the first entry whose hash or link does not match."""
    previous = ""
    checked = 0
    last_id = 0
    while True:
        rows = list(AuditEntry.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not rows:
            return ChainCheck(ok=True, checked=checked)
        for entry in rows:
            if entry.previous_hash != previous:
                return ChainCheck(False, checked, entry.id, "the link to the previous entry does not match")
            if compute_hash(entry) != entry.entry_hash:
                return ChainCheck(False, checked, entry.id, "the entry's content does not match its hash")
            previous = entry.entry_hash
            checked += 1
            last_id = entry.id
