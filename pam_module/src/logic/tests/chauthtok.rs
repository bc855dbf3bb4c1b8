//! `pam_sm_chauthtok`: the preliminary check, then the passwords asked and
//! the change sent, retried or refused.

use monban_proto::MAX_SECRET_LEN;
use pam::constants::PAM_CHANGE_EXPIRED_AUTHTOK;

use super::*;
use crate::logic::chauthtok::{PAM_PRELIM_CHECK, PAM_UPDATE_AUTHTOK};

fn chauthtok(args: &[&str], flags: PamFlag, pam: FakePam, replies: Vec<Reply>) -> Outcome {
    run(args, flags, pam, replies, |h| h.chauthtok())
}

/// The `PAM_UPDATE_AUTHTOK` call, where the passwords are asked.
fn update(args: &[&str], pam: FakePam, replies: Vec<Reply>) -> Outcome {
    chauthtok(args, PAM_UPDATE_AUTHTOK, pam, replies)
}

/// The daemon's replies for a user it manages: the check that opens the
/// update phase passes, then `replies`.
fn managed(replies: Vec<Reply>) -> Vec<Reply> {
    std::iter::once(done(vec![])).chain(replies).collect()
}

fn checked(credential: CredentialKind) -> Sent {
    Sent::ChangeCheck("alice".into(), credential)
}

/// What reached the daemon after the opening check.
fn after_check(out: &Outcome) -> &[Sent] {
    assert_eq!(out.sent.first(), Some(&checked(CredentialKind::Login)));
    &out.sent[1..]
}

fn changed(current: Option<&str>, new: &str) -> Sent {
    Sent::ChangePassword {
        credential: CredentialKind::Login,
        current: current.map(Into::into),
        new: new.into(),
    }
}

#[test]
fn chauthtok_prelim_checks_the_daemon_only() {
    let out = chauthtok(&[], PAM_PRELIM_CHECK, FakePam::new(&[]), vec![done(vec![])]);
    assert_eq!(out.code, PamResultCode::PAM_SUCCESS);
    assert_eq!(
        out.sent,
        vec![Sent::ChangeCheck("alice".into(), CredentialKind::Login)]
    );
    assert!(out.pam.shown.is_empty());

    check_table(
        [
            (ErrorCode::UserUnknown, PamResultCode::PAM_USER_UNKNOWN),
            (ErrorCode::PermissionDenied, PamResultCode::PAM_PERM_DENIED),
        ],
        PamResultCode::PAM_TRY_AGAIN,
        |reply| chauthtok(&[], PAM_PRELIM_CHECK, FakePam::new(&[]), vec![reply]),
    );
}

#[test]
fn chauthtok_update_asks_current_new_retype() {
    let out = update(
        &[],
        FakePam::new(&["old-pw", "New-pw-123", "New-pw-123"]),
        managed(vec![done(vec![UserMessage::info(said(
            "Password changed.",
        ))])]),
    );
    assert_eq!(out.code, PamResultCode::PAM_SUCCESS);
    assert_eq!(
        out.pam.shown,
        vec![
            prompt("Current password: "),
            prompt("New password: "),
            prompt("Retype new password: "),
            info("Password changed."),
        ]
    );
    assert_eq!(after_check(&out), [changed(Some("old-pw"), "New-pw-123")]);
    assert_eq!(out.pam.authtok.as_deref(), Some("New-pw-123"));
    assert_eq!(out.pam.oldauthtok.as_deref(), Some("old-pw"));
    assert!(
        out.log
            .iter()
            .all(|l| !l.contains("old-pw") && !l.contains("New-pw")),
        "{:?}",
        out.log
    );
}

#[test]
fn chauthtok_mismatch() {
    let out = update(
        &[],
        FakePam::new(&["old", "New-pw-123", "New-pw-124"]),
        managed(vec![]),
    );
    assert_eq!(out.code, PamResultCode::PAM_AUTHTOK_ERR);
    assert_eq!(
        out.pam.shown.last(),
        Some(&error("Passwords do not match."))
    );
    assert!(after_check(&out).is_empty());
    assert_eq!(out.pam.authtok, None);
}

#[test]
fn chauthtok_retry_after_mismatch() {
    let out = update(
        &["retry=2"],
        FakePam::new(&["old", "a-New-pw-1", "typo", "b-New-pw-2", "b-New-pw-2"]),
        managed(vec![done(vec![])]),
    );
    assert_eq!(out.code, PamResultCode::PAM_SUCCESS);
    assert_eq!(
        out.pam.shown,
        vec![
            prompt("Current password: "),
            prompt("New password: "),
            prompt("Retype new password: "),
            error("Passwords do not match."),
            prompt("New password: "),
            prompt("Retype new password: "),
        ]
    );
    assert_eq!(after_check(&out), [changed(Some("old"), "b-New-pw-2")]);
}

#[test]
fn chauthtok_too_long_is_said_and_retried() {
    let long = "x".repeat(MAX_SECRET_LEN + 1);
    let out = update(
        &["retry=2"],
        FakePam::new(&["old", &long, "Short-pw-1", "Short-pw-1"]),
        managed(vec![done(vec![])]),
    );
    assert_eq!(out.code, PamResultCode::PAM_SUCCESS);
    assert_eq!(
        out.pam.shown,
        vec![
            prompt("Current password: "),
            prompt("New password: "),
            error("Password is too long."),
            prompt("New password: "),
            prompt("Retype new password: "),
        ]
    );
    assert_eq!(after_check(&out), [changed(Some("old"), "Short-pw-1")]);

    // Without retry=, the message and PAM_AUTHTOK_ERR.
    let out = update(&[], FakePam::new(&["old", &long]), managed(vec![]));
    assert_eq!(out.code, PamResultCode::PAM_AUTHTOK_ERR);
    assert_eq!(out.pam.shown.last(), Some(&error("Password is too long.")));
    assert!(after_check(&out).is_empty());

    // From the stack too.
    let pam = FakePam::new(&["old"]).with_authtok(&long);
    let out = update(&["use_authtok"], pam, managed(vec![]));
    assert_eq!(out.code, PamResultCode::PAM_AUTHTOK_ERR);
    assert_eq!(out.pam.shown.last(), Some(&error("Password is too long.")));
}

#[test]
fn chauthtok_policy_rejection_is_shown() {
    let rules = "must be at least 8 characters\nmust not contain the login name";
    let out = update(
        &[],
        FakePam::new(&["old", "alice1", "alice1"]),
        managed(vec![refused(ErrorCode::PolicyRejected, rules)]),
    );
    assert_eq!(out.code, PamResultCode::PAM_AUTHTOK_ERR);
    assert_eq!(out.pam.shown.last(), Some(&error(rules)));
    assert_eq!(out.pam.authtok, None);

    let out = update(
        &["retry=3"],
        FakePam::new(&["old", "alice1", "alice1", "yama1234", "yama1234"]),
        managed(vec![
            refused(ErrorCode::PolicyRejected, rules),
            done(vec![]),
        ]),
    );
    assert_eq!(out.code, PamResultCode::PAM_SUCCESS);
    assert_eq!(out.pam.authtok.as_deref(), Some("yama1234"));
    assert_eq!(after_check(&out).len(), 2);
}

#[test]
fn chauthtok_refusals() {
    let outcomes = check_table(
        [
            (ErrorCode::AuthFailed, PamResultCode::PAM_AUTH_ERR),
            (ErrorCode::Locked, PamResultCode::PAM_AUTH_ERR),
            (ErrorCode::UserUnknown, PamResultCode::PAM_USER_UNKNOWN),
            (ErrorCode::PermissionDenied, PamResultCode::PAM_PERM_DENIED),
        ],
        PamResultCode::PAM_AUTHINFO_UNAVAIL,
        |reply| {
            update(
                &["retry=3"],
                FakePam::new(&["old", "New-pw-123", "New-pw-123"]),
                managed(vec![reply]),
            )
        },
    );
    for out in outcomes {
        assert_eq!(after_check(&out).len(), 1, "no retry after {:?}", out.code);
        assert_eq!(out.pam.authtok, None);
    }
    let out = update(
        &[],
        FakePam::new(&["old", "New-pw-123", "New-pw-123"]),
        managed(vec![refused(ErrorCode::AuthFailed, "Wrong password.")]),
    );
    assert_eq!(out.pam.shown.last(), Some(&error("Wrong password.")));
}

#[test]
fn chauthtok_update_check_failure_asks_nothing() {
    check_table(
        [(ErrorCode::PermissionDenied, PamResultCode::PAM_PERM_DENIED)],
        PamResultCode::PAM_AUTHINFO_UNAVAIL,
        |reply| {
            let out = update(&[], FakePam::new(&["old", "a", "a"]), vec![reply]);
            assert!(
                out.pam
                    .shown
                    .iter()
                    .all(|s| !matches!(s, Shown::Prompt(..))),
                "{:?}",
                out.pam.shown
            );
            assert_eq!(out.sent, [checked(CredentialKind::Login)]);
            out
        },
    );
}

/// pam-auth-update puts pam_unix after monban, with `use_authtok`: for a
/// user monban does not manage (root, say) the new password must be left
/// in PAM_AUTHTOK, or `passwd` fails.
#[test]
fn chauthtok_unmanaged_user_leaves_the_new_password_to_the_next_module() {
    let unknown = || refused(ErrorCode::UserUnknown, "unknown user");
    let pam = FakePam::new(&["New-pw-123", "New-pw-123"]).with_user(Some("root"));
    let out = update(&[], pam, vec![unknown()]);
    assert_eq!(out.code, PamResultCode::PAM_USER_UNKNOWN);
    assert_eq!(
        out.pam.shown,
        vec![prompt("New password: "), prompt("Retype new password: ")]
    );
    assert_eq!(
        out.sent,
        [Sent::ChangeCheck("root".into(), CredentialKind::Login)]
    );
    assert_eq!(out.pam.authtok.as_deref(), Some("New-pw-123"));
    assert_eq!(out.pam.oldauthtok, None);

    let out = update(&[], FakePam::new(&["New-pw-123", "typo"]), vec![unknown()]);
    assert_eq!(out.code, PamResultCode::PAM_AUTHTOK_ERR);
    assert_eq!(
        out.pam.shown.last(),
        Some(&error("Passwords do not match."))
    );
    assert_eq!(out.pam.authtok, None);

    let out = update(
        &["retry=2"],
        FakePam::new(&["New-pw-123", "typo", "New-pw-456", "New-pw-456"]),
        vec![unknown()],
    );
    assert_eq!(out.code, PamResultCode::PAM_USER_UNKNOWN);
    assert_eq!(out.pam.authtok.as_deref(), Some("New-pw-456"));

    // An earlier module asked already: nothing to do here.
    let pam = FakePam::new(&[]).with_authtok("from-before");
    let out = update(&["use_authtok"], pam, vec![unknown()]);
    assert_eq!(out.code, PamResultCode::PAM_USER_UNKNOWN);
    assert!(out.pam.shown.is_empty());
    assert_eq!(out.pam.authtok.as_deref(), Some("from-before"));

    // A confirmation password is nothing another module could set.
    let out = update(&["credential=confirm"], FakePam::new(&[]), vec![unknown()]);
    assert_eq!(out.code, PamResultCode::PAM_USER_UNKNOWN);
    assert!(out.pam.shown.is_empty());
    assert_eq!(out.pam.authtok, None);
}

#[test]
fn chauthtok_root_skips_the_current_password() {
    let pam = FakePam::new(&["New-pw-123", "New-pw-123"]).called_by(0);
    let out = update(&[], pam, managed(vec![done(vec![])]));
    assert_eq!(out.code, PamResultCode::PAM_SUCCESS);
    assert_eq!(
        out.pam.shown,
        vec![prompt("New password: "), prompt("Retype new password: ")]
    );
    assert_eq!(after_check(&out), [changed(None, "New-pw-123")]);
}

#[test]
fn chauthtok_root_is_asked_for_its_own_or_an_expired_password() {
    let pam = FakePam::new(&["old", "New-pw-123", "New-pw-123"])
        .called_by(0)
        .with_user(Some("root"));
    let out = update(&[], pam, managed(vec![done(vec![])]));
    assert_eq!(out.sent[1..], [changed(Some("old"), "New-pw-123")]);

    let pam = FakePam::new(&["old", "New-pw-123", "New-pw-123"]).called_by(0);
    let out = chauthtok(
        &[],
        PAM_UPDATE_AUTHTOK | PAM_CHANGE_EXPIRED_AUTHTOK,
        pam,
        managed(vec![done(vec![])]),
    );
    assert_eq!(out.pam.shown[0], prompt("Current password: "));
    assert_eq!(after_check(&out), [changed(Some("old"), "New-pw-123")]);
}

#[test]
fn chauthtok_confirm_prompts() {
    let out = update(
        &["credential=confirm"],
        FakePam::new(&["old", "New-pw-123", "New-pw-123"]),
        managed(vec![done(vec![])]),
    );
    assert_eq!(
        out.pam.shown,
        vec![
            prompt("Current confirmation password: "),
            prompt("New confirmation password: "),
            prompt("Retype new confirmation password: "),
        ]
    );
    assert_eq!(out.sent[0], checked(CredentialKind::Confirm));
    assert!(matches!(
        out.sent[1],
        Sent::ChangePassword {
            credential: CredentialKind::Confirm,
            ..
        }
    ));
    // Later modules know only the login password.
    assert_eq!(out.pam.authtok, None);
    assert_eq!(out.pam.oldauthtok, None);
}

#[test]
fn chauthtok_tokens_from_the_stack() {
    let pam = FakePam::new(&[])
        .with_oldauthtok("old")
        .with_authtok("New-pw-123");
    let out = update(
        &["use_first_pass", "use_authtok"],
        pam,
        managed(vec![done(vec![])]),
    );
    assert_eq!(out.code, PamResultCode::PAM_SUCCESS);
    assert!(out.pam.shown.is_empty());
    assert_eq!(after_check(&out), [changed(Some("old"), "New-pw-123")]);

    // use_authtok alone: the current one is still asked.
    let pam = FakePam::new(&["old"]).with_authtok("New-pw-123");
    let out = update(&["use_authtok"], pam, managed(vec![done(vec![])]));
    assert_eq!(out.pam.shown, vec![prompt("Current password: ")]);
    assert_eq!(after_check(&out), [changed(Some("old"), "New-pw-123")]);
}

#[test]
fn chauthtok_missing_stacked_tokens() {
    let out = update(
        &["use_first_pass"],
        FakePam::new(&["x", "y", "y"]),
        managed(vec![]),
    );
    assert_eq!(out.code, PamResultCode::PAM_AUTHTOK_RECOVERY_ERR);
    assert!(out.pam.shown.is_empty());

    let out = update(&["use_authtok"], FakePam::new(&["old"]), managed(vec![]));
    assert_eq!(out.code, PamResultCode::PAM_AUTHTOK_ERR);
    assert!(after_check(&out).is_empty());

    // try_first_pass falls back to asking.
    let out = update(
        &["try_first_pass"],
        FakePam::new(&["old", "New-pw-123", "New-pw-123"]),
        managed(vec![done(vec![])]),
    );
    assert_eq!(out.code, PamResultCode::PAM_SUCCESS);
    assert_eq!(out.pam.shown[0], prompt("Current password: "));
}

#[test]
fn chauthtok_conversation_failure() {
    let out = update(&[], FakePam::new(&["old"]), managed(vec![]));
    assert_eq!(out.code, PamResultCode::PAM_CONV_ERR);
    assert!(after_check(&out).is_empty());
}

#[test]
fn chauthtok_without_phase_flag() {
    let out = chauthtok(&[], 0, FakePam::new(&[]), vec![]);
    assert_eq!(out.code, PamResultCode::PAM_SERVICE_ERR);
}
