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

/// What a new attempt on one credential may do, given its stored count
/// and how many attempts of it are being verified right now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admission {
    /// Suspended: refuse without looking at the secret.
    Refuse,
    /// The budget is spoken for by attempts in flight; wait for one to
    /// settle (a right answer frees it all) and ask again.
    Wait,
    /// Count it as a failure now and verify; `Counter` is what to store.
    Verify(Counter),
    /// Attempts were counted and never settled (their clients hung up):
    /// the budget is spent, so suspend now and refuse.
    Suspend(Counter),
}

/// SPEC §4/§10: every attempt is counted before its secret is verified, so
/// at most `limit` wrong guesses are ever verified between successes; an
/// attempt beyond the budget waits for those in flight instead of being
/// told "suspended", and a credential is suspended only by wrong answers
/// (or counted attempts that never came back).
pub fn admit(
    c: Counter,
    limit: u32,
    exempt: bool,
    unlock_after: Limit,
    now: i64,
    in_flight: u32,
) -> Admission {
    if is_locked(c, unlock_after, now) {
        return Admission::Refuse;
    }
    // A suspension that lifted by itself starts a fresh count.
    let mut c = if c.locked_at.is_some() { released() } else { c };
    let bounded = limit > 0 && !exempt;
    if bounded && c.failures >= limit {
        if in_flight > 0 {
            return Admission::Wait;
        }
        c.locked_at = Some(now);
        return Admission::Suspend(c);
    }
    c.failures = c.failures.saturating_add(1);
    Admission::Verify(c)
}

/// The counter once a counted attempt turned out wrong (it was counted on
/// admission). The budget spent (`limit`, unless 0 or `exempt`) suspends
/// only when no other attempt is still in flight: those were counted too,
/// and one of them may be right.
pub fn after_wrong(
    c: Counter,
    limit: u32,
    exempt: bool,
    now: i64,
    others_in_flight: u32,
) -> Counter {
    let mut c = c;
    if c.locked_at.is_none() && limit > 0 && !exempt && c.failures >= limit && others_in_flight == 0
    {
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

    /// One wrong attempt, admitted alone and settled; a refused one
    /// changes nothing.
    fn after_failure(
        c: Counter,
        limit: u32,
        exempt: bool,
        unlock_after: Limit,
        now: i64,
    ) -> Counter {
        match admit(c, limit, exempt, unlock_after, now, 0) {
            Admission::Verify(counted) => after_wrong(counted, limit, exempt, now, 0),
            _ => c,
        }
    }

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
    fn attempts_on_a_suspended_credential_are_refused_and_change_nothing() {
        let c = fail_times(7, 5, false, Limit::Never);
        assert_eq!(
            c,
            Counter {
                failures: 5,
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

    /// Attempts on a limit-5 credential: admitted ones counted, each wrong
    /// settle as it would be stored.
    #[test]
    fn in_flight_attempts_wait_instead_of_being_told_suspended() {
        let l = Limit::Never;
        let mut c = Counter::default();
        // Five right-password logins at once: all admitted and counted.
        for n in 0..5 {
            match admit(c, 5, false, l, NOW, n) {
                Admission::Verify(next) => c = next,
                other => panic!("attempt {n}: {other:?}"),
            }
        }
        assert_eq!(c.failures, 5);
        assert_eq!(c.locked_at, None, "counted, not suspended");
        // The sixth waits while any is in flight.
        assert_eq!(admit(c, 5, false, l, NOW, 5), Admission::Wait);
        assert_eq!(admit(c, 5, false, l, NOW, 1), Admission::Wait);
        // One right answer clears the count: the sixth goes on.
        let cleared = after_success(c);
        assert!(matches!(
            admit(cleared, 5, false, l, NOW, 4),
            Admission::Verify(_)
        ));
    }

    #[test]
    fn wrong_answers_suspend_once_the_budget_is_spent() {
        let l = Limit::Never;
        let c = Counter {
            failures: 5,
            locked_at: None,
        };
        // The wrong answer that finds the budget spent suspends; one that
        // finds room (four counted) does not.
        assert_eq!(
            after_wrong(c, 5, false, NOW, 0),
            Counter {
                locked_at: Some(NOW),
                ..c
            }
        );
        // With another counted attempt still verifying (maybe right): not yet.
        assert_eq!(after_wrong(c, 5, false, NOW, 1), c);
        let four = Counter {
            failures: 4,
            locked_at: None,
        };
        assert_eq!(after_wrong(four, 5, false, NOW, 0), four);
        assert_eq!(after_wrong(c, 5, true, NOW, 0).locked_at, None, "exempt");
        assert_eq!(after_wrong(c, 0, false, NOW, 0).locked_at, None, "no limit");
        let locked = after_wrong(c, 5, false, NOW, 0);
        assert_eq!(admit(locked, 5, false, l, NOW, 3), Admission::Refuse);
    }

    #[test]
    fn counted_attempts_that_never_came_back_spend_the_budget() {
        let c = Counter {
            failures: 5,
            locked_at: None,
        };
        assert_eq!(
            admit(c, 5, false, Limit::Never, NOW, 0),
            Admission::Suspend(Counter {
                failures: 5,
                locked_at: Some(NOW)
            })
        );
    }

    #[test]
    fn exempt_and_unlimited_credentials_are_always_verified() {
        let c = Counter {
            failures: 50,
            locked_at: None,
        };
        assert!(matches!(
            admit(c, 5, true, Limit::Never, NOW, 9),
            Admission::Verify(_)
        ));
        assert!(matches!(
            admit(c, 0, false, Limit::Never, NOW, 9),
            Admission::Verify(_)
        ));
    }

    #[test]
    fn admission_after_a_lifted_suspension_starts_a_fresh_count() {
        let after = Limit::After(Span::from_secs(900));
        let c = Counter {
            failures: 5,
            locked_at: Some(NOW),
        };
        assert_eq!(admit(c, 5, false, after, NOW + 899, 0), Admission::Refuse);
        assert_eq!(
            admit(c, 5, false, after, NOW + 900, 0),
            Admission::Verify(Counter {
                failures: 1,
                locked_at: None
            })
        );
    }
}
