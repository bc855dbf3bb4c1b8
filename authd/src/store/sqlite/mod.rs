//! The embedded store: one SQLite file.
//!
//! One writer connection behind a mutex, used from blocking tasks: every
//! write is serialised (`BEGIN IMMEDIATE`), so a failure count
//! read-modify-write cannot lose an update however many attempts arrive at
//! once. Audit reads (`log`, the history parts of `status`, `user list`)
//! use a second, read-only connection: under WAL they see a committed
//! snapshot and never hold the writer a login needs. Point reads (a user's
//! row, a credential) use a few more read-only connections right on the
//! async worker: a lookup by key from the page cache costs less than the
//! two thread hops of the blocking pool, and a read-only connection cannot
//! write by mistake.

pub(crate) mod audit;
mod mail;
mod migrations;
pub(crate) mod otp;
mod tx;
pub(crate) mod users;

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, TransactionBehavior};

use super::{StoreError, Tx};
pub use tx::SqliteTx;

/// Statements are prepared once per connection and kept: every query of
/// the store fits, so a login parses no SQL.
const STATEMENT_CACHE: usize = 64;

/// Synchronous access to the database; handed to closures run by `Store::run`.
pub struct Db {
    conn: Connection,
    /// The database file, for its write-ahead log (None in memory).
    path: Option<std::path::PathBuf>,
    /// The write-ahead log, opened on the first `sync_wal`.
    wal: Option<std::fs::File>,
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
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(open_err)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(open_err)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(open_err)?;
        let mut db = Self {
            conn,
            path: Some(path.to_path_buf()),
            wal: None,
        };
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
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(Self {
            conn,
            path: None,
            wal: None,
        })
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

    /// Like `write`, but the commit reaches the write-ahead log without
    /// waiting for the disk: it survives a crash of the daemon, not of the
    /// machine, until the next durable commit or `sync_wal`, which make
    /// every earlier commit durable too. For a reservation whose settling
    /// commit (durable) always comes before the answer leaves.
    pub fn write_staged<R>(
        &mut self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        let out = self.write(f);
        let restored = self.conn.pragma_update(None, "synchronous", "FULL");
        let out = out?;
        restored?;
        Ok(out)
    }

    /// Makes every commit so far durable: what a `FULL` commit does, for
    /// when a staged commit is followed by no other before an answer.
    pub fn sync_wal(&mut self) -> Result<(), StoreError> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let mut wal_path = path.clone().into_os_string();
        wal_path.push("-wal");
        let sync_err = |source| StoreError::Sync {
            path: std::path::Path::new(&wal_path).display().to_string(),
            source,
        };
        if self.wal.is_none() {
            self.wal = Some(std::fs::File::open(&wal_path).map_err(sync_err)?);
        }
        if let Some(wal) = &self.wal {
            wal.sync_data().map_err(sync_err)?;
        }
        Ok(())
    }
}

/// Read-only connections for point reads: one per async worker is enough
/// that they rarely wait for each other.
pub const POINT_READERS: usize = 2;

pub struct SqliteStore {
    db: Arc<Mutex<Db>>,
    reader: Arc<Mutex<Db>>,
    points: Vec<Arc<Mutex<Db>>>,
    host: Arc<str>,
}

impl SqliteStore {
    /// One connection for everything (tests on an in-memory database).
    #[cfg(test)]
    pub fn single(db: Db, host: &str) -> Self {
        let db = Arc::new(Mutex::new(db));
        Self {
            reader: Arc::clone(&db),
            points: vec![Arc::clone(&db)],
            db,
            host: host.into(),
        }
    }

    /// The writer, a reader for audit reads and the point readers, all on
    /// the database at `path` (the writer opened first: it migrates).
    pub fn open(path: &Path, host: &str) -> Result<Self, StoreError> {
        let db = Db::open(path)?;
        let reader = Db::open_reader(path)?;
        let points = (0..POINT_READERS)
            .map(|_| Db::open_reader(path).map(|d| Arc::new(Mutex::new(d))))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            db: Arc::new(Mutex::new(db)),
            reader: Arc::new(Mutex::new(reader)),
            points,
            host: host.into(),
        })
    }

    /// A short read by key: on the calling worker when a point reader is
    /// free, else on the blocking pool.
    pub async fn get<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&dyn Tx) -> Result<R, StoreError> + Send + 'static,
    {
        for point in &self.points {
            match point.try_lock() {
                Ok(guard) => return f(&SqliteTx::new(&guard.conn, &self.host)),
                Err(std::sync::TryLockError::Poisoned(p)) => {
                    return f(&SqliteTx::new(&p.into_inner().conn, &self.host));
                }
                Err(std::sync::TryLockError::WouldBlock) => {}
            }
        }
        self.read_on(&self.points[0], f).await
    }

    /// A read that may take long, on the reader.
    pub async fn read<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&dyn Tx) -> Result<R, StoreError> + Send + 'static,
    {
        self.read_on(&self.reader, f).await
    }

    /// `f` against `db`, outside any transaction, on the blocking pool.
    async fn read_on<R, F>(&self, db: &Arc<Mutex<Db>>, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&dyn Tx) -> Result<R, StoreError> + Send + 'static,
    {
        let host = Arc::clone(&self.host);
        on(Arc::clone(db), move |db| f(&SqliteTx::new(&db.conn, &host))).await
    }

    /// `f` in one durable write transaction.
    pub async fn write<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&dyn Tx) -> Result<R, StoreError> + Send + 'static,
    {
        let host = Arc::clone(&self.host);
        on(Arc::clone(&self.db), move |db| {
            db.write(|tx| f(&SqliteTx::new(tx, &host)))
        })
        .await
    }

    /// `f` in one write transaction that reaches the write-ahead log
    /// without waiting for the disk, made durable at once when `durable`
    /// says so of its outcome (see `Db::write_staged`).
    pub async fn write_staged<R, F>(&self, f: F, durable: fn(&R) -> bool) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&dyn Tx) -> Result<R, StoreError> + Send + 'static,
    {
        let host = Arc::clone(&self.host);
        on(Arc::clone(&self.db), move |db| {
            let out = db.write_staged(|tx| f(&SqliteTx::new(tx, &host)))?;
            if durable(&out) {
                db.sync_wal()?;
            }
            Ok(out)
        })
        .await
    }
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

/// A migrated in-memory database (tests).
#[cfg(test)]
pub(crate) fn memory_db() -> Db {
    let mut conn = Connection::open_in_memory().unwrap();
    conn.pragma_update(None, "foreign_keys", "ON").unwrap();
    migrations::apply(&mut conn, Path::new(":memory:")).unwrap();
    Db {
        conn,
        path: None,
        wal: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn synchronous(db: &Db) -> i64 {
        db.conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn a_staged_write_commits_and_leaves_later_commits_durable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("monban.db");
        let mut db = Db::open(&path).unwrap();
        const FULL: i64 = 2;
        assert_eq!(synchronous(&db), FULL);
        db.write_staged(|tx| {
            Ok(tx.execute("INSERT INTO meta (key, value) VALUES ('k', x'01')", [])?)
        })
        .unwrap();
        assert_eq!(synchronous(&db), FULL, "restored after the commit");
        let failed: Result<(), _> = db.write_staged(|_| Err(StoreError::WorkerGone));
        assert!(failed.is_err());
        assert_eq!(synchronous(&db), FULL, "restored after a failed write too");
        db.sync_wal().unwrap();
        // Committed: another connection sees it.
        let other = Db::open_reader(&path).unwrap();
        let tx = SqliteTx::new(&other.conn, "h");
        assert_eq!(tx.meta("k").unwrap(), Some(vec![1]));
    }

    #[test]
    fn point_reads_see_what_the_writer_committed() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("monban.db"), "h").unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(store.write(|tx| tx.set_meta("seen", b"yes")))
            .unwrap();
        let got = rt.block_on(store.get(|tx| tx.meta("seen"))).unwrap();
        assert_eq!(got.as_deref(), Some(&b"yes"[..]));
        // A point reader cannot write.
        let wrote = rt.block_on(store.get(|tx| tx.set_meta("x", b"1")));
        assert!(wrote.is_err());
    }
}
