//! What `monban status` and `monban user list` show.

use monban_proto::{
    CredentialKind, CredentialStatus, OtpState, Response, Text, UserStatus, WireError,
};

use super::{Daemon, user_unknown};
use crate::peer::Peer;
use crate::rules::codes::{self, CodePurpose};
use crate::rules::{expiry, lockout};
use crate::store::UserRow;

impl Daemon {
    pub(super) async fn status(
        &self,
        peer: &Peer,
        user: Option<String>,
    ) -> Result<Response, WireError> {
        let name = user.unwrap_or_else(|| peer.label());
        let Some(row) = self.find_user(&name).await? else {
            return Err(user_unknown(&name));
        };
        Ok(Response::Status(Box::new(self.user_status(&row).await?)))
    }

    pub(crate) async fn user_status(&self, user: &UserRow) -> Result<UserStatus, WireError> {
        let (id, name) = (user.id, user.name.clone());
        let (creds, otp_row, recovery_left, last_login) = self
            .store
            .read(move |tx| {
                let mut creds = Vec::new();
                for kind in CredentialKind::ALL {
                    let set_at = match kind {
                        CredentialKind::Otp => None,
                        _ => tx.credential(id, kind)?.map(|r| r.set_at),
                    };
                    creds.push((kind, set_at, tx.counter(id, kind)?));
                }
                Ok((
                    creds,
                    tx.otp(id)?,
                    tx.recovery_codes_left(id)?,
                    tx.last_login(id)?,
                ))
            })
            .await?;
        let unlock_after = self.cfg.lockout.unlock_after;
        let mut otp = OtpState {
            enrolled: otp_row.active(),
            enrolled_at: otp_row.enrolled_at,
            recovery_codes_left: recovery_left,
            pending: otp_row.pending_secret.is_some(),
            required: self.otp_required(user).await,
            grace_until: self.otp_enrolment_due(user).await?,
            ..Default::default()
        };
        let mut credentials = Vec::new();
        for (kind, set_at, counter) in creds {
            let locked = self.locked(counter);
            if kind == CredentialKind::Otp {
                otp.failures = counter.failures;
                otp.locked = locked;
            }
            credentials.push(CredentialStatus {
                kind,
                set_at: if kind == CredentialKind::Otp {
                    otp_row.enrolled_at
                } else {
                    set_at
                },
                failures: counter.failures,
                locked,
                locked_at: counter.locked_at.filter(|_| locked),
                unlocks_at: lockout::unlocks_at(counter, unlock_after).filter(|_| locked),
            });
        }
        let now = self.now();
        let facts = self.password_facts(user).await?;
        let (password_expires_at, must_change, temporary_until, change_deadline) = match &facts {
            Some(f) => {
                let must_change = match expiry::judge(&self.cfg.password, f, now) {
                    expiry::Verdict::MustChange { reason } => Some(reason),
                    expiry::Verdict::TemporaryLapsed => Some(Text::new("status-temporary-lapsed")),
                    expiry::Verdict::Valid { .. } => None,
                };
                (
                    expiry::expires_at(&self.cfg.password, f),
                    must_change,
                    f.temporary_until,
                    f.deadline,
                )
            }
            None => (None, None, None, None),
        };
        let failures_since_last_login = self
            .store
            .read(move |tx| tx.failures_since_last_session(&name))
            .await?;
        let id = user.id;
        let email_pending = self
            .store
            .read(move |tx| tx.codes(id))
            .await?
            .into_iter()
            .find(|c| c.purpose == CodePurpose::Verify && codes::valid(c, now))
            .and_then(|c| c.address);
        Ok(UserStatus {
            user: user.name.clone(),
            disabled: user.disabled,
            created_at: user.created_at,
            language: user.language,
            credentials,
            otp,
            password_expires_at,
            must_change,
            temporary_until,
            change_deadline,
            last_login,
            failures_since_last_login,
            email: user.email.clone(),
            email_pending,
            uid: user.uid,
            sessions: self.sessions.of_user(&user.name, now),
        })
    }
}
