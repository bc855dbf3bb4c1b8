//! `monban` CLI runs and reading its JSON output.

use std::process::Command;

use serde_json::Value;

use crate::harness::{Account, Harness, PROCESS_LIMIT, artefact};
use crate::process::{Output, Proc, drop_to, run};

impl Harness {
    /// The `monban` CLI with `--config` this harness's config.
    pub fn cli(&self, args: &[&str]) -> CliRun<'_> {
        CliRun {
            h: self,
            args: args.iter().map(|s| s.to_string()).collect(),
            stdin: String::new(),
            account: None,
            json: false,
            env: Vec::new(),
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

    /// `monban passwd --confirm` as `account` (first setting: its login
    /// password, then the new confirmation password twice); asserts success.
    pub fn set_confirmation_password(&self, account: Account, login: &str, confirm: &str) {
        self.cli(&["passwd", "--confirm"])
            .as_account(account)
            .stdin_lines(&[login, confirm, confirm])
            .run()
            .assert_exit(0, &format!("{} sets a confirmation password", account.name));
    }

    /// The `monban status USER --json` entry of one of `user`'s
    /// credentials (`login`, `confirm`, `otp`), read as root.
    pub fn credential(&self, user: &str, kind: &str) -> Value {
        let out = self.cli(&["status", user]).json().run();
        out.assert_exit(0, &format!("status {user}"));
        let v = out.json();
        let entry = user_entry(&v, user).unwrap_or_else(|| panic!("status of {user}: {v}"));
        entry["credentials"]
            .as_array()
            .and_then(|a| a.iter().find(|c| c["kind"].as_str() == Some(kind)))
            .cloned()
            .unwrap_or_else(|| panic!("no {kind} credential in {entry}"))
    }

    /// The failure count of one of `user`'s credentials.
    pub fn failures(&self, user: &str, kind: &str) -> u64 {
        self.credential(user, kind)["failures"]
            .as_u64()
            .expect("failures")
    }

    /// Whether one of `user`'s credentials is suspended.
    pub fn locked(&self, user: &str, kind: &str) -> bool {
        self.credential(user, kind)["locked"]
            .as_bool()
            .expect("locked")
    }
}

/// Builder for one `monban` CLI run.
pub struct CliRun<'h> {
    h: &'h Harness,
    args: Vec<String>,
    stdin: String,
    account: Option<Account>,
    json: bool,
    env: Vec<(String, String)>,
}

impl CliRun<'_> {
    /// Sets an environment variable for the CLI.
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.to_string(), value.to_string()));
        self
    }

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
        // Only what a test names: the suite's own locale must not leak in.
        for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            cmd.env_remove(var);
        }
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)));
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
