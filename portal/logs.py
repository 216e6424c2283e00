"""Logging filters of the portal (``settings.LOGGING``)."""

from __future__ import annotations

import logging


class RefusalsInOneLine(logging.Filter):
    """A request refused for want of permission (403) is logged as its one line, "Forbidden (Permission
    denied): path"; Django attaches the ``PermissionDenied`` traceback, which says nothing an administrator
    reading the log can use and buries the errors that matter."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True
