//! Attempts being verified right now, per credential: what lets an attempt
//! beyond the failure budget wait for those in flight (SPEC §10) instead of
//! being refused as "suspended". Memory only: an attempt that dies with the
//! daemon was already counted in the store.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use monban_proto::CredentialKind;
use tokio::sync::Notify;

type Key = (i64, CredentialKind);

#[derive(Default)]
struct Slot {
    verifying: u32,
    /// Bumped at every settle, so a waiter can tell it missed one.
    settled: u64,
    notify: Arc<Notify>,
}

#[derive(Default)]
pub struct InFlight {
    slots: Mutex<HashMap<Key, Slot>>,
}

/// Where a waiting attempt stands: what it saw when it decided to wait.
pub struct Seen {
    notify: Arc<Notify>,
    settled: u64,
}

impl InFlight {
    fn slots(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Slot>> {
        self.slots.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `decide` with the number of attempts in flight for `key`; when
    /// it admits one (returns true) that attempt is in flight from then on,
    /// until its [`Verifying`] guard drops. Held across the decision so no
    /// settle slips between the count and the choice.
    pub fn decide<R>(
        self: &Arc<Self>,
        user_id: i64,
        kind: CredentialKind,
        decide: impl FnOnce(u32) -> (R, bool),
    ) -> (R, Result<Verifying, Seen>) {
        let key = (user_id, kind);
        let mut slots = self.slots();
        let slot = slots.entry(key).or_default();
        let (out, admitted) = decide(slot.verifying);
        let ticket = if admitted {
            slot.verifying += 1;
            Ok(Verifying {
                registry: Arc::clone(self),
                key,
                done: false,
            })
        } else {
            Err(Seen {
                notify: Arc::clone(&slot.notify),
                settled: slot.settled,
            })
        };
        if slot.verifying == 0 {
            slots.remove(&key);
        }
        (out, ticket)
    }

    /// Waits until an attempt of `key` settles after `seen` was taken.
    pub async fn settled(&self, user_id: i64, kind: CredentialKind, seen: Seen) {
        let notified = seen.notify.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        let moved = self
            .slots()
            .get(&(user_id, kind))
            .is_none_or(|s| s.settled != seen.settled);
        if !moved {
            notified.await;
        }
    }

    /// Ends one attempt of `key`; how many others are still in flight.
    fn release(&self, key: Key) -> u32 {
        let mut slots = self.slots();
        let Some(slot) = slots.get_mut(&key) else {
            return 0;
        };
        slot.verifying = slot.verifying.saturating_sub(1);
        slot.settled = slot.settled.wrapping_add(1);
        slot.notify.notify_waiters();
        let left = slot.verifying;
        if left == 0 {
            slots.remove(&key);
        }
        left
    }
}

/// One admitted attempt. [`Verifying::finish`] ends it inside the settling
/// transaction; dropping it unfinished (its client gone) ends it too, so
/// the waiters look again.
pub struct Verifying {
    registry: Arc<InFlight>,
    key: Key,
    done: bool,
}

impl Verifying {
    /// Ends the attempt; how many others of the same credential are still
    /// being verified. Called under the store's write lock, so no other
    /// attempt is admitted between this and the commit.
    pub fn finish(&mut self) -> u32 {
        if self.done {
            return 0;
        }
        self.done = true;
        self.registry.release(self.key)
    }
}

impl Drop for Verifying {
    fn drop(&mut self) {
        self.finish();
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn a_waiter_wakes_when_an_attempt_in_flight_settles() {
        let reg = Arc::new(InFlight::default());
        let ((), first) = reg.decide(1, CredentialKind::Login, |n| {
            assert_eq!(n, 0);
            ((), true)
        });
        let first = first.ok().expect("admitted");
        let ((), wait) = reg.decide(1, CredentialKind::Login, |n| {
            assert_eq!(n, 1, "the first is in flight");
            ((), false)
        });
        let seen = wait.err().expect("told to wait");
        // Another credential of the same user is independent.
        let ((), other) = reg.decide(1, CredentialKind::Otp, |n| ((), n == 0));
        assert!(other.is_ok());
        let waiter = {
            let reg = Arc::clone(&reg);
            tokio::spawn(async move { reg.settled(1, CredentialKind::Login, seen).await })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(
            !waiter.is_finished(),
            "still waiting while the first verifies"
        );
        drop(first);
        tokio::time::timeout(Duration::from_secs(5), waiter)
            .await
            .expect("woken")
            .unwrap();
        let ((), again) = reg.decide(1, CredentialKind::Login, |n| ((), n == 0));
        assert!(again.is_ok(), "nothing left in flight");
    }

    #[test]
    fn finishing_tells_how_many_are_still_in_flight() {
        let reg = Arc::new(InFlight::default());
        let admit = || {
            reg.decide(3, CredentialKind::Confirm, |_| ((), true))
                .1
                .ok()
                .unwrap()
        };
        let (mut a, mut b) = (admit(), admit());
        assert_eq!(a.finish(), 1);
        assert_eq!(a.finish(), 0, "once only");
        drop(a);
        assert_eq!(b.finish(), 0);
    }

    #[tokio::test]
    async fn a_settle_before_the_wait_begins_is_not_missed() {
        let reg = Arc::new(InFlight::default());
        let ((), first) = reg.decide(7, CredentialKind::Login, |_| ((), true));
        let ((), wait) = reg.decide(7, CredentialKind::Login, |_| ((), false));
        drop(first);
        let seen = wait.err().expect("told to wait");
        tokio::time::timeout(
            Duration::from_secs(5),
            reg.settled(7, CredentialKind::Login, seen),
        )
        .await
        .expect("returns at once");
    }
}
