//! Coded refusals: a stable code for programs, a sentence for people.

use serde::{Deserialize, Serialize};

/// A refusal or failure, with a stable code and a sentence for people.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WireError {
    pub code: ErrorCode,
    pub message: String,
}

impl WireError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for WireError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
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
