"""Requests that would end in a 500 answer a 4xx with a message: a database that stays locked past its
timeout (409), a NUL character in a query string or a form field's name (400); a form's values lose theirs."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.template.loader import render_to_string
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
        return refused(
            _("Not saved yet"),
            _("Someone else was changing the same thing at that moment. Reload the page and try again."),
            409,
        )


def refused(title: str, message: str, status: int) -> HttpResponse:
    """A small page saying why a request was refused, drawn without the request (these answers come
    before the middleware that signs the user in has run). Its ``data-error-message`` is what portal.js
    shows above a step form sent through htmx, which keeps what was typed."""
    return HttpResponse(
        render_to_string("request_refused.html", {"title": title, "message": message}), status=status
    )


def _has_nul(data: Any) -> bool:
    return any("\x00" in key or "\x00" in "".join(values) for key, values in data.lists())


def _without_nul(form: QueryDict) -> Any:  # the immutable QueryDict ``request.POST`` holds
    cleaned = QueryDict(mutable=True, encoding=form.encoding)
    for key, values in form.lists():
        cleaned.setlist(key, [value.replace("\x00", "") for value in values])
    cleaned._mutable = False
    return cleaned


class NulCharacterMiddleware:
    """No text the portal keeps or searches may hold a NUL character (PostgreSQL refuses them in text and
    JSON), and no person types one: it comes with a paste from another program. A form's values lose
    theirs, so what was typed is saved without the invisible character (a page sent back could not give
    fields marked ``autocomplete="off"`` their text again); a query string or a form field's name with
    one is refused with 400 and a message."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            bad = _has_nul(request.GET) or (
                request.method == "POST" and any("\x00" in key for key in request.POST)
            )
            if not bad and request.method == "POST" and _has_nul(request.POST):
                request.POST = _without_nul(request.POST)
        except RequestDataTooBig:
            bad = False  # Django answers 400 for it when the view reads the form
        if bad:
            return refused(
                _("Not accepted"),
                _(
                    "What you sent contains a NUL character (an invisible control character, often pasted "
                    "from another program), which no field accepts. Delete it and try again."
                ),
                400,
            )
        return self.get_response(request)
