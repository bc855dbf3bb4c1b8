//! The mails monban sends, in the recipient's language, from the catalogs.
//! A notice never carries a password or a code; invitation, reset and
//! verification mails carry their code on a line of its own.

use monban_proto::{Catalog, CredentialKind, Text};
use zeroize::Zeroizing;

/// What happened, for a notice to the registered address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    PasswordChanged,
    /// An administrator set a new (temporary) password.
    AdminReset,
    Suspended(CredentialKind),
    OtpOn,
    OtpOff,
    /// An administrator dropped the token.
    OtpReset,
    /// Sent to the old address.
    AddressChanged {
        new: String,
    },
}

impl Notice {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::PasswordChanged => "notice-password-changed",
            Self::AdminReset => "notice-admin-reset",
            Self::Suspended(_) => "notice-suspended",
            Self::OtpOn => "notice-otp-on",
            Self::OtpOff => "notice-otp-off",
            Self::OtpReset => "notice-otp-reset",
            Self::AddressChanged { .. } => "notice-address-changed",
        }
    }
}

/// One mail to compose.
pub enum Letter {
    Invite { code: Zeroizing<String>, until: i64 },
    Reset { code: Zeroizing<String>, until: i64 },
    Verify { code: Zeroizing<String>, until: i64 },
    Notice(Notice),
}

impl Letter {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Invite { .. } => "invite",
            Self::Reset { .. } => "reset",
            Self::Verify { .. } => "verify",
            Self::Notice(n) => n.kind(),
        }
    }
}

/// Subject and body in the catalog's language.
pub fn compose(
    catalog: &Catalog,
    letter: &Letter,
    user: &str,
    host: &str,
    now: i64,
) -> (String, Zeroizing<String>) {
    let t = |id: &str| Text::new(id).arg("user", user).arg("host", host);
    let (subject, lead, code): (Text, Text, Option<(&str, i64)>) = match letter {
        Letter::Invite { code, until } => (
            t("mail-invite-subject"),
            t("mail-invite-body"),
            Some((code.as_str(), *until)),
        ),
        Letter::Reset { code, until } => (
            t("mail-reset-subject"),
            t("mail-reset-body"),
            Some((code.as_str(), *until)),
        ),
        Letter::Verify { code, until } => (
            t("mail-verify-subject"),
            t("mail-verify-body"),
            Some((code.as_str(), *until)),
        ),
        Letter::Notice(n) => {
            let body = match n {
                Notice::PasswordChanged => t("mail-notice-password-changed"),
                Notice::AdminReset => t("mail-notice-admin-reset"),
                Notice::Suspended(kind) => t("mail-notice-suspended").arg("kind", kind.as_str()),
                Notice::OtpOn => t("mail-notice-otp-on"),
                Notice::OtpOff => t("mail-notice-otp-off"),
                Notice::OtpReset => t("mail-notice-otp-reset"),
                Notice::AddressChanged { new } => {
                    t("mail-notice-address-changed").arg("address", new.as_str())
                }
            };
            (t("mail-notice-subject"), body.time("at", now), None)
        }
    };
    let mut parts = vec![catalog.render(&t("mail-greeting")), catalog.render(&lead)];
    if let Some((code, until)) = code {
        parts.push(code.to_string());
        parts.push(catalog.render(&Text::new("mail-code-valid-until").time("until", until)));
        parts.push(catalog.render(&Text::new("mail-code-not-you")));
    } else {
        parts.push(catalog.render(&Text::new("mail-notice-not-you")));
    }
    parts.push(catalog.render(&t("mail-signature")));
    let body = Zeroizing::new(parts.join("\n\n") + "\n");
    parts.iter_mut().for_each(zeroize::Zeroize::zeroize);
    (catalog.render(&subject), body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use monban_proto::{Catalogs, Lang};

    fn all_letters() -> Vec<Letter> {
        let code = || Zeroizing::new("k7qm-4xzt-9fhw".to_string());
        let mut v = vec![
            Letter::Invite {
                code: code(),
                until: 1_800_000_000,
            },
            Letter::Reset {
                code: code(),
                until: 1_800_000_000,
            },
            Letter::Verify {
                code: code(),
                until: 1_800_000_000,
            },
        ];
        for n in [
            Notice::PasswordChanged,
            Notice::AdminReset,
            Notice::Suspended(CredentialKind::Login),
            Notice::OtpOn,
            Notice::OtpOff,
            Notice::OtpReset,
            Notice::AddressChanged {
                new: "new@example.org".into(),
            },
        ] {
            v.push(Letter::Notice(n));
        }
        v
    }

    #[test]
    fn codes_stand_on_their_own_line_and_notices_carry_none() {
        let catalogs = Catalogs::default();
        for lang in [Lang::En, Lang::Ja] {
            for letter in all_letters() {
                let (subject, body) =
                    compose(catalogs.get(lang), &letter, "alice", "lib-1", 1_700_000_000);
                assert!(!subject.is_empty() && !subject.contains('\n'));
                assert!(body.contains("alice"), "{}", *body);
                let has_code = body.lines().any(|l| l == "k7qm-4xzt-9fhw");
                assert_eq!(has_code, !matches!(letter, Letter::Notice(_)), "{}", *body);
                assert!(!body.contains("{"), "unfilled placeable: {}", *body);
            }
        }
    }

    #[test]
    fn the_reset_mail_in_japanese_is_titled_as_the_public_library_titles_it() {
        let catalogs = Catalogs::default();
        let letter = Letter::Reset {
            code: Zeroizing::new("k7qm-4xzt-9fhw".into()),
            until: 0,
        };
        let (subject, _) = compose(catalogs.get(Lang::Ja), &letter, "alice", "h", 0);
        assert!(subject.contains("パスワード再発行のお知らせ"), "{subject}");
    }
}
