//! Account management (may this user log in now?), sessions, and the
//! facts about a user's password and token the other handlers share.

use monban_proto::{
    AccountReply, AccountVerdict, CredentialKind, LoginRecord, PamContext, Response, Text,
    UserMessage, WireError,
};

use super::auth::{DISABLED, OTP_GRACE_OVER, TEMPORARY_LAPSED, locked_message};
use super::{Daemon, Origin, user_unknown};
use crate::authz;
use crate::peer::{Peer, lookup, user_in_group};
use crate::rules::expiry;
use crate::store::UserRow;

impl Daemon {
    pub(crate) async fn has_credential(
        &self,
        user: &UserRow,
        kind: CredentialKind,
    ) -> Result<bool, WireError> {
        let id = user.id;
        Ok(self
            .store
            .get(move |tx| tx.credential(id, kind))
            .await?
            .is_some())
    }

    pub(crate) async fn otp_active(&self, user: &UserRow) -> Result<bool, WireError> {
        let id = user.id;
        Ok(self.store.get(move |tx| tx.otp(id)).await?.active())
    }

    /// The login password's facts for the expiry rules; None if unset.
    pub(crate) async fn password_facts(
        &self,
        user: &UserRow,
    ) -> Result<Option<expiry::PasswordFacts>, WireError> {
        let id = user.id;
        let (cred, deadline) = self
            .store
            .get(move |tx| Ok((tx.credential(id, CredentialKind::Login)?, tx.deadline(id)?)))
            .await?;
        Ok(cred.map(|c| expiry::PasswordFacts {
            set_at: c.set_at,
            temporary_until: c.temporary_until,
            force_change: c
                .force_change
                .as_deref()
                .and_then(expiry::ForceReason::parse),
            deadline,
            max_age_days_override: user.shadow_max_days,
            min_age_days_override: user.shadow_min_days,
            warn_days_override: user.shadow_warn_days,
        }))
    }

    /// Whether the user must enrol a token (`--require-otp` or
    /// `required_for_group`) and has not: the end of their grace period.
    pub(crate) async fn otp_enrolment_due(&self, user: &UserRow) -> Result<Option<i64>, WireError> {
        if !self.otp_required(user).await || self.otp_active(user).await? {
            return Ok(None);
        }
        let since = match user.otp_required_since {
            Some(since) => since,
            None => {
                let (id, now) = (user.id, self.now());
                self.store
                    .write(move |tx| tx.start_otp_grace(id, now))
                    .await?;
                now
            }
        };
        Ok(Some(since.saturating_add(self.cfg.otp.grace.as_secs())))
    }

    pub(crate) async fn otp_required(&self, user: &UserRow) -> bool {
        let group = self.cfg.otp.required_for_group.clone();
        if user.require_otp {
            return true;
        }
        if group.is_empty() {
            return false;
        }
        let name = user.name.clone();
        lookup(move || user_in_group(&name, &group))
            .await
            .unwrap_or(false)
    }

    pub(super) async fn account(
        &self,
        _peer: &Peer,
        ctx: PamContext,
    ) -> Result<Response, WireError> {
        let Some(user) = self.find_user(&ctx.user).await? else {
            return Ok(Response::Account(AccountReply {
                verdict: AccountVerdict::UserUnknown,
                messages: Vec::new(),
            }));
        };
        let (verdict, messages) = self.standing(&user).await?;
        Ok(Response::Account(AccountReply { verdict, messages }))
    }

    /// May `user` log in now, and what they are told: the account phase's
    /// judgement, also what an administrator must pass to act (SPEC §13).
    pub(crate) async fn standing(
        &self,
        user: &UserRow,
    ) -> Result<(AccountVerdict, Vec<UserMessage>), WireError> {
        let reply = |verdict, messages| Ok((verdict, messages));
        if user.disabled {
            return reply(
                AccountVerdict::Disabled,
                vec![UserMessage::error(Text::new(DISABLED))],
            );
        }
        let id = user.id;
        let (login, otp) = self
            .store
            .get(move |tx| {
                Ok((
                    tx.counter(id, CredentialKind::Login)?,
                    tx.counter(id, CredentialKind::Otp)?,
                ))
            })
            .await?;
        for (kind, counter) in [(CredentialKind::Login, login), (CredentialKind::Otp, otp)] {
            if self.locked(counter) {
                return reply(
                    AccountVerdict::Locked,
                    vec![locked_message(kind, &user.name)],
                );
            }
        }
        let now = self.now();
        let mut messages = Vec::new();
        if let Some(grace_until) = self.otp_enrolment_due(user).await? {
            if now >= grace_until {
                return reply(
                    AccountVerdict::Locked,
                    vec![UserMessage::error(Text::new(OTP_GRACE_OVER))],
                );
            }
            messages.push(UserMessage::info(
                Text::new("account-otp-enrol-before").time("until", grace_until),
            ));
        }
        let Some(facts) = self.password_facts(user).await? else {
            return reply(AccountVerdict::Ok, messages);
        };
        match expiry::judge(&self.cfg.password, &facts, now) {
            expiry::Verdict::Valid { warnings } => {
                messages.extend(warnings.into_iter().map(UserMessage::info));
                reply(AccountVerdict::Ok, messages)
            }
            expiry::Verdict::MustChange { reason } => {
                messages.push(UserMessage::error(reason));
                reply(AccountVerdict::MustChange, messages)
            }
            expiry::Verdict::TemporaryLapsed => reply(
                AccountVerdict::Disabled,
                vec![UserMessage::error(Text::new(TEMPORARY_LAPSED))],
            ),
        }
    }

    /// Shows the previous login and the failures since, then records this one.
    pub(super) async fn open_session(
        &self,
        peer: &Peer,
        pid: Option<u32>,
        ctx: PamContext,
    ) -> Result<Response, WireError> {
        if !authz::records_session_events(peer) {
            return Ok(ignored_session());
        }
        self.watch_session(peer, pid, &ctx).await;
        let Some(user) = self.find_user(&ctx.user).await? else {
            return Err(user_unknown(&ctx.user));
        };
        let now = self.now();
        let origin = Origin::from_pam(peer, &ctx);
        let mut entry = origin.entry(now, "session_open", &user.name);
        entry.credential = None;
        let record = LoginRecord {
            at: now,
            service: ctx.service.clone(),
            rhost: ctx.rhost.clone(),
            tty: ctx.tty.clone(),
            // The store records this host's name.
            host: None,
        };
        let (id, name) = (user.id, user.name.clone());
        let (previous, failures) = self
            .commit(vec![entry], move |tx| {
                let previous = tx.last_login(id)?;
                let failures = tx.failures_since_last_session(&name)?;
                tx.record_login(id, &record)?;
                Ok((previous, failures))
            })
            .await?;
        let mut messages = Vec::new();
        if let Some(p) = previous {
            messages.push(UserMessage::info(last_login_text(&p)));
        }
        if failures > 0 {
            messages.push(UserMessage::info(failures_since_text(failures)));
        }
        Ok(Response::Done { messages })
    }

    pub(super) async fn close_session(
        &self,
        peer: &Peer,
        pid: Option<u32>,
        ctx: PamContext,
    ) -> Result<Response, WireError> {
        if !authz::records_session_events(peer) {
            return Ok(ignored_session());
        }
        self.unwatch_session(pid, &ctx);
        if self.find_user(&ctx.user).await?.is_none() {
            return Err(user_unknown(&ctx.user));
        }
        let e = Origin::from_pam(peer, &ctx).entry(self.now(), "session_close", &ctx.user);
        self.commit_events(vec![e]).await?;
        Ok(Response::Done {
            messages: Vec::new(),
        })
    }
}

/// "Last login: <time>[ from <host>][ on <tty>] (<service>)": which of the
/// optional parts are there is the `place` argument's selector.
pub(crate) fn last_login_text(p: &LoginRecord) -> Text {
    let host = p.rhost.as_deref().filter(|h| !h.is_empty());
    let tty = p.tty.as_deref().filter(|t| !t.is_empty());
    let place = match (host, tty) {
        (Some(_), Some(_)) => "both",
        (Some(_), None) => "host",
        (None, Some(_)) => "tty",
        (None, None) => "none",
    };
    Text::new("account-last-login")
        .time("at", p.at)
        .arg("place", place)
        .arg("host", host.unwrap_or_default())
        .arg("tty", tty.unwrap_or_default())
        .arg("service", &p.service)
}

/// How many logins failed since the last successful one (at least one).
pub(crate) fn failures_since_text(count: u32) -> Text {
    Text::new("account-failures-since").arg("count", count)
}

/// The answer to a session event from a non-root peer: harmless, and
/// nothing is recorded (SPEC §13 "Session events").
fn ignored_session() -> Response {
    Response::Done {
        messages: Vec::new(),
    }
}
