//! The store conformance suite: every domain operation, on every backend
//! (SQLite always; PostgreSQL when `MONBAN_TEST_POSTGRES` names one, as in
//! `.ci/run`). Handlers rely on exactly these behaviours.

use std::sync::Arc;

use monban_proto::{CredentialKind, Lang, LoginRecord};

use super::testing::{self, every_backend};
use super::{AuditQuery, NewAuditEntry, NewCredential, Store, StoreError, Tx};
use crate::rules::lockout::Counter;

async fn w<R: Send + 'static>(
    s: &Store,
    f: impl FnOnce(&dyn Tx) -> Result<R, StoreError> + Send + 'static,
) -> R {
    s.write(f).await.unwrap()
}

fn cred(hash: &str, at: i64) -> NewCredential<'_> {
    NewCredential {
        kind: CredentialKind::Login,
        hash,
        set_at: at,
        temporary_until: None,
        force_change: None,
    }
}

fn entry(at: i64, event: &'static str, actor: Option<&str>, user: &str) -> NewAuditEntry {
    NewAuditEntry {
        at,
        event,
        actor: actor.map(Into::into),
        user: Some(user.into()),
        ..Default::default()
    }
}

#[tokio::test]
async fn history_keeps_the_newest_n() {
    for (name, s, _dir) in every_backend("h").await {
        let (kept, current) = w(&s, |tx| {
            let id = tx.insert_user("alice", 1, false)?;
            for (i, h) in ["h1", "h2", "h3", "h4"].iter().enumerate() {
                tx.set_credential(id, &cred(h, i as i64), 2)?;
            }
            let kept: Vec<String> = tx
                .history(id, CredentialKind::Login, 10)?
                .iter()
                .map(|h| h.to_string())
                .collect();
            let current = tx.credential(id, CredentialKind::Login)?.unwrap();
            Ok((kept, current.hash.to_string()))
        })
        .await;
        assert_eq!(kept, ["h3", "h2"], "{name}");
        assert_eq!(current, "h4", "{name}");
    }
}

#[tokio::test]
async fn removing_a_user_removes_everything_of_theirs() {
    for (name, s, _dir) in every_backend("h").await {
        let id = w(&s, |tx| {
            let id = tx.insert_user("bob", 1, true)?;
            tx.set_credential(id, &cred("h", 1), 5)?;
            let two = Counter {
                failures: 2,
                locked_at: None,
            };
            tx.set_counter(id, CredentialKind::Login, two)?;
            tx.set_pending_otp(id, b"sealed", 1)?;
            tx.replace_recovery_codes(id, &[[1; 32]])?;
            tx.record_login(
                id,
                &LoginRecord {
                    at: 1,
                    service: "sshd".into(),
                    rhost: None,
                    tty: None,
                    host: None,
                },
            )?;
            tx.create_campaign(1, 9, None, "root", &[id])?;
            tx.remove_user(id)?;
            Ok(id)
        })
        .await;
        let gone = s
            .get(move |tx| {
                Ok(tx.find_user("bob")?.is_none()
                    && tx.credential(id, CredentialKind::Login)?.is_none()
                    && tx.counter(id, CredentialKind::Login)? == Counter::default()
                    && tx.otp(id)?.pending_secret.is_none()
                    && tx.recovery_codes_left(id)? == 0
                    && tx.last_login(id)?.is_none()
                    && tx.deadline(id)?.is_none())
            })
            .await
            .unwrap();
        assert!(gone, "{name}");
    }
}

#[tokio::test]
async fn users_are_found_listed_and_paged_by_name() {
    for (name, s, _dir) in every_backend("h").await {
        let (found, all, page, lang) = w(&s, |tx| {
            for user in ["carol", "alice", "bob"] {
                tx.insert_user(user, 7, user == "bob")?;
            }
            let bob = tx.find_user("bob")?.unwrap();
            tx.set_language(bob.id, Some(Lang::Ja))?;
            tx.set_disabled(bob.id, true)?;
            tx.set_shadow_aging(bob.id, Some(90), None, Some(7))?;
            tx.start_otp_grace(bob.id, 99)?;
            let found = tx.find_user("bob")?.unwrap();
            let all: Vec<String> = tx.all_users()?.into_iter().map(|u| u.name).collect();
            let page: Vec<String> = tx
                .users_page(Some("alice"), 1)?
                .into_iter()
                .map(|u| u.name)
                .collect();
            Ok((found, all, page, tx.language_of("bob")?))
        })
        .await;
        assert_eq!(all, ["alice", "bob", "carol"], "{name}");
        assert_eq!(page, ["bob"], "{name}");
        assert_eq!(lang, Some(Lang::Ja), "{name}");
        assert!(found.disabled && found.require_otp, "{name}");
        assert_eq!(found.created_at, 7, "{name}");
        // Started at insertion (required from the start), not moved later.
        assert_eq!(found.otp_required_since, Some(7), "{name}");
        assert_eq!(
            (
                found.shadow_max_days,
                found.shadow_min_days,
                found.shadow_warn_days
            ),
            (Some(90), None, Some(7)),
            "{name}"
        );
    }
}

#[tokio::test]
async fn a_duplicate_name_fails_and_a_failed_write_keeps_nothing() {
    for (name, s, _dir) in every_backend("h").await {
        w(&s, |tx| tx.insert_user("dup", 1, false)).await;
        let second = s
            .write(|tx| {
                tx.set_meta("half", b"written")?;
                tx.insert_user("dup", 2, false)
            })
            .await;
        assert!(second.is_err(), "{name}");
        let half = s.get(|tx| tx.meta("half")).await.unwrap();
        assert_eq!(half, None, "{name}: rolled back");
        // The store still serves after the failed transaction.
        w(&s, |tx| tx.insert_user("next", 3, false)).await;
    }
}

#[tokio::test]
async fn credentials_upgrade_and_force_change() {
    for (name, s, _dir) in every_backend("h").await {
        let row = w(&s, |tx| {
            let id = tx.insert_user("u", 1, false)?;
            tx.set_credential(
                id,
                &NewCredential {
                    temporary_until: Some(50),
                    ..cred("old", 10)
                },
                3,
            )?;
            tx.upgrade_hash(id, CredentialKind::Login, "not-current", "x")?;
            tx.upgrade_hash(id, CredentialKind::Login, "old", "stronger")?;
            tx.set_force_change(id, CredentialKind::Login, Some("admin_reset"))?;
            Ok(tx.credential(id, CredentialKind::Login)?.unwrap())
        })
        .await;
        assert_eq!(row.hash.as_str(), "stronger", "{name}");
        assert_eq!(row.set_at, 10, "{name}: the age is kept");
        assert_eq!(row.temporary_until, Some(50), "{name}");
        assert_eq!(row.force_change.as_deref(), Some("admin_reset"), "{name}");
    }
}

#[tokio::test]
async fn counters_default_to_zero_and_persist() {
    for (name, s, _dir) in every_backend("h").await {
        let locked = Counter {
            failures: 5,
            locked_at: Some(42),
        };
        let (before, after, other) = w(&s, move |tx| {
            let id = tx.insert_user("carol", 1, false)?;
            let before = tx.counter(id, CredentialKind::Otp)?;
            tx.set_counter(id, CredentialKind::Otp, locked)?;
            // Changes nothing, for a user or for none.
            tx.mimic_counter_write(id, CredentialKind::Otp)?;
            tx.mimic_counter_write(-1, CredentialKind::Otp)?;
            Ok((
                before,
                tx.counter(id, CredentialKind::Otp)?,
                tx.counter(id, CredentialKind::Login)?,
            ))
        })
        .await;
        assert_eq!(before, Counter::default(), "{name}");
        assert_eq!(after, locked, "{name}");
        assert_eq!(other, Counter::default(), "{name}");
    }
}

#[tokio::test]
async fn users_with_failures_are_listed_once_per_name() {
    for (name, s, _dir) in every_backend("h").await {
        let (mut all, login) = w(&s, |tx| {
            let some = |failures, locked_at| Counter {
                failures,
                locked_at,
            };
            let clean = tx.insert_user("clean", 1, false)?;
            let failing = tx.insert_user("failing", 1, false)?;
            let locked = tx.insert_user("locked", 1, false)?;
            tx.set_counter(clean, CredentialKind::Login, Counter::default())?;
            tx.set_counter(failing, CredentialKind::Login, some(2, None))?;
            tx.set_counter(failing, CredentialKind::Otp, some(1, None))?;
            tx.set_counter(locked, CredentialKind::Otp, some(5, Some(9)))?;
            Ok((
                tx.users_with_failures(&CredentialKind::ALL)?,
                tx.users_with_failures(&[CredentialKind::Login])?,
            ))
        })
        .await;
        all.sort();
        assert_eq!(all, ["failing", "locked"], "{name}");
        assert_eq!(login, ["failing"], "{name}");
    }
}

/// The lockout guarantee: concurrent read-modify-writes of one counter,
/// from two stores (two hosts, on PostgreSQL), lose no update.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_increments_of_one_counter_lose_nothing() {
    let (pairs, _dir) = testing::two_hosts().await;
    for (name, (a, b)) in pairs {
        let id = w(&a, |tx| tx.insert_user("racer", 1, false)).await;
        let mut tasks = Vec::new();
        for i in 0..40 {
            let s = if i % 2 == 0 { a.clone() } else { b.clone() };
            tasks.push(tokio::spawn(async move {
                s.write(move |tx| {
                    let mut c = tx.counter(id, CredentialKind::Login)?;
                    c.failures += 1;
                    tx.set_counter(id, CredentialKind::Login, c)
                })
                .await
            }));
        }
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        let c = b
            .get(move |tx| tx.counter(id, CredentialKind::Login))
            .await
            .unwrap();
        assert_eq!(c.failures, 40, "{name}");
    }
}

#[tokio::test]
async fn audit_query_filters_keeps_the_newest_and_prunes() {
    for (name, s, _dir) in every_backend("h").await {
        let s = Arc::new(s);
        w(&s, |tx| {
            for (at, user) in [(1, "a"), (2, "b"), (3, "a"), (4, "a")] {
                tx.append_audit(&entry(at, "auth_failure", None, user))?;
            }
            Ok(())
        })
        .await;
        let (got, failures) = s
            .read(|tx| {
                let q = AuditQuery {
                    user: Some("a".into()),
                    since: Some(2),
                    limit: 1,
                    before: None,
                };
                Ok((tx.audit_page(&q)?.0, tx.failures_since_last_session("a")?))
            })
            .await
            .unwrap();
        assert_eq!(got.len(), 1, "{name}");
        assert_eq!(got[0].at, 4, "{name}");
        assert_eq!(got[0].host.as_deref(), Some("h"), "{name}");
        assert_eq!(failures, 3, "{name}");
        let (after_session, pruned) = w(&s, |tx| {
            tx.append_audit(&entry(4, "session_open", None, "a"))?;
            let after = tx.failures_since_last_session("a")?;
            let pruned = [
                tx.prune_audit(3, 1)?,
                tx.prune_audit(3, 100)?,
                tx.prune_audit(3, 100)?,
            ];
            Ok((after, pruned))
        })
        .await;
        assert_eq!(after_session, 0, "{name}");
        assert_eq!(pruned, [1, 1, 0], "{name}");
        let left = s
            .read(|tx| {
                tx.audit_page(&AuditQuery {
                    limit: 10,
                    ..Default::default()
                })
            })
            .await
            .unwrap()
            .0;
        assert_eq!(left.len(), 3, "{name}");
    }
}

#[tokio::test]
async fn since_and_user_select_the_newest_of_both_roles() {
    for (name, s, _dir) in every_backend("h").await {
        w(&s, |tx| {
            for (at, actor, user) in [(1, "r", "a"), (2, "a", "b"), (3, "r", "b"), (4, "a", "a")] {
                tx.append_audit(&entry(at, "x", Some(actor), user))?;
            }
            Ok(())
        })
        .await;
        let q = |user: Option<&str>, since, limit| {
            let q = AuditQuery {
                user: user.map(Into::into),
                since,
                limit,
                before: None,
            };
            let s = s.clone();
            async move {
                s.read(move |tx| tx.audit_page(&q))
                    .await
                    .unwrap()
                    .0
                    .iter()
                    .map(|e| e.at)
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(q(Some("a"), None, 10).await, [1, 2, 4], "{name}");
        assert_eq!(q(Some("a"), None, 2).await, [2, 4], "{name}");
        assert_eq!(q(Some("a"), Some(2), 10).await, [2, 4], "{name}");
        assert_eq!(q(None, Some(3), 10).await, [3, 4], "{name}");
        assert_eq!(q(None, None, 3).await, [2, 3, 4], "{name}");
        assert!(q(None, Some(99), 10).await.is_empty(), "{name}");
    }
}

#[tokio::test]
async fn pages_walk_back_from_the_newest_without_gaps_or_repeats() {
    for (name, s, _dir) in every_backend("h").await {
        w(&s, |tx| {
            for at in 1..=7 {
                let user = if at % 2 == 0 { "even" } else { "odd" };
                tx.append_audit(&entry(at, "x", None, user))?;
            }
            Ok(())
        })
        .await;
        let walk = |user: Option<&str>| {
            let user = user.map(String::from);
            let s = s.clone();
            async move {
                let mut q = AuditQuery {
                    user,
                    limit: 3,
                    ..Default::default()
                };
                let mut pages = Vec::new();
                loop {
                    let query = q.clone();
                    let (entries, next) = s.read(move |tx| tx.audit_page(&query)).await.unwrap();
                    pages.push(entries.iter().map(|e| e.at).collect::<Vec<_>>());
                    match next {
                        Some(cursor) => q.before = Some(cursor),
                        None => return pages,
                    }
                }
            }
        };
        assert_eq!(
            walk(None).await,
            [vec![5, 6, 7], vec![2, 3, 4], vec![1]],
            "{name}"
        );
        assert_eq!(walk(Some("even")).await, [vec![2, 4, 6], vec![]], "{name}");
        assert_eq!(walk(Some("odd")).await, [vec![3, 5, 7], vec![1]], "{name}");
    }
}

#[tokio::test]
async fn campaign_deadline_applies_until_cleared() {
    for (name, s, _dir) in every_backend("h").await {
        let (deadline, pending, cleared, after) = w(&s, |tx| {
            let a = tx.insert_user("f", 1, false)?;
            let b = tx.insert_user("g", 1, false)?;
            let camp = tx.create_campaign(10, 100, Some("staff"), "root", &[a, b])?;
            tx.create_campaign(10, 200, None, "root", &[a])?;
            let deadline = tx.deadline(a)?;
            tx.clear_deadlines(b)?;
            let pending: Vec<u32> = tx.campaigns()?.iter().map(|c| c.pending_users).collect();
            let cleared = tx.clear_campaigns(Some(camp))?;
            Ok((deadline, pending, cleared, tx.deadline(a)?))
        })
        .await;
        assert_eq!(deadline, Some(100), "{name}");
        assert_eq!(pending, [1, 1], "{name}");
        assert_eq!(cleared, 1, "{name}");
        assert_eq!(after, Some(200), "{name}");
        assert_eq!(w(&s, |tx| tx.clear_campaigns(None)).await, 1, "{name}");
    }
}

#[tokio::test]
async fn sessions_record_the_host_that_opened_them() {
    for (name, s, _dir) in every_backend("reading-room-3").await {
        let last = w(&s, |tx| {
            let id = tx.insert_user("s", 1, false)?;
            for at in [5, 6] {
                tx.record_login(
                    id,
                    &LoginRecord {
                        at,
                        service: "sshd".into(),
                        rhost: Some("10.0.0.1".into()),
                        tty: Some("ssh".into()),
                        host: None,
                    },
                )?;
            }
            tx.last_login(id)
        })
        .await
        .unwrap();
        assert_eq!(last.at, 6, "{name}");
        assert_eq!(last.host.as_deref(), Some("reading-room-3"), "{name}");
        assert_eq!(last.rhost.as_deref(), Some("10.0.0.1"), "{name}");
    }
}

#[tokio::test]
async fn otp_enrolment_steps_and_recovery_codes() {
    for (name, s, _dir) in every_backend("h").await {
        let out = w(&s, |tx| {
            let id = tx.insert_user("dave", 1, false)?;
            tx.set_pending_otp(id, b"sealed", 10)?;
            let pending_active = tx.otp(id)?.active();
            tx.activate_otp(id, 20, 7)?;
            let row = tx.otp(id)?;
            let claims = [
                tx.claim_otp_step(id, 7)?,
                tx.claim_otp_step(id, 8)?,
                tx.claim_otp_step(id, 8)?,
                tx.claim_otp_step(id, 6)?,
            ];
            tx.replace_recovery_codes(id, &[[1; 32], [2; 32]])?;
            let uses = [
                tx.use_recovery_code(id, &[1; 32], 5)?,
                tx.use_recovery_code(id, &[1; 32], 6)?,
                tx.use_recovery_code(id, &[3; 32], 6)?,
            ];
            let left = tx.recovery_codes_left(id)?;
            tx.remove_otp(id)?;
            Ok((
                pending_active,
                row,
                claims,
                uses,
                left,
                tx.otp(id)?,
                tx.recovery_codes_left(id)?,
            ))
        })
        .await;
        let (pending_active, row, claims, uses, left, removed, left_after) = out;
        assert!(!pending_active, "{name}");
        assert!(row.active() && row.pending_secret.is_none(), "{name}");
        assert_eq!(row.secret.as_deref(), Some(&b"sealed"[..]), "{name}");
        assert_eq!(
            (row.enrolled_at, row.last_step),
            (Some(20), Some(7)),
            "{name}"
        );
        assert_eq!(claims, [false, true, false, false], "{name}");
        assert_eq!(uses, [true, false, false], "{name}");
        assert_eq!(left, 1, "{name}");
        assert!(!removed.active() && left_after == 0, "{name}");
    }
}

/// An OTP step is accepted once in the whole fleet: two hosts claiming the
/// same step at once, one wins.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_step_is_claimed_once_across_hosts() {
    let Some((url, password)) = testing::postgres_schema().await else {
        return;
    };
    let a = testing::connect(&url, password.clone(), "a").await.unwrap();
    let b = testing::connect(&url, password, "b").await.unwrap();
    let id = w(&a, |tx| {
        let id = tx.insert_user("otp", 1, false)?;
        tx.set_pending_otp(id, b"s", 1)?;
        tx.activate_otp(id, 1, 1)?;
        Ok(id)
    })
    .await;
    for step in 2..12 {
        let claim = |s: &Store| {
            let s = s.clone();
            tokio::spawn(async move { s.write(move |tx| tx.claim_otp_step(id, step)).await })
        };
        let (x, y) = (claim(&a), claim(&b));
        let (x, y) = (x.await.unwrap().unwrap(), y.await.unwrap().unwrap());
        assert!(x ^ y, "step {step}: exactly one host accepts it ({x}, {y})");
    }
}

#[tokio::test]
async fn meta_round_trips_and_reads_cannot_write() {
    for (name, s, _dir) in every_backend("h").await {
        w(&s, |tx| tx.set_meta("k", b"one")).await;
        w(&s, |tx| tx.set_meta("k", b"two")).await;
        let got = s.get(|tx| tx.meta("k")).await.unwrap();
        assert_eq!(got.as_deref(), Some(&b"two"[..]), "{name}");
        assert!(s.get(|tx| tx.set_meta("x", b"1")).await.is_err(), "{name}");
        assert!(s.read(|tx| tx.set_meta("x", b"1")).await.is_err(), "{name}");
        assert_eq!(s.get(|tx| tx.meta("x")).await.unwrap(), None, "{name}");
    }
}
