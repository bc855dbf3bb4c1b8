//! Every way a command can fail, and the exit status each one means:
//! 0 ok, 1 refused or failed, 2 usage (clap's own errors, and a bad
//! config), 3 daemon unreachable.

use monban_config::ConfigError;
use monban_proto::{ClientError, ErrorCode};

use crate::output::escape_lines;

pub(crate) const EXIT_FAILED: u8 = 1;
pub(crate) const EXIT_USAGE: u8 = 2;
pub(crate) const EXIT_UNAVAILABLE: u8 = 3;

#[derive(Debug, thiserror::Error)]
pub(crate) enum CliError {
    #[error("{0}")]
    Config(#[from] ConfigError),
    /// The daemon refused, or could not be reached.
    #[error("{0}")]
    Client(#[from] ClientError),
    /// The daemon answered something this verb does not expect.
    #[error("unexpected answer from monban-authd: {0}")]
    UnexpectedReply(&'static str),
    /// Refused or failed here (passwords differ, no input, unreadable file).
    #[error("{0}")]
    Failed(String),
    /// The failure was already shown (a policy check that did not pass).
    #[error("")]
    Reported,
}

impl CliError {
    pub(crate) fn exit_code(&self) -> u8 {
        match self {
            Self::Config(_) => EXIT_USAGE,
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
            Self::Config(_) => "config".into(),
            Self::Client(ClientError::Refused(e)) => serde_json::to_value(e.code)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_else(|| "refused".into()),
            Self::Client(_) | Self::UnexpectedReply(_) => "unavailable".into(),
            Self::Failed(_) | Self::Reported => "failed".into(),
        }
    }

    /// Lines for stderr. A daemon refusal is a sentence for people (a policy
    /// refusal has one failed rule per line), shown with its control
    /// characters escaped.
    pub(crate) fn lines(&self) -> Vec<String> {
        match self {
            Self::Reported => Vec::new(),
            Self::Client(ClientError::Refused(e)) => {
                let mut lines = escape_lines(&e.message);
                if e.code == ErrorCode::StepUpRequired && lines.is_empty() {
                    lines.push("your confirmation password is required (step-up)".into());
                }
                lines
            }
            other => vec![format!("monban: {other}")],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use monban_proto::{FrameError, WireError};
    use std::io;
    use std::path::PathBuf;

    fn refused(code: ErrorCode, msg: &str) -> CliError {
        CliError::Client(ClientError::Refused(WireError::new(code, msg)))
    }

    #[test]
    fn exit_codes() {
        assert_eq!(refused(ErrorCode::PermissionDenied, "no").exit_code(), 1);
        assert_eq!(refused(ErrorCode::PolicyRejected, "no").exit_code(), 1);
        assert_eq!(refused(ErrorCode::Internal, "oops").exit_code(), 1);
        assert_eq!(
            CliError::Failed("Passwords do not match.".into()).exit_code(),
            1
        );
        assert_eq!(CliError::Reported.exit_code(), 1);
        let config = ConfigError {
            path: PathBuf::from("/x.toml"),
            line: Some(3),
            message: "unknown field".into(),
        };
        assert_eq!(CliError::Config(config).exit_code(), 2);
        let unreachable = ClientError::Connect {
            path: "/nowhere".into(),
            source: io::ErrorKind::NotFound.into(),
        };
        assert_eq!(CliError::Client(unreachable).exit_code(), 3);
        assert_eq!(CliError::Client(ClientError::Timeout).exit_code(), 3);
        let garbage = ClientError::Protocol(FrameError::Malformed("x".into()));
        assert_eq!(CliError::Client(garbage).exit_code(), 3);
        assert_eq!(CliError::UnexpectedReply("status").exit_code(), 3);
    }

    #[test]
    fn busy_daemon_is_unavailable_with_its_message() {
        let e = refused(ErrorCode::Busy, "monban-authd is busy; try again");
        assert_eq!(e.exit_code(), 3);
        assert_eq!(e.lines(), vec!["monban-authd is busy; try again"]);
        assert_eq!(e.code_name(), "busy");
    }

    #[test]
    fn refusal_control_characters_are_escaped() {
        let e = refused(ErrorCode::AuthFailed, "no\x1b]0;owned\x07\rfake");
        assert_eq!(e.lines(), vec!["no\\e]0;owned\\x07\\rfake"]);
    }

    #[test]
    fn policy_refusal_shows_every_line() {
        let e = refused(
            ErrorCode::PolicyRejected,
            "must be at least 8 characters\nmust not contain the login name",
        );
        assert_eq!(
            e.lines(),
            vec![
                "must be at least 8 characters",
                "must not contain the login name"
            ]
        );
        assert_eq!(e.code_name(), "policy_rejected");
    }

    #[test]
    fn local_errors_are_prefixed() {
        let e = CliError::Failed("Passwords do not match.".into());
        assert_eq!(e.lines(), vec!["monban: Passwords do not match."]);
        assert!(CliError::Reported.lines().is_empty());
    }
}
