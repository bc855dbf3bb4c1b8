//! Child processes: bounded runs, line-by-line exchanges, dropped uids.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::harness::Account;

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

pub(crate) fn drop_to(cmd: &mut Command, account: Option<Account>) {
    if let Some(a) = account {
        // std clears supplementary groups (setgroups(0)) when root sets a uid.
        cmd.uid(a.uid).gid(a.gid);
        cmd.env("HOME", "/")
            .env("USER", a.name)
            .env("LOGNAME", a.name);
    }
}
