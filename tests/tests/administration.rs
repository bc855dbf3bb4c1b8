//! Issue 4: administration, end to end: releasing suspended users, the
//! administrator's step-up, accounts only root may manage, and the audit
//! trail. Suspension itself is in `lockout.rs`.

use std::collections::BTreeSet;

use monban_e2e::{DAEMON, Harness, NOBODY, Output, users_in};

const PW: &str = "Correct-Horse-1";
const WRONG: &str = "Wrong-Horse-9";
const ADMIN_PW: &str = "Admin-Login-Pass-1";
const ADMIN_CONFIRM: &str = "Admin-Confirm-Pass-2";

/// The `daemon` account as an administrator with both passwords set.
fn setup_admin(h: &Harness) {
    h.add_user("daemon", ADMIN_PW);
    h.set_confirmation_password(DAEMON, ADMIN_PW, ADMIN_CONFIRM);
}

/// An admin command run by `daemon`, step-up first.
fn as_admin(h: &Harness, args: &[&str], step_up: &str) -> Output {
    h.cli(args)
        .as_account(DAEMON)
        .stdin_lines(&[step_up])
        .json()
        .run()
}

// ---------------------------------------------------------------- release by administrators

#[test]
fn root_releases_one_user_then_several() {
    let h = Harness::with_config("[lockout]\nmax_failures = 2\n");
    for u in ["alice", "bob", "carol"] {
        h.add_user(u, PW);
        h.fail_logins(u, WRONG, 2);
    }
    let locked_list = h.cli(&["user", "list", "--locked"]).json().run();
    locked_list.assert_exit(0, "user list --locked");
    let names: BTreeSet<_> = users_in(&locked_list.json()).into_iter().collect();
    assert!(
        ["alice", "bob", "carol"].iter().all(|u| names.contains(*u)),
        "{names:?}"
    );

    h.cli(&["user", "unlock", "alice"])
        .run()
        .assert_exit(0, "unlock alice");
    h.login("alice", PW).expect("auth", "PAM_SUCCESS");
    h.assert_locked_out("bob", PW);

    h.cli(&["user", "unlock", "bob", "carol"])
        .run()
        .assert_exit(0, "unlock bob carol");
    h.login("bob", PW).expect("auth", "PAM_SUCCESS");
    h.login("carol", PW).expect("auth", "PAM_SUCCESS");
}

#[test]
fn unlock_all_releases_everyone_but_the_calling_administrator() {
    let h = Harness::with_config("[lockout]\nmax_failures = 2\n");
    setup_admin(&h);
    for u in ["alice", "bob"] {
        h.add_user(u, PW);
        h.fail_logins(u, WRONG, 2);
    }
    // A suspended administrator has no powers (privileged.rs); one with a
    // failure on record acts, and --all leaves that record alone.
    h.fail_logins("daemon", WRONG, 1);

    as_admin(&h, &["user", "unlock", "--all"], ADMIN_CONFIRM).assert_exit(0, "unlock --all");
    h.login("alice", PW).expect("auth", "PAM_SUCCESS");
    h.login("bob", PW).expect("auth", "PAM_SUCCESS");
    assert_eq!(h.failures("daemon", "login"), 1, "the caller's count stays");

    as_admin(&h, &["user", "unlock", "daemon"], ADMIN_CONFIRM)
        .assert_exit(1, "an administrator unlocking themself");
    assert_eq!(h.failures("daemon", "login"), 1);
    h.fail_logins("daemon", WRONG, 1);
    assert!(h.locked("daemon", "login"));

    // Root on the machine recovers the last administrator.
    h.cli(&["user", "unlock", "daemon"])
        .run()
        .assert_exit(0, "root unlocks daemon");
    h.login("daemon", ADMIN_PW).expect("auth", "PAM_SUCCESS");
}

#[test]
fn unlock_can_select_one_credential() {
    let h = Harness::with_config("[lockout]\nmax_failures = 2\n");
    h.add_user("nobody", PW);
    h.set_confirmation_password(NOBODY, PW, "Second-Secret-4");
    h.fail_logins("nobody", WRONG, 2);
    for _ in 0..2 {
        h.pam("nobody")
            .module_args(&["credential=confirm"])
            .answers(&[WRONG])
            .run()
            .expect("auth", "PAM_AUTH_ERR");
    }
    assert!(h.locked("nobody", "login") && h.locked("nobody", "confirm"));
    h.cli(&["user", "unlock", "nobody", "--credential", "confirm"])
        .run()
        .assert_exit(0, "unlock --credential confirm");
    assert!(h.locked("nobody", "login"), "login stays suspended");
    assert!(!h.locked("nobody", "confirm"));
}

#[test]
fn non_admin_user_cannot_unlock_anyone_including_themself() {
    let h = Harness::with_config("[lockout]\nmax_failures = 2\n");
    h.add_user("alice", PW);
    h.add_user("nobody", PW);
    h.fail_logins("alice", WRONG, 2);
    h.fail_logins("nobody", WRONG, 2);
    for target in ["alice", "nobody"] {
        h.cli(&["user", "unlock", target])
            .as_account(NOBODY)
            .stdin_lines(&[PW])
            .run()
            .assert_exit(1, &format!("nobody unlocking {target}"));
    }
    h.cli(&["user", "unlock", "--all"])
        .as_account(NOBODY)
        .stdin_lines(&[PW])
        .run()
        .assert_exit(1, "nobody unlocking --all");
    h.assert_locked_out("alice", PW);
    h.assert_locked_out("nobody", PW);
}

// ---------------------------------------------------------------- step-up

#[test]
fn administrator_needs_a_step_up() {
    let h = Harness::new();
    setup_admin(&h);
    h.add_user("alice", PW);
    let none = h.cli(&["user", "list"]).as_account(DAEMON).run();
    none.assert_exit(1, "user list as daemon without a step-up");
    assert!(
        none.stderr.to_lowercase().contains("confirmation"),
        "the refusal names the confirmation password: {}",
        none.stderr
    );
    let ok = as_admin(&h, &["user", "list"], ADMIN_CONFIRM);
    ok.assert_exit(0, "user list with the step-up");
    assert!(users_in(&ok.json()).contains(&"alice".into()));
}

#[test]
fn administrator_can_manage_users_after_step_up() {
    let h = Harness::new();
    setup_admin(&h);
    h.cli(&["user", "add", "eve", "--password-stdin"])
        .as_account(DAEMON)
        .stdin_lines(&[ADMIN_CONFIRM, PW])
        .run()
        .assert_exit(0, "daemon adds eve");
    h.login("eve", PW).expect("auth", "PAM_SUCCESS");
    as_admin(&h, &["status", "eve"], ADMIN_CONFIRM).assert_exit(0, "status eve");
    as_admin(&h, &["user", "disable", "eve"], ADMIN_CONFIRM).assert_exit(0, "disable eve");
    h.account_check("eve").expect("acct", "PAM_ACCT_EXPIRED");
}

#[test]
fn a_wrong_step_up_counts_against_the_administrators_confirmation_password() {
    let h = Harness::with_config("[lockout]\nmax_failures = 3\n");
    setup_admin(&h);
    as_admin(&h, &["user", "list"], WRONG).assert_exit(1, "wrong step-up");
    assert_eq!(h.failures("daemon", "confirm"), 1);
    assert_eq!(h.failures("daemon", "login"), 0, "login counter untouched");
    as_admin(&h, &["user", "list"], WRONG).assert_exit(1, "wrong step-up");
    as_admin(&h, &["user", "list"], WRONG).assert_exit(1, "wrong step-up");
    assert!(h.locked("daemon", "confirm"));
    as_admin(&h, &["user", "list"], ADMIN_CONFIRM)
        .assert_exit(1, "a suspended confirmation password cannot step up");
    // Their everyday login is not suspended by it.
    h.login("daemon", ADMIN_PW).expect("auth", "PAM_SUCCESS");
}

#[test]
fn administrator_cannot_reset_their_own_password_through_the_admin_path() {
    let h = Harness::new();
    setup_admin(&h);
    h.cli(&["user", "reset", "daemon", "--password-stdin"])
        .as_account(DAEMON)
        .stdin_lines(&[ADMIN_CONFIRM, "Self-Reset-Pass-3"])
        .run()
        .assert_exit(1, "an administrator resetting themself");
    h.login("daemon", ADMIN_PW).expect("auth", "PAM_SUCCESS");
}

// ---------------------------------------------------------------- accounts only root may manage

fn assert_only_root_may_manage(out: &Output, what: &str) {
    out.assert_exit(1, what);
    let text = format!("{}{}", out.stdout, out.stderr);
    assert!(
        text.contains("only root may manage"),
        "{what}: the refusal says why:\n{text}"
    );
}

#[test]
fn an_administrator_cannot_manage_root() {
    let h = Harness::new();
    setup_admin(&h);
    let add = h
        .cli(&["user", "add", "root", "--password-stdin"])
        .as_account(DAEMON)
        .stdin_lines(&[ADMIN_CONFIRM, "Chosen-By-Admin-5"])
        .run();
    assert_only_root_may_manage(&add, "daemon adding root");
    h.login("root", "Chosen-By-Admin-5")
        .expect("auth", "PAM_USER_UNKNOWN");

    h.add_user("root", PW);
    for args in [
        &["user", "reset", "root"][..],
        &["user", "disable", "root"],
        &["user", "remove", "root"],
        &["otp", "reset", "root"],
    ] {
        let out = as_admin(&h, args, ADMIN_CONFIRM);
        assert_only_root_may_manage(&out, &format!("daemon: monban {}", args.join(" ")));
    }
    let reset = h
        .cli(&["user", "reset", "root", "--password-stdin"])
        .as_account(DAEMON)
        .stdin_lines(&[ADMIN_CONFIRM, "Chosen-By-Admin-5"])
        .run();
    assert_only_root_may_manage(&reset, "daemon resetting root to a chosen password");
    h.login("root", PW)
        .expect("auth", "PAM_SUCCESS")
        .expect("acct", "PAM_SUCCESS");
}

/// A group (by name) whose members, primary or listed, include `nobody`
/// and at least one other account: (group, another member).
fn group_of_nobody_with_another_member() -> Option<(String, String)> {
    let group = nix::unistd::Group::from_gid(nix::unistd::Gid::from_raw(NOBODY.gid))
        .ok()
        .flatten()?;
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    let by_primary = passwd.lines().filter_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.len() > 3 && f[3] == NOBODY.gid.to_string()).then(|| f[0].to_string())
    });
    let other = by_primary
        .chain(group.mem.iter().cloned())
        .find(|u| u != NOBODY.name && u != "root")?;
    Some((group.name, other))
}

#[test]
fn an_administrator_cannot_manage_another_administrator_but_may_unlock_users() {
    // nobody's own group as admin_group: nobody and every other member of
    // it are administrators, with no change to /etc.
    let Some((group, peer)) = group_of_nobody_with_another_member() else {
        eprintln!("skipped: no group with nobody and another member on this machine");
        return;
    };
    let h = Harness::with_config(&format!(
        "[daemon]\nadmin_group = \"{group}\"\n[lockout]\nmax_failures = 2\n"
    ));
    h.add_user("nobody", PW);
    h.set_confirmation_password(NOBODY, PW, ADMIN_CONFIRM);
    let as_nobody = |args: &[&str], extra: &[&str]| {
        let mut lines = vec![ADMIN_CONFIRM];
        lines.extend_from_slice(extra);
        h.cli(args).as_account(NOBODY).stdin_lines(&lines).run()
    };
    let add = as_nobody(&["user", "add", &peer, "--password-stdin"], &[WRONG]);
    assert_only_root_may_manage(&add, &format!("nobody adding the administrator {peer}"));

    h.add_user(&peer, PW);
    h.add_user("alice", PW);
    for args in [
        &["user", "reset", &peer][..],
        &["user", "disable", &peer],
        &["user", "remove", &peer],
        &["otp", "reset", &peer],
    ] {
        let out = as_nobody(args, &[]);
        assert_only_root_may_manage(&out, &format!("nobody: monban {}", args.join(" ")));
    }
    h.login(&peer, PW)
        .expect("auth", "PAM_SUCCESS")
        .expect("acct", "PAM_SUCCESS");

    // Ordinary users remain the administrator's to manage.
    h.fail_logins("alice", WRONG, 2);
    assert!(h.locked("alice", "login"));
    as_nobody(&["user", "unlock", "alice"], &[]).assert_exit(0, "nobody unlocks alice");
    h.login("alice", PW).expect("auth", "PAM_SUCCESS");
    as_nobody(&["user", "disable", "alice"], &[]).assert_exit(0, "nobody disables alice");
}

// ---------------------------------------------------------------- audit trail

#[test]
fn audit_trail_records_logins_suspensions_and_admin_actions() {
    let h = Harness::with_config("[lockout]\nmax_failures = 2\n");
    h.add_user("alice", PW);
    h.pam("alice")
        .rhost("203.0.113.5")
        .answers(&[PW])
        .run()
        .expect("auth", "PAM_SUCCESS");
    h.fail_logins("alice", WRONG, 2);
    h.cli(&["user", "unlock", "alice"])
        .run()
        .assert_exit(0, "unlock");
    h.cli(&["user", "reset", "alice", "--password-stdin"])
        .stdin_lines(&["Reset-Pass-77"])
        .run()
        .assert_exit(0, "reset");
    h.cli(&["user", "disable", "alice"])
        .run()
        .assert_exit(0, "disable");

    let out = h.cli(&["log", "--user", "alice"]).json().run();
    out.assert_exit(0, "monban log");
    let entries = out.json();
    let entries = entries
        .as_array()
        .unwrap_or_else(|| panic!("log is a list: {}", out.stdout));
    let events: BTreeSet<&str> = entries.iter().filter_map(|e| e["event"].as_str()).collect();
    for want in ["auth_success", "auth_failure", "locked", "unlocked"] {
        assert!(events.contains(want), "no {want} in {events:?}");
    }
    let success = entries
        .iter()
        .find(|e| e["event"] == "auth_success")
        .expect("auth_success");
    assert_eq!(success["rhost"], "203.0.113.5", "{success}");
    assert!(
        success["service"]
            .as_str()
            .is_some_and(|s| s.starts_with("monban-test-")),
        "{success}"
    );
    let by_root = entries.iter().filter(|e| e["actor"] == "root").count();
    assert!(
        by_root >= 3,
        "unlock, reset and disable by root: {}",
        out.stdout
    );
    for secret in [PW, WRONG, "Reset-Pass-77"] {
        assert!(!out.stdout.contains(secret), "a secret in the audit log");
    }
    assert!(!h.daemon_log().contains("Reset-Pass-77"));
}

/// SPEC §9: every entry and session names the host whose daemon recorded
/// it (`[daemon] host_name`), so hosts sharing one store tell theirs apart.
#[test]
fn audit_entries_and_sessions_carry_the_host_name() {
    let h = Harness::with_config("[daemon]\nhost_name = \"reading-room-7\"\n");
    h.add_user("alice", PW);
    h.pam("alice")
        .ops(&["auth", "acct", "open"])
        .answers(&[PW])
        .run()
        .expect("auth", "PAM_SUCCESS");
    let out = h.cli(&["log", "--user", "alice"]).json().run();
    out.assert_exit(0, "monban log");
    let entries = out.json();
    let entries = entries.as_array().expect("a list");
    assert!(!entries.is_empty());
    for e in entries {
        assert_eq!(e["host"], "reading-room-7", "{e}");
    }
    let table = h.cli(&["log", "--user", "alice"]).run();
    table.assert_exit(0, "monban log (table)");
    assert!(table.stdout.contains("HOST"), "{}", table.stdout);
    assert!(table.stdout.contains("reading-room-7"), "{}", table.stdout);
    let status = h.cli(&["status", "alice"]).json().run();
    status.assert_exit(0, "monban status");
    assert_eq!(
        status.json()["last_login"]["host"],
        "reading-room-7",
        "{}",
        status.stdout
    );
}

#[test]
fn audit_log_is_for_administrators_only() {
    let h = Harness::new();
    h.add_user("nobody", PW);
    h.cli(&["log"])
        .as_account(NOBODY)
        .stdin_lines(&[PW])
        .run()
        .assert_exit(1, "log as nobody");
}
