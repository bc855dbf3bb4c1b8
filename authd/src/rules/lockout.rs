//! Suspension after consecutive failures (`[lockout]`, `[otp] max_failures`),
//! counted separately per credential.
#![forbid(unsafe_code)]

use monban_config::{Config, Limit, LockoutConfig};
use monban_proto::CredentialKind;

/// The stored failure count of one credential.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counter {
    /// Consecutive failures since the last success or release.
    pub failures: u32,
    /// When the credential was suspended; None while it is not.
    pub locked_at: Option<i64>,
}

/// Failures that suspend `kind`: `[otp] max_failures` for one-time
/// passwords, `[lockout] max_failures` otherwise; 0 means never.
pub fn limit(cfg: &Config, kind: CredentialKind) -> u32 {
    match kind {
        CredentialKind::Otp => cfg.otp.max_failures,
        CredentialKind::Login | CredentialKind::Confirm => cfg.lockout.max_failures,
    }
}

/// Whether the user is never suspended: root, unless `include_root`.
pub fn exempt(cfg: &LockoutConfig, user_is_root: bool) -> bool {
    user_is_root && !cfg.include_root
}

/// Whether the credential is suspended at `now`; a suspension lifts by
/// itself `unlock_after` later, or never.
pub fn is_locked(c: Counter, unlock_after: Limit, now: i64) -> bool {
    match (c.locked_at, unlocks_at(c, unlock_after)) {
        (None, _) => false,
        (Some(_), None) => true,
        (Some(_), Some(at)) => now < at,
    }
}

/// When a suspension lifts by itself; None when not suspended or never.
pub fn unlocks_at(c: Counter, unlock_after: Limit) -> Option<i64> {
    Some(c.locked_at?.saturating_add(unlock_after.secs()?))
}

/// The counter after a wrong secret. A suspension that has lifted by itself
/// starts a fresh count; reaching `limit` (unless 0 or `exempt`) suspends.
pub fn after_failure(
    c: Counter,
    limit: u32,
    exempt: bool,
    unlock_after: Limit,
    now: i64,
) -> Counter {
    let mut c = if c.locked_at.is_some() && !is_locked(c, unlock_after, now) {
        released()
    } else {
        c
    };
    c.failures = c.failures.saturating_add(1);
    if c.locked_at.is_none() && limit > 0 && !exempt && c.failures >= limit {
        c.locked_at = Some(now);
    }
    c
}

/// The counter after a right secret: the count starts again.
pub fn after_success(_c: Counter) -> Counter {
    released()
}

/// The counter after an administrator lifts the suspension.
pub fn released() -> Counter {
    Counter::default()
}

#[cfg(test)]
mod tests {
    use monban_config::Span;

    use super::*;

    const NOW: i64 = 1_700_000_000;

    fn fail_times(n: u32, limit: u32, exempt: bool, unlock_after: Limit) -> Counter {
        (0..n).fold(Counter::default(), |c, i| {
            after_failure(c, limit, exempt, unlock_after, NOW + i64::from(i))
        })
    }

    #[test]
    fn locks_at_exactly_max_failures() {
        let c = fail_times(4, 5, false, Limit::Never);
        assert_eq!(
            c,
            Counter {
                failures: 4,
                locked_at: None
            }
        );
        assert!(!is_locked(c, Limit::Never, NOW + 10));
        let c = after_failure(c, 5, false, Limit::Never, NOW + 4);
        assert_eq!(
            c,
            Counter {
                failures: 5,
                locked_at: Some(NOW + 4)
            }
        );
        assert!(is_locked(c, Limit::Never, NOW + 4));
    }

    #[test]
    fn further_failures_keep_the_original_lock_time() {
        let c = fail_times(7, 5, false, Limit::Never);
        assert_eq!(
            c,
            Counter {
                failures: 7,
                locked_at: Some(NOW + 4)
            }
        );
    }

    #[test]
    fn exempt_root_is_counted_but_never_locked() {
        let c = fail_times(50, 5, true, Limit::Never);
        assert_eq!(
            c,
            Counter {
                failures: 50,
                locked_at: None
            }
        );
        let lockout = LockoutConfig::default();
        assert!(exempt(&lockout, true));
        assert!(!exempt(&lockout, false));
        let include_root = LockoutConfig {
            include_root: true,
            ..LockoutConfig::default()
        };
        assert!(!exempt(&include_root, true));
    }

    #[test]
    fn zero_max_failures_turns_lockout_off() {
        let c = fail_times(50, 0, false, Limit::Never);
        assert_eq!(c.locked_at, None);
    }

    #[test]
    fn each_credential_uses_its_own_limit() {
        let mut cfg = Config::default();
        cfg.lockout.max_failures = 3;
        cfg.otp.max_failures = 7;
        assert_eq!(limit(&cfg, CredentialKind::Login), 3);
        assert_eq!(limit(&cfg, CredentialKind::Confirm), 3);
        assert_eq!(limit(&cfg, CredentialKind::Otp), 7);
    }

    #[test]
    fn a_suspension_with_a_duration_lifts_by_itself() {
        let after = Limit::After(Span::from_secs(900));
        let c = fail_times(5, 5, false, after);
        let locked_at = NOW + 4;
        assert_eq!(unlocks_at(c, after), Some(locked_at + 900));
        assert!(is_locked(c, after, locked_at + 899));
        assert!(!is_locked(c, after, locked_at + 900));
        // The next failure after the release starts a fresh count.
        let c = after_failure(c, 5, false, after, locked_at + 900);
        assert_eq!(
            c,
            Counter {
                failures: 1,
                locked_at: None
            }
        );
    }

    #[test]
    fn never_stays_locked() {
        let c = fail_times(5, 5, false, Limit::Never);
        assert_eq!(unlocks_at(c, Limit::Never), None);
        assert!(is_locked(c, Limit::Never, NOW + 100 * 365 * 86_400));
    }

    #[test]
    fn success_resets_the_count() {
        let c = fail_times(4, 5, false, Limit::Never);
        let c = after_success(c);
        assert_eq!(c, Counter::default());
        // Four more failures do not lock: the count started again.
        let c = (0..4).fold(c, |c, _| after_failure(c, 5, false, Limit::Never, NOW));
        assert_eq!(c.locked_at, None);
    }

    #[test]
    fn release_lifts_the_suspension() {
        let c = released();
        assert!(!is_locked(c, Limit::Never, NOW));
        assert_eq!(c.failures, 0);
    }
}
