//! The conformance suite's e-mail part (SPEC §8): addresses, mailed codes
//! and the outbox, on every backend.

use super::rows::{CodePurpose, CodeRow, NewMail};
use super::testing::{self, every_backend};
use super::{Store, StoreError, Tx};

async fn w<R: Send + 'static>(
    s: &Store,
    f: impl FnOnce(&dyn Tx) -> Result<R, StoreError> + Send + 'static,
) -> R {
    s.write(f).await.unwrap()
}

fn code(purpose: CodePurpose, mac: u8, at: i64) -> CodeRow {
    CodeRow {
        purpose,
        mac: vec![mac; 32],
        address: (purpose == CodePurpose::Verify).then(|| "new@example.org".into()),
        created_at: at,
        valid_until: at + 600,
    }
}

fn mail(at: i64, to: &str) -> NewMail {
    NewMail {
        created_at: at,
        recipient: to.into(),
        user: "alice".into(),
        kind: "reset".into(),
        sealed: vec![7; 40],
    }
}

#[tokio::test]
async fn an_address_is_stored_and_removed() {
    for (name, s, _dir) in every_backend("h").await {
        let id = w(&s, |tx| tx.insert_user("alice", 1, false)).await;
        let got = |s: &Store| {
            let s = s.clone();
            async move {
                s.get(|tx| tx.find_user("alice"))
                    .await
                    .unwrap()
                    .unwrap()
                    .email
            }
        };
        assert_eq!(got(&s).await, None, "{name}");
        w(&s, move |tx| tx.set_email(id, Some("alice@example.org"))).await;
        assert_eq!(
            got(&s).await.as_deref(),
            Some("alice@example.org"),
            "{name}"
        );
        let listed = s.get(|tx| tx.all_users()).await.unwrap();
        assert_eq!(
            listed[0].email.as_deref(),
            Some("alice@example.org"),
            "{name}"
        );
        w(&s, move |tx| tx.set_email(id, None)).await;
        assert_eq!(got(&s).await, None, "{name}");
    }
}

#[tokio::test]
async fn a_code_replaces_the_pending_one_of_its_purpose_and_is_taken_once() {
    for (name, s, _dir) in every_backend("h").await {
        let id = w(&s, |tx| tx.insert_user("alice", 1, false)).await;
        w(&s, move |tx| {
            tx.put_code(id, &code(CodePurpose::Reset, 1, 10))?;
            tx.put_code(id, &code(CodePurpose::Verify, 2, 10))?;
            tx.put_code(id, &code(CodePurpose::Reset, 3, 20))
        })
        .await;
        let codes = s.get(move |tx| tx.codes(id)).await.unwrap();
        assert_eq!(
            codes,
            [
                code(CodePurpose::Reset, 3, 20),
                code(CodePurpose::Verify, 2, 10)
            ],
            "{name}"
        );
        assert!(
            w(&s, move |tx| tx.take_code(id, CodePurpose::Reset)).await,
            "{name}"
        );
        assert!(
            !w(&s, move |tx| tx.take_code(id, CodePurpose::Reset)).await,
            "{name}"
        );
        w(&s, move |tx| tx.remove_user(id)).await;
        assert!(
            s.get(move |tx| tx.codes(id)).await.unwrap().is_empty(),
            "{name}"
        );
    }
}

#[tokio::test]
async fn the_outbox_hands_out_due_mail_once_and_retries_later() {
    for (name, s, _dir) in every_backend("h").await {
        let (first, second) = w(&s, |tx| {
            Ok((
                tx.queue_mail(&mail(100, "a@example.org"))?,
                tx.queue_mail(&mail(101, "b@example.org"))?,
            ))
        })
        .await;
        assert_eq!(
            s.get(|tx| tx.next_mail_due()).await.unwrap(),
            Some(100),
            "{name}"
        );
        // Nothing is due before it was queued.
        assert!(w(&s, |tx| tx.claim_mail(99, 160)).await.is_none(), "{name}");
        let a = w(&s, |tx| tx.claim_mail(102, 160)).await.unwrap();
        assert_eq!((a.id, a.attempts), (first, 0), "{name}");
        assert_eq!(a.mail, mail(100, "a@example.org"), "{name}");
        // Claimed: the next claim gets the other mail, then nothing.
        let b = w(&s, |tx| tx.claim_mail(102, 160)).await.unwrap();
        assert_eq!(b.id, second, "{name}");
        assert!(
            w(&s, |tx| tx.claim_mail(102, 160)).await.is_none(),
            "{name}"
        );
        // A failure comes back at its time; a lease that ran out comes back too.
        w(&s, move |tx| tx.retry_mail(first, 130, "relay refused")).await;
        assert!(
            w(&s, |tx| tx.claim_mail(120, 180)).await.is_none(),
            "{name}"
        );
        let again = w(&s, |tx| tx.claim_mail(131, 190)).await.unwrap();
        assert_eq!((again.id, again.attempts), (first, 1), "{name}");
        let lapsed = w(&s, |tx| tx.claim_mail(170, 230)).await.unwrap();
        assert_eq!(lapsed.id, second, "{name}");
        w(&s, move |tx| {
            tx.remove_mail(first)?;
            tx.remove_mail(second)
        })
        .await;
        assert_eq!(
            s.get(|tx| tx.next_mail_due()).await.unwrap(),
            None,
            "{name}"
        );
    }
}

/// Two hosts sending from one outbox: every mail is claimed by exactly one.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hosts_sharing_an_outbox_never_claim_one_mail_twice() {
    let Some((url, password)) = testing::postgres_schema().await else {
        return;
    };
    let a = testing::connect(&url, password.clone(), "a").await.unwrap();
    let b = testing::connect(&url, password, "b").await.unwrap();
    w(&a, |tx| {
        for i in 0..30 {
            tx.queue_mail(&mail(i, &format!("u{i}@example.org")))?;
        }
        Ok(())
    })
    .await;
    let drain = |s: &Store| {
        let s = s.clone();
        tokio::spawn(async move {
            let mut ids = Vec::new();
            while let Some(m) = s.write(|tx| tx.claim_mail(100, 1000)).await.unwrap() {
                ids.push(m.id);
            }
            ids
        })
    };
    let (x, y) = (drain(&a), drain(&b));
    let mut all: Vec<i64> = x.await.unwrap();
    all.extend(y.await.unwrap());
    all.sort();
    let before = all.len();
    all.dedup();
    assert_eq!((before, all.len()), (30, 30), "each mail claimed once");
}
