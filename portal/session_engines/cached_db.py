"""Sessions in the cache, written through to the database (``SESSION_ENGINE =
"portal.session_engines.cached_db"``)."""

from django.contrib.sessions.backends import cached_db

from portal.session_engines import PreparedSessionRead


class SessionStore(PreparedSessionRead, cached_db.SessionStore):
    pass
