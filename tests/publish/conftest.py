from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.publish.helpers import Knobs, unique_environment_pk


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    module = pytest.importorskip("emulator")
    server = module.start_emulator(tmp_path_factory.mktemp("emulator"), port=0)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def knobs(emulator: Any) -> Knobs:
    return Knobs(emulator)


@pytest.fixture
def emulator_environment(db: Any, emulator: Any, knobs: Knobs) -> Iterator[Any]:
    from portal.services.environments import register_emulator

    knobs.clear()
    environment = register_emulator(dict(emulator.connection), name="Local Dataverse (emulator)")
    yield unique_environment_pk(environment)
    knobs.clear()


@pytest.fixture
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record waits instead of sleeping: retried requests run at once."""
    waits: list[float] = []
    monkeypatch.setattr("wizard.services.publish.SLEEP", waits.append)
    return waits
