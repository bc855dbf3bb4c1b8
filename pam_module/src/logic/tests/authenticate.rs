//! `pam_sm_authenticate`: the daemon's prompts relayed, its verdict returned.

use monban_proto::MAX_SECRET_LEN;
use pam::constants::PAM_SILENT;

use super::*;
use crate::logic::authenticate::MAX_AUTH_STEPS;

fn auth(args: &[&str], pam: FakePam, replies: Vec<Reply>) -> Outcome {
    run(args, 0, pam, replies, |h| h.authenticate())
}

/// The answers the daemon received, in order.
fn answered(out: &Outcome) -> Vec<&str> {
    out.sent
        .iter()
        .filter_map(|sent| match sent {
            Sent::AuthAnswer(answer) => Some(answer.as_str()),
            _ => None,
        })
        .collect()
}

#[test]
fn auth_success_sets_authtok() {
    let out = auth(
        &["debug"],
        FakePam::new(&["s3cret-pw"]),
        vec![ask_password(), finished(AuthOutcome::Success)],
    );
    assert_eq!(out.code, PamResultCode::PAM_SUCCESS);
    assert_eq!(out.pam.shown, vec![prompt("Password: ")]);
    assert_eq!(
        out.sent,
        vec![
            Sent::AuthStart("alice".into(), CredentialKind::Login),
            Sent::AuthAnswer("s3cret-pw".into()),
        ]
    );
    assert_eq!(out.pam.authtok.as_deref(), Some("s3cret-pw"));
    assert!(!out.log.is_empty());
    assert!(
        out.log.iter().all(|l| !l.contains("s3cret-pw")),
        "{:?}",
        out.log
    );
}

#[test]
fn auth_wrong_password() {
    let out = auth(
        &[],
        FakePam::new(&["wrong"]),
        vec![ask_password(), finished(AuthOutcome::Denied)],
    );
    assert_eq!(out.code, PamResultCode::PAM_AUTH_ERR);
}

#[test]
fn auth_unknown_user_gets_the_same_prompt() {
    let out = auth(
        &[],
        FakePam::new(&["whatever"]),
        vec![ask_password(), finished(AuthOutcome::UserUnknown)],
    );
    assert_eq!(out.code, PamResultCode::PAM_USER_UNKNOWN);
    assert_eq!(out.pam.shown, vec![prompt("Password: ")]);
}

#[test]
fn auth_locked_shows_the_message() {
    let msg = "Your login password is suspended; ask an administrator to unlock it.";
    let out = auth(
        &[],
        FakePam::new(&["guess"]),
        vec![
            ask_password(),
            auth_step(
                vec![UserMessage::error(said(msg))],
                AuthNext::Finished(AuthOutcome::Locked),
            ),
        ],
    );
    assert_eq!(out.code, PamResultCode::PAM_AUTH_ERR);
    assert_eq!(out.pam.shown, vec![prompt("Password: "), error(msg)]);
}

#[test]
fn auth_unavailable_is_never_success() {
    let mid_exchange = [
        vec![ask_password(), Err(ClientError::Timeout)],
        vec![ask_password(), done(vec![])],
        vec![ask_password(), finished(AuthOutcome::Unavailable)],
    ];
    let cases = no_verdict().into_iter().map(|reply| vec![reply]);
    for replies in cases.chain(mid_exchange) {
        let out = auth(&[], FakePam::new(&["pw"]), replies);
        assert_eq!(out.code, PamResultCode::PAM_AUTHINFO_UNAVAIL);
        assert!(!out.pam.shown.contains(&error("oops")));
    }
}

#[test]
fn auth_permission_denied() {
    let out = auth(
        &[],
        FakePam::new(&[]),
        vec![refused(
            ErrorCode::PermissionDenied,
            "You may only check your own password.",
        )],
    );
    assert_eq!(out.code, PamResultCode::PAM_PERM_DENIED);
    assert_eq!(
        out.pam.shown,
        vec![error("You may only check your own password.")]
    );
}

#[test]
fn auth_otp_is_just_another_prompt() {
    let out = auth(
        &[],
        FakePam::new(&["pw", "123456"]),
        vec![
            ask_password(),
            ask("One-time password: ", PromptKind::OneTimeCode),
            finished(AuthOutcome::Success),
        ],
    );
    assert_eq!(out.code, PamResultCode::PAM_SUCCESS);
    assert_eq!(
        out.pam.shown,
        vec![prompt("Password: "), prompt("One-time password: ")]
    );
    assert_eq!(answered(&out), ["pw", "123456"]);
    // The code is not a password other modules could reuse.
    assert_eq!(out.pam.authtok.as_deref(), Some("pw"));
}

#[test]
fn auth_echo_on_prompt_is_relayed() {
    let step = auth_step(
        vec![],
        AuthNext::Prompt(Prompt {
            message: said("Recovery code: "),
            echo: true,
            kind: PromptKind::OneTimeCode,
        }),
    );
    let out = auth(
        &[],
        FakePam::new(&["abc"]),
        vec![step, finished(AuthOutcome::Denied)],
    );
    assert_eq!(
        out.pam.shown,
        vec![Shown::Prompt("Recovery code: ".into(), true)]
    );
}

#[test]
fn auth_use_first_pass_takes_the_stacked_password_once() {
    let pam = FakePam::new(&["654321"]).with_authtok("from-unix");
    let out = auth(
        &["use_first_pass"],
        pam,
        vec![
            ask_password(),
            ask("One-time password: ", PromptKind::OneTimeCode),
            finished(AuthOutcome::Success),
        ],
    );
    assert_eq!(out.code, PamResultCode::PAM_SUCCESS);
    assert_eq!(out.pam.shown, vec![prompt("One-time password: ")]);
    assert_eq!(answered(&out), ["from-unix", "654321"]);
}

#[test]
fn auth_use_first_pass_without_a_password_fails_without_the_daemon() {
    let out = auth(&["use_first_pass"], FakePam::new(&["pw"]), vec![]);
    assert_eq!(out.code, PamResultCode::PAM_AUTH_ERR);
    assert!(out.sent.is_empty());
    assert!(out.pam.shown.is_empty());
}

#[test]
fn auth_second_password_prompt_goes_to_the_person() {
    let pam = FakePam::new(&["typed"]).with_authtok("stacked");
    let out = auth(
        &["use_first_pass"],
        pam,
        vec![
            ask_password(),
            ask_password(),
            finished(AuthOutcome::Denied),
        ],
    );
    assert_eq!(out.pam.shown, vec![prompt("Password: ")]);
    assert_eq!(answered(&out), ["stacked", "typed"]);
}

#[test]
fn auth_try_first_pass_uses_a_password_when_there_is_one() {
    let pam = FakePam::new(&[]).with_authtok("stacked");
    let out = auth(
        &["try_first_pass"],
        pam,
        vec![ask_password(), finished(AuthOutcome::Success)],
    );
    assert_eq!(out.code, PamResultCode::PAM_SUCCESS);
    assert!(out.pam.shown.is_empty());
    assert_eq!(answered(&out), ["stacked"]);

    let out = auth(
        &["try_first_pass"],
        FakePam::new(&["typed"]),
        vec![ask_password(), finished(AuthOutcome::Success)],
    );
    assert_eq!(out.code, PamResultCode::PAM_SUCCESS);
    assert_eq!(out.pam.shown, vec![prompt("Password: ")]);
    assert_eq!(out.pam.authtok.as_deref(), Some("typed"));
}

#[test]
fn auth_without_first_pass_ignores_the_stacked_password() {
    let pam = FakePam::new(&["typed"]).with_authtok("stacked");
    let out = auth(
        &[],
        pam,
        vec![ask_password(), finished(AuthOutcome::Success)],
    );
    assert_eq!(answered(&out), ["typed"]);
}

#[test]
fn auth_silent_hides_info_but_not_errors() {
    let replies = || {
        vec![
            auth_step(
                vec![UserMessage::info(said("Welcome"))],
                AuthNext::Prompt(Prompt {
                    message: said("Password: "),
                    echo: false,
                    kind: PromptKind::Password,
                }),
            ),
            auth_step(
                vec![UserMessage::error(said("Wrong."))],
                AuthNext::Finished(AuthOutcome::Denied),
            ),
        ]
    };
    let loud = auth(&[], FakePam::new(&["pw"]), replies());
    assert_eq!(
        loud.pam.shown,
        vec![info("Welcome"), prompt("Password: "), error("Wrong.")]
    );
    let quiet = run(&[], PAM_SILENT, FakePam::new(&["pw"]), replies(), |h| {
        h.authenticate()
    });
    assert_eq!(quiet.pam.shown, vec![prompt("Password: "), error("Wrong.")]);
}

#[test]
fn auth_confirm_credential() {
    let out = auth(
        &["credential=confirm"],
        FakePam::new(&["pw2"]),
        vec![
            ask("Confirmation password: ", PromptKind::Password),
            finished(AuthOutcome::Success),
        ],
    );
    assert_eq!(
        out.sent[0],
        Sent::AuthStart("alice".into(), CredentialKind::Confirm)
    );
    assert_eq!(out.pam.shown, vec![prompt("Confirmation password: ")]);
    // A later module with use_first_pass would take it for the login password.
    assert_eq!(out.pam.authtok, None);
}

#[test]
fn auth_conversation_failure_stops_the_exchange() {
    let out = auth(&[], FakePam::new(&[]), vec![ask_password()]);
    assert_eq!(out.code, PamResultCode::PAM_CONV_ERR);
    assert_eq!(out.sent.len(), 1);
}

#[test]
fn auth_oversized_answer_is_a_failure() {
    let long = "x".repeat(MAX_SECRET_LEN + 1);
    let out = auth(&[], FakePam::new(&[&long]), vec![ask_password()]);
    assert_eq!(out.code, PamResultCode::PAM_AUTH_ERR);
    assert_eq!(out.sent.len(), 1);
}

#[test]
fn auth_endless_prompting_is_cut_off() {
    let answers = vec!["a"; MAX_AUTH_STEPS];
    let replies = (0..MAX_AUTH_STEPS).map(|_| ask_password()).collect();
    let out = auth(&[], FakePam::new(&answers), replies);
    assert_eq!(out.code, PamResultCode::PAM_AUTHINFO_UNAVAIL);
}

#[test]
fn auth_no_user() {
    let out = auth(&[], FakePam::new(&[]).with_user(Some("")), vec![]);
    assert_eq!(out.code, PamResultCode::PAM_USER_UNKNOWN);
    let out = auth(&[], FakePam::new(&[]).with_user(None), vec![]);
    assert_eq!(out.code, PamResultCode::PAM_SYSTEM_ERR);
    assert!(out.sent.is_empty());
}
