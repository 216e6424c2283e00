"""A session-wide local Dataverse emulator for service, view and browser tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    emulator_module = pytest.importorskip("emulator")
    server = emulator_module.start_emulator(tmp_path_factory.mktemp("emulator"), port=0)
    yield server
    server.stop()


class Knobs:
    """The emulator's fault and request-log knobs, called over HTTPS with a bearer token."""

    def __init__(self, server: Any) -> None:
        import dataverse

        connection = server.connection
        self.base_url = server.base_url
        self.session = dataverse.build_session(connection["ca_file"])
        self.provider = dataverse.token_provider_for(
            key="emulator-knobs",
            tenant_id=connection["tenant_id"],
            client_id=connection["client_id"],
            client_secret=connection["client_secret"],
            org_url=server.org_url,
            authority_host=connection["authority"].rsplit("/", 1)[0],
            instance_discovery=False,
            session=self.session,
        )

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.provider.get_token()}"}

    def fault(self, **spec: Any) -> int:
        answer = self.session.post(
            f"{self.base_url}/_emulator/faults", json=spec, headers=self._headers(), timeout=10
        )
        answer.raise_for_status()
        return int(answer.json()["id"])

    def clear_faults(self) -> None:
        self.session.delete(f"{self.base_url}/_emulator/faults", headers=self._headers(), timeout=10)

    def last_seq(self) -> int:
        log = self.requests()
        return max((entry["seq"] for entry in log), default=0)

    def requests(self, after: int = 0) -> list[dict[str, Any]]:
        answer = self.session.get(
            f"{self.base_url}/_emulator/requests",
            params={"after": after},
            headers=self._headers(),
            timeout=10,
        )
        answer.raise_for_status()
        return list(answer.json()["value"])


@pytest.fixture(scope="session")
def knobs(emulator: Any) -> Knobs:
    return Knobs(emulator)


@pytest.fixture
def emulator_environment(emulator: Any, db: Any) -> Any:
    from portal.services.environments import register_emulator

    return register_emulator(emulator.connection, name="Local Dataverse (emulator)")
