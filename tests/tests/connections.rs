//! Issue 9 item 2: connections belong to the person behind them, and the
//! account phase fails closed while the daemon is down (SPEC §13).

use std::time::Duration;

use monban_e2e::sshd::{Sshd, unavailable};
use monban_e2e::{DAEMON, Harness, NOBODY, Proc, artefact};

monban_e2e::connection_holder!();

const PW: &str = "Correct-Horse-1";
const DAEMON_PW: &str = "Admin-Login-Pass-1";
const SMALL: &str = "[daemon]\nmax_connections = 8\nmax_connections_per_user = 2\n";

/// What a driver left at its password prompt did first: `Some(true)` when
/// it reached the prompt (and so holds a connection), `Some(false)` when it
/// finished without one.
fn reached_prompt(p: &mut Proc) -> Option<bool> {
    while let Some(line) = p.recv_line(Duration::from_secs(30)) {
        let Ok(ev) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        match ev["event"].as_str() {
            Some("prompt") => return Some(true),
            Some("result") => return Some(false),
            _ => {}
        }
    }
    None
}

// ---------------------------------------------------------------- connections by real uid

#[test]
fn setuid_prompts_started_by_one_user_hold_only_that_users_share() {
    let h = Harness::with_config(SMALL);
    h.add_user("alice", PW);
    h.add_user("daemon", DAEMON_PW);

    // The attack: nobody starts more `su`-like programs (effective uid 0,
    // real uid nobody) than the daemon has connections, each left at its
    // password prompt.
    let mut attackers: Vec<Proc> = (0..10)
        .map(|_| h.pam("alice").ops(&["auth"]).spawn_setuid_from(NOBODY))
        .collect();
    let reached: Vec<Option<bool>> = attackers.iter_mut().map(reached_prompt).collect();
    let held = reached.iter().filter(|r| **r == Some(true)).count();
    assert_eq!(
        held,
        2,
        "nobody's setuid prompts hold nobody's share only: {reached:?}\n{}",
        h.daemon_log()
    );
    assert!(
        h.daemon_log().contains("too many connections"),
        "the extra ones were refused at once\n{}",
        h.daemon_log()
    );

    // Control: root's own login (real uid 0) and another user's request
    // are still served while nobody's prompts wait.
    h.assert_serves_login("alice", PW, "nobody's setuid prompts took their share");
    let own = h
        .pam("daemon")
        .ops(&["auth"])
        .as_account(DAEMON)
        .answers(&[DAEMON_PW])
        .run();
    own.expect("auth", "PAM_SUCCESS");
    // nobody's own plain connection is over nobody's share: Busy.
    let extra = h.hold_connections(NOBODY, 1);
    assert_eq!(
        extra.replies[0]["msg"]["error"]["code"].as_str(),
        Some("busy"),
        "nobody has no slot left, and is told Busy at once: {:?}",
        extra.replies
    );
    extra.release();

    for p in attackers {
        p.finish(Duration::from_secs(30));
    }
    // Once nobody's prompts are gone, nobody is served again.
    let again = h.hold_connections(NOBODY, 1);
    assert_eq!(again.open(), 1, "{:?}", again.replies);
}

// ---------------------------------------------------------------- fail closed

/// The account lines of a shipped service file, with `pam_monban.so`
/// pointed at the built module and this daemon's socket; pam_unix,
/// pam_deny and pam_permit are the system's.
fn shipped_account_stack(file: &str) -> String {
    let path = format!("{}/../packaging/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let lines: Vec<String> = if file.starts_with("pam-configs/") {
        // pam-auth-update puts the profile's Account: line after the
        // primary block of common-account.
        let profile = text
            .lines()
            .skip_while(|l| *l != "Account:")
            .nth(1)
            .unwrap_or_else(|| panic!("{path} has an Account: line"))
            .trim()
            .to_string();
        vec![
            "[success=1 new_authtok_reqd=done default=ignore] pam_unix.so".into(),
            "requisite pam_deny.so".into(),
            "required pam_permit.so".into(),
            profile,
        ]
        .into_iter()
        .map(|l| format!("account {l}"))
        .collect()
    } else {
        text.lines()
            .filter(|l| l.starts_with("account"))
            .map(str::to_string)
            .collect()
    };
    assert!(
        lines.iter().any(|l| l.contains("pam_monban.so")),
        "{path} has a monban account line"
    );
    let mut stack = lines
        .join("\n")
        .replace("pam_monban.so", "{module} socket={socket}");
    stack.push('\n');
    stack
}

const SHIPPED: [&str; 3] = ["pam.d/sshd", "pam.d/login", "pam-configs/monban"];

#[test]
fn with_the_daemon_down_the_shipped_account_stacks_refuse_everyone_but_root() {
    let mut h = Harness::new();
    h.add_user("nobody", PW);

    // Control: with the daemon up, a managed user in good standing and
    // root (not managed) pass the account phase.
    for file in SHIPPED {
        let stack = shipped_account_stack(file);
        for user in ["nobody", "root"] {
            let out = h.pam(user).ops(&["acct"]).stack(&stack).run();
            assert_eq!(
                out.result("acct").as_deref(),
                Some("PAM_SUCCESS"),
                "{file}, daemon up, {user}\n{}",
                out.transcript()
            );
        }
    }

    // The attack's end state: the daemon cannot answer (stopped here; a
    // flood of connections gives the same "unavailable").
    h.stop();
    for file in SHIPPED {
        let stack = shipped_account_stack(file);
        let refused = h.pam("nobody").ops(&["acct"]).stack(&stack).run();
        let code = refused.result("acct");
        assert!(
            code.is_some() && code.as_deref() != Some("PAM_SUCCESS"),
            "{file}: a managed user is refused in the account phase (public-key \
             logins skip auth)\n{}",
            refused.transcript()
        );
        assert!(
            refused.messages().contains("systemctl status monban-authd"),
            "{file}: the user is told why and what to do\n{}",
            refused.transcript()
        );
        let root = h.pam("root").ops(&["acct"]).stack(&stack).run();
        assert_eq!(
            root.result("acct").as_deref(),
            Some("PAM_SUCCESS"),
            "{file}: root still gets in to repair the daemon\n{}",
            root.transcript()
        );
    }
}

/// A public-key ssh login skips the auth stack; with the daemon unreachable
/// the shipped sshd account lines must still refuse a managed user.
#[test]
fn with_the_daemon_unreachable_a_public_key_ssh_login_is_refused() {
    if let Some(why) = unavailable() {
        eprintln!("SKIPPED: sshd tests need OpenSSH and libpam_wrapper: {why}");
        return;
    }
    let h = Harness::new();
    h.add_user("nobody", PW);
    let sshd = Sshd::start(&h, "AuthenticationMethods publickey\n");
    // The shipped account lines replace the harness's stack.
    let stack = shipped_account_stack("pam.d/sshd")
        .replace(
            "{module}",
            &artefact("libpam_monban.so").display().to_string(),
        )
        .replace("{socket}", &h.socket().display().to_string())
        + "session  required pam_permit.so\n";
    let service_file = h
        .dir()
        .join(sshd.service())
        .join("pam.d")
        .join(sshd.service());
    std::fs::write(&service_file, stack).expect("write the sshd PAM stack");
    let key = sshd.authorize_new_key();

    // Control: daemon answering, a managed user in good standing gets in.
    let before = sshd.login("nobody").key(&key).run();
    assert!(before.logged_in(), "{}", before.transcript());

    // The daemon unreachable: its socket is gone from where the module
    // looks (as when the daemon is stopped).
    let away = h.socket().with_extension("away");
    std::fs::rename(h.socket(), &away).expect("move the socket away");
    let out = sshd.login("nobody").key(&key).run();
    std::fs::rename(&away, h.socket()).expect("put the socket back");
    assert!(!out.logged_in(), "{}", out.transcript());
    assert!(
        out.sshd_log
            .contains("Access denied for user nobody by PAM account configuration"),
        "the key was fine; PAM account management refused\n{}",
        out.transcript()
    );

    let after = sshd.login("nobody").key(&key).run();
    assert!(after.logged_in(), "daemon back: {}", after.transcript());
}
