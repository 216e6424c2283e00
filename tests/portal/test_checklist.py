"""The channel page's readiness checklist: what it remembers, and what it asks again."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from portal.services import checklist as checklists
from tests.factories import EnvironmentFactory

pytestmark = pytest.mark.django_db


def test_a_queue_not_there_yet_is_asked_for_again_and_one_that_is_there_is_remembered(monkeypatch):
    cache.clear()
    environment = EnvironmentFactory()
    answers = [(None, 0), ("queue-id", 2), ("queue-id", 0)]
    asked = []

    def queue_members(client, name):
        asked.append(name)
        return answers[len(asked) - 1]

    monkeypatch.setattr(checklists, "client_for", lambda *a, **k: object())
    monkeypatch.setattr(checklists.roles, "has_direct_holder", lambda client, role: True)
    monkeypatch.setattr(checklists.roles, "queue_members", queue_members)

    def queue_line():
        return next(line for line in checklists.checklist(environment, "Contoso chat") if line.key == "queue")

    before = queue_line()
    assert before.ok is None and "created on publish" in before.detail
    # Published since: the queue is there, with members, at once rather than a minute later.
    assert queue_line().ok is True
    assert queue_line().ok is True and len(asked) == 2  # found once, then remembered
