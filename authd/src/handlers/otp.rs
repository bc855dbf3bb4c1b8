//! The user's own TOTP token: enrolment (password, then a first valid
//! code), turning it off (password and code), recovery codes, status.

use monban_proto::{CredentialKind, ErrorCode, OtpEnrollment, Response, Secret, Text, WireError};

use super::auth::{TEMPORARY_LAPSED, locked_text};
use super::verify::{Checked, LOGIN_EVENTS, otp_aad};
use super::{Daemon, Origin, internal, user_unknown};
use crate::mail::Notice;
use crate::peer::Peer;
use crate::rules::otp;
use crate::store::UserRow;

/// An enrolment not confirmed within this time must start again.
const PENDING_FOR: i64 = 15 * 60;

impl Daemon {
    pub(super) async fn own_user(&self, peer: &Peer) -> Result<UserRow, WireError> {
        let name = peer.label();
        self.find_user(&name)
            .await?
            .ok_or_else(|| user_unknown(&name))
    }

    /// The caller's own account, once they proved its password and a code
    /// (turning OTP off, new recovery codes).
    async fn own_user_proven(
        &self,
        peer: &Peer,
        password: &Secret,
        code: &Secret,
    ) -> Result<(UserRow, Origin), WireError> {
        let user = self.own_user(peer).await?;
        let origin = Origin::from_peer(peer);
        self.prove(&user, password, Some(code), &origin).await?;
        Ok((user, origin))
    }

    /// Ten fresh recovery codes (shown once) and their keyed hashes (stored).
    fn new_recovery_codes(&self) -> (Vec<Secret>, Vec<[u8; 32]>) {
        otp::new_recovery_codes()
            .iter()
            .map(|c| (Secret::new(c.to_string()), self.keys.mac(c.as_bytes())))
            .unzip()
    }

    /// Proves the login password, then (when given) a current code.
    pub(super) async fn prove(
        &self,
        user: &UserRow,
        password: &Secret,
        code: Option<&Secret>,
        origin: &Origin,
    ) -> Result<(), WireError> {
        let wrong = |kind: CredentialKind| {
            WireError::new(
                ErrorCode::AuthFailed,
                Text::new("otp-proof-wrong").arg("kind", kind.as_str()),
            )
        };
        match self
            .check_secret(user, CredentialKind::Login, password, origin, LOGIN_EVENTS)
            .await?
        {
            Checked::Right => {}
            Checked::Locked => {
                return Err(WireError::new(
                    ErrorCode::Locked,
                    locked_text(CredentialKind::Login, &user.name),
                ));
            }
            Checked::Lapsed => {
                return Err(WireError::new(
                    ErrorCode::AuthFailed,
                    Text::new(TEMPORARY_LAPSED),
                ));
            }
            _ => return Err(wrong(CredentialKind::Login)),
        }
        let Some(code) = code else { return Ok(()) };
        match self.check_otp(user, code, origin).await? {
            Checked::Right => Ok(()),
            Checked::Locked => Err(WireError::new(
                ErrorCode::Locked,
                locked_text(CredentialKind::Otp, &user.name),
            )),
            Checked::NotSet => Err(WireError::new(
                ErrorCode::BadRequest,
                Text::new("otp-not-enrolled"),
            )),
            Checked::Wrong | Checked::Lapsed | Checked::Code(_) => Err(wrong(CredentialKind::Otp)),
        }
    }

    pub(super) async fn otp_enroll_begin(
        &self,
        peer: &Peer,
        password: Secret,
    ) -> Result<Response, WireError> {
        let user = self.own_user(peer).await?;
        if self.otp_active(&user).await? {
            return Err(WireError::new(
                ErrorCode::AlreadyExists,
                Text::new("otp-already-enrolled"),
            ));
        }
        self.prove(&user, &password, None, &Origin::from_peer(peer))
            .await?;
        let secret = otp::new_secret();
        let sealed = self
            .keys
            .seal(&secret, &otp_aad(user.id))
            .map_err(internal)?;
        let (id, now) = (user.id, self.now());
        self.store
            .write(move |tx| tx.set_pending_otp(id, &sealed, now))
            .await?;
        let cfg = &self.cfg.otp;
        Ok(Response::OtpEnrollment(OtpEnrollment {
            uri: Secret::new(otp::uri(cfg, &user.name, &secret).to_string()),
            secret: Secret::new(otp::encode_base32(&secret).to_string()),
            issuer: cfg.issuer.clone(),
            account: user.name.clone(),
            digits: cfg.digits as u32,
            period: cfg.period,
        }))
    }

    pub(super) async fn otp_enroll_finish(
        &self,
        peer: &Peer,
        code: Secret,
    ) -> Result<Response, WireError> {
        let user = self.own_user(peer).await?;
        let id = user.id;
        let row = self.store.get(move |tx| tx.otp(id)).await?;
        let now = self.now();
        let (Some(pending), Some(pending_at)) = (row.pending_secret, row.pending_at) else {
            return Err(WireError::new(
                ErrorCode::BadRequest,
                Text::new("otp-no-enrolment"),
            ));
        };
        if now - pending_at > PENDING_FOR {
            return Err(WireError::new(
                ErrorCode::BadRequest,
                Text::new("otp-enrolment-expired"),
            ));
        }
        let secret = self.keys.open(&pending, &otp_aad(id)).map_err(internal)?;
        let Some(step) = otp::verify(&self.cfg.otp, &secret, code.expose(), now, None) else {
            return Err(WireError::new(
                ErrorCode::AuthFailed,
                Text::new("otp-code-invalid"),
            ));
        };
        let (codes, macs) = self.new_recovery_codes();
        let entry = Origin::from_peer(peer).entry(now, "otp_enrolled", &user.name);
        // Re-read in the transaction that writes: an enrolment finished
        // (or begun again) meanwhile must not be overwritten, nor a secret
        // activated that this code was not checked against.
        let (activated, written) = self
            .store
            .write(move |tx| {
                let now_row = tx.otp(id)?;
                if now_row.active() || now_row.pending_secret.as_ref() != Some(&pending) {
                    return Ok((false, Vec::new()));
                }
                tx.activate_otp(id, now, step)?;
                tx.replace_recovery_codes(id, &macs)?;
                tx.set_counter(id, CredentialKind::Otp, Default::default())?;
                tx.append_audit(&entry)?;
                Ok((true, vec![entry]))
            })
            .await?;
        self.announce(&written);
        if !activated {
            return Err(WireError::new(
                ErrorCode::AlreadyExists,
                Text::new("otp-enrolled-meanwhile"),
            ));
        }
        self.tell(&user, Notice::OtpOn);
        Ok(Response::RecoveryCodes { codes })
    }

    pub(super) async fn otp_disable(
        &self,
        peer: &Peer,
        password: Secret,
        code: Secret,
    ) -> Result<Response, WireError> {
        let (user, origin) = self.own_user_proven(peer, &password, &code).await?;
        let id = user.id;
        let entry = origin.entry(self.now(), "otp_disabled", &user.name);
        self.commit(vec![entry], move |tx| {
            tx.remove_otp(id)?;
            Ok(())
        })
        .await?;
        self.tell(&user, Notice::OtpOff);
        Ok(Response::Done {
            messages: Vec::new(),
        })
    }

    pub(super) async fn otp_recovery(
        &self,
        peer: &Peer,
        password: Secret,
        code: Secret,
    ) -> Result<Response, WireError> {
        let (user, origin) = self.own_user_proven(peer, &password, &code).await?;
        let (codes, macs) = self.new_recovery_codes();
        let id = user.id;
        let entry = origin.entry(self.now(), "otp_recovery_regenerated", &user.name);
        self.commit(vec![entry], move |tx| {
            tx.replace_recovery_codes(id, &macs)?;
            Ok(())
        })
        .await?;
        Ok(Response::RecoveryCodes { codes })
    }

    pub(super) async fn otp_status(&self, peer: &Peer) -> Result<Response, WireError> {
        let user = self.own_user(peer).await?;
        Ok(Response::OtpState(self.user_status(&user).await?.otp))
    }
}
