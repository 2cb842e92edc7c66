"""A dataset's settings and table structure, read from the DynamoDB config table.

Layout (the table's keys are the string attributes pk and sk, fixed with lakectl):

    pk = dataset#<name>   sk = settings        how to read, partition and publish the dataset
    pk = dataset#<name>   sk = schema#v<N>     the table structure, version N
    pk = bucket#<name>    sk = tenant          whose bucket it is and its catalog database

The settings name the structure version in force, so a new version is written first and
switched to with one update of the settings item. stacks/glue/README.md has the fields and a
complete example.
"""

import dataclasses
import re
from decimal import Decimal

from boto3.dynamodb.types import TypeDeserializer
from botocore.exceptions import ClientError

from lake_errors import JobError

SIMPLE_TYPES = ("string", "int", "bigint", "float", "double", "boolean", "date", "timestamp")
DECIMAL_TYPE = re.compile(r"^decimal\((\d{1,2}),\s*(\d{1,2})\)$")
FORMATS = ("csv", "jsonl")
ENGINES = ("python_shell", "spark")
NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
PARTITION_COLUMNS = ("year", "month", "day")


def settings_key(dataset):
    return {"pk": f"dataset#{dataset}", "sk": "settings"}


def structure_key(dataset, version):
    return {"pk": f"dataset#{dataset}", "sk": f"schema#v{version}"}


def tenant_key(bucket):
    return {"pk": f"bucket#{bucket}", "sk": "tenant"}


@dataclasses.dataclass(frozen=True)
class Column:
    name: str
    type: str
    nullable: bool = True


@dataclasses.dataclass(frozen=True)
class Structure:
    version: int
    columns: tuple

    @property
    def names(self):
        return [c.name for c in self.columns]


@dataclasses.dataclass(frozen=True)
class Settings:
    dataset: str
    format: str
    delimiter: str
    quote: str
    header: bool
    null_values: tuple
    schema_version: int
    partition_source: str  # "event_time" or "arrival_time"
    partition_column: str  # set only for event_time
    database: str  # the tenant's, from its registration item; empty until known
    table: str
    engine: str
    unknown_fields: str  # JSON lines only: "reject" or "ignore"
    max_bad_fraction: float
    api: dict  # only api_ingest reads it

    def as_dict(self):
        """Plain values, for shipping to Spark workers and for the lineage record."""
        return dataclasses.asdict(self)


def _plain(value):
    """DynamoDB numbers arrive as Decimal; the jobs want ints and floats."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    return value


def _get_item(dynamodb, table, key):
    try:
        out = dynamodb.get_item(TableName=table, Key={k: {"S": v} for k, v in key.items()},
                                ConsistentRead=True)
    except ClientError as e:
        if e.response["Error"]["Code"] == "ResourceNotFoundException":
            raise JobError(
                f"config table '{table}' does not exist: deploy the lake (lakectl deploy) "
                f"or pass the right --config_table"
            ) from e
        raise
    item = out.get("Item")
    if item is None:
        return None
    deserializer = TypeDeserializer()
    return {k: _plain(deserializer.deserialize(v)) for k, v in item.items()}


class _Fields:
    """Reads one item's fields, turning a bad value into a message that names item and field."""

    def __init__(self, item, where):
        self.item = item
        self.where = where

    def fail(self, field, problem):
        raise JobError(f"{self.where}: field '{field}' {problem} (see stacks/glue/README.md)")

    def get(self, field, default=None, kind=None, choices=None, required=False):
        node = self.item
        for part in field.split("."):
            node = node.get(part) if isinstance(node, dict) else None
            if node is None:
                break
        if node is None:
            if required:
                self.fail(field, "is missing")
            return default
        if kind is not None and not isinstance(node, kind) or (kind is int and isinstance(node, bool)):
            self.fail(field, f"must be a {getattr(kind, '__name__', kind)}, got {node!r}")
        if choices is not None and node not in choices:
            self.fail(field, f"must be one of {', '.join(choices)}, got {node!r}")
        return node


def parse_settings(dataset, item, where):
    f = _Fields(item, where)
    fmt = f.get("format", kind=str, choices=FORMATS, required=True)
    partition_source = f.get("partition.source", "arrival_time", str, ("event_time", "arrival_time"))
    partition_column = ""
    if partition_source == "event_time":
        partition_column = f.get("partition.column", kind=str, required=True)
    delimiter = f.get("csv.delimiter", ",", str)
    quote = f.get("csv.quote", '"', str)
    if len(delimiter) != 1 or len(quote) != 1:
        f.fail("csv.delimiter" if len(delimiter) != 1 else "csv.quote", "must be one character")
    null_values = f.get("null_values", [""], list)
    if not all(isinstance(v, str) for v in null_values):
        f.fail("null_values", "must be a list of strings")
    bad_fraction = f.get("max_bad_fraction", 0.5, (int, float))
    if not 0 <= bad_fraction <= 1:
        f.fail("max_bad_fraction", f"must be between 0 and 1, got {bad_fraction}")
    table = f.get("target.table", kind=str, required=True)
    if not NAME.match(table):
        f.fail("target.table", f"must be a lower-case Glue name ([a-z_][a-z0-9_]*), got {table!r}")
    return Settings(
        dataset=dataset,
        format=fmt,
        delimiter=delimiter,
        quote=quote,
        header=f.get("csv.header", True, bool),
        null_values=tuple(null_values),
        schema_version=f.get("schema_version", kind=int, required=True),
        partition_source=partition_source,
        partition_column=partition_column,
        database="",
        table=table,
        engine=f.get("engine", "python_shell", str, ENGINES),
        unknown_fields=f.get("unknown_fields", "reject", str, ("reject", "ignore")),
        max_bad_fraction=float(bad_fraction),
        api=f.get("api", {}, dict),
    )


def parse_structure(item, version, where):
    f = _Fields(item, where)
    raw = f.get("columns", kind=list, required=True)
    if not raw:
        f.fail("columns", "is empty")
    columns = []
    for i, entry in enumerate(raw):
        if not isinstance(entry, dict):
            f.fail(f"columns[{i}]", f"must be a map with name and type, got {entry!r}")
        name, kind = entry.get("name"), entry.get("type")
        if not isinstance(name, str) or not NAME.match(name):
            f.fail(f"columns[{i}].name", f"must be a lower-case column name, got {name!r}")
        if name in PARTITION_COLUMNS:
            f.fail(f"columns[{i}].name", f"'{name}' is reserved for the partition key")
        if not isinstance(kind, str) or not (kind in SIMPLE_TYPES or DECIMAL_TYPE.match(kind)):
            f.fail(f"columns[{i}].type",
                   f"must be one of {', '.join(SIMPLE_TYPES)} or decimal(p,s), got {kind!r}")
        m = DECIMAL_TYPE.match(kind)
        if m and not (1 <= int(m.group(1)) <= 38 and int(m.group(2)) <= int(m.group(1))):
            f.fail(f"columns[{i}].type", f"needs 1 <= precision <= 38 and scale <= precision, got {kind}")
        nullable = entry.get("nullable", True)
        if not isinstance(nullable, bool):
            f.fail(f"columns[{i}].nullable", f"must be true or false, got {nullable!r}")
        columns.append(Column(name, kind.replace(" ", ""), nullable))
    names = [c.name for c in columns]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        f.fail("columns", f"names {', '.join(duplicates)} more than once")
    return Structure(version=version, columns=tuple(columns))


def tenant_database(dynamodb, table, bucket):
    """The catalog database of the tenant whose bucket this is, from its registration item."""
    key = tenant_key(bucket)
    item = _get_item(dynamodb, table, key)
    where = f"registration of bucket '{bucket}' (table {table}, pk={key['pk']}, sk={key['sk']})"
    if item is None:
        raise JobError(
            f"bucket '{bucket}' is not a tenant of this lake: table {table} has no item "
            f"pk={key['pk']}, sk={key['sk']}; deploy the customer with lakectl (stacks/tenant.yaml) "
            f"or put that item with the tenant's `database` (see stacks/glue/README.md)"
        )
    database = _Fields(item, where).get("database", kind=str, required=True)
    if not NAME.match(database):
        _Fields(item, where).fail(
            "database", f"must be a lower-case Glue name ([a-z_][a-z0-9_]*), got {database!r}")
    return database


def load(dynamodb, table, dataset, bucket=None):
    """Returns (Settings, Structure) for the dataset, or raises JobError saying what to put where.

    With `bucket` (the input's), the settings name the catalog database of its tenant."""
    key = settings_key(dataset)
    item = _get_item(dynamodb, table, key)
    if item is None:
        raise JobError(
            f"no settings for dataset '{dataset}' in table {table}: put an item with "
            f"pk={key['pk']}, sk={key['sk']} (see stacks/glue/README.md)"
        )
    settings = parse_settings(dataset, item, f"settings for dataset '{dataset}' (table {table}, "
                                             f"pk={key['pk']}, sk={key['sk']})")
    skey = structure_key(dataset, settings.schema_version)
    sitem = _get_item(dynamodb, table, skey)
    if sitem is None:
        raise JobError(
            f"settings for dataset '{dataset}' name structure version {settings.schema_version}, "
            f"but table {table} has no item pk={skey['pk']}, sk={skey['sk']}: put the table "
            f"structure there (see stacks/glue/README.md)"
        )
    structure = parse_structure(sitem, settings.schema_version,
                                f"table structure of dataset '{dataset}' (table {table}, "
                                f"pk={skey['pk']}, sk={skey['sk']})")
    if settings.partition_source == "event_time":
        col = next((c for c in structure.columns if c.name == settings.partition_column), None)
        if col is None or col.type not in ("date", "timestamp"):
            raise JobError(
                f"settings for dataset '{dataset}' partition by column "
                f"'{settings.partition_column}', which structure v{structure.version} "
                f"{'does not have' if col is None else 'declares as ' + col.type}: "
                f"name a date or timestamp column in partition.column (see stacks/glue/README.md)"
            )
    if bucket is not None:
        settings = dataclasses.replace(settings, database=tenant_database(dynamodb, table, bucket))
    return settings, structure
