"""Django's database session engines (``SESSION_ENGINE``), each reading a session with SQL compiled once
per thread (:mod:`portal.prepared`): every request reads its session."""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.models import Session
from django.utils import timezone

from portal.prepared import TEXT_MARKER, PreparedQuery

_SESSIONS = PreparedQuery(Session, lambda key: Session.objects.filter(session_key=key), marker=TEXT_MARKER)


class PreparedSessionRead:
    """Django's ``_get_session_from_db``: the unexpired session under this key, or ``None`` (and the key
    forgotten, so that a new session gets a new one)."""

    session_key: str | None
    _session_key: str | None

    def _get_session_from_db(self) -> Any:
        session = _SESSIONS.get(self.session_key) if self.session_key else None
        if session is None or session.expire_date <= timezone.now():
            self._session_key = None
            return None
        return session
