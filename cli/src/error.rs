//! Every way a command can fail, and the exit status each one means:
//! 0 ok, 1 refused or failed, 2 usage (clap's own errors, and a bad
//! config), 3 daemon unreachable.

use monban_config::ConfigError;
use monban_proto::{Catalog, ClientError, ErrorCode, Text};

use crate::output::escape_lines;

pub(crate) const EXIT_FAILED: u8 = 1;
pub(crate) const EXIT_USAGE: u8 = 2;
pub(crate) const EXIT_UNAVAILABLE: u8 = 3;

/// A failure, as data: the words are chosen when it is reported, in the
/// language known by then.
#[derive(Debug)]
pub(crate) enum CliError {
    Config(ConfigError),
    /// A config named on the command line or in `MONBAN_CONFIG` that
    /// cannot be read.
    ConfigUnreadable(Text),
    /// The daemon refused, or could not be reached.
    Client(ClientError),
    /// The daemon answered something this verb does not expect.
    UnexpectedReply(&'static str),
    /// Refused or failed here (passwords differ, no input, unreadable file).
    Failed(Text),
    /// The failure was already shown (a policy check that did not pass).
    Reported,
}

impl From<ConfigError> for CliError {
    fn from(e: ConfigError) -> Self {
        Self::Config(e)
    }
}

impl From<ClientError> for CliError {
    fn from(e: ClientError) -> Self {
        Self::Client(e)
    }
}

impl CliError {
    pub(crate) fn exit_code(&self) -> u8 {
        match self {
            Self::Config(_) | Self::ConfigUnreadable(_) => EXIT_USAGE,
            Self::Client(e) if e.is_unavailable() => EXIT_UNAVAILABLE,
            // Over its connection limits: reachable, but not serving now.
            Self::Client(ClientError::Refused(e)) if e.code == ErrorCode::Busy => EXIT_UNAVAILABLE,
            Self::UnexpectedReply(_) => EXIT_UNAVAILABLE,
            Self::Client(_) | Self::Failed(_) | Self::Reported => EXIT_FAILED,
        }
    }

    /// Stable name for `--json` error objects.
    pub(crate) fn code_name(&self) -> String {
        match self {
            Self::Config(_) | Self::ConfigUnreadable(_) => "config".into(),
            Self::Client(ClientError::Refused(e)) => serde_json::to_value(e.code)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_else(|| "refused".into()),
            Self::Client(_) | Self::UnexpectedReply(_) => "unavailable".into(),
            Self::Failed(_) | Self::Reported => "failed".into(),
        }
    }

    /// Lines for stderr in `tr`'s language. A daemon refusal is a sentence
    /// for people, already in the language the daemon chose (a policy
    /// refusal has one failed rule per line), shown with its control
    /// characters escaped. The config's own complaints are its own.
    pub(crate) fn lines(&self, tr: &Catalog) -> Vec<String> {
        let said = match self {
            Self::Reported => return Vec::new(),
            Self::Client(ClientError::Refused(e)) => {
                let lines = escape_lines(&e.message.text);
                return match lines.is_empty() {
                    false => lines,
                    true if e.code == ErrorCode::StepUpRequired => {
                        vec![tr.get("cli-step-up-required")]
                    }
                    // Nothing rendered it: its id is still a clue.
                    true => escape_lines(&e.to_string()),
                };
            }
            Self::Client(e) => match unavailable(e) {
                Some(text) => tr.render(&text),
                None => e.to_string(),
            },
            Self::Config(e) => e.to_string(),
            Self::ConfigUnreadable(t) | Self::Failed(t) => tr.render(t),
            Self::UnexpectedReply(verb) => {
                tr.render(&Text::new("cli-unexpected-reply").arg("verb", *verb))
            }
        };
        vec![format!("monban: {said}")]
    }
}

/// Why the daemon could not be asked, in words the CLI owns; the details
/// (the system's error, the frame's fault) are the system's own. None for
/// a refusal: the daemon's words are printed as they are.
fn unavailable(e: &ClientError) -> Option<Text> {
    Some(match e {
        ClientError::Connect { path, source } => Text::new("cli-unreachable")
            .arg("path", path)
            .arg("reason", source.to_string()),
        ClientError::Timeout => Text::new("cli-timeout"),
        ClientError::Protocol(f) => Text::new("cli-bad-exchange").arg("detail", f.to_string()),
        ClientError::Untrusted { path, reason } => Text::new("cli-untrusted")
            .arg("path", path)
            .arg("reason", reason),
        ClientError::Refused(_) => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use monban_proto::{FrameError, Lang, WireError};
    use std::io;
    use std::path::PathBuf;

    fn refused(code: ErrorCode, msg: &str) -> CliError {
        let mut text = Text::new("daemon-busy");
        text.text = msg.to_string();
        CliError::Client(ClientError::Refused(WireError::new(code, text)))
    }

    fn en() -> Catalog {
        Catalog::new(Lang::En)
    }

    fn ja() -> Catalog {
        Catalog::new(Lang::Ja)
    }

    fn unreachable() -> ClientError {
        ClientError::Connect {
            path: "/nowhere".into(),
            source: io::ErrorKind::NotFound.into(),
        }
    }

    #[test]
    fn exit_codes() {
        assert_eq!(refused(ErrorCode::PermissionDenied, "no").exit_code(), 1);
        assert_eq!(refused(ErrorCode::PolicyRejected, "no").exit_code(), 1);
        assert_eq!(refused(ErrorCode::Internal, "oops").exit_code(), 1);
        assert_eq!(CliError::Failed(Text::new("cli-mismatch")).exit_code(), 1);
        assert_eq!(CliError::Reported.exit_code(), 1);
        let config = ConfigError {
            path: PathBuf::from("/x.toml"),
            line: Some(3),
            message: "unknown field".into(),
        };
        assert_eq!(CliError::Config(config).exit_code(), 2);
        assert_eq!(
            CliError::ConfigUnreadable(Text::new("cli-config-unreadable")).exit_code(),
            2
        );
        assert_eq!(CliError::Client(unreachable()).exit_code(), 3);
        assert_eq!(CliError::Client(ClientError::Timeout).exit_code(), 3);
        let garbage = ClientError::Protocol(FrameError::Malformed("x".into()));
        assert_eq!(CliError::Client(garbage).exit_code(), 3);
        assert_eq!(CliError::UnexpectedReply("status").exit_code(), 3);
    }

    #[test]
    fn busy_daemon_is_unavailable_with_its_message() {
        let e = refused(ErrorCode::Busy, "monban-authd is busy; try again");
        assert_eq!(e.exit_code(), 3);
        assert_eq!(e.lines(&en()), vec!["monban-authd is busy; try again"]);
        assert_eq!(e.code_name(), "busy");
    }

    #[test]
    fn refusal_control_characters_are_escaped() {
        let e = refused(ErrorCode::AuthFailed, "no\x1b]0;owned\x07\rfake");
        assert_eq!(e.lines(&en()), vec!["no\\e]0;owned\\x07\\rfake"]);
    }

    #[test]
    fn policy_refusal_shows_every_line() {
        let e = refused(
            ErrorCode::PolicyRejected,
            "must be at least 8 characters\nmust not contain the login name",
        );
        assert_eq!(
            e.lines(&en()),
            vec![
                "must be at least 8 characters",
                "must not contain the login name"
            ]
        );
        assert_eq!(e.code_name(), "policy_rejected");
    }

    #[test]
    fn the_daemons_words_are_kept_in_any_language() {
        let e = refused(ErrorCode::Locked, "ログインパスワードは利用停止中です");
        assert_eq!(e.lines(&en()), e.lines(&ja()));
    }

    #[test]
    fn local_errors_are_prefixed() {
        let e = CliError::Failed(Text::new("cli-mismatch"));
        assert_eq!(e.lines(&en()), vec!["monban: Passwords do not match."]);
        assert_eq!(e.lines(&ja()), vec!["monban: パスワードが一致しません。"]);
        assert!(CliError::Reported.lines(&en()).is_empty());
    }

    /// The English words are the ones `ClientError` itself has always shown.
    #[test]
    fn unreachable_daemon_in_english_as_before_and_in_japanese() {
        let cases = [
            unreachable(),
            ClientError::Timeout,
            ClientError::Protocol(FrameError::Closed),
            ClientError::Untrusted {
                path: "/run/monban/authd.sock".into(),
                reason: "its listener runs as uid 1000".into(),
            },
        ];
        for c in cases {
            let before = format!("monban: {c}");
            let e = CliError::Client(c);
            assert_eq!(e.lines(&en()), vec![before]);
            let ja = e.lines(&ja()).join("\n");
            assert!(ja.starts_with("monban: "), "{ja}");
            assert!(
                ja.contains("monban-authd") || ja.contains("/run/monban"),
                "{ja}"
            );
            assert!(!ja.is_ascii(), "{ja}");
        }
        let e = CliError::UnexpectedReply("status");
        assert_eq!(
            e.lines(&en()),
            vec!["monban: unexpected answer from monban-authd: status"]
        );
    }

    #[test]
    fn refusals_without_words() {
        let e = refused(ErrorCode::StepUpRequired, "");
        assert_eq!(
            e.lines(&en()),
            vec!["your confirmation password is required (step-up)"]
        );
        assert_eq!(
            refused(ErrorCode::Internal, "").lines(&en()),
            vec!["daemon-busy"]
        );
    }
}
