//! `pam_sm_open_session`, `pam_sm_close_session` and `pam_sm_setcred`:
//! recording a login never stops it.

use monban_proto::{ClientError, ErrorCode, Request, Response};
use pam::constants::PamResultCode;

use super::{Hook, Op, PamHandler, Transport};
use crate::log::LogSink;

impl<H: PamHandler, T: Transport, L: LogSink> Hook<'_, H, T, L> {
    pub(crate) fn open_session(&mut self) -> PamResultCode {
        let Ok(ctx) = self.context() else {
            return PamResultCode::PAM_IGNORE;
        };
        match self.transport.call(&Request::OpenSession { ctx }) {
            Ok(Response::Done { messages }) => {
                for m in &messages {
                    self.info(m.text());
                }
                PamResultCode::PAM_SUCCESS
            }
            Err(ClientError::Refused(e)) if e.code == ErrorCode::UserUnknown => {
                PamResultCode::PAM_IGNORE
            }
            // Recording the login must never stop it.
            Ok(other) => {
                self.unexpected(Op::Session, &other);
                PamResultCode::PAM_SUCCESS
            }
            Err(e) => {
                self.failure(Op::Session, &e);
                PamResultCode::PAM_SUCCESS
            }
        }
    }

    pub(crate) fn close_session(&mut self) -> PamResultCode {
        if let Ok(ctx) = self.context() {
            match self.transport.call(&Request::CloseSession { ctx }) {
                Ok(Response::Done { .. }) => {}
                Ok(other) => {
                    self.unexpected(Op::Session, &other);
                }
                Err(e) => {
                    self.failure(Op::Session, &e);
                }
            }
        }
        PamResultCode::PAM_SUCCESS
    }

    pub(crate) fn setcred(&mut self) -> PamResultCode {
        PamResultCode::PAM_SUCCESS
    }
}
