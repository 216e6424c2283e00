from __future__ import annotations

import json as jsonlib
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
from requests.structures import CaseInsensitiveDict

from dataverse import DataverseClient, RetryPolicy

ORG = "https://contoso.crm.dynamics.com"
ROOT = f"{ORG}/api/data/v9.2/"
GUID = "5b4ced1c-1111-4a1b-9c2d-000000000001"
GUID2 = "5b4ced1c-1111-4a1b-9c2d-000000000002"


def make_response(
    status: int = 200, body: Any = None, headers: dict[str, str] | None = None, *, text: str | None = None
) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response.headers = CaseInsensitiveDict(headers or {})
    if text is not None:
        response._content = text.encode("utf-8")
    elif body is not None:
        response._content = jsonlib.dumps(body).encode("utf-8")
        response.headers.setdefault("Content-Type", "application/json; odata.metadata=minimal")
    else:
        response._content = b""
    return response


def odata_error(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> requests.Response:
    return make_response(status, {"error": {"code": code, "message": message}}, headers)


@dataclass
class Recorded:
    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None
    timeout: Any

    @property
    def json(self) -> Any:
        return jsonlib.loads(self.body) if self.body else None


class FakeSession:
    """A requests-compatible session: records requests and returns scripted responses (or raises)."""

    def __init__(self, *script: requests.Response | Exception) -> None:
        self.script = list(script)
        self.requests: list[Recorded] = []

    def add(self, *items: requests.Response | Exception) -> None:
        self.script.extend(items)

    def request(self, method: str, url: str, data: bytes | None = None, headers=None, timeout=None, **kwargs):
        self.requests.append(Recorded(method, url, dict(headers or {}), data, timeout))
        if not self.script:
            raise AssertionError(f"unexpected request {method} {url}")
        item = self.script.pop(0)
        if isinstance(item, Exception):
            raise item
        return item


@dataclass
class FakeClock:
    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class FakeTokens:
    def __init__(self) -> None:
        self.issued = 0
        self.invalidated = 0

    def get_token(self) -> str:
        self.issued += 1
        return f"token-{self.invalidated}"

    def invalidate(self, token: str | None = None) -> None:
        self.invalidated += 1


@pytest.fixture
def session() -> FakeSession:
    return FakeSession()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def tokens() -> FakeTokens:
    return FakeTokens()


@pytest.fixture
def client(session: FakeSession, clock: FakeClock, tokens: FakeTokens) -> DataverseClient:
    return DataverseClient(ORG, tokens, session=session, clock=clock, sleep=clock.sleep, retry=RetryPolicy())
