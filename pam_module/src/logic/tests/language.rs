//! SPEC §7 as the module sees it: `lang=` over the PAM environment (both
//! sent as explicit), the daemon's choice for the module's own texts once
//! it answered, and the module's own finding while it cannot answer.

use super::*;
use crate::logic::chauthtok::PAM_UPDATE_AUTHTOK;

fn account_in(args: &[&str], pam: FakePam, replies: Vec<Reply>) -> Outcome {
    run(args, 0, pam, replies, |h| h.account())
}

fn ja(id: &str) -> String {
    Catalog::new(Lang::Ja).get(id)
}

#[test]
fn the_pam_environment_names_the_language_when_the_daemon_is_down() {
    let pam = FakePam::new(&[]).with_env("LANG", "ja_JP.UTF-8");
    let out = account_in(&[], pam, vec![unreachable_daemon()]);
    assert_eq!(out.code, PamResultCode::PAM_AUTHINFO_UNAVAIL);
    assert_eq!(out.pam.shown, vec![error(&ja("pam-no-verdict"))]);
    assert_eq!(out.hint.and_then(|h| h.explicit), Some(Lang::Ja));
}

#[test]
fn lang_argument_outranks_the_pam_environment() {
    let pam = FakePam::new(&[]).with_env("LC_ALL", "ja_JP.UTF-8");
    let out = account_in(&["lang=en"], pam, vec![unreachable_daemon()]);
    let english = Catalog::new(Lang::En).get("pam-no-verdict");
    assert_eq!(out.pam.shown, vec![error(&english)]);
    assert_eq!(out.hint.and_then(|h| h.explicit), Some(Lang::En));
}

#[test]
fn c_in_the_pam_environment_is_no_preference() {
    // LC_ALL=C hides LANG=ja, and C names nothing: the daemon decides.
    let pam = FakePam::new(&[])
        .with_env("LC_ALL", "C")
        .with_env("LANG", "ja_JP.UTF-8");
    let out = account_in(&[], pam, vec![unreachable_daemon()]);
    assert_eq!(out.hint.and_then(|h| h.explicit), None);
}

#[test]
fn own_texts_follow_the_daemons_choice_once_it_answered() {
    // Nothing local names Japanese; the daemon chose it (the user's
    // stored preference): the module's own prompts and errors follow.
    let out = run_in(
        Some(Lang::Ja),
        &[],
        PAM_UPDATE_AUTHTOK,
        FakePam::new(&["old-pw", "New-pw-123", "Other-pw-456"]),
        vec![done(vec![])],
        |h| h.chauthtok(),
    );
    assert_eq!(out.code, PamResultCode::PAM_AUTHTOK_ERR);
    assert_eq!(
        out.pam.shown,
        vec![
            prompt(&ja("pam-prompt-current")),
            prompt(&ja("pam-prompt-new")),
            prompt(&ja("pam-prompt-retype")),
            error(&ja("pam-passwords-differ")),
        ]
    );
    assert!(ja("pam-prompt-current").contains("ログインパスワード"));
}
