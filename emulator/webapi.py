"""Web API routing: which operation a method and URL name (CRUD, upsert, lookups, `$ref`, queries, WhoAmI,
EntityDefinitions), answered through the table rules (`rules`), the reader (`reading`) and the wire format."""

from __future__ import annotations

import re
import uuid
from typing import Any

from . import metadata, schema
from .errors import ODataError, bad_request, duplicate_key, method_not_allowed, not_found, segment_not_found
from .http_types import Call, Response, json_response
from .reading import Reader
from .rules import SERVER_FILLED, Rows
from .schema import Table
from .store import Store
from .wire import (
    API_PREFIX,
    Annotations,
    entity_url,
    parse_body,
    parse_key,
    parse_prefer,
    read_name,
    resolve_ref,
    split_path,
    table_for_set,
)

__all__ = ["API_PREFIX", "WebApi", "parse_prefer"]


class WebApi:
    def __init__(self, store: Store, org_url: str) -> None:
        self.store = store
        self.org_url = org_url
        self.root = org_url + API_PREFIX
        self.rows = Rows(store)
        self.reader = Reader(self.rows, self.root)

    def _written(self) -> None:
        self.rows.forget()

    def _url(self, table: Table, row_id: str) -> str:
        return entity_url(self.root, table, row_id)

    def execute(
        self, call: Call, caller: dict[str, Any], content_ids: dict[str, str] | None = None
    ) -> Response:
        """Run one Web API operation; errors come back as OData error responses."""
        self.rows.forget()
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
        table = table_for_set(m.group(1))
        if m.group(2) is None:
            if len(segments) > 1:
                raise segment_not_found(segments[1])
            return self._collection_op(call, table, prefer, content_ids)
        key_text = m.group(2)
        row_id = parse_key(table, key_text)
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
            return self.reader.collection(
                call, table, self.store.all(table.logical), table.entity_set, prefer
            )
        if call.method != "POST":
            raise method_not_allowed(call.method)
        body = parse_body(call)
        changes, nn_binds = self.rows.body_changes(call, table, body, content_ids)
        row_id = changes.pop(table.primary_id, None) or str(uuid.uuid4())
        if self.rows.fetch(table.logical, row_id) is not None:
            raise duplicate_key()
        with self.store.transaction():
            row = self.rows.insert(table, row_id, changes)
            for nav, target_id in nn_binds:
                rel, target_logical = schema.collection_navs(table.logical)[nav]
                self.rows.associate(table, row_id, nav, schema.TABLES[target_logical], target_id)
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
            body = self.reader.entity_body(call, table, row, Annotations(prefer))
            response = json_response(
                201 if created else 200, body, {"Preference-Applied": "return=representation", "ETag": etag}
            )
            response.entity_url = self._url(table, row[table.primary_id])
            return response
        url = f"{self.root}{table.entity_set}({key_text})"
        return Response(
            204,
            {"OData-Version": "4.0", "OData-EntityId": url, "ETag": etag},
            entity_url=self._url(table, row[table.primary_id]),
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
        row = self.rows.fetch(table.logical, row_id)
        if_match = call.headers.get("if-match")
        if_none = call.headers.get("if-none-match")
        if call.method == "GET":
            row = self.rows.require_row(table, row_id)
            etag = f'W/"{row["versionnumber"]}"'
            if if_none and if_none.strip() not in ("null", "") and if_none.strip() in (etag, "*"):
                return Response(304, {"OData-Version": "4.0", "ETag": etag})
            ann = Annotations(prefer)
            body = self.reader.entity_body(call, table, row, ann)
            headers = {"ETag": etag}
            preference = ann.header()
            if preference:
                headers["Preference-Applied"] = preference
            return json_response(200, body, headers)
        if call.method == "DELETE":
            row = self.rows.require_row(table, row_id)
            self._check_if_match(row, if_match)
            with self.store.transaction():
                self.rows.delete(table, row)
            return Response(204, {"OData-Version": "4.0"})
        if call.method in ("PATCH", "PUT"):
            body = parse_body(call)
            if row is None:
                if if_match:
                    raise not_found(table.logical, row_id)
                changes, nn_binds = self.rows.body_changes(call, table, body, content_ids)
                changes.pop(table.primary_id, None)
                with self.store.transaction():
                    new = self.rows.insert(table, row_id, changes)
                return self._written_response(call, table, new, key_text, prefer, created=True)
            if if_none and if_none.strip() == "*":
                raise duplicate_key()
            self._check_if_match(row, if_match)
            changes, nn_binds = self.rows.body_changes(call, table, body, content_ids)
            changes.pop(table.primary_id, None)
            with self.store.transaction():
                new = self.rows.update(table, row, changes)
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
        row = self.rows.require_row(table, row_id)
        if lookup is not None:
            return self._single_nav(call, table, row, lookup, is_ref, content_ids)
        rel, target_logical = navs[name]
        target = schema.TABLES[target_logical]
        if is_ref:
            if call.method == "POST" or call.method == "PUT":
                ref = parse_body(call).get("@odata.id")
                ref_table, ref_id = resolve_ref(ref, content_ids, table.entity_set, name)
                with self.store.transaction():
                    self.rows.associate(table, row_id, name, ref_table, ref_id)
                return Response(204, {"OData-Version": "4.0"})
            if call.method == "DELETE":
                if inner_key:
                    target_id = parse_key(target, inner_key)
                elif "$id" in call.params:
                    _, target_id = resolve_ref(call.params["$id"], content_ids, table.entity_set, name)
                else:
                    raise bad_request("The $id query option is required to remove a reference.")
                with self.store.transaction():
                    self.rows.disassociate(table, row_id, name, target_id)
                return Response(204, {"OData-Version": "4.0"})
            if call.method == "GET":
                ids = self.store.linked(rel.name, row_id, rel.table1 == table.logical)
                return json_response(
                    200,
                    {
                        "@odata.context": f"{self.root}$metadata#Collection($ref)",
                        "value": [{"@odata.id": self._url(target, i)} for i in ids],
                    },
                )
        if call.method == "GET" and not inner_key:
            ids = self.store.linked(rel.name, row_id, rel.table1 == table.logical)
            rows = [r for r in (self.rows.fetch(target_logical, i) for i in ids) if r is not None]
            return self.reader.collection(call, target, rows, target.entity_set, prefer)
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
                        "@odata.id": self._url(target, target_id),
                    },
                )
            sub = Call("GET", f"{target.entity_set}({target_id})", call.params, call.headers)
            return self._entity_op(
                sub, target, target_id, target_id, parse_prefer(call.headers.get("prefer", "")), content_ids
            )
        if is_ref and call.method in ("PUT", "POST"):
            ref = parse_body(call).get("@odata.id")
            ref_table, ref_id = resolve_ref(ref, content_ids, table.entity_set, lookup.nav)
            if ref_table.logical != target.logical:
                raise bad_request(
                    f"The navigation property '{lookup.nav}' expects a reference to '{target.logical}'.",
                    "0x80048d19",
                )
            self.rows.require_row(target, ref_id)
            with self.store.transaction():
                self.rows.update(table, row, {lookup.column: ref_id})
            return Response(204, {"OData-Version": "4.0"})
        if is_ref and call.method == "DELETE":
            with self.store.transaction():
                self.rows.update(table, row, {lookup.column: None})
            return Response(204, {"OData-Version": "4.0"})
        raise method_not_allowed(call.method)

    def _property_op(self, call: Call, table: Table, row_id: str, name: str) -> Response:
        names = {read_name(table, c): c for c in table.columns}
        if name not in names:
            raise segment_not_found(name)
        column = names[name]
        row = self.rows.require_row(table, row_id)
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
            value = parse_body(call).get("value")
        elif call.method == "DELETE":
            value = None
        else:
            raise method_not_allowed(call.method)
        if column in SERVER_FILLED.get(table.logical, set()):
            return Response(204, {"OData-Version": "4.0"})
        with self.store.transaction():
            self.rows.update(table, row, {column: self.rows.validate_value(table, column, value)})
        return Response(204, {"OData-Version": "4.0"})
