//! The credential store: the only module that speaks SQL.
//!
//! Handlers ask for domain operations (`Tx`) inside one of four kinds of
//! access: `get` (a short read by key), `read` (a long read that must never
//! hold up a login), `write` (one durable transaction) and `write_staged`
//! (a reservation whose settling write is durable before any answer
//! leaves). Which database answers — the embedded SQLite file or a
//! PostgreSQL shared by a fleet (SPEC §9) — they never know.

#[cfg(test)]
mod conformance;
#[cfg(test)]
mod conformance_accounts;
#[cfg(test)]
mod conformance_mail;
pub mod postgres;
mod rows;
pub mod sqlite;
#[cfg(test)]
pub mod testing;
mod tx;

pub use rows::{AuditQuery, NewAuditEntry, NewCredential, NewMail, UserRow};
pub use tx::Tx;

use std::sync::Arc;

use postgres::PgStore;
use sqlite::SqliteStore;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("cannot open the database {path}: {source}")]
    Open {
        path: String,
        source: rusqlite::Error,
    },
    #[error(
        "the database {path} has schema version {found}, newer than this monban-authd understands ({known}); upgrade monban"
    )]
    TooNew {
        path: String,
        found: i64,
        known: i64,
    },
    #[error("the database worker stopped")]
    WorkerGone,
    #[error("PostgreSQL: {}", with_cause(.0))]
    Postgres(#[from] tokio_postgres::Error),
    #[error("PostgreSQL did not answer in time")]
    Timeout,
    #[error("cannot reach PostgreSQL: {0}")]
    Unreachable(String),
    #[error("[daemon] database: {0}")]
    DatabaseUrl(String),
    #[error(
        "the target store is not empty (table {table} has rows); import only into a new database"
    )]
    NotEmpty { table: String },
    #[error("the SQLite store holds a value of an unexpected type in {table}.{column}")]
    BadValue { table: String, column: String },
    #[error("cannot prepare a mail: {0}")]
    Mail(String),
    #[error("no uid is left in [accounts] uid_min-uid_max ({min}-{max})")]
    UidRangeFull { min: u32, max: u32 },
    #[error("a read-only access tried to write (a bug in monban-authd)")]
    ReadOnly,
    #[error("cannot flush the database journal {path}: {source}")]
    Sync {
        path: String,
        source: std::io::Error,
    },
}

/// tokio-postgres says "error connecting to server" and keeps the why
/// (refused, timed out, a TLS failure) in its source: say both.
fn with_cause(e: &tokio_postgres::Error) -> String {
    match std::error::Error::source(e) {
        Some(cause) => format!("{e}: {cause}"),
        None => e.to_string(),
    }
}

impl StoreError {
    /// Whether waiting may cure it: the server is away or starting, not
    /// refusing (a wrong password, a bad URL, a newer schema).
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Timeout | Self::Unreachable(_) => true,
            Self::Postgres(e) => match e.code() {
                None => e.as_db_error().is_none(),
                Some(code) => [
                    tokio_postgres::error::SqlState::CANNOT_CONNECT_NOW,
                    tokio_postgres::error::SqlState::ADMIN_SHUTDOWN,
                    tokio_postgres::error::SqlState::CRASH_SHUTDOWN,
                ]
                .contains(code),
            },
            _ => false,
        }
    }
}

/// Shared handle used by the async side.
#[derive(Clone)]
pub struct Store {
    backend: Backend,
}

#[derive(Clone)]
enum Backend {
    Sqlite(Arc<SqliteStore>),
    Postgres(Arc<PgStore>),
}

impl Store {
    /// The SQLite store at `path`, created and migrated as needed.
    pub fn open_sqlite(path: &std::path::Path, host: &str) -> Result<Self, StoreError> {
        Ok(Self::from(SqliteStore::open(path, host)?))
    }

    /// The PostgreSQL store at `url` (a libpq URI), migrated as needed.
    pub async fn connect_postgres(
        url: &str,
        password: Option<zeroize::Zeroizing<String>>,
        host: &str,
    ) -> Result<Self, StoreError> {
        Ok(Self::from(PgStore::connect(url, password, host).await?))
    }

    /// A short read by key (a user, a credential, a token row). Never for
    /// scans or anything that may take long: those are `read`'s.
    pub async fn get<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&dyn Tx) -> Result<R, StoreError> + Send + 'static,
    {
        match &self.backend {
            Backend::Sqlite(s) => s.get(f).await,
            Backend::Postgres(s) => s.get(f).await,
        }
    }

    /// A read-only `f` that may be long (audit pages, user lists): it never
    /// keeps a login waiting for the writer.
    pub async fn read<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&dyn Tx) -> Result<R, StoreError> + Send + 'static,
    {
        match &self.backend {
            Backend::Sqlite(s) => s.read(f).await,
            Backend::Postgres(s) => s.read(f).await,
        }
    }

    /// `f` in one transaction, durable when this returns Ok; nothing of it
    /// is kept when `f` fails.
    pub async fn write<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&dyn Tx) -> Result<R, StoreError> + Send + 'static,
    {
        match &self.backend {
            Backend::Sqlite(s) => s.write(f).await,
            Backend::Postgres(s) => s.write(f).await,
        }
    }

    /// Like `write`, for a reservation that a durable write always follows
    /// before any answer leaves: it may survive only a crash of the daemon,
    /// not of the machine, unless `durable` says of its outcome that no
    /// such write follows.
    pub async fn write_staged<R, F>(&self, f: F, durable: fn(&R) -> bool) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&dyn Tx) -> Result<R, StoreError> + Send + 'static,
    {
        match &self.backend {
            Backend::Sqlite(s) => s.write_staged(f, durable).await,
            Backend::Postgres(s) => s.write(f).await,
        }
    }
}

impl Store {
    /// `--import-sqlite`: the single-host store at `source` into this
    /// (empty) PostgreSQL store. Returns (table, rows) copied.
    pub async fn import_sqlite(
        &self,
        source: &std::path::Path,
    ) -> Result<Vec<(&'static str, u64)>, StoreError> {
        match &self.backend {
            Backend::Postgres(pg) => pg.import_sqlite(source).await,
            Backend::Sqlite(_) => Err(StoreError::DatabaseUrl(
                "the import target must be a postgresql:// database".into(),
            )),
        }
    }
}

impl From<SqliteStore> for Store {
    fn from(s: SqliteStore) -> Self {
        Self {
            backend: Backend::Sqlite(Arc::new(s)),
        }
    }
}

impl From<PgStore> for Store {
    fn from(s: PgStore) -> Self {
        Self {
            backend: Backend::Postgres(Arc::new(s)),
        }
    }
}
