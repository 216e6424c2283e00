"""Plain request/response values shared by the Web API, `$batch` and the WSGI layer."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

JSON_TYPE = "application/json; odata.metadata=minimal"


@dataclass
class Call:
    method: str
    path: str  # decoded path relative to the service root, without a leading slash
    params: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes = b""
    raw_query: str = ""


@dataclass
class Response:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    entity_url: str = ""  # URL of the row a create or upsert wrote; used for `$n` and `Location` in batches

    @property
    def status_line(self) -> str:
        return f"{self.status} {reason(self.status)}"


def reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def json_response(
    status: int, payload: Any, headers: dict[str, str] | None = None, content_type: str = JSON_TYPE
) -> Response:
    body = json.dumps(payload).encode()
    return Response(status, {"Content-Type": content_type, "OData-Version": "4.0", **(headers or {})}, body)
