//! The `ssh` client side: one login answering keyboard-interactive prompts
//! by their text (through the askpass script), and what it showed.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::Ordering;

use super::{LOGIN_LIMIT, SSH, Sshd, write_file};
use crate::{Output, run};

/// Builder for one ssh client run.
pub struct SshLogin<'s, 'h> {
    pub(super) sshd: &'s Sshd<'h>,
    pub(super) user: String,
    pub(super) answers: Vec<(String, String)>,
    pub(super) key: Option<PathBuf>,
}

impl SshLogin<'_, '_> {
    /// Answers the prompt whose last line is exactly `prompt` (e.g.
    /// `"Password: "`) with `answer`. Without any answer the login is
    /// keyboard-interactive with no known prompt.
    pub fn answer(mut self, prompt: &str, answer: &str) -> Self {
        assert!(
            !prompt.contains(['\t', '\n']) && !answer.contains(['\t', '\n']),
            "prompts and answers are table cells"
        );
        self.answers.push((prompt.to_string(), answer.to_string()));
        self
    }

    /// Answers `prompt` with what `file` holds when the prompt comes: the
    /// test writes it meanwhile (e.g. a code mailed during the login).
    pub fn answer_from_file(self, prompt: &str, file: &Path) -> Self {
        let path = file.to_str().expect("a UTF-8 path");
        self.answer(prompt, &format!("<{path}"))
    }

    /// Public-key authentication with this private key only (no
    /// keyboard-interactive).
    pub fn key(mut self, private_key: &Path) -> Self {
        self.key = Some(private_key.to_path_buf());
        self
    }

    pub fn run(self) -> SshOutcome {
        let s = self.sshd;
        let n = s.logins.fetch_add(1, Ordering::Relaxed);
        let table = s.dir.join(format!("answers_{n}"));
        let prompt_log = s.dir.join(format!("prompts_{n}"));
        let mut text = String::new();
        for (p, a) in &self.answers {
            let _ = writeln!(text, "{p}\t{a}");
        }
        write_file(&table, &text, 0o600);
        let log_before = s.log().len();

        let mut cmd = Command::new(SSH);
        // -F /dev/null: no user or system client configuration; -tt: a
        // remote pty, so sshd shows the session messages.
        cmd.args(["-F", "/dev/null", "-tt", "-p", &s.port.to_string()])
            .args(["-o", "StrictHostKeyChecking=no"])
            .args(["-o", "UserKnownHostsFile=/dev/null"])
            .args(["-o", "GlobalKnownHostsFile=/dev/null"])
            .args(["-o", "ConnectTimeout=10"])
            // One PAM conversation per ssh run: no client-side retry.
            .args(["-o", "NumberOfPasswordPrompts=1"]);
        match &self.key {
            Some(key) => {
                cmd.args(["-o", "PreferredAuthentications=publickey"])
                    .args(["-o", "IdentitiesOnly=yes", "-i"])
                    .arg(key);
            }
            None => {
                cmd.args(["-o", "PreferredAuthentications=keyboard-interactive"]);
            }
        }
        cmd.arg(format!("{}@127.0.0.1", self.user))
            .env_remove("SSH_AUTH_SOCK")
            .env_remove("DISPLAY")
            .env("SSH_ASKPASS", s.dir.join("askpass"))
            .env("SSH_ASKPASS_REQUIRE", "force")
            .env("MONBAN_ASKPASS_TABLE", &table)
            .env("MONBAN_ASKPASS_LOG", &prompt_log);
        let output = run(cmd, b"", LOGIN_LIMIT);
        let prompts = std::fs::read_to_string(&prompt_log)
            .unwrap_or_default()
            .split('\u{1e}')
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect();
        let log = s.log();
        SshOutcome {
            output,
            prompts,
            sshd_log: log.get(log_before..).unwrap_or(&log).to_string(),
            daemon_log: s.h.daemon_log(),
            service: s.service.clone(),
        }
    }
}

/// What one ssh login did.
#[derive(Debug)]
pub struct SshOutcome {
    /// ssh's exit status, stdout (the remote pty) and stderr (its own
    /// messages, including PAM text sent without a prompt).
    pub output: Output,
    /// Each prompt as the client received it, PAM info text included.
    pub prompts: Vec<String>,
    /// What sshd logged during this login.
    pub sshd_log: String,
    daemon_log: String,
    service: String,
}

impl SshOutcome {
    /// The last line of each prompt, without ssh's `(user@host) ` prefix:
    /// `["Password: ", "One-time password: "]`.
    pub fn prompt_lines(&self) -> Vec<String> {
        self.prompts
            .iter()
            .map(|p| {
                let last = p.rsplit('\n').next().unwrap_or(p);
                match (last.starts_with('('), last.find(") ")) {
                    (true, Some(i)) => last[i + 2..].to_string(),
                    _ => last.to_string(),
                }
            })
            .collect()
    }

    /// Authentication and account management passed and a session ran:
    /// ssh exits 255 only for its own failures (refused, disconnected);
    /// otherwise it returns the remote shell's status.
    pub fn logged_in(&self) -> bool {
        self.output.code() != 255
    }

    /// Everything the user saw: prompts, remote output, ssh's messages.
    pub fn seen(&self) -> String {
        format!(
            "{}\n{}\n{}",
            self.prompts.join("\n"),
            self.output.stdout,
            self.output.stderr
        )
    }

    /// A readable dump for assertion messages.
    pub fn transcript(&self) -> String {
        let tail = |s: &str| {
            let lines: Vec<&str> = s.lines().collect();
            lines[lines.len().saturating_sub(30)..].join("\n")
        };
        format!(
            "--- ssh exit {}\n--- prompts (PAM service {})\n{}\n--- ssh stdout\n{}\n--- ssh stderr\n{}\n--- sshd log\n{}\n--- daemon log (tail)\n{}",
            self.output.code(),
            self.service,
            self.prompts.join("\n~~~\n"),
            self.output.stdout,
            self.output.stderr,
            self.sshd_log,
            tail(&self.daemon_log)
        )
    }
}
