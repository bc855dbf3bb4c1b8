//! Stores for tests: SQLite in memory, and a new schema of the PostgreSQL
//! named by `MONBAN_TEST_POSTGRES` (a URL; its password in the file
//! `MONBAN_TEST_POSTGRES_PASSWORD_FILE`), which `.ci/run` starts
//! (tests/pg/cluster). Without that variable the PostgreSQL half of a test
//! says it was skipped — and fails in CI, where it must run.

use std::sync::atomic::{AtomicU32, Ordering};

use zeroize::Zeroizing;

use super::postgres::Settings;
use super::sqlite::{SqliteStore, memory_db};
use super::{Store, StoreError};

pub fn sqlite(host: &str) -> Store {
    Store::from(SqliteStore::single(memory_db(), host))
}

/// A SQLite file store as the daemon opens it (separate read-only
/// connections); the directory lives as long as the returned guard.
pub fn sqlite_file(host: &str) -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_sqlite(&dir.path().join("monban.db"), host).unwrap();
    (store, dir)
}

fn postgres_env() -> Option<(String, Option<Zeroizing<String>>)> {
    let Ok(url) = std::env::var("MONBAN_TEST_POSTGRES") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI runs every store test on PostgreSQL too: set MONBAN_TEST_POSTGRES (.ci/run does)"
        );
        eprintln!("PostgreSQL half skipped: MONBAN_TEST_POSTGRES is not set");
        return None;
    };
    let password = std::env::var("MONBAN_TEST_POSTGRES_PASSWORD_FILE")
        .ok()
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("read the test password file");
            Zeroizing::new(text.lines().next().unwrap_or("").to_string())
        });
    Some((url, password))
}

/// The URL (and password) of a new, empty schema; None without PostgreSQL.
pub async fn postgres_schema() -> Option<(String, Option<Zeroizing<String>>)> {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let (url, password) = postgres_env()?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let schema = format!(
        "t{}_{}_{nanos}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    );
    let settings = Settings::parse(&url, password.as_deref().map(String::as_str)).unwrap();
    let (client, conn) = settings
        .config
        .connect(tokio_postgres::NoTls)
        .await
        .expect("connect to MONBAN_TEST_POSTGRES");
    let conn = tokio::spawn(conn);
    client
        .batch_execute(&format!("CREATE SCHEMA {schema}"))
        .await
        .unwrap();
    drop(client);
    let _ = conn.await;
    let sep = if url.contains('?') { '&' } else { '?' };
    Some((
        format!("{url}{sep}options=-csearch_path%3D{schema}"),
        password,
    ))
}

/// A store on a new schema; None without PostgreSQL.
pub async fn postgres(host: &str) -> Option<Store> {
    let (url, password) = postgres_schema().await?;
    Some(connect(&url, password, host).await.unwrap())
}

pub async fn connect(
    url: &str,
    password: Option<Zeroizing<String>>,
    host: &str,
) -> Result<Store, StoreError> {
    Store::connect_postgres(url, password, host).await
}

/// Two hosts on one store, for races between hosts: the SQLite file (one
/// store, shared) and two daemons' connections to a new PostgreSQL schema.
/// The directory holds the file for as long as it lives.
pub async fn two_hosts() -> (Vec<(&'static str, (Store, Store))>, tempfile::TempDir) {
    let (file, dir) = sqlite_file("a");
    let mut pairs = vec![("sqlite", (file.clone(), file))];
    if let Some((url, password)) = postgres_schema().await {
        let a = connect(&url, password.clone(), "a").await.unwrap();
        let b = connect(&url, password, "b").await.unwrap();
        pairs.push(("postgres", (a, b)));
    }
    (pairs, dir)
}

/// Every backend this run can test, each on a new, empty store.
pub async fn every_backend(host: &str) -> Vec<(&'static str, Store, Option<tempfile::TempDir>)> {
    let (file, dir) = sqlite_file(host);
    let mut all = vec![("sqlite", file, Some(dir))];
    if let Some(pg) = postgres(host).await {
        all.push(("postgres", pg, None));
    }
    all
}
