//! `pam_sm_acct_mgmt`: the daemon's account verdict as a PAM code.

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
        let reply = match self.transport.call(&Request::Account { ctx }) {
            Ok(Response::Account(reply)) => reply,
            Ok(other) => return self.unexpected(Op::Account, &other),
            Err(e) => return self.failure(Op::Account, &e),
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
}
