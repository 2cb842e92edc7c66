//! What a delete of a database or a table would lose, counted against the emulator.

use aws_sdk_glue::Client;
use aws_sdk_glue::types::{Column, DatabaseInput, PartitionInput, StorageDescriptor, TableInput};
use lakectl_core::{Contents, Provider};
use lakectl_provider::testkit::{emulator, unique};
use lakectl_provider_glue::{DatabaseProvider, TableProvider};

#[tokio::test]
async fn a_database_counts_its_tables_and_a_table_its_partitions() {
    let emu = emulator("lakectl-provider-glue").await;
    let raw = Client::new(&emu.config);
    let databases = DatabaseProvider::new(&emu.config, &emu.account);
    let tables = TableProvider::new(&emu.config, &emu.account);
    let db = unique("lakectl_test_contents").replace('-', "_");
    let table = format!("{db}.events");

    assert_eq!(
        databases.contents(&db).await.expect("count"),
        Contents::Empty
    );
    raw.create_database()
        .database_input(DatabaseInput::builder().name(&db).build().expect("input"))
        .send()
        .await
        .expect("database");
    assert_eq!(
        databases.contents(&db).await.expect("count"),
        Contents::Empty
    );
    assert_eq!(
        tables.contents(&table).await.expect("count"),
        Contents::Empty
    );

    let day = Column::builder()
        .name("day")
        .r#type("string")
        .build()
        .expect("column");
    raw.create_table()
        .database_name(&db)
        .table_input(
            TableInput::builder()
                .name("events")
                .partition_keys(day)
                .build()
                .expect("input"),
        )
        .send()
        .await
        .expect("table");
    let tables_held = databases.contents(&db).await.expect("count");
    assert_eq!(tables_held.describe().as_deref(), Some("1 table"));
    assert_eq!(
        tables.contents(&table).await.expect("count"),
        Contents::Empty
    );

    let location = StorageDescriptor::builder()
        .location("s3://lakectl-test-lake/analytics/events/day=2026-12-03/")
        .build();
    raw.batch_create_partition()
        .database_name(&db)
        .table_name("events")
        .partition_input_list(
            PartitionInput::builder()
                .values("2026-12-03")
                .storage_descriptor(location)
                .build(),
        )
        .send()
        .await
        .expect("partition");
    let partitions = tables.contents(&table).await.expect("count");
    assert_eq!(partitions.describe().as_deref(), Some("1 partition"));

    raw.delete_database()
        .name(&db)
        .send()
        .await
        .expect("cleanup");
}
