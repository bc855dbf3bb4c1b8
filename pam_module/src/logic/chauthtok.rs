//! `pam_sm_chauthtok`: the preliminary check asks only whether the daemon
//! manages the user; the update asks for the passwords and sends the change
//! (for a user it does not manage, only the new one, for the next module).

use monban_proto::{
    ClientError, CredentialKind, ErrorCode, MAX_SECRET_LEN, Request, Response, Secret,
};
use pam::constants::{PAM_CHANGE_EXPIRED_AUTHTOK, PamFlag, PamResultCode};

use super::{Hook, Op, PamHandler, TokenItem, Transport, checked_len};
use crate::log::LogSink;

/// Not defined by pam-bindings; values from `<security/_pam_types.h>`.
pub(super) const PAM_UPDATE_AUTHTOK: PamFlag = 0x2000;
pub(super) const PAM_PRELIM_CHECK: PamFlag = 0x4000;

impl<H: PamHandler, T: Transport, L: LogSink> Hook<'_, H, T, L> {
    pub(crate) fn chauthtok(&mut self) -> PamResultCode {
        if self.flags & PAM_PRELIM_CHECK != 0 {
            self.change_prelim()
        } else if self.flags & PAM_UPDATE_AUTHTOK != 0 {
            self.change_update()
        } else {
            // libpam always sets one of the two.
            PamResultCode::PAM_SERVICE_ERR
        }
    }

    fn change_prelim(&mut self) -> PamResultCode {
        let user = match self.pam.user() {
            Ok(user) if !user.is_empty() => user,
            Ok(_) => return PamResultCode::PAM_USER_UNKNOWN,
            Err(code) => return code,
        };
        let req = Request::ChangeCheck {
            user,
            credential: self.args.credential,
        };
        match self.transport.call(&req) {
            Ok(Response::Done { messages }) => {
                self.show(&messages);
                PamResultCode::PAM_SUCCESS
            }
            Ok(other) => self.unexpected(Op::ChangePrelim, &other),
            Err(e) => self.failure(Op::ChangePrelim, &e),
        }
    }

    fn change_update(&mut self) -> PamResultCode {
        let ctx = match self.context() {
            Ok(ctx) => ctx,
            Err(code) => return code,
        };
        // A password taken from the stack cannot be entered again.
        let attempts = if self.args.use_authtok {
            1
        } else {
            self.args.retry
        };
        // Asked again (PRELIM's answer is not kept between the two calls)
        // so that an unmanaged user is not asked for a current password.
        let check = Request::ChangeCheck {
            user: ctx.user.clone(),
            credential: self.args.credential,
        };
        let result = self.transport.call(&check);
        // After the daemon's answer: the prompts follow its choice of language.
        let texts = self.change_prompts();
        match result {
            Ok(Response::Done { .. }) => {}
            Err(ClientError::Refused(e)) if e.code == ErrorCode::UserUnknown => {
                return self.change_unmanaged(&texts, attempts);
            }
            Ok(other) => return self.unexpected(Op::ChangeUpdate, &other),
            Err(e) => return self.failure(Op::ChangeUpdate, &e),
        }
        let current = if self.current_needed(&ctx.user) {
            match self.current_password(&texts.current) {
                Ok(current) => Some(current),
                Err(code) => return code,
            }
        } else {
            self.log.debug(format_args!(
                "root changes the password of {}: current one not asked",
                ctx.user
            ));
            None
        };

        for _ in 0..attempts {
            let new = match self.new_password(&texts) {
                Ok(Some(new)) => new,
                Ok(None) => continue,
                Err(code) => return code,
            };
            let req = Request::ChangePassword {
                ctx: ctx.clone(),
                credential: self.args.credential,
                current: current.clone(),
                new: new.clone(),
            };
            match self.transport.call(&req) {
                Ok(Response::Done { messages }) => {
                    self.show(&messages);
                    // Later modules (e.g. one keeping another store in step)
                    // use it with use_authtok.
                    self.store_password(TokenItem::AuthTok, &new);
                    self.log
                        .debug(format_args!("password of {} changed", ctx.user));
                    return PamResultCode::PAM_SUCCESS;
                }
                Ok(other) => return self.unexpected(Op::ChangeUpdate, &other),
                Err(ClientError::Refused(e)) if e.code == ErrorCode::PolicyRejected => {
                    self.error(&e.message.text);
                }
                Err(e) => return self.failure(Op::ChangeUpdate, &e),
            }
        }
        PamResultCode::PAM_AUTHTOK_ERR
    }

    /// A user monban does not manage: the next module changes the password
    /// (pam-auth-update gives pam_unix `use_authtok`), so only the new one
    /// is asked and left in `PAM_AUTHTOK`; PAM_USER_UNKNOWN lets
    /// `[user_unknown=ignore]` move on to it.
    fn change_unmanaged(&mut self, texts: &ChangePrompts, attempts: u32) -> PamResultCode {
        // A confirmation password is no password of another module; and
        // with use_authtok an earlier module has asked already.
        if self.args.use_authtok || self.args.credential != CredentialKind::Login {
            return PamResultCode::PAM_USER_UNKNOWN;
        }
        for _ in 0..attempts {
            match self.new_password(texts) {
                Ok(Some(new)) => {
                    self.store_password(TokenItem::AuthTok, &new);
                    return PamResultCode::PAM_USER_UNKNOWN;
                }
                Ok(None) => continue,
                Err(code) => return code,
            }
        }
        PamResultCode::PAM_AUTHTOK_ERR
    }

    /// Root changing someone else's password outside an expired-password
    /// login is not asked the current one (like pam_unix).
    fn current_needed(&self, user: &str) -> bool {
        !(self.pam.caller_uid() == 0
            && user != "root"
            && self.flags & PAM_CHANGE_EXPIRED_AUTHTOK == 0)
    }

    fn current_password(&mut self, text: &str) -> Result<Secret, PamResultCode> {
        if self.args.use_first_pass || self.args.try_first_pass {
            if let Some(token) = self.pam.token(TokenItem::OldAuthTok) {
                return checked_len(token, PamResultCode::PAM_AUTH_ERR);
            }
            if self.args.use_first_pass {
                self.log.debug(format_args!(
                    "use_first_pass: no current password from an earlier module"
                ));
                return Err(PamResultCode::PAM_AUTHTOK_RECOVERY_ERR);
            }
        }
        let current = checked_len(self.pam.prompt(text, false)?, PamResultCode::PAM_AUTH_ERR)?;
        self.store_password(TokenItem::OldAuthTok, &current);
        Ok(current)
    }

    /// The new password, or None when this attempt failed and the person
    /// was told why (the entries differ, or it is too long).
    fn new_password(&mut self, texts: &ChangePrompts) -> Result<Option<Secret>, PamResultCode> {
        let new = if self.args.use_authtok {
            match self.pam.token(TokenItem::AuthTok) {
                Some(token) => token,
                None => {
                    self.log.debug(format_args!(
                        "use_authtok: no new password from an earlier module"
                    ));
                    return Err(PamResultCode::PAM_AUTHTOK_ERR);
                }
            }
        } else {
            self.pam.prompt(&texts.new, false)?
        };
        // The daemon would refuse the whole frame, without a word.
        if new.len() > MAX_SECRET_LEN {
            let text = self.own_text("pam-password-too-long");
            self.error(&text);
            return Ok(None);
        }
        if self.args.use_authtok {
            return Ok(Some(new));
        }
        let again = self.pam.prompt(&texts.retype, false)?;
        if new.ct_eq(&again) {
            Ok(Some(new))
        } else {
            let text = self.own_text("pam-passwords-differ");
            self.error(&text);
            Ok(None)
        }
    }

    fn change_prompts(&self) -> ChangePrompts {
        match self.args.credential {
            CredentialKind::Confirm => ChangePrompts {
                current: self.own_text("pam-prompt-current-confirm"),
                new: self.own_text("pam-prompt-new-confirm"),
                retype: self.own_text("pam-prompt-retype-confirm"),
            },
            // `Otp` never reaches here: args only accept login or confirm.
            CredentialKind::Login | CredentialKind::Otp => ChangePrompts {
                current: self.own_text("pam-prompt-current"),
                new: self.own_text("pam-prompt-new"),
                retype: self.own_text("pam-prompt-retype"),
            },
        }
    }
}

struct ChangePrompts {
    current: String,
    new: String,
    retype: String,
}
