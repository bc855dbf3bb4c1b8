//! Changing a password: prove the current one, pass every rule, store.

use monban_proto::{
    CredentialKind, ErrorCode, PamContext, PolicyReport, Response, Secret, Text, WireError,
};

use super::auth::TEMPORARY_LAPSED;
use super::verify::{COMPARE_EVENTS, Checked, LOGIN_EVENTS};
use super::{Daemon, Origin, user_unknown};
use crate::mail::Notice;
use crate::peer::Peer;
use crate::rules::{expiry, policy};
use crate::store::{self, UserRow};

/// One message listing every failed rule, for PAM and the CLI alike.
pub(crate) fn rejection(report: &PolicyReport) -> WireError {
    WireError::new(
        ErrorCode::PolicyRejected,
        Text::new("password-rejected").arg("failures", policy::failure_items(report)),
    )
}

/// A password request about the one-time password, which has its own.
fn otp_elsewhere() -> WireError {
    WireError::new(ErrorCode::BadRequest, Text::new("password-otp-elsewhere"))
}

impl Daemon {
    pub(super) async fn change_check(
        &self,
        user: &str,
        credential: CredentialKind,
    ) -> Result<Response, WireError> {
        if credential == CredentialKind::Otp {
            return Err(otp_elsewhere());
        }
        match self.find_user(user).await? {
            Some(_) => Ok(Response::Done {
                messages: Vec::new(),
            }),
            None => Err(user_unknown(user)),
        }
    }

    pub(super) async fn policy_check(
        &self,
        peer: &Peer,
        user: Option<String>,
        candidate: Secret,
    ) -> Result<Response, WireError> {
        let name = user.unwrap_or_else(|| peer.label());
        Ok(Response::Policy(policy::check(
            &self.cfg.password,
            &name,
            candidate.expose(),
        )))
    }

    pub(super) async fn change_password(
        &self,
        peer: &Peer,
        ctx: PamContext,
        credential: CredentialKind,
        current: Option<Secret>,
        new: Secret,
    ) -> Result<Response, WireError> {
        if credential == CredentialKind::Otp {
            return Err(otp_elsewhere());
        }
        let Some(user) = self.find_user(&ctx.user).await? else {
            return Err(user_unknown(&ctx.user));
        };
        let origin = Origin::from_pam(peer, &ctx);
        // Setting a first confirmation password is proved with the login one.
        let proof_kind = if credential == CredentialKind::Confirm
            && !self.has_credential(&user, credential).await?
        {
            CredentialKind::Login
        } else {
            credential
        };
        match &current {
            Some(current) => {
                match self
                    .check_secret(&user, proof_kind, current, &origin, LOGIN_EVENTS)
                    .await?
                {
                    Checked::Right => {}
                    Checked::Locked => {
                        return Err(WireError::new(
                            ErrorCode::Locked,
                            super::auth::locked_text(proof_kind, &user.name),
                        ));
                    }
                    Checked::Lapsed => {
                        return Err(WireError::new(
                            ErrorCode::AuthFailed,
                            Text::new(TEMPORARY_LAPSED),
                        ));
                    }
                    Checked::Wrong | Checked::NotSet | Checked::Code(_) => {
                        return Err(WireError::new(
                            ErrorCode::AuthFailed,
                            Text::new("password-current-wrong").arg("kind", proof_kind.as_str()),
                        ));
                    }
                }
            }
            None if peer.is_root() => {}
            None => {
                return Err(WireError::new(
                    ErrorCode::BadRequest,
                    Text::new("password-current-required"),
                ));
            }
        }
        // Told only once the current password is proved.
        if user.disabled {
            return Err(WireError::new(
                ErrorCode::Disabled,
                Text::new("password-disabled"),
            ));
        }
        // The age rule guards users cycling back; root setting a password
        // without the current one is an administrator's act.
        let check_age = current.is_some();
        // Comparing the candidate with the login password tells whether it
        // is the login password: free when this request just proved that
        // one (or root asks), otherwise a counted attempt on it.
        let free = proof_kind == CredentialKind::Login || current.is_none();
        let compare = (!free).then_some(&origin);
        let report = self
            .judge_new_password(&user, credential, &new, check_age, compare)
            .await?;
        if !report.passed() {
            return Err(rejection(&report));
        }
        self.store_password(
            &user,
            credential,
            &new,
            None,
            None,
            &origin,
            "password_changed",
        )
        .await?;
        if credential == CredentialKind::Login {
            let notice = if current.is_some() {
                Notice::PasswordChanged
            } else {
                Notice::AdminReset
            };
            self.tell(&user, notice);
        }
        Ok(Response::Done {
            messages: Vec::new(),
        })
    }

    /// Every rule that applies to a new password for `user`. With
    /// `counted`, comparing a new confirmation password with the login
    /// password is an attempt on the login password (counted before the
    /// hash runs, refused while it is suspended).
    pub(crate) async fn judge_new_password(
        &self,
        user: &UserRow,
        kind: CredentialKind,
        new: &Secret,
        check_age: bool,
        counted: Option<&Origin>,
    ) -> Result<PolicyReport, WireError> {
        let cfg = &self.cfg.password;
        let mut report = policy::check(cfg, &user.name, new.expose());
        let id = user.id;
        let keep = cfg.history;
        let (current, history, login) = self
            .store
            .get(move |tx| {
                let history = if keep > 1 {
                    tx.history(id, kind, keep - 1)?
                } else {
                    Vec::new()
                };
                Ok((
                    tx.credential(id, kind)?,
                    history,
                    tx.credential(id, CredentialKind::Login)?,
                ))
            })
            .await?;
        if check_age && let Some(cur) = &current {
            let facts = if kind == CredentialKind::Login {
                self.password_facts(user).await?
            } else {
                Some(expiry::PasswordFacts::new(cur.set_at))
            };
            report
                .rules
                .push(policy::min_age_rule(cfg, facts.as_ref(), self.now()));
        }
        if keep > 0 {
            let mut previous = history;
            if let Some(cur) = current {
                previous.insert(0, cur.hash);
            }
            let reused = self.hasher.matches_any(previous, new).await;
            report.rules.push(policy::history_rule(reused, keep));
        }
        if kind == CredentialKind::Confirm
            && let Some(login) = login
        {
            let same = match counted {
                None => Some(self.hasher.verify(login.hash, new).await),
                Some(origin) => match self
                    .judge_secret(user, CredentialKind::Login, new, origin, COMPARE_EVENTS)
                    .await?
                {
                    Checked::Right | Checked::Lapsed => Some(true),
                    Checked::Wrong | Checked::NotSet | Checked::Code(_) => Some(false),
                    Checked::Locked => None,
                },
            };
            report.rules.push(match same {
                Some(same) => policy::differs_rule(same),
                None => policy::differs_unknown_rule(),
            });
        }
        Ok(report)
    }

    /// Hashes and stores a password (the old one goes into the history),
    /// lifts that credential's suspension and, for the login password,
    /// satisfies pending deadlines.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn store_password(
        &self,
        user: &UserRow,
        kind: CredentialKind,
        new: &Secret,
        temporary_until: Option<i64>,
        force_change: Option<expiry::ForceReason>,
        origin: &Origin,
        event: &'static str,
    ) -> Result<(), WireError> {
        let hash = self.hasher.hash(new).await.map_err(super::internal)?;
        let now = self.now();
        let keep = self.cfg.password.history;
        let id = user.id;
        let mut entry = origin.entry(now, event, &user.name);
        entry.credential = Some(kind);
        self.commit(vec![entry], move |tx| {
            let new = store::NewCredential {
                kind,
                hash: &hash,
                set_at: now,
                temporary_until,
                force_change: force_change.map(expiry::ForceReason::as_str),
            };
            tx.set_credential(id, &new, keep)?;
            tx.set_counter(id, kind, Default::default())?;
            if kind == CredentialKind::Login {
                tx.clear_deadlines(id)?;
            }
            Ok(())
        })
        .await?;
        Ok(())
    }
}
