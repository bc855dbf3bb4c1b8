//! E-mail self-service end to end (SPEC §8): a real aiosmtpd relay, the
//! real daemon, real libpam and the real CLI.

use std::time::{Duration, Instant};

use monban_e2e::smtp::Relay;
use monban_e2e::{Harness, NOBODY, change_flow, fresh_step, totp};

const PW: &str = "Quiet-Harbour-47";
const NEW: &str = "Lantern-Field-83";
const MAIL_WAIT: Duration = Duration::from_secs(20);

fn config(relay: &Relay) -> String {
    format!(
        r#"
[mail]
relay = "{}"
tls = "none"
from = "monban@library.example"

[reset]
enabled = true
code_valid_for = "10m"
min_interval = "1m"
at_login = true

[invite]
valid_for = "3s"
"#,
        relay.address()
    )
}

fn with_address(h: &Harness, user: &str, address: &str) {
    h.add_user(user, PW);
    h.cli(&["user", "set", user, "--email", address])
        .run()
        .assert_exit(0, "user set --email");
}

#[test]
fn an_invitation_logs_in_once_and_forces_a_new_password() {
    let Some(relay) = Relay::start() else { return };
    let h = Harness::with_config(&config(&relay));
    let out = h
        .cli(&[
            "user",
            "add",
            "taro",
            "--email",
            "taro@example.org",
            "--invite",
        ])
        .run();
    out.assert_exit(0, "user add --invite");
    assert!(out.stdout.contains("taro@example.org"), "{}", out.stdout);
    let mail = relay.wait_for("taro@example.org", 1, MAIL_WAIT).remove(0);
    let code = mail.code().expect("the invitation carries a code");
    assert!(
        !out.stdout.contains(&code),
        "the code is never shown to the administrator"
    );
    let first = h
        .pam("taro")
        .ops(&["auth", "acct", "chauthtok"])
        .run_answering(&change_flow(&code, NEW));
    first
        .expect("auth", "PAM_SUCCESS")
        .expect("acct", "PAM_NEW_AUTHTOK_REQD")
        .expect("chauthtok", "PAM_SUCCESS");
    h.login("taro", NEW).expect("auth", "PAM_SUCCESS");
    h.login("taro", &code).expect("auth", "PAM_AUTH_ERR");
}

#[test]
fn an_invitation_code_lapses_after_valid_for() {
    let Some(relay) = Relay::start() else { return };
    let h = Harness::with_config(&config(&relay));
    h.cli(&[
        "user",
        "add",
        "hanako",
        "--email",
        "hanako@example.org",
        "--invite",
    ])
    .run()
    .assert_exit(0, "user add --invite");
    let code = relay.wait_for("hanako@example.org", 1, MAIL_WAIT)[0]
        .code()
        .expect("a code");
    std::thread::sleep(Duration::from_secs(4));
    h.login("hanako", &code).expect("auth", "PAM_AUTH_ERR");
}

#[test]
fn a_reset_asked_by_another_user_answers_alike_and_mails_only_a_registered_address() {
    let Some(relay) = Relay::start() else { return };
    let h = Harness::with_config(&config(&relay));
    with_address(&h, "alice", "alice@example.org");
    h.add_user("bob", PW);
    let ask = |user: &str| {
        let started = Instant::now();
        let out = h.cli(&["reset", "request", user]).as_account(NOBODY).run();
        (out, started.elapsed())
    };
    let (known, _) = ask("alice");
    let (no_address, _) = ask("bob");
    let (unknown, _) = ask("no-such-user");
    known.assert_exit(0, "reset request alice");
    no_address.assert_exit(0, "reset request bob");
    unknown.assert_exit(0, "reset request no-such-user");
    assert_eq!(known.stdout, no_address.stdout);
    assert_eq!(known.stdout, unknown.stdout);
    let mail = relay.wait_for("alice@example.org", 1, MAIL_WAIT).remove(0);
    let code = mail.code().expect("a reset code");
    // A second request inside min_interval: the same words, no mail.
    ask("alice").0.assert_exit(0, "second request");
    // The current password keeps working while the code is pending.
    h.login("alice", PW).expect("auth", "PAM_SUCCESS");
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(
        relay.mails().len(),
        1,
        "one mail in all: {:#?}",
        relay.mails()
    );
    // The code at the password prompt, the forced change, the notice.
    h.pam("alice")
        .ops(&["auth", "acct", "chauthtok"])
        .run_answering(&change_flow(&code, NEW))
        .expect("auth", "PAM_SUCCESS")
        .expect("acct", "PAM_NEW_AUTHTOK_REQD")
        .expect("chauthtok", "PAM_SUCCESS");
    let mails = relay.wait_for("alice@example.org", 2, MAIL_WAIT);
    let notice = &mails[1];
    assert!(
        notice.code().is_none(),
        "a notice carries no code: {}",
        notice.body
    );
    assert!(!notice.body.contains(NEW) && !notice.body.contains(PW));
    assert!(notice.body.contains("changed"), "{}", notice.body);
    h.login("alice", NEW).expect("auth", "PAM_SUCCESS");
    h.login("alice", &code).expect("auth", "PAM_AUTH_ERR");
}

#[test]
fn an_empty_password_offers_the_reset_inside_the_same_login() {
    let Some(relay) = Relay::start() else { return };
    let h = Harness::with_config(&config(&relay));
    with_address(&h, "alice", "alice@example.org");
    let out = h
        .pam("alice")
        .ops(&["auth", "acct", "chauthtok"])
        .run_responding(|prompt| {
            Some(if prompt == "Password: " {
                String::new()
            } else if prompt.ends_with("[y/N]: ") {
                "y".into()
            } else if prompt.contains("code") {
                relay.wait_for("alice@example.org", 1, MAIL_WAIT)[0]
                    .code()
                    .expect("a code")
            } else if prompt == "Current password: " {
                relay.mails()[0].code().expect("a code")
            } else {
                NEW.into()
            })
        });
    out.expect("auth", "PAM_SUCCESS")
        .expect("acct", "PAM_NEW_AUTHTOK_REQD")
        .expect("chauthtok", "PAM_SUCCESS");
    h.login("alice", NEW).expect("auth", "PAM_SUCCESS");
}

#[test]
fn a_suspended_user_stays_suspended_and_is_told_by_mail() {
    let Some(relay) = Relay::start() else { return };
    let h = Harness::with_config(&(config(&relay) + "\n[lockout]\nmax_failures = 3\n"));
    with_address(&h, "alice", "alice@example.org");
    h.fail_logins("alice", "wrong-password-1", 3);
    let notice = relay.wait_for("alice@example.org", 1, MAIL_WAIT).remove(0);
    assert!(notice.body.contains("suspended"), "{}", notice.body);
    h.cli(&["reset", "request", "alice"])
        .run()
        .assert_exit(0, "reset request");
    let code = relay.wait_for("alice@example.org", 2, MAIL_WAIT)[1]
        .code()
        .expect("a code");
    // The code is refused like any answer while suspended; the password too.
    h.assert_locked_out("alice", &code);
    h.assert_locked_out("alice", PW);
}

#[test]
fn mail_waits_for_a_stopped_relay_and_logins_do_not() {
    let Some(mut relay) = Relay::start() else {
        return;
    };
    let h = Harness::with_config(&config(&relay));
    with_address(&h, "alice", "alice@example.org");
    relay.stop();
    h.cli(&["reset", "request", "alice"])
        .run()
        .assert_exit(0, "reset request");
    let started = Instant::now();
    h.login("alice", PW).expect("auth", "PAM_SUCCESS");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    std::thread::sleep(Duration::from_secs(3));
    assert!(h.daemon_log().contains("not sent"), "{}", h.daemon_log());
    relay.resume();
    let mail = relay.wait_for("alice@example.org", 1, Duration::from_secs(40));
    assert!(mail[0].code().is_some());
}

#[test]
fn mail_for_a_user_who_prefers_japanese_is_in_japanese() {
    let Some(relay) = Relay::start() else { return };
    let h = Harness::with_config(&config(&relay));
    with_address(&h, "taro", "taro@example.jp");
    h.cli(&["user", "set", "taro", "--language", "ja"])
        .run()
        .assert_exit(0, "user set --language ja");
    h.cli(&["reset", "request", "taro"])
        .run()
        .assert_exit(0, "reset request");
    let mail = relay.wait_for("taro@example.jp", 1, MAIL_WAIT).remove(0);
    assert!(
        mail.subject.contains("パスワード再発行のお知らせ"),
        "{}",
        mail.subject
    );
    assert!(
        mail.body.contains("再発行コード") || mail.body.contains("コード"),
        "{}",
        mail.body
    );
}

#[test]
fn a_reset_code_is_followed_by_the_otp_prompt_and_a_wrong_code_leaves_it_unused() {
    const PERIOD: u64 = 5;
    let Some(relay) = Relay::start() else { return };
    let h = Harness::with_config(&(config(&relay) + "\n[otp]\nperiod = 5\n"));
    with_address(&h, "nobody", "nobody@example.org");
    let e = h.enroll_otp(NOBODY, PW, 6, PERIOD);
    // OTP turned on: the address is told.
    let on = relay.wait_for("nobody@example.org", 1, MAIL_WAIT).remove(0);
    assert!(on.body.contains("turned on"), "{}", on.body);
    h.cli(&["reset", "request", "nobody"])
        .run()
        .assert_exit(0, "reset request");
    let code = relay.wait_for("nobody@example.org", 2, MAIL_WAIT)[1]
        .code()
        .expect("a code");
    let step = fresh_step(PERIOD, e.step);
    let wrong = h.pam("nobody").answers(&[&code, "000000"]).run();
    wrong.expect("auth", "PAM_AUTH_ERR");
    assert_eq!(
        wrong.prompts(),
        ["Password: ", "One-time password: "],
        "{}",
        wrong.transcript()
    );
    // The code was not used up by the refused login, nor the password changed.
    let right = totp(&e.secret, 6, PERIOD, step * PERIOD);
    h.pam("nobody")
        .ops(&["auth", "acct"])
        .answers(&[&code, &right])
        .run()
        .expect("auth", "PAM_SUCCESS")
        .expect("acct", "PAM_NEW_AUTHTOK_REQD");
}

#[test]
fn a_new_address_takes_over_only_once_verified_and_the_old_one_is_told() {
    let Some(relay) = Relay::start() else { return };
    let h = Harness::with_config(&config(&relay));
    with_address(&h, "nobody", "old@example.org");
    h.cli(&["email", "set", "new@example.org"])
        .as_account(NOBODY)
        .stdin_lines(&[PW])
        .run()
        .assert_exit(0, "email set");
    let verify = relay.wait_for("new@example.org", 1, MAIL_WAIT).remove(0);
    let code = verify.code().expect("a verification code");
    let shown = h.cli(&["email"]).as_account(NOBODY).run();
    assert!(
        shown.stdout.contains("old@example.org") && shown.stdout.contains("new@example.org"),
        "{}",
        shown.stdout
    );
    // Until verified, reset codes go to the old address.
    h.cli(&["reset", "request", "nobody"])
        .run()
        .assert_exit(0, "reset request");
    relay.wait_for("old@example.org", 1, MAIL_WAIT);
    h.cli(&["email", "verify"])
        .as_account(NOBODY)
        .stdin_lines(&["not-the-code"])
        .run()
        .assert_exit(1, "a wrong verification code");
    h.cli(&["email", "verify"])
        .as_account(NOBODY)
        .stdin_lines(&[&code])
        .run()
        .assert_exit(0, "email verify");
    let notice = relay.wait_for("old@example.org", 2, MAIL_WAIT).remove(1);
    assert!(notice.body.contains("new@example.org"), "{}", notice.body);
    assert!(notice.code().is_none());
    let status = h.cli(&["status", "nobody"]).json().run();
    assert_eq!(
        status.json()["email"],
        "new@example.org",
        "{}",
        status.stdout
    );
}

#[test]
fn an_administrator_reset_is_told_without_the_password() {
    let Some(relay) = Relay::start() else { return };
    let h = Harness::with_config(&config(&relay));
    with_address(&h, "alice", "alice@example.org");
    let out = h.cli(&["user", "reset", "alice"]).json().run();
    out.assert_exit(0, "user reset");
    let password = out.json()["password"]
        .as_str()
        .expect("generated")
        .to_string();
    let notice = relay.wait_for("alice@example.org", 1, MAIL_WAIT).remove(0);
    assert!(notice.body.contains("administrator"), "{}", notice.body);
    assert!(
        !notice.body.contains(&password) && notice.code().is_none(),
        "{}",
        notice.body
    );
}

#[test]
fn mail_queued_while_the_relay_is_down_survives_a_daemon_restart() {
    let Some(mut relay) = Relay::start() else {
        return;
    };
    let mut h = Harness::with_config(&config(&relay));
    with_address(&h, "alice", "alice@example.org");
    relay.stop();
    h.cli(&["reset", "request", "alice"])
        .run()
        .assert_exit(0, "reset request");
    std::thread::sleep(Duration::from_secs(1));
    h.restart();
    relay.resume();
    let mail = relay.wait_for("alice@example.org", 1, Duration::from_secs(40));
    assert_eq!(mail.len(), 1);
    assert!(mail[0].code().is_some());
    // The audit trail has the request and the sending, never the code.
    let log = h.cli(&["log", "--user", "alice"]).run();
    assert!(
        log.stdout.contains("reset_requested") && log.stdout.contains("mail_sent"),
        "{}",
        log.stdout
    );
    assert!(!log.stdout.contains(&mail[0].code().unwrap()));
}

#[test]
fn mail_goes_over_starttls_to_a_relay_with_a_private_ca_and_not_without_it() {
    let Some(relay) = Relay::start_tls() else {
        return;
    };
    let port = relay.address().rsplit_once(':').unwrap().1.to_string();
    let tls = |ca: &str| {
        format!(
            "[mail]\nrelay = \"localhost:{port}\"\ntls = \"starttls\"\n{ca}from = \"monban@library.example\"\n[reset]\nenabled = true\n"
        )
    };
    // Without the CA the relay's certificate is not trusted: nothing is sent.
    let untrusted = Harness::with_config(&tls(""));
    with_address(&untrusted, "bob", "bob@example.org");
    untrusted
        .cli(&["reset", "request", "bob"])
        .run()
        .assert_exit(0, "reset request");
    let h = Harness::with_config(&tls(&format!(
        "ca_file = \"{}\"\n",
        relay.ca_file().display()
    )));
    with_address(&h, "alice", "alice@example.org");
    h.cli(&["reset", "request", "alice"])
        .run()
        .assert_exit(0, "reset request");
    let mail = relay.wait_for("alice@example.org", 1, MAIL_WAIT);
    assert!(mail[0].code().is_some());
    std::thread::sleep(Duration::from_secs(2));
    assert!(relay.mails_to("bob@example.org").is_empty());
    assert!(
        untrusted.daemon_log().contains("not sent"),
        "{}",
        untrusted.daemon_log()
    );
}

/// The forgotten password, start to end, through a real sshd: the code
/// from the mail at sshd's keyboard-interactive prompt, the new password
/// chosen in the same login, then the new password alone.
#[test]
fn a_user_who_forgot_the_password_gets_back_in_through_sshd() {
    if let Some(why) = monban_e2e::sshd::unavailable() {
        eprintln!("SKIPPED: sshd tests need OpenSSH and libpam_wrapper: {why}");
        return;
    }
    let Some(relay) = Relay::start() else { return };
    let h = Harness::with_config(&config(&relay));
    with_address(&h, "nobody", "nobody@example.org");
    h.cli(&["reset", "request", "nobody"])
        .as_account(NOBODY)
        .run()
        .assert_exit(0, "reset request");
    let code = relay.wait_for("nobody@example.org", 1, MAIL_WAIT)[0]
        .code()
        .expect("a code");
    let sshd = monban_e2e::sshd::Sshd::start(&h, "");
    let out = sshd
        .login("nobody")
        .answer("Password: ", &code)
        .answer("Current password: ", &code)
        .answer("New password: ", NEW)
        .answer("Retype new password: ", NEW)
        .run();
    assert!(out.logged_in(), "{}", out.transcript());
    let again = sshd.login("nobody").answer("Password: ", NEW).run();
    assert!(again.logged_in(), "{}", again.transcript());
    assert_eq!(
        again.prompt_lines(),
        ["Password: "],
        "{}",
        again.transcript()
    );
}

/// The reset offered at an empty answer, through a real sshd: one ssh
/// login asks for the reset, takes the mailed code, forces the new
/// password; the mail arrives while sshd waits at the code prompt.
#[test]
fn the_reset_offered_at_sshds_password_prompt_completes_in_one_login() {
    if let Some(why) = monban_e2e::sshd::unavailable() {
        eprintln!("SKIPPED: sshd tests need OpenSSH and libpam_wrapper: {why}");
        return;
    }
    let Some(relay) = Relay::start() else { return };
    let h = Harness::with_config(&config(&relay));
    with_address(&h, "nobody", "nobody@example.org");
    let sshd = monban_e2e::sshd::Sshd::start(&h, "");
    let scratch = tempfile::tempdir().expect("a scratch directory");
    let code_file = scratch.path().join("code");
    let out = std::thread::scope(|s| {
        s.spawn(|| {
            let code = relay.wait_for("nobody@example.org", 1, MAIL_WAIT)[0]
                .code()
                .expect("a code");
            let partial = scratch.path().join("code.partial");
            std::fs::write(&partial, format!("{code}\n")).expect("write the code");
            std::fs::rename(&partial, &code_file).expect("publish the code");
        });
        sshd.login("nobody")
            .answer("Password: ", "")
            .answer("Forgot your password? Send a reset code to your registered e-mail address? [y/N]: ", "y")
            .answer_from_file("Reset code (or password): ", &code_file)
            .answer_from_file("Current password: ", &code_file)
            .answer("New password: ", NEW)
            .answer("Retype new password: ", NEW)
            .run()
    });
    assert!(out.logged_in(), "{}", out.transcript());
    let again = sshd.login("nobody").answer("Password: ", NEW).run();
    assert!(again.logged_in(), "{}", again.transcript());
}

/// `[reset] releases_suspension = true`: the mailed code is the way back
/// for a suspended user; until it is used the suspension holds.
#[test]
fn with_releases_suspension_the_code_lifts_the_suspension() {
    let Some(relay) = Relay::start() else { return };
    let cfg = config(&relay).replace(
        "at_login = true",
        "at_login = true\nreleases_suspension = true",
    ) + "\n[lockout]\nmax_failures = 3\n";
    let h = Harness::with_config(&cfg);
    with_address(&h, "alice", "alice@example.org");
    h.fail_logins("alice", "wrong-password-1", 3);
    relay.wait_for("alice@example.org", 1, MAIL_WAIT);
    h.cli(&["reset", "request", "alice"])
        .run()
        .assert_exit(0, "reset request");
    let code = relay.wait_for("alice@example.org", 2, MAIL_WAIT)[1]
        .code()
        .expect("a code");
    h.assert_locked_out("alice", PW);
    h.pam("alice")
        .ops(&["auth", "acct", "chauthtok"])
        .run_answering(&change_flow(&code, NEW))
        .expect("auth", "PAM_SUCCESS")
        .expect("acct", "PAM_NEW_AUTHTOK_REQD")
        .expect("chauthtok", "PAM_SUCCESS");
    h.login("alice", NEW).expect("auth", "PAM_SUCCESS");
}

/// OTP turned off by the user and reset by an administrator: each is told
/// to the registered address, with no code or secret in it.
#[test]
fn turning_otp_off_and_an_administrators_otp_reset_are_told() {
    const PERIOD: u64 = 5;
    let Some(relay) = Relay::start() else { return };
    let h = Harness::with_config(&(config(&relay) + "\n[otp]\nperiod = 5\n"));
    with_address(&h, "nobody", "nobody@example.org");
    let e = h.enroll_otp(NOBODY, PW, 6, PERIOD);
    relay.wait_for("nobody@example.org", 1, MAIL_WAIT);
    let step = fresh_step(PERIOD, e.step);
    let code = totp(&e.secret, 6, PERIOD, step * PERIOD);
    h.cli(&["otp", "disable"])
        .as_account(NOBODY)
        .stdin_lines(&[PW, &code])
        .run()
        .assert_exit(0, "otp disable");
    let off = relay.wait_for("nobody@example.org", 2, MAIL_WAIT).remove(1);
    assert!(off.body.contains("turned off"), "{}", off.body);
    let e = h.enroll_otp(NOBODY, PW, 6, PERIOD);
    relay.wait_for("nobody@example.org", 3, MAIL_WAIT);
    h.cli(&["otp", "reset", "nobody"])
        .run()
        .assert_exit(0, "otp reset");
    let reset = relay.wait_for("nobody@example.org", 4, MAIL_WAIT).remove(3);
    assert!(reset.body.contains("administrator"), "{}", reset.body);
    for mail in relay.mails() {
        assert!(
            mail.code().is_none(),
            "a notice carries no code: {}",
            mail.body
        );
        assert!(!mail.body.contains(&e.secret), "{}", mail.body);
        assert!(!mail.body.contains(PW), "{}", mail.body);
    }
}
