//! SPEC §13 "Privileged accounts" and "Administrators act only while their
//! own account is in good standing", attacked from an administrator's seat:
//! `daemon` (uid 1) is the administrator (`admin_group = "daemon"`); `lp`
//! is made a sudoer in the daemon's own view of `/etc/group` (a private
//! mount namespace; the machine's file is untouched); `mail` stays an
//! ordinary user, the control.

use monban_e2e::{DAEMON, Harness, Output};

const PW: &str = "Correct-Horse-1";
const WRONG: &str = "Wrong-Horse-9";
const CHOSEN: &str = "Chosen-By-Admin-7";
const ADMIN_PW: &str = "Admin-Login-Pass-1";
const ADMIN_CONFIRM: &str = "Admin-Confirm-Pass-2";

/// A daemon that sees `groups` applied to `/etc/group`, `daemon` as an
/// administrator with both passwords, and `lp` and `mail` added by root.
fn lab(config: &str, groups: &[&str]) -> Harness {
    let mut h = Harness::configured(config);
    h.set_daemon_groups(groups);
    h.start();
    h.add_user("daemon", ADMIN_PW);
    h.set_confirmation_password(DAEMON, ADMIN_PW, ADMIN_CONFIRM);
    h.add_user("lp", PW);
    h.add_user("mail", PW);
    h
}

/// An administrator's command: the step-up first, then `more` stdin lines.
fn as_admin(h: &Harness, args: &[&str], more: &[&str]) -> Output {
    let mut lines = vec![ADMIN_CONFIRM];
    lines.extend_from_slice(more);
    h.cli(args).as_account(DAEMON).stdin_lines(&lines).run()
}

#[track_caller]
fn assert_refused_as_privileged(out: &Output, what: &str) {
    out.assert_exit(1, what);
    assert!(
        out.stderr.contains("privileged account") && out.stderr.contains("only root"),
        "{what}: the refusal names the reason\n{}",
        out.stderr
    );
}

#[test]
fn an_administrator_cannot_choose_a_sudoers_password() {
    let h = lab("", &["sudo:x:27:lp"]);

    // The attack: reset the sudoer's password to one the administrator knows.
    let reset = as_admin(&h, &["user", "reset", "lp", "--password-stdin"], &[CHOSEN]);
    assert_refused_as_privileged(&reset, "daemon resets sudoer lp");
    h.login("lp", CHOSEN).expect("auth", "PAM_AUTH_ERR");
    h.login("lp", PW).expect("auth", "PAM_SUCCESS");
    for verb in [
        &["user", "remove", "lp"][..],
        &["user", "disable", "lp"],
        &["user", "enable", "lp"],
        &["otp", "reset", "lp"],
    ] {
        let out = as_admin(&h, verb, &[]);
        assert_refused_as_privileged(&out, &format!("daemon runs {verb:?}"));
    }
    h.login("lp", PW).expect("auth", "PAM_SUCCESS");

    // Remove-then-add: once root removed the sudoer, re-adding is root's too.
    h.cli(&["user", "remove", "lp"])
        .run()
        .assert_exit(0, "root removes lp");
    let add = as_admin(&h, &["user", "add", "lp", "--password-stdin"], &[CHOSEN]);
    assert_refused_as_privileged(&add, "daemon re-adds sudoer lp");
    h.login("lp", CHOSEN).expect("auth", "PAM_USER_UNKNOWN");

    // The control: the same verbs on an ordinary user still work.
    as_admin(
        &h,
        &["user", "reset", "mail", "--password-stdin"],
        &[CHOSEN],
    )
    .assert_exit(0, "daemon resets ordinary mail");
    h.login("mail", CHOSEN).expect("auth", "PAM_SUCCESS");
    as_admin(&h, &["user", "remove", "mail"], &[]).assert_exit(0, "daemon removes mail");
    as_admin(&h, &["user", "add", "mail", "--password-stdin"], &[PW])
        .assert_exit(0, "daemon re-adds mail");
    h.login("mail", PW).expect("auth", "PAM_SUCCESS");
    // And root still manages the sudoer.
    h.cli(&["user", "add", "lp", "--password-stdin"])
        .stdin_lines(&[PW])
        .run()
        .assert_exit(0, "root re-adds lp");
}

#[test]
fn privileged_groups_names_the_sites_own_sudoers_groups() {
    // This site's sudoers grants `ops` (mail's supplementary group) and not sudo.
    let h = lab(
        "[daemon]\nprivileged_groups = [\"ops\"]\n",
        &["ops:x:4711:mail", "sudo:x:27:lp"],
    );
    let reset = as_admin(
        &h,
        &["user", "reset", "mail", "--password-stdin"],
        &[CHOSEN],
    );
    assert_refused_as_privileged(&reset, "daemon resets mail, a member of ops");
    h.login("mail", PW).expect("auth", "PAM_SUCCESS");
    as_admin(&h, &["user", "reset", "lp", "--password-stdin"], &[CHOSEN])
        .assert_exit(0, "sudo is not listed here: lp is ordinary");
    h.login("lp", CHOSEN).expect("auth", "PAM_SUCCESS");
}

#[test]
fn an_administrator_cannot_release_a_privileged_account_to_guess_again() {
    let h = lab("[lockout]\nmax_failures = 2\n", &["sudo:x:27:lp"]);
    h.fail_logins("lp", WRONG, 2);
    h.fail_logins("mail", WRONG, 2);
    assert!(h.locked("lp", "login") && h.locked("mail", "login"));

    // The attack: guess until suspended, release, guess again.
    let one = as_admin(&h, &["user", "unlock", "lp"], &[]);
    assert_refused_as_privileged(&one, "daemon unlocks sudoer lp");
    assert!(h.locked("lp", "login"), "lp stays suspended");

    // --all releases the ordinary user, skips the privileged one, says so.
    let all = h
        .cli(&["user", "unlock", "--all"])
        .as_account(DAEMON)
        .stdin_lines(&[ADMIN_CONFIRM])
        .json()
        .run();
    all.assert_exit(0, "daemon unlocks --all");
    let v = all.json();
    assert_eq!(v["users"], serde_json::json!(["mail"]), "{v}");
    assert_eq!(v["skipped"], 1, "{v}");
    assert!(h.locked("lp", "login"), "--all left lp suspended");
    h.login("mail", PW).expect("auth", "PAM_SUCCESS");
    h.fail_logins("mail", WRONG, 2);
    let human = as_admin(&h, &["user", "unlock", "--all"], &[]);
    human.assert_exit(0, "daemon unlocks --all (human output)");
    assert!(
        human.stdout.contains("Unlocked: mail") && human.stdout.contains("Skipped 1 privileged"),
        "{}",
        human.stdout
    );

    // Root releases the privileged account.
    h.cli(&["user", "unlock", "lp"])
        .run()
        .assert_exit(0, "root unlocks lp");
    h.login("lp", PW).expect("auth", "PAM_SUCCESS");
}

#[test]
fn an_administrator_out_of_good_standing_has_no_powers() {
    let h = lab("[lockout]\nmax_failures = 2\n", &[]);
    as_admin(&h, &["user", "list"], &[]).assert_exit(0, "control: daemon lists users");

    let refused = |what: &str| {
        let out = as_admin(&h, &["user", "disable", "mail"], &[]);
        out.assert_exit(1, what);
        assert!(
            out.stderr.contains("good standing"),
            "{what}\n{}",
            out.stderr
        );
        assert_eq!(h.failures("daemon", "confirm"), 0, "no step-up was spent");
    };

    h.cli(&["user", "disable", "daemon"])
        .run()
        .assert_exit(0, "root disables daemon");
    refused("a disabled administrator disables mail");
    h.cli(&["user", "enable", "daemon"])
        .run()
        .assert_exit(0, "root enables daemon");

    h.fail_logins("daemon", WRONG, 2);
    refused("an administrator whose login password is suspended");
    h.cli(&["user", "unlock", "daemon"])
        .run()
        .assert_exit(0, "root unlocks daemon");

    // Back in good standing, the same command works.
    as_admin(&h, &["user", "disable", "mail"], &[]).assert_exit(0, "daemon disables mail");
    h.login("mail", PW).expect("auth", "PAM_AUTH_ERR");
}
