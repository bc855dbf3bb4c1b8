//! PAM transactions through `monban-pam-driver` and what they showed.

use std::fmt::Write as _;
use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use serde_json::Value;

use crate::harness::{Account, Harness, PROCESS_LIMIT, artefact};
use crate::process::{Output, Proc, drop_to, run};

impl Harness {
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
            pam_env: Vec::new(),
            process_env: Vec::new(),
            wrapper: Vec::new(),
        }
    }

    /// The default `auth acct` transaction as root, answering the one
    /// password prompt with `password`.
    pub fn login(&self, user: &str, password: &str) -> PamOutcome {
        self.pam(user).answers(&[password]).run()
    }

    /// `n` logins of `user` with the wrong password `wrong`, each asserted
    /// to be refused.
    #[track_caller]
    pub fn fail_logins(&self, user: &str, wrong: &str, n: usize) {
        for i in 0..n {
            let out = self.login(user, wrong);
            assert_eq!(
                out.result("auth").as_deref(),
                Some("PAM_AUTH_ERR"),
                "wrong attempt {} of {n}\n{}",
                i + 1,
                out.transcript()
            );
        }
    }

    /// Asserts that `user`'s login with `password` is refused as suspended,
    /// with a message that says so and who can release it.
    #[track_caller]
    pub fn assert_locked_out(&self, user: &str, password: &str) {
        let out = self.login(user, password);
        out.expect("auth", "PAM_AUTH_ERR");
        let text = out.messages();
        assert!(
            text.contains("suspended") && text.contains("administrator"),
            "a suspended user is told so and who can release it\n{}",
            out.transcript()
        );
    }

    /// `pam_acct_mgmt` alone for `user`, as root (as sshd does after a
    /// public-key login: no `pam_authenticate`).
    pub fn account_check(&self, user: &str) -> PamOutcome {
        self.pam(user).ops(&["acct"]).run()
    }

    /// Asserts that `user` can still log in with `password` (after `what`
    /// was done to the daemon).
    #[track_caller]
    pub fn assert_serves_login(&self, user: &str, password: &str, what: &str) {
        let out = self.login(user, password);
        assert_eq!(
            out.result("auth").as_deref(),
            Some("PAM_SUCCESS"),
            "after {what} the daemon must still serve a login\n{}",
            out.transcript()
        );
    }
}

/// Answers, by prompt, of a login that may have to change its password on
/// the way (from `old` to `new`), for [`PamRun::run_answering`].
pub fn change_flow<'a>(old: &'a str, new: &'a str) -> [(&'a str, &'a str); 4] {
    [
        ("Password: ", old),
        ("Current password: ", old),
        ("New password: ", new),
        ("Retype new password: ", new),
    ]
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
    pam_env: Vec<String>,
    process_env: Vec<(String, String)>,
    /// A program (and its arguments) the driver runs under, e.g. a
    /// private mount namespace (`NssNamespace::prefix`).
    wrapper: Vec<String>,
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

    /// A variable of the PAM environment (`pam_putenv` before the ops).
    pub fn pam_env(mut self, name: &str, value: &str) -> Self {
        self.pam_env.push(format!("{name}={value}"));
        self
    }

    /// A variable of the environment of the process running the stack
    /// (`su`, `sudo`, a screen locker started in the user's locale).
    pub fn wrapped_in(mut self, argv: &[String]) -> Self {
        self.wrapper = argv.to_vec();
        self
    }

    pub fn process_env(mut self, name: &str, value: &str) -> Self {
        self.process_env.push((name.into(), value.into()));
        self
    }

    pub(crate) fn prepare(&self) -> (Command, String) {
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

        let driver = artefact("monban-pam-driver");
        let mut cmd = match self.wrapper.split_first() {
            Some((program, args)) => {
                let mut c = Command::new(program);
                c.args(args).arg(driver);
                c
            }
            None => Command::new(driver),
        };
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
        for pair in &self.pam_env {
            cmd.args(["--pam-env", pair]);
        }
        // Only what a test names: the suite's own locale must not leak in.
        for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            cmd.env_remove(var);
        }
        cmd.envs(self.process_env.iter().map(|(k, v)| (k, v)));
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

    /// Asserts that `other` showed the user exactly what this transaction
    /// did (prompts and their echo, infos, errors): a refusal given alike
    /// to two different answers tells nothing about which was given.
    #[track_caller]
    pub fn assert_same_conversation(&self, other: &PamOutcome) {
        assert_eq!(
            self.prompts_with_echo(),
            other.prompts_with_echo(),
            "prompts differ\nfirst:\n{}\nsecond:\n{}",
            self.transcript(),
            other.transcript()
        );
        assert_eq!(
            self.infos(),
            other.infos(),
            "infos differ\nfirst:\n{}\nsecond:\n{}",
            self.transcript(),
            other.transcript()
        );
        assert_eq!(
            self.errors(),
            other.errors(),
            "errors differ\nfirst:\n{}\nsecond:\n{}",
            self.transcript(),
            other.transcript()
        );
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
