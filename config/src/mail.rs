//! `[mail]`, `[reset]` and `[invite]` (SPEC §8): the relay the daemon
//! sends through, and the self-service codes it mails.

use std::path::PathBuf;

use serde::Deserialize;

use crate::Span;

/// How the connection to the relay is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailTls {
    /// Plain SMTP: only for a relay on this host.
    None,
    /// Plain connection upgraded with STARTTLS, refused if the relay cannot.
    Starttls,
    /// TLS from the first byte (SMTPS, usually port 465).
    Tls,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MailConfig {
    /// "host:port" of an SMTP relay; empty sends no e-mail.
    pub relay: String,
    pub tls: MailTls,
    /// PEM certificates the relay's is checked against, instead of the
    /// system's roots (a relay with a private CA).
    pub ca_file: Option<PathBuf>,
    pub from: String,
    /// SMTP AUTH user; the password is read from `password_file`.
    pub username: String,
    pub password_file: Option<PathBuf>,
}

impl Default for MailConfig {
    fn default() -> Self {
        Self {
            relay: String::new(),
            tls: MailTls::Starttls,
            ca_file: None,
            from: "monban@localhost".into(),
            username: String::new(),
            password_file: None,
        }
    }
}

impl MailConfig {
    pub fn enabled(&self) -> bool {
        !self.relay.is_empty()
    }

    /// The relay's host and port.
    pub fn relay_parts(&self) -> Option<(&str, u16)> {
        let (host, port) = self.relay.rsplit_once(':')?;
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let port = port.parse().ok()?;
        (!host.is_empty()).then_some((host, port))
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ResetConfig {
    pub enabled: bool,
    pub code_valid_for: Span,
    /// At most one code per user within this span.
    pub min_interval: Span,
    /// An empty answer at the password prompt offers a reset.
    pub at_login: bool,
    /// A code also lifts a suspension of the login password.
    pub releases_suspension: bool,
}

impl Default for ResetConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            code_valid_for: Span::from_secs(600),
            min_interval: Span::from_secs(60),
            at_login: false,
            releases_suspension: false,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct InviteConfig {
    pub valid_for: Span,
}

impl Default for InviteConfig {
    fn default() -> Self {
        Self {
            valid_for: Span::from_secs(24 * 3600),
        }
    }
}

/// The checks of the three sections: (section, key, reason).
pub(crate) fn validate(
    mail: &MailConfig,
    reset: &ResetConfig,
    invite: &InviteConfig,
) -> Result<(), (&'static str, &'static str, String)> {
    let fail = |section, key, msg: &str| Err((section, key, msg.to_string()));
    if mail.enabled() && mail.relay_parts().is_none() {
        return fail(
            "mail",
            "relay",
            "must be \"host:port\", e.g. \"127.0.0.1:25\"",
        );
    }
    if !mail.from.contains('@') || mail.from.contains(['\r', '\n']) {
        return fail("mail", "from", "must be an e-mail address");
    }
    // Named where the administrator wrote the half that is there.
    let both = "username and password_file go together (SMTP AUTH needs both)";
    match (mail.username.is_empty(), mail.password_file.is_some()) {
        (false, false) => return fail("mail", "username", both),
        (true, true) => return fail("mail", "password_file", both),
        _ => {}
    }
    for (key, path) in [
        ("password_file", &mail.password_file),
        ("ca_file", &mail.ca_file),
    ] {
        if let Some(path) = path
            && !path.is_absolute()
        {
            return Err((
                "mail",
                key,
                format!("must be an absolute path, not {}", path.display()),
            ));
        }
    }
    if reset.enabled && !mail.enabled() {
        return fail(
            "reset",
            "enabled",
            "needs [mail] relay: the codes are sent by e-mail",
        );
    }
    if reset.at_login && !reset.enabled {
        return fail("reset", "at_login", "needs [reset] enabled = true");
    }
    if reset.code_valid_for.as_duration().is_zero() {
        return fail("reset", "code_valid_for", "must be longer than zero");
    }
    if invite.valid_for.as_duration().is_zero() {
        return fail("invite", "valid_for", "must be longer than zero");
    }
    Ok(())
}
