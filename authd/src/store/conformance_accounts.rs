//! The conformance suite's part for accounts that exist only in monban
//! (SPEC §11): uid allocation and lookups, on every backend.

use std::collections::BTreeSet;

use super::testing::{self, every_backend};
use super::{Store, StoreError, Tx};

async fn w<R: Send + 'static>(
    s: &Store,
    f: impl FnOnce(&dyn Tx) -> Result<R, StoreError> + Send + 'static,
) -> R {
    s.write(f).await.unwrap()
}

/// A user with a freshly allocated uid, as `user add --account` makes one.
fn add_account(tx: &dyn Tx, name: &str, min: u32, max: u32) -> Result<Option<u32>, StoreError> {
    let id = tx.insert_user(name, 1, false)?;
    let Some(uid) = tx.allocate_uid(min, max)? else {
        return Ok(None);
    };
    tx.set_uid(id, uid)?;
    Ok(Some(uid))
}

#[tokio::test]
async fn uids_come_in_order_are_found_and_never_reused() {
    for (name, s, _dir) in every_backend("h").await {
        let (a, b) = w(&s, |tx| {
            tx.insert_user("local", 1, false)?;
            Ok((
                add_account(tx, "hanako", 200_000, 200_009)?,
                add_account(tx, "taro", 200_000, 200_009)?,
            ))
        })
        .await;
        assert_eq!((a, b), (Some(200_000), Some(200_001)), "{name}");
        let found = s
            .get(|tx| {
                Ok((
                    tx.find_user_by_uid(200_001)?.map(|u| u.name),
                    tx.find_user_by_uid(200_002)?,
                    tx.find_user("hanako")?.and_then(|u| u.uid),
                    tx.find_user("local")?.and_then(|u| u.uid),
                ))
            })
            .await
            .unwrap();
        assert_eq!(found.0.as_deref(), Some("taro"), "{name}");
        assert!(found.1.is_none(), "{name}");
        assert_eq!(found.2, Some(200_000), "{name}");
        assert_eq!(found.3, None, "{name}: a user without --account has no uid");
        let listed: Vec<String> = s
            .read(|tx| tx.accounts_page(None, 10))
            .await
            .unwrap()
            .into_iter()
            .map(|u| u.name)
            .collect();
        assert_eq!(listed, ["hanako", "taro"], "{name}: only accounts, by name");
        let paged = s
            .read(|tx| tx.accounts_page(Some("hanako"), 10))
            .await
            .unwrap();
        assert_eq!(paged.len(), 1, "{name}");
        // Removing taro frees the name, not the uid.
        let again = w(&s, |tx| {
            let taro = tx.find_user("taro")?.unwrap();
            tx.remove_user(taro.id)?;
            add_account(tx, "taro", 200_000, 200_009)
        })
        .await;
        assert_eq!(again, Some(200_002), "{name}");
        // A raised uid_min moves the next uid up; a lowered one never back.
        let raised = w(&s, |tx| add_account(tx, "jiro", 200_005, 200_009)).await;
        let lowered = w(&s, |tx| add_account(tx, "saburo", 200_000, 200_009)).await;
        assert_eq!((raised, lowered), (Some(200_005), Some(200_006)), "{name}");
    }
}

#[tokio::test]
async fn a_full_range_allocates_nothing_and_keeps_nothing() {
    for (name, s, _dir) in every_backend("h").await {
        w(&s, |tx| add_account(tx, "one", 300_000, 300_000)).await;
        let full = s
            .write(|tx| {
                let uid = add_account(tx, "two", 300_000, 300_000)?;
                assert_eq!(uid, None);
                Err::<(), _>(StoreError::UidRangeFull {
                    min: 300_000,
                    max: 300_000,
                })
            })
            .await;
        assert!(
            matches!(full, Err(StoreError::UidRangeFull { .. })),
            "{name}"
        );
        let left = s.get(|tx| tx.find_user("two")).await.unwrap();
        assert!(left.is_none(), "{name}: the refused user was not kept");
        // Widened by one, the range hands out exactly the next uid.
        let next = w(&s, |tx| add_account(tx, "two", 300_000, 300_001)).await;
        assert_eq!(next, Some(300_001), "{name}");
    }
}

#[tokio::test]
async fn two_users_cannot_share_a_uid() {
    for (name, s, _dir) in every_backend("h").await {
        let uid = w(&s, |tx| add_account(tx, "first", 200_000, 299_999)).await;
        let dup = s
            .write(move |tx| {
                let id = tx.insert_user("second", 1, false)?;
                tx.set_uid(id, uid.unwrap())
            })
            .await;
        assert!(dup.is_err(), "{name}");
    }
}

/// Two hosts of a fleet adding accounts at once: every uid is handed out
/// once, none is skipped.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_allocation_on_two_hosts_gives_distinct_uids() {
    let (pairs, _dir) = testing::two_hosts().await;
    for (name, (a, b)) in pairs {
        let mut tasks = Vec::new();
        for i in 0..40 {
            let s = if i % 2 == 0 { a.clone() } else { b.clone() };
            tasks.push(tokio::spawn(async move {
                s.write(move |tx| add_account(tx, &format!("user{i}"), 200_000, 299_999))
                    .await
            }));
        }
        let mut uids = BTreeSet::new();
        for t in tasks {
            uids.insert(t.await.unwrap().unwrap().unwrap());
        }
        let expected: BTreeSet<u32> = (200_000..200_040).collect();
        assert_eq!(uids, expected, "{name}");
    }
}
