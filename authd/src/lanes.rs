//! The hashing queue's two lanes (SPEC §10): while every worker is busy, an
//! attempt whose login name and remote host have no recent failures goes
//! ahead of one whose name or host has; the low lane still gets every
//! `LOW_SHARE`-th free worker, so a guessed-at user is slowed, never
//! starved.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, PoisonError};

/// Which lane an attempt waits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    /// No recent failures of its name or host; also every hash that is not
    /// a login attempt (setting a password, history checks).
    High,
    Low,
}

/// While both lanes wait, one job in this many comes from the low lane.
const LOW_SHARE: u32 = 4;

/// Which lane the next free worker serves: the high lane first, except
/// that after `LOW_SHARE - 1` high jobs in a row with the low lane waiting,
/// the low lane's turn comes.
pub fn pick(high_waiting: bool, low_waiting: bool, high_in_a_row: u32) -> Option<Lane> {
    match (high_waiting, low_waiting) {
        (false, false) => None,
        (true, false) => Some(Lane::High),
        (false, true) => Some(Lane::Low),
        (true, true) if high_in_a_row + 1 >= LOW_SHARE => Some(Lane::Low),
        (true, true) => Some(Lane::High),
    }
}

struct State<T> {
    high: VecDeque<T>,
    low: VecDeque<T>,
    high_in_a_row: u32,
    closed: bool,
}

/// A blocking two-lane queue for the hashing threads.
pub struct Lanes<T> {
    state: Mutex<State<T>>,
    ready: Condvar,
}

impl<T> Default for Lanes<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Lanes<T> {
    pub fn new() -> Self {
        Self {
            state: Mutex::new(State {
                high: VecDeque::new(),
                low: VecDeque::new(),
                high_in_a_row: 0,
                closed: false,
            }),
            ready: Condvar::new(),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues `job`; false once the queue is closed.
    pub fn push(&self, lane: Lane, job: T) -> bool {
        let mut s = self.state();
        if s.closed {
            return false;
        }
        match lane {
            Lane::High => s.high.push_back(job),
            Lane::Low => s.low.push_back(job),
        }
        drop(s);
        self.ready.notify_one();
        true
    }

    /// The next job for a worker, blocking; None once closed and drained.
    pub fn pop(&self) -> Option<T> {
        let mut s = self.state();
        loop {
            match pick(!s.high.is_empty(), !s.low.is_empty(), s.high_in_a_row) {
                Some(Lane::High) => {
                    s.high_in_a_row += 1;
                    return s.high.pop_front();
                }
                Some(Lane::Low) => {
                    s.high_in_a_row = 0;
                    return s.low.pop_front();
                }
                None if s.closed => return None,
                None => {
                    s = self.ready.wait(s).unwrap_or_else(PoisonError::into_inner);
                }
            }
        }
    }

    /// Refuses new jobs and lets the workers end once the lanes are empty.
    pub fn close(&self) {
        self.state().closed = true;
        self.ready.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_high_lane_goes_first_and_the_low_lane_is_never_starved() {
        assert_eq!(pick(false, false, 0), None);
        assert_eq!(pick(true, false, 99), Some(Lane::High));
        assert_eq!(pick(false, true, 0), Some(Lane::Low));
        assert_eq!(pick(true, true, 0), Some(Lane::High));
        assert_eq!(pick(true, true, LOW_SHARE - 2), Some(Lane::High));
        assert_eq!(pick(true, true, LOW_SHARE - 1), Some(Lane::Low));
    }

    #[test]
    fn a_flood_in_the_low_lane_lets_high_jobs_through_at_once() {
        let q = Lanes::new();
        for n in 0..100 {
            assert!(q.push(Lane::Low, format!("guess {n}")));
        }
        q.push(Lane::High, "alice".to_string());
        assert_eq!(q.pop().as_deref(), Some("alice"), "ahead of 100 guesses");
        assert_eq!(q.pop().as_deref(), Some("guess 0"));
    }

    #[test]
    fn under_load_in_both_lanes_one_job_in_low_share_is_low() {
        let q = Lanes::new();
        for n in 0..20 {
            q.push(Lane::High, ('h', n));
            q.push(Lane::Low, ('l', n));
        }
        let first: Vec<char> = (0..8).map(|_| q.pop().unwrap().0).collect();
        assert_eq!(first, ['h', 'h', 'h', 'l', 'h', 'h', 'h', 'l']);
    }

    #[test]
    fn closing_drains_then_ends_the_workers() {
        let q = Lanes::new();
        q.push(Lane::Low, 1);
        q.close();
        assert!(!q.push(Lane::High, 2), "closed: refused");
        assert_eq!(q.pop(), Some(1));
        assert_eq!(q.pop(), None);
    }
}
