//! Coded refusals: a stable code for programs, a sentence for people.

use monban_i18n::Text;
use serde::{Deserialize, Serialize};

/// A refusal or failure, with a stable code and a sentence for people.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WireError {
    pub code: ErrorCode,
    pub message: Text,
}

impl WireError {
    pub fn new(code: ErrorCode, message: Text) -> Self {
        Self { code, message }
    }
}

impl std::fmt::Display for WireError {
    /// The rendered sentence; its id where nothing rendered it (a log line
    /// in the daemon before the answer is rendered).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.message.text.is_empty() {
            f.write_str(&self.message.id)
        } else {
            f.write_str(&self.message.text)
        }
    }
}

/// Stable error codes; new ones may be added, existing ones never change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The request could not be parsed or makes no sense now.
    BadRequest,
    UnsupportedVersion,
    FrameTooLarge,
    /// The caller may not ask this.
    PermissionDenied,
    /// An administrator must re-enter their confirmation password.
    StepUpRequired,
    UserUnknown,
    AlreadyExists,
    /// A secret was wrong.
    AuthFailed,
    Locked,
    Disabled,
    /// The new password breaks one or more rules (all listed).
    PolicyRejected,
    /// Too many requests; try again.
    Busy,
    Internal,
}
