"""The mapping file: where each contract field (contracts/README.md section 2) lives in
another system's database, as data, never as SQL.

TOML (tomllib, standard library):

    name = "tpa"                         # the source's name in the catalogue
    [record]                             # one row per registry record (a person of a document)
    table = "bi_cao"
    key = "ma_bi_cao"                    # primary key or unique column
    record_id_prefix = "TPA-"            # record_id = prefix + key
    updated_at = "cap_nhat"              # optional: incremental sync
    [[join]]                             # tables joined to the record table, each by its key
    table = "ban_an"
    key = "id"                           # primary key or unique column of ban_an
    on = "ban_an_id"                     # the record table's column holding it
    updated_at = "cap_nhat"
    [fields]
    doc_type = { value = "judgment" }    # a constant (never pushed)
    document_number = "ban_an.so_ban_an" # table.column
    issue_date = { column = "ban_an.ngay_tuyen", date_format = "%d/%m/%Y" }
    charges = { column = "bi_cao.toi_danh", split = ";" }
    penalty_months = { years = "bi_cao.an_nam", months = "bi_cao.an_thang" }
    principal_penalty = { column = "bi_cao.hinh_phat", map = { "tù có thời hạn" = "imprisonment" } }

`parse_mapping` checks the file's shape; `bind` checks it against the source's reflected
schema (tables, columns, keys, column types) and gives SQLAlchemy Table objects: every
identifier reaches SQL quoted by SQLAlchemy Core, a name that is not in the schema never does.
"""
from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sohoa.core.errors import SohoaError
from sohoa.core.types import PERSON_FIELDS
from sqlalchemy import Column, MetaData, Table, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.exc import NoSuchTableError

DOCUMENT_FIELDS = ("doc_type", "decision_kind", "document_number", "trial_level", "issue_date", "issuer",
                   "effective_date", "judgment_ref", "duration_months")
CONTRACT_FIELDS = (*DOCUMENT_FIELDS, *PERSON_FIELDS)
_NAME = re.compile(r"[A-Za-z0-9_\-]{1,64}")
_TOP = {"name", "record", "join", "fields"}
_RECORD = {"table", "schema", "key", "record_id_prefix", "updated_at"}
_JOIN = {"table", "schema", "key", "on", "updated_at"}
_SPEC = {"column", "value", "date_format", "split", "years", "months", "map"}


class MappingError(SohoaError):
    """The mapping file is wrong, or does not fit the source's schema (the message says where)."""


@dataclass(frozen=True)
class FieldSpec:
    """How one contract field is read: a constant, one column (with a transform), or years + months."""

    name: str
    value: Any = None  # a constant
    column: str | None = None  # "table.column"
    date_format: str | None = None
    split: str | None = None
    years: str | None = None
    months: str | None = None
    map: dict[str, str] = field(default_factory=dict)

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(c for c in (self.column, self.years, self.months) if c)


@dataclass(frozen=True)
class TableSpec:
    table: str
    key: str
    schema: str | None = None
    updated_at: str | None = None
    on: str | None = None  # joins: the record table's column holding this table's key


@dataclass(frozen=True)
class Mapping:
    name: str
    record: TableSpec
    joins: tuple[TableSpec, ...]
    fields: dict[str, FieldSpec]
    record_id_prefix: str = ""
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(json.dumps(self.raw, sort_keys=True, ensure_ascii=False).encode()).hexdigest()

    def tables(self) -> tuple[TableSpec, ...]:
        return (self.record, *self.joins)

    def pushable(self, name: str) -> bool:
        spec = self.fields.get(name)
        return spec is not None and bool(spec.columns)


def _text(where: str, v: Any, limit: int = 128) -> str:
    if not isinstance(v, str) or not v or len(v) > limit:
        raise MappingError(f"{where}: must be a non-empty string of at most {limit} characters")
    return v


def _table_spec(where: str, raw: Any, allowed: set[str], join: bool) -> TableSpec:
    if not isinstance(raw, dict):
        raise MappingError(f"{where}: must be a table")
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise MappingError(f"{where}: unknown key(s) {', '.join(unknown)} (allowed: {', '.join(sorted(allowed))})")
    for k in ("table", "key", *(("on",) if join else ())):
        if k not in raw:
            raise MappingError(f"{where}: '{k}' is required")
    return TableSpec(table=_text(f"{where}.table", raw["table"]), key=_text(f"{where}.key", raw["key"]),
                     schema=_text(f"{where}.schema", raw["schema"]) if raw.get("schema") is not None else None,
                     updated_at=_text(f"{where}.updated_at", raw["updated_at"]) if raw.get("updated_at") else None,
                     on=_text(f"{where}.on", raw["on"]) if join else None)


def _field_spec(name: str, raw: Any) -> FieldSpec:
    where = f"fields.{name}"
    if isinstance(raw, str):
        raw = {"column": raw}
    if not isinstance(raw, dict):
        raise MappingError(f"{where}: a 'table.column' string or a table")
    unknown = sorted(set(raw) - _SPEC)
    if unknown:
        raise MappingError(f"{where}: unknown key(s) {', '.join(unknown)} (allowed: {', '.join(sorted(_SPEC))})")
    kinds = [k for k in ("value", "column", "years") if k in raw]
    if len(kinds) != 1:
        raise MappingError(f"{where}: exactly one of 'value', 'column' or 'years' (+ 'months')")
    if ("years" in raw) != ("months" in raw):
        raise MappingError(f"{where}: 'years' and 'months' go together")
    if ("years" in raw) and name not in ("penalty_months", "probation_months", "duration_months"):
        raise MappingError(f"{where}: years + months only for a field in months")
    if "value" in raw and (isinstance(raw["value"], bool) or not isinstance(raw["value"], (str, int))):
        raise MappingError(f"{where}.value: a constant is a string or a whole number")
    cols = {k: _text(f"{where}.{k}", raw[k], 257) for k in ("column", "years", "months") if k in raw}
    for k, c in cols.items():
        if c.count(".") < 1:
            raise MappingError(f"{where}.{k}: {c!r} is not 'table.column'")
    fmt = raw.get("date_format")
    if fmt is not None:
        _text(f"{where}.date_format", fmt, 40)
        if not re.fullmatch(r"[%A-Za-z0-9 ./\-:]+", fmt):
            raise MappingError(f"{where}.date_format: {fmt!r} is not a strftime date format")
    split = raw.get("split")
    if split is not None:
        _text(f"{where}.split", split, 4)
    mapped = raw.get("map") or {}
    if not isinstance(mapped, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in mapped.items()):
        raise MappingError(f"{where}.map: source value = contract value, both strings")
    if len(set(mapped.values())) != len(mapped):
        raise MappingError(f"{where}.map: two source values for one contract value cannot be pushed back")
    return FieldSpec(name=name, value=raw.get("value"), column=cols.get("column"), date_format=fmt, split=split,
                     years=cols.get("years"), months=cols.get("months"), map=dict(mapped))


def parse_mapping(path: Path) -> Mapping:
    """The mapping file, its shape checked (not yet against a database)."""
    try:
        raw = tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise MappingError(f"{path}: no such mapping file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError(f"{path}: unreadable ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(f"{path}: not TOML ({exc})") from None
    try:
        return _mapping(raw)
    except MappingError as exc:
        raise MappingError(f"{path}: {exc}") from None


def _mapping(raw: dict[str, Any]) -> Mapping:
    unknown = sorted(set(raw) - _TOP)
    if unknown:
        raise MappingError(f"unknown key(s) {', '.join(unknown)} (allowed: {', '.join(sorted(_TOP))})")
    name = raw.get("name")
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise MappingError("'name' must be 1-64 letters, digits, - or _")
    record = _table_spec("record", raw.get("record"), _RECORD, join=False)
    prefix = (raw.get("record") or {}).get("record_id_prefix", "")
    if not isinstance(prefix, str) or not re.fullmatch(r"[\w.\-/]{0,20}", prefix):
        raise MappingError("record.record_id_prefix: up to 20 letters, digits, . _ - /")
    joins_raw = raw.get("join") or []
    if not isinstance(joins_raw, list):
        raise MappingError("'join' must be an array of tables ([[join]])")
    joins = tuple(_table_spec(f"join[{i}]", j, _JOIN, join=True) for i, j in enumerate(joins_raw))
    names = [t.table for t in (record, *joins)]
    if len(set(names)) != len(names):
        raise MappingError("a table is named twice (record and joins)")
    fields_raw = raw.get("fields")
    if not isinstance(fields_raw, dict) or not fields_raw:
        raise MappingError("[fields] is required")
    bad = sorted(set(fields_raw) - set(CONTRACT_FIELDS))
    if bad:
        raise MappingError(f"fields: {', '.join(bad)} not contract fields (contracts/README.md section 2)")
    fields = {n: _field_spec(n, v) for n, v in fields_raw.items()}
    if "doc_type" not in fields:
        raise MappingError("fields.doc_type is required (a column or a constant value)")
    used: dict[str, str] = {}
    for f in fields.values():
        for c in f.columns:
            if c in used:
                raise MappingError(f"fields.{f.name}: column {c} is already fields.{used[c]} (a push would be ambiguous)")
            used[c] = f.name
    return Mapping(name=name, record=record, joins=joins, fields=fields, record_id_prefix=prefix, raw=raw)


# --- against the source's schema -------------------------------------------------------------

@dataclass
class Bound:
    """The mapping bound to the source's reflected tables."""

    mapping: Mapping
    tables: dict[str, Table]  # mapping table name -> reflected Table

    def column(self, ref: str) -> Column[Any]:
        t, c = ref.rsplit(".", 1)
        return self.tables[t].c[c]

    def key(self, spec: TableSpec) -> Column[Any]:
        return self.tables[spec.table].c[spec.key]


def _unique_columns(insp: Any, spec: TableSpec) -> set[str]:
    one = set()
    pk = insp.get_pk_constraint(spec.table, schema=spec.schema).get("constrained_columns") or []
    if len(pk) == 1:
        one.add(pk[0])
    for uc in insp.get_unique_constraints(spec.table, schema=spec.schema):
        if len(uc["column_names"]) == 1:
            one.add(uc["column_names"][0])
    for ix in insp.get_indexes(spec.table, schema=spec.schema):
        if ix.get("unique") and len(ix["column_names"]) == 1:
            one.add(ix["column_names"][0])
    return one


def _python_type(col: Column[Any]) -> type | None:
    try:
        return col.type.python_type
    except NotImplementedError:
        return None


def bind(mapping: Mapping, engine: Engine) -> Bound:
    """Reflect the source's tables and check every name and type the mapping uses; MappingError
    lists every problem found."""
    insp = inspect(engine)
    problems: list[str] = []
    tables: dict[str, Table] = {}
    meta = MetaData()
    for spec in mapping.tables():
        try:
            schemas = insp.get_schema_names()
            if spec.schema is not None and spec.schema not in schemas:
                problems.append(f"no schema named {spec.schema!r}")
                continue
            if spec.table not in insp.get_table_names(schema=spec.schema):
                problems.append(f"no table named {spec.table!r}" + (f" in schema {spec.schema!r}" if spec.schema else ""))
                continue
            tables[spec.table] = Table(spec.table, meta, schema=spec.schema, autoload_with=engine)
        except NoSuchTableError:
            problems.append(f"no table named {spec.table!r}")
    if problems:
        raise MappingError("; ".join(problems))

    def has(table: str, column: str, where: str) -> bool:
        if column not in tables[table].c:
            problems.append(f"{where}: table {table!r} has no column {column!r}")
            return False
        return True

    for spec in mapping.tables():
        where = "record" if spec is mapping.record else f"join {spec.table}"
        if has(spec.table, spec.key, f"{where}.key") and spec.key not in _unique_columns(insp, spec):
            problems.append(f"{where}.key: {spec.table}.{spec.key} is not a primary key or unique column")
        if spec.updated_at and has(spec.table, spec.updated_at, f"{where}.updated_at"):
            if _python_type(tables[spec.table].c[spec.updated_at]) is not datetime:
                problems.append(f"{where}.updated_at: {spec.table}.{spec.updated_at} is not a timestamp column")
        if spec.on:
            has(mapping.record.table, spec.on, f"{where}.on")
    for f in mapping.fields.values():
        for ref in f.columns:
            t, c = ref.rsplit(".", 1)
            if t not in tables:
                problems.append(f"fields.{f.name}: {t!r} is not the record table or a joined table")
                continue
            if not has(t, c, f"fields.{f.name}"):
                continue
            pt = _python_type(tables[t].c[c])
            if f.years and pt is not int:
                problems.append(f"fields.{f.name}: {ref} must be an integer column for years/months")
            if f.date_format and pt is not str:
                problems.append(f"fields.{f.name}: date_format needs a text column, {ref} is not")
            if f.split and pt is not str:
                problems.append(f"fields.{f.name}: split needs a text column, {ref} is not")
    if problems:
        raise MappingError("; ".join(problems))
    return Bound(mapping, tables)


# --- values: the source's column values <-> the contract's, and JSON for the catalogue ---------

def encode(v: Any) -> Any:
    """A column value as JSON (dates and times tagged, so they come back as they were)."""
    if isinstance(v, datetime):
        return {"$datetime": v.isoformat()}
    if isinstance(v, date):
        return {"$date": v.isoformat()}
    if isinstance(v, (str, int, float, bool)) or v is None:
        return v
    return {"$text": str(v)}  # Decimal and the like: compared as text


def decode(v: Any) -> Any:
    if isinstance(v, dict):
        if "$datetime" in v:
            return datetime.fromisoformat(v["$datetime"])
        if "$date" in v:
            return date.fromisoformat(v["$date"])
        if "$text" in v:
            return v["$text"]
    return v


def to_contract(spec: FieldSpec, values: dict[str, Any]) -> Any:
    """The field's value in contract form from the row's column values (None when absent);
    ValueError when a column holds what the transform cannot read."""
    if spec.years:
        y, m = values.get(spec.years), values.get(spec.months or "")
        if y is None and m is None:
            return None
        return int(y or 0) * 12 + int(m or 0)
    if not spec.column:
        return spec.value
    v = values.get(spec.column)
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    if spec.split is not None:
        return [x.strip() for x in str(v).split(spec.split) if x.strip()]
    if spec.map:
        return spec.map.get(str(v).strip(), str(v).strip())
    if isinstance(v, datetime):
        return v.date().isoformat()
    if isinstance(v, date):
        return v.isoformat()
    if spec.date_format:
        try:
            return datetime.strptime(str(v).strip(), spec.date_format).date().isoformat()
        except ValueError:
            raise ValueError(f"{spec.column} {v!r} is not a date in {spec.date_format}") from None
    return v


def to_source(spec: FieldSpec, value: Any, bound: Bound) -> dict[str, Any]:
    """The column values that hold `value` (contract form): the reverse of to_contract."""
    if spec.years:
        total = int(value) if value is not None else None
        return {spec.years: None if total is None else total // 12,
                spec.months or "": None if total is None else total % 12}
    assert spec.column is not None  # constants are never pushed (Mapping.pushable)
    if value is None:
        return {spec.column: None}
    if spec.split is not None:
        return {spec.column: spec.split.join(str(x) for x in value)}
    if spec.map:
        back = {v: k for k, v in spec.map.items()}
        return {spec.column: back.get(str(value), str(value))}
    pt = _python_type(bound.column(spec.column))
    if spec.date_format:
        return {spec.column: date.fromisoformat(value).strftime(spec.date_format)}
    if pt is date:
        return {spec.column: date.fromisoformat(value)}
    if pt is int:
        return {spec.column: int(value)}
    if pt is str:
        return {spec.column: str(value)}
    return {spec.column: value}
