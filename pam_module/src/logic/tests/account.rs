//! `pam_sm_acct_mgmt`: each account verdict and refusal as its PAM code.

use monban_proto::{AccountReply, AccountVerdict};
use pam::constants::PAM_SILENT;

use super::*;

fn account(replies: Vec<Reply>) -> Outcome {
    run(&[], 0, FakePam::new(&[]), replies, |h| h.account())
}

fn verdict(verdict: AccountVerdict, messages: Vec<UserMessage>) -> Reply {
    Ok(Response::Account(AccountReply { verdict, messages }))
}

#[test]
fn account_verdicts() {
    let table = [
        (AccountVerdict::Ok, PamResultCode::PAM_SUCCESS),
        (
            AccountVerdict::MustChange,
            PamResultCode::PAM_NEW_AUTHTOK_REQD,
        ),
        (AccountVerdict::Disabled, PamResultCode::PAM_ACCT_EXPIRED),
        (AccountVerdict::Locked, PamResultCode::PAM_PERM_DENIED),
        (AccountVerdict::UserUnknown, PamResultCode::PAM_USER_UNKNOWN),
    ];
    for (v, code) in table {
        let out = account(vec![verdict(v, vec![])]);
        assert_eq!(out.code, code, "{v:?}");
        assert_eq!(out.sent, vec![Sent::Account("alice".into())]);
    }
}

#[test]
fn account_messages_and_silence() {
    let reply = || {
        vec![verdict(
            AccountVerdict::Ok,
            vec![UserMessage::info(said("Your password expires in 3 days."))],
        )]
    };
    assert_eq!(
        account(reply()).pam.shown,
        vec![info("Your password expires in 3 days.")]
    );
    let quiet = run(&[], PAM_SILENT, FakePam::new(&[]), reply(), |h| h.account());
    assert_eq!(quiet.code, PamResultCode::PAM_SUCCESS);
    assert!(quiet.pam.shown.is_empty());
}

#[test]
fn account_errors() {
    check_table(
        [
            (ErrorCode::PermissionDenied, PamResultCode::PAM_PERM_DENIED),
            (ErrorCode::UserUnknown, PamResultCode::PAM_USER_UNKNOWN),
            (ErrorCode::Disabled, PamResultCode::PAM_ACCT_EXPIRED),
            (ErrorCode::Busy, PamResultCode::PAM_AUTHINFO_UNAVAIL),
        ],
        PamResultCode::PAM_AUTHINFO_UNAVAIL,
        |reply| account(vec![reply]),
    );
}

/// SPEC §13 "Fail closed where it matters": without a verdict root is left
/// to the rest of the stack; everyone else is refused and told why.
#[test]
fn without_a_verdict_only_root_is_let_through() {
    for reply in no_verdict() {
        let what = format!("{reply:?}");
        let root = run(
            &[],
            0,
            FakePam::new(&[]).with_user(Some("root")),
            vec![reply],
            |h| h.account(),
        );
        assert_eq!(root.code, PamResultCode::PAM_IGNORE, "root: {what}");
        assert!(root.pam.shown.is_empty(), "root is told nothing: {what}");
    }
    for reply in no_verdict() {
        let what = format!("{reply:?}");
        let out = account(vec![reply]);
        assert_eq!(out.code, PamResultCode::PAM_AUTHINFO_UNAVAIL, "{what}");
        assert_eq!(
            out.pam.shown,
            vec![error(&Catalog::new(Lang::En).get("pam-no-verdict"))]
        );
    }
    // A uid-0 alias is not root by name: refused (fails closed).
    assert_eq!(
        super::super::account::unreachable_verdict("toor"),
        PamResultCode::PAM_AUTHINFO_UNAVAIL
    );
}

/// A verdict for root stands: the daemon's answer is never replaced.
#[test]
fn a_verdict_for_root_is_kept() {
    let out = run(
        &[],
        0,
        FakePam::new(&[]).with_user(Some("root")),
        vec![verdict(AccountVerdict::Locked, vec![])],
        |h| h.account(),
    );
    assert_eq!(out.code, PamResultCode::PAM_PERM_DENIED);
}
