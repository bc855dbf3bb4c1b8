//! Handlers against a real store with a clock the test moves: time rules
//! are checked without sleeping. The store is SQLite in memory, or a new
//! PostgreSQL schema with `MONBAN_TEST_STORE=postgres` (`.ci/run` runs
//! these tests both ways). (End-to-end tests in tests/ run the real
//! daemon, module and CLI.)

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use monban_config::{Config, Limit, Span};
use monban_proto::{
    AccountVerdict, AdminOp, Arg, AuthNext, AuthOutcome, CredentialKind, PamContext, Request,
    Response, Secret, Text,
};

use super::{Daemon, Session};
use crate::audit::Syslog;
use crate::clock::FixedClock;
use crate::hashing::Hasher;
use crate::peer::Peer;
use crate::secretbox::SecretBox;
use crate::store::testing;

const START: i64 = 1_800_000_000;
const PW: &str = "Tsukuba-2026";

pub(super) struct Fixture {
    pub(super) daemon: Daemon,
    clock: Arc<FixedClock>,
    _dir: tempfile::TempDir,
}

impl Fixture {
    pub(super) async fn new(edit: impl FnOnce(&mut Config)) -> Self {
        let mut cfg = Config::default();
        cfg.argon2.memory_kib = 64;
        cfg.argon2.iterations = 1;
        edit(&mut cfg);
        let dir = tempfile::tempdir().unwrap();
        let keys = SecretBox::create(&dir.path().join("key")).unwrap();
        let clock = Arc::new(FixedClock(AtomicI64::new(START)));
        let cfg = Arc::new(cfg);
        let store = match std::env::var("MONBAN_TEST_STORE").as_deref() {
            Ok("postgres") => testing::postgres("test-host")
                .await
                .expect("MONBAN_TEST_STORE=postgres needs MONBAN_TEST_POSTGRES"),
            _ => testing::sqlite("test-host"),
        };
        let keys = Arc::new(keys);
        let syslog = Arc::new(Syslog::connect());
        let catalogs: Arc<monban_proto::Catalogs> = Arc::default();
        let mailer = crate::mail::Mailer::new(
            cfg.clone(),
            store.clone(),
            keys.clone(),
            catalogs.clone(),
            clock.clone(),
            syslog.clone(),
        );
        let daemon = Daemon {
            hasher: Hasher::new(&cfg.argon2, 1).unwrap(),
            cfg,
            store,
            keys,
            syslog,
            clock: clock.clone(),
            limiter: Arc::new(crate::ratelimit::Limiter::new(crate::ratelimit::Rate {
                per_minute: 30,
                burst: 60,
            })),
            in_flight: Arc::default(),
            recent: Arc::default(),
            catalogs,
            mailer,
            sessions: Arc::default(),
        };
        Self {
            daemon,
            clock,
            _dir: dir,
        }
    }

    fn advance(&self, secs: i64) {
        self.clock.0.fetch_add(secs, Ordering::SeqCst);
    }

    pub(super) fn root() -> Session {
        Session::new(Peer {
            uid: 0,
            real_uid: 0,
            name: Some("root".into()),
            in_admin_group: false,
        })
    }

    pub(super) async fn admin(&self, op: AdminOp) -> Response {
        self.daemon
            .handle(&mut Self::root(), Request::Admin { step_up: None, op })
            .await
    }

    async fn add(&self, user: &str, temporary: bool) {
        let r = self
            .admin(AdminOp::UserAdd {
                user: user.into(),
                password: Some(Secret::new(PW.into())),
                temporary,
                require_otp: false,
                language: None,
                email: None,
                invite: false,
                account: false,
            })
            .await;
        assert!(matches!(r, Response::Done { .. }), "{r:?}");
    }

    fn ctx(user: &str) -> PamContext {
        PamContext {
            user: user.into(),
            service: "login".into(),
            ..Default::default()
        }
    }

    /// One password conversation; the outcome.
    async fn login(&self, user: &str, password: &str) -> AuthOutcome {
        let mut s = Self::root();
        let first = self
            .daemon
            .handle(
                &mut s,
                Request::AuthStart {
                    ctx: Self::ctx(user),
                    credential: CredentialKind::Login,
                },
            )
            .await;
        assert!(
            matches!(&first, Response::Auth(step) if matches!(step.next, AuthNext::Prompt(_))),
            "{first:?}"
        );
        let answer = Request::AuthAnswer {
            answer: Secret::new(password.into()),
        };
        match self.daemon.handle(&mut s, answer).await {
            Response::Auth(step) => match step.next {
                AuthNext::Finished(outcome) => outcome,
                other => panic!("unexpected {other:?}"),
            },
            other => panic!("unexpected {other:?}"),
        }
    }

    async fn account(&self, user: &str) -> AccountVerdict {
        match self
            .daemon
            .handle(
                &mut Self::root(),
                Request::Account {
                    ctx: Self::ctx(user),
                },
            )
            .await
        {
            Response::Account(reply) => reply.verdict,
            other => panic!("unexpected {other:?}"),
        }
    }
}

#[tokio::test]
async fn suspension_after_max_failures_hides_whether_the_guess_was_right() {
    let f = Fixture::new(|c| c.lockout.max_failures = 3).await;
    f.add("alice", false).await;
    for _ in 0..2 {
        assert_eq!(f.login("alice", "wrong").await, AuthOutcome::Denied);
    }
    assert_eq!(
        f.login("alice", PW).await,
        AuthOutcome::Success,
        "count resets"
    );
    for _ in 0..3 {
        f.login("alice", "wrong").await;
    }
    assert_eq!(f.login("alice", PW).await, AuthOutcome::Locked);
    assert_eq!(f.login("alice", "wrong").await, AuthOutcome::Locked);
    assert_eq!(f.account("alice").await, AccountVerdict::Locked);
    f.advance(10 * 365 * 86_400);
    assert_eq!(
        f.login("alice", PW).await,
        AuthOutcome::Locked,
        "never by itself"
    );
}

#[tokio::test]
async fn unlock_after_releases_at_the_moment_it_says() {
    let f = Fixture::new(|c| {
        c.lockout.max_failures = 2;
        c.lockout.unlock_after = Limit::After(Span::from_secs(600));
    })
    .await;
    f.add("bob", false).await;
    f.login("bob", "wrong").await;
    f.login("bob", "wrong").await;
    f.advance(599);
    assert_eq!(f.login("bob", PW).await, AuthOutcome::Locked);
    f.advance(1);
    assert_eq!(f.login("bob", PW).await, AuthOutcome::Success);
}

#[tokio::test]
async fn root_is_exempt_unless_included() {
    let f = Fixture::new(|c| c.lockout.max_failures = 1).await;
    f.add("root", false).await;
    f.login("root", "wrong").await;
    assert_eq!(f.login("root", PW).await, AuthOutcome::Success);
}

#[tokio::test]
async fn a_temporary_password_forces_a_change_then_lapses() {
    let f = Fixture::new(|c| c.temporary_password.valid_for = Span::from_secs(3600)).await;
    f.add("carol", true).await;
    assert_eq!(f.login("carol", PW).await, AuthOutcome::Success);
    assert_eq!(f.account("carol").await, AccountVerdict::MustChange);
    f.advance(3600);
    assert_eq!(f.login("carol", PW).await, AuthOutcome::Denied);
}

#[tokio::test]
async fn expiry_warns_then_requires_a_change() {
    let f = Fixture::new(|c| {
        c.password.max_age = Limit::After(Span::from_secs(30 * 86_400));
        c.password.warn_days = 7;
    })
    .await;
    f.add("dave", false).await;
    assert_eq!(f.account("dave").await, AccountVerdict::Ok);
    f.advance(24 * 86_400);
    let warned = f
        .daemon
        .handle(
            &mut Fixture::root(),
            Request::Account {
                ctx: Fixture::ctx("dave"),
            },
        )
        .await;
    match warned {
        Response::Account(r) => {
            assert_eq!(r.verdict, AccountVerdict::Ok);
            assert!(
                r.messages.iter().any(|m| m.message.id == "expiry-warning"),
                "{r:?}"
            );
        }
        other => panic!("unexpected {other:?}"),
    }
    f.advance(6 * 86_400);
    assert_eq!(f.account("dave").await, AccountVerdict::MustChange);
}

#[tokio::test]
async fn unknown_users_get_the_same_prompt_and_user_unknown() {
    let f = Fixture::new(|_| {}).await;
    assert_eq!(f.login("nobody-here", PW).await, AuthOutcome::UserUnknown);
    assert_eq!(f.account("nobody-here").await, AccountVerdict::UserUnknown);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_guesses_beyond_the_limit_are_never_verified() {
    let f = Arc::new(Fixture::new(|c| c.lockout.max_failures = 5).await);
    f.add("erin", false).await;
    let mut attempts = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let f = Arc::clone(&f);
        attempts.spawn(async move { f.login("erin", "wrong").await });
    }
    let mut denied = 0;
    let mut locked = 0;
    while let Some(outcome) = attempts.join_next().await {
        match outcome.unwrap() {
            AuthOutcome::Denied => denied += 1,
            AuthOutcome::Locked => locked += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(
        (denied, locked),
        (5, 15),
        "exactly max_failures were verified"
    );
    assert_eq!(f.login("erin", PW).await, AuthOutcome::Locked);
}

/// Every message id in `text`, its nested ones included.
pub(super) fn ids(text: &Text) -> Vec<String> {
    let mut out = vec![text.id.clone()];
    for (_, arg) in &text.args {
        if let Arg::Texts(items) = arg {
            out.extend(items.iter().flat_map(ids));
        }
    }
    out
}

// ---------------------------------------------------------------- nothing reveals a secret uncounted

impl Fixture {
    /// The daemon's answer to one password, as the module sees it (the
    /// message ids: the words are the server's to fill in).
    async fn answer(&self, user: &str, password: &str) -> (AuthOutcome, Vec<String>) {
        let mut s = Self::root();
        let start = Request::AuthStart {
            ctx: Self::ctx(user),
            credential: CredentialKind::Login,
        };
        self.daemon.handle(&mut s, start).await;
        let answer = Request::AuthAnswer {
            answer: Secret::new(password.into()),
        };
        match self.daemon.handle(&mut s, answer).await {
            Response::Auth(step) => match step.next {
                AuthNext::Finished(outcome) => (
                    outcome,
                    step.messages.into_iter().map(|m| m.message.id).collect(),
                ),
                other => panic!("unexpected {other:?}"),
            },
            other => panic!("unexpected {other:?}"),
        }
    }

    async fn failures(&self, user: &str, kind: CredentialKind) -> u32 {
        let name = user.to_string();
        self.daemon
            .store
            .get(move |tx| {
                let id = tx.find_user(&name)?.expect("user").id;
                tx.counter(id, kind)
            })
            .await
            .unwrap()
            .failures
    }

    async fn change(&self, user: &str, kind: CredentialKind, current: &str, new: &str) -> Response {
        let req = Request::ChangePassword {
            ctx: Self::ctx(user),
            credential: kind,
            current: Some(Secret::new(current.into())),
            new: Secret::new(new.into()),
        };
        self.daemon.handle(&mut Self::root(), req).await
    }
}

#[tokio::test]
async fn a_disabled_account_is_told_only_to_the_right_password() {
    let f = Fixture::new(|_| {}).await;
    f.add("alice", false).await;
    f.add("bob", false).await;
    let r = f
        .admin(AdminOp::UserDisable {
            user: "alice".into(),
        })
        .await;
    assert!(matches!(r, Response::Done { .. }), "{r:?}");
    let disabled_wrong = f.answer("alice", "wrong").await;
    assert_eq!(disabled_wrong, f.answer("bob", "wrong").await);
    assert_eq!(disabled_wrong, (AuthOutcome::Denied, Vec::new()));
    assert_eq!(f.failures("alice", CredentialKind::Login).await, 1);
    let (outcome, messages) = f.answer("alice", PW).await;
    assert_eq!(outcome, AuthOutcome::Denied);
    assert_eq!(messages, vec![super::auth::DISABLED.to_string()]);
}

#[tokio::test]
async fn a_lapsed_temporary_password_opens_neither_login_nor_passwd() {
    let f = Fixture::new(|c| c.temporary_password.valid_for = Span::from_secs(60)).await;
    f.add("carol", true).await;
    f.advance(60);
    assert_eq!(
        f.answer("carol", "wrong").await,
        (AuthOutcome::Denied, Vec::new()),
        "a guess learns nothing"
    );
    let (outcome, messages) = f.answer("carol", PW).await;
    assert_eq!(outcome, AuthOutcome::Denied);
    assert_eq!(messages, vec![super::auth::TEMPORARY_LAPSED.to_string()]);
    let r = f
        .change("carol", CredentialKind::Login, PW, "Brand-New-Pass-7")
        .await;
    assert!(
        matches!(&r, Response::Error(e) if e.message.id == super::auth::TEMPORARY_LAPSED),
        "{r:?}"
    );
    assert_eq!(f.failures("carol", CredentialKind::Login).await, 3);
}

#[tokio::test]
async fn comparing_with_the_login_password_counts_unless_it_was_just_proved() {
    let f = Fixture::new(|c| c.lockout.max_failures = 2).await;
    f.add("dave", false).await;
    let first = f
        .change("dave", CredentialKind::Confirm, PW, "Second-Secret-4")
        .await;
    assert!(matches!(first, Response::Done { .. }), "{first:?}");
    assert_eq!(
        f.failures("dave", CredentialKind::Login).await,
        0,
        "proved with the login password: compared freely"
    );
    let r = f
        .change(
            "dave",
            CredentialKind::Confirm,
            "Second-Secret-4",
            "Guess-One-11",
        )
        .await;
    assert!(matches!(r, Response::Done { .. }), "{r:?}");
    assert_eq!(f.failures("dave", CredentialKind::Login).await, 1);
    f.change(
        "dave",
        CredentialKind::Confirm,
        "Guess-One-11",
        "Guess-Two-22",
    )
    .await;
    let r = f
        .change("dave", CredentialKind::Confirm, "Guess-Two-22", PW)
        .await;
    match r {
        Response::Error(e) => {
            let said = ids(&e.message);
            assert!(
                said.contains(&"policy-not-login-password-suspended".to_string()),
                "{e:?}"
            );
            assert!(
                !said.contains(&"policy-not-login-password".to_string()),
                "{e:?}"
            );
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(f.login("dave", PW).await, AuthOutcome::Locked);
}
