//! `pam_sm_authenticate`: the daemon drives the conversation; the module
//! relays each prompt and returns the verdict.

use monban_proto::{AuthNext, AuthOutcome, Prompt, PromptKind, Request, Response, Secret};
use pam::constants::PamResultCode;

use super::{Hook, Op, PamHandler, TokenItem, Transport, checked_len};
use crate::log::LogSink;

/// A daemon that keeps prompting is broken; stop it well before a person
/// would notice.
pub(super) const MAX_AUTH_STEPS: usize = 8;

impl<H: PamHandler, T: Transport, L: LogSink> Hook<'_, H, T, L> {
    pub(crate) fn authenticate(&mut self) -> PamResultCode {
        let ctx = match self.context() {
            Ok(ctx) => ctx,
            Err(code) => return code,
        };
        self.log.debug(format_args!(
            "authenticating {} for {} ({} password)",
            ctx.user,
            ctx.service,
            self.args.credential.as_str()
        ));
        // Only the first password prompt may be answered from the stack.
        let mut stacked = if self.args.use_first_pass || self.args.try_first_pass {
            self.pam.token(TokenItem::AuthTok)
        } else {
            None
        };
        if self.args.use_first_pass && stacked.is_none() {
            self.log.debug(format_args!(
                "use_first_pass: no password from an earlier module"
            ));
            return PamResultCode::PAM_AUTH_ERR;
        }

        let mut req = Request::AuthStart {
            ctx,
            credential: self.args.credential,
        };
        for _ in 0..MAX_AUTH_STEPS {
            let step = match self.transport.call(&req) {
                Ok(Response::Auth(step)) => step,
                Ok(other) => return self.unexpected(Op::Auth, &other),
                Err(e) => return self.failure(Op::Auth, &e),
            };
            self.show(&step.messages);
            match step.next {
                AuthNext::Finished(outcome) => {
                    self.log.debug(format_args!("daemon says {outcome:?}"));
                    return match outcome {
                        AuthOutcome::Success => PamResultCode::PAM_SUCCESS,
                        AuthOutcome::Denied | AuthOutcome::Locked => PamResultCode::PAM_AUTH_ERR,
                        AuthOutcome::UserUnknown => PamResultCode::PAM_USER_UNKNOWN,
                        AuthOutcome::Unavailable => PamResultCode::PAM_AUTHINFO_UNAVAIL,
                    };
                }
                AuthNext::Prompt(prompt) => {
                    let answer = match self.answer(&prompt, &mut stacked) {
                        Ok(answer) => answer,
                        Err(code) => return code,
                    };
                    req = Request::AuthAnswer { answer };
                }
            }
        }
        self.log.warning(format_args!(
            "monban-authd asked more than {MAX_AUTH_STEPS} questions; giving up"
        ));
        PamResultCode::PAM_AUTHINFO_UNAVAIL
    }

    fn answer(
        &mut self,
        prompt: &Prompt,
        stacked: &mut Option<Secret>,
    ) -> Result<Secret, PamResultCode> {
        let is_password = prompt.kind == PromptKind::Password;
        let from_stack = if is_password { stacked.take() } else { None };
        if let Some(token) = from_stack {
            self.log.debug(format_args!(
                "answering with the password of an earlier module"
            ));
            return checked_len(token, PamResultCode::PAM_AUTH_ERR);
        }
        let answer = checked_len(
            self.pam.prompt(&prompt.message.text, prompt.echo)?,
            PamResultCode::PAM_AUTH_ERR,
        )?;
        if is_password {
            // Later modules in the stack may reuse it (use_first_pass).
            self.store_password(TokenItem::AuthTok, &answer);
        }
        Ok(answer)
    }
}
