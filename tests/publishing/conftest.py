from __future__ import annotations

import pytest


@pytest.fixture
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record waits instead of sleeping: retried requests run at once."""
    waits: list[float] = []
    monkeypatch.setattr("publishing.services.publish.SLEEP", waits.append)
    return waits
