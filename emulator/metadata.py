"""EntityDefinitions answers built from the declarative schema."""

from __future__ import annotations

import re
import uuid
from typing import Any

from . import schema
from .errors import bad_request, segment_not_found
from .http_types import Response, json_response
from .query import evaluate, parse_expand, parse_filter, parse_select

_NS = uuid.UUID("6f1d2a9c-3c57-4f0e-9d43-7a0b5f0c1e11")
_TYPE_NAMES = {
    schema.STRING: ("StringType", "StringAttributeMetadata"),
    schema.MEMO: ("MemoType", "MemoAttributeMetadata"),
    schema.INTEGER: ("IntegerType", "IntegerAttributeMetadata"),
    schema.BIGINT: ("BigIntType", "BigIntAttributeMetadata"),
    schema.BOOLEAN: ("BooleanType", "BooleanAttributeMetadata"),
    schema.PICKLIST: ("PicklistType", "PicklistAttributeMetadata"),
    schema.STATE: ("StateType", "StateAttributeMetadata"),
    schema.STATUS: ("StatusType", "StatusAttributeMetadata"),
    schema.MULTISELECT: ("MultiSelectPicklistType", "MultiSelectPicklistAttributeMetadata"),
    schema.LOOKUP: ("LookupType", "LookupAttributeMetadata"),
    schema.UNIQUEID: ("UniqueidentifierType", "UniqueIdentifierAttributeMetadata"),
    schema.DATETIME: ("DateTimeType", "DateTimeAttributeMetadata"),
}


def _label(text: str) -> dict[str, Any]:
    label = {"Label": text, "LanguageCode": 1033, "IsManaged": True}
    return {"LocalizedLabels": [label], "UserLocalizedLabel": label}


def _mid(*parts: str) -> str:
    return str(uuid.uuid5(_NS, "/".join(parts)))


def entity(table: schema.Table) -> dict[str, Any]:
    return {
        "MetadataId": _mid(table.logical),
        "LogicalName": table.logical,
        "SchemaName": table.logical,
        "EntitySetName": table.entity_set,
        "LogicalCollectionName": table.entity_set,
        "CollectionSchemaName": table.entity_set,
        "PrimaryIdAttribute": table.primary_id,
        "PrimaryNameAttribute": table.primary_name,
        "DisplayName": _label(table.display),
        "IsCustomEntity": table.logical.startswith("msdyn_"),
        "IsActivity": False,
        "OwnershipType": "UserOwned",
    }


def attribute(table: schema.Table, name: str, with_options: bool = False) -> dict[str, Any]:
    column = table.columns[name]
    type_name, cast = _TYPE_NAMES.get(column.type, ("StringType", "StringAttributeMetadata"))
    attr: dict[str, Any] = {
        "@odata.type": f"#Microsoft.Dynamics.CRM.{cast}",
        "MetadataId": _mid(table.logical, name),
        "LogicalName": name,
        "SchemaName": name,
        "EntityLogicalName": table.logical,
        "AttributeType": column.type if column.type != schema.MULTISELECT else "Virtual",
        "AttributeTypeName": {"Value": type_name},
        "IsPrimaryId": name == table.primary_id,
        "IsPrimaryName": name == table.primary_name,
        "IsValidForCreate": not column.read_only,
        "IsValidForUpdate": not column.read_only and name != table.primary_id,
        "IsValidForRead": True,
        "DisplayName": _label(name),
    }
    if column.max_length:
        attr["MaxLength"] = column.max_length
    lookup = table.lookup_by_column(name)
    if lookup:
        attr["Targets"] = [lookup.target]
    if with_options and column.options:
        attr["OptionSet"] = option_set(table, name)
    return attr


def option_set(table: schema.Table, name: str) -> dict[str, Any]:
    column = table.columns[name]
    options = column.options or {}
    body: dict[str, Any] = {
        "MetadataId": _mid(table.logical, name, "optionset"),
        "Name": f"{table.logical}_{name}",
        "IsGlobal": False,
        "OptionSetType": "Boolean" if column.type == schema.BOOLEAN else "Picklist",
    }
    if column.type == schema.BOOLEAN:
        body["FalseOption"] = {"Value": 0, "Label": _label(options[0])}
        body["TrueOption"] = {"Value": 1, "Label": _label(options[1])}
    else:
        body["Options"] = [{"Value": v, "Label": _label(text)} for v, text in options.items()]
    return body


def _pick(data: dict[str, Any], select: list[str] | None) -> dict[str, Any]:
    if not select:
        return dict(data)
    keep = set(select) | {"MetadataId", "@odata.type"}
    return {k: v for k, v in data.items() if k in keep}


_CASTS = {
    "Microsoft.Dynamics.CRM.PicklistAttributeMetadata": {schema.PICKLIST},
    "Microsoft.Dynamics.CRM.MultiSelectPicklistAttributeMetadata": {schema.MULTISELECT},
    "Microsoft.Dynamics.CRM.BooleanAttributeMetadata": {schema.BOOLEAN},
    "Microsoft.Dynamics.CRM.StringAttributeMetadata": {schema.STRING},
    "Microsoft.Dynamics.CRM.MemoAttributeMetadata": {schema.MEMO},
    "Microsoft.Dynamics.CRM.LookupAttributeMetadata": {schema.LOOKUP},
    "Microsoft.Dynamics.CRM.StateAttributeMetadata": {schema.STATE},
    "Microsoft.Dynamics.CRM.StatusAttributeMetadata": {schema.STATUS},
    "Microsoft.Dynamics.CRM.EnumAttributeMetadata": {
        schema.PICKLIST,
        schema.STATE,
        schema.STATUS,
        schema.MULTISELECT,
    },
}


def _attributes(table: schema.Table, params: dict[str, str], types: set[str] | None) -> list[dict[str, Any]]:
    select = parse_select(params.get("$select"))
    expand = {item.nav: item for item in parse_expand(params.get("$expand"))}
    tree = parse_filter(params["$filter"], lambda n: None) if params.get("$filter") else None
    rows = []
    for name, column in table.columns.items():
        if types is not None and column.type not in types:
            continue
        attr = attribute(table, name)
        if tree is not None and not evaluate(tree, attr):
            continue
        item = _pick(attr, select)
        for key in ("OptionSet", "GlobalOptionSet"):
            if key in expand and column.options:
                sub = parse_select(expand[key].options.get("$select"))
                full = option_set(table, name)
                item[key] = {k: v for k, v in full.items() if not sub or k in sub or k == "MetadataId"}
        rows.append(item)
    return rows


def _entity_with_expand(table: schema.Table, params: dict[str, str]) -> dict[str, Any]:
    item = _pick(entity(table), parse_select(params.get("$select")))
    for exp in parse_expand(params.get("$expand")):
        if exp.nav != "Attributes":
            raise bad_request(
                f"Could not find a property named '{exp.nav}' on type "
                "'Microsoft.Dynamics.CRM.EntityMetadata'."
            )
        item["Attributes"] = _attributes(table, exp.options, None)
    return item


def _find_table(key: str) -> schema.Table:
    m = re.fullmatch(r"LogicalName\s*=\s*'([^']*)'", key)
    if m:
        table = schema.TABLES.get(m.group(1))
    else:
        table = next((t for t in schema.TABLES.values() if _mid(t.logical) == key.strip().lower()), None)
    if table is None:
        raise bad_request(f"Could not find entity with key '{key}'.", "0x80040217")
    return table


def _cast(segments: list[str]) -> set[str] | None:
    """The column types admitted by a type-cast segment after `Attributes`, or None when there is none."""
    if len(segments) < 3:
        return None
    types = _CASTS.get(segments[2])
    if types is None:
        raise segment_not_found(segments[2])
    return types


def handle(root: str, segments: list[str], params: dict[str, str]) -> Response:
    head = segments[0]
    if head == "EntityDefinitions":
        if len(segments) > 1:
            raise segment_not_found(segments[1])
        rows = [entity(t) for t in schema.TABLES.values()]
        if params.get("$filter"):
            tree = parse_filter(params["$filter"], lambda n: None)
            rows = [r for r in rows if evaluate(tree, r)]
        wanted = {r["LogicalName"] for r in rows}
        value = [_entity_with_expand(t, params) for t in schema.TABLES.values() if t.logical in wanted]
        return json_response(200, {"@odata.context": f"{root}$metadata#EntityDefinitions", "value": value})
    m = re.fullmatch(r"EntityDefinitions\((.*)\)", head)
    if not m:
        raise segment_not_found(head)
    table = _find_table(m.group(1))
    if len(segments) == 1:
        body = _entity_with_expand(table, params)
        return json_response(200, {"@odata.context": f"{root}$metadata#EntityDefinitions/$entity", **body})
    if segments[1] != "Attributes" and not segments[1].startswith("Attributes("):
        raise segment_not_found(segments[1])
    if segments[1].startswith("Attributes("):
        key = segments[1][len("Attributes(") : -1]
        am = re.fullmatch(r"LogicalName\s*=\s*'([^']*)'", key)
        name = (
            am.group(1)
            if am
            else next((c for c in table.columns if _mid(table.logical, c) == key.strip().lower()), None)
        )
        if name not in table.columns:
            raise bad_request(f"Could not find attribute with key '{key}'.", "0x80040217")
        types = _cast(segments)
        if types is not None and table.columns[name].type not in types:
            raise segment_not_found(segments[2])
        attrs = [a for a in _attributes(table, params, types) if a.get("LogicalName", name) == name]
        attr = attrs[0] if attrs else {"LogicalName": name}
        return json_response(
            200, {"@odata.context": f"{root}$metadata#EntityDefinitions/Attributes/$entity", **attr}
        )
    types = _cast(segments)
    suffix = f"/{segments[2]}" if len(segments) > 2 else ""
    return json_response(
        200,
        {
            "@odata.context": f"{root}$metadata#EntityDefinitions('{table.logical}')/Attributes{suffix}",
            "value": _attributes(table, params, types),
        },
    )


def csdl() -> str:
    sets = "".join(
        f'<EntitySet Name="{t.entity_set}" EntityType="Microsoft.Dynamics.CRM.{t.logical}"/>'
        for t in schema.TABLES.values()
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><edmx:Edmx Version="4.0" '
        'xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>'
        '<Schema Namespace="Microsoft.Dynamics.CRM" xmlns="http://docs.oasis-open.org/odata/ns/edm">'
        f'<EntityContainer Name="System">{sets}</EntityContainer></Schema></edmx:DataServices></edmx:Edmx>'
    )
