//! Checking a secret against a credential, with lockout. The failure count
//! is re-read and written in one transaction, committed before the caller
//! can answer, so concurrent wrong guesses are all counted.

use monban_proto::{CredentialKind, ErrorCode, Secret, Text, WireError};

use super::{Daemon, Origin};
use crate::inflight::{Seen, Verifying};
use crate::peer::Peer;
use crate::rules::codes::CodePurpose;
use crate::rules::lockout::{self, Admission};
use crate::rules::{expiry, otp};
use crate::store::{self, NewAuditEntry, Tx, UserRow};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checked {
    Right,
    Wrong,
    /// Suspended: the secret was not looked at.
    Locked,
    /// The user has no such credential.
    NotSet,
    /// Right, but a temporary password past its validity: opens nothing.
    Lapsed,
    /// Not the password but a mailed reset or invitation code still valid
    /// (only at the login prompt, `Events::codes`).
    Code(CodePurpose),
}

impl Checked {
    /// The answer proves who is at the prompt.
    pub fn proves(self) -> bool {
        matches!(self, Self::Right | Self::Code(_))
    }
}

/// An attempt counted in advance by `reserve`, in flight until settled.
struct Attempt {
    limit: u32,
    exempt: bool,
    verifying: Verifying,
}

/// How `reserve`'s transaction ended.
enum Reserved {
    Admitted(Verifying),
    Refused,
    Wait(Seen),
}

/// Audit event names for one kind of check.
#[derive(Clone, Copy)]
pub struct Events {
    pub success: &'static str,
    pub failure: &'static str,
    /// A mailed code may stand for the password (the login prompt only).
    pub codes: bool,
}

pub const LOGIN_EVENTS: Events = Events {
    success: "auth_success",
    failure: "auth_failure",
    codes: false,
};

/// The login prompt of a PAM conversation: a mailed code is accepted.
pub const PROMPT_EVENTS: Events = Events {
    codes: true,
    ..LOGIN_EVENTS
};

pub const STEP_UP_EVENTS: Events = Events {
    success: "step_up_success",
    failure: "step_up_failure",
    codes: false,
};

/// A new confirmation password compared with the login password.
pub const COMPARE_EVENTS: Events = Events {
    success: "login_password_matched",
    failure: "login_password_compared",
    codes: false,
};

/// Additional authenticated data binding a sealed OTP secret to its user.
pub fn otp_aad(user_id: i64) -> Vec<u8> {
    format!("monban-otp:{user_id}").into_bytes()
}

impl Daemon {
    fn exempt(&self, user: &UserRow) -> bool {
        lockout::exempt(&self.cfg.lockout, user.name == "root")
    }

    /// Whether the credential is suspended right now.
    pub(crate) fn locked(&self, counter: lockout::Counter) -> bool {
        lockout::is_locked(counter, self.cfg.lockout.unlock_after, self.now())
    }

    /// Verifies a password credential and, when it was right, upgrades a
    /// legacy hash. Wrong and locked answers take the same hashing time as
    /// right ones.
    pub(crate) async fn check_secret(
        &self,
        user: &UserRow,
        kind: CredentialKind,
        secret: &Secret,
        origin: &Origin,
        events: Events,
    ) -> Result<Checked, WireError> {
        let checked = self
            .judge_secret(user, kind, secret, origin, events)
            .await?;
        if checked == Checked::Right {
            self.upgrade_hash(user, kind, secret).await?;
        }
        Ok(checked)
    }

    /// Verifies a password credential with the same work whatever the
    /// outcome: one counted attempt, one hash, one transaction of the same
    /// statements. A right temporary password past its validity is
    /// `Lapsed` and stays counted as a failure: it opens nothing.
    pub(crate) async fn judge_secret(
        &self,
        user: &UserRow,
        kind: CredentialKind,
        secret: &Secret,
        origin: &Origin,
        events: Events,
    ) -> Result<Checked, WireError> {
        let id = user.id;
        let codes = events.codes && kind == CredentialKind::Login;
        let (cred, pending) = self
            .store
            .get(move |tx| {
                let pending = if codes { tx.codes(id)? } else { Vec::new() };
                Ok((tx.credential(id, kind)?, pending))
            })
            .await?;
        let code = |now| {
            let purposes = [CodePurpose::Reset, CodePurpose::Invite];
            self.mailer
                .matching_code(id, &pending, &purposes, secret.expose(), now)
        };
        let usable = pending.iter().any(|c| c.purpose != CodePurpose::Verify);
        if cred.is_none() && !usable {
            self.waste_login(&user.name, origin, secret).await;
            return Ok(Checked::NotSet);
        }
        let Some(attempt) = self.reserve(user, kind, origin).await? else {
            self.waste_login(&user.name, origin, secret).await;
            // A reset code may lift a suspension where the administrator
            // chose so ([reset] releases_suspension).
            return Ok(match code(self.now()) {
                Some(CodePurpose::Reset) if self.cfg.reset.releases_suspension => {
                    Checked::Code(CodePurpose::Reset)
                }
                _ => Checked::Locked,
            });
        };
        let lane = self
            .recent
            .lane(&user.name, origin.rhost.as_deref(), self.now());
        let (right, temporary_until) = match &cred {
            Some(cred) => (
                self.hasher.verify_in(lane, cred.hash.clone(), secret).await,
                cred.temporary_until,
            ),
            None => {
                self.hasher.waste_in(lane, secret).await;
                (false, None)
            }
        };
        let lapsed = expiry::temporary_lapsed(temporary_until, self.now());
        let checked = match (right, lapsed, code(self.now())) {
            (true, false, _) => Checked::Right,
            (false, _, Some(purpose)) | (true, true, Some(purpose)) => Checked::Code(purpose),
            (true, true, None) => Checked::Lapsed,
            (false, _, None) => Checked::Wrong,
        };
        self.settle(user, kind, checked, attempt, origin, events)
            .await?;
        Ok(checked)
    }

    /// Rehashes a right secret whose stored hash is of an older kind
    /// (imported from /etc/shadow, weaker parameters).
    pub(crate) async fn upgrade_hash(
        &self,
        user: &UserRow,
        kind: CredentialKind,
        secret: &Secret,
    ) -> Result<(), WireError> {
        let id = user.id;
        let Some(cred) = self.store.get(move |tx| tx.credential(id, kind)).await? else {
            return Ok(());
        };
        if !self.hasher.needs_upgrade(&cred.hash) {
            return Ok(());
        }
        let Ok(new) = self.hasher.hash(secret).await else {
            return Ok(());
        };
        let old = cred.hash;
        self.store
            .write(move |tx| tx.upgrade_hash(id, kind, &old, &new))
            .await?;
        Ok(())
    }

    /// The hashing time of a login attempt whose secret is compared with
    /// nothing (an unknown name, a refusal decided before checking), in the
    /// lane a real attempt of that name and host would wait in, and
    /// remembered as the failure it is.
    pub(crate) async fn waste_login(&self, name: &str, origin: &Origin, secret: &Secret) {
        let host = origin.rhost.as_deref();
        let lane = self.recent.lane(name, host, self.now());
        self.hasher.waste_in(lane, secret).await;
        self.recent.failed(name, host, self.now());
    }

    /// Counts an attempt as a failure before the secret is looked at, in
    /// one transaction with the suspension check: however many attempts
    /// arrive at once, at most `max_failures` are ever verified, and a
    /// client that disconnects mid-way has still been counted. An attempt
    /// beyond the budget waits for those in flight (a right answer frees
    /// it). None when the credential is suspended (audited here).
    async fn reserve(
        &self,
        user: &UserRow,
        kind: CredentialKind,
        origin: &Origin,
    ) -> Result<Option<Attempt>, WireError> {
        let limit = lockout::limit(&self.cfg, kind);
        let exempt = self.exempt(user);
        let unlock_after = self.cfg.lockout.unlock_after;
        let id = user.id;
        loop {
            let now = self.now();
            let mut refused = origin.entry(now, "auth_refused_locked", &user.name);
            refused.credential = Some(kind);
            let mut locked = refused.clone();
            locked.event = "locked";
            locked.detail = Some(format!(
                "suspended after {limit} counted attempts that never answered"
            ));
            let in_flight = self.in_flight.clone();
            let (reserved, written) = self
                .store
                .write_staged(
                    // Staged: the settle commits durably before any answer
                    // leaves, and a refusal is made durable here.
                    move |tx| {
                        let before = tx.counter(id, kind)?;
                        let (admission, ticket) = in_flight.decide(id, kind, |n| {
                            let a = lockout::admit(before, limit, exempt, unlock_after, now, n);
                            (a, matches!(a, Admission::Verify(_)))
                        });
                        Ok(match (admission, ticket) {
                            (Admission::Verify(after), Ok(verifying)) => {
                                tx.set_counter(id, kind, after)?;
                                (Reserved::Admitted(verifying), Vec::new())
                            }
                            (Admission::Wait, Err(seen)) => (Reserved::Wait(seen), Vec::new()),
                            (Admission::Suspend(after), _) => {
                                tx.set_counter(id, kind, after)?;
                                tx.append_audit(&locked)?;
                                tx.append_audit(&refused)?;
                                (Reserved::Refused, vec![locked, refused])
                            }
                            _ => {
                                tx.append_audit(&refused)?;
                                (Reserved::Refused, vec![refused])
                            }
                        })
                    },
                    |(reserved, _)| matches!(reserved, Reserved::Refused),
                )
                .await?;
            self.announce(&written);
            self.tell_if_suspended(user, kind, &written);
            match reserved {
                Reserved::Admitted(verifying) => {
                    return Ok(Some(Attempt {
                        limit,
                        exempt,
                        verifying,
                    }));
                }
                Reserved::Refused => return Ok(None),
                Reserved::Wait(seen) => self.in_flight.settled(id, kind, seen).await,
            }
        }
    }

    /// Records how a reserved attempt ended: a right secret clears the
    /// count, anything else stays counted and suspends the credential once
    /// the budget is spent and nothing else is in flight. Both outcomes run
    /// the same statements (the counter is rewritten either way), so the
    /// time to the next prompt does not tell them apart.
    async fn settle(
        &self,
        user: &UserRow,
        kind: CredentialKind,
        checked: Checked,
        attempt: Attempt,
        origin: &Origin,
        events: Events,
    ) -> Result<(), WireError> {
        let now = self.now();
        let id = user.id;
        let right = checked.proves();
        let event = match checked {
            Checked::Right | Checked::Code(_) => events.success,
            Checked::Lapsed => "auth_refused_temporary_lapsed",
            _ => events.failure,
        };
        let mut entry = origin.entry(now, event, &user.name);
        entry.credential = Some(kind);
        let mut locked = entry.clone();
        locked.event = "locked";
        locked.detail = Some(format!(
            "suspended after {} consecutive failures",
            attempt.limit
        ));
        let Attempt {
            limit,
            exempt,
            mut verifying,
        } = attempt;
        let written = self
            .store
            .write(move |tx| {
                // Ended under the write lock: the waiters it wakes read
                // what this transaction commits.
                let others = verifying.finish();
                let counted = tx.counter(id, kind)?;
                let mut entries = vec![entry];
                let after = if right {
                    lockout::after_success(counted)
                } else {
                    lockout::after_wrong(counted, limit, exempt, now, others)
                };
                if after.locked_at != counted.locked_at {
                    entries.push(locked);
                }
                // Rewritten either way: the same statements for both.
                tx.set_counter(id, kind, after)?;
                for e in &entries {
                    tx.append_audit(e)?;
                }
                Ok(entries)
            })
            .await?;
        self.announce(&written);
        self.tell_if_suspended(user, kind, &written);
        if right {
            self.recent.succeeded(&user.name);
        } else {
            self.recent.failed(&user.name, origin.rhost.as_deref(), now);
        }
        Ok(())
    }

    /// The registered address hears of a suspension just recorded.
    fn tell_if_suspended(&self, user: &UserRow, kind: CredentialKind, written: &[NewAuditEntry]) {
        if written.iter().any(|e| e.event == "locked") {
            self.tell(user, crate::mail::Notice::Suspended(kind));
        }
    }

    /// Whether `kind` of `user` is suspended right now (no attempt counted).
    pub(crate) async fn is_suspended(
        &self,
        user: &UserRow,
        kind: CredentialKind,
    ) -> Result<bool, WireError> {
        let id = user.id;
        let counter = self.store.get(move |tx| tx.counter(id, kind)).await?;
        Ok(self.locked(counter))
    }

    /// Applies `change` and stores `entries` in one transaction, then sends
    /// the entries to syslog: the audit trail never records a change that
    /// did not happen, nor misses one that did.
    pub(crate) async fn commit<R: Send + 'static>(
        &self,
        entries: Vec<NewAuditEntry>,
        change: impl FnOnce(&dyn Tx) -> Result<R, store::StoreError> + Send + 'static,
    ) -> Result<R, WireError> {
        let (out, written) = self
            .store
            .write(move |tx| {
                let out = change(tx)?;
                for e in &entries {
                    tx.append_audit(e)?;
                }
                Ok((out, entries))
            })
            .await?;
        self.announce(&written);
        Ok(out)
    }

    /// Stores and announces audit entries that change nothing else.
    pub(crate) async fn commit_events(&self, entries: Vec<NewAuditEntry>) -> Result<(), WireError> {
        self.commit(entries, |_| Ok(())).await
    }

    /// Verifies a TOTP code or an unused recovery code. A time step, like a
    /// recovery code, is accepted once only.
    pub(crate) async fn check_otp(
        &self,
        user: &UserRow,
        code: &Secret,
        origin: &Origin,
    ) -> Result<Checked, WireError> {
        let id = user.id;
        let row = self.store.get(move |tx| tx.otp(id)).await?;
        let Some(sealed) = row.secret else {
            return Ok(Checked::NotSet);
        };
        let Some(attempt) = self.reserve(user, CredentialKind::Otp, origin).await? else {
            return Ok(Checked::Locked);
        };
        let secret = self
            .keys
            .open(&sealed, &otp_aad(id))
            .map_err(super::internal)?;
        let now = self.now();
        let step = otp::verify(&self.cfg.otp, &secret, code.expose(), now, row.last_step);
        let recovery = match step {
            None if otp::looks_like_recovery(code.expose()) => {
                otp::normalize_recovery(code.expose()).map(|c| self.keys.mac(c.as_bytes()))
            }
            _ => None,
        };
        let accepted = self
            .store
            .write(move |tx| match (step, recovery) {
                (Some(step), _) => tx.claim_otp_step(id, step),
                (None, Some(mac)) => tx.use_recovery_code(id, &mac, now),
                (None, None) => Ok(false),
            })
            .await?;
        let checked = if accepted {
            Checked::Right
        } else {
            Checked::Wrong
        };
        self.settle(
            user,
            CredentialKind::Otp,
            checked,
            attempt,
            origin,
            LOGIN_EVENTS,
        )
        .await?;
        Ok(checked)
    }

    /// A non-root administrator proves their own confirmation password.
    pub(crate) async fn step_up(
        &self,
        peer: &Peer,
        step_up: Option<monban_proto::Secret>,
    ) -> Result<(), WireError> {
        let Some(secret) = step_up else {
            return Err(WireError::new(
                ErrorCode::StepUpRequired,
                Text::new("verify-step-up-required"),
            ));
        };
        let name = peer.label();
        let Some(user) = self.find_user(&name).await? else {
            return Err(WireError::new(
                ErrorCode::StepUpRequired,
                Text::new("verify-step-up-no-account").arg("user", &name),
            ));
        };
        let origin = Origin::from_peer(peer);
        match self
            .check_secret(
                &user,
                CredentialKind::Confirm,
                &secret,
                &origin,
                STEP_UP_EVENTS,
            )
            .await?
        {
            Checked::Right => Ok(()),
            Checked::Wrong | Checked::Lapsed | Checked::Code(_) => Err(WireError::new(
                ErrorCode::AuthFailed,
                Text::new("verify-step-up-wrong"),
            )),
            Checked::Locked => Err(WireError::new(
                ErrorCode::Locked,
                Text::new("verify-step-up-suspended"),
            )),
            Checked::NotSet => Err(WireError::new(
                ErrorCode::StepUpRequired,
                Text::new("verify-step-up-no-confirm"),
            )),
        }
    }

    pub(crate) async fn find_user(&self, name: &str) -> Result<Option<UserRow>, WireError> {
        let name = name.to_string();
        Ok(self.store.get(move |tx| tx.find_user(&name)).await?)
    }
}
