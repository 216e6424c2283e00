"""Test knobs: injectable faults and the in-memory request log."""

from __future__ import annotations

import itertools
import re
import threading
from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Any

from .errors import bad_request

LOG_LIMIT = 10_000


@dataclass
class Fault:
    id: int
    path: str
    method: str | None = None
    status: int | None = None
    retry_after: int | None = None
    delay_ms: int = 0
    drop: bool = False
    after_commit: bool = False
    times: int = 1
    skip: int = 0
    pattern: re.Pattern[str] = field(default=None, repr=False)  # type: ignore[assignment,arg-type]

    def public(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("pattern")
        data["remaining"] = data.pop("times")
        return data


class Faults:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._ids = itertools.count(1)

    def add(self, spec: dict[str, Any]) -> Fault:
        if not isinstance(spec, dict) or not isinstance(spec.get("path"), str):
            raise bad_request("A fault needs a 'path' regular expression.")
        allowed = {
            "path",
            "method",
            "status",
            "retry_after",
            "delay_ms",
            "drop",
            "after_commit",
            "times",
            "skip",
        }
        unknown = set(spec) - allowed
        if unknown:
            raise bad_request(f"Unknown fault keys: {', '.join(sorted(unknown))}.")
        try:
            pattern = re.compile(spec["path"])
        except re.error as exc:
            raise bad_request(f"Invalid path regular expression: {exc}.") from None
        with self._lock:
            fault = Fault(
                id=next(self._ids),
                path=spec["path"],
                method=(spec.get("method") or None),
                status=spec.get("status"),
                retry_after=spec.get("retry_after"),
                delay_ms=int(spec.get("delay_ms") or 0),
                drop=bool(spec.get("drop")),
                after_commit=bool(spec.get("after_commit")),
                times=int(spec.get("times", 1)),
                skip=int(spec.get("skip") or 0),
                pattern=pattern,
            )
            self._faults.append(fault)
        return fault

    def match(self, method: str, path: str) -> Fault | None:
        """Consume one match of the first fault that applies, honouring `skip` and `times`."""
        with self._lock:
            for fault in self._faults:
                if fault.times <= 0:
                    continue
                if fault.method and fault.method.upper() != method.upper():
                    continue
                if not fault.pattern.search(path):
                    continue
                if fault.skip > 0:
                    fault.skip -= 1
                    return None
                fault.times -= 1
                return fault
        return None

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def listing(self) -> list[dict[str, Any]]:
        with self._lock:
            return [f.public() for f in self._faults]


class RequestLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: deque[dict[str, Any]] = deque(maxlen=LOG_LIMIT)
        self._seq = itertools.count(1)

    def add(self, method: str, path: str, status: int, ms: float, operations: list[dict[str, str]]) -> None:
        with self._lock:
            self._entries.append(
                {
                    "seq": next(self._seq),
                    "method": method,
                    "path": path,
                    "status": status,
                    "ms": round(ms, 2),
                    "operations": operations,
                }
            )

    def after(self, seq: int) -> list[dict[str, Any]]:
        with self._lock:
            return [e for e in self._entries if e["seq"] > seq]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
