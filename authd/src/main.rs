//! monban-authd: judges every password and one-time password for the PAM
//! module and the CLI, and owns the credential store.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::unreachable
    )
)]

mod audit;
mod authz;
mod clock;
mod handlers;
mod inflight;
mod mail;
mod peer;
mod peer_proc;
mod ratelimit;
mod recent;
mod secretbox;
mod server;
mod sessions;
mod store;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use monban_authd::{crypt, hashing, lanes, rules};
use monban_config::{Config, Database};

use crate::secretbox::{KeyError, SecretBox};
use crate::store::{Store, Tx};

/// The credential daemon behind pam_monban and the monban CLI.
#[derive(Parser)]
#[command(name = "monban-authd", version)]
struct Args {
    /// Configuration file [env: MONBAN_CONFIG; default /etc/monban/monban.toml].
    #[arg(long, value_name = "PATH")]
    config: Option<PathBuf>,
    /// Check the configuration and exit (0: valid).
    #[arg(long)]
    check_config: bool,
    /// Create the secret key file if missing, then exit (package scripts).
    #[arg(long)]
    init_key: bool,
    /// With --init-key: the account that will own the key file.
    #[arg(long, value_name = "USER", requires = "init_key")]
    key_owner: Option<String>,
    /// Copy the single-host SQLite store at PATH into the PostgreSQL store
    /// of [daemon] database, which must be empty, then exit.
    #[arg(long, value_name = "PATH")]
    import_sqlite: Option<PathBuf>,
}

/// How long a starting daemon waits for an unreachable PostgreSQL.
const STARTUP_PATIENCE: std::time::Duration = std::time::Duration::from_secs(60);

/// The meta key holding a value only the right secret key reproduces.
const KEY_CHECK: &str = "secret_key_check";

fn main() -> ExitCode {
    // Before anything reads a key or a password.
    keep_memory_private();
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("MONBAN_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let path = args
        .config
        .clone()
        .or_else(|| std::env::var_os("MONBAN_CONFIG").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from(monban_config::DEFAULT_PATH));
    let config = match Config::load(&path) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("monban-authd: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    if args.check_config {
        println!("{}: configuration is valid", path.display());
        return ExitCode::SUCCESS;
    }
    if args.init_key {
        return match init_key(&config.daemon.secret_key, args.key_owner.as_deref()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("monban-authd: {e}");
                ExitCode::FAILURE
            }
        };
    }
    if let Some(source) = &args.import_sqlite {
        return match import_sqlite(&config, source) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("monban-authd: {e}");
                ExitCode::FAILURE
            }
        };
    }
    match run(config) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("monban-authd: {e}");
            tracing::error!("{e}");
            ExitCode::FAILURE
        }
    }
}

/// No core file and no ptrace or /proc/PID/mem by the same uid, however the
/// daemon was started (systemd's LimitCORE= covers only the packaged unit):
/// its memory holds passwords being verified and the TOTP key.
fn keep_memory_private() {
    use nix::sys::resource::{Resource, setrlimit};
    if let Err(e) = setrlimit(Resource::RLIMIT_CORE, 0, 0) {
        eprintln!("monban-authd: warning: cannot turn core dumps off: {e}");
    }
    if let Err(e) = nix::sys::prctl::set_dumpable(false) {
        eprintln!("monban-authd: warning: cannot make the process non-dumpable: {e}");
    }
}

fn init_key(path: &Path, owner: Option<&str>) -> Result<(), String> {
    let (_, created) = SecretBox::load_or_create(path).map_err(|e| e.to_string())?;
    if let Some(owner) = owner {
        let user = nix::unistd::User::from_name(owner)
            .map_err(|e| format!("cannot look up {owner}: {e}"))?
            .ok_or_else(|| format!("no such user: {owner}"))?;
        nix::unistd::chown(path, Some(user.uid), Some(user.gid))
            .map_err(|e| format!("cannot give {} to {owner}: {e}", path.display()))?;
    }
    if created {
        println!("created {}", path.display());
    }
    Ok(())
}

/// Loads the key, or creates it on the very first start. A database that
/// already holds sealed secrets is never given a new key silently.
fn open_keys(db: &dyn Tx, path: &Path, database: &str) -> Result<SecretBox, String> {
    let check = db.meta(KEY_CHECK).map_err(|e| e.to_string())?;
    let keys = match (SecretBox::load(path), &check) {
        (Ok(keys), _) => keys,
        (Err(KeyError::Missing { .. }), None) => {
            let keys = SecretBox::create(path).map_err(|e| e.to_string())?;
            tracing::info!("created the secret key {}", path.display());
            keys
        }
        (Err(KeyError::Missing { .. }), Some(_)) => {
            return Err(format!(
                "the secret key {} is missing, but {} holds secrets sealed with it; restore the key from your backup, or on a new host of a fleet copy it from a host that uses this store (a new key would make every enrolled one-time password unreadable)",
                path.display(),
                database
            ));
        }
        (Err(e), _) => return Err(e.to_string()),
    };
    match check {
        Some(stored) if !keys.verify_check_value(&stored) => Err(format!(
            "the secret key {} does not belong to the database {}; restore the right key (on a fleet: the one the other hosts use)",
            path.display(),
            database
        )),
        Some(_) => Ok(keys),
        None => {
            db.set_meta(KEY_CHECK, &keys.check_value())
                .map_err(|e| e.to_string())?;
            Ok(keys)
        }
    }
}

/// The configured store: the SQLite file (created on first start) or the
/// fleet's PostgreSQL database (SPEC §9).
async fn open_store(d: &monban_config::DaemonConfig, host: &str) -> Result<Store, String> {
    match &d.database {
        Database::Sqlite(path) => {
            let fresh = !path.exists();
            let store = Store::open_sqlite(path, host).map_err(|e| e.to_string())?;
            if fresh {
                tracing::warn!(
                    "created a new, empty credential store at {}; if you expected an existing one, check [daemon] database",
                    path.display()
                );
            }
            Ok(store)
        }
        Database::Postgres(url) => {
            let password = match &d.database_password_file {
                Some(path) => Some(read_password_file(path)?),
                None => None,
            };
            // A host booting while the database is away waits a while
            // rather than burn through systemd's restart limit.
            let give_up = std::time::Instant::now() + STARTUP_PATIENCE;
            let store = loop {
                match Store::connect_postgres(url, password.clone(), host).await {
                    Ok(store) => break store,
                    Err(e) if e.is_transient() && std::time::Instant::now() < give_up => {
                        tracing::warn!("{e}; trying again in 2 s");
                        tokio::time::sleep(std::time::Duration::from_secs(2)).await;
                    }
                    Err(e) => return Err(e.to_string()),
                }
            };
            tracing::info!("using the PostgreSQL store {url} as host {host}");
            Ok(store)
        }
    }
}

/// The first line of `path`, as libpq's password files hold it.
fn read_password_file(path: &Path) -> Result<zeroize::Zeroizing<String>, String> {
    let text = zeroize::Zeroizing::new(std::fs::read_to_string(path).map_err(|e| {
        format!(
            "cannot read [daemon] database_password_file {}: {e}",
            path.display()
        )
    })?);
    let line = text.lines().next().unwrap_or("");
    if line.is_empty() {
        return Err(format!(
            "[daemon] database_password_file {} is empty",
            path.display()
        ));
    }
    Ok(zeroize::Zeroizing::new(line.to_string()))
}

/// `--import-sqlite`: refuses before copying anything when the key file
/// is not the one the source's secrets are sealed with.
fn import_sqlite(config: &Config, source: &Path) -> Result<(), String> {
    let d = &config.daemon;
    let Database::Postgres(_) = &d.database else {
        return Err(format!(
            "--import-sqlite copies into a PostgreSQL store, but [daemon] database is the file {}; set it to the postgresql:// URL first",
            d.database
        ));
    };
    if !source.exists() {
        return Err(format!("{}: no such file", source.display()));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    let host = host_name(&d.host_name);
    let sqlite = Store::open_sqlite(source, &host).map_err(|e| e.to_string())?;
    let (key_path, name) = (d.secret_key.clone(), source.display().to_string());
    runtime
        .block_on(sqlite.write(move |tx| Ok(open_keys(tx, &key_path, &name))))
        .map_err(|e| e.to_string())??;
    drop(sqlite);
    let store = runtime.block_on(open_store(d, &host))?;
    let copied = runtime
        .block_on(store.import_sqlite(source))
        .map_err(|e| e.to_string())?;
    for (table, rows) in copied {
        println!("{table}: {rows}");
    }
    println!("imported {} into {}", source.display(), d.database);
    Ok(())
}

fn run(config: Config) -> Result<(), String> {
    // The database, its journal and the key hold hashes and secrets: no
    // file the daemon creates is readable by others, whatever the caller's
    // umask (the socket is opened up explicitly).
    nix::sys::stat::umask(nix::sys::stat::Mode::from_bits_truncate(0o077));
    let d = &config.daemon;
    let host = host_name(&d.host_name);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    let store = runtime.block_on(open_store(d, &host))?;
    warn_missing_groups(&config);
    let hasher = hashing::Hasher::new(&config.argon2, d.hash_workers).map_err(|e| e.to_string())?;
    let (key_path, database) = (d.secret_key.clone(), d.database.to_string());
    let keys = runtime
        .block_on(store.write(move |tx| Ok(open_keys(tx, &key_path, &database))))
        .map_err(|e| e.to_string())??;
    runtime.block_on(async move {
        // Before the socket exists: a client that sees it may stop the
        // daemon at once, and SIGTERM must then be a clean stop, not death.
        let stop = shutdown_signal();
        let listener = server::bind(&config.daemon.socket)
            .map_err(|e| format!("cannot listen on {}: {e}", config.daemon.socket.display()))?;
        let limits = server::Limits {
            max_connections: config.daemon.max_connections,
            max_per_user: config.daemon.max_connections_per_user,
            idle_timeout: config.daemon.idle_timeout.as_duration(),
        };
        let socket = config.daemon.socket.clone();
        let rate = ratelimit::Rate {
            per_minute: config.audit.rate,
            burst: config.audit.burst,
        };
        let cfg = Arc::new(config);
        let keys = Arc::new(keys);
        let syslog = Arc::new(audit::Syslog::connect());
        let clock: Arc<dyn clock::Clock> = Arc::new(clock::SystemClock);
        let catalogs = Arc::new(monban_proto::Catalogs::default());
        let mailer = mail::Mailer::new(
            cfg.clone(),
            store.clone(),
            keys.clone(),
            catalogs.clone(),
            clock.clone(),
            syslog.clone(),
        );
        tokio::spawn(mailer.clone().run());
        let daemon = Arc::new(handlers::Daemon {
            cfg,
            store,
            hasher,
            keys,
            syslog,
            clock,
            limiter: Arc::new(ratelimit::Limiter::new(rate)),
            in_flight: Arc::default(),
            recent: Arc::default(),
            catalogs,
            mailer,
            sessions: Arc::default(),
        });
        if daemon.cfg.session.enabled() {
            tokio::spawn(Arc::clone(&daemon).watch_sessions());
        }
        tracing::info!("listening on {}", socket.display());
        let _ = sd_notify::notify(false, &[sd_notify::NotifyState::Ready]);
        if let Some(keep) = daemon.cfg.audit.keep.secs() {
            tokio::spawn(prune_audit(Arc::clone(&daemon), keep));
        }
        server::serve(daemon, listener, limits, stop).await;
        let _ = std::fs::remove_file(&socket);
        tracing::info!("stopped");
        Ok(())
    })
}

/// Deletes audit entries past `[audit] keep`, at start and hourly, in
/// small batches so a login never waits long for the writer.
async fn prune_audit(daemon: Arc<handlers::Daemon>, keep: i64) {
    const BATCH: u32 = 500;
    let mut hourly = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        hourly.tick().await;
        let before = daemon.now().saturating_sub(keep);
        let mut total = 0usize;
        loop {
            match daemon
                .store
                .write(move |tx| tx.prune_audit(before, BATCH))
                .await
            {
                Ok(n) => {
                    total += n;
                    if n < BATCH as usize {
                        break;
                    }
                    tokio::task::yield_now().await;
                }
                Err(e) => {
                    tracing::warn!("pruning the audit trail: {e}");
                    break;
                }
            }
        }
        if total > 0 {
            tracing::info!("deleted {total} audit entries older than [audit] keep");
        }
    }
}

/// `[daemon] host_name`, or the system's host name when it is empty.
fn host_name(configured: &str) -> String {
    if !configured.is_empty() {
        return configured.to_string();
    }
    nix::unistd::gethostname()
        .ok()
        .and_then(|h| h.into_string().ok())
        .unwrap_or_else(|| "localhost".to_string())
}

/// A group named in the config that does not exist is legal (it may come
/// from LDAP later) but almost always a typo.
fn warn_missing_groups(config: &Config) {
    let groups = [
        ("[daemon] admin_group", &config.daemon.admin_group),
        ("[otp] required_for_group", &config.otp.required_for_group),
    ];
    for (key, group) in groups {
        if !group.is_empty() && !matches!(nix::unistd::Group::from_name(group), Ok(Some(_))) {
            tracing::warn!("{key} names the group {group:?}, which does not exist");
        }
    }
}

/// Installs the SIGTERM and SIGINT handlers now (not when first polled);
/// the future ends at the first of them.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    use tokio::signal::unix::{SignalKind, signal};
    let handlers = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    );
    async move {
        let (Ok(mut term), Ok(mut int)) = handlers else {
            // Without signal handlers the daemon is only stopped by SIGKILL.
            return std::future::pending().await;
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
    }
}
