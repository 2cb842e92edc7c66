//! The storage formats a `glue.table` names, and the Hive classes Glue stores for each.

/// The formats a table can name.
pub const FORMATS: &[&str] = &["csv", "json", "parquet"];

/// The input format, output format and SerDe library Glue records for one format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Storage {
    /// The format's name in the spec.
    pub format: &'static str,
    /// `StorageDescriptor.InputFormat`.
    pub input: &'static str,
    /// `StorageDescriptor.OutputFormat`.
    pub output: &'static str,
    /// `SerdeInfo.SerializationLibrary`.
    pub serde: &'static str,
}

const TEXT_IN: &str = "org.apache.hadoop.mapred.TextInputFormat";
const TEXT_OUT: &str = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat";

const STORAGES: &[Storage] = &[
    Storage {
        format: "csv",
        input: TEXT_IN,
        output: TEXT_OUT,
        serde: "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
    },
    Storage {
        format: "json",
        input: TEXT_IN,
        output: TEXT_OUT,
        serde: "org.openx.data.jsonserde.JsonSerDe",
    },
    Storage {
        format: "parquet",
        input: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
        output: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
        serde: "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
    },
];

/// The classes for `format` (one of [`FORMATS`]).
pub fn storage(format: &str) -> Option<Storage> {
    STORAGES.iter().copied().find(|s| s.format == format)
}

/// The format a live table is stored in, by its SerDe and input format; a table stored some
/// other way reads as its SerDe library, so the plan names what is there.
pub fn format_of(serde: Option<&str>, input: Option<&str>) -> String {
    STORAGES
        .iter()
        .find(|s| Some(s.serde) == serde && Some(s.input) == input)
        .map_or_else(
            || serde.or(input).unwrap_or("none").to_string(),
            |s| s.format.to_string(),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_format_reads_back_as_itself() {
        for f in FORMATS {
            let s = storage(f).expect("a storage per format");
            assert_eq!(format_of(Some(s.serde), Some(s.input)), *f);
        }
        assert_eq!(
            format_of(Some("org.apache.hadoop.hive.ql.io.orc.OrcSerde"), None),
            "org.apache.hadoop.hive.ql.io.orc.OrcSerde"
        );
        assert_eq!(format_of(None, None), "none");
    }
}
