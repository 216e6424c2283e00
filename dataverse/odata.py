"""OData URL and header helpers for the Dataverse Web API."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from urllib.parse import quote

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
_ENTITY_ID = re.compile(r"\(([^()]*)\)\s*$")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# Characters left as-is in query option values: OData syntax that Dataverse expects unescaped.
_QUERY_SAFE = "$,()'=/:@;*"

BASE_HEADERS: Mapping[str, str] = {
    "Accept": "application/json",
    "OData-MaxVersion": "4.0",
    "OData-Version": "4.0",
}
JSON_CONTENT_TYPE = "application/json; charset=utf-8"


def check_name(name: str, what: str = "name") -> str:
    """Reject entity-set / navigation names that could change the request path."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"invalid {what}: {name!r}")
    return name


def format_key(key: str) -> str:
    """The key part of ``set(<key>)``: a GUID, or an alternate-key expression such as ``name='x'``."""
    if not isinstance(key, str) or not key:
        raise ValueError(f"invalid record id: {key!r}")
    key = key.strip().strip("{}")
    if _GUID.match(key):
        return key
    if "=" in key and "/" not in key and "?" not in key:
        return quote(key, safe="=',-_.@")
    raise ValueError(f"invalid record id (expected a GUID or an alternate key): {key!r}")


def header_value(headers: Mapping[str, str], name: str) -> str | None:
    """The value of header ``name`` in ``headers``, matched case-insensitively."""
    lowered = name.lower()
    return next((value for key, value in headers.items() if key.lower() == lowered), None)


def entity_path(entity_set: str, key: str) -> str:
    return f"{check_name(entity_set, 'entity set')}({format_key(key)})"


def parse_entity_id(url: str | None) -> str | None:
    """The key from an ``OData-EntityId``/``Location`` URL: ``.../queues(<guid>)`` → ``<guid>``."""
    if not url:
        return None
    match = _ENTITY_ID.search(url)
    return match.group(1) if match else None


def literal(value: object) -> str:
    """An OData ``$filter`` literal: strings quoted (inner quotes doubled), GUIDs and numbers bare."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    if _GUID.match(text):
        return text
    return "'" + text.replace("'", "''") + "'"


def _join(value: str | Iterable[str] | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return ",".join(value)


def query_string(
    *,
    select: str | Iterable[str] | None = None,
    filter: str | None = None,
    orderby: str | Iterable[str] | None = None,
    top: int | None = None,
    expand: str | Iterable[str] | None = None,
    count: bool = False,
) -> str:
    """``?$select=...&$filter=...`` (empty string when there are no options)."""
    options: list[tuple[str, str]] = []
    for name, value in (
        ("$select", _join(select)),
        ("$filter", filter),
        ("$orderby", _join(orderby)),
        ("$expand", _join(expand)),
    ):
        if value:
            options.append((name, value))
    if top is not None:
        options.append(("$top", str(int(top))))
    if count:
        options.append(("$count", "true"))
    if not options:
        return ""
    return "?" + "&".join(f"{name}={quote(value, safe=_QUERY_SAFE)}" for name, value in options)


def prefer_header(
    *,
    return_representation: bool = False,
    page_size: int | None = None,
    include_annotations: str | None = None,
    continue_on_error: bool = False,
) -> str | None:
    parts: list[str] = []
    if return_representation:
        parts.append("return=representation")
    if page_size is not None:
        if not 1 <= int(page_size) <= 5000:
            raise ValueError("page_size must be between 1 and 5000")
        parts.append(f"odata.maxpagesize={int(page_size)}")
    if include_annotations:
        parts.append(f'odata.include-annotations="{include_annotations}"')
    if continue_on_error:
        parts.append("odata.continue-on-error")
    return ",".join(parts) or None
