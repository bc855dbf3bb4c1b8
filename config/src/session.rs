//! `[session]`: logout after inactivity (SPEC §12).

use serde::Deserialize;

use crate::Span;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SessionConfig {
    /// An interactive session in which nothing was typed for this long is
    /// ended; "0" (the default) never ends one.
    pub idle_logout: Span,
    /// How long before the end the terminal is warned.
    pub idle_warning: Span,
    /// Whether root's sessions are ended too.
    pub idle_root: bool,
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            idle_logout: Span::ZERO,
            idle_warning: Span::from_secs(300),
            idle_root: false,
        }
    }
}

impl SessionConfig {
    pub fn enabled(&self) -> bool {
        !self.idle_logout.as_duration().is_zero()
    }
}

/// The kernel moves a terminal's access time in steps of 8 s: a limit
/// shorter than a few of them could end a session whose user is typing.
pub const MIN_IDLE_LOGOUT_SECS: i64 = 20;

pub(crate) fn validate(s: &SessionConfig) -> Result<(), (&'static str, &'static str, String)> {
    if !s.enabled() {
        return Ok(());
    }
    if s.idle_logout.as_secs() < MIN_IDLE_LOGOUT_SECS {
        return Err((
            "session",
            "idle_logout",
            format!(
                "must be \"0\" (off) or at least {MIN_IDLE_LOGOUT_SECS}s: the kernel records terminal input only every 8 s"
            ),
        ));
    }
    if s.idle_warning.as_secs() >= s.idle_logout.as_secs() {
        return Err((
            "session",
            "idle_warning",
            "must be shorter than idle_logout".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(logout: u64, warning: u64) -> Result<(), &'static str> {
        validate(&SessionConfig {
            idle_logout: Span::from_secs(logout),
            idle_warning: Span::from_secs(warning),
            idle_root: false,
        })
        .map_err(|(_, key, _)| key)
    }

    #[test]
    fn off_by_default_and_the_national_librarys_hour_is_valid() {
        assert!(!SessionConfig::default().enabled());
        assert_eq!(check(0, 300), Ok(()));
        assert_eq!(check(3600, 300), Ok(()));
    }

    #[test]
    fn too_short_a_limit_or_too_long_a_warning_is_refused() {
        assert_eq!(check(10, 5), Err("idle_logout"));
        assert_eq!(check(60, 60), Err("idle_warning"));
    }
}
