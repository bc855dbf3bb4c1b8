//! End-to-end harness: a real `monban-authd` in a scratch directory, real
//! libpam through `monban-pam-driver`, and the real `monban` CLI, optionally
//! run under another uid.
//!
//! Build everything first: `cargo build --workspace`, then
//! `cargo test -p monban-e2e`. The tests must run as root (they start the
//! daemon and drop children to `daemon` and `nobody`).
#![forbid(unsafe_code)]

pub mod sshd;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixStream;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use monban_proto::{Client, Request, Response, Timeouts};
use serde_json::Value;

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

pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
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
    dir: tempfile::TempDir,
    config_path: PathBuf,
    socket: PathBuf,
    config: toml::Table,
    daemon: Option<Child>,
    log_path: PathBuf,
    services: AtomicUsize,
    daemon_umask: Option<u32>,
}

impl Harness {
    /// The standard test configuration, daemon started and answering.
    pub fn new() -> Self {
        Self::with_config("")
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

    /// Rewrites monban.toml as base + `extra` (takes effect at the next start).
    pub fn set_config(&mut self, extra: &str) {
        let mut config: toml::Table = BASE_CONFIG.parse().expect("base config parses");
        let daemon = config
            .get_mut("daemon")
            .and_then(toml::Value::as_table_mut)
            .expect("base has [daemon]");
        let p = |p: &Path| toml::Value::String(p.display().to_string());
        daemon.insert("socket".into(), p(&self.socket));
        daemon.insert("database".into(), p(&self.dir.path().join("monban.db")));
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

    pub fn database(&self) -> PathBuf {
        self.dir.path().join("monban.db")
    }

    pub fn secret_key(&self) -> PathBuf {
        self.dir.path().join("secret.key")
    }

    /// Every text and blob value in every table of the database (blobs
    /// as lossy UTF-8), one per line prefixed by the table name; depends on
    /// no schema detail.
    pub fn db_values(&self) -> String {
        let db = rusqlite::Connection::open_with_flags(
            self.database(),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .expect("open the database read-only");
        let tables: Vec<String> = db
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
            .and_then(|mut st| {
                st.query_map([], |r| r.get::<_, String>(0))?
                    .collect::<Result<_, _>>()
            })
            .expect("list tables");
        let mut out = String::new();
        for t in tables {
            let sql = format!("SELECT * FROM \"{}\"", t.replace('"', "\"\""));
            let mut st = db.prepare(&sql).expect("select");
            let n = st.column_count();
            let mut rows = st.query([]).expect("query");
            while let Some(row) = rows.next().expect("row") {
                for i in 0..n {
                    let text = match row.get_ref(i).expect("value") {
                        rusqlite::types::ValueRef::Text(b) | rusqlite::types::ValueRef::Blob(b) => {
                            String::from_utf8_lossy(b).replace('\n', " ")
                        }
                        _ => continue,
                    };
                    let _ = writeln!(out, "{t}\t{text}");
                }
            }
        }
        out
    }

    /// The raw bytes of the database file and its WAL/journal.
    pub fn db_raw(&self) -> Vec<u8> {
        let mut bytes = std::fs::read(self.database()).expect("read database");
        for suffix in ["-wal", "-journal"] {
            if let Ok(extra) = std::fs::read(format!("{}{suffix}", self.database().display())) {
                bytes.extend(extra);
            }
        }
        bytes
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
        let mut cmd = match self.daemon_umask {
            // exec keeps the pid, so stop() still signals the daemon itself.
            Some(mask) => {
                let mut sh = Command::new("/bin/sh");
                sh.arg("-c")
                    .arg(format!("umask {mask:03o} && exec \"$0\" \"$@\""))
                    .arg(artefact("monban-authd"));
                sh
            }
            None => Command::new(artefact("monban-authd")),
        };
        let child = cmd
            .arg("--config")
            .arg(&self.config_path)
            .env("RUST_LOG", "debug")
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
        match Client::connect(&self.socket, t) {
            Ok(mut c) => matches!(c.call(&Request::Ping), Ok(Response::Pong)),
            Err(_) => false,
        }
    }

    /// Starts the daemon (at the next `start`) under this file-creation
    /// mask instead of the test's own.
    pub fn set_daemon_umask(&mut self, mask: u32) {
        self.daemon_umask = Some(mask);
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

    /// A PAM transaction against this daemon (service stack: the module in
    /// all four types, `socket=` this daemon's socket).
    pub fn pam(&self, user: &str) -> PamRun<'_> {
        PamRun {
            h: self,
            user: user.to_string(),
            ops: Vec::new(),
            answers: Vec::new(),
            module_args: Vec::new(),
            stack: None,
            account: None,
            tty: None,
            rhost: None,
            silent: false,
        }
    }

    /// The `monban` CLI with `--config` this harness's config.
    pub fn cli(&self, args: &[&str]) -> CliRun<'_> {
        CliRun {
            h: self,
            args: args.iter().map(|s| s.to_string()).collect(),
            stdin: String::new(),
            account: None,
            json: false,
        }
    }

    /// `monban user add NAME --password-stdin` as root; asserts success.
    pub fn add_user(&self, name: &str, password: &str) {
        let out = self
            .cli(&["user", "add", name, "--password-stdin"])
            .stdin_lines(&[password])
            .run();
        out.assert_exit(0, &format!("adding user {name}"));
    }

    /// A raw connection to the socket, for malformed traffic.
    pub fn raw(&self) -> UnixStream {
        let s = UnixStream::connect(&self.socket).expect("connect to daemon socket");
        s.set_read_timeout(Some(Duration::from_secs(10))).ok();
        s.set_write_timeout(Some(Duration::from_secs(10))).ok();
        s
    }

    /// Runs `monban-authd` with other arguments (not the harness daemon).
    pub fn authd(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(artefact("monban-authd"));
        cmd.args(args).env_remove("MONBAN_CONFIG");
        run(cmd, b"", PROCESS_LIMIT)
    }

    fn next_service(&self) -> String {
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

/// Output of a finished child.
#[derive(Debug, Clone)]
pub struct Output {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

impl Output {
    pub fn code(&self) -> i32 {
        self.status
            .code()
            .unwrap_or_else(|| 128 + self.status.signal().unwrap_or(0))
    }

    pub fn assert_exit(&self, code: i32, what: &str) {
        assert_eq!(
            self.code(),
            code,
            "{what}: expected exit {code}, got {}\n--- stdout\n{}\n--- stderr\n{}",
            self.code(),
            self.stdout,
            self.stderr
        );
    }

    /// stdout parsed as one JSON document.
    pub fn json(&self) -> Value {
        serde_json::from_str(self.stdout.trim()).unwrap_or_else(|e| {
            panic!(
                "stdout is not one JSON document ({e}):\n{}\n--- stderr\n{}",
                self.stdout, self.stderr
            )
        })
    }

    /// stdout parsed as JSON lines.
    pub fn json_lines(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                serde_json::from_str(l)
                    .unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}\n{}", self.stdout))
            })
            .collect()
    }
}

/// A spawned child with piped stdio, read by threads so nothing blocks.
pub struct Proc {
    child: Child,
    stdin: Option<std::process::ChildStdin>,
    lines: mpsc::Receiver<String>,
    stdout_seen: String,
    stdout_done: Option<std::thread::JoinHandle<()>>,
    stderr: Option<std::thread::JoinHandle<String>>,
    started: Instant,
}

impl Proc {
    pub fn spawn(mut cmd: Command) -> Self {
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawn {cmd:?}: {e}"));
        let stdout = child.stdout.take().expect("piped stdout");
        let mut stderr = child.stderr.take().expect("piped stderr");
        let (tx, rx) = mpsc::channel();
        let stdout_done = std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut line = String::new();
                match r.read_line(&mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        if tx.send(line).is_err() {
                            break;
                        }
                    }
                }
            }
        });
        let stderr = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = stderr.read_to_string(&mut s);
            s
        });
        Self {
            stdin: child.stdin.take(),
            child,
            lines: rx,
            stdout_seen: String::new(),
            stdout_done: Some(stdout_done),
            stderr: Some(stderr),
            started: Instant::now(),
        }
    }

    /// Writes raw bytes to the child's stdin (errors ignored: the child
    /// may legitimately stop reading).
    pub fn write(&mut self, bytes: &[u8]) {
        if let Some(s) = self.stdin.as_mut() {
            let _ = s.write_all(bytes);
            let _ = s.flush();
        }
    }

    pub fn send_line(&mut self, line: &str) {
        self.write(format!("{line}\n").as_bytes());
    }

    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// The next stdout line (without its newline), or None at EOF/timeout.
    pub fn recv_line(&mut self, limit: Duration) -> Option<String> {
        let line = self.lines.recv_timeout(limit).ok()?;
        self.stdout_seen.push_str(&line);
        Some(line.trim_end_matches('\n').to_string())
    }

    /// Closes stdin and waits (bounded) for the end.
    pub fn finish(mut self, limit: Duration) -> Output {
        self.close_stdin();
        let deadline = self.started + limit;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait for child") {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                let mut rest = String::new();
                while let Ok(l) = self.lines.try_recv() {
                    rest.push_str(&l);
                }
                panic!(
                    "child hung for more than {limit:?}; stdout so far:\n{}{rest}",
                    self.stdout_seen
                );
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        let elapsed = self.started.elapsed();
        if let Some(t) = self.stdout_done.take() {
            let _ = t.join();
        }
        let mut stdout = std::mem::take(&mut self.stdout_seen);
        while let Ok(l) = self.lines.try_recv() {
            stdout.push_str(&l);
        }
        let stderr = self
            .stderr
            .take()
            .map(|t| t.join().unwrap_or_default())
            .unwrap_or_default();
        Output {
            status,
            stdout,
            stderr,
            elapsed,
        }
    }
}

/// Runs a command to the end with the given stdin, bounded by `limit`.
pub fn run(cmd: Command, stdin: &[u8], limit: Duration) -> Output {
    let mut p = Proc::spawn(cmd);
    p.write(stdin);
    p.finish(limit)
}

fn drop_to(cmd: &mut Command, account: Option<Account>) {
    if let Some(a) = account {
        // std clears supplementary groups (setgroups(0)) when root sets a uid.
        cmd.uid(a.uid).gid(a.gid);
        cmd.env("HOME", "/")
            .env("USER", a.name)
            .env("LOGNAME", a.name);
    }
}

/// Builder for one `monban-pam-driver` run.
pub struct PamRun<'h> {
    h: &'h Harness,
    user: String,
    ops: Vec<String>,
    answers: Vec<String>,
    module_args: Vec<String>,
    stack: Option<String>,
    account: Option<Account>,
    tty: Option<String>,
    rhost: Option<String>,
    silent: bool,
}

impl PamRun<'_> {
    /// PAM operations in order (`auth`, `acct`, `chauthtok`, `open`,
    /// `close`, `setcred`); default `auth acct`.
    pub fn ops(mut self, ops: &[&str]) -> Self {
        self.ops = ops.iter().map(|s| s.to_string()).collect();
        self
    }

    /// Answers to the prompts, one per prompt, in order.
    pub fn answers(mut self, answers: &[&str]) -> Self {
        self.answers = answers.iter().map(|s| s.to_string()).collect();
        self
    }

    /// Extra module arguments (after `socket=`), e.g. `credential=confirm`.
    pub fn module_args(mut self, args: &[&str]) -> Self {
        self.module_args = args.iter().map(|s| s.to_string()).collect();
        self
    }

    /// A whole service file instead of the default stack; `{module}` and
    /// `{socket}` are replaced by the module path and this daemon's socket.
    pub fn stack(mut self, text: &str) -> Self {
        self.stack = Some(text.to_string());
        self
    }

    /// Runs the driver as this account instead of root.
    pub fn as_account(mut self, account: Account) -> Self {
        self.account = Some(account);
        self
    }

    pub fn tty(mut self, tty: &str) -> Self {
        self.tty = Some(tty.to_string());
        self
    }

    pub fn rhost(mut self, rhost: &str) -> Self {
        self.rhost = Some(rhost.to_string());
        self
    }

    pub fn silent(mut self) -> Self {
        self.silent = true;
        self
    }

    fn prepare(&self) -> (Command, String) {
        let module = artefact("libpam_monban.so");
        let socket = self.h.socket.display().to_string();
        let text = match &self.stack {
            Some(t) => t
                .replace("{module}", &module.display().to_string())
                .replace("{socket}", &socket),
            None => {
                let mut args = format!("socket={socket}");
                for a in &self.module_args {
                    args.push(' ');
                    args.push_str(a);
                }
                let mut t = String::new();
                for kind in ["auth", "account", "password", "session"] {
                    let _ = writeln!(t, "{kind:<8} required {} {args}", module.display());
                }
                t
            }
        };
        let service = self.h.next_service();
        let confdir = self.h.dir.path().join("pam.d");
        let file = confdir.join(&service);
        std::fs::write(&file, &text).expect("write PAM service file");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644))
            .expect("chmod service file");

        let mut cmd = Command::new(artefact("monban-pam-driver"));
        cmd.arg("--confdir").arg(&confdir).args([
            "--service",
            &service,
            "--user",
            &self.user,
            "--json",
        ]);
        if let Some(t) = &self.tty {
            cmd.args(["--tty", t]);
        }
        if let Some(r) = &self.rhost {
            cmd.args(["--rhost", r]);
        }
        if self.silent {
            cmd.arg("--silent");
        }
        cmd.args(&self.ops);
        drop_to(&mut cmd, self.account);
        (cmd, text)
    }

    fn outcome(&self, out: Output, service_file: String) -> PamOutcome {
        let events = out
            .stdout
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                serde_json::from_str::<Value>(l).unwrap_or_else(|e| {
                    panic!(
                        "driver printed a non-JSON line ({e}): {l}\n{}\n{}",
                        out.stdout, out.stderr
                    )
                })
            })
            .collect();
        PamOutcome {
            events,
            output: out,
            daemon_log_at_end: self.h.daemon_log(),
            service_file,
        }
    }

    /// Runs with the answers given by `answers` (fed all at once).
    pub fn run(self) -> PamOutcome {
        let (cmd, text) = self.prepare();
        let mut stdin = String::new();
        for a in &self.answers {
            stdin.push_str(a);
            stdin.push('\n');
        }
        let out = run(cmd, stdin.as_bytes(), PROCESS_LIMIT);
        self.outcome(out, text)
    }

    /// Runs answering each prompt as it appears: `respond(prompt text)`
    /// gives the answer, or None to leave the prompt unanswered (the
    /// conversation then fails).
    pub fn run_responding(self, mut respond: impl FnMut(&str) -> Option<String>) -> PamOutcome {
        let (cmd, text) = self.prepare();
        let mut p = Proc::spawn(cmd);
        while let Some(line) = p.recv_line(PROCESS_LIMIT) {
            let Ok(ev) = serde_json::from_str::<Value>(&line) else {
                continue;
            };
            if ev["event"].as_str() == Some("prompt") {
                match respond(ev["text"].as_str().unwrap_or_default()) {
                    Some(a) => p.send_line(&a),
                    None => p.close_stdin(),
                }
            }
        }
        let out = p.finish(PROCESS_LIMIT);
        self.outcome(out, text)
    }

    /// Runs answering prompts by their exact text.
    pub fn run_answering(self, by_prompt: &[(&str, &str)]) -> PamOutcome {
        let table: Vec<(String, String)> = by_prompt
            .iter()
            .map(|(p, a)| (p.to_string(), a.to_string()))
            .collect();
        self.run_responding(move |prompt| {
            table
                .iter()
                .find(|(p, _)| p == prompt)
                .map(|(_, a)| a.clone())
        })
    }
}

/// What one PAM transaction did.
#[derive(Debug)]
pub struct PamOutcome {
    pub events: Vec<Value>,
    pub output: Output,
    daemon_log_at_end: String,
    service_file: String,
}

impl PamOutcome {
    fn kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.events
            .iter()
            .filter(move |e| e["event"].as_str() == Some(kind))
    }

    /// The result name (`PAM_SUCCESS`, …) of `op`, if it ran.
    pub fn result(&self, op: &str) -> Option<String> {
        self.kind("result")
            .find(|e| e["op"].as_str() == Some(op))
            .and_then(|e| e["name"].as_str().map(str::to_string))
    }

    /// Texts of the prompts shown, in order.
    pub fn prompts(&self) -> Vec<String> {
        self.texts("prompt")
    }

    /// (text, echo) of the prompts.
    pub fn prompts_with_echo(&self) -> Vec<(String, bool)> {
        self.kind("prompt")
            .map(|e| {
                (
                    e["text"].as_str().unwrap_or_default().to_string(),
                    e["echo"].as_bool().unwrap_or(true),
                )
            })
            .collect()
    }

    pub fn infos(&self) -> Vec<String> {
        self.texts("info")
    }

    pub fn errors(&self) -> Vec<String> {
        self.texts("error")
    }

    /// Every info and error text, joined, for substring checks.
    pub fn messages(&self) -> String {
        self.events
            .iter()
            .filter(|e| matches!(e["event"].as_str(), Some("info" | "error")))
            .filter_map(|e| e["text"].as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn texts(&self, kind: &str) -> Vec<String> {
        self.kind(kind)
            .filter_map(|e| e["text"].as_str().map(str::to_string))
            .collect()
    }

    pub fn exit_code(&self) -> i32 {
        self.output.code()
    }

    /// A readable dump of the transaction for assertion messages.
    pub fn transcript(&self) -> String {
        let log = &self.daemon_log_at_end;
        let tail: String = log
            .lines()
            .rev()
            .take(30)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join("\n");
        format!(
            "--- service file\n{}--- driver stdout\n{}--- driver stderr\n{}--- daemon log (tail)\n{}",
            self.service_file, self.output.stdout, self.output.stderr, tail
        )
    }

    /// Asserts the result of `op`.
    #[track_caller]
    pub fn expect(&self, op: &str, name: &str) -> &Self {
        let got = self.result(op);
        assert_eq!(
            got.as_deref(),
            Some(name),
            "{op}: expected {name}, got {got:?}\n{}",
            self.transcript()
        );
        self
    }

    /// Asserts that `op` never ran (the driver stopped before it).
    #[track_caller]
    pub fn expect_not_run(&self, op: &str) -> &Self {
        assert_eq!(
            self.result(op),
            None,
            "{op} should not have run\n{}",
            self.transcript()
        );
        self
    }
}

/// Builder for one `monban` CLI run.
pub struct CliRun<'h> {
    h: &'h Harness,
    args: Vec<String>,
    stdin: String,
    account: Option<Account>,
    json: bool,
}

impl CliRun<'_> {
    /// Lines fed to stdin (secrets, one per line).
    pub fn stdin_lines(mut self, lines: &[&str]) -> Self {
        for l in lines {
            self.stdin.push_str(l);
            self.stdin.push('\n');
        }
        self
    }

    pub fn as_account(mut self, account: Account) -> Self {
        self.account = Some(account);
        self
    }

    /// Adds the global `--json`.
    pub fn json(mut self) -> Self {
        self.json = true;
        self
    }

    fn command(&self) -> Command {
        let mut cmd = Command::new(artefact("monban"));
        cmd.arg("--config").arg(&self.h.config_path);
        if self.json {
            cmd.arg("--json");
        }
        cmd.args(&self.args).env_remove("MONBAN_CONFIG");
        drop_to(&mut cmd, self.account);
        cmd
    }

    pub fn run(self) -> Output {
        run(self.command(), self.stdin.as_bytes(), PROCESS_LIMIT)
    }

    /// Starts the CLI for a line-by-line exchange (stdin lines given so far
    /// are written first).
    pub fn spawn(self) -> Proc {
        let mut p = Proc::spawn(self.command());
        if !self.stdin.is_empty() {
            p.write(self.stdin.as_bytes());
        }
        p
    }
}

/// A frame as the protocol writes it: 4-byte big-endian length + body.
pub fn frame(body: &[u8]) -> Vec<u8> {
    let mut v = (body.len() as u32).to_be_bytes().to_vec();
    v.extend_from_slice(body);
    v
}

/// Reads one frame body from a raw stream; None when the peer closed or
/// sent nothing in time. Replies may be up to `MAX_REPLY_LEN`.
pub fn read_raw_frame(s: &mut UnixStream) -> Option<Vec<u8>> {
    let mut len = [0u8; 4];
    s.read_exact(&mut len).ok()?;
    let n = u32::from_be_bytes(len) as usize;
    if n > monban_proto::MAX_REPLY_LEN {
        return None;
    }
    let mut body = vec![0u8; n];
    s.read_exact(&mut body).ok()?;
    Some(body)
}

/// TOTP code (RFC 6238, SHA-1) for a base32 secret at Unix time `at`.
pub fn totp(secret_b32: &str, digits: usize, period: u64, at: u64) -> String {
    let bytes = totp_rs::Secret::Encoded(secret_b32.trim().to_uppercase().replace('=', ""))
        .to_bytes()
        .expect("base32 TOTP secret");
    totp_rs::TOTP::new_unchecked(
        totp_rs::Algorithm::SHA1,
        digits,
        0,
        period,
        bytes,
        None,
        String::new(),
    )
    .generate(at)
}

/// Every `"user"` string anywhere in a JSON document (user lists, statuses).
pub fn users_in(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(u)) = m.get("user") {
                    out.push(u.clone());
                }
                m.values().for_each(|x| walk(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    walk(v, &mut out);
    out
}

/// The first object in `v` (depth-first) whose `"user"` is `name`.
pub fn user_entry<'a>(v: &'a Value, name: &str) -> Option<&'a Value> {
    match v {
        Value::Object(m) => {
            if m.get("user").and_then(Value::as_str) == Some(name) {
                return Some(v);
            }
            m.values().find_map(|x| user_entry(x, name))
        }
        Value::Array(a) => a.iter().find_map(|x| user_entry(x, name)),
        _ => None,
    }
}

/// A crypt(3) hash made by the system's libcrypt (`monban-test-crypt`),
/// for fake shadow files: `salt` like `$y$j9T$<16 chars>$` or `$6$<salt>$`.
pub fn system_crypt(password: &str, salt: &str) -> String {
    let mut cmd = Command::new(artefact("monban-test-crypt"));
    cmd.args([password, salt]);
    let out = run(cmd, b"", PROCESS_LIMIT);
    out.assert_exit(0, "monban-test-crypt");
    let hash = out.stdout.trim().to_string();
    assert!(
        hash.starts_with(&salt[..3]),
        "libcrypt made no {salt} hash: {hash:?}"
    );
    hash
}

/// Days since the epoch, as shadow(5) counts them.
pub fn today_days() -> i64 {
    now() / 86_400
}

/// Sleeps until `at` (Unix seconds) has passed, plus a margin.
pub fn sleep_until(at: i64, margin: Duration) {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let target = Duration::from_secs(at.max(0) as u64) + margin;
    if target > now {
        std::thread::sleep(target - now);
    }
}

// ---------------------------------------------------------------- connections held by another uid

/// Marks the holder's lines among libtest's own output.
const HOLD_MARK: &str = "monban-e2e-held ";
const HOLD_SOCKET: &str = "MONBAN_E2E_HOLD_SOCKET";
const HOLD_COUNT: &str = "MONBAN_E2E_HOLD_COUNT";
const HOLDER_TEST: &str = "monban_e2e_connection_holder";

/// Defines the (ignored) test through which [`Harness::hold_connections`]
/// re-runs the calling test binary as another uid: the daemon knows a
/// peer by the uid that called connect(), so the connecting process itself
/// must run as that uid. Invoke once in each test file that holds
/// connections.
#[macro_export]
macro_rules! connection_holder {
    () => {
        /// Not a test: the child process of `Harness::hold_connections`
        /// (does nothing without its environment).
        #[test]
        #[ignore = "helper process for Harness::hold_connections"]
        fn monban_e2e_connection_holder() {
            $crate::connection_holder_main();
        }
    };
}

/// Body of the holder process: opens the connections, sends a Ping on
/// each and prints the reply (a `busy` refusal arrives instead of a Pong),
/// then keeps them open until its stdin closes.
pub fn connection_holder_main() {
    let (Ok(socket), Ok(count)) = (std::env::var(HOLD_SOCKET), std::env::var(HOLD_COUNT)) else {
        return;
    };
    let count: usize = count.parse().expect("connection count");
    let ping = frame(br#"{"v":1,"msg":"ping"}"#);
    let mut held = Vec::new();
    for _ in 0..count {
        let reply = match UnixStream::connect(&socket) {
            Ok(mut s) => {
                s.set_read_timeout(Some(Duration::from_secs(10))).ok();
                // A refused connection may already be closed: its answer
                // is still there to read.
                let _ = s.write_all(&ping);
                let reply = read_raw_frame(&mut s)
                    .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
                    .unwrap_or(Value::Null);
                held.push(s);
                reply
            }
            Err(e) => serde_json::json!({ "connect_error": e.to_string() }),
        };
        println!("{HOLD_MARK}{reply}");
    }
    println!("{HOLD_MARK}ready");
    let _ = std::io::stdout().flush();
    let mut rest = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut rest);
    drop(held);
}

/// Connections another uid keeps open; closed when this is dropped.
pub struct HeldConnections {
    proc: Option<Proc>,
    /// The daemon's answer to a Ping on each connection, in order (the
    /// whole envelope, e.g. `{"v":1,"msg":"pong"}`; Null when none came).
    pub replies: Vec<Value>,
}

impl HeldConnections {
    /// How many connections were answered `Pong` (and are therefore open).
    pub fn open(&self) -> usize {
        self.replies
            .iter()
            .filter(|r| r["msg"].as_str() == Some("pong"))
            .count()
    }

    /// Closes the connections and waits for the holder to end.
    pub fn release(mut self) {
        if let Some(p) = self.proc.take() {
            p.finish(PROCESS_LIMIT);
        }
    }
}

impl Drop for HeldConnections {
    fn drop(&mut self) {
        if let Some(p) = self.proc.take() {
            p.finish(PROCESS_LIMIT);
        }
    }
}

impl Harness {
    /// Opens `count` connections to the daemon as `account` and keeps them
    /// open until the result is dropped. The calling test file must invoke
    /// [`connection_holder!`].
    pub fn hold_connections(&self, account: Account, count: usize) -> HeldConnections {
        let exe = std::env::current_exe().expect("the test binary's path");
        let mut cmd = Command::new(exe);
        cmd.args([
            HOLDER_TEST,
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(HOLD_SOCKET, &self.socket)
        .env(HOLD_COUNT, count.to_string());
        drop_to(&mut cmd, Some(account));
        let mut p = Proc::spawn(cmd);
        let mut replies = Vec::new();
        loop {
            let Some(line) = p.recv_line(Duration::from_secs(30)) else {
                let out = p.finish(Duration::from_secs(5));
                panic!(
                    "the connection holder did not get ready (does this test file invoke \
                     `monban_e2e::connection_holder!()`?)\n--- stdout\n{}\n--- stderr\n{}",
                    out.stdout, out.stderr
                );
            };
            let Some(at) = line.find(HOLD_MARK) else {
                continue;
            };
            let rest = &line[at + HOLD_MARK.len()..];
            if rest == "ready" {
                break;
            }
            replies.push(serde_json::from_str(rest).unwrap_or(Value::Null));
        }
        HeldConnections {
            proc: Some(p),
            replies,
        }
    }
}
