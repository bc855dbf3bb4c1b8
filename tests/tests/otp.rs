//! Issue 5: TOTP one-time passwords, end to end, with codes computed here
//! from the enrolled secret (RFC 6238).
//!
//! The tests use a 5-second period so that "the next step" and "two steps
//! ago" are seconds away; every code is computed right after a step starts
//! so it cannot drift into the neighbouring step during the login.

use std::time::Duration;

use monban_e2e::{
    Harness, NOBODY, OtpEnrolment, PamOutcome, fresh_step, sleep_until, totp, user_entry,
};
use serde_json::Value;

const PW: &str = "Correct-Horse-1";
const WRONG: &str = "Wrong-Horse-9";
const PERIOD: u64 = 5;
const DIGITS: usize = 6;
const BASE: &str = "[otp]\nperiod = 5\nskew = 1\n";

fn code(secret: &str, step: u64) -> String {
    totp(secret, DIGITS, PERIOD, step * PERIOD)
}

/// A code that is certainly not the one for `step`.
fn not_code(secret: &str, step: u64) -> String {
    let good = code(secret, step);
    let mut chars: Vec<char> = good.chars().collect();
    let last = chars.last_mut().expect("digits");
    *last = char::from(b'0' + ((last.to_digit(10).unwrap_or(0) + 1) % 10) as u8);
    chars.into_iter().collect()
}

fn harness(extra: &str) -> Harness {
    let h = Harness::with_config(&format!("{BASE}{extra}"));
    h.add_user("nobody", PW);
    h
}

/// `monban otp enroll --json` as nobody, typing a valid first code.
fn enroll(h: &Harness) -> OtpEnrolment {
    h.enroll_otp(NOBODY, PW, DIGITS, PERIOD)
}

fn login(h: &Harness, pw: &str, otp: &str) -> PamOutcome {
    h.pam("nobody").answers(&[pw, otp]).run()
}

fn otp_status(h: &Harness) -> Value {
    let out = h.cli(&["otp", "status"]).json().as_account(NOBODY).run();
    out.assert_exit(0, "otp status");
    out.json()
}

// ---------------------------------------------------------------- enrolment

#[test]
fn enrolment_is_refused_with_a_wrong_first_code() {
    let h = harness("");
    let mut p = h
        .cli(&["otp", "enroll"])
        .json()
        .as_account(NOBODY)
        .stdin_lines(&[PW])
        .spawn();
    let first = p.recv_line(Duration::from_secs(20)).expect("secret line");
    let v: Value = serde_json::from_str(&first).expect("JSON");
    let secret = v["secret"].as_str().expect("secret").to_string();
    let step = fresh_step(PERIOD, 0);
    p.send_line(&not_code(&secret, step));
    p.finish(Duration::from_secs(30))
        .assert_exit(1, "otp enroll with a wrong code");
    assert_eq!(otp_status(&h)["enrolled"], false);
    let out = h.login("nobody", PW);
    out.expect("auth", "PAM_SUCCESS");
    assert_eq!(
        out.prompts(),
        vec!["Password: "],
        "no OTP before activation"
    );
}

#[test]
fn enrolment_needs_the_current_password() {
    let h = harness("");
    let out = h
        .cli(&["otp", "enroll"])
        .json()
        .as_account(NOBODY)
        .stdin_lines(&[WRONG, "123456"])
        .run();
    out.assert_exit(1, "otp enroll with a wrong password");
    assert!(
        !out.stdout.contains("secret"),
        "no secret shown: {}",
        out.stdout
    );
}

#[test]
fn enrolment_shows_uri_and_recovery_codes_and_status() {
    let h = harness("");
    let e = enroll(&h);
    assert!(e.uri.starts_with("otpauth://totp/"), "{}", e.uri);
    assert!(e.uri.contains("issuer=monban"), "{}", e.uri);
    assert!(e.uri.contains("nobody"), "{}", e.uri);
    assert!(e.uri.contains(&format!("secret={}", e.secret)), "{}", e.uri);
    assert_eq!(e.recovery.len(), 10);
    let st = otp_status(&h);
    assert_eq!(st["enrolled"], true, "{st}");
    assert_eq!(st["recovery_codes_left"], 10, "{st}");
    assert!(st["enrolled_at"].as_i64().is_some(), "{st}");
}

#[test]
fn enrolment_in_a_terminal_style_shows_a_qr_code() {
    let h = harness("");
    let mut p = h
        .cli(&["otp", "enroll"])
        .as_account(NOBODY)
        .stdin_lines(&[PW])
        .spawn();
    let mut seen = String::new();
    let secret = loop {
        let line = p
            .recv_line(Duration::from_secs(20))
            .unwrap_or_else(|| panic!("no Secret: line in\n{seen}"));
        seen.push_str(&line);
        seen.push('\n');
        if let Some(rest) = line.trim_start().strip_prefix("Secret:") {
            break rest.trim().to_string();
        }
    };
    assert!(
        seen.contains('█') || seen.contains('▀') || seen.contains('▄'),
        "a QR code drawn with Unicode blocks:\n{seen}"
    );
    assert!(seen.contains("otpauth://totp/"), "{seen}");
    let step = fresh_step(PERIOD, 0);
    p.send_line(&code(&secret, step));
    p.finish(Duration::from_secs(30))
        .assert_exit(0, "otp enroll (human output)");
}

// ---------------------------------------------------------------- login

#[test]
fn login_asks_for_the_code_after_the_password() {
    let h = harness("");
    let e = enroll(&h);
    let s = fresh_step(PERIOD, e.step);
    let out = login(&h, PW, &code(&e.secret, s));
    out.expect("auth", "PAM_SUCCESS")
        .expect("acct", "PAM_SUCCESS");
    assert_eq!(
        out.prompts_with_echo(),
        vec![
            ("Password: ".to_string(), false),
            ("One-time password: ".to_string(), false)
        ],
        "{}",
        out.transcript()
    );
}

#[test]
fn a_wrong_code_is_refused() {
    let h = harness("");
    let e = enroll(&h);
    let s = fresh_step(PERIOD, e.step);
    login(&h, PW, &not_code(&e.secret, s)).expect("auth", "PAM_AUTH_ERR");
}

#[test]
fn a_wrong_password_is_still_asked_for_the_code_then_denied() {
    let h = harness("");
    let e = enroll(&h);
    let s = fresh_step(PERIOD, e.step);
    let out = login(&h, WRONG, &code(&e.secret, s));
    out.expect("auth", "PAM_AUTH_ERR");
    assert_eq!(
        out.prompts(),
        vec!["Password: ", "One-time password: "],
        "{}",
        out.transcript()
    );
}

#[test]
fn a_code_is_accepted_once_only() {
    let h = harness("");
    let e = enroll(&h);
    let s = fresh_step(PERIOD, e.step);
    let c = code(&e.secret, s);
    login(&h, PW, &c).expect("auth", "PAM_SUCCESS");
    login(&h, PW, &c).expect("auth", "PAM_AUTH_ERR");
}

#[test]
fn the_enrolment_code_cannot_be_reused_for_a_login() {
    let h = harness("");
    let e = enroll(&h);
    login(&h, PW, &code(&e.secret, e.step)).expect("auth", "PAM_AUTH_ERR");
}

#[test]
fn skew_of_one_step_is_accepted_either_side() {
    let h = harness("");
    let e = enroll(&h);
    let s = fresh_step(PERIOD, e.step + 1);
    login(&h, PW, &code(&e.secret, s - 1)).expect("auth", "PAM_SUCCESS");
    login(&h, PW, &code(&e.secret, s + 1)).expect("auth", "PAM_SUCCESS");
}

#[test]
fn skew_of_two_steps_is_refused_either_side() {
    let h = harness("");
    let e = enroll(&h);
    let s = fresh_step(PERIOD, e.step + 2);
    login(&h, PW, &code(&e.secret, s + 2)).expect("auth", "PAM_AUTH_ERR");
    login(&h, PW, &code(&e.secret, s - 2)).expect("auth", "PAM_AUTH_ERR");
    // The current code still works: the refusals were about the skew.
    login(&h, PW, &code(&e.secret, s)).expect("auth", "PAM_SUCCESS");
}

#[test]
fn a_recovery_code_is_accepted_once() {
    let h = harness("");
    let e = enroll(&h);
    login(&h, PW, &e.recovery[0]).expect("auth", "PAM_SUCCESS");
    login(&h, PW, &e.recovery[0]).expect("auth", "PAM_AUTH_ERR");
    assert_eq!(otp_status(&h)["recovery_codes_left"], 9);
    login(&h, PW, &e.recovery[1]).expect("auth", "PAM_SUCCESS");
}

#[test]
fn regenerated_recovery_codes_replace_the_old_ones() {
    let h = harness("");
    let e = enroll(&h);
    let s = fresh_step(PERIOD, e.step);
    let out = h
        .cli(&["otp", "recovery"])
        .json()
        .as_account(NOBODY)
        .stdin_lines(&[PW, &code(&e.secret, s)])
        .run();
    out.assert_exit(0, "otp recovery");
    let fresh: Vec<String> = out.json()["recovery_codes"]
        .as_array()
        .expect("codes")
        .iter()
        .map(|c| c.as_str().expect("string").to_string())
        .collect();
    assert_eq!(fresh.len(), 10);
    login(&h, PW, &e.recovery[0]).expect("auth", "PAM_AUTH_ERR");
    login(&h, PW, &fresh[0]).expect("auth", "PAM_SUCCESS");
}

// ---------------------------------------------------------------- suspension

#[test]
fn wrong_codes_suspend_the_otp_and_an_administrator_releases_it() {
    let h = harness("max_failures = 3\n");
    let e = enroll(&h);
    let s = fresh_step(PERIOD, e.step);
    for _ in 0..3 {
        login(&h, PW, &not_code(&e.secret, s)).expect("auth", "PAM_AUTH_ERR");
    }
    let out = login(&h, PW, &code(&e.secret, s));
    out.expect("auth", "PAM_AUTH_ERR");
    assert!(
        out.messages().contains("suspended"),
        "the user is told the OTP is suspended\n{}",
        out.transcript()
    );
    let st = otp_status(&h);
    assert_eq!(st["locked"], true, "{st}");

    h.cli(&["user", "unlock", "nobody", "--credential", "otp"])
        .run()
        .assert_exit(0, "unlock --credential otp");
    let s2 = fresh_step(PERIOD, s);
    login(&h, PW, &code(&e.secret, s2)).expect("auth", "PAM_SUCCESS");
}

/// With the token suspended, the password's rightness must not show: the
/// same prompts, messages and result whether it was right or wrong.
#[test]
fn with_the_otp_suspended_right_and_wrong_passwords_answer_the_same() {
    let h = harness("max_failures = 2\n");
    let e = enroll(&h);
    // No wait for a fresh step: once suspended, no code is looked at.
    let s = e.step;
    for _ in 0..2 {
        login(&h, PW, &not_code(&e.secret, s)).expect("auth", "PAM_AUTH_ERR");
    }
    assert_eq!(otp_status(&h)["locked"], true);
    let right = login(&h, PW, &code(&e.secret, s));
    let wrong = login(&h, WRONG, &code(&e.secret, s));
    for out in [&right, &wrong] {
        out.expect("auth", "PAM_AUTH_ERR");
        assert!(
            out.messages().contains("suspended"),
            "the suspension is told whatever the password\n{}",
            out.transcript()
        );
    }
    right.assert_same_conversation(&wrong);
    assert_eq!(right.exit_code(), wrong.exit_code());
}

// ---------------------------------------------------------------- turning off

#[test]
fn disabling_needs_the_password_and_a_current_code() {
    let h = harness("");
    let e = enroll(&h);
    let disable = |pw: &str, c: &str| {
        h.cli(&["otp", "disable"])
            .as_account(NOBODY)
            .stdin_lines(&[pw, c])
            .run()
    };
    let s = fresh_step(PERIOD, e.step);
    disable(WRONG, &code(&e.secret, s)).assert_exit(1, "otp disable with a wrong password");
    disable(PW, &not_code(&e.secret, s)).assert_exit(1, "otp disable with a wrong code");
    assert_eq!(otp_status(&h)["enrolled"], true);
    let s = fresh_step(PERIOD, s);
    disable(PW, &code(&e.secret, s)).assert_exit(0, "otp disable");
    assert_eq!(otp_status(&h)["enrolled"], false);
    let out = h.login("nobody", PW);
    out.expect("auth", "PAM_SUCCESS");
    assert_eq!(out.prompts(), vec!["Password: "]);
}

#[test]
fn administrator_reset_drops_a_lost_token() {
    let h = harness("");
    enroll(&h);
    h.cli(&["otp", "reset", "nobody"])
        .as_account(NOBODY)
        .stdin_lines(&[PW])
        .run()
        .assert_exit(1, "otp reset by a non-administrator");
    assert_eq!(otp_status(&h)["enrolled"], true);
    h.cli(&["otp", "reset", "nobody"])
        .run()
        .assert_exit(0, "otp reset by root");
    let out = h.login("nobody", PW);
    out.expect("auth", "PAM_SUCCESS");
    assert_eq!(out.prompts(), vec!["Password: "]);
}

// ---------------------------------------------------------------- secrets at rest

#[test]
fn the_secret_is_absent_from_the_raw_database() {
    let h = harness("");
    let e = enroll(&h);
    let raw = h.db_raw();
    let hay = String::from_utf8_lossy(&raw);
    assert!(
        !hay.contains(&e.secret),
        "base32 secret in the database file"
    );
    let bytes = totp_rs::Secret::Encoded(e.secret.clone())
        .to_bytes()
        .expect("base32");
    assert!(
        !raw.windows(bytes.len()).any(|w| w == bytes.as_slice()),
        "raw secret bytes in the database file"
    );
    assert!(!h.db_values().contains(&e.secret));
    for c in &e.recovery {
        assert!(!hay.contains(c.as_str()), "a recovery code stored in clear");
    }
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(h.secret_key())
        .expect("secret key created on first start")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "secret key mode {:o}", mode & 0o777);
}

#[test]
fn a_wrong_secret_key_stops_the_daemon_instead_of_rekeying() {
    let mut h = harness("");
    enroll(&h);
    h.stop();
    let mut key = std::fs::read(h.secret_key()).expect("key");
    for b in key.iter_mut() {
        // Stays valid hex/base64 if it was text, changes every byte.
        *b = match *b {
            b'0'..=b'8' | b'a'..=b'e' | b'A'..=b'E' => *b + 1,
            b'9' => b'0',
            b'f' => b'a',
            b'F' => b'A',
            other => other ^ 0x01,
        };
    }
    std::fs::write(h.secret_key(), &key).expect("write key");
    let err = h
        .try_start()
        .expect_err("the daemon must not start with the wrong key");
    assert!(err.to_lowercase().contains("key"), "a clear message: {err}");
    assert_eq!(
        std::fs::read(h.secret_key()).expect("key"),
        key,
        "key not replaced"
    );
}

#[test]
fn a_missing_secret_key_with_enrolled_users_stops_the_daemon() {
    let mut h = harness("");
    enroll(&h);
    h.stop();
    std::fs::remove_file(h.secret_key()).expect("remove key");
    let err = h
        .try_start()
        .expect_err("the daemon must not silently re-key");
    assert!(err.to_lowercase().contains("key"), "a clear message: {err}");
}

// ---------------------------------------------------------------- required OTP

#[test]
fn required_otp_has_a_grace_period_then_refuses_until_enrolled() {
    // nobody's primary group is nogroup.
    let h = harness("required_for_group = \"nogroup\"\ngrace = \"3s\"\n");
    let early = h.login("nobody", PW);
    early
        .expect("auth", "PAM_SUCCESS")
        .expect("acct", "PAM_SUCCESS");
    assert!(
        early.messages().contains("otp enroll"),
        "told to enrol\n{}",
        early.transcript()
    );
    let st = h.cli(&["status", "nobody"]).json().run();
    let st = st.json();
    let entry = user_entry(&st, "nobody").expect("status");
    assert_eq!(entry["otp"]["required"], true, "{entry}");
    let until = entry["otp"]["grace_until"].as_i64().expect("grace_until");
    sleep_until(until, Duration::from_millis(1200));

    let late = h.login("nobody", PW);
    assert_ne!(
        late.exit_code(),
        0,
        "refused after the grace\n{}",
        late.transcript()
    );
    assert!(
        late.messages().contains("otp enroll"),
        "{}",
        late.transcript()
    );

    let e = enroll(&h);
    let s = fresh_step(PERIOD, e.step);
    login(&h, PW, &code(&e.secret, s))
        .expect("auth", "PAM_SUCCESS")
        .expect("acct", "PAM_SUCCESS");
}

#[test]
fn user_add_require_otp_marks_one_user() {
    let h = Harness::with_config(BASE);
    h.cli(&["user", "add", "alice", "--password-stdin", "--require-otp"])
        .stdin_lines(&[PW])
        .run()
        .assert_exit(0, "user add --require-otp");
    h.add_user("bob", PW);
    let alice = h.login("alice", PW);
    alice.expect("auth", "PAM_SUCCESS");
    assert!(
        alice.messages().contains("otp enroll"),
        "{}",
        alice.transcript()
    );
    let bob = h.login("bob", PW);
    assert!(
        !bob.messages().contains("otp enroll"),
        "{}",
        bob.transcript()
    );
}
