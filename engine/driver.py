"""Running the hot path's prebuilt statements on the driver's own cursor.

SQLAlchemy's per-execution machinery (cache key, compiled-cache lookup, events, result
objects) costs several times what SQLite takes to run a small statement, and the engine runs
about seven statements per action. Here each prebuilt statement is compiled once per dialect
and set of parameter names; its SQL, parameter order and SQLAlchemy's own bind and result
processors (UTC times, JSON, booleans) are kept, so values go in and come out exactly as
through `Connection.execute`. The statements run on the DBAPI connection of the caller's
SQLAlchemy transaction: atomicity, BEGIN IMMEDIATE and the commit stay SQLAlchemy's.

Driver errors are re-raised as SQLAlchemy's (`IntegrityError`, `OperationalError`, ...) so
callers catch the same exceptions either way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Insert, Table, bindparam, exc, insert
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.crud import REQUIRED
from sqlalchemy.sql.elements import ClauseElement

from engine import pipeline
from engine.db import UTCDateTime, as_utc

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class Prepared:
    sql: str
    positional: bool  # qmark (sqlite3) or named pyformat (psycopg)
    names: tuple[str, ...]  # parameter names in statement order
    fetch: tuple[tuple[str, Any], ...]  # (name, compile-time value) in statement order
    converted: tuple[tuple[int, Callable[[Any], Any]], ...]  # (position, bind processor)
    keys: tuple[str, ...]  # result keys, in column order
    processed: tuple[tuple[int, Processor], ...]  # (column index, processor) where one is needed
    # Every parameter comes from the caller's values (no compile-time constants): one C call
    # picks them in order.
    pick: Callable[[Mapping[str, Any]], Any] | None = None

    def parameters(self, values: Mapping[str, Any]) -> Any:
        if self.pick is not None:
            out = list(self.pick(values))
        else:
            get = values.get
            out = [get(name, default) for name, default in self.fetch]
        for index, process in self.converted:
            out[index] = process(out[index])
        if self.positional:
            return out
        return dict(zip(self.names, out, strict=True))

    def values(self, raw: Sequence[Any]) -> list[Any]:
        out = list(raw)
        for index, process in self.processed:
            out[index] = process(out[index])  # type: ignore[misc]
        return out

    def row(self, raw: Sequence[Any]) -> dict[str, Any]:
        return dict(zip(self.keys, self.values(raw) if self.processed else raw, strict=True))


def _utc_text(value: datetime | None) -> str | None:
    """UTCDateTime's bind processing on SQLite, in one C call: the same text SQLAlchemy
    writes (`YYYY-MM-DD HH:MM:SS.ffffff`, UTC, no zone)."""
    if value is None:
        return None
    if value.tzinfo is not UTC:
        if value.tzinfo is None:
            raise ValueError("naive datetime: yidi stores only timezone-aware times")
        value = value.astimezone(UTC)
    return value.isoformat(" ", "microseconds")[:26]  # without the "+00:00"


def _utc_time(value: str | None) -> datetime | None:
    """UTCDateTime's result processing on SQLite: the stored text back as an aware time."""
    # Parsing the zone with the text is one C call, several times cheaper than .replace().
    return None if value is None else datetime.fromisoformat(value + "+00:00")


def _bind_processor(dialect: Dialect, type_: Any, fallback: Processor) -> Processor:
    return _utc_text if dialect.name == "sqlite" and isinstance(type_, UTCDateTime) else fallback


def _result_processor(dialect: Dialect, type_: Any) -> Processor:
    if dialect.name == "sqlite" and isinstance(type_, UTCDateTime):
        return _utc_time
    process: Processor = type_._cached_result_processor(dialect, None)
    return process


def _picker(names: Sequence[str]) -> Callable[[Mapping[str, Any]], Any]:
    """The values of `names` in order, as a sequence (itemgetter of one name gives no tuple)."""
    if len(names) == 1:
        (name,) = names
        return lambda values: (values[name],)
    return itemgetter(*names)


# (id(statement), dialect name, parameter names) -> (statement, prepared); the statement is
# kept so that its id cannot be reused while the entry lives. Statements are module constants.
_PREPARED: dict[tuple[int, str, frozenset[str]], tuple[ClauseElement, Prepared]] = {}


def prepare(dialect: Dialect, statement: ClauseElement, names: Iterable[str]) -> Prepared:
    keys = frozenset(names)
    key = (id(statement), dialect.name, keys)
    found = _PREPARED.get(key)
    if found is not None and found[0] is statement:
        return found[1]
    compiled: Any = statement.compile(dialect=dialect, column_keys=sorted(keys))
    for param in compiled.post_compile_params:
        if param.value is None or param.key in keys:
            raise ValueError(f"{param.key}: only constant IN lists run on the driver")
    # Constant IN lists (`state IN ('open', 'claimed')`) are expanded once, here.
    state = compiled.construct_expanded_state(compiled.construct_params(_check=False))
    processors = {**compiled._bind_processors, **state.processors}
    positional = dialect.paramstyle == "qmark"
    order = list(state.positiontup) if positional else list(state.parameters)
    fetch: list[tuple[str, Any]] = []
    converted: list[tuple[int, Callable[[Any], Any]]] = []
    for index, name in enumerate(order):
        bound = compiled.binds.get(name)
        process = processors.get(name)
        if bound is not None:
            process = _bind_processor(dialect, bound.type, process)
        if name in keys:
            fetch.append((name, None))
            if process is not None:
                converted.append((index, process))
            continue
        default = state.parameters.get(name)
        if default is None or default is REQUIRED:
            raise ValueError(f"{name}: no value for this statement parameter")
        fetch.append((name, process(default) if process is not None else default))
    columns = [(c[0], _result_processor(dialect, c[3])) for c in compiled._result_columns]
    given = [name for name, _ in fetch if name in keys]
    pick = _picker(given) if given and len(given) == len(fetch) else None
    prepared = Prepared(
        state.statement,
        positional,
        tuple(order),
        tuple(fetch),
        tuple(converted),
        tuple(key for key, _ in columns),
        tuple((i, process) for i, (_, process) in enumerate(columns) if process is not None),
        pick,
    )
    _PREPARED[key] = (statement, prepared)
    return prepared


@dataclass(frozen=True)
class Sent:
    """One statement as it went to the driver (kept only while `COUNT.log` is a list)."""

    prepared: Prepared
    parameters: Any
    many: bool


class _Count:
    """Statements sent through this module: bench.engine reports how many a case takes, and
    bench.engine_floor records them (`log`) to replay a chain's SQL without the engine."""

    sent = 0
    log: list[Sent] | None = None


COUNT = _Count()


# Key of the driver connection's own cursor in its pool record's `info`: one cursor per
# connection, reused by every statement sent here (a new psycopg cursor per statement cost
# about half as much again as the statement's own client work). Every caller reads its
# results before the next statement, so nothing is lost when the cursor runs the next one.
_CURSOR = "yidi_driver_cursor"


def _cursor(conn: Connection) -> Any:
    pooled = conn.connection
    dbapi_connection: Any = pooled.dbapi_connection
    held = pooled.info.get(_CURSOR)
    if held is None or held[0] is not dbapi_connection:
        held = pooled.info[_CURSOR] = (dbapi_connection, dbapi_connection.cursor())
    return held[1]


def _run(conn: Connection, prepared: Prepared, parameters: Any, many: bool = False) -> Any:
    COUNT.sent += 1
    if COUNT.log is not None:
        COUNT.log.append(Sent(prepared, parameters, many))
    cursor = _cursor(conn)
    try:
        if many:
            cursor.executemany(prepared.sql, parameters)
        else:
            cursor.execute(prepared.sql, parameters)
    except conn.dialect.loaded_dbapi.Error as error:
        conn.connection.info.pop(_CURSOR, None)  # a fresh cursor after a failure
        cursor.close()
        raise exc.DBAPIError.instance(
            prepared.sql, parameters, error, conn.dialect.loaded_dbapi.Error
        ) from error
    return cursor


_FEW = 8


def run(conn: Connection, statement: ClauseElement, values: Mapping[str, Any]) -> None:
    """Run a write whose row count nobody needs."""
    prepared = prepare(conn.dialect, statement, values)
    _run(conn, prepared, prepared.parameters(values))


def execute(conn: Connection, statement: ClauseElement, values: Mapping[str, Any]) -> int:
    """Run an UPDATE/DELETE/INSERT; returns the number of rows it changed."""
    prepared = prepare(conn.dialect, statement, values)
    cursor = _run(conn, prepared, prepared.parameters(values))
    if pipeline.active(conn) is not None:
        pipeline.sync(conn)  # the row count is the answer: wait for it
    return int(cursor.rowcount)


def execute_checked(
    conn: Connection,
    statement: ClauseElement,
    values: Mapping[str, Any],
    check: Callable[[int], None],
) -> None:
    """Run a guarded UPDATE and `check` its row count: at once, or in a pipelined write
    transaction when the answer arrives with a later statement's (before COMMIT at the
    latest; `check` raising there rolls the whole transaction back)."""
    prepared = prepare(conn.dialect, statement, values)
    if pipeline.active(conn) is None:
        check(int(_run(conn, prepared, prepared.parameters(values)).rowcount))
        return
    COUNT.sent += 1
    if COUNT.log is not None:
        COUNT.log.append(Sent(prepared, prepared.parameters(values), False))
    own: Any = conn.connection.dbapi_connection
    cursor = own.cursor()  # its own cursor: the shared one's row count is the next statement's
    cursor.execute(prepared.sql, prepared.parameters(values))
    pipeline.check_later(conn, cursor, check)


def execute_many(
    conn: Connection, statement: ClauseElement, rows: Sequence[Mapping[str, Any]]
) -> None:
    """One statement for many rows with the same keys (events, timers, parties)."""
    if not rows:
        return
    prepared = prepare(conn.dialect, statement, rows[0])
    if prepared.positional or len(rows) > _FEW:
        _run(conn, prepared, [prepared.parameters(r) for r in rows], many=True)
        return
    if len(rows) == 1:
        _run(conn, prepared, prepared.parameters(rows[0]))
        return
    # psycopg's executemany goes through pipeline mode, which measured slower than plain
    # statements for the few rows an action writes (two or three events, stage timers); one
    # INSERT with a VALUES list per row is one round trip instead of one per row.
    keys = tuple(rows[0])
    table = getattr(statement, "table", None)
    if not isinstance(statement, Insert) or not isinstance(table, Table) or statement._returning:
        for row in rows:
            _run(conn, prepared, prepared.parameters(row))
        return
    values = {f"{key}_{i}": row[key] for i, row in enumerate(rows) for key in keys}
    run(conn, _values_list(table, keys, len(rows)), values)


# (table, column keys, rows) -> INSERT with one VALUES tuple per row; kept here so that the
# statement's id (driver.prepare's cache key) stays valid. At most _FEW rows per statement.
_VALUES_LISTS: dict[tuple[Table, tuple[str, ...], int], Insert] = {}


def _values_list(table: Table, keys: tuple[str, ...], count: int) -> Insert:
    found = _VALUES_LISTS.get((table, keys, count))
    if found is None:
        found = insert(table).values(
            [
                {key: bindparam(f"{key}_{i}", type_=table.c[key].type) for key in keys}
                for i in range(count)
            ]
        )
        _VALUES_LISTS[(table, keys, count)] = found
    return found


def _fetched(conn: Connection, prepared: Prepared, cursor: Any) -> list[Any]:
    """The cursor's rows. In a pipelined transaction this is where the round trip happens,
    with the answers of every statement queued before: their errors come out here."""
    if pipeline.active(conn) is None:
        rows: list[Any] = cursor.fetchall()
        return rows
    try:
        rows = cursor.fetchall()
    except conn.dialect.loaded_dbapi.Error as error:
        conn.connection.info.pop(_CURSOR, None)
        raise exc.DBAPIError.instance(
            prepared.sql, None, error, conn.dialect.loaded_dbapi.Error
        ) from error
    pipeline.run_checks(conn)
    return rows


def all_rows(
    conn: Connection, statement: ClauseElement, values: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Every row of a SELECT (or of an UPDATE ... RETURNING), as dicts keyed like .mappings()."""
    prepared = prepare(conn.dialect, statement, values)
    cursor = _run(conn, prepared, prepared.parameters(values))
    return [prepared.row(r) for r in _fetched(conn, prepared, cursor)]


def tuples(conn: Connection, statement: ClauseElement, values: Mapping[str, Any]) -> list[Any]:
    """Every row as a list of processed values in column order (cheaper than dicts)."""
    prepared = prepare(conn.dialect, statement, values)
    cursor = _run(conn, prepared, prepared.parameters(values))
    return [prepared.values(r) for r in _fetched(conn, prepared, cursor)]


def raw_rows(conn: Connection, statement: ClauseElement, values: Mapping[str, Any]) -> list[Any]:
    """Every row exactly as the DBAPI returns it, without SQLAlchemy's result processing
    (SQLite times stay text): for a caller that caches what it builds from a row by the row
    itself, and converts only the rows it has not seen."""
    prepared = prepare(conn.dialect, statement, values)
    return _fetched(conn, prepared, _run(conn, prepared, prepared.parameters(values)))


def stored_time(dialect: Dialect, value: datetime) -> Any:
    """A UTC time the way `raw_rows` returns a UTCDateTime column, so the two compare: the
    stored text on SQLite (it orders like the time), the time itself elsewhere."""
    return _utc_text(value) if dialect.name == "sqlite" else value


def read_time(value: Any) -> datetime | None:
    """A UTCDateTime column's value from `raw_rows` as the aware UTC time SQLAlchemy gives."""
    if value is None or isinstance(value, str):
        return _utc_time(value)
    return as_utc(value)


def tuples_of(
    conn: Connection, queries: Sequence[tuple[ClauseElement, Mapping[str, Any]]]
) -> list[list[Any]]:
    """`tuples` of several SELECTs, in order."""
    return [tuples(conn, statement, values) for statement, values in queries]


def first(
    conn: Connection, statement: ClauseElement, values: Mapping[str, Any]
) -> dict[str, Any] | None:
    rows = all_rows(conn, statement, values)
    return rows[0] if rows else None


def scalar(conn: Connection, statement: ClauseElement, values: Mapping[str, Any]) -> Any:
    """The first column of the first row (None when there is no row)."""
    row = first(conn, statement, values)
    return None if row is None else next(iter(row.values()))
