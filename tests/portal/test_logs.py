"""The portal's logging filters."""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse

from tests.factories import author

pytestmark = pytest.mark.django_db


def test_a_refused_request_is_logged_as_one_line_without_its_traceback(client, caplog):
    caplog.set_level(logging.WARNING, logger="django.request")
    client.force_login(author())
    assert client.get(reverse("environments:list")).status_code == 403
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert record.getMessage() == "Forbidden (Permission denied): /environments/"
    assert record.exc_info is None and "Traceback" not in caplog.text
    # A server error keeps its traceback.
    error = ValueError("boom")
    record = logging.LogRecord(
        "django.request", logging.ERROR, "", 0, "boom", None, (ValueError, error, None)
    )
    record.status_code = 500
    for log_filter in logging.getLogger("django.request").filters:
        assert log_filter.filter(record)
    assert record.exc_info is not None and record.exc_info[1] is error
