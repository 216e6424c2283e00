"""A database that stays locked past its timeout answers 409 with a message, not a 500."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


def is_busy(error: BaseException) -> bool:
    text = str(error).lower()
    return isinstance(error, OperationalError) and ("database is locked" in text or "deadlock" in text)


class DatabaseBusyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_busy(exception):
            return None
        logger.warning("Database busy for %s %s: %s", request.method, request.path, exception)
        return HttpResponse(
            _("Someone else was changing the same thing at that moment. Reload the page and try again."),
            status=409,
            content_type="text/plain; charset=utf-8",
        )
