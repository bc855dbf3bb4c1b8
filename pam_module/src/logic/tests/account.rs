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
            vec![UserMessage::info("Your password expires in 3 days.")],
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
