"""Table rules: what a write must satisfy to be stored, as the metadata snapshot and the sources say.

- Column values: type, maximum length counted in UTF-16 units, choices, integer ranges (schema snapshot; error
  list in MicrosoftDocs/powerapps-docs compose-http-requests-handle-errors: 0x80044331, 0x8004431a).
- Lookups: the navigation property must exist (0x80048d19) and the bound row too (0x80040217).
- Security roles: a role is business-unit scoped; a user or team holds only roles of its own unit.
- Deletes: a row referenced through a "Restrict" relationship cannot be deleted (0x80040227).
- Columns the service fills on create (widget app id and snippet) ignore client values.
"""

from __future__ import annotations

import uuid
from typing import Any

from . import schema
from .errors import ODataError, bad_request, not_found
from .http_types import Call
from .schema import Table
from .store import Store
from .wire import is_guid, now_iso, resolve_ref

# Columns the service fills on create; values sent by clients are ignored.
SERVER_FILLED = {"msdyn_livechatconfig": {"msdyn_widgetappid", "msdyn_widgetsnippet"}}
SNIPPET = (
    '<script v2 id="Microsoft_Omnichannel_LCWidget" '
    'src="https://oc-cdn-public.azureedge.net/livechatwidget/scripts/LiveChatBootstrapper.js" '
    'data-app-id="{app_id}" data-lcw-version="prod" data-org-id="{org_id}" data-org-url="{oc_url}"></script>'
)


def utf16_length(text: str) -> int:
    """Length as Dataverse counts it: .NET strings are UTF-16, so a character outside the BMP counts twice.

    Source: StringAttributeMetadata.MaxLength is checked against System.String.Length, the number of UTF-16
    code units (learn.microsoft.com/dotnet/api/system.string.length).
    """
    return len(text.encode("utf-16-le")) // 2


class Rows:
    """Rows of the store with a per-operation read cache, and the rules every write goes through."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._cache: dict[tuple[str, str], dict[str, Any] | None] = {}

    def fetch(self, logical: str, row_id: str) -> dict[str, Any] | None:
        key = (logical, row_id)
        if key not in self._cache:
            self._cache[key] = self.store.get(logical, row_id)
        return self._cache[key]

    def forget(self) -> None:
        self._cache.clear()

    def require_row(self, table: Table, row_id: str) -> dict[str, Any]:
        row = self.fetch(table.logical, row_id)
        if row is None:
            raise not_found(table.logical, row_id)
        return row

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
                    target, target_id = resolve_ref(value, content_ids, table.entity_set, nav)
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
                        target, target_id = resolve_ref(ref, content_ids, table.entity_set, nav)
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
        self.forget()
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
        self.forget()
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
        self.forget()

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
        self.forget()

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
        self.forget()
