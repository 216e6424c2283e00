"""Queries asked on every request, compiled to SQL once per thread instead of once per request.

Turning a queryset into SQL costs Django about four times as long as SQLite takes to answer it (on this
portal's pages: about 0.5 ms against 0.1 ms for a row read by primary key), and a save cycle asks the
same three such queries every time: the session, the signed-in user, the channel. A
:class:`PreparedQuery` compiles its queryset once per thread and database, then runs the same SQL
with the new parameter through the connection's cursor (so query logging, ``execute_wrapper`` hooks
and transactions see it as any other query) and builds the model instances as Django's own
``ModelIterable`` does, converters and ``select_related`` objects included.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db import connections, router
from django.db.models import Field, Model, QuerySet
from django.db.models.query import get_related_populators

M = TypeVar("M", bound=Model)

# A value no row has, put in the queryset to find where the parameter goes in its SQL.
INT_MARKER = -1_946_281_073  # within a 32-bit column: a value out of range matches nothing
TEXT_MARKER = "\x00prepared-query-marker"


def _fits(value: Any) -> bool:
    """Whether the database can take ``value`` as a parameter: an integer beyond 64 bits (a forged
    version or primary key) matches no row, as the ORM's integer lookups say, instead of failing."""
    return not isinstance(value, int) or -(2**63) <= value < 2**63


class PreparedQuery(Generic[M]):
    """``build(marker)`` is the queryset with ``marker`` where the looked-up value goes: one value that
    the database takes as it is, an integer (``INT_MARKER``, the default) or a text (``TEXT_MARKER``).
    :meth:`get` runs it for another value."""

    def __init__(self, model: type[M], build: Callable[[Any], QuerySet[M]], marker: Any = INT_MARKER) -> None:
        self.model = model
        self.build = build
        self.marker = marker
        self._local = threading.local()

    def _compiled(self, alias: str) -> tuple[Any, str, list[Any], int, Any]:
        cache: dict[str, Any] = self._local.__dict__.setdefault("by_alias", {})
        found = cache.get(alias)
        if found is None:
            queryset = self.build(self.marker)
            compiler = queryset.query.get_compiler(using=alias)
            sql, params = compiler.as_sql()
            if list(params).count(self.marker) != 1:
                raise ValueError("A prepared query takes its value in exactly one place.")
            position = list(params).index(self.marker)
            fields = [column[0] for column in compiler.select[: compiler.col_count]]
            found = cache[alias] = (compiler, sql, list(params), position, compiler.get_converters(fields))
        return found  # type: ignore[no-any-return]

    def get(self, value: Any) -> M | None:
        """The one row whose looked-up value is ``value``, or ``None``."""
        if not _fits(value):
            return None
        alias = router.db_for_read(self.model)
        compiler, sql, params, position, converters = self._compiled(alias)
        params = list(params)
        params[position] = value
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchmany(2)
        if not rows:
            return None
        if len(rows) > 1:
            raise self.model.MultipleObjectsReturned(  # type: ignore[attr-defined]
                f"More than one {self.model.__name__} matched."
            )
        row = list(compiler.apply_converters(rows, converters))[0] if converters else rows[0]
        select, klass_info = compiler.select, compiler.klass_info
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        names = [column[0].target.attname for column in select[start:end]]
        instance = klass_info["model"].from_db(alias, names, row[start:end])
        # Django 5.2's signature (the stubs already know a later one).
        for populator in get_related_populators(klass_info, select, alias):  # type: ignore[call-arg]
            populator.populate(row, instance)
        return instance  # type: ignore[no-any-return]


class PreparedUpdate(Generic[M]):
    """``UPDATE`` of one row found by primary key and guard columns, its SQL built once per thread,
    database and set of columns. ``guards``: columns the row must equal (a version, say); ``within``:
    a column whose value must be one of a list; ``increments``: columns that grow by one.

    Each value is prepared by its field (``get_db_prep_save``), as ``QuerySet.update`` prepares it; a
    model instance given for a foreign key stands for its primary key."""

    def __init__(
        self,
        model: type[M],
        *,
        guards: tuple[str, ...] = (),
        within: str | None = None,
        increments: tuple[str, ...] = (),
    ) -> None:
        self.model, self.guards, self.within, self.increments = model, guards, within, increments
        self._local = threading.local()

    def _field(self, name: str) -> Field[Any, Any]:
        field = self.model._meta.get_field(name)
        assert isinstance(field, Field), name
        return field

    def _sql(self, alias: str, names: tuple[str, ...], choices: int) -> str:
        cache: dict[Any, str] = self._local.__dict__.setdefault("sql", {})
        key = (alias, names, choices)
        found = cache.get(key)
        if found is None:
            quote = connections[alias].ops.quote_name
            meta = self.model._meta

            def column(name: str) -> str:
                return quote(str(self._field(name).column))

            sets = [f"{column(name)} = %s" for name in names]
            sets += [f"{column(name)} = {column(name)} + 1" for name in self.increments]
            where = [f"{column(meta.pk.name)} = %s", *(f"{column(name)} = %s" for name in self.guards)]
            if self.within is not None:
                where.append(f"{column(self.within)} IN ({', '.join(['%s'] * choices)})")
            # Table and column names come from the model, quoted by the database's rules; values are
            # parameters.
            found = cache[key] = (
                f"UPDATE {quote(meta.db_table)} SET {', '.join(sets)} WHERE {' AND '.join(where)}"  # noqa: S608
            )
        return found

    def run(
        self, pk: Any, values: dict[str, Any], guards: tuple[Any, ...] = (), within: tuple[Any, ...] = ()
    ) -> int:
        """Write ``values`` (field name → value) to the row; the number of rows changed (0 or 1)."""
        if not all(_fits(value) for value in (pk, *guards, *within)):
            return 0
        alias = router.db_for_write(self.model)
        connection = connections[alias]
        names = tuple(values)
        params = []
        for name in names:
            field = self._field(name)
            value = values[name]
            if field.remote_field is not None and isinstance(value, Model):
                value = value.pk
            params.append(field.get_db_prep_save(value, connection))
        params.append(self._field(self.model._meta.pk.name).get_db_prep_value(pk, connection))
        params += [
            self._field(name).get_db_prep_value(value, connection)
            for name, value in zip(self.guards, guards, strict=True)
        ]
        if self.within is not None:
            field = self._field(self.within)
            params += [field.get_db_prep_value(value, connection) for value in within]
        with connection.cursor() as cursor:
            cursor.execute(self._sql(alias, names, len(within)), params)
            return cursor.rowcount
