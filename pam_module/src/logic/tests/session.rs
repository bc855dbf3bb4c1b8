//! `pam_sm_open_session`, `pam_sm_close_session`, `pam_sm_setcred`.

use pam::constants::PAM_SILENT;

use super::*;

#[test]
fn open_session_records_and_shows_messages_as_info() {
    let reply = || {
        vec![done(vec![
            UserMessage::info(said("Last login: Mon Jan  1 10:00 from host.example")),
            UserMessage::error(said("2 failed attempts since.")),
        ])]
    };
    let out = run(&[], 0, FakePam::new(&[]), reply(), |h| h.open_session());
    assert_eq!(out.code, PamResultCode::PAM_SUCCESS);
    assert_eq!(
        out.pam.shown,
        vec![
            info("Last login: Mon Jan  1 10:00 from host.example"),
            info("2 failed attempts since."),
        ]
    );
    assert_eq!(
        out.sent,
        vec![Sent::OpenSession(PamContextView {
            user: "alice".into(),
            service: "login".into(),
            tty: Some("tty1".into()),
            rhost: Some("host.example".into()),
        })]
    );
    let quiet = run(&[], PAM_SILENT, FakePam::new(&[]), reply(), |h| {
        h.open_session()
    });
    assert!(quiet.pam.shown.is_empty());
}

#[test]
fn open_session_never_fails() {
    // Recording the login never stops it, whatever the daemon says.
    let outcomes = check_table(
        [
            (ErrorCode::UserUnknown, PamResultCode::PAM_IGNORE),
            (ErrorCode::PermissionDenied, PamResultCode::PAM_SUCCESS),
        ],
        PamResultCode::PAM_SUCCESS,
        |reply| run(&[], 0, FakePam::new(&[]), vec![reply], |h| h.open_session()),
    );
    for out in outcomes {
        assert!(out.pam.shown.is_empty());
    }
}

#[test]
fn close_session_and_setcred_succeed() {
    for reply in [
        done(vec![]),
        unreachable_daemon(),
        refused(ErrorCode::UserUnknown, "?"),
    ] {
        let out = run(&[], 0, FakePam::new(&[]), vec![reply], |h| {
            h.close_session()
        });
        assert_eq!(out.code, PamResultCode::PAM_SUCCESS);
        assert_eq!(out.sent, vec![Sent::CloseSession("alice".into())]);
    }
    let out = run(&[], 0, FakePam::new(&[]), vec![], |h| h.setcred());
    assert_eq!(out.code, PamResultCode::PAM_SUCCESS);
    assert!(out.sent.is_empty());
}
