"""`$batch`: multipart/mixed parsing, atomic changesets and the multipart answer."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from .errors import ODataError, fault_error
from .http_types import Call, Response, reason
from .webapi import API_PREFIX, WebApi, parse_prefer

MAX_OPERATIONS = 1000


class DropConnection(Exception):
    """Close the client connection without answering."""


@dataclass
class Operation:
    method: str
    url: str
    headers: dict[str, str]
    body: str
    content_id: str | None
    path: str = ""
    query: str = ""


@dataclass
class BatchOutcome:
    response: Response
    operations: list[dict[str, str]] = field(default_factory=list)
    deferred_faults: list[Any] = field(default_factory=list)


def boundary_of(content_type: str) -> str | None:
    m = re.search(r'boundary\s*=\s*"?([^";\s]+)"?', content_type or "", re.I)
    return m.group(1) if m else None


def _split_parts(text: str, boundary: str) -> list[str]:
    parts: list[str] = []
    current: list[str] | None = None
    for line in text.split("\n"):
        stripped = line.rstrip()
        if stripped == f"--{boundary}--":
            if current is not None:
                parts.append("\n".join(current))
            return parts
        if stripped == f"--{boundary}":
            if current is not None:
                parts.append("\n".join(current))
            current = []
        elif current is not None:
            current.append(line)
    if current:
        parts.append("\n".join(current))
    return parts


def _headers_and_body(text: str) -> tuple[dict[str, str], str]:
    text = text.lstrip("\n")
    head, _, body = text.partition("\n\n")
    headers = {}
    for line in head.split("\n"):
        if ":" in line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    return headers, body


def _operation(part: str) -> Operation:
    mime_headers, content = _headers_and_body(part)
    content = content.lstrip("\n")
    request_line, _, rest = content.partition("\n")
    bits = request_line.split()
    if len(bits) < 2:
        raise ODataError(400, "0x80048d19", "The batch request contains a malformed request line.")
    if not rest.strip() or rest.startswith("\n"):
        headers: dict[str, str] = {}
        body = rest
    else:
        headers, body = _headers_and_body(rest)
    content_id = mime_headers.get("content-id") or headers.get("content-id")
    return Operation(bits[0].upper(), bits[1], headers, body.strip(), content_id)


def parse(body: bytes, content_type: str) -> list[Operation | list[Operation]]:
    boundary = boundary_of(content_type)
    if not boundary:
        raise ODataError(
            400, "0x80048d19", "The batch request must have a multipart/mixed content type with a boundary."
        )
    text = body.decode("utf-8").replace("\r\n", "\n")
    items: list[Operation | list[Operation]] = []
    for part in _split_parts(text, boundary):
        headers, content = _headers_and_body(part)
        if headers.get("content-type", "").lower().startswith("multipart/mixed"):
            inner = boundary_of(headers["content-type"]) or ""
            items.append([_operation(p) for p in _split_parts(content, inner)])
        elif part.strip():
            items.append(_operation(part))
    return items


def _resolve(op: Operation, content_ids: dict[str, str]) -> None:
    url = op.url
    if url.startswith("$"):
        match = re.match(r"\$[^/?]+", url)
        ref = match.group(0) if match else url
        if ref not in content_ids:
            raise ODataError(
                400, "0x0", f"Content-ID Reference: '{ref}' does not exist in the batch context."
            )
        url = content_ids[ref] + url[len(ref) :]
    parts = urlsplit(url)
    path = unquote(parts.path)
    if path.startswith(API_PREFIX):
        path = path[len(API_PREFIX) :]
    elif path.startswith(API_PREFIX[1:]):
        path = path[len(API_PREFIX) - 1 :]
    op.path, op.query = path.lstrip("/"), parts.query


def _part(response: Response, content_id: str | None) -> str:
    lines = ["Content-Type: application/http", "Content-Transfer-Encoding: binary"]
    if content_id:
        lines.append(f"Content-ID: {content_id}")
    lines += ["", f"HTTP/1.1 {response.status} {reason(response.status)}"]
    headers = dict(response.headers)
    if response.entity_url and response.status in (201, 204):
        headers.setdefault("Location", response.entity_url)
        headers.setdefault("OData-EntityId", response.entity_url)
    lines += [f"{k}: {v}" for k, v in headers.items()]
    lines += ["", response.body.decode("utf-8")]
    return "\r\n".join(lines) + "\r\n"


FaultHook = Callable[[str, str], Any]


def run(api: WebApi, call: Call, caller: dict[str, Any], fault_hook: FaultHook) -> BatchOutcome:
    outcome = BatchOutcome(Response(200))
    items = parse(call.body, call.headers.get("content-type", ""))
    count = sum(len(i) if isinstance(i, list) else 1 for i in items)
    if count > MAX_OPERATIONS:
        raise ODataError(
            400,
            "0x8006088b",
            f"The number of requests in the batch ({count}) exceeds the maximum of {MAX_OPERATIONS}.",
        )
    prefer = parse_prefer(call.headers.get("prefer", ""))
    keep_going = "odata.continue-on-error" in prefer
    content_ids: dict[str, str] = {}
    parts: list[str] = []
    failed_part: str | None = None

    def execute(op: Operation) -> Response:
        try:
            _resolve(op, content_ids)
        except ODataError as err:
            return err.response()
        outcome.operations.append({"method": op.method, "path": API_PREFIX + op.path})
        fault = fault_hook(op.method, API_PREFIX + op.path)
        if fault is not None:
            if fault.after_commit:
                outcome.deferred_faults.append(fault)
            else:
                if fault.delay_ms:
                    time.sleep(fault.delay_ms / 1000)
                if fault.drop:
                    raise DropConnection()
                if fault.status:
                    return fault_error(fault.status, fault.retry_after).response()
        inner = Call(
            op.method,
            op.path,
            dict(parse_qsl(op.query, keep_blank_values=True)),
            {**op.headers, "prefer": op.headers.get("prefer", "")},
            op.body.encode(),
            op.query,
        )
        response = api.execute(inner, caller, content_ids)
        if op.content_id and response.entity_url:
            content_ids[f"${op.content_id}"] = response.entity_url
        return response

    with api.store.lock:
        for item in items:
            if isinstance(item, list):
                part, ok = _changeset(api, item, execute)
            else:
                response = execute(item)
                part, ok = _part(response, item.content_id), response.status < 400
            if ok:
                parts.append(part)
                continue
            if not keep_going:
                failed_part = part
                break
            parts.append(part)
    boundary = f"batchresponse_{uuid.uuid4()}"
    chosen = [failed_part] if failed_part is not None else parts
    body = "".join(f"--{boundary}\r\n{p}" for p in chosen) + f"--{boundary}--\r\n"
    status = 400 if failed_part is not None else 200
    outcome.response = Response(
        status,
        {"Content-Type": f"multipart/mixed; boundary={boundary}", "OData-Version": "4.0"},
        body.encode(),
    )
    return outcome


class _Rollback(Exception):
    def __init__(self, part: str) -> None:
        self.part = part


def _changeset(
    api: WebApi, ops: list[Operation], execute: Callable[[Operation], Response]
) -> tuple[str, bool]:
    boundary = f"changesetresponse_{uuid.uuid4()}"
    inner: list[str] = []
    try:
        with api.store.transaction():
            for op in ops:
                if op.method == "GET":
                    err = ODataError(400, "0x80060888", "GET requests are not allowed inside a change set.")
                    raise _Rollback(_part(err.response(), op.content_id))
                response = execute(op)
                if response.status >= 400:
                    raise _Rollback(_part(response, op.content_id))
                inner.append(_part(response, op.content_id))
    except _Rollback as failure:
        api._written()
        return failure.part, False
    except DropConnection:
        api._written()
        raise
    body = "".join(f"--{boundary}\r\n{p}" for p in inner) + f"--{boundary}--\r\n"
    return f"Content-Type: multipart/mixed; boundary={boundary}\r\n\r\n{body}", True
