"""Turns raw bytes into typed rows and quarantined rows. Shared by the Python shell job and the
Spark job (which runs it on Arrow batches through mapInArrow), so both accept and reject exactly
the same rows for exactly the same reasons.

A block is whole lines of the input (CSV or JSON lines). Every value is read as a string first,
then converted column by column with vectorized Arrow casts; a cast that fails is narrowed down
by bisection to the values that caused it, so a clean batch costs one cast per column.
"""

import csv
import functools
import io
import json

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from lake_config import DECIMAL_TYPE, PARTITION_COLUMNS
from lake_errors import SchemaMismatch

QUARANTINE_SCHEMA = pa.schema([("reason", pa.string()), ("raw", pa.string())])

_ARROW_TYPES = {
    "string": pa.string(),
    "int": pa.int32(),
    "bigint": pa.int64(),
    "float": pa.float32(),
    "double": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    # Spark writes timestamps as UTC-adjusted microseconds; so does this, so both jobs agree.
    "timestamp": pa.timestamp("us", tz="UTC"),
}
_TRUE = ["true", "t", "1", "yes", "y"]
_FALSE = ["false", "f", "0", "no", "n"]
# A time of day followed by a zone: only these strings are parsed as zoned timestamps.
_ZONED = r"\d{2}:\d{2}(:\d{2}(\.\d*)?)?\s*([Zz]|[+-]\d{2}(:?\d{2})?)$"
_SHOWN_CHARS = 60
_NO_STRING = pa.scalar(None, pa.string())


def arrow_type(column_type):
    m = DECIMAL_TYPE.match(column_type)
    if m:
        return pa.decimal128(int(m.group(1)), int(m.group(2)))
    return _ARROW_TYPES[column_type]


def data_schema(structure):
    """The schema of the Parquet files: the declared columns, all nullable (as Spark writes
    them); required columns are enforced by validation, not by the file format."""
    return pa.schema([(c.name, arrow_type(c.type)) for c in structure.columns])


def conformed_schema(structure):
    return pa.schema(list(data_schema(structure)) + [(p, pa.string()) for p in PARTITION_COLUMNS])


def _strings_schema(structure):
    return pa.schema([(c.name, pa.string()) for c in structure.columns])


def _empty_quarantine():
    return QUARANTINE_SCHEMA.empty_table()


def _quarantine(rows):
    return pa.Table.from_pylist([{"reason": r, "raw": t} for r, t in rows], schema=QUARANTINE_SCHEMA)


def _text(line):
    return line.decode("utf-8", errors="replace") if isinstance(line, bytes) else line


# ---- header ---------------------------------------------------------------------------------

def header_fields(first_line, settings):
    line = first_line.split(b"\n", 1)[0].rstrip(b"\r")
    if line.startswith(b"\xef\xbb\xbf"):
        line = line[3:]
    text = line.decode("utf-8", errors="replace")
    if not text.strip():
        return []
    fields = next(csv.reader([text], delimiter=settings.delimiter, quotechar=settings.quote))
    return [f.strip() for f in fields]


def check_header(first_line, settings, structure, source):
    """Raises SchemaMismatch unless a CSV file's header names the declared columns, in order."""
    if settings.format != "csv" or not settings.header:
        return
    found = header_fields(first_line, settings)
    if found != structure.names:
        raise SchemaMismatch(
            f"header of {source} has columns [{', '.join(found)}] but structure "
            f"v{structure.version} of dataset '{settings.dataset}' declares "
            f"[{', '.join(structure.names)}]: fix the file, or put a new structure version and "
            f"point the settings' schema_version at it (see stacks/glue/README.md)"
        )


# ---- parsing: bytes -> string columns + structural rejects ----------------------------------

def _parse_csv(data, settings, structure):
    rejects = []

    def on_invalid(row):
        rejects.append((f"expected {row.expected_columns} fields, found {row.actual_columns}",
                        row.text))
        return "skip"

    names = structure.names
    table = pcsv.read_csv(
        io.BytesIO(data),
        read_options=pcsv.ReadOptions(column_names=names, use_threads=False),
        parse_options=pcsv.ParseOptions(delimiter=settings.delimiter, quote_char=settings.quote,
                                        newlines_in_values=False, invalid_row_handler=on_invalid),
        convert_options=pcsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                            strings_can_be_null=False,
                                            quoted_strings_can_be_null=False),
    )
    if settings.header and table.num_rows:
        # The header line (and any repeated header from concatenated files) is not data.
        is_header = functools.reduce(pc.and_, [pc.equal(table[n], n) for n in names])
        table = table.filter(pc.invert(is_header))
    return table, rejects


def _parse_csv_lines(data, settings, structure):
    """Slow path for a block Arrow refuses as a whole (invalid UTF-8): one line at a time, so
    only the offending lines are quarantined."""
    tables, rejects = [], []
    for line in data.split(b"\n"):
        if not line.strip():
            continue
        try:
            table, bad = _parse_csv(line + b"\n", settings, structure)
        except pa.ArrowInvalid as e:
            rejects.append((f"unreadable CSV line: {e}", _text(line)))
            continue
        tables.append(table)
        rejects.extend(bad)
    if not tables:
        return _strings_schema(structure).empty_table(), rejects
    return pa.concat_tables(tables), rejects


def _json_value(name, value):
    if value is None or isinstance(value, str):
        return value, None
    if isinstance(value, bool):
        return ("true" if value else "false"), None
    kind = "object" if isinstance(value, dict) else "array"
    return None, f"column '{name}': a JSON {kind} is not a single value"


def _parse_jsonl(data, settings, structure):
    names = structure.names
    known = set(names)
    columns = {n: [] for n in names}
    rejects = []
    for line in data.split(b"\n"):
        if not line.strip():
            continue
        try:
            # Numbers stay as their source text, so decimals keep every digit.
            record = json.loads(line, parse_float=str, parse_int=str)
        except ValueError as e:
            rejects.append((f"not valid JSON: {e}", _text(line.rstrip(b"\r"))))
            continue
        if not isinstance(record, dict):
            rejects.append(("not a JSON object", _text(line.rstrip(b"\r"))))
            continue
        unknown = sorted(set(record) - known)
        if unknown and settings.unknown_fields == "reject":
            rejects.append((f"fields not in the structure: {', '.join(unknown)}",
                            _text(line.rstrip(b"\r"))))
            continue
        values, problem = [], None
        for n in names:
            value, problem = _json_value(n, record.get(n))
            if problem:
                break
            values.append(value)
        if problem:
            rejects.append((problem, _text(line.rstrip(b"\r"))))
            continue
        for n, v in zip(names, values):
            columns[n].append(v)
    table = pa.table({n: pa.array(columns[n], pa.string()) for n in names})
    return table, rejects


def parse_block(data, settings, structure):
    """Whole lines of input -> (a table of the declared columns as strings, quarantine table)."""
    if not data.strip():
        return _strings_schema(structure).empty_table(), _empty_quarantine()
    if settings.format == "jsonl":
        table, rejects = _parse_jsonl(data, settings, structure)
    else:
        try:
            table, rejects = _parse_csv(data, settings, structure)
        except pa.ArrowInvalid:
            table, rejects = _parse_csv_lines(data, settings, structure)
    return table, _quarantine(rejects)


# ---- conversion: string columns -> typed columns + per-row reasons --------------------------

def _cast_checked(values, target):
    """Casts a string array; returns (typed array, bool array of values that would not cast).

    One cast for a clean array; otherwise bisect, so k bad values cost O(k log n) casts."""
    try:
        return pc.cast(values, target), None
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    if len(values) == 1:
        return pa.nulls(1, target), pa.array([True])
    mid = len(values) // 2
    parts = [_cast_checked(values.slice(0, mid), target),
             _cast_checked(values.slice(mid), target)]
    typed = pa.concat_arrays([p[0] for p in parts])
    bad = pa.concat_arrays([p[1] if p[1] is not None else pa.array([False] * len(p[0]))
                            for p in parts])
    return typed, bad


def _convert(values, column_type):
    """(typed array, bad mask) for a string array whose nulls are already nulls."""
    if column_type == "string":
        return values, None
    trimmed = pc.utf8_trim_whitespace(values)
    if column_type == "boolean":
        lowered = pc.utf8_lower(trimmed)
        is_true, is_false = pc.is_in(lowered, pa.array(_TRUE)), pc.is_in(lowered, pa.array(_FALSE))
        typed = pc.if_else(is_true, True, pc.if_else(is_false, False, pa.scalar(None, pa.bool_())))
        bad = pc.and_(pc.is_valid(values), pc.invert(pc.or_(is_true, is_false)))
        return typed, bad
    if column_type == "timestamp":
        zoned = pc.fill_null(pc.match_substring_regex(trimmed, _ZONED), False)
        with_zone, bad_zoned = _cast_checked(pc.if_else(zoned, trimmed, _NO_STRING), _ARROW_TYPES["timestamp"])
        naive, bad_naive = _cast_checked(pc.if_else(zoned, _NO_STRING, trimmed), pa.timestamp("us"))
        typed = pc.if_else(zoned, with_zone, pc.assume_timezone(naive, "UTC"))
        bad = [b for b in (bad_zoned, bad_naive) if b is not None]
        return typed, (pc.or_(*bad) if len(bad) == 2 else bad[0]) if bad else None
    typed, bad = _cast_checked(trimmed, arrow_type(column_type))
    if column_type in ("float", "double"):
        # inf, nan and overflow are not measurements: quarantine them rather than store them.
        not_finite = pc.fill_null(pc.invert(pc.is_finite(typed)), False)
        typed = pc.if_else(not_finite, pa.scalar(None, typed.type), typed)
        bad = not_finite if bad is None else pc.or_(bad, not_finite)
    return typed, bad


def _note(reasons, mask, messages):
    """Keeps the first reason per row: sets messages where mask holds and no reason is set yet."""
    take = pc.fill_null(pc.and_(mask, pc.is_null(reasons)), False)
    return pc.if_else(take, messages, reasons)


def _described(name, values, problem):
    shown = pc.utf8_slice_codeunits(values, 0, _SHOWN_CHARS)
    return pc.binary_join_element_wise(f"column '{name}': '", shown, f"' {problem}", "")


def _partition_values(settings, typed, arrival):
    n = len(next(iter(typed.values())))
    if settings.partition_source == "arrival_time":
        return [pa.array([arrival.strftime(f)] * n, pa.string()) for f in ("%Y", "%m", "%d")]
    column = typed[settings.partition_column]
    if pa.types.is_date(column.type):
        column = pc.cast(column, pa.timestamp("s"))
    return [pc.strftime(column, f) for f in ("%Y", "%m", "%d")]


def conform(strings, settings, structure, arrival):
    """String columns -> (good: typed columns + year/month/day, bad: quarantine table)."""
    n = strings.num_rows
    if n == 0:
        return conformed_schema(structure).empty_table(), _empty_quarantine()
    reasons = pa.nulls(n, pa.string())
    nulls = pa.array(list(settings.null_values), pa.string())
    typed = {}
    for column in structure.columns:
        raw = strings[column.name].combine_chunks()
        empty = pc.or_(pc.is_null(raw), pc.is_in(raw, nulls))
        values = pc.if_else(empty, _NO_STRING, raw)
        converted, bad = _convert(values, column.type)
        typed[column.name] = converted
        if bad is not None:
            reasons = _note(reasons, bad, _described(column.name, values, f"is not a valid {column.type}"))
        if not column.nullable:
            reasons = _note(reasons, empty, pa.scalar(f"column '{column.name}': required value is empty"))
    partitions = _partition_values(settings, typed, arrival)
    if settings.partition_source == "event_time":
        reasons = _note(reasons, pc.is_null(partitions[0]),
                        pa.scalar(f"partition column '{settings.partition_column}' is empty"))
    ok = pc.is_null(reasons)
    good = pa.Table.from_arrays(list(typed.values()) + partitions,
                                schema=conformed_schema(structure)).filter(ok)
    bad_rows = pc.invert(ok)
    if good.num_rows == n:
        return good, _empty_quarantine()
    bad = pa.table({
        "reason": pc.filter(reasons, bad_rows),
        "raw": pa.array([json.dumps(r, ensure_ascii=False)
                         for r in strings.filter(bad_rows).to_pylist()], pa.string()),
    }, schema=QUARANTINE_SCHEMA)
    return good, bad


def process_block(data, settings, structure, arrival):
    """Whole lines of input -> (good rows, quarantined rows)."""
    strings, rejects = parse_block(data, settings, structure)
    good, bad = conform(strings, settings, structure, arrival)
    if rejects.num_rows:
        bad = pa.concat_tables([rejects, bad])
    return good, bad
