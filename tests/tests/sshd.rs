//! monban behind a real OpenSSH sshd: keyboard-interactive logins through
//! pam_monban.so, forced password changes inside the login, one-time
//! passwords, and account management for public-key logins.
//!
//! sshd reads its PAM stack from the scratch directory through
//! libpam_wrapper (see `monban_e2e::sshd`); nothing in /etc is touched.
//! The login user is the system account `nobody`: its shell, nologin,
//! ends the session at once, so a successful login shows the session
//! messages and then nologin's refusal, and ssh exits with nologin's
//! status (not 255, which is ssh's own failure).

use monban_e2e::sshd::{SshOutcome, Sshd, unavailable};
use monban_e2e::{Harness, NOBODY, OtpEnrolment, fresh_step, totp};

const PW: &str = "Correct-Horse-1";
const WRONG: &str = "Wrong-Horse-9";
const TEMP: &str = "Temp-Pass-7731";
const NEW: &str = "Fresh-Pass-2024";
const PERIOD: u64 = 5;

/// Skips the test (with the reason on stderr) when OpenSSH or
/// libpam_wrapper is not installed.
macro_rules! require_sshd {
    () => {
        if let Some(why) = unavailable() {
            eprintln!("SKIPPED: sshd tests need OpenSSH and libpam_wrapper: {why}");
            return;
        }
    };
}

#[track_caller]
fn assert_logged_in(out: &SshOutcome, what: &str) {
    assert!(
        out.logged_in(),
        "{what}: the login should succeed\n{}",
        out.transcript()
    );
}

#[track_caller]
fn assert_refused(out: &SshOutcome, what: &str) {
    assert_eq!(
        out.output.code(),
        255,
        "{what}: the login should be refused\n{}",
        out.transcript()
    );
    assert!(
        !out.sshd_log.contains("Accepted "),
        "{what}: sshd must not accept the login\n{}",
        out.transcript()
    );
}

fn password_login(sshd: &Sshd<'_>, pw: &str) -> SshOutcome {
    sshd.login("nobody").answer("Password: ", pw).run()
}

// ---------------------------------------------------------------- password

#[test]
fn a_password_login_through_sshd_opens_a_session_with_the_last_login() {
    require_sshd!();
    let h = Harness::new();
    h.add_user("nobody", PW);
    let sshd = Sshd::start(&h, "");

    let first = password_login(&sshd, PW);
    assert_logged_in(&first, "first login");
    assert_eq!(
        first.prompt_lines(),
        vec!["Password: "],
        "{}",
        first.transcript()
    );
    assert!(
        first
            .sshd_log
            .contains("Accepted keyboard-interactive/pam for nobody from 127.0.0.1"),
        "sshd authenticated through PAM\n{}",
        first.transcript()
    );

    // The session message of pam_sm_open_session reaches the client's
    // terminal (sshd's own PrintLastLog is off).
    let second = password_login(&sshd, PW);
    assert_logged_in(&second, "second login");
    let screen = &second.output.stdout;
    assert!(
        screen.contains("Last login:") && screen.contains("127.0.0.1"),
        "the last-login line is shown at session open\n{}",
        second.transcript()
    );
    assert!(
        screen.contains(sshd.service()),
        "the last login names sshd's PAM service\n{}",
        second.transcript()
    );
}

#[test]
fn wrong_passwords_suspend_the_login_and_sshd_shows_the_suspension() {
    require_sshd!();
    let h = Harness::with_config("[lockout]\nmax_failures = 3\n");
    h.add_user("nobody", PW);
    let sshd = Sshd::start(&h, "");

    for i in 1..=3 {
        let out = password_login(&sshd, WRONG);
        assert_refused(&out, &format!("wrong password {i} of 3"));
        assert_eq!(
            out.prompt_lines(),
            vec!["Password: "],
            "{}",
            out.transcript()
        );
    }

    let out = password_login(&sshd, PW);
    assert_refused(&out, "the right password of a suspended login");
    assert_eq!(
        out.prompt_lines(),
        vec!["Password: "],
        "the prompt is still shown\n{}",
        out.transcript()
    );
    let seen = out.seen();
    assert!(
        seen.contains("suspended") && seen.contains("administrator"),
        "the client is told the login is suspended and who can release it\n{}",
        out.transcript()
    );
}

// ---------------------------------------------------------------- forced change

#[test]
fn a_temporary_password_is_changed_inside_the_ssh_login() {
    require_sshd!();
    let h = Harness::new();
    h.add_user("nobody", PW);
    h.cli(&["user", "reset", "nobody", "--password-stdin"])
        .stdin_lines(&[TEMP])
        .run()
        .assert_exit(0, "reset to a temporary password");
    let sshd = Sshd::start(&h, "");

    let out = sshd
        .login("nobody")
        .answer("Password: ", TEMP)
        .answer("Current password: ", TEMP)
        .answer("New password: ", NEW)
        .answer("Retype new password: ", NEW)
        .run();
    assert_logged_in(&out, "login with the temporary password");
    // sshd sets PAM_CHANGE_EXPIRED_AUTHTOK, so the current one is asked
    // even though sshd runs as root.
    assert_eq!(
        out.prompt_lines(),
        vec![
            "Password: ",
            "Current password: ",
            "New password: ",
            "Retype new password: "
        ],
        "the change happens in the same keyboard-interactive login\n{}",
        out.transcript()
    );

    let old = password_login(&sshd, TEMP);
    assert_refused(&old, "the temporary password after the change");

    let next = password_login(&sshd, NEW);
    assert_logged_in(&next, "login with the new password");
    assert_eq!(
        next.prompt_lines(),
        vec!["Password: "],
        "no second forced change\n{}",
        next.transcript()
    );
}

// ---------------------------------------------------------------- OTP

fn code(secret: &str, step: u64) -> String {
    totp(secret, 6, PERIOD, step * PERIOD)
}

#[test]
fn with_otp_sshd_asks_the_password_then_the_one_time_password() {
    require_sshd!();
    let h = Harness::with_config("[otp]\nperiod = 5\nskew = 1\n");
    h.add_user("nobody", PW);
    // The CLI enrols its caller.
    let OtpEnrolment {
        secret,
        step: enrolled_at,
        ..
    } = h.enroll_otp(NOBODY, PW, 6, PERIOD);
    let sshd = Sshd::start(&h, "");

    // The enrolment code is spent; wait for a step of our own.
    let step = fresh_step(PERIOD, enrolled_at);
    let good = code(&secret, step);
    let bad = if good == "000000" { "111111" } else { "000000" };

    let wrong = sshd
        .login("nobody")
        .answer("Password: ", PW)
        .answer("One-time password: ", bad)
        .run();
    assert_refused(&wrong, "a wrong one-time password");
    assert_eq!(
        wrong.prompt_lines(),
        vec!["Password: ", "One-time password: "],
        "{}",
        wrong.transcript()
    );

    let out = sshd
        .login("nobody")
        .answer("Password: ", PW)
        .answer("One-time password: ", &good)
        .run();
    assert_logged_in(&out, "password and one-time password");
    assert_eq!(
        out.prompt_lines(),
        vec!["Password: ", "One-time password: "],
        "the code is asked after the password\n{}",
        out.transcript()
    );
}

// ---------------------------------------------------------------- public key

#[test]
fn a_public_key_login_of_a_suspended_user_is_refused_by_account_management() {
    require_sshd!();
    let h = Harness::with_config("[lockout]\nmax_failures = 2\n");
    h.add_user("nobody", PW);
    let sshd = Sshd::start(&h, "AuthenticationMethods publickey\n");
    let key = sshd.authorize_new_key();

    let before = sshd.login("nobody").key(&key).run();
    assert_logged_in(&before, "public key, login not suspended");
    assert!(
        before.prompts.is_empty(),
        "no password asked\n{}",
        before.transcript()
    );
    assert!(
        before.sshd_log.contains("Accepted publickey for nobody"),
        "{}",
        before.transcript()
    );

    // sshd here accepts public keys only, so the password is suspended
    // through libpam directly, against the same daemon.
    for _ in 0..2 {
        h.pam("nobody")
            .answers(&[WRONG])
            .run()
            .expect("auth", "PAM_AUTH_ERR");
    }

    let out = sshd.login("nobody").key(&key).run();
    assert_refused(&out, "public key of a suspended user");
    assert!(
        out.sshd_log
            .contains("Access denied for user nobody by PAM account configuration"),
        "the key was fine; PAM account management refused\n{}",
        out.transcript()
    );
    assert!(
        out.seen().contains("suspended"),
        "the client is told why\n{}",
        out.transcript()
    );

    h.cli(&["user", "unlock", "nobody"])
        .run()
        .assert_exit(0, "unlock nobody");
    let after = sshd.login("nobody").key(&key).run();
    assert_logged_in(&after, "public key after the unlock");
}
