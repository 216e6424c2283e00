"""Which `$expand` shapes Dataverse answers, and the error it gives for the others.

Source: "Join tables using OData" (learn.microsoft.com/power-apps/developer/data-platform/webapi/query/join-tables;
MicrosoftDocs/powerapps-docs `powerapps-docs/developer/data-platform/webapi/query/join-tables.md`):
- at most 15 `$expand` options in one query;
- a many-to-many (N:N) navigation property cannot be expanded together with navigation properties of other
  relationship kinds, and cannot be nested inside another N:N expansion;
- `$orderby` and `$top` are not supported inside an expansion that itself holds a nested `$expand` of a
  collection-valued property.
The error code is the OData query-validation code 0x80060888 (also answered for an unknown property name in
`$select`/`$expand`); the exact message wording of a real org is not documented and is ours.
"""

from __future__ import annotations

from . import schema
from .errors import ODataError
from .query import ExpandItem, parse_expand

MAX_EXPANDS = 15
QUERY_ERROR = "0x80060888"


def expand_error(message: str) -> ODataError:
    return ODataError(400, QUERY_ERROR, message)


def check_expand(table: str, items: list[ExpandItem]) -> None:
    """Raise the Dataverse error for an `$expand` tree a real org refuses; unknown navigation properties too."""
    count = _check_level(table, items, inside_many_to_many=False)
    if count > MAX_EXPANDS:
        raise expand_error(f"The query has {count} $expand options; Dataverse allows at most {MAX_EXPANDS}.")


def _check_level(table: str, items: list[ExpandItem], inside_many_to_many: bool) -> int:
    kinds: dict[str, str] = {}
    for item in items:
        kind = schema.nav_kind(table, item.nav)
        if kind is None:
            raise expand_error(
                f"Could not find a property named '{item.nav}' on type 'Microsoft.Dynamics.CRM.{table}'."
            )
        kinds[item.nav] = kind
    if schema.MANY_TO_MANY in kinds.values() and len(set(kinds.values())) > 1:
        many = [nav for nav, kind in kinds.items() if kind == schema.MANY_TO_MANY]
        others = [nav for nav, kind in kinds.items() if kind != schema.MANY_TO_MANY]
        raise expand_error(
            "Expansion of a many-to-many relationship together with other relationship kinds is not "
            f"supported: '{', '.join(many)}' with '{', '.join(others)}'. Expand them in separate queries."
        )
    count = len(items)
    for item in items:
        kind = kinds[item.nav]
        nested = parse_expand(item.options.get("$expand"))
        if not nested:
            continue
        if inside_many_to_many and kind == schema.MANY_TO_MANY:
            raise expand_error(
                f"Nested expansion of the many-to-many relationship '{item.nav}' inside another "
                "many-to-many expansion is not supported."
            )
        target = _target(table, item.nav)
        nested_many = any(schema.nav_kind(target, n.nav) == schema.MANY_TO_MANY for n in nested)
        if kind == schema.MANY_TO_MANY and nested_many:
            raise expand_error(
                f"Nested expansion of a many-to-many relationship inside '{item.nav}', itself a "
                "many-to-many relationship, is not supported."
            )
        if kind != schema.MANY_TO_ONE and ("$top" in item.options or "$orderby" in item.options):
            raise expand_error(
                f"$top and $orderby are not supported in the expansion of '{item.nav}' when it has a "
                "nested $expand."
            )
        count += _check_level(target, nested, inside_many_to_many or kind == schema.MANY_TO_MANY)
    return count


def _target(table: str, nav: str) -> str:
    lookup = schema.TABLES[table].lookup_by_nav(nav)
    if lookup is not None:
        return lookup.target
    return schema.collection_navs(table)[nav][1]
