//! Wall-clock helpers for tests that wait for a deadline.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Now, in Unix seconds.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Sleeps until `at` (Unix seconds) has passed, plus a margin.
pub fn sleep_until(at: i64, margin: Duration) {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let target = Duration::from_secs(at.max(0) as u64) + margin;
    if target > now {
        std::thread::sleep(target - now);
    }
}
