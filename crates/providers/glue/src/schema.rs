//! The `glue.database` and `glue.table` schemas: properties, defaults meaning "unset", and
//! Glue's naming and column-type rules.
use crate::formats::FORMATS;
use lakectl_core::{Prop, Schema, Type};
use lakectl_provider::names::NameRule;
use lakectl_provider::tags::tags_prop;
use serde_json::{Value, json};

/// The database kind.
pub const DATABASE: &str = "glue.database";
/// The table kind.
pub const TABLE: &str = "glue.table";
/// The longest database or table name Glue accepts.
pub const NAME_MAX_LEN: usize = 255;

/// The schema of `glue.database`.
pub fn database_schema() -> Schema {
    Schema {
        kind: DATABASE,
        description: "a Glue Data Catalog database: description, location, parameters, tags",
        props: vec![
            Prop::new(
                "name",
                Type::String,
                "the database name (set by the loader)",
            )
            .immutable(),
            Prop::new("description", Type::String, "what the database holds").default(Value::Null),
            Prop::new(
                "location_uri",
                Type::String,
                "default location of its tables (s3://bucket/prefix/); null: none",
            )
            .default(Value::Null)
            .check(check_s3_uri),
            Prop::new(
                "parameters",
                Type::Map(Box::new(Type::String)),
                "key-value parameters of the database",
            )
            .default(json!({})),
            tags_prop("tags on the database"),
        ],
        attributes: &["arn"],
        taggable: true,
        name_rule: database_name_rule,
        name_max_len: NAME_MAX_LEN,
    }
}

/// The schema of `glue.table`.
pub fn table_schema() -> Schema {
    Schema {
        kind: TABLE,
        description: "a Glue Data Catalog table: columns, partition keys, location and format",
        props: vec![
            Prop::new(
                "name",
                Type::String,
                "DATABASE.TABLE: the database it belongs to and its name (set by the loader)",
            )
            .immutable(),
            Prop::new("description", Type::String, "what the table holds").default(Value::Null),
            Prop::new(
                "format",
                Type::Enum(FORMATS),
                "how its files are stored: csv, json (one object a line) or parquet",
            )
            .required(),
            Prop::new(
                "location",
                Type::String,
                "where its files are: s3://bucket/prefix/",
            )
            .required()
            .check(check_s3_uri),
            Prop::new(
                "columns",
                columns(),
                "the columns in file order: name, type, optional comment",
            )
            .required(),
            Prop::new(
                "partition_keys",
                columns(),
                "the partition columns (Hive-style key=value prefixes); a change replaces the table",
            )
            .default(json!([]))
            .immutable(),
            Prop::new(
                "parameters",
                Type::Map(Box::new(Type::String)),
                "table parameters (classification, skip.header.line.count, ...)",
            )
            .default(json!({}))
            .check(check_parameters),
            Prop::new(
                "serde_parameters",
                Type::Map(Box::new(Type::String)),
                "parameters of the format's SerDe (field.delim for csv, ...)",
            )
            .default(json!({})),
        ],
        attributes: &["arn", "database"],
        taggable: false,
        name_rule: table_name_rule,
        name_max_len: 2 * NAME_MAX_LEN + 1,
    }
}

fn columns() -> Type {
    Type::Keyed {
        key: "name",
        props: vec![
            Prop::new("name", Type::String, "the column name, lower case")
                .required()
                .check(check_column_name),
            Prop::new(
                "type",
                Type::String,
                "the column type: string, bigint, decimal(10,2), ...",
            )
            .required()
            .check(check_column_type),
            Prop::new("comment", Type::String, "what the column holds").default(Value::Null),
        ],
    }
}

/// Glue keeps catalog names in lower case and Athena reads only letters, digits and `_`: a
/// name written otherwise would never read back the same.
fn catalog_name(noun: &'static str, name: &str) -> Result<(), String> {
    NameRule {
        noun,
        max: NAME_MAX_LEN,
        symbols: "_",
    }
    .check(name)?;
    if name.chars().any(|c| c.is_ascii_uppercase()) {
        return Err(format!(
            "Glue stores a {noun} in lower case; write `{}`",
            name.to_ascii_lowercase()
        ));
    }
    Ok(())
}

/// Glue's rule for database names, as Athena can query them.
pub fn database_name_rule(name: &str) -> Result<(), String> {
    catalog_name("Glue database name", name)
}

/// `DATABASE.TABLE`, each part a catalog name.
pub fn table_name_rule(name: &str) -> Result<(), String> {
    let (database, table) = crate::split_table_name(name).ok_or_else(|| {
        format!("a Glue table is named DATABASE.TABLE (`lake_dev.orders`); `{name}` has no `.`")
    })?;
    database_name_rule(database)?;
    catalog_name("Glue table name", table)
}

/// Parameters Glue, Athena and crawlers write are theirs: declared, they would read back as
/// the service left them and show as a change on every plan.
fn check_parameters(v: &Value) -> Result<(), String> {
    let theirs: Vec<&str> = v
        .as_object()
        .into_iter()
        .flat_map(|m| m.keys())
        .map(String::as_str)
        .filter(|k| crate::live::SERVICE_PARAMETERS.contains(k))
        .collect();
    match theirs.as_slice() {
        [] => Ok(()),
        keys => Err(format!(
            "`{}` {} written by Glue, Athena or crawlers themselves; lakectl leaves {} to them (updates keep what they wrote): remove {} from `parameters`",
            keys.join("`, `"),
            if keys.len() == 1 { "is" } else { "are" },
            if keys.len() == 1 { "it" } else { "them" },
            if keys.len() == 1 { "it" } else { "them" },
        )),
    }
}

fn check_s3_uri(v: &Value) -> Result<(), String> {
    match v.as_str() {
        Some(u) if !u.starts_with("s3://") || u.len() <= "s3://".len() => Err(format!(
            "`{u}` is not an S3 location; write s3://bucket/prefix/"
        )),
        _ => Ok(()),
    }
}

fn check_column_name(v: &Value) -> Result<(), String> {
    v.as_str()
        .map_or(Ok(()), |n| catalog_name("column name", n))
}

/// The types Glue and Athena read, as Glue reads them back.
const PRIMITIVES: &[&str] = &[
    "boolean",
    "tinyint",
    "smallint",
    "int",
    "bigint",
    "float",
    "double",
    "string",
    "binary",
    "date",
    "timestamp",
    "decimal",
];

const TYPES_HELP: &str = "boolean, tinyint, smallint, int, bigint, float, double, decimal(p,s), \
     string, char(n), varchar(n), binary, date, timestamp, array<T>, map<K,V>, struct<name:T,...>";

fn check_column_type(v: &Value) -> Result<(), String> {
    let Some(t) = v.as_str() else { return Ok(()) };
    let fail = |why: String| {
        // A bare unknown word needs no reason beyond the list of types.
        let why = match why == format!("`{t}` is not a type") {
            true => String::new(),
            false => format!(": {why}"),
        };
        format!("`{t}` is not a Glue column type{why}; types are {TYPES_HELP}")
    };
    if t.chars().any(|c| c.is_ascii_uppercase()) {
        return Err(fail(format!(
            "Glue reads types back in lower case, write `{}`",
            t.to_ascii_lowercase()
        )));
    }
    match parse_type(t) {
        Ok("") => Ok(()),
        Ok(rest) => Err(fail(format!("`{rest}` is left over"))),
        Err(why) => Err(fail(why)),
    }
}

/// Parses one type at the start of `s`; returns what follows it.
fn parse_type(s: &str) -> Result<&str, String> {
    let end = s
        .find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
        .unwrap_or(s.len());
    let (word, rest) = s.split_at(end);
    match word {
        "decimal" if rest.starts_with('(') => {
            let (args, rest) = numbers(rest)?;
            match args[..] {
                [p] | [p, _] if !(1..=38).contains(&p) => {
                    Err(format!("decimal precision is 1 to 38, not {p}"))
                }
                [p, s] if s > p => Err(format!("decimal scale {s} is more than precision {p}")),
                [_] | [_, _] => Ok(rest),
                _ => Err("decimal takes (precision) or (precision,scale)".into()),
            }
        }
        "char" | "varchar" => {
            let max = if word == "char" { 255 } else { 65_535 };
            match numbers(rest) {
                Ok((args, rest)) if args.len() == 1 && (1..=max).contains(&args[0]) => Ok(rest),
                _ => Err(format!(
                    "{word} takes one length from 1 to {max}: {word}(n)"
                )),
            }
        }
        "array" => close(parse_type(open(rest, word)?)?, word),
        "map" => {
            let rest = parse_type(open(rest, word)?)?;
            let rest = rest
                .strip_prefix(',')
                .ok_or("map takes a key and a value type: map<K,V>")?;
            close(parse_type(rest)?, word)
        }
        "struct" => {
            let mut rest = open(rest, word)?;
            loop {
                let colon = rest.find(':').ok_or("struct fields are name:type")?;
                check_column_name(&Value::from(&rest[..colon]))?;
                rest = parse_type(&rest[colon + 1..])?;
                match rest.strip_prefix(',') {
                    Some(more) => rest = more,
                    None => return close(rest, word),
                }
            }
        }
        w if PRIMITIVES.contains(&w) => Ok(rest),
        "" => Err("a type is missing (no spaces: Glue reads types back without them)".into()),
        w => Err(format!("`{w}` is not a type")),
    }
}

fn open<'a>(s: &'a str, word: &str) -> Result<&'a str, String> {
    s.strip_prefix('<')
        .ok_or_else(|| format!("{word} takes its types in <...>"))
}

fn close<'a>(s: &'a str, word: &str) -> Result<&'a str, String> {
    s.strip_prefix('>')
        .ok_or_else(|| format!("{word}<...> is not closed by `>`"))
}

/// `(n)` or `(n,m)` at the start of `s`.
fn numbers(s: &str) -> Result<(Vec<u32>, &str), String> {
    let inner = s.strip_prefix('(').ok_or("a length in (...) is missing")?;
    let end = inner.find(')').ok_or("`(` is not closed by `)`")?;
    let args = inner[..end]
        .split(',')
        .map(|n| {
            n.parse::<u32>()
                .map_err(|_| format!("`{n}` is not a number"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((args, &inner[end + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use lakectl_provider::testkit::{assert_name_rule, assert_validates};

    #[test]
    fn names_are_what_athena_can_query() {
        let long = "a".repeat(256);
        assert_name_rule(
            database_name_rule,
            &[
                ("the lake's database", "mycompany_dev", None),
                ("upper case", "MyLake", Some("write `mylake`")),
                ("a hyphen", "my-lake", Some("has `-`")),
                ("too long", &long, Some("has 256")),
            ],
        );
        assert_name_rule(
            table_name_rule,
            &[
                ("database and table", "mycompany_dev.orders", None),
                ("no database", "orders", Some("DATABASE.TABLE")),
                ("bad table part", "lake.Orders", Some("write `orders`")),
                ("bad database part", "la-ke.orders", Some("has `-`")),
            ],
        );
    }

    #[test]
    fn column_types_are_glues() {
        let ok = [
            "string",
            "bigint",
            "decimal(10,2)",
            "decimal(38)",
            "varchar(20)",
            "array<string>",
            "map<string,array<int>>",
            "struct<id:bigint,tags:array<string>>",
        ];
        for t in ok {
            assert_eq!(check_column_type(&json!(t)), Ok(()), "{t}");
        }
        let bad = [
            ("BIGINT", "write `bigint`"),
            ("integer", "`integer` is not a Glue column type; types are"),
            ("array<long>", "`long` is not a type"),
            ("decimal(39,2)", "precision is 1 to 38"),
            ("decimal(5,6)", "scale 6 is more than precision 5"),
            ("varchar", "varchar takes one length"),
            ("array<int", "not closed"),
            ("map<string>", "a key and a value"),
            ("struct<id bigint>", "name:type"),
            ("array< int>", "no spaces"),
            ("int extra", "` extra` is left over"),
        ];
        for (t, want) in bad {
            let got = check_column_type(&json!(t)).expect_err(t);
            assert!(got.contains(want), "{t}: `{got}` lacks `{want}`");
        }
    }

    #[test]
    fn specs_are_checked_before_any_call() {
        let table = |extra: Value| {
            let mut s = json!({"format": "parquet", "location": "s3://b/analytics/orders/",
                               "columns": [{"name": "id", "type": "bigint"}]});
            for (k, v) in extra.as_object().into_iter().flatten() {
                s[k] = v.clone();
            }
            s
        };
        assert_validates(
            &table_schema(),
            &[
                ("a parquet table", table(json!({})), &[]),
                (
                    "a parameter crawlers write (GLT-6: null and `none` differ to them)",
                    table(json!({"parameters": {"classification": "parquet",
                                                "compressionType": "none"}})),
                    &["`compressionType` is written by Glue, Athena or crawlers"],
                ),
                (
                    "a format Glue has no SerDe here for",
                    table(json!({"format": "orc"})),
                    &["`orc` is not one of csv, json, parquet"],
                ),
                (
                    "a location that is not S3",
                    table(json!({"location": "/data/orders"})),
                    &["not an S3 location"],
                ),
                (
                    "an unknown column type",
                    table(json!({"columns": [{"name": "id", "type": "long"}]})),
                    &["`long` is not a Glue column type; types are"],
                ),
                (
                    "a column twice",
                    table(json!({"columns": [{"name": "id", "type": "int"},
                                             {"name": "id", "type": "string"}]})),
                    &["listed twice"],
                ),
                (
                    "no columns",
                    json!({"format": "csv", "location": "s3://b/raw/"}),
                    &["missing required property `columns`"],
                ),
            ],
        );
        assert_validates(
            &database_schema(),
            &[
                ("unset", json!({}), &[]),
                (
                    "a location",
                    json!({"location_uri": "s3://b/analytics/"}),
                    &[],
                ),
                (
                    "a reserved tag",
                    json!({"tags": {"lakectl:x": "1"}}),
                    &["lakectl's own"],
                ),
            ],
        );
    }
}
