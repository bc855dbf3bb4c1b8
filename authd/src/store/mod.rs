//! The credential store: the only module that speaks SQL.
//!
//! One SQLite connection behind a mutex, used from blocking tasks: every
//! write is serialised, so a failure count read-modify-write cannot lose an
//! update however many attempts arrive at once. Audit reads (`log`, the
//! history parts of `status`, `user list`) use a second, read-only
//! connection: under WAL they see a committed snapshot and never hold the
//! writer a login needs.

pub mod audit;
mod migrations;
pub mod otp;
pub mod users;

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

pub use audit::NewAuditEntry;
pub use users::UserRow;

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
}

/// Synchronous access to the database; handed to closures run by `Store::run`.
pub struct Db {
    conn: Connection,
}

impl Db {
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let open_err = |source| StoreError::Open {
            path: path.display().to_string(),
            source,
        };
        let conn = Connection::open(path).map_err(open_err)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(open_err)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(open_err)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(open_err)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(open_err)?;
        let mut db = Self { conn };
        migrations::apply(&mut db.conn, path)?;
        Ok(db)
    }

    /// A read-only connection to the same file (open the writer first: it
    /// creates and migrates the schema).
    pub fn open_reader(path: &Path) -> Result<Self, StoreError> {
        let open_err = |source| StoreError::Open {
            path: path.display().to_string(),
            source,
        };
        let conn = Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(open_err)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(open_err)?;
        Ok(Self { conn })
    }

    /// Runs `f` in an immediate transaction: the write lock is taken at the
    /// start, and the changes are durable when this returns Ok.
    pub fn write<R>(
        &mut self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    pub fn meta(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    pub fn set_meta(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            rusqlite::params![key, value],
        )?;
        Ok(())
    }
}

/// Shared handle used by the async side.
#[derive(Clone)]
pub struct Store {
    db: Arc<Mutex<Db>>,
    reader: Arc<Mutex<Db>>,
}

impl Store {
    /// One connection for everything (tests on an in-memory database).
    #[cfg(test)]
    pub fn new(db: Db) -> Self {
        let db = Arc::new(Mutex::new(db));
        Self {
            reader: Arc::clone(&db),
            db,
        }
    }

    /// The writer and a separate reader for audit reads.
    pub fn with_reader(db: Db, reader: Db) -> Self {
        Self {
            db: Arc::new(Mutex::new(db)),
            reader: Arc::new(Mutex::new(reader)),
        }
    }

    /// Runs `f` on a blocking thread with the connection locked.
    pub async fn run<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&mut Db) -> Result<R, StoreError> + Send + 'static,
    {
        Self::on(Arc::clone(&self.db), f).await
    }

    /// Runs a read-only `f` on the reader: for audit reads, which may be
    /// long and must never keep a login waiting for the writer.
    pub async fn read<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&Db) -> Result<R, StoreError> + Send + 'static,
    {
        Self::on(Arc::clone(&self.reader), move |db| f(db)).await
    }

    async fn on<R, F>(db: Arc<Mutex<Db>>, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&mut Db) -> Result<R, StoreError> + Send + 'static,
    {
        tokio::task::spawn_blocking(move || {
            // A panic while holding the lock poisons it; the data itself is
            // protected by SQLite transactions, so carry on.
            let mut guard = db.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            f(&mut guard)
        })
        .await
        .map_err(|_| StoreError::WorkerGone)?
    }
}

#[cfg(test)]
pub(crate) fn memory_db() -> Db {
    let mut conn = Connection::open_in_memory().unwrap();
    conn.pragma_update(None, "foreign_keys", "ON").unwrap();
    migrations::apply(&mut conn, Path::new(":memory:")).unwrap();
    Db { conn }
}
