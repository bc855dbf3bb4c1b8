//! libpam glue: the `PamHooks` entry points and a [`PamHandler`] backed by
//! the real `pam_handle_t`. The only module of the workspace's PAM side
//! with `unsafe`.
//!
//! pam-bindings runs every hook inside `catch_unwind`; nothing here panics
//! on purpose, and the crate root denies the usual ways to.

use std::ffi::{CStr, c_int, c_void};

use monban_proto::Secret;
use pam::constants::{
    PAM_ERROR_MSG, PAM_PROMPT_ECHO_OFF, PAM_PROMPT_ECHO_ON, PAM_TEXT_INFO, PamFlag,
    PamMessageStyle, PamResultCode,
};
use pam::conv::Conv;
use pam::items::{AuthTok, OldAuthTok, RHost, Service, Tty};
use pam::module::{PamHandle, PamHooks};
use pam::secret::SecretBytes;
use zeroize::Zeroizing;

use crate::args::ModuleArgs;
use crate::log::{LogSink, Syslog};
use crate::logic::{ContextItem, Hook, PamHandler, SocketTransport, TokenItem, Transport};

/// Item numbers from `<security/_pam_types.h>`.
const PAM_AUTHTOK: c_int = 6;
const PAM_OLDAUTHTOK: c_int = 7;

// pam-bindings can read the secret items but offers no way to set them.
#[link(name = "pam")]
unsafe extern "C" {
    fn pam_set_item(pamh: *mut PamHandle, item_type: c_int, item: *const c_void) -> c_int;
    // Declared `pam_handle_t *` in C but only read: a const pointer here.
    fn pam_getenv(pamh: *const PamHandle, name: *const std::ffi::c_char)
    -> *const std::ffi::c_char;
}

/// The type registered with `pam_hooks!`.
pub(crate) struct PamMonban;

impl PamHooks for PamMonban {
    fn sm_authenticate(pamh: &mut PamHandle, args: Vec<&CStr>, flags: PamFlag) -> PamResultCode {
        run(pamh, &args, flags, "auth", |h| h.authenticate())
    }

    fn acct_mgmt(pamh: &mut PamHandle, args: Vec<&CStr>, flags: PamFlag) -> PamResultCode {
        run(pamh, &args, flags, "account", |h| h.account())
    }

    fn sm_chauthtok(pamh: &mut PamHandle, args: Vec<&CStr>, flags: PamFlag) -> PamResultCode {
        run(pamh, &args, flags, "password", |h| h.chauthtok())
    }

    fn sm_open_session(pamh: &mut PamHandle, args: Vec<&CStr>, flags: PamFlag) -> PamResultCode {
        run(pamh, &args, flags, "session", |h| h.open_session())
    }

    fn sm_close_session(pamh: &mut PamHandle, args: Vec<&CStr>, flags: PamFlag) -> PamResultCode {
        run(pamh, &args, flags, "session", |h| h.close_session())
    }

    fn sm_setcred(pamh: &mut PamHandle, args: Vec<&CStr>, flags: PamFlag) -> PamResultCode {
        run(pamh, &args, flags, "auth", |h| h.setcred())
    }
}

type RealHook<'a> = Hook<'a, LibPam<'a>, SocketTransport, Syslog>;

/// Parses the arguments, builds the hook's collaborators for this one call
/// and runs it. Everything is dropped (and the socket closed) on return.
fn run(
    pamh: &mut PamHandle,
    args: &[&CStr],
    flags: PamFlag,
    hook_name: &'static str,
    body: impl FnOnce(&mut RealHook<'_>) -> PamResultCode,
) -> PamResultCode {
    let (args, problems) = ModuleArgs::parse(args.iter().map(|a| a.to_bytes()));
    let mut log = Syslog::new(args.debug, hook_name);
    for problem in &problems {
        log.warning(format_args!("{problem}; ignored"));
    }
    let mut pam = LibPam { handle: pamh };
    let mut hook = Hook {
        pam: &mut pam,
        transport: SocketTransport::new(&args),
        args: &args,
        flags,
        log: &mut log,
    };
    let hint = hook.lang_hint();
    hook.transport.set_lang_hint(hint);
    let code = body(&mut hook);
    log.debug(format_args!("returning {code:?}"));
    code
}

struct LibPam<'a> {
    handle: &'a mut PamHandle,
}

impl LibPam<'_> {
    fn converse(
        &self,
        style: PamMessageStyle,
        text: &str,
    ) -> Result<Option<SecretBytes>, PamResultCode> {
        match self.handle.get_item::<Conv>()? {
            Some(conv) => conv.send(style, text),
            None => Err(PamResultCode::PAM_CONV_ERR),
        }
    }
}

/// Copies PAM-owned secret bytes straight into a wiping [`Secret`].
fn secret_from(bytes: &[u8]) -> Option<Secret> {
    Secret::from_bytes(bytes.to_vec())
}

impl PamHandler for LibPam<'_> {
    fn prompt(&mut self, text: &str, echo: bool) -> Result<Secret, PamResultCode> {
        let style = if echo {
            PAM_PROMPT_ECHO_ON
        } else {
            PAM_PROMPT_ECHO_OFF
        };
        // `SecretBytes` wipes the conversation's copy when dropped here.
        let reply = self
            .converse(style, text)?
            .ok_or(PamResultCode::PAM_CONV_ERR)?;
        secret_from(reply.as_bytes()).ok_or(PamResultCode::PAM_CONV_ERR)
    }

    fn info(&mut self, text: &str) -> Result<(), PamResultCode> {
        self.converse(PAM_TEXT_INFO, text).map(drop)
    }

    fn error(&mut self, text: &str) -> Result<(), PamResultCode> {
        self.converse(PAM_ERROR_MSG, text).map(drop)
    }

    fn user(&mut self) -> Result<String, PamResultCode> {
        self.handle.get_user(None)
    }

    fn item(&self, item: ContextItem) -> Option<String> {
        let value: Option<&CStr> = match item {
            ContextItem::Service => self
                .handle
                .get_item::<Service>()
                .ok()
                .flatten()
                .map(|v| v.0),
            ContextItem::Tty => self.handle.get_item::<Tty>().ok().flatten().map(|v| v.0),
            ContextItem::RHost => self.handle.get_item::<RHost>().ok().flatten().map(|v| v.0),
        };
        value.map(|v| v.to_string_lossy().into_owned())
    }

    fn token(&self, item: TokenItem) -> Option<Secret> {
        match item {
            TokenItem::AuthTok => self
                .handle
                .get_item::<AuthTok>()
                .ok()
                .flatten()
                .and_then(|t| secret_from(t.as_bytes())),
            TokenItem::OldAuthTok => self
                .handle
                .get_item::<OldAuthTok>()
                .ok()
                .flatten()
                .and_then(|t| secret_from(t.as_bytes())),
        }
    }

    fn set_token(&mut self, item: TokenItem, value: &Secret) -> Result<(), PamResultCode> {
        let bytes = value.expose().as_bytes();
        if bytes.contains(&0) {
            return Err(PamResultCode::PAM_BUF_ERR);
        }
        let mut c_value = Zeroizing::new(Vec::with_capacity(bytes.len() + 1));
        c_value.extend_from_slice(bytes);
        c_value.push(0);
        let item_type = match item {
            TokenItem::AuthTok => PAM_AUTHTOK,
            TokenItem::OldAuthTok => PAM_OLDAUTHTOK,
        };
        // SAFETY: `handle` is the live handle libpam passed to this hook
        // (pam-bindings checked it is non-null); `c_value` is NUL-terminated
        // with no interior NUL and outlives the call; libpam copies the
        // string (and wipes the one it replaces), keeping no pointer to ours.
        let rc = unsafe { pam_set_item(&raw mut *self.handle, item_type, c_value.as_ptr().cast()) };
        match PamResultCode::try_from(rc) {
            Ok(PamResultCode::PAM_SUCCESS) => Ok(()),
            Ok(code) => Err(code),
            Err(_) => Err(PamResultCode::PAM_SYSTEM_ERR),
        }
    }

    fn caller_uid(&self) -> u32 {
        // SAFETY: getuid(2) takes no arguments, touches no memory of ours
        // and always succeeds.
        unsafe { libc::getuid() }
    }

    fn env(&self, name: &str) -> Option<String> {
        let name = std::ffi::CString::new(name).ok()?;
        let handle: *const PamHandle = &raw const *self.handle;
        // SAFETY: `handle` is the live handle of this hook; `name` is
        // NUL-terminated and outlives the call. libpam returns NULL or a
        // pointer into its own environment list, valid until the list
        // changes; it is copied at once, before anything else runs.
        let value = unsafe { pam_getenv(handle, name.as_ptr()) };
        if value.is_null() {
            return None;
        }
        // SAFETY: non-null, NUL-terminated (libpam stores C strings).
        let value = unsafe { CStr::from_ptr(value) };
        Some(value.to_string_lossy().into_owned())
    }
}
