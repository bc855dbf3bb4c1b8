//! Issue 3: the password rules, end to end: composition (the yamagishi
//! table, every failed rule at once, the library's rule, strength), history
//! and minimum age, and compliance of an old password at login. Temporary
//! passwords, expiry, deadlines and migration are in `lifecycle.rs`.

use monban_e2e::{Harness, NOBODY, PamOutcome, change_flow};
use serde_json::Value;

const INITIAL: &str = "Initial-Pass-1";

/// Root sets `user`'s password through pam_chauthtok.
fn root_chauthtok(h: &Harness, user: &str, new: &str) -> PamOutcome {
    h.pam(user)
        .ops(&["chauthtok"])
        .run_answering(&[("New password: ", new), ("Retype new password: ", new)])
}

/// `monban policy check USER --json` with a candidate: (exit code, report).
fn policy_check(h: &Harness, user: &str, candidate: &str) -> (i32, Value) {
    let out = h
        .cli(&["policy", "check", user])
        .json()
        .stdin_lines(&[candidate])
        .run();
    let code = out.code();
    assert!(
        code == 0 || code == 1,
        "policy check exit {code}: {}",
        out.stderr
    );
    (code, out.json())
}

fn failed_rules(report: &Value) -> Vec<String> {
    report["rules"]
        .as_array()
        .unwrap_or_else(|| panic!("report has rules: {report}"))
        .iter()
        .filter(|r| r["passed"] == Value::Bool(false))
        .map(|r| r["rule"].as_str().unwrap_or_default().to_string())
        .collect()
}

// ---------------------------------------------------------------- composition

/// SPEC §4, the yamagishi table, row by row through `monban policy check`.
#[test]
fn yamagishi_table_through_policy_check() {
    let h = Harness::new();
    h.add_user("yamagishi", INITIAL);
    for (candidate, accepted, failing) in [
        ("yamagishi001", false, vec!["username"]),
        ("Yamagishi001", false, vec!["username"]),
        ("yama001", false, vec!["min_length"]),
        ("yama1234", true, vec![]),
    ] {
        let (code, report) = policy_check(&h, "yamagishi", candidate);
        assert_eq!(
            code == 0,
            accepted,
            "{candidate}: exit {code}, report {report}"
        );
        assert_eq!(failed_rules(&report), failing, "{candidate}: {report}");
        let strength = report["strength"].as_u64().expect("strength score");
        assert!(strength <= 4, "{candidate}: strength {strength}");
    }
}

/// The same table through real pam_chauthtok: refusals change nothing and
/// say why; the accepted row becomes the password.
#[test]
fn yamagishi_table_through_pam_chauthtok() {
    let h = Harness::new();
    h.add_user("yamagishi", INITIAL);
    for (candidate, why) in [
        ("yamagishi001", "must not contain your login name"),
        ("Yamagishi001", "must not contain your login name"),
        ("yama001", "must be at least 8 characters"),
    ] {
        let out = root_chauthtok(&h, "yamagishi", candidate);
        out.expect("chauthtok", "PAM_AUTHTOK_ERR");
        assert!(
            out.messages().contains(why),
            "{candidate}: expected {why:?}\n{}",
            out.transcript()
        );
        h.login("yamagishi", candidate)
            .expect("auth", "PAM_AUTH_ERR");
    }
    root_chauthtok(&h, "yamagishi", "yama1234").expect("chauthtok", "PAM_SUCCESS");
    h.login("yamagishi", "yama1234")
        .expect("auth", "PAM_SUCCESS");
}

#[test]
fn a_refused_change_lists_every_failed_rule_at_once() {
    let h = Harness::new();
    h.add_user("yama", INITIAL);
    // Too short, one class only, and the login name itself.
    let (_, report) = policy_check(&h, "yama", "yama");
    let mut failed = failed_rules(&report);
    failed.sort();
    assert_eq!(
        failed,
        vec!["min_classes", "min_length", "username"],
        "{report}"
    );
    let out = root_chauthtok(&h, "yama", "yama");
    out.expect("chauthtok", "PAM_AUTHTOK_ERR");
    let text = out.messages();
    for why in [
        "must be at least 8 characters",
        "must not contain your login name",
        "must mix",
    ] {
        assert!(text.contains(why), "missing {why:?}\n{}", out.transcript());
    }
}

/// The library's rule (4–10 letters and digits) by configuration alone.
#[test]
fn library_rule_is_expressible_by_configuration_alone() {
    let h = Harness::with_config(
        "[password]\nmin_length = 4\nmax_length = 10\nallowed = \"alphanumeric\"\nmin_classes = 1\nreject_username = false\n",
    );
    h.add_user("patron", "lib1234");
    for (candidate, failing) in [
        ("abcd", vec![]),
        ("Library42", vec![]),
        ("abc", vec!["min_length"]),
        ("abcdefghijk", vec!["max_length"]),
        ("abc-1234", vec!["allowed"]),
    ] {
        let (code, report) = policy_check(&h, "patron", candidate);
        assert_eq!(failed_rules(&report), failing, "{candidate}: {report}");
        assert_eq!(code == 0, failing.is_empty(), "{candidate}: exit {code}");
    }
    root_chauthtok(&h, "patron", "abcd").expect("chauthtok", "PAM_SUCCESS");
    h.login("patron", "abcd").expect("auth", "PAM_SUCCESS");
    root_chauthtok(&h, "patron", "abc-1234").expect("chauthtok", "PAM_AUTHTOK_ERR");
}

#[test]
fn minimum_strength_is_enforced() {
    let h = Harness::with_config("[password]\nmin_strength = 3\n");
    h.add_user("alice", "Quartz-Vivid-Oboe-77");
    let (code, report) = policy_check(&h, "alice", "password1");
    assert_eq!(code, 1);
    assert!(
        failed_rules(&report).contains(&"strength".into()),
        "{report}"
    );
    root_chauthtok(&h, "alice", "password1").expect("chauthtok", "PAM_AUTHTOK_ERR");
    let (code, report) = policy_check(&h, "alice", "Tangerine-Ocelot-Harp-19");
    assert_eq!(code, 0, "{report}");
}

#[test]
fn policy_check_human_output_lists_rules_and_strength() {
    let h = Harness::new();
    h.add_user("yamagishi", INITIAL);
    let out = h
        .cli(&["policy", "check", "yamagishi"])
        .stdin_lines(&["yama001"])
        .run();
    out.assert_exit(1, "policy check of a too-short password");
    let text = out.stdout.to_lowercase();
    assert!(
        text.contains("fail") && text.contains("pass"),
        "{}",
        out.stdout
    );
    assert!(text.contains("strength"), "{}", out.stdout);
}

#[test]
fn root_gets_no_exemption_from_the_rules() {
    let h = Harness::new();
    h.add_user("alice", INITIAL);
    root_chauthtok(&h, "alice", "short").expect("chauthtok", "PAM_AUTHTOK_ERR");
    h.cli(&["user", "add", "bob", "--password-stdin"])
        .stdin_lines(&["bob"])
        .run()
        .assert_exit(1, "adding a user with a non-compliant password");
}

// ---------------------------------------------------------------- history and min_age

#[test]
fn history_refuses_a_recent_password() {
    let h = Harness::new();
    h.add_user("alice", INITIAL);
    root_chauthtok(&h, "alice", "Second-Pass-2").expect("chauthtok", "PAM_SUCCESS");
    let out = root_chauthtok(&h, "alice", INITIAL);
    out.expect("chauthtok", "PAM_AUTHTOK_ERR");
    assert!(
        out.messages().contains("must differ from your last"),
        "{}",
        out.transcript()
    );
    h.login("alice", "Second-Pass-2")
        .expect("auth", "PAM_SUCCESS");
}

#[test]
fn history_zero_allows_reuse() {
    let h = Harness::with_config("[password]\nhistory = 0\n");
    h.add_user("alice", INITIAL);
    root_chauthtok(&h, "alice", "Second-Pass-2").expect("chauthtok", "PAM_SUCCESS");
    root_chauthtok(&h, "alice", INITIAL).expect("chauthtok", "PAM_SUCCESS");
}

#[test]
fn min_age_refuses_an_immediate_change() {
    let h = Harness::with_config("[password]\nmin_age = \"1h\"\n");
    h.add_user("nobody", INITIAL);
    let out = h
        .cli(&["passwd"])
        .as_account(NOBODY)
        .stdin_lines(&[INITIAL, "Second-Pass-2", "Second-Pass-2"])
        .run();
    out.assert_exit(1, "a change inside min_age");
    assert!(
        format!("{}{}", out.stdout, out.stderr).contains("can be changed again after"),
        "{}{}",
        out.stdout,
        out.stderr
    );
    let pam = h
        .pam("nobody")
        .as_account(NOBODY)
        .ops(&["chauthtok"])
        .answers(&[INITIAL, "Second-Pass-2", "Second-Pass-2"])
        .run();
    pam.expect("chauthtok", "PAM_AUTHTOK_ERR");
    h.login("nobody", INITIAL).expect("auth", "PAM_SUCCESS");
}

// ---------------------------------------------------------------- compliance at login

#[test]
fn enforce_on_login_forces_a_non_compliant_password_to_change() {
    let mut h = Harness::new();
    h.add_user("alice", "abcdefgh1");
    h.reconfigure("[password]\nmin_length = 12\nenforce_on_login = true\n");
    let new = "Twelve-Chars-OK1";
    let out = h
        .pam("alice")
        .ops(&["auth", "acct", "chauthtok"])
        .run_answering(&change_flow("abcdefgh1", new));
    out.expect("auth", "PAM_SUCCESS")
        .expect("acct", "PAM_NEW_AUTHTOK_REQD")
        .expect("chauthtok", "PAM_SUCCESS");
    assert!(
        out.messages().contains("at least 12 characters"),
        "the failed rules are listed\n{}",
        out.transcript()
    );
    h.login("alice", new).expect("acct", "PAM_SUCCESS");
}

#[test]
fn without_enforce_on_login_an_old_password_keeps_working() {
    let mut h = Harness::new();
    h.add_user("alice", "abcdefgh1");
    h.reconfigure("[password]\nmin_length = 12\n");
    h.login("alice", "abcdefgh1")
        .expect("auth", "PAM_SUCCESS")
        .expect("acct", "PAM_SUCCESS");
}
