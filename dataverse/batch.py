"""``$batch`` requests: a builder that serializes to multipart/mixed and a parser for the answer."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import DataverseError, error_for_status
from .odata import check_name, entity_path, format_key, header_value, parse_entity_id

MAX_OPERATIONS = 1000
CRLF = "\r\n"
_REF = re.compile(r"^\$(\d+)(?=$|/)")
_IDEMPOTENT_WRITES = frozenset({"PATCH", "PUT", "DELETE"})


@dataclass
class BatchOperation:
    """One request inside a batch; ``path`` is relative to the service root (``queues(<id>)``) or ``$n``."""

    method: str
    path: str
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    content_id: str | None = None
    label: str | None = None
    changeset: ChangeSet | None = None
    #: The body is ``{"@odata.id": <path>}`` whose path is made absolute when serialized.
    ref_target: bool = False

    @property
    def reference(self) -> str | None:
        return f"${self.content_id}" if self.content_id else None

    def describe(self) -> str:
        return self.label or f"{self.method} {self.path}"


def _target(entity_set: str, id: str | None) -> str:
    """``set(<id>)``, or a ``$n`` Content-ID reference passed in place of the entity set."""
    if entity_set.startswith("$"):
        if id is not None:
            raise ValueError("pass either a $n reference or an entity set with an id, not both")
        if not _REF.match(entity_set):
            raise ValueError(f"invalid Content-ID reference: {entity_set!r}")
        return entity_set
    if id is None:
        raise ValueError("an id is required")
    return entity_path(entity_set, id)


class ChangeSet:
    """An atomic group of writes: Dataverse applies all of them or none."""

    def __init__(self, batch: Batch, label: str | None = None) -> None:
        self._batch = batch
        self.label = label
        self.operations: list[BatchOperation] = []

    def __len__(self) -> int:
        return len(self.operations)

    def _check_refs(self, value: Any) -> None:
        """Every ``$n`` used must name an earlier operation of this changeset (Dataverse scopes them so)."""
        if isinstance(value, str):
            match = _REF.match(value)
            if match and match.group(1) not in {op.content_id for op in self.operations}:
                raise ValueError(
                    f"Content-ID reference {value!r} does not name an earlier operation of this changeset"
                )
        elif isinstance(value, Mapping):
            for key, item in value.items():
                if isinstance(key, str) and (key.endswith("@odata.bind") or key == "@odata.id"):
                    self._check_refs(item)
                elif isinstance(item, Mapping | list):
                    self._check_refs(item)
        elif isinstance(value, list):
            for item in value:
                self._check_refs(item)

    def _add(
        self,
        method: str,
        path: str,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        label: str | None = None,
    ) -> str:
        self._check_refs(path)
        self._check_refs(body)
        op = BatchOperation(
            method=method,
            path=path,
            body=body,
            headers=dict(headers or {}),
            content_id=self._batch._next_content_id(),
            label=label,
            changeset=self,
        )
        self._batch._register(op)
        self.operations.append(op)
        return f"${op.content_id}"

    def create(self, entity_set: str, data: Mapping[str, Any], *, label: str | None = None) -> str:
        return self._add("POST", check_name(entity_set, "entity set"), dict(data), label=label)

    def upsert(
        self, entity_set: str, id: str | None, data: Mapping[str, Any], *, label: str | None = None
    ) -> str:
        return self._add("PATCH", _target(entity_set, id), dict(data), label=label)

    def update(
        self,
        entity_set: str,
        id: str | None,
        data: Mapping[str, Any],
        *,
        if_match: str = "*",
        label: str | None = None,
    ) -> str:
        return self._add("PATCH", _target(entity_set, id), dict(data), {"If-Match": if_match}, label=label)

    def delete(
        self, entity_set: str, id: str | None, *, if_match: str | None = None, label: str | None = None
    ) -> str:
        headers = {"If-Match": if_match} if if_match else None
        return self._add("DELETE", _target(entity_set, id), None, headers, label=label)

    def associate(
        self,
        entity_set: str,
        id: str | None,
        nav_property: str,
        target_entity_set: str,
        target_id: str | None,
        *,
        label: str | None = None,
    ) -> str:
        path = f"{_target(entity_set, id)}/{check_name(nav_property, 'navigation property')}/$ref"
        op_ref = self._add("POST", path, {"@odata.id": _target(target_entity_set, target_id)}, label=label)
        self.operations[-1].ref_target = True
        return op_ref

    def disassociate(
        self,
        entity_set: str,
        id: str | None,
        nav_property: str,
        target_id: str | None = None,
        *,
        label: str | None = None,
    ) -> str:
        nav = check_name(nav_property, "navigation property")
        if target_id is not None:
            nav = f"{nav}({format_key(target_id)})"
        return self._add("DELETE", f"{_target(entity_set, id)}/{nav}/$ref", label=label)


class Batch:
    """A ``$batch`` request under construction.

    >>> b = Batch()
    >>> cs = b.changeset()
    >>> ref = cs.upsert("queues", "5b4ced1c-0000-0000-0000-000000000001", {"name": "Chat"}, label="Queue")
    """

    def __init__(self, *, id_factory: Callable[[], str] | None = None) -> None:
        self._id_factory = id_factory or (lambda: str(uuid.uuid4()))
        self.boundary = f"batch_{self._id_factory()}"
        self.parts: list[ChangeSet | BatchOperation] = []
        self._by_content_id: dict[str, BatchOperation] = {}
        self._count = 0
        self._content_ids = 0

    def __len__(self) -> int:
        return self._count

    def _next_content_id(self) -> str:
        self._content_ids += 1
        return str(self._content_ids)

    def _register(self, op: BatchOperation) -> None:
        if self._count >= MAX_OPERATIONS:
            raise ValueError(f"a batch holds at most {MAX_OPERATIONS} operations")
        self._count += 1
        if op.content_id:
            self._by_content_id[op.content_id] = op

    def changeset(self, *, label: str | None = None) -> ChangeSet:
        cs = ChangeSet(self, label)
        self.parts.append(cs)
        return cs

    def get(self, path: str, *, label: str | None = None, headers: Mapping[str, str] | None = None) -> None:
        """A read outside any changeset; ``path`` is relative to the service root, query options allowed."""
        if path.startswith("/") or "://" in path or path.startswith("$"):
            raise ValueError(
                "batch GET paths are relative to the service root, e.g. 'queues(<id>)?$select=name'"
            )
        op = BatchOperation(method="GET", path=path, headers=dict(headers or {}), label=label)
        self._register(op)
        self.parts.append(op)

    def operations(self) -> Iterator[BatchOperation]:
        for part in self.parts:
            if isinstance(part, ChangeSet):
                yield from part.operations
            else:
                yield part

    def operation(self, content_id: str) -> BatchOperation | None:
        return self._by_content_id.get(content_id.lstrip("$"))

    @property
    def is_idempotent(self) -> bool:
        """True when resending cannot duplicate anything: every write is a keyed PATCH/PUT/DELETE."""
        return all(op.method == "GET" or op.method in _IDEMPOTENT_WRITES for op in self.operations())

    @property
    def content_type(self) -> str:
        return f"multipart/mixed; boundary={self.boundary}"

    def serialize(self, service_path: str = "/api/data/v9.2/", service_root: str = "") -> bytes:
        """The request body. ``service_path`` prefixes inner URLs (server-relative); ``service_root`` is the
        absolute root used for ``$ref`` targets (``{"@odata.id": "<root>queues(<id>)"}``)."""
        if self._count == 0:
            raise ValueError("the batch is empty")
        if self._count > MAX_OPERATIONS:
            raise ValueError(f"a batch holds at most {MAX_OPERATIONS} operations")
        if not service_path.endswith("/"):
            service_path += "/"
        out: list[str] = []
        for part in self.parts:
            if isinstance(part, ChangeSet):
                if not part.operations:
                    continue
                cs_boundary = f"changeset_{self._id_factory()}"
                out.append(f"--{self.boundary}{CRLF}")
                out.append(f"Content-Type: multipart/mixed; boundary={cs_boundary}{CRLF}{CRLF}")
                for op in part.operations:
                    out.append(f"--{cs_boundary}{CRLF}")
                    out.append(self._serialize_op(op, service_path, service_root))
                out.append(f"--{cs_boundary}--{CRLF}")
            else:
                out.append(f"--{self.boundary}{CRLF}")
                out.append(self._serialize_op(part, service_path, service_root))
        out.append(f"--{self.boundary}--{CRLF}")
        return "".join(out).encode("utf-8")

    @staticmethod
    def _serialize_op(op: BatchOperation, service_path: str, service_root: str) -> str:
        lines = ["Content-Type: application/http", "Content-Transfer-Encoding: binary"]
        if op.content_id:
            lines.append(f"Content-ID: {op.content_id}")
        url = op.path if op.path.startswith("$") else service_path + op.path
        lines += ["", f"{op.method} {url} HTTP/1.1"]
        headers = dict(op.headers)
        if op.method == "GET":
            headers.setdefault("Accept", "application/json")
        elif op.body is not None:
            headers.setdefault("Content-Type", "application/json; type=entry")
        lines += [f"{name}: {value}" for name, value in headers.items()]
        body = ""
        if op.body is not None:
            payload = op.body
            if op.ref_target and not str(payload["@odata.id"]).startswith("$"):
                payload = {"@odata.id": service_root + payload["@odata.id"]}
            body = json.dumps(payload, ensure_ascii=False)
        # The part ends with CRLF after the body: Dataverse rejects a last line without it.
        return CRLF.join(lines) + CRLF + CRLF + body + CRLF


# Response parsing


@dataclass
class BatchPart:
    """One answer inside a ``$batch`` response."""

    status: int
    reason: str
    headers: dict[str, str]
    body: str
    content_id: str | None = None
    operation: BatchOperation | None = None
    changeset_index: int | None = None

    @property
    def ok(self) -> bool:
        return self.status < 400

    @property
    def json(self) -> Any:
        if not self.body.strip():
            return None
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def header(self, name: str) -> str | None:
        return header_value(self.headers, name)

    @property
    def entity_id(self) -> str | None:
        return parse_entity_id(self.header("OData-EntityId") or self.header("Location"))

    @property
    def label(self) -> str | None:
        if self.operation is not None:
            return self.operation.label
        return None


def boundary_from_content_type(content_type: str) -> str | None:
    match = re.search(r'boundary=(?:"([^"]+)"|([^;\s]+))', content_type or "", re.IGNORECASE)
    if not match:
        return None
    return match.group(1) or match.group(2)


def _split_headers(block: str) -> tuple[dict[str, str], str]:
    """Split ``headers CRLF CRLF rest``; tolerant of bare LF line endings."""
    normalized = block.replace("\r\n", "\n")
    if normalized.startswith("\n"):
        return {}, normalized[1:]
    head, _, rest = normalized.partition("\n\n")
    headers: dict[str, str] = {}
    for line in head.split("\n"):
        if ":" in line:
            name, _, value = line.partition(":")
            headers[name.strip()] = value.strip()
    return headers, rest


def _split_multipart(text: str, boundary: str) -> list[str]:
    """The bodies between ``--boundary`` delimiters, up to the closing ``--boundary--``."""
    parts = []
    for chunk in text.split(f"--{boundary}")[1:]:
        if chunk.startswith("--"):
            break
        if chunk.startswith("\r\n"):
            chunk = chunk[2:]
        elif chunk.startswith("\n"):
            chunk = chunk[1:]
        parts.append(chunk)
    return parts


def _parse_http_part(mime_headers: Mapping[str, str], payload: str) -> BatchPart:
    status_line, _, rest = payload.replace("\r\n", "\n").lstrip("\n").partition("\n")
    match = re.match(r"HTTP/\d\.\d\s+(\d{3})\s*(.*)", status_line.strip())
    if not match:
        raise ValueError(f"malformed $batch response part: {status_line[:80]!r}")
    headers, body = _split_headers(rest)
    content_id = header_value(mime_headers, "Content-ID") or header_value(headers, "Content-ID")
    return BatchPart(
        status=int(match.group(1)),
        reason=match.group(2).strip(),
        headers=headers,
        body=body.strip("\n"),
        content_id=content_id.strip("<>") if content_id else None,
    )


class BatchResponse:
    """The parsed answer to a ``$batch`` request.

    ``responses`` lists every part in order, changeset parts flattened (``changeset_index`` tells them apart).
    """

    def __init__(
        self,
        status: int,
        headers: Mapping[str, str],
        body: str,
        batch: Batch | None = None,
        *,
        request_url: str | None = None,
    ) -> None:
        self.status = status
        self.headers = dict(headers)
        self.batch = batch
        self.request_url = request_url
        self.responses: list[BatchPart] = []
        # One entry per top-level answer: a GET's part, a changeset's parts, or a failed changeset's part.
        self._answers: list[list[BatchPart]] = []
        boundary = boundary_from_content_type(header_value(headers, "Content-Type") or "")
        if boundary is None:
            raise ValueError("the $batch response is not multipart/mixed")
        changeset_no = 0
        for chunk in _split_multipart(body, boundary):
            mime_headers, payload = _split_headers(chunk)
            content_type = header_value(mime_headers, "Content-Type") or ""
            inner = boundary_from_content_type(content_type)
            answer: list[BatchPart] = []
            if content_type.lower().startswith("multipart/mixed") and inner:
                for sub in _split_multipart(payload, inner):
                    sub_headers, sub_payload = _split_headers(sub)
                    part = _parse_http_part(sub_headers, sub_payload)
                    part.changeset_index = changeset_no
                    answer.append(part)
                changeset_no += 1
            else:
                answer.append(_parse_http_part(mime_headers, payload))
            self._answers.append(answer)
            self.responses.extend(answer)
        if batch is not None:
            self._match_operations(batch)

    def _match_operations(self, batch: Batch) -> None:
        """Attach each part to the operation it answers: by echoed Content-ID, else by position.

        Answers come in request order, one per GET and one per changeset (nested multipart on success, a
        single error part on failure). A stop-at-first-error answer may hold only the failing part; when
        Content-IDs are not echoed, that part is given to the only changeset that could have produced it.
        """
        units = [p for p in batch.parts if not (isinstance(p, ChangeSet) and not p.operations)]
        for number, answer in enumerate(self._answers):
            unit = units[number] if number < len(units) else None
            if len(self._answers) < len(units) and number == len(self._answers) - 1 and not answer[-1].ok:
                remaining = [u for u in units[number:] if isinstance(u, ChangeSet)]
                if len(remaining) == 1 and not isinstance(unit, ChangeSet):
                    unit = remaining[0]
            for position, part in enumerate(answer):
                by_id = batch.operation(part.content_id) if part.content_id else None
                if by_id is not None:
                    part.operation = by_id
                elif isinstance(unit, BatchOperation):
                    part.operation = unit
                elif isinstance(unit, ChangeSet):
                    if len(answer) > 1 or len(unit) == 1 or part.ok:
                        part.operation = unit.operations[position] if position < len(unit) else None
                    else:
                        # A failed changeset answered by one part without Content-ID: name the changeset.
                        part.operation = BatchOperation(method="", path="", label=unit.label, changeset=unit)

    @property
    def ok(self) -> bool:
        return self.status < 400 and all(part.ok for part in self.responses)

    @property
    def errors(self) -> list[DataverseError]:
        """A typed error for every failed part (several only with ``continue_on_error``)."""
        return [self._error_for(part) for part in self.responses if not part.ok]

    @property
    def error(self) -> DataverseError | None:
        """The first failure as a typed error naming the failing operation, or None."""
        for part in self.responses:
            if not part.ok:
                return self._error_for(part)
        if self.status >= 400:
            err = error_for_status(
                self.status, self.headers, None, request_method="POST", request_url=self.request_url
            )
            err.batch_response = self
            return err
        return None

    def raise_for_status(self) -> None:
        err = self.error
        if err is not None:
            raise err

    def _error_for(self, part: BatchPart) -> DataverseError:
        op = part.operation
        label = None
        if op is not None and (op.label or op.path):
            label = op.describe()
        elif op is not None and op.changeset is not None:
            label = op.changeset.label
        err = error_for_status(
            part.status,
            part.headers,
            part.body,
            request_method=(op.method or None) if op else None,
            request_url=(op.path or None) if op else None,
            operation_label=label,
            content_id=part.content_id or (op.content_id if op else None),
        )
        err.from_batch_part = True
        err.batch_response = self
        return err
