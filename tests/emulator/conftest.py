"""Fixtures for the emulator tests: one in-process emulator per session, raw HTTP sessions."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from emulator import start_emulator  # noqa: E402

API = "/api/data/v9.2/"


def make_session(ca_file: str) -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    session.verify = ca_file
    return session


def token_url(emu) -> str:
    return f"{emu.base_url}/{emu.connection['tenant_id']}/oauth2/v2.0/token"


def token_form(emu, **overrides: str) -> dict[str, str]:
    """A client-credentials token request for the emulator's app registration, with ``overrides``."""
    conn = emu.connection
    data = {
        "grant_type": "client_credentials",
        "client_id": conn["client_id"],
        "client_secret": conn["client_secret"],
        "scope": f"{conn['org_url']}/.default",
    }
    data.update(overrides)
    return data


def client_token(emu, session: requests.Session) -> str:
    answer = session.post(token_url(emu), data=token_form(emu))
    assert answer.status_code == 200, answer.text
    return answer.json()["access_token"]


@pytest.fixture(scope="session")
def emu(tmp_path_factory):
    server = start_emulator(tmp_path_factory.mktemp("emulator-state"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def raw(emu) -> requests.Session:
    """A session that trusts the emulator CA and sends nothing else."""
    return make_session(emu.ca_file)


@pytest.fixture(scope="session")
def token(emu, raw) -> str:
    return client_token(emu, raw)


@pytest.fixture(scope="session")
def api(emu, token):
    """A session with the bearer token and OData headers; `api.url(path)` builds Web API URLs."""
    session = make_session(emu.ca_file)
    session.headers.update(
        {
            "Authorization": f"Bearer {token}",
            "Accept": "application/json",
            "OData-MaxVersion": "4.0",
            "OData-Version": "4.0",
        }
    )
    session.url = lambda path: emu.org_url + API + path  # type: ignore[attr-defined]
    return session


@pytest.fixture(autouse=True)
def _no_faults(emu, token):
    yield
    make_session(emu.ca_file).delete(
        f"{emu.base_url}/_emulator/faults", headers={"Authorization": f"Bearer {token}"}
    )


def seeded_id(api, entity_set: str, key: str, filter_: str) -> str:
    answer = api.get(api.url(f"{entity_set}?$select={key}&$filter={filter_}"))
    assert answer.status_code == 200, answer.text
    return answer.json()["value"][0][key]
