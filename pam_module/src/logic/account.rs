//! `pam_sm_acct_mgmt`: the daemon's account verdict as a PAM code, and a
//! closed door for everyone but root while there is no verdict.

use monban_proto::{AccountVerdict, Request, Response};
use pam::constants::PamResultCode;

use super::{Hook, Op, PamHandler, Transport};
use crate::log::LogSink;

impl<H: PamHandler, T: Transport, L: LogSink> Hook<'_, H, T, L> {
    pub(crate) fn account(&mut self) -> PamResultCode {
        let ctx = match self.context() {
            Ok(ctx) => ctx,
            Err(code) => return code,
        };
        let user = ctx.user.clone();
        let reply = match self.transport.call(&Request::Account { ctx }) {
            Ok(Response::Account(reply)) => reply,
            Ok(other) => {
                let code = self.unexpected(Op::Account, &other);
                return self.without_verdict(&user, code);
            }
            Err(e) => {
                let code = self.failure(Op::Account, &e);
                return self.without_verdict(&user, code);
            }
        };
        self.show(&reply.messages);
        self.log
            .debug(format_args!("account verdict {:?}", reply.verdict));
        match reply.verdict {
            AccountVerdict::Ok => PamResultCode::PAM_SUCCESS,
            AccountVerdict::MustChange => PamResultCode::PAM_NEW_AUTHTOK_REQD,
            AccountVerdict::Disabled => PamResultCode::PAM_ACCT_EXPIRED,
            AccountVerdict::Locked => PamResultCode::PAM_PERM_DENIED,
            AccountVerdict::UserUnknown => PamResultCode::PAM_USER_UNKNOWN,
        }
    }

    /// No verdict (`code` is `PAM_AUTHINFO_UNAVAIL`): root is left to the
    /// rest of the stack, everyone else is refused and told why.
    fn without_verdict(&mut self, user: &str, code: PamResultCode) -> PamResultCode {
        if code != PamResultCode::PAM_AUTHINFO_UNAVAIL {
            return code;
        }
        let code = unreachable_verdict(user);
        if code == PamResultCode::PAM_IGNORE {
            self.log.warning(format_args!(
                "account: monban-authd unavailable; root left to the rest of the stack"
            ));
        } else {
            let text = self.own_text("pam-no-verdict");
            self.error(&text);
        }
        code
    }
}

/// The account phase with the daemon unreachable. Offline the module cannot
/// tell whether a user is managed, so every name but `root` is refused
/// (`PAM_AUTHINFO_UNAVAIL`, mapped to `bad` in the shipped stacks); root
/// gets `PAM_IGNORE` so it can still log in (pam_unix, an ssh key) to
/// repair the daemon. Only the name counts: a uid-0 alias is refused too,
/// which fails closed.
pub(crate) fn unreachable_verdict(user: &str) -> PamResultCode {
    if user == "root" {
        PamResultCode::PAM_IGNORE
    } else {
        PamResultCode::PAM_AUTHINFO_UNAVAIL
    }
}
