//! The daemon under test: its scratch directory and config, its lifecycle,
//! and where the built artefacts are.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use monban_proto::{Client, Request, Response, Timeouts};

use crate::process::{Output, run};

/// A system account and its primary group, for children dropped from root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Account {
    pub name: &'static str,
    pub uid: u32,
    pub gid: u32,
}

/// `daemon` (uid 1): an administrator under the test config (`admin_group = "daemon"`).
pub const DAEMON: Account = Account {
    name: "daemon",
    uid: 1,
    gid: 1,
};

/// `nobody` (uid 65534): an ordinary user.
pub const NOBODY: Account = Account {
    name: "nobody",
    uid: 65534,
    gid: 65534,
};

/// How long any child process may run before the test calls it a hang.
pub const PROCESS_LIMIT: Duration = Duration::from_secs(60);
/// How long the daemon may take to answer its first Ping.
pub const READY_LIMIT: Duration = Duration::from_secs(10);

/// The base configuration every harness starts from.
const BASE_CONFIG: &str = r#"
[daemon]
admin_group = "daemon"

[argon2]
memory_kib = 1024
iterations = 1
parallelism = 1
"#;

/// `target/debug` (or wherever this test binary was built).
pub fn bin_dir() -> PathBuf {
    if let Ok(exe) = std::env::current_exe() {
        // target/debug/deps/<test> → target/debug
        for dir in exe.ancestors().skip(1) {
            if dir.join("monban-pam-driver").exists() || dir.join("monban-authd").exists() {
                return dir.to_path_buf();
            }
        }
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/debug")
}

/// Absolute path of a built artefact; panics with the fix when missing.
pub fn artefact(name: &str) -> PathBuf {
    let path = bin_dir().join(name);
    assert!(
        path.exists(),
        "{} is missing: run `cargo build --workspace` before `cargo test -p monban-e2e`",
        path.display()
    );
    path
}

/// Deep-merges `extra` into `base` (tables merge, other values replace).
fn merge(base: &mut toml::Table, extra: toml::Table) {
    for (k, v) in extra {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(e)) => merge(b, e),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

/// One daemon in its own scratch directory.
pub struct Harness {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) config_path: PathBuf,
    pub(crate) socket: PathBuf,
    config: toml::Table,
    daemon: Option<Child>,
    log_path: PathBuf,
    services: AtomicUsize,
    daemon_umask: Option<u32>,
    daemon_account: Option<Account>,
    daemon_group_file: Option<PathBuf>,
    /// The PostgreSQL store (URL, password file) instead of the SQLite file.
    postgres: Option<(String, PathBuf)>,
    /// Extra environment of the daemon (e.g. MONBAN_LOG).
    daemon_env: Vec<(String, String)>,
}

impl Harness {
    /// The standard test configuration, daemon started and answering.
    pub fn new() -> Self {
        Self::with_config("")
    }

    /// The standard test configuration and daemon, with one user added
    /// (as root, through the CLI).
    pub fn with_user(name: &str, password: &str) -> Self {
        let h = Self::new();
        h.add_user(name, password);
        h
    }

    /// The standard configuration merged with `extra` (TOML; its sections
    /// and keys add to or override the base), daemon started.
    pub fn with_config(extra: &str) -> Self {
        let h = Self::configured(extra);
        let mut h = h;
        h.start();
        h
    }

    /// Like `with_config` but the daemon is not started.
    pub fn configured(extra: &str) -> Self {
        let dir = tempfile::Builder::new()
            .prefix("monban-e2e-")
            .tempdir()
            .expect("create temp dir");
        // Children dropped to another uid must reach the socket and config.
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))
            .expect("chmod temp dir");
        let socket = dir.path().join("authd.sock");
        let mut h = Self {
            config_path: dir.path().join("monban.toml"),
            log_path: dir.path().join("authd.log"),
            socket,
            config: toml::Table::new(),
            daemon: None,
            services: AtomicUsize::new(0),
            daemon_umask: None,
            daemon_account: None,
            daemon_group_file: None,
            // With MONBAN_TEST_STORE=postgres (.ci/run's second pass),
            // every harness stores on a new schema of MONBAN_TEST_POSTGRES.
            postgres: crate::pg::every_harness().then(|| {
                let (url, password) = crate::pg::shared()
                    .expect("MONBAN_TEST_STORE=postgres needs MONBAN_TEST_POSTGRES");
                (crate::pg::new_schema(&url, &password), password)
            }),
            daemon_env: Vec::new(),
            dir,
        };
        h.set_config(extra);
        std::fs::create_dir_all(h.dir.path().join("pam.d")).expect("create confdir");
        std::fs::set_permissions(
            h.dir.path().join("pam.d"),
            std::fs::Permissions::from_mode(0o755),
        )
        .expect("chmod confdir");
        h
    }

    /// Like `configured`, on a SQLite file whatever MONBAN_TEST_POSTGRES says.
    pub fn sqlite_configured(extra: &str) -> Self {
        let mut h = Self::configured("");
        h.postgres = None;
        h.set_config(extra);
        h
    }

    /// Rewrites monban.toml as base + `extra` (takes effect at the next start).
    pub fn set_config(&mut self, extra: &str) {
        let mut config: toml::Table = BASE_CONFIG.parse().expect("base config parses");
        let daemon = config
            .get_mut("daemon")
            .and_then(toml::Value::as_table_mut)
            .expect("base has [daemon]");
        let p = |p: &Path| toml::Value::String(p.display().to_string());
        daemon.insert("socket".into(), p(&self.socket));
        match &self.postgres {
            Some((url, password)) => {
                daemon.insert("database".into(), toml::Value::String(url.clone()));
                daemon.insert("database_password_file".into(), p(password));
            }
            None => {
                daemon.insert("database".into(), p(&self.dir.path().join("monban.db")));
            }
        }
        daemon.insert("secret_key".into(), p(&self.dir.path().join("secret.key")));
        let extra: toml::Table = extra.parse().expect("extra config is valid TOML");
        merge(&mut config, extra);
        self.config = config;
        std::fs::write(&self.config_path, self.config.to_string()).expect("write config");
        std::fs::set_permissions(&self.config_path, std::fs::Permissions::from_mode(0o644))
            .expect("chmod config");
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn socket(&self) -> &Path {
        &self.socket
    }

    pub fn config_path(&self) -> &Path {
        &self.config_path
    }

    /// The SQLite file (tests of the file itself run only without
    /// `MONBAN_TEST_POSTGRES`: see `on_postgres`).
    pub fn database(&self) -> PathBuf {
        self.dir.path().join("monban.db")
    }

    /// Sets a variable in the daemon's environment (from the next start).
    pub fn set_daemon_env(&mut self, name: &str, value: &str) {
        self.daemon_env.push((name.to_string(), value.to_string()));
    }

    /// Whether this daemon stores on PostgreSQL.
    pub fn on_postgres(&self) -> bool {
        self.postgres.is_some()
    }

    /// The PostgreSQL store's URL and password file, if it has one.
    pub fn postgres_store(&self) -> Option<(&str, &Path)> {
        self.postgres
            .as_ref()
            .map(|(url, password)| (url.as_str(), password.as_path()))
    }

    /// A daemon of its own (socket, config, host name) on the store at
    /// `url`, with `key` as its secret key (every host of a fleet has the
    /// same), not started.
    pub fn fleet_host(
        url: &str,
        password_file: &Path,
        key: &Path,
        host: &str,
        extra: &str,
    ) -> Self {
        let mut h = Self::configured("");
        h.postgres = Some((url.to_string(), password_file.to_path_buf()));
        let mut config: toml::Table = extra.parse().expect("extra config is valid TOML");
        config
            .entry("daemon")
            .or_insert_with(|| toml::Value::Table(toml::Table::new()))
            .as_table_mut()
            .expect("[daemon] is a table")
            .insert("host_name".into(), toml::Value::String(host.into()));
        h.set_config(&config.to_string());
        if key.exists() {
            std::fs::copy(key, h.secret_key()).expect("copy the fleet's secret key");
        }
        h
    }

    pub fn secret_key(&self) -> PathBuf {
        self.dir.path().join("secret.key")
    }

    /// Everything the daemon wrote to stdout/stderr so far.
    pub fn daemon_log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    /// Starts monban-authd and waits until it answers a Ping.
    pub fn start(&mut self) {
        if let Err(e) = self.try_start() {
            panic!("{e}");
        }
    }

    /// Starts monban-authd; Err (with its log) when it exits or does not
    /// answer in time.
    pub fn try_start(&mut self) -> Result<(), String> {
        assert!(self.daemon.is_none(), "daemon already running");
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log_path)
            .expect("open daemon log");
        // exec keeps the pid (unshare without --fork execs too), so stop()
        // still signals the daemon itself.
        assert!(
            self.daemon_group_file.is_none() || self.daemon_account.is_none(),
            "a private /etc/group needs the daemon started as root"
        );
        let mut script = String::new();
        if let Some(mask) = self.daemon_umask {
            script.push_str(&format!("umask {mask:03o} && "));
        }
        if let Some(group) = &self.daemon_group_file {
            script.push_str(&format!(
                "mount --bind '{}' /etc/group && ",
                group.display()
            ));
        }
        let mut cmd = if script.is_empty() {
            Command::new(artefact("monban-authd"))
        } else {
            let mut sh = if self.daemon_group_file.is_some() {
                // A private mount namespace: the real /etc/group is untouched.
                let mut u = Command::new("unshare");
                u.args(["--mount", "--propagation", "private", "/bin/sh"]);
                u
            } else {
                Command::new("/bin/sh")
            };
            sh.arg("-c")
                .arg(format!("{script}exec \"$0\" \"$@\""))
                .arg(artefact("monban-authd"));
            sh
        };
        crate::process::drop_to(&mut cmd, self.daemon_account);
        let child = cmd
            .arg("--config")
            .arg(&self.config_path)
            .env("RUST_LOG", "debug")
            .envs(
                self.daemon_env
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str())),
            )
            .env_remove("MONBAN_CONFIG")
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("dup log"))
            .stderr(log)
            .spawn()
            .expect("spawn monban-authd");
        self.daemon = Some(child);
        let deadline = Instant::now() + READY_LIMIT;
        loop {
            if self.ping() {
                return Ok(());
            }
            if let Some(status) = self
                .daemon
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                self.daemon = None;
                return Err(format!(
                    "monban-authd exited before answering ({status}); its log:\n{}",
                    self.daemon_log()
                ));
            }
            if Instant::now() > deadline {
                let log = self.daemon_log();
                self.kill();
                return Err(format!(
                    "monban-authd did not answer a Ping within {READY_LIMIT:?}; its log:\n{log}"
                ));
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// True when the daemon answers a Ping right now.
    pub fn ping(&self) -> bool {
        let t = Timeouts {
            connect: Duration::from_millis(500),
            io: Duration::from_secs(2),
        };
        let trusted = match self.daemon_account {
            Some(a) => monban_proto::TrustedServer::named(a.name),
            None => monban_proto::TrustedServer::default(),
        };
        match Client::connect_to(&self.socket, t, &trusted) {
            Ok(mut c) => matches!(c.call(&Request::Ping), Ok(Response::Pong)),
            Err(_) => false,
        }
    }

    /// Starts the daemon (at the next `start`) under this file-creation
    /// mask instead of the test's own.
    pub fn set_daemon_umask(&mut self, mask: u32) {
        self.daemon_umask = Some(mask);
    }

    /// Runs the daemon (from the next `start`) as `account` instead of
    /// root, owning the scratch directory, as an ordinary user could.
    pub fn set_daemon_account(&mut self, account: Account) {
        let owner = (
            Some(nix::unistd::Uid::from_raw(account.uid)),
            Some(nix::unistd::Gid::from_raw(account.gid)),
        );
        nix::unistd::chown(self.dir.path(), owner.0, owner.1).expect("chown scratch dir");
        self.daemon_account = Some(account);
    }

    /// Runs the daemon (from the next `start`) in a private mount namespace
    /// whose `/etc/group` is the real one with `extra` applied: each line
    /// `NAME:x:GID:MEMBERS` replaces the group of that name or is added.
    /// Only the daemon's view of NSS changes; the machine's stays as it is.
    pub fn set_daemon_groups(&mut self, extra: &[&str]) {
        let real = std::fs::read_to_string("/etc/group").expect("read /etc/group");
        let name_of = |line: &str| line.split(':').next().unwrap_or("").to_string();
        let replaced: Vec<String> = extra.iter().map(|l| name_of(l)).collect();
        let mut lines: Vec<String> = real
            .lines()
            .filter(|l| !replaced.contains(&name_of(l)))
            .map(str::to_string)
            .collect();
        lines.extend(extra.iter().map(|l| l.to_string()));
        let path = self.dir.path().join("group");
        std::fs::write(&path, lines.join("\n") + "\n").expect("write group file");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644))
            .expect("chmod group file");
        self.daemon_group_file = Some(path);
    }

    /// The daemon's pid while it runs.
    pub fn daemon_pid(&self) -> Option<u32> {
        self.daemon.as_ref().map(Child::id)
    }

    pub fn is_running(&mut self) -> bool {
        match self.daemon.as_mut() {
            Some(c) => matches!(c.try_wait(), Ok(None)),
            None => false,
        }
    }

    /// SIGTERM and wait (bounded); returns how the daemon ended.
    pub fn stop(&mut self) -> ExitStatus {
        let mut child = self.daemon.take().expect("daemon is running");
        let pid = nix::unistd::Pid::from_raw(child.id() as i32);
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = child.try_wait().expect("wait for daemon") {
                return status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "monban-authd ignored SIGTERM for 10 s; its log:\n{}",
                    self.daemon_log()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn kill(&mut self) {
        if let Some(mut child) = self.daemon.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn restart(&mut self) {
        if self.daemon.is_some() {
            self.stop();
        }
        self.start();
    }

    /// Stops the daemon, rewrites the config as base + `extra` and starts
    /// it again on the same database.
    pub fn reconfigure(&mut self, extra: &str) {
        if self.daemon.is_some() {
            self.stop();
        }
        self.set_config(extra);
        self.start();
    }

    /// Runs `monban-authd` with other arguments (not the harness daemon).
    pub fn authd(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(artefact("monban-authd"));
        cmd.args(args).env_remove("MONBAN_CONFIG");
        run(cmd, b"", PROCESS_LIMIT)
    }

    pub(crate) fn next_service(&self) -> String {
        format!(
            "monban-test-{}",
            self.services.fetch_add(1, Ordering::Relaxed)
        )
    }
}

impl Default for Harness {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        if let Some(mut child) = self.daemon.take() {
            let pid = nix::unistd::Pid::from_raw(child.id() as i32);
            let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
