//! Request handlers: each loads the stored state, asks the rules, and
//! commits the state change (with its audit entry) before answering.

mod account;
mod admin;
mod auth;
mod email;
mod idle;
mod language;
mod lookup;
mod migrate;
mod otp;
mod password;
mod status;
mod verify;

use std::sync::Arc;

use monban_config::Config;
use monban_proto::{Catalogs, ErrorCode, PamContext, Request, Response, Text, WireError};

use crate::audit::Syslog;
use crate::authz::{self, Access};
use crate::clock::Clock;
use crate::hashing::Hasher;
use crate::inflight::InFlight;
use crate::mail::Mailer;
use crate::peer::Peer;
use crate::ratelimit::Limiter;
use crate::recent::RecentFailures;
use crate::secretbox::SecretBox;
use crate::store::{self, NewAuditEntry, Store, StoreError};

pub use auth::Conversation;

/// Everything a handler needs; shared by all connections.
pub struct Daemon {
    pub cfg: Arc<Config>,
    pub store: Store,
    pub hasher: Hasher,
    pub keys: Arc<SecretBox>,
    pub syslog: Arc<Syslog>,
    pub clock: Arc<dyn Clock>,
    pub limiter: Arc<Limiter>,
    pub in_flight: Arc<InFlight>,
    pub recent: Arc<RecentFailures>,
    pub catalogs: Arc<Catalogs>,
    pub mailer: Mailer,
    /// Interactive sessions watched for inactivity (SPEC §12).
    pub sessions: Arc<crate::sessions::Registry>,
}

/// Per-connection state: who is asking, and an authentication
/// conversation in progress.
pub struct Session {
    pub peer: Peer,
    pub conversation: Option<Conversation>,
    /// The administrator proved their confirmation password on this
    /// connection: the pages of one `user list` or `log` need it once.
    pub stepped_up: bool,
    /// The user of the PAM conversation on this connection, whose stored
    /// language preference its replies follow.
    pub language_subject: Option<String>,
    /// The peer's pid (SO_PEERCRED): for a PAM session, logind's leader.
    pub pid: Option<u32>,
}

impl Session {
    pub fn new(peer: Peer) -> Self {
        Self {
            peer,
            conversation: None,
            stepped_up: false,
            language_subject: None,
            pid: None,
        }
    }
}

/// Where an event came from, for the audit trail.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub actor: String,
    pub service: Option<String>,
    pub rhost: Option<String>,
    pub tty: Option<String>,
}

impl Origin {
    fn from_peer(peer: &Peer) -> Self {
        Self {
            actor: peer.label(),
            service: Some("monban".into()),
            ..Default::default()
        }
    }

    fn from_pam(peer: &Peer, ctx: &PamContext) -> Self {
        Self {
            actor: peer.label(),
            service: Some(ctx.service.clone()),
            rhost: ctx.rhost.clone(),
            tty: ctx.tty.clone(),
        }
    }

    pub fn entry(&self, at: i64, event: &'static str, user: &str) -> NewAuditEntry {
        NewAuditEntry {
            at,
            event,
            actor: Some(self.actor.clone()),
            user: Some(user.to_string()),
            service: self.service.clone(),
            rhost: self.rhost.clone(),
            tty: self.tty.clone(),
            ..Default::default()
        }
    }
}

pub(crate) fn internal(e: impl std::fmt::Display) -> WireError {
    tracing::error!("internal error: {e}");
    WireError::new(ErrorCode::Internal, Text::new("daemon-internal"))
}

impl From<StoreError> for WireError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::UidRangeFull { min, max } => {
                tracing::error!("{e}");
                WireError::new(
                    ErrorCode::BadRequest,
                    Text::new("accounts-range-full")
                        .arg("min", min)
                        .arg("max", max),
                )
            }
            e => internal(e),
        }
    }
}

pub(crate) fn user_unknown(user: &str) -> WireError {
    WireError::new(
        ErrorCode::UserUnknown,
        Text::new("daemon-user-unknown").arg("user", user),
    )
}

/// Longest PAM item kept: they land in the audit trail and on terminals.
const MAX_ITEM_LEN: usize = 256;

/// Bounds the strings a client sends about its login and replaces control
/// characters, so the audit trail can neither be bloated nor rewrite the
/// terminal that displays it.
fn tidy(ctx: &mut PamContext) {
    let clean = |s: &str| -> String {
        s.chars()
            .take(MAX_ITEM_LEN)
            .map(|c| if c.is_control() { '?' } else { c })
            .collect()
    };
    ctx.user = clean(&ctx.user);
    ctx.service = clean(&ctx.service);
    for item in [&mut ctx.tty, &mut ctx.rhost] {
        if let Some(v) = item.as_mut() {
            *v = clean(v);
        }
    }
}

impl Daemon {
    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    pub fn catalog(&self, lang: monban_proto::Lang) -> &monban_proto::Catalog {
        self.catalogs.get(lang)
    }

    /// For what is answered before a request names a language (busy, a
    /// bad frame): `[daemon] language`.
    pub fn default_catalog(&self) -> &monban_proto::Catalog {
        self.catalog(self.cfg.daemon.language)
    }

    /// Sends audit entries to syslog once their transaction has committed.
    /// A notice to the user's registered address, if any (SPEC §8).
    pub(crate) fn tell(&self, user: &store::UserRow, notice: crate::mail::Notice) {
        self.mailer
            .notify(notice, &user.name, user.language, user.email.as_deref());
    }

    pub fn announce(&self, entries: &[NewAuditEntry]) {
        for e in entries {
            self.syslog.send(e);
        }
    }

    /// A non-root administrator proves their confirmation password first.
    async fn admit(
        &self,
        access: Access,
        session: &mut Session,
        step_up: Option<monban_proto::Secret>,
    ) -> Result<(), WireError> {
        match access {
            Access::Granted => Ok(()),
            Access::Administrator => {
                // Standing is asked every time: a disabled administrator's
                // open connection loses its powers too.
                self.in_good_standing(&session.peer).await?;
                if !session.stepped_up {
                    self.step_up(&session.peer, step_up).await?;
                    session.stepped_up = true;
                }
                Ok(())
            }
        }
    }

    /// Authorises and carries out one request.
    pub async fn handle(&self, session: &mut Session, mut req: Request) -> Response {
        if let Request::AuthStart { ctx, .. }
        | Request::Account { ctx }
        | Request::ChangePassword { ctx, .. }
        | Request::OpenSession { ctx }
        | Request::CloseSession { ctx } = &mut req
        {
            tidy(ctx);
        }
        if let Some(subject) = language::subject_of(&req) {
            session.language_subject = Some(subject.to_string());
        }
        let access = match authz::authorize(&session.peer, &req) {
            Ok(access) => access,
            Err(e) => {
                // The journal stays English.
                let why = self.catalog(monban_proto::Lang::En).render(&e.message);
                tracing::warn!(uid = session.peer.uid, "refused: {why}");
                return Response::Error(e);
            }
        };
        if authz::rate_limited(&session.peer, &req)
            && let Err(wait) = self.limiter.check(session.peer.real_uid, self.now())
        {
            tracing::warn!(uid = session.peer.real_uid, "rate limited");
            return Response::Error(WireError::new(
                ErrorCode::Busy,
                Text::new("daemon-rate-limited").arg("seconds", wait),
            ));
        }
        let result = match req {
            Request::Ping => Ok(Response::Pong),
            Request::AuthStart { ctx, credential } => {
                self.auth_start(session, ctx, credential).await
            }
            Request::AuthAnswer { answer } => self.auth_answer(session, answer).await,
            Request::Account { ctx } => self.account(&session.peer, ctx).await,
            Request::ChangeCheck { user, credential } => self.change_check(&user, credential).await,
            Request::ChangePassword {
                ctx,
                credential,
                current,
                new,
            } => {
                self.change_password(&session.peer, ctx, credential, current, new)
                    .await
            }
            Request::OpenSession { ctx } => {
                self.open_session(&session.peer, session.pid, ctx).await
            }
            Request::CloseSession { ctx } => {
                self.close_session(&session.peer, session.pid, ctx).await
            }
            Request::Status { user, step_up } => match self.admit(access, session, step_up).await {
                Ok(()) => self.status(&session.peer, user).await,
                Err(e) => Err(e),
            },
            Request::PolicyCheck { user, candidate } => {
                self.policy_check(&session.peer, user, candidate).await
            }
            Request::OtpEnrollBegin { password } => {
                self.otp_enroll_begin(&session.peer, password).await
            }
            Request::OtpEnrollFinish { code } => self.otp_enroll_finish(&session.peer, code).await,
            Request::OtpDisable { password, code } => {
                self.otp_disable(&session.peer, password, code).await
            }
            Request::OtpRecoveryRegenerate { password, code } => {
                self.otp_recovery(&session.peer, password, code).await
            }
            Request::OtpStatus => self.otp_status(&session.peer).await,
            Request::SetLanguage { language } => self.set_language(&session.peer, language).await,
            Request::EmailSet { password, address } => {
                self.email_set(&session.peer, password, address).await
            }
            Request::EmailVerify { code } => self.email_verify(&session.peer, code).await,
            Request::EmailRemove => self.email_remove(&session.peer).await,
            Request::ResetRequest { user } => self.reset_request(&session.peer, user).await,
            Request::Lookup(query) => self.lookup(query).await,
            Request::Admin { step_up, op } => match self.admit(access, session, step_up).await {
                Ok(()) => self.admin(&session.peer, op).await,
                Err(e) => Err(e),
            },
        };
        result.unwrap_or_else(Response::Error)
    }
}

#[cfg(test)]
mod lookup_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod texts_tests;

#[cfg(test)]
mod tidy_tests {
    use super::*;

    #[test]
    fn pam_items_are_bounded_and_free_of_control_characters() {
        let mut ctx = PamContext {
            user: "alice".into(),
            service: "sshd\u{1b}[2K\r".into(),
            tty: Some("x".repeat(10_000)),
            rhost: None,
        };
        tidy(&mut ctx);
        assert_eq!(ctx.user, "alice");
        assert_eq!(ctx.service, "sshd?[2K?");
        assert_eq!(ctx.tty.map(|t| t.len()), Some(MAX_ITEM_LEN));
    }
}
