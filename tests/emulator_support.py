"""One local Dataverse emulator for the whole test session, its knobs, and an environment for it."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest

_unique_pk = itertools.count(100_000)


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    emulator_module = pytest.importorskip("emulator")
    server = emulator_module.start_emulator(tmp_path_factory.mktemp("emulator"), port=0)
    yield server
    server.stop()


class Knobs:
    """The emulator's fault and request-log knobs, called over HTTPS with a token of their own."""

    def __init__(self, server: Any) -> None:
        import dataverse

        connection = dict(server.connection)
        self.base_url = server.base_url
        self.session = dataverse.build_session(connection["ca_file"])
        self.provider = dataverse.token_provider_for(
            key="emulator-knobs",
            tenant_id=connection["tenant_id"],
            client_id=connection["client_id"],
            client_secret=connection["client_secret"],
            org_url=server.org_url,
            authority_host=str(connection["authority"]).rstrip("/").rsplit("/", 1)[0],
            instance_discovery=False,
            session=self.session,
        )
        self.client = dataverse.DataverseClient(server.org_url, self.provider, session=self.session)

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.provider.get_token()}"}

    def fault(self, **spec: Any) -> int:
        answer = self.session.post(
            f"{self.base_url}/_emulator/faults", json=spec, headers=self._headers(), timeout=10
        )
        answer.raise_for_status()
        return int(answer.json()["id"])

    def clear(self) -> None:
        self.session.delete(f"{self.base_url}/_emulator/faults", headers=self._headers(), timeout=10)

    def log(self, after: int = 0) -> list[dict[str, Any]]:
        answer = self.session.get(
            f"{self.base_url}/_emulator/requests",
            params={"after": after},
            headers=self._headers(),
            timeout=10,
        )
        answer.raise_for_status()
        return list(answer.json()["value"])

    def last_seq(self) -> int:
        self._headers()  # the knobs' own token request is then already in the log
        return max((int(entry["seq"]) for entry in self.log()), default=0)


@pytest.fixture(scope="session")
def knobs(emulator: Any) -> Knobs:
    return Knobs(emulator)


def unique_environment_pk(environment: Any) -> Any:
    """Give the environment a pk no earlier test used, so deterministic row ids never collide in the
    one emulator the session shares (rolled-back test transactions reuse pks)."""
    from portal.models import Environment

    new_pk = next(_unique_pk)
    Environment.objects.filter(pk=environment.pk).update(id=new_pk)
    return Environment.objects.get(pk=new_pk)


@pytest.fixture
def emulator_environment(db: Any, emulator: Any, knobs: Knobs) -> Iterator[Any]:
    from portal.services.environments import register_emulator

    knobs.clear()
    environment = register_emulator(dict(emulator.connection), name="Local Dataverse (emulator)")
    yield unique_environment_pk(environment)
    knobs.clear()


@pytest.fixture
def entra_settings(settings: Any, emulator: Any) -> Any:
    """ "Sign in with Microsoft" configured against the emulator's second app registration."""
    connection = emulator.connection
    settings.ENTRA_CLIENT_ID = connection["signin_client_id"]
    settings.ENTRA_CLIENT_SECRET = connection["signin_client_secret"]
    settings.ENTRA_TENANT_ID = connection["tenant_id"]
    settings.ENTRA_AUTHORITY_HOST = emulator.base_url
    settings.ENTRA_CA_FILE = connection["ca_file"]
    settings.ENTRA_GROUP_MAP = {"Portal.Admin": "Portal administrators"}
    return settings


@pytest.fixture(scope="session")
def test_org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    emulator_module = pytest.importorskip("emulator")
    server = emulator_module.start_emulator(tmp_path_factory.mktemp("emulator-test"), port=0, profile="test")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def test_knobs(test_org: Any) -> Knobs:
    return Knobs(test_org)


@pytest.fixture
def test_environment(db: Any, test_org: Any, test_knobs: Knobs) -> Any:
    from portal.services.environments import register_emulator

    test_knobs.clear()
    return unique_environment_pk(register_emulator(dict(test_org.connection), name="Local Dataverse (test)"))
