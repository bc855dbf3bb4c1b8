//! Per-person limit on requests that write to the store (SPEC §13 "The
//! audit trail cannot be flooded"): a token bucket per real uid.

use std::collections::HashMap;
use std::sync::Mutex;

/// One person's bucket: tokens left (in thousandths) at `at` (seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bucket {
    pub milli_tokens: u64,
    pub at: i64,
}

/// `burst` requests at once, then `per_minute` more each minute.
#[derive(Debug, Clone, Copy)]
pub struct Rate {
    pub per_minute: u32,
    pub burst: u32,
}

/// Takes one token at `now`: the new bucket, or how many seconds until
/// one is available. A bucket never seen starts full.
pub fn take(bucket: Option<Bucket>, rate: Rate, now: i64) -> Result<Bucket, u64> {
    let full = u64::from(rate.burst.max(1)) * 1000;
    let per_minute = u64::from(rate.per_minute.max(1));
    let mut b = bucket.unwrap_or(Bucket {
        milli_tokens: full,
        at: now,
    });
    // A clock that went back refills nothing and never panics.
    let elapsed = u64::try_from(now.saturating_sub(b.at)).unwrap_or(0);
    let refill = elapsed.saturating_mul(per_minute).saturating_mul(1000) / 60;
    b.milli_tokens = b.milli_tokens.saturating_add(refill).min(full);
    b.at = b.at.max(now);
    if b.milli_tokens >= 1000 {
        b.milli_tokens -= 1000;
        Ok(b)
    } else {
        let missing = 1000 - b.milli_tokens;
        Err((missing * 60).div_ceil(per_minute * 1000).max(1))
    }
}

/// The buckets of every limited uid.
pub struct Limiter {
    rate: Rate,
    buckets: Mutex<HashMap<u32, Bucket>>,
}

impl Limiter {
    pub fn new(rate: Rate) -> Self {
        Self {
            rate,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Ok, or the seconds `uid` must wait.
    pub fn check(&self, uid: u32, now: i64) -> Result<(), u64> {
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Full buckets carry no information: drop them so the map stays
        // as small as the number of people being limited.
        if buckets.len() > 4096 {
            let rate = self.rate;
            buckets.retain(|_, b| {
                take(Some(*b), rate, now)
                    .is_ok_and(|t| t.milli_tokens + 1000 < u64::from(rate.burst) * 1000)
            });
        }
        let next = take(buckets.get(&uid).copied(), self.rate, now)?;
        buckets.insert(uid, next);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: Rate = Rate {
        per_minute: 30,
        burst: 3,
    };

    #[test]
    fn a_burst_then_the_rate() {
        let mut b = None;
        for _ in 0..3 {
            b = Some(take(b, RATE, 100).unwrap());
        }
        assert_eq!(take(b, RATE, 100), Err(2), "30/min: one every 2 s");
        assert_eq!(take(b, RATE, 101), Err(1));
        let after = take(b, RATE, 102).unwrap();
        assert_eq!(after.milli_tokens, 0);
        assert!(take(Some(after), RATE, 102).is_err());
    }

    #[test]
    fn refill_stops_at_the_burst_and_a_clock_going_back_is_harmless() {
        let full = take(None, RATE, 0).unwrap();
        let later = take(Some(full), RATE, 1_000_000).unwrap();
        assert_eq!(later.milli_tokens, 2000, "never above burst");
        let back = take(Some(later), RATE, 10).unwrap();
        assert_eq!(back.milli_tokens, 1000);
        assert_eq!(back.at, 1_000_000);
    }

    #[test]
    fn each_uid_has_its_own_bucket() {
        let l = Limiter::new(Rate {
            per_minute: 1,
            burst: 1,
        });
        assert!(l.check(1000, 5).is_ok());
        assert_eq!(l.check(1000, 5), Err(60));
        assert!(l.check(1001, 5).is_ok(), "another person is not limited");
        assert!(l.check(1000, 65).is_ok());
    }
}
