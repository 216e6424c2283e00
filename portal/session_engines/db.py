"""Sessions in the database (``SESSION_ENGINE = "portal.session_engines.db"``)."""

from django.contrib.sessions.backends import db

from portal.session_engines import PreparedSessionRead


class SessionStore(PreparedSessionRead, db.SessionStore):
    pass
