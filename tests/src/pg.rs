//! PostgreSQL for the fleet-mode tests (SPEC §9): a new schema of the
//! cluster `.ci/run` starts (`MONBAN_TEST_POSTGRES`, its password in
//! `MONBAN_TEST_POSTGRES_PASSWORD_FILE`), or a private cluster of a test's
//! own (tests/pg/cluster) for tests that stop and start the server. With
//! `MONBAN_TEST_STORE=postgres` every harness uses it, so the
//! end-to-end suites run on that backend too.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use crate::process::run;

/// Whether every harness stores on PostgreSQL (`MONBAN_TEST_STORE=postgres`),
/// not only the fleet tests.
pub fn every_harness() -> bool {
    std::env::var("MONBAN_TEST_STORE").as_deref() == Ok("postgres")
}

/// The shared test cluster, or None (with a note) when there is none; in
/// CI its absence is a failure, not a skip.
pub fn shared() -> Option<(String, PathBuf)> {
    let Ok(url) = std::env::var("MONBAN_TEST_POSTGRES") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI runs the fleet tests on PostgreSQL: set MONBAN_TEST_POSTGRES (.ci/run does)"
        );
        eprintln!("skipped: MONBAN_TEST_POSTGRES is not set (tests/pg/cluster starts one)");
        return None;
    };
    let password = std::env::var("MONBAN_TEST_POSTGRES_PASSWORD_FILE")
        .expect("MONBAN_TEST_POSTGRES_PASSWORD_FILE names the password of MONBAN_TEST_POSTGRES");
    Some((url, PathBuf::from(password)))
}

/// Runs `sql` with psql as the test role.
pub fn psql(url: &str, password_file: &Path, sql: &str) -> String {
    let password = std::fs::read_to_string(password_file).expect("read the password file");
    let mut cmd = Command::new("psql");
    cmd.args([
        url,
        "-X",
        "-q",
        "-A",
        "-t",
        "-v",
        "ON_ERROR_STOP=1",
        "-c",
        sql,
    ])
    .env("PGPASSWORD", password.trim());
    let out = run(cmd, b"", Duration::from_secs(30));
    assert!(out.status.success(), "psql {sql}: {}", out.stderr);
    out.stdout
}

/// Everything stored in the schema of `url` (its `search_path`), as SQL.
pub fn dump(url: &str, password_file: &Path) -> String {
    let schema = url
        .rsplit_once("search_path%3D")
        .map(|(_, s)| s.split('&').next().unwrap_or(s).to_string())
        .expect("a test URL names its schema");
    let base = url.split_once('?').map_or(url, |(b, _)| b);
    let password = std::fs::read_to_string(password_file).expect("read the password file");
    let mut cmd = Command::new("pg_dump");
    cmd.args([base, "--schema", &schema, "--data-only"])
        .env("PGPASSWORD", password.trim());
    let out = run(cmd, b"", Duration::from_secs(60));
    assert!(out.status.success(), "pg_dump: {}", out.stderr);
    out.stdout
}

/// A URL whose `search_path` is a new, empty schema of `url`.
pub fn new_schema(url: &str, password_file: &Path) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let schema = format!(
        "e2e{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    );
    psql(url, password_file, &format!("CREATE SCHEMA {schema}"));
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}options=-csearch_path%3D{schema}")
}

/// A cluster of one test's own, which it may stop and start; stopped on drop.
pub struct PrivateCluster {
    dir: tempfile::TempDir,
    pub url: String,
    pub port: u16,
}

fn cluster_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("pg/cluster")
}

impl PrivateCluster {
    pub fn start() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("monban-pg-")
            .tempdir()
            .expect("temp dir");
        // A free loopback port (the race with another binder is harmless here).
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut cluster = Self {
            dir,
            url: String::new(),
            port,
        };
        cluster.url = cluster.control("start").trim().to_string();
        cluster
    }

    /// A streaming standby of `primary`, started.
    pub fn standby_of(primary: &PrivateCluster) -> Self {
        let dir = tempfile::Builder::new()
            .prefix("monban-pg-standby-")
            .tempdir()
            .expect("temp dir");
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut cmd = Command::new(cluster_script());
        cmd.arg("standby")
            .arg(dir.path())
            .arg(port.to_string())
            .arg(primary.dir.path())
            .arg(primary.port.to_string());
        let out = run(cmd, b"", Duration::from_secs(60));
        assert!(
            out.status.success(),
            "tests/pg/cluster standby: {}",
            out.stderr
        );
        Self {
            dir,
            url: out.stdout.trim().to_string(),
            port,
        }
    }

    pub fn promote(&self) {
        self.control("promote");
    }

    pub fn password_file(&self) -> PathBuf {
        self.dir.path().join("monban.password")
    }

    fn control(&self, verb: &str) -> String {
        let mut cmd = Command::new(cluster_script());
        cmd.arg(verb)
            .arg(self.dir.path())
            .arg(self.port.to_string());
        let out = run(cmd, b"", Duration::from_secs(60));
        assert!(
            out.status.success(),
            "tests/pg/cluster {verb}: {}",
            out.stderr
        );
        out.stdout
    }

    pub fn stop(&self) {
        self.control("stop");
    }

    pub fn resume(&self) {
        self.control("start");
    }
}

impl Drop for PrivateCluster {
    fn drop(&mut self) {
        let mut cmd = Command::new(cluster_script());
        cmd.arg("stop").arg(self.dir.path());
        let _ = run(cmd, b"", Duration::from_secs(60));
    }
}
