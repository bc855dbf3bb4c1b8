//! Recent failed attempts per login name and per remote host, in memory:
//! what decides an attempt's hashing lane (SPEC §10). Names are recorded as
//! typed, known or not, so the lane of an unknown name is decided exactly
//! like a known one's and the order reveals nothing.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Mutex, PoisonError};

use crate::lanes::Lane;

/// How long a failure keeps its name or host in the low lane.
const WINDOW_SECS: i64 = 15 * 60;
/// Entries kept per map; past it, expired ones go, then the oldest half.
const CAPACITY: usize = 65_536;

/// Last failure time by key, bounded.
struct Recent<K> {
    last: HashMap<K, i64>,
}

impl<K: Hash + Eq + Clone> Recent<K> {
    fn new() -> Self {
        Self {
            last: HashMap::new(),
        }
    }

    fn record(&mut self, key: K, now: i64) {
        if self.last.len() >= CAPACITY && !self.last.contains_key(&key) {
            self.last.retain(|_, at| now - *at < WINDOW_SECS);
            if self.last.len() >= CAPACITY {
                let mut times: Vec<i64> = self.last.values().copied().collect();
                times.sort_unstable();
                let cut = times[times.len() / 2];
                self.last.retain(|_, at| *at > cut);
            }
        }
        self.last.insert(key, now);
    }

    fn recent(&self, key: &K, now: i64) -> bool {
        self.last.get(key).is_some_and(|at| now - at < WINDOW_SECS)
    }
}

pub struct RecentFailures {
    names: Mutex<Recent<String>>,
    hosts: Mutex<Recent<String>>,
}

impl Default for RecentFailures {
    fn default() -> Self {
        Self {
            names: Mutex::new(Recent::new()),
            hosts: Mutex::new(Recent::new()),
        }
    }
}

impl RecentFailures {
    /// A wrong answer for `name` (as typed) from `host`.
    pub fn failed(&self, name: &str, host: Option<&str>, now: i64) {
        self.names
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .record(name.to_string(), now);
        if let Some(host) = host.filter(|h| !h.is_empty()) {
            self.hosts
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .record(host.to_string(), now);
        }
    }

    /// A right answer: the name's own record is forgiven (a typo before),
    /// the host's is not (one host may try many names).
    pub fn succeeded(&self, name: &str) {
        self.names
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .last
            .remove(name);
    }

    /// The lane of an attempt for `name` from `host` at `now`.
    pub fn lane(&self, name: &str, host: Option<&str>, now: i64) -> Lane {
        let name_failed = self
            .names
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .recent(&name.to_string(), now);
        let host_failed = host.filter(|h| !h.is_empty()).is_some_and(|h| {
            self.hosts
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .recent(&h.to_string(), now)
        });
        if name_failed || host_failed {
            Lane::Low
        } else {
            Lane::High
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_700_000_000;

    #[test]
    fn names_or_hosts_with_recent_failures_wait_in_the_low_lane() {
        let r = RecentFailures::default();
        assert_eq!(r.lane("alice", Some("192.0.2.1"), NOW), Lane::High);
        r.failed("alice", Some("198.51.100.9"), NOW);
        assert_eq!(
            r.lane("alice", Some("192.0.2.1"), NOW + 1),
            Lane::Low,
            "the name"
        );
        assert_eq!(
            r.lane("bob", Some("198.51.100.9"), NOW + 1),
            Lane::Low,
            "the host"
        );
        assert_eq!(r.lane("bob", Some("192.0.2.1"), NOW + 1), Lane::High);
        assert_eq!(r.lane("bob", None, NOW + 1), Lane::High);
        // The window passes.
        assert_eq!(r.lane("alice", None, NOW + WINDOW_SECS), Lane::High);
    }

    #[test]
    fn unknown_names_are_recorded_like_known_ones() {
        // The tracker never asks whether a name exists: the same calls give
        // the same lanes for "alice" and for "no-such-user".
        let r = RecentFailures::default();
        for name in ["alice", "no-such-user"] {
            assert_eq!(r.lane(name, None, NOW), Lane::High);
            r.failed(name, None, NOW);
            assert_eq!(r.lane(name, None, NOW), Lane::Low);
        }
    }

    #[test]
    fn a_right_answer_forgives_the_name_but_not_the_host() {
        let r = RecentFailures::default();
        r.failed("alice", Some("192.0.2.1"), NOW);
        r.succeeded("alice");
        assert_eq!(r.lane("alice", None, NOW), Lane::High);
        assert_eq!(r.lane("alice", Some("192.0.2.1"), NOW), Lane::Low);
    }

    #[test]
    fn the_maps_stay_bounded() {
        let mut r = Recent::new();
        for n in 0..(CAPACITY as i64 + 10) {
            r.record(n, NOW + n);
        }
        assert!(r.last.len() <= CAPACITY);
        assert!(
            r.recent(&(CAPACITY as i64 + 9), NOW + CAPACITY as i64 + 9),
            "the newest stays"
        );
    }
}
