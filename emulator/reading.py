"""Reading rows: `$select`, `$expand` (within the shapes Dataverse supports), `$filter`, `$orderby`, paging
and annotations, answered in the Web API's JSON shape."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import schema
from .errors import bad_request, no_property
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
)
from .rules import Rows
from .schema import Table
from .wire import MAX_PAGE, Annotations, context_url, next_link, read_name, read_names, skiptoken_offset


class Reader:
    """Renders rows of `rows` for the service root `root` (the org URL + `/api/data/v9.2/`)."""

    def __init__(self, rows: Rows, root: str) -> None:
        self.rows = rows
        self.root = root

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
                target_row = self.rows.fetch(lookup.target, value)
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
            target_row = self.rows.fetch(target.logical, target_id) if target_id else None
            return self.render(target, target_row, select, nested, ann) if target_row else None
        navs = schema.collection_navs(table.logical)
        if item.nav not in navs:
            raise no_property(item.nav, table.logical)
        rel, target_logical = navs[item.nav]
        target = schema.TABLES[target_logical]
        self.check_select(target, select)
        ids = self.rows.store.linked(rel.name, row[table.primary_id], rel.table1 == table.logical)
        rows = [r for r in (self.rows.fetch(target_logical, i) for i in ids) if r is not None]
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
        offset = skiptoken_offset(call.params.get("$skiptoken"))
        page = rows[offset : offset + page_size]
        body: dict[str, Any] = {"@odata.context": context_url(self.root, context, select)}
        if call.params.get("$count", "").lower() == "true":
            body["@odata.count"] = total
        body["value"] = [self.render(table, r, select, expand, ann) for r in page]
        if offset + page_size < total:
            body["@odata.nextLink"] = next_link(self.root, call, offset + page_size)
        preference = ann.header()
        if preference:
            applied.append(preference)
        headers = {"Preference-Applied": ",".join(applied)} if applied else {}
        return json_response(200, body, headers)

    def entity_body(self, call: Call, table: Table, row: dict[str, Any], ann: Annotations) -> dict[str, Any]:
        """One row as answered for `GET set(id)` or `Prefer: return=representation`, `@odata.context` first."""
        select = parse_select(call.params.get("$select"))
        self.check_select(table, select)
        expand = parse_expand(call.params.get("$expand"))
        check_expand(table.logical, expand)
        body = self.render(table, row, select, expand, ann)
        return {"@odata.context": context_url(self.root, table.entity_set, select) + "/$entity", **body}
