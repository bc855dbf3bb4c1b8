//! Connections held open by another uid: the test binary re-runs itself
//! as that uid through an ignored test that [`connection_holder!`] defines.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::process::Command;
use std::time::Duration;

use serde_json::Value;

use crate::harness::{Account, Harness, PROCESS_LIMIT};
use crate::process::{Proc, drop_to};
use crate::raw::{frame, read_raw_frame};

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
    let ping = frame(br#"{"v":2,"msg":"ping"}"#);
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
    /// whole envelope, e.g. `{"v":2,"msg":"pong"}`; Null when none came).
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
