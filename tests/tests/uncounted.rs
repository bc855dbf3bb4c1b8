//! Issue 9, SPEC §13 "Nothing reveals a secret uncounted": account state
//! is told only after the password is proved, every comparison with a
//! credential is a counted attempt, an OTP account is asked the code
//! whether the password was right or wrong, a lapsed temporary password
//! opens nothing, and a finished enrolment never overwrites another.
//!
//! Each attack is paired with a control showing the legitimate path.

use std::time::Duration;

use monban_e2e::{Harness, NOBODY, Output, PamOutcome, fresh_step, sleep_until, totp};
use serde_json::Value;

const PW: &str = "Correct-Horse-1";
const WRONG: &str = "Wrong-Horse-9";
const CONFIRM: &str = "Second-Secret-4";
const PERIOD: u64 = 5;
const DIGITS: usize = 6;
const OTP: &str = "[otp]\nperiod = 5\nskew = 1\n";

fn code(secret: &str, step: u64) -> String {
    totp(secret, DIGITS, PERIOD, step * PERIOD)
}

fn disable(h: &Harness, user: &str) {
    h.cli(&["user", "disable", user])
        .run()
        .assert_exit(0, "user disable");
}

/// `user reset USER --valid-for 1s`, then waits until the temporary
/// password has lapsed; returns it.
fn lapsed_temporary_password(h: &Harness, user: &str) -> String {
    let out = h
        .cli(&["user", "reset", user, "--valid-for", "1s"])
        .json()
        .run();
    out.assert_exit(0, "user reset --valid-for 1s");
    let v = out.json();
    let temp = v["password"].as_str().expect("password").to_string();
    let until = v["valid_until"].as_i64().expect("valid_until");
    sleep_until(until, Duration::from_millis(1200));
    temp
}

fn passwd(h: &Harness, current: &str, new: &str) -> Output {
    h.cli(&["passwd"])
        .as_account(NOBODY)
        .stdin_lines(&[current, new, new])
        .run()
}

fn passwd_confirm(h: &Harness, current: &str, new: &str) -> Output {
    h.cli(&["passwd", "--confirm"])
        .as_account(NOBODY)
        .stdin_lines(&[current, new, new])
        .run()
}

// ---------------------------------------------------------------- account state after the proof

/// A disabled account answers a wrong password exactly as an active one
/// does (and counts it); only the right password learns it is disabled.
#[test]
fn a_disabled_account_is_told_only_after_the_right_password() {
    let h = Harness::with_config("[lockout]\nmax_failures = 5\n");
    h.add_user("alice", PW);
    h.add_user("bob", PW);
    disable(&h, "alice");
    let disabled_wrong = h.login("alice", WRONG);
    let active_wrong = h.login("bob", WRONG);
    for out in [&disabled_wrong, &active_wrong] {
        out.expect("auth", "PAM_AUTH_ERR");
        assert!(
            !out.messages().contains("disabled"),
            "a wrong password learns nothing of the account\n{}",
            out.transcript()
        );
    }
    disabled_wrong.assert_same_conversation(&active_wrong);
    assert_eq!(h.failures("alice", "login"), 1, "the guess was counted");
    assert_eq!(h.failures("bob", "login"), 1);

    let right = h.login("alice", PW);
    right.expect("auth", "PAM_AUTH_ERR");
    assert!(
        right.messages().contains("disabled"),
        "the right password is told the account is disabled\n{}",
        right.transcript()
    );
    h.account_check("alice").expect("acct", "PAM_ACCT_EXPIRED");
}

/// Control: enabling the account again lets the right password in.
#[test]
fn an_enabled_account_logs_in_again() {
    let h = Harness::new();
    h.add_user("alice", PW);
    disable(&h, "alice");
    h.cli(&["user", "enable", "alice"])
        .run()
        .assert_exit(0, "user enable");
    h.login("alice", PW)
        .expect("auth", "PAM_SUCCESS")
        .expect("acct", "PAM_SUCCESS");
}

/// A lapsed temporary password is told only to the one who typed it; a
/// wrong guess gets the plain refusal and is counted.
#[test]
fn a_lapsed_temporary_password_is_told_only_to_the_right_password() {
    let h = Harness::new();
    h.add_user("alice", PW);
    h.add_user("bob", PW);
    let temp = lapsed_temporary_password(&h, "alice");
    let wrong = h.login("alice", WRONG);
    let active_wrong = h.login("bob", WRONG);
    wrong.expect("auth", "PAM_AUTH_ERR");
    wrong.assert_same_conversation(&active_wrong);
    assert!(
        !wrong.messages().contains("expired"),
        "{}",
        wrong.transcript()
    );
    assert_eq!(h.failures("alice", "login"), 1, "the guess was counted");

    let right = h.login("alice", &temp);
    right.expect("auth", "PAM_AUTH_ERR");
    assert!(
        right.messages().contains("expired"),
        "the right password is told it expired\n{}",
        right.transcript()
    );
}

// ---------------------------------------------------------------- the code is asked either way

fn otp_harness(extra: &str) -> (Harness, String, u64) {
    let h = Harness::with_config(&format!("{OTP}{extra}"));
    h.add_user("nobody", PW);
    let e = h.enroll_otp(NOBODY, PW, DIGITS, PERIOD);
    (h, e.secret, e.step)
}

fn otp_login(h: &Harness, pw: &str, otp: &str) -> PamOutcome {
    h.pam("nobody").answers(&[pw, otp]).run()
}

/// Right and wrong passwords of an OTP account get the same prompts, in
/// the same words, and (with a wrong code) the same end.
#[test]
fn an_otp_account_asks_the_code_after_right_and_wrong_passwords_alike() {
    let (h, secret, step) = otp_harness("");
    let bad = "000000";
    let s = fresh_step(PERIOD, step);
    let bad = if code(&secret, s) == bad {
        "111111"
    } else {
        bad
    };
    let right = otp_login(&h, PW, bad);
    let wrong = otp_login(&h, WRONG, bad);
    for out in [&right, &wrong] {
        out.expect("auth", "PAM_AUTH_ERR");
        assert_eq!(out.prompts().len(), 2, "{}", out.transcript());
        assert!(
            out.prompts()[1].contains("One-time password"),
            "{}",
            out.transcript()
        );
    }
    right.assert_same_conversation(&wrong);
    // Control: the right password and code log in.
    let s = fresh_step(PERIOD, s);
    otp_login(&h, PW, &code(&secret, s)).expect("auth", "PAM_SUCCESS");
}

/// A disabled OTP account is asked the code after a wrong password too:
/// the account's state is not told before the code prompt.
#[test]
fn a_disabled_otp_account_is_asked_the_code_before_anything_is_told() {
    let (h, secret, step) = otp_harness("");
    disable(&h, "nobody");
    let s = fresh_step(PERIOD, step);
    let wrong = otp_login(&h, WRONG, &code(&secret, s));
    wrong.expect("auth", "PAM_AUTH_ERR");
    assert_eq!(wrong.prompts().len(), 2, "{}", wrong.transcript());
    assert!(
        !wrong.messages().contains("disabled"),
        "{}",
        wrong.transcript()
    );
    let right = otp_login(&h, PW, &code(&secret, s));
    right.expect("auth", "PAM_AUTH_ERR");
    assert!(
        right.messages().contains("disabled"),
        "{}",
        right.transcript()
    );
}

// ---------------------------------------------------------------- comparisons are counted

/// Changing the confirmation password (proved with the confirmation
/// password) compares the candidate with the login password: that is a
/// counted attempt on the login password, and once it is suspended the
/// comparison is refused without saying whether the guess matched.
#[test]
fn comparing_a_new_confirmation_password_with_the_login_password_is_counted() {
    let h = Harness::with_config("[lockout]\nmax_failures = 2\n");
    h.add_user("nobody", PW);
    h.set_confirmation_password(NOBODY, PW, CONFIRM);
    assert_eq!(h.failures("nobody", "login"), 0);
    // Two guesses at the login password by way of the comparison.
    passwd_confirm(&h, CONFIRM, "Guess-One-11").assert_exit(0, "a differing guess is set");
    assert_eq!(h.failures("nobody", "login"), 1, "the comparison counted");
    passwd_confirm(&h, "Guess-One-11", "Guess-Two-22").assert_exit(0, "second guess");
    assert!(h.locked("nobody", "login"), "two comparisons suspend it");
    // The right guess now learns nothing: the comparison is refused.
    let out = passwd_confirm(&h, "Guess-Two-22", PW);
    out.assert_exit(1, "the comparison is refused while suspended");
    let text = format!("{}{}", out.stdout, out.stderr);
    assert!(text.contains("suspended"), "{text}");
    assert!(
        !text.contains("must differ"),
        "no verdict on the guess: {text}"
    );
    h.assert_locked_out("nobody", PW);
}

/// Control: the first confirmation password, proved with the login
/// password itself, is compared freely: nothing is counted, and choosing
/// the login password is refused as it must be.
#[test]
fn a_confirmation_password_proved_with_the_login_password_compares_freely() {
    let h = Harness::with_config("[lockout]\nmax_failures = 1\n");
    h.add_user("nobody", PW);
    let out = passwd_confirm(&h, PW, PW);
    out.assert_exit(1, "the login password is refused as confirmation password");
    let text = format!("{}{}", out.stdout, out.stderr);
    assert!(text.contains("differ"), "{text}");
    h.set_confirmation_password(NOBODY, PW, CONFIRM);
    assert_eq!(h.failures("nobody", "login"), 0, "nothing counted");
    h.login("nobody", PW).expect("auth", "PAM_SUCCESS");
}

// ---------------------------------------------------------------- lapsed temporary passwords

/// A lapsed temporary password does not change the password.
#[test]
fn a_lapsed_temporary_password_does_not_open_passwd() {
    let h = Harness::new();
    h.add_user("nobody", PW);
    let temp = lapsed_temporary_password(&h, "nobody");
    let out = passwd(&h, &temp, "Brand-New-Pass-7");
    out.assert_exit(1, "passwd with a lapsed temporary password");
    assert!(
        format!("{}{}", out.stdout, out.stderr).contains("expired"),
        "{}",
        out.stderr
    );
    h.login("nobody", "Brand-New-Pass-7")
        .expect("auth", "PAM_AUTH_ERR");
}

/// Control: a temporary password still valid changes the password.
#[test]
fn a_valid_temporary_password_opens_passwd() {
    let h = Harness::new();
    h.add_user("nobody", PW);
    let out = h.cli(&["user", "reset", "nobody"]).json().run();
    out.assert_exit(0, "user reset");
    let temp = out.json()["password"]
        .as_str()
        .expect("password")
        .to_string();
    passwd(&h, &temp, "Brand-New-Pass-7").assert_exit(0, "passwd with the temporary password");
    h.login("nobody", "Brand-New-Pass-7")
        .expect("auth", "PAM_SUCCESS");
}

#[test]
fn a_lapsed_temporary_password_does_not_open_otp_enroll() {
    let h = Harness::with_config(OTP);
    h.add_user("nobody", PW);
    let temp = lapsed_temporary_password(&h, "nobody");
    let out = h
        .cli(&["otp", "enroll"])
        .json()
        .as_account(NOBODY)
        .stdin_lines(&[&temp])
        .run();
    out.assert_exit(1, "otp enroll with a lapsed temporary password");
    assert!(
        !out.stdout.contains("otpauth://"),
        "no secret handed out: {}",
        out.stdout
    );
}

#[test]
fn a_lapsed_temporary_password_does_not_open_otp_disable_or_recovery() {
    let (h, secret, step) = otp_harness("");
    let temp = lapsed_temporary_password(&h, "nobody");
    let s = fresh_step(PERIOD, step);
    h.cli(&["otp", "disable"])
        .as_account(NOBODY)
        .stdin_lines(&[&temp, &code(&secret, s)])
        .run()
        .assert_exit(1, "otp disable with a lapsed temporary password");
    let s = fresh_step(PERIOD, s);
    h.cli(&["otp", "recovery"])
        .json()
        .as_account(NOBODY)
        .stdin_lines(&[&temp, &code(&secret, s)])
        .run()
        .assert_exit(1, "otp recovery with a lapsed temporary password");
    let st = h.cli(&["otp", "status"]).json().as_account(NOBODY).run();
    st.assert_exit(0, "otp status");
    assert_eq!(st.json()["enrolled"], Value::Bool(true), "{}", st.stdout);
}

// ---------------------------------------------------------------- one enrolment wins

/// Two `otp enroll` begun together: the first finishes while the second
/// is still proving the password; the second must then be refused, not
/// replace the token the user just set up.
#[test]
fn an_enrolment_finished_meanwhile_is_not_overwritten() {
    // A slow hash keeps the second enrolment's password check open while
    // the first one finishes.
    let h = Harness::with_config(&format!(
        "{OTP}[argon2]\nmemory_kib = 65536\niterations = 8\nparallelism = 1\n"
    ));
    h.add_user("nobody", PW);
    let enroll = || {
        h.cli(&["otp", "enroll"])
            .json()
            .as_account(NOBODY)
            .stdin_lines(&[PW])
            .spawn()
    };
    let secret_of = |line: &str| -> String {
        let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        v["secret"].as_str().expect("secret").to_string()
    };
    let mut first = enroll();
    let first_secret = secret_of(
        &first
            .recv_line(Duration::from_secs(30))
            .expect("the first enrolment shows its secret"),
    );
    let s = fresh_step(PERIOD, 0);
    let mut second = enroll();
    std::thread::sleep(Duration::from_millis(50));
    first.send_line(&code(&first_secret, s));
    let first_out = first.finish(Duration::from_secs(30));
    first_out.assert_exit(0, "the first enrolment finishes");
    let second_secret = second
        .recv_line(Duration::from_secs(30))
        .map(|l| secret_of(&l));
    if let Some(second_secret) = second_secret {
        second.send_line(&code(&second_secret, s));
    }
    let second_out = second.finish(Duration::from_secs(30));
    second_out.assert_exit(1, "the second enrolment is refused");
    // The first token is the one that counts.
    let s = fresh_step(PERIOD, s);
    otp_login(&h, PW, &code(&first_secret, s)).expect("auth", "PAM_SUCCESS");
}
