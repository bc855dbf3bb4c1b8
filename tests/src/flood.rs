//! Requests sent in bulk by another uid: the test binary re-runs itself as
//! that uid through an ignored test that [`flooder!`] defines, so the
//! daemon sees the kernel's word for who is asking.

use std::process::Command;
use std::time::Duration;

use monban_proto::{Client, CredentialKind, PamContext, Request, Response, Secret, Timeouts};
use serde_json::Value;

use crate::harness::{Account, Harness, PROCESS_LIMIT};
use crate::process::{Proc, drop_to};

const FLOOD_MARK: &str = "monban-e2e-flood ";
const FLOOD_SOCKET: &str = "MONBAN_E2E_FLOOD_SOCKET";
const FLOOD_PLAN: &str = "MONBAN_E2E_FLOOD_PLAN";
const FLOODER_TEST: &str = "monban_e2e_flooder";

/// Defines the (ignored) test through which [`Harness::flood`] re-runs the
/// calling test binary as another uid. Invoke once in each test file that
/// floods.
#[macro_export]
macro_rules! flooder {
    () => {
        /// Not a test: the child process of `Harness::flood` (does
        /// nothing without its environment).
        #[test]
        #[ignore = "helper process for Harness::flood"]
        fn monban_e2e_flooder() {
            $crate::flooder_main();
        }
    };
}

/// What to send: `sessions` OpenSession+CloseSession pairs for `user`
/// from `rhost`/`tty`, then `logins` AuthStart+AuthAnswer with `password`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct FloodPlan {
    pub user: String,
    pub sessions: usize,
    pub rhost: String,
    pub tty: String,
    pub logins: usize,
    pub password: String,
}

/// How the daemon answered, by kind (`done`, `auth`, `error:<code>`, …),
/// and the first error message seen.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct FloodReport {
    pub answers: std::collections::BTreeMap<String, usize>,
    pub first_error: Option<String>,
}

impl FloodReport {
    pub fn count(&self, kind: &str) -> usize {
        self.answers.get(kind).copied().unwrap_or(0)
    }
}

fn kind(r: &Result<Response, monban_proto::ClientError>) -> (String, Option<String>) {
    let code = |c: monban_proto::ErrorCode| {
        format!("error:{}", serde_json::to_value(c).unwrap_or(Value::Null)).replace('"', "")
    };
    match r {
        Ok(Response::Done { .. }) => ("done".into(), None),
        Err(monban_proto::ClientError::Refused(e)) => (code(e.code), Some(e.message.text.clone())),
        Ok(Response::Auth(_)) => ("auth".into(), None),
        Ok(Response::Error(e)) => (code(e.code), Some(e.message.text.clone())),
        Ok(other) => (format!("{other:?}").chars().take(20).collect(), None),
        Err(e) => ("client_error".into(), Some(e.to_string())),
    }
}

/// Body of the flooder process.
pub fn flooder_main() {
    let (Ok(socket), Ok(plan)) = (std::env::var(FLOOD_SOCKET), std::env::var(FLOOD_PLAN)) else {
        return;
    };
    let plan: FloodPlan = serde_json::from_str(&plan).expect("flood plan");
    let socket = std::path::PathBuf::from(socket);
    let connect = || Client::connect(&socket, Timeouts::default()).expect("connect");
    let mut report = FloodReport::default();
    let note = |r: Result<Response, monban_proto::ClientError>, report: &mut FloodReport| {
        let (k, msg) = kind(&r);
        *report.answers.entry(k).or_default() += 1;
        if report.first_error.is_none() {
            report.first_error = msg;
        }
        r.is_ok()
    };
    let ctx = PamContext {
        user: plan.user.clone(),
        service: "forged".into(),
        tty: Some(plan.tty.clone()),
        rhost: Some(plan.rhost.clone()),
    };
    let mut c = connect();
    for _ in 0..plan.sessions {
        for req in [
            Request::OpenSession { ctx: ctx.clone() },
            Request::CloseSession { ctx: ctx.clone() },
        ] {
            if !note(c.call(&req), &mut report) {
                c = connect();
            }
        }
    }
    for _ in 0..plan.logins {
        let mut c = connect();
        let start = Request::AuthStart {
            ctx: ctx.clone(),
            credential: CredentialKind::Login,
        };
        let started = c.call(&start);
        let prompted = matches!(started, Ok(Response::Auth(_)));
        note(started, &mut report);
        if prompted {
            let answer = Request::AuthAnswer {
                answer: Secret::new(plan.password.clone()),
            };
            note(c.call(&answer), &mut report);
        }
    }
    println!(
        "{FLOOD_MARK}{}",
        serde_json::to_string(&report).expect("report")
    );
}

impl Harness {
    /// Sends `plan` as `account` and returns how the daemon answered. The
    /// calling test file must invoke [`flooder!`].
    pub fn flood(&self, account: Account, plan: &FloodPlan) -> FloodReport {
        let exe = std::env::current_exe().expect("the test binary's path");
        let mut cmd = Command::new(exe);
        cmd.args([
            FLOODER_TEST,
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(FLOOD_SOCKET, &self.socket)
        .env(FLOOD_PLAN, serde_json::to_string(plan).expect("plan"));
        drop_to(&mut cmd, Some(account));
        let out = Proc::spawn(cmd).finish(PROCESS_LIMIT.max(Duration::from_secs(300)));
        let line = out
            .stdout
            .lines()
            .find_map(|l| {
                l.find(FLOOD_MARK)
                    .map(|at| l[at + FLOOD_MARK.len()..].to_string())
            })
            .unwrap_or_else(|| {
                panic!(
                    "the flooder reported nothing (does this test file invoke \
                     `monban_e2e::flooder!()`?)\n--- stdout\n{}\n--- stderr\n{}",
                    out.stdout, out.stderr
                )
            });
        serde_json::from_str(&line).expect("flood report")
    }

    /// Rows in the audit trail, read behind the daemon's back.
    pub fn audit_rows(&self) -> i64 {
        let db = rusqlite::Connection::open_with_flags(
            self.database(),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .expect("open the database read-only");
        db.query_row("SELECT COUNT(*) FROM audit", [], |r| r.get(0))
            .expect("count audit rows")
    }
}
