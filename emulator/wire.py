"""Wire format of the Web API: URL segments and keys, entity references, `Prefer` and annotations, row shapes.

Sources: MicrosoftDocs/powerapps-docs webapi pages (compose-http-requests-handle-errors, query/overview,
query/page-results, associate-disassociate-entities-using-web-api, retrieve-entity-using-web-api).
"""

from __future__ import annotations

import base64
import datetime as dt
import fnmatch
import json
import re
from typing import Any
from urllib.parse import quote, urlencode

from . import schema
from .errors import ODataError, bad_request, segment_not_found
from .http_types import Call
from .query import split_top
from .schema import Table

API_PREFIX = "/api/data/v9.2/"
MAX_PAGE = 5000
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_REF_PREFIX = re.compile(r"^(?:https?://[^/]+)?/?(?:api/data/v9\.\d/)?")


def split_path(path: str) -> list[str]:
    return split_top(path, "/")


def is_guid(text: str) -> bool:
    return bool(_GUID.match(text))


def parse_prefer(header: str) -> dict[str, str]:
    prefs: dict[str, str] = {}
    for item in split_top(header or "", ","):
        key, _, value = item.partition("=")
        prefs[key.strip().lower()] = value.strip().strip('"')
    return prefs


def read_name(table: Table, column: str) -> str:
    return f"_{column}_value" if table.columns[column].type == schema.LOOKUP else column


def read_names(table: Table) -> list[str]:
    return [read_name(table, c) for c in table.columns]


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Annotations:
    def __init__(self, prefer: dict[str, str]) -> None:
        value = prefer.get("odata.include-annotations", "")
        self.patterns = [p.strip().strip('"') for p in value.split(",") if p.strip()]

    def wants(self, name: str) -> bool:
        return any(fnmatch.fnmatchcase(name, p) for p in self.patterns)

    def header(self) -> str | None:
        return f'odata.include-annotations="{",".join(self.patterns)}"' if self.patterns else None


def table_for_set(entity_set: str) -> Table:
    """The table behind an entity set name (case sensitive); 404 0x8006088a otherwise."""
    table = schema.BY_ENTITY_SET.get(entity_set)
    if table is None:
        raise segment_not_found(entity_set)
    return table


def parse_key(table: Table, key: str) -> str:
    key = key.strip()
    if is_guid(key):
        return key.lower()
    pairs = [p.partition("=") for p in split_top(key, ",")]
    if len(pairs) == 1 and pairs[0][1] and pairs[0][0].strip() == table.primary_id:
        value = pairs[0][2].strip().strip("'")
        if is_guid(value):
            return value.lower()
    if all(p[1] for p in pairs):
        names = ",".join(p[0].strip() for p in pairs)
        raise ODataError(
            400,
            "0x80060888",
            f"Key with attributes [{names}] is not defined for entity '{table.logical}'.",
        )
    raise bad_request(f"Bad Request - Error in query syntax. Invalid key '{key}'.")


def resolve_ref(value: Any, content_ids: dict[str, str], entity_set: str, nav: str) -> tuple[Table, str]:
    if not isinstance(value, str):
        raise bad_request(f"Invalid reference value for '{nav}'.", "0x80048d19")
    text = value.strip()
    if text.startswith("$"):
        ref = text.split("/")[0]
        if ref not in content_ids:
            raise bad_request(f"Content-ID Reference: '{ref}' does not exist in the batch context.")
        text = content_ids[ref] + text[len(ref) :]
    text = _REF_PREFIX.sub("", text, count=1)
    m = re.fullmatch(r"(\w+)\((.+)\)", text)
    if not m:
        raise bad_request(
            f"Error identified in Payload provided by the user for Entity :'{entity_set}' ----> "
            f"InnerException : Microsoft.OData.ODataException: The value '{value}' of '{nav}' "
            "is not a valid entity reference.",
            "0x80048d19",
        )
    target = table_for_set(m.group(1))
    return target, parse_key(target, m.group(2))


def entity_url(root: str, table: Table, row_id: str) -> str:
    return f"{root}{table.entity_set}({row_id})"


def context_url(root: str, name: str, select: list[str] | None) -> str:
    sel = f"({','.join(select)})" if select else ""
    return f"{root}$metadata#{name}{sel}"


def skiptoken_offset(token: str | None) -> int:
    """The row offset an opaque `$skiptoken` stands for."""
    if not token:
        return 0
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode() + b"=" * (-len(token) % 4)))
        return int(data["offset"])
    except (ValueError, KeyError, TypeError):
        raise bad_request("The $skiptoken value is not valid.") from None


def next_link(root: str, call: Call, offset: int) -> str:
    token = base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode().rstrip("=")
    params = {k: v for k, v in call.params.items() if k != "$skiptoken"}
    params["$skiptoken"] = token
    query = urlencode(params, quote_via=quote, safe="$,()'=")
    return f"{root}{call.path}?{query}"


def parse_body(call: Call) -> dict[str, Any]:
    """The JSON object of a write; 400 0x80048d19 for anything else."""
    if not call.body.strip():
        return {}
    try:
        data = json.loads(call.body)
    except ValueError:
        raise bad_request("The request body is not valid JSON.", "0x80048d19") from None
    if not isinstance(data, dict):
        raise bad_request("The request body must be a JSON object.", "0x80048d19")
    return data
