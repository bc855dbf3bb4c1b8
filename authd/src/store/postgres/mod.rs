//! The fleet store: one PostgreSQL database shared by every host's daemon
//! (SPEC §9).
//!
//! Atomicity across hosts comes from the database: a write access is one
//! transaction; a failure counter is read under the user's row lock
//! (`SELECT … FOR UPDATE`), which every writer of that user's counters
//! takes, so hosts cannot lose each other's counts; an OTP step is claimed
//! by one conditional `UPDATE`. Every access has a deadline: an
//! unreachable server makes the access fail (and the login
//! `PAM_AUTHINFO_UNAVAIL`) in seconds, and a connection that failed is
//! dropped, so the pool reconnects — to whichever host of a multi-host URL
//! now accepts writes.

mod audit;
pub mod import;
mod mail;
mod migrations;
mod tls;
mod tx;

use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod, Runtime};
use tokio::runtime::Handle;
use tokio::time::Instant;
use zeroize::Zeroizing;

use super::{StoreError, Tx};
pub use tls::SslMode;
use tx::PgTx;

/// Connections one daemon keeps; PostgreSQL's default `max_connections`
/// (100) then serves several hosts.
const POOL_SIZE: usize = 16;
/// One attempt to connect to one host of the URL.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// A point read or a write, from asking the pool to the commit: well
/// inside the 5 s within which a login must hear "unavailable".
const SHORT_ACCESS: Duration = Duration::from_secs(3);
/// A long read (audit pages, user lists).
const LONG_ACCESS: Duration = Duration::from_secs(30);

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Get,
    Read,
    Write,
}

pub struct PgStore {
    pool: Pool,
    host: Arc<str>,
}

/// What a `postgresql://` URL and the password file configure.
pub struct Settings {
    pub config: tokio_postgres::Config,
    pub ssl_mode: SslMode,
    pub root_cert: Option<std::path::PathBuf>,
}

impl Settings {
    /// Parses a libpq URI. tokio-postgres parses everything but the TLS
    /// parameters, whose libpq meanings it does not have; a password in
    /// the URL is refused: monban.toml is readable by every local user.
    pub fn parse(url: &str, password: Option<&str>) -> Result<Self, StoreError> {
        let (base, query) = url.split_once('?').unwrap_or((url, ""));
        let mut ssl_mode = SslMode::Prefer;
        let mut root_cert = None;
        let mut rest = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let decoded = percent_encoding::percent_decode_str(value)
                .decode_utf8()
                .map_err(|_| StoreError::DatabaseUrl(format!("{key}: not UTF-8")))?;
            match key {
                "sslmode" => ssl_mode = SslMode::parse(&decoded)?,
                "sslrootcert" => root_cert = Some(std::path::PathBuf::from(decoded.as_ref())),
                _ => rest.push(pair),
            }
        }
        let remaining = if rest.is_empty() {
            base.to_string()
        } else {
            format!("{base}?{}", rest.join("&"))
        };
        let mut config: tokio_postgres::Config = remaining
            .parse()
            .map_err(|e| StoreError::DatabaseUrl(format!("{e}")))?;
        if config.get_password().is_some() {
            return Err(StoreError::DatabaseUrl(
                "the URL holds a password, which every local user can read in monban.toml; put it in [daemon] database_password_file instead".into(),
            ));
        }
        if let Some(password) = password {
            config.password(password);
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("monban-authd");
        }
        config.ssl_mode(ssl_mode.negotiation());
        config.keepalives(true);
        config.keepalives_idle(Duration::from_secs(30));
        Ok(Self {
            config,
            ssl_mode,
            root_cert,
        })
    }
}

impl PgStore {
    /// Connects, migrates the schema and returns the store. `url` names
    /// the database in messages (it holds no password).
    pub async fn connect(
        url: &str,
        password: Option<Zeroizing<String>>,
        host: &str,
    ) -> Result<Self, StoreError> {
        let settings = Settings::parse(url, password.as_deref().map(String::as_str))?;
        if settings.ssl_mode != SslMode::Disable
            && !settings
                .ssl_mode
                .authenticates(settings.root_cert.as_deref())
        {
            tracing::info!(
                "sslmode={:?} does not authenticate the PostgreSQL server; use verify-full (with sslrootcert) across a network you do not control",
                settings.ssl_mode
            );
        }
        let tls = tokio_postgres_rustls::MakeRustlsConnect::new(tls::client_config(
            settings.ssl_mode,
            settings.root_cert.as_ref(),
        )?);
        let manager = Manager::from_config(
            settings.config,
            tls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(SHORT_ACCESS))
            .create_timeout(Some(SHORT_ACCESS))
            .recycle_timeout(Some(SHORT_ACCESS))
            .build()
            .map_err(|e| StoreError::Unreachable(e.to_string()))?;
        let client = pool.get().await.map_err(pool_error)?;
        migrations::apply(&client, url).await?;
        drop(client);
        Ok(Self {
            pool,
            host: host.into(),
        })
    }

    pub async fn get<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&dyn Tx) -> Result<R, StoreError> + Send + 'static,
    {
        self.access(Mode::Get, SHORT_ACCESS, f).await
    }

    /// A long read in one read-only snapshot.
    pub async fn read<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&dyn Tx) -> Result<R, StoreError> + Send + 'static,
    {
        self.access(Mode::Read, LONG_ACCESS, f).await
    }

    /// One transaction, durable at COMMIT (`synchronous_commit` as the
    /// server has it: on by default). A staged write is the same here: a
    /// reservation another host must see cannot wait in a local journal.
    pub async fn write<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&dyn Tx) -> Result<R, StoreError> + Send + 'static,
    {
        self.access(Mode::Write, SHORT_ACCESS, f).await
    }

    async fn access<R, F>(&self, mode: Mode, budget: Duration, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&dyn Tx) -> Result<R, StoreError> + Send + 'static,
    {
        let deadline = Instant::now() + budget;
        let client = match tokio::time::timeout_at(deadline, self.pool.get()).await {
            Ok(Ok(client)) => client,
            Ok(Err(e)) => return Err(pool_error(e)),
            Err(_) => return Err(StoreError::Timeout),
        };
        let mut lease = Lease(Some(client));
        let rt = Handle::current();
        let host = Arc::clone(&self.host);
        tokio::task::spawn_blocking(move || {
            let Some(client) = lease.0.as_ref() else {
                return Err(StoreError::WorkerGone);
            };
            let tx = PgTx::new(client, &rt, deadline, &host, mode == Mode::Write);
            let out = in_mode(&tx, mode, f);
            if !tx.broken() {
                lease.release();
            }
            out
        })
        .await
        .map_err(|_| StoreError::WorkerGone)?
    }
}

fn pool_error(e: deadpool_postgres::PoolError) -> StoreError {
    match e {
        deadpool_postgres::PoolError::Backend(e) => StoreError::Postgres(e),
        deadpool_postgres::PoolError::Timeout(_) => StoreError::Timeout,
        other => StoreError::Unreachable(other.to_string()),
    }
}

fn in_mode<R>(
    tx: &PgTx<'_>,
    mode: Mode,
    f: impl FnOnce(&dyn Tx) -> Result<R, StoreError>,
) -> Result<R, StoreError> {
    let begin = match mode {
        Mode::Get => return f(tx),
        Mode::Read => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        Mode::Write => "BEGIN",
    };
    tx.batch(begin)?;
    match f(tx) {
        Ok(out) => {
            tx.batch("COMMIT")?;
            Ok(out)
        }
        Err(e) => {
            // A failed ROLLBACK leaves the connection broken (see `run`).
            let _ = tx.batch("ROLLBACK");
            Err(e)
        }
    }
}

/// A pooled connection that goes back to the pool only when released:
/// one whose access timed out, lost its server or panicked (maybe inside
/// an open transaction) is closed instead.
struct Lease(Option<Object>);

impl Lease {
    fn release(&mut self) {
        drop(self.0.take());
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        if let Some(client) = self.0.take() {
            drop(Object::take(client));
        }
    }
}
