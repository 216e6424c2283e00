"""Dataverse Web API operations: CRUD, upsert, lookups, `$ref`, queries, WhoAmI."""

from __future__ import annotations

import base64
import datetime as dt
import fnmatch
import json
import re
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

from . import metadata, schema
from .errors import (
    ODataError,
    bad_request,
    duplicate_key,
    method_not_allowed,
    no_property,
    not_found,
    segment_not_found,
)
from .expand_rules import check_expand
from .http_types import Call, Response, json_response
from .query import (
    ExpandItem,
    evaluate,
    parse_expand,
    parse_filter,
    parse_orderby,
    parse_select,
    reject_skip,
    sort_rows,
    split_top,
)
from .schema import Table
from .store import Store

API_PREFIX = "/api/data/v9.2/"
MAX_PAGE = 5000
# Columns the service fills on create; values sent by clients are ignored.
SERVER_FILLED = {"msdyn_livechatconfig": {"msdyn_widgetappid", "msdyn_widgetsnippet"}}
SNIPPET = (
    '<script v2 id="Microsoft_Omnichannel_LCWidget" '
    'src="https://oc-cdn-public.azureedge.net/livechatwidget/scripts/LiveChatBootstrapper.js" '
    'data-app-id="{app_id}" data-lcw-version="prod" data-org-id="{org_id}" data-org-url="{oc_url}"></script>'
)
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


def utf16_length(text: str) -> int:
    """Length as Dataverse counts it: .NET strings are UTF-16, so a character outside the BMP counts twice.

    Source: StringAttributeMetadata.MaxLength is checked against System.String.Length, the number of UTF-16
    code units (learn.microsoft.com/dotnet/api/system.string.length).
    """
    return len(text.encode("utf-16-le")) // 2


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


class WebApi:
    def __init__(self, store: Store, org_url: str) -> None:
        self.store = store
        self.org_url = org_url
        self.root = org_url + API_PREFIX
        self._cache: dict[tuple[str, str], dict[str, Any] | None] = {}

    # ----- helpers -------------------------------------------------------------------------------------
    def fetch(self, logical: str, row_id: str) -> dict[str, Any] | None:
        key = (logical, row_id)
        if key not in self._cache:
            self._cache[key] = self.store.get(logical, row_id)
        return self._cache[key]

    def _written(self) -> None:
        self._cache.clear()

    def table_for_set(self, entity_set: str) -> Table:
        table = schema.BY_ENTITY_SET.get(entity_set)
        if table is None:
            raise segment_not_found(entity_set)
        return table

    def parse_key(self, table: Table, key: str) -> str:
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

    def resolve_ref(
        self, value: Any, content_ids: dict[str, str], entity_set: str, nav: str
    ) -> tuple[Table, str]:
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
        target = self.table_for_set(m.group(1))
        return target, self.parse_key(target, m.group(2))

    def require_row(self, table: Table, row_id: str) -> dict[str, Any]:
        row = self.fetch(table.logical, row_id)
        if row is None:
            raise not_found(table.logical, row_id)
        return row

    def entity_url(self, table: Table, row_id: str) -> str:
        return f"{self.root}{table.entity_set}({row_id})"

    # ----- reading -------------------------------------------------------------------------------------
    def view(self, table: Table, row: dict[str, Any]) -> dict[str, Any]:
        return {read_name(table, c): row.get(c) for c in table.columns}

    def check_select(self, table: Table, select: list[str] | None) -> None:
        check = self.check_name(table)
        for name in select or []:
            check(name)

    def check_name(self, table: Table) -> Callable[[str], None]:
        allowed = set(read_names(table))

        def check(name: str) -> None:
            if name not in allowed:
                raise no_property(name, table.logical)

        return check

    def render(
        self,
        table: Table,
        row: dict[str, Any],
        select: list[str] | None,
        expand: list[ExpandItem],
        ann: Annotations,
    ) -> dict[str, Any]:
        view = self.view(table, row)
        out: dict[str, Any] = {"@odata.etag": f'W/"{row["versionnumber"]}"'}
        names = read_names(table) if not select else [n for n in read_names(table) if n in select]
        if table.primary_id not in names:
            names.append(table.primary_id)
        for name in names:
            value = view.get(name)
            out[name] = value
            self._annotate(table, name, value, out, ann)
        for item in expand:
            out[item.nav] = self.expand(table, row, item, ann)
        return out

    def _annotate(self, table: Table, name: str, value: Any, out: dict[str, Any], ann: Annotations) -> None:
        if not ann.patterns or value is None:
            return
        formatted_key = "OData.Community.Display.V1.FormattedValue"
        if name.startswith("_") and name.endswith("_value"):
            lookup = table.lookup_by_column(name[1:-6])
            if lookup is None:
                return
            target = schema.TABLES[lookup.target]
            if ann.wants("Microsoft.Dynamics.CRM.lookuplogicalname"):
                out[f"{name}@Microsoft.Dynamics.CRM.lookuplogicalname"] = lookup.target
            if ann.wants("Microsoft.Dynamics.CRM.associatednavigationproperty"):
                out[f"{name}@Microsoft.Dynamics.CRM.associatednavigationproperty"] = lookup.nav
            if ann.wants(formatted_key):
                target_row = self.fetch(lookup.target, value)
                if target_row is not None:
                    out[f"{name}@{formatted_key}"] = target_row.get(target.primary_name)
            return
        column = table.columns.get(name)
        if column and column.options and ann.wants(formatted_key):
            if column.type == schema.BOOLEAN:
                out[f"{name}@{formatted_key}"] = column.options[int(bool(value))]
            elif column.type == schema.MULTISELECT:
                labels = [column.options.get(int(v), v) for v in str(value).split(",") if v]
                out[f"{name}@{formatted_key}"] = "; ".join(labels)
            else:
                out[f"{name}@{formatted_key}"] = column.options.get(value, str(value))

    def expand(self, table: Table, row: dict[str, Any], item: ExpandItem, ann: Annotations) -> Any:
        lookup = table.lookup_by_nav(item.nav)
        select = parse_select(item.options.get("$select"))
        nested = parse_expand(item.options.get("$expand"))
        if lookup is not None:
            target = schema.TABLES[lookup.target]
            self.check_select(target, select)
            target_id = row.get(lookup.column)
            target_row = self.fetch(target.logical, target_id) if target_id else None
            return self.render(target, target_row, select, nested, ann) if target_row else None
        navs = schema.collection_navs(table.logical)
        if item.nav not in navs:
            raise no_property(item.nav, table.logical)
        rel, target_logical = navs[item.nav]
        target = schema.TABLES[target_logical]
        self.check_select(target, select)
        ids = self.store.linked(rel.name, row[table.primary_id], rel.table1 == table.logical)
        rows = [r for r in (self.fetch(target_logical, i) for i in ids) if r is not None]
        rows = self.apply_query(target, rows, item.options)
        top = item.options.get("$top")
        if top:
            rows = rows[: int(top)]
        return [self.render(target, r, select, nested, ann) for r in rows]

    def apply_query(
        self, table: Table, rows: list[dict[str, Any]], params: dict[str, str]
    ) -> list[dict[str, Any]]:
        check = self.check_name(table)
        if params.get("$filter"):
            tree = parse_filter(params["$filter"], check)
            rows = [r for r in rows if evaluate(tree, self.view(table, r))]
        orderby = parse_orderby(params.get("$orderby"))
        for name, _ in orderby:
            check(name)
        if orderby:
            views = {id(r): self.view(table, r) for r in rows}
            ordered = sort_rows([views[id(r)] | {"__row": r} for r in rows], orderby)
            rows = [v["__row"] for v in ordered]
        return rows

    def collection(
        self, call: Call, table: Table, rows: list[dict[str, Any]], context: str, prefer: dict[str, str]
    ) -> Response:
        reject_skip(call.params)
        select = parse_select(call.params.get("$select"))
        self.check_select(table, select)
        expand = parse_expand(call.params.get("$expand"))
        check_expand(table.logical, expand)
        ann = Annotations(prefer)
        rows = self.apply_query(table, rows, call.params)
        if call.params.get("$top"):
            try:
                rows = rows[: int(call.params["$top"])]
            except ValueError:
                raise bad_request(f"Invalid value '{call.params['$top']}' for $top query option.") from None
        total = len(rows)
        page_size = MAX_PAGE
        applied = []
        if "odata.maxpagesize" in prefer:
            try:
                page_size = max(1, min(MAX_PAGE, int(prefer["odata.maxpagesize"])))
            except ValueError:
                page_size = MAX_PAGE
            applied.append(f"odata.maxpagesize={page_size}")
        offset = self._skiptoken(call.params.get("$skiptoken"))
        page = rows[offset : offset + page_size]
        body: dict[str, Any] = {"@odata.context": self._context(context, select)}
        if call.params.get("$count", "").lower() == "true":
            body["@odata.count"] = total
        body["value"] = [self.render(table, r, select, expand, ann) for r in page]
        if offset + page_size < total:
            body["@odata.nextLink"] = self._next_link(call, offset + page_size)
        preference = ann.header()
        if preference:
            applied.append(preference)
        headers = {"Preference-Applied": ",".join(applied)} if applied else {}
        return json_response(200, body, headers)

    def _context(self, name: str, select: list[str] | None) -> str:
        sel = f"({','.join(select)})" if select else ""
        return f"{self.root}$metadata#{name}{sel}"

    def _entity_body(self, call: Call, table: Table, row: dict[str, Any], ann: Annotations) -> dict[str, Any]:
        """One row as answered for `GET set(id)` or `Prefer: return=representation`, `@odata.context` first."""
        select = parse_select(call.params.get("$select"))
        self.check_select(table, select)
        expand = parse_expand(call.params.get("$expand"))
        check_expand(table.logical, expand)
        body = self.render(table, row, select, expand, ann)
        return {"@odata.context": self._context(table.entity_set, select) + "/$entity", **body}

    def _skiptoken(self, token: str | None) -> int:
        if not token:
            return 0
        try:
            data = json.loads(base64.urlsafe_b64decode(token.encode() + b"=" * (-len(token) % 4)))
            return int(data["offset"])
        except (ValueError, KeyError, TypeError):
            raise bad_request("The $skiptoken value is not valid.") from None

    def _next_link(self, call: Call, offset: int) -> str:
        token = base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode().rstrip("=")
        params = {k: v for k, v in call.params.items() if k != "$skiptoken"}
        params["$skiptoken"] = token
        query = urlencode(params, quote_via=quote, safe="$,()'=")
        return f"{self.root}{call.path}?{query}"

    # ----- writing -------------------------------------------------------------------------------------
    def parse_body(self, call: Call) -> dict[str, Any]:
        if not call.body.strip():
            return {}
        try:
            data = json.loads(call.body)
        except ValueError:
            raise bad_request("The request body is not valid JSON.", "0x80048d19") from None
        if not isinstance(data, dict):
            raise bad_request("The request body must be a JSON object.", "0x80048d19")
        return data

    def validate_value(self, table: Table, name: str, value: Any) -> Any:
        column = table.columns[name]
        if value is None:
            return None
        kind = column.type
        if kind in (schema.STRING, schema.MEMO):
            if not isinstance(value, str):
                raise bad_request(f"Cannot convert the literal '{value}' to the expected type 'Edm.String'.")
            if column.max_length and utf16_length(value) > column.max_length:
                raise ODataError(
                    400,
                    "0x80044331",
                    f"A validation error occurred.  The length of the '{name}' attribute of the "
                    f"'{table.logical}' entity exceeded the maximum allowed length of "
                    f"'{column.max_length}'.",
                )
            return value
        if kind == schema.BOOLEAN:
            if not isinstance(value, bool):
                raise bad_request(
                    f"Cannot convert a primitive value to the expected type 'Edm.Boolean'. Property '{name}'."
                )
            return value
        if kind in (schema.INTEGER, schema.BIGINT, schema.PICKLIST, schema.STATE, schema.STATUS):
            if isinstance(value, bool) or not isinstance(value, int):
                raise bad_request(
                    f"Cannot convert the literal '{value}' to the expected type 'Edm.Int32'. "
                    f"Property '{name}'."
                )
            out_of_range = (column.min_value is not None and value < column.min_value) or (
                column.max_value is not None and value > column.max_value
            )
            if (column.options and value not in column.options) or out_of_range:
                raise ODataError(
                    400,
                    "0x8004431a",
                    f"A validation error occurred. The value {value} of '{name}' on record of type "
                    f"'{table.logical}' is outside the valid range. Accepted Values: "
                    + (
                        ",".join(str(o) for o in column.options)
                        if column.options
                        else f"{column.min_value} to {column.max_value}"
                    ),
                )
            return value
        if kind == schema.MULTISELECT:
            if not isinstance(value, str):
                raise bad_request(f"Cannot convert the literal '{value}' to the expected type 'Edm.String'.")
            for part in value.split(","):
                if not part.strip().isdigit() or int(part) not in (column.options or {}):
                    raise ODataError(
                        400,
                        "0x8004431a",
                        f"A validation error occurred. The value {part} of '{name}' on record of "
                        f"type '{table.logical}' is outside the valid range.",
                    )
            return ",".join(p.strip() for p in value.split(","))
        if kind == schema.UNIQUEID:
            if not isinstance(value, str) or not is_guid(value):
                raise bad_request(f"Cannot convert the literal '{value}' to the expected type 'Edm.Guid'.")
            return value.lower()
        return value

    def body_changes(
        self, call: Call, table: Table, body: dict[str, Any], content_ids: dict[str, str]
    ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        changes: dict[str, Any] = {}
        nn_binds: list[tuple[str, str]] = []
        ignored = SERVER_FILLED.get(table.logical, set())
        for key, value in body.items():
            if key.endswith("@odata.bind"):
                nav = key[: -len("@odata.bind")]
                lookup = table.lookup_by_nav(nav)
                if lookup is not None:
                    if value is None:
                        changes[lookup.column] = None
                        continue
                    target, target_id = self.resolve_ref(value, content_ids, table.entity_set, nav)
                    if target.logical != lookup.target:
                        raise bad_request(
                            f"Error identified in Payload provided by the user for Entity "
                            f":'{table.entity_set}' ----> InnerException : Microsoft.OData.ODataException: "
                            f"The entity set '{target.entity_set}' "
                            f"does not match navigation property '{nav}'.",
                            "0x80048d19",
                        )
                    self.require_row(target, target_id)
                    changes[lookup.column] = target_id
                    continue
                navs = schema.collection_navs(table.logical)
                if nav in navs and isinstance(value, list):
                    for ref in value:
                        target, target_id = self.resolve_ref(ref, content_ids, table.entity_set, nav)
                        self.require_row(target, target_id)
                        nn_binds.append((nav, target_id))
                    continue
                raise bad_request(
                    f"Error identified in Payload provided by the user for Entity :'{table.entity_set}' "
                    f"----> InnerException : Microsoft.OData.ODataException: An undeclared property '{nav}' "
                    "which only has property annotations in the payload but no property value was found in "
                    "the payload. In OData, only declared navigation properties and declared named streams "
                    "can be represented as properties without values.",
                    "0x80048d19",
                )
            if "@" in key:
                continue
            column = table.columns.get(key)
            if column is None or column.type == schema.LOOKUP:
                raise bad_request(
                    "An error occurred while validating input parameters: Microsoft.Crm.CrmException: "
                    f"Invalid property '{key}' was found in entity 'Microsoft.Dynamics.CRM.{table.logical}'."
                )
            if column.read_only or key in ignored:
                continue
            changes[key] = self.validate_value(table, key, value)
        return changes, nn_binds

    def insert(self, table: Table, row_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        stamp = now_iso()
        row: dict[str, Any] = {c: None for c in table.columns if c != "versionnumber"}
        row.update(
            {
                "statecode": 0,
                "statuscode": 1,
                **changes,
                table.primary_id: row_id,
                "createdon": stamp,
                "modifiedon": stamp,
            }
        )
        if table.logical == "msdyn_livechatconfig":
            self._fill_widget(row)
        self.store.put(table.logical, row_id, row)
        self._written()
        return self.require_row(table, row_id)

    def _fill_widget(self, row: dict[str, Any]) -> None:
        org_id = self.store.setting("organization_id") or ""
        app_id = str(uuid.uuid4())
        row["msdyn_widgetappid"] = app_id
        row["msdyn_widgetsnippet"] = SNIPPET.format(
            app_id=app_id, org_id=org_id, oc_url=f"https://m-{org_id}.local.omnichannelengagementhub.com"
        )

    def update(self, table: Table, row: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
        row_id = row[table.primary_id]
        new = {**row, **changes, table.primary_id: row_id, "modifiedon": now_iso()}
        self.store.put(table.logical, row_id, new)
        self._written()
        return self.require_row(table, row_id)

    def associate(self, table: Table, row_id: str, nav: str, target: Table, target_id: str) -> None:
        navs = schema.collection_navs(table.logical)
        rel, target_logical = navs[nav]
        if target.logical != target_logical:
            raise bad_request(
                f"The navigation property '{nav}' expects a reference to '{target_logical}', "
                f"not '{target.logical}'.",
                "0x80048d19",
            )
        row = self.require_row(table, row_id)
        other = self.require_row(target, target_id)
        self._check_business_units(table, row, target, other)
        a, b = (row_id, target_id) if rel.table1 == table.logical else (target_id, row_id)
        self.store.link(rel.name, a, b)
        self._written()

    def _check_business_units(self, table: Table, row: dict, target: Table, other: dict) -> None:
        if "role" not in (table.logical, target.logical) or table.logical == target.logical:
            return
        principal, role = (row, other) if target.logical == "role" else (other, row)
        principal_table = table if target.logical == "role" else target
        if principal_table.logical not in ("systemuser", "team"):
            return
        if principal.get("businessunitid") != role.get("businessunitid"):
            kind = "user" if principal_table.logical == "systemuser" else "team"
            raise ODataError(
                400,
                "0x80040203",
                f"The security role '{role.get('name')}' (Id = {role['roleid']}) belongs to a different "
                f"business unit than the {kind} '{principal.get(principal_table.primary_name)}' (Id = "
                f"{principal[principal_table.primary_id]}). Assign the role of the {kind}'s own business "
                "unit.",
            )

    def disassociate(self, table: Table, row_id: str, nav: str, target_id: str) -> None:
        rel, _ = schema.collection_navs(table.logical)[nav]
        self.require_row(table, row_id)
        a, b = (row_id, target_id) if rel.table1 == table.logical else (target_id, row_id)
        self.store.unlink(rel.name, a, b)
        self._written()

    def delete(self, table: Table, row: dict[str, Any]) -> None:
        row_id = row[table.primary_id]
        for logical, column in schema.RESTRICT_DELETE:
            lookup = schema.TABLES[logical].lookup_by_column(column)
            if (
                lookup
                and lookup.target == table.logical
                and any(r.get(column) == row_id for r in self.store.all(logical))
            ):
                raise ODataError(
                    400,
                    "0x80040227",
                    f"The object you tried to delete is associated with another object and cannot "
                    f"be deleted. The {table.logical} is referenced by one or more {logical} rows.",
                )
        for other in schema.TABLES.values():
            for lookup in other.lookups:
                if lookup.target != table.logical:
                    continue
                for ref in self.store.all(other.logical):
                    if ref.get(lookup.column) == row_id:
                        ref[lookup.column] = None
                        self.store.put(other.logical, ref[other.primary_id], ref)
        self.store.delete(table.logical, row_id)
        self._written()

    # ----- dispatch ------------------------------------------------------------------------------------
    def execute(
        self, call: Call, caller: dict[str, Any], content_ids: dict[str, str] | None = None
    ) -> Response:
        """Run one Web API operation; errors come back as OData error responses."""
        self._cache.clear()
        try:
            with self.store.lock:
                return self._dispatch(call, caller, content_ids if content_ids is not None else {})
        except ODataError as err:
            return err.response()

    def _dispatch(self, call: Call, caller: dict[str, Any], content_ids: dict[str, str]) -> Response:
        segments = split_path(call.path)
        prefer = parse_prefer(call.headers.get("prefer", ""))
        if not segments:
            if call.method != "GET":
                raise self._no_resource(call)
            return json_response(
                200,
                {
                    "@odata.context": f"{self.root}$metadata",
                    "value": [
                        {"name": t.entity_set, "kind": "EntitySet", "url": t.entity_set}
                        for t in schema.TABLES.values()
                    ],
                },
            )
        head = segments[0]
        if head in ("WhoAmI", "WhoAmI()"):
            if call.method != "GET" or len(segments) > 1:
                raise self._no_resource(call)
            return json_response(
                200,
                {
                    "@odata.context": f"{self.root}$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse",
                    "BusinessUnitId": caller.get("businessunitid"),
                    "UserId": caller["systemuserid"],
                    "OrganizationId": self.store.setting("organization_id"),
                },
            )
        if head.startswith("EntityDefinitions"):
            if call.method != "GET":
                raise self._no_resource(call)
            return metadata.handle(self.root, segments, call.params)
        if head == "$metadata":
            return Response(
                200, {"Content-Type": "application/xml", "OData-Version": "4.0"}, metadata.csdl().encode()
            )
        m = re.fullmatch(r"([\w]+)(?:\((.*)\))?", head, re.S)
        if not m:
            raise segment_not_found(head)
        table = self.table_for_set(m.group(1))
        if m.group(2) is None:
            if len(segments) > 1:
                raise segment_not_found(segments[1])
            return self._collection_op(call, table, prefer, content_ids)
        key_text = m.group(2)
        row_id = self.parse_key(table, key_text)
        rest = segments[1:]
        if not rest:
            return self._entity_op(call, table, row_id, key_text, prefer, content_ids)
        return self._sub_op(call, table, row_id, rest, prefer, content_ids)

    def _no_resource(self, call: Call) -> ODataError:
        return ODataError(
            404, "", f"No HTTP resource was found that matches the request URI '{self.root}{call.path}'."
        )

    def _collection_op(
        self, call: Call, table: Table, prefer: dict[str, str], content_ids: dict[str, str]
    ) -> Response:
        if call.method == "GET":
            return self.collection(call, table, self.store.all(table.logical), table.entity_set, prefer)
        if call.method != "POST":
            raise method_not_allowed(call.method)
        body = self.parse_body(call)
        changes, nn_binds = self.body_changes(call, table, body, content_ids)
        row_id = changes.pop(table.primary_id, None) or str(uuid.uuid4())
        if self.fetch(table.logical, row_id) is not None:
            raise duplicate_key()
        with self.store.transaction():
            row = self.insert(table, row_id, changes)
            for nav, target_id in nn_binds:
                rel, target_logical = schema.collection_navs(table.logical)[nav]
                self.associate(table, row_id, nav, schema.TABLES[target_logical], target_id)
        return self._written_response(call, table, row, row_id, prefer, created=True)

    def _written_response(
        self,
        call: Call,
        table: Table,
        row: dict[str, Any],
        key_text: str,
        prefer: dict[str, str],
        created: bool,
    ) -> Response:
        etag = f'W/"{row["versionnumber"]}"'
        if prefer.get("return") == "representation":
            body = self._entity_body(call, table, row, Annotations(prefer))
            response = json_response(
                201 if created else 200, body, {"Preference-Applied": "return=representation", "ETag": etag}
            )
            response.entity_url = self.entity_url(table, row[table.primary_id])
            return response
        url = f"{self.root}{table.entity_set}({key_text})"
        return Response(
            204,
            {"OData-Version": "4.0", "OData-EntityId": url, "ETag": etag},
            entity_url=self.entity_url(table, row[table.primary_id]),
        )

    def _entity_op(
        self,
        call: Call,
        table: Table,
        row_id: str,
        key_text: str,
        prefer: dict[str, str],
        content_ids: dict[str, str],
    ) -> Response:
        row = self.fetch(table.logical, row_id)
        if_match = call.headers.get("if-match")
        if_none = call.headers.get("if-none-match")
        if call.method == "GET":
            row = self.require_row(table, row_id)
            etag = f'W/"{row["versionnumber"]}"'
            if if_none and if_none.strip() not in ("null", "") and if_none.strip() in (etag, "*"):
                return Response(304, {"OData-Version": "4.0", "ETag": etag})
            ann = Annotations(prefer)
            body = self._entity_body(call, table, row, ann)
            headers = {"ETag": etag}
            preference = ann.header()
            if preference:
                headers["Preference-Applied"] = preference
            return json_response(200, body, headers)
        if call.method == "DELETE":
            row = self.require_row(table, row_id)
            self._check_if_match(row, if_match)
            with self.store.transaction():
                self.delete(table, row)
            return Response(204, {"OData-Version": "4.0"})
        if call.method in ("PATCH", "PUT"):
            body = self.parse_body(call)
            if row is None:
                if if_match:
                    raise not_found(table.logical, row_id)
                changes, nn_binds = self.body_changes(call, table, body, content_ids)
                changes.pop(table.primary_id, None)
                with self.store.transaction():
                    new = self.insert(table, row_id, changes)
                return self._written_response(call, table, new, key_text, prefer, created=True)
            if if_none and if_none.strip() == "*":
                raise duplicate_key()
            self._check_if_match(row, if_match)
            changes, nn_binds = self.body_changes(call, table, body, content_ids)
            changes.pop(table.primary_id, None)
            with self.store.transaction():
                new = self.update(table, row, changes)
            return self._written_response(call, table, new, key_text, prefer, created=False)
        raise method_not_allowed(call.method)

    def _check_if_match(self, row: dict[str, Any], if_match: str | None) -> None:
        if not if_match or if_match.strip() == "*":
            return
        if if_match.strip() != f'W/"{row["versionnumber"]}"':
            raise ODataError(
                412,
                "0x80060882",
                "The version of the existing record doesn't match the RowVersion property provided.",
            )

    def _sub_op(
        self,
        call: Call,
        table: Table,
        row_id: str,
        rest: list[str],
        prefer: dict[str, str],
        content_ids: dict[str, str],
    ) -> Response:
        m = re.fullmatch(r"(\w+)(?:\((.*)\))?", rest[0])
        if not m:
            raise segment_not_found(rest[0])
        name, inner_key = m.group(1), m.group(2)
        is_ref = len(rest) > 1 and rest[1] == "$ref"
        if len(rest) > (2 if is_ref else 1):
            raise segment_not_found(rest[-1])
        lookup = table.lookup_by_nav(name)
        navs = schema.collection_navs(table.logical)
        if lookup is None and name not in navs:
            return self._property_op(call, table, row_id, name)
        row = self.require_row(table, row_id)
        if lookup is not None:
            return self._single_nav(call, table, row, lookup, is_ref, content_ids)
        rel, target_logical = navs[name]
        target = schema.TABLES[target_logical]
        if is_ref:
            if call.method == "POST" or call.method == "PUT":
                ref = self.parse_body(call).get("@odata.id")
                ref_table, ref_id = self.resolve_ref(ref, content_ids, table.entity_set, name)
                with self.store.transaction():
                    self.associate(table, row_id, name, ref_table, ref_id)
                return Response(204, {"OData-Version": "4.0"})
            if call.method == "DELETE":
                if inner_key:
                    target_id = self.parse_key(target, inner_key)
                elif "$id" in call.params:
                    _, target_id = self.resolve_ref(call.params["$id"], content_ids, table.entity_set, name)
                else:
                    raise bad_request("The $id query option is required to remove a reference.")
                with self.store.transaction():
                    self.disassociate(table, row_id, name, target_id)
                return Response(204, {"OData-Version": "4.0"})
            if call.method == "GET":
                ids = self.store.linked(rel.name, row_id, rel.table1 == table.logical)
                return json_response(
                    200,
                    {
                        "@odata.context": f"{self.root}$metadata#Collection($ref)",
                        "value": [{"@odata.id": self.entity_url(target, i)} for i in ids],
                    },
                )
        if call.method == "GET" and not inner_key:
            ids = self.store.linked(rel.name, row_id, rel.table1 == table.logical)
            rows = [r for r in (self.fetch(target_logical, i) for i in ids) if r is not None]
            return self.collection(call, target, rows, target.entity_set, prefer)
        raise method_not_allowed(call.method)

    def _single_nav(
        self,
        call: Call,
        table: Table,
        row: dict[str, Any],
        lookup: schema.Lookup,
        is_ref: bool,
        content_ids: dict[str, str],
    ) -> Response:
        target = schema.TABLES[lookup.target]
        target_id = row.get(lookup.column)
        if call.method == "GET":
            if not target_id:
                return Response(204, {"OData-Version": "4.0"})
            if is_ref:
                return json_response(
                    200,
                    {
                        "@odata.context": f"{self.root}$metadata#$ref",
                        "@odata.id": self.entity_url(target, target_id),
                    },
                )
            sub = Call("GET", f"{target.entity_set}({target_id})", call.params, call.headers)
            return self._entity_op(
                sub, target, target_id, target_id, parse_prefer(call.headers.get("prefer", "")), content_ids
            )
        if is_ref and call.method in ("PUT", "POST"):
            ref = self.parse_body(call).get("@odata.id")
            ref_table, ref_id = self.resolve_ref(ref, content_ids, table.entity_set, lookup.nav)
            if ref_table.logical != target.logical:
                raise bad_request(
                    f"The navigation property '{lookup.nav}' expects a reference to '{target.logical}'.",
                    "0x80048d19",
                )
            self.require_row(target, ref_id)
            with self.store.transaction():
                self.update(table, row, {lookup.column: ref_id})
            return Response(204, {"OData-Version": "4.0"})
        if is_ref and call.method == "DELETE":
            with self.store.transaction():
                self.update(table, row, {lookup.column: None})
            return Response(204, {"OData-Version": "4.0"})
        raise method_not_allowed(call.method)

    def _property_op(self, call: Call, table: Table, row_id: str, name: str) -> Response:
        names = {read_name(table, c): c for c in table.columns}
        if name not in names:
            raise segment_not_found(name)
        column = names[name]
        row = self.require_row(table, row_id)
        if call.method == "GET":
            value = row.get(column)
            if value is None:
                return Response(204, {"OData-Version": "4.0"})
            return json_response(
                200,
                {
                    "@odata.context": f"{self.root}$metadata#{table.entity_set}({row_id})/{name}",
                    "value": value,
                },
            )
        if name != column or table.columns[column].read_only:
            raise bad_request(f"The property '{name}' cannot be updated.")
        if call.method == "PUT":
            value = self.parse_body(call).get("value")
        elif call.method == "DELETE":
            value = None
        else:
            raise method_not_allowed(call.method)
        if column in SERVER_FILLED.get(table.logical, set()):
            return Response(204, {"OData-Version": "4.0"})
        with self.store.transaction():
            self.update(table, row, {column: self.validate_value(table, column, value)})
        return Response(204, {"OData-Version": "4.0"})
