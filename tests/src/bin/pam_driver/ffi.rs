//! Everything that touches libpam: its declarations, the conversation and
//! fail-delay callbacks, and [`Session`], the safe handle `main` drives.
//! Every `unsafe` block of the driver is in this module.

use std::ffi::{CStr, CString, c_char, c_int, c_uint, c_void};
use std::io::BufRead;
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::{Op, emit};

pub const PAM_SUCCESS: c_int = 0;
const PAM_BUF_ERR: c_int = 5;
pub const PAM_NEW_AUTHTOK_REQD: c_int = 12;
const PAM_CONV_ERR: c_int = 19;

pub const PAM_SILENT: c_int = 0x8000;
pub const PAM_ESTABLISH_CRED: c_int = 0x0002;
pub const PAM_CHANGE_EXPIRED_AUTHTOK: c_int = 0x0020;

const PAM_TTY: c_int = 3;
const PAM_RHOST: c_int = 4;
const PAM_FAIL_DELAY: c_int = 10;

const PAM_PROMPT_ECHO_OFF: c_int = 1;
const PAM_PROMPT_ECHO_ON: c_int = 2;
const PAM_ERROR_MSG: c_int = 3;
const PAM_TEXT_INFO: c_int = 4;

/// Names of the Linux-PAM return codes (`_pam_types.h`), indexed by value.
const CODE_NAMES: [&str; 32] = [
    "PAM_SUCCESS",
    "PAM_OPEN_ERR",
    "PAM_SYMBOL_ERR",
    "PAM_SERVICE_ERR",
    "PAM_SYSTEM_ERR",
    "PAM_BUF_ERR",
    "PAM_PERM_DENIED",
    "PAM_AUTH_ERR",
    "PAM_CRED_INSUFFICIENT",
    "PAM_AUTHINFO_UNAVAIL",
    "PAM_USER_UNKNOWN",
    "PAM_MAXTRIES",
    "PAM_NEW_AUTHTOK_REQD",
    "PAM_ACCT_EXPIRED",
    "PAM_SESSION_ERR",
    "PAM_CRED_UNAVAIL",
    "PAM_CRED_EXPIRED",
    "PAM_CRED_ERR",
    "PAM_NO_MODULE_DATA",
    "PAM_CONV_ERR",
    "PAM_AUTHTOK_ERR",
    "PAM_AUTHTOK_RECOVERY_ERR",
    "PAM_AUTHTOK_LOCK_BUSY",
    "PAM_AUTHTOK_DISABLE_AGING",
    "PAM_TRY_AGAIN",
    "PAM_IGNORE",
    "PAM_ABORT",
    "PAM_AUTHTOK_EXPIRED",
    "PAM_MODULE_UNKNOWN",
    "PAM_BAD_ITEM",
    "PAM_CONV_AGAIN",
    "PAM_INCOMPLETE",
];

pub fn code_name(code: c_int) -> String {
    usize::try_from(code)
        .ok()
        .and_then(|i| CODE_NAMES.get(i))
        .map_or_else(|| format!("PAM_UNKNOWN_{code}"), |s| (*s).to_string())
}

#[repr(C)]
struct PamHandle {
    _opaque: [u8; 0],
}

#[repr(C)]
struct PamMessage {
    msg_style: c_int,
    msg: *const c_char,
}

#[repr(C)]
struct PamResponse {
    resp: *mut c_char,
    resp_retcode: c_int,
}

type ConvFn = unsafe extern "C" fn(
    num_msg: c_int,
    msg: *mut *const PamMessage,
    resp: *mut *mut PamResponse,
    appdata: *mut c_void,
) -> c_int;

#[repr(C)]
struct PamConv {
    conv: Option<ConvFn>,
    appdata_ptr: *mut c_void,
}

type DelayFn = unsafe extern "C" fn(retval: c_int, usec_delay: c_uint, appdata: *mut c_void);

#[link(name = "pam")]
unsafe extern "C" {
    fn pam_start_confdir(
        service_name: *const c_char,
        user: *const c_char,
        pam_conversation: *const PamConv,
        confdir: *const c_char,
        pamh: *mut *mut PamHandle,
    ) -> c_int;
    fn pam_end(pamh: *mut PamHandle, pam_status: c_int) -> c_int;
    fn pam_set_item(pamh: *mut PamHandle, item_type: c_int, item: *const c_void) -> c_int;
    fn pam_authenticate(pamh: *mut PamHandle, flags: c_int) -> c_int;
    fn pam_acct_mgmt(pamh: *mut PamHandle, flags: c_int) -> c_int;
    fn pam_chauthtok(pamh: *mut PamHandle, flags: c_int) -> c_int;
    fn pam_open_session(pamh: *mut PamHandle, flags: c_int) -> c_int;
    fn pam_close_session(pamh: *mut PamHandle, flags: c_int) -> c_int;
    fn pam_setcred(pamh: *mut PamHandle, flags: c_int) -> c_int;
    fn pam_strerror(pamh: *mut PamHandle, errnum: c_int) -> *const c_char;
    fn pam_putenv(pamh: *mut PamHandle, name_value: *const c_char) -> c_int;
}

/// State the conversation function reaches through `appdata_ptr`.
/// Where prompts are answered from.
enum Answers {
    /// The next line of stdin, the transcript printed.
    Stdin(std::io::StdinLock<'static>),
    /// A script replayed from its first line, nothing printed (`--repeat`).
    Script { lines: Vec<String>, next: usize },
}

struct ConvState {
    json: bool,
    answers: Answers,
}

impl ConvState {
    fn quiet(&self) -> bool {
        matches!(self.answers, Answers::Script { .. })
    }

    fn emit(&self, value: serde_json::Value, human: String) {
        if !self.quiet() {
            emit(self.json, value, human);
        }
    }

    fn next_answer(&mut self) -> Option<CString> {
        let line = match &mut self.answers {
            Answers::Stdin(stdin) => {
                let mut line = String::new();
                match stdin.read_line(&mut line) {
                    Ok(0) | Err(_) => return None,
                    Ok(_) => line,
                }
            }
            Answers::Script { lines, next } => {
                let line = lines.get(*next)?.clone();
                *next += 1;
                line
            }
        };
        CString::new(line.strip_suffix('\n').unwrap_or(&line)).ok()
    }
}

/// One libpam transaction, from `pam_start_confdir` to `pam_end` (on drop,
/// with the status of the last call).
pub struct Session {
    pamh: *mut PamHandle,
    /// What `pam_end` is told: the result of the last call made.
    last: c_int,
    // Boxed so their addresses, which libpam holds, survive moves of the
    // Session; dropped only after pam_end (in `Drop::drop`).
    _conv: Box<PamConv>,
    _state: Box<ConvState>,
}

impl Session {
    /// `pam_start_confdir`; prompts are answered from stdin and the
    /// transcript goes to stdout (`json` or human). Err: libpam's code.
    pub fn start(service: &CStr, user: &CStr, confdir: &CStr, json: bool) -> Result<Self, c_int> {
        let answers = Answers::Stdin(std::io::stdin().lock());
        Self::start_with(service, user, confdir, ConvState { json, answers })
    }

    /// Like `start`, prompts answered from `lines` in order, nothing
    /// printed: one of the transactions `--repeat` times.
    pub fn start_scripted(
        service: &CStr,
        user: &CStr,
        confdir: &CStr,
        lines: Vec<String>,
    ) -> Result<Self, c_int> {
        let answers = Answers::Script { lines, next: 0 };
        Self::start_with(
            service,
            user,
            confdir,
            ConvState {
                json: true,
                answers,
            },
        )
    }

    fn start_with(
        service: &CStr,
        user: &CStr,
        confdir: &CStr,
        state: ConvState,
    ) -> Result<Self, c_int> {
        let mut state = Box::new(state);
        let conv = Box::new(PamConv {
            conv: Some(conversation),
            appdata_ptr: std::ptr::from_mut::<ConvState>(&mut *state).cast(),
        });
        let mut pamh: *mut PamHandle = std::ptr::null_mut();
        // SAFETY: all pointers are valid NUL-terminated strings or live structs
        // that outlive the handle (pam_end is called before they drop).
        let rc = unsafe {
            pam_start_confdir(
                service.as_ptr(),
                user.as_ptr(),
                &*conv,
                confdir.as_ptr(),
                &mut pamh,
            )
        };
        if rc != PAM_SUCCESS || pamh.is_null() {
            return Err(rc);
        }
        Ok(Self {
            pamh,
            last: PAM_SUCCESS,
            _conv: conv,
            _state: state,
        })
    }

    /// Installs [`fail_delay`], then PAM_TTY and PAM_RHOST when given.
    /// Err: the code of the first `pam_set_item` that failed.
    pub fn set_items(&mut self, tty: Option<&CStr>, rhost: Option<&CStr>) -> Result<(), c_int> {
        let pamh = self.pamh;
        let delay: DelayFn = fail_delay;
        // SAFETY: pamh is a live handle; PAM_FAIL_DELAY takes a function pointer
        // passed as the item itself, the other items are C strings libpam copies.
        let item_rc = unsafe {
            let mut rc = pam_set_item(pamh, PAM_FAIL_DELAY, delay as *const c_void);
            if rc == PAM_SUCCESS
                && let Some(t) = tty
            {
                rc = pam_set_item(pamh, PAM_TTY, t.as_ptr().cast());
            }
            if rc == PAM_SUCCESS
                && let Some(h) = rhost
            {
                rc = pam_set_item(pamh, PAM_RHOST, h.as_ptr().cast());
            }
            rc
        };
        if item_rc != PAM_SUCCESS {
            self.last = item_rc;
            return Err(item_rc);
        }
        Ok(())
    }

    /// `pam_putenv("NAME=value")`: the PAM environment modules read.
    pub fn putenv(&mut self, name_value: &CStr) -> Result<(), c_int> {
        // SAFETY: pamh is a live handle; libpam copies the string.
        let rc = unsafe { pam_putenv(self.pamh, name_value.as_ptr()) };
        if rc == PAM_SUCCESS {
            Ok(())
        } else {
            self.last = rc;
            Err(rc)
        }
    }

    /// Runs `op` with `flags`: its return code and `pam_strerror`'s text.
    pub fn call(&mut self, op: Op, flags: c_int) -> (c_int, String) {
        let pamh = self.pamh;
        // SAFETY: pamh is a live handle from pam_start_confdir.
        let rc = unsafe {
            match op {
                Op::Auth => pam_authenticate(pamh, flags),
                Op::Acct => pam_acct_mgmt(pamh, flags),
                Op::Chauthtok => pam_chauthtok(pamh, flags),
                Op::Open => pam_open_session(pamh, flags),
                Op::Close => pam_close_session(pamh, flags),
                Op::Setcred => pam_setcred(pamh, flags),
            }
        };
        // SAFETY: pamh is live; pam_strerror returns a static string or null.
        let message = unsafe {
            let p = pam_strerror(pamh, rc);
            if p.is_null() {
                String::new()
            } else {
                CStr::from_ptr(p).to_string_lossy().into_owned()
            }
        };
        self.last = rc;
        (rc, message)
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // SAFETY: pamh is live and not used afterwards; conv and state (fields
        // of self) are dropped only after this returns.
        unsafe { pam_end(self.pamh, self.last) };
    }
}

/// Frees the first `n` response strings and the array itself.
///
/// # Safety
/// `replies` must come from `calloc` with room for at least `n` entries,
/// each `resp` null or from `strdup`.
unsafe fn free_replies(replies: *mut PamResponse, n: usize) {
    for i in 0..n {
        // SAFETY: i < n ≤ the calloc'd length; the caller vouches for the contents.
        let r = unsafe { &mut *replies.add(i) };
        if !r.resp.is_null() {
            // SAFETY: every non-null resp was produced by strdup.
            unsafe { libc::free(r.resp.cast()) };
            r.resp = std::ptr::null_mut();
        }
    }
    // SAFETY: the array came from calloc.
    unsafe { libc::free(replies.cast()) };
}

/// The body of the conversation; errors become PAM codes.
///
/// # Safety
/// Arguments as libpam passes them to a conversation function, with
/// `appdata` pointing at a live `ConvState`.
unsafe fn converse(
    num_msg: c_int,
    msg: *mut *const PamMessage,
    resp: *mut *mut PamResponse,
    appdata: *mut c_void,
) -> c_int {
    let Ok(n) = usize::try_from(num_msg) else {
        return PAM_CONV_ERR;
    };
    if n == 0 || msg.is_null() || resp.is_null() || appdata.is_null() {
        return PAM_CONV_ERR;
    }
    // SAFETY: appdata is the boxed ConvState Session::start put in the
    // pam_conv; it outlives the PAM handle and libpam calls us on the main
    // thread only.
    let state = unsafe { &mut *appdata.cast::<ConvState>() };
    // SAFETY: calloc with a non-zero count; checked for null below.
    let replies =
        unsafe { libc::calloc(n, std::mem::size_of::<PamResponse>()) }.cast::<PamResponse>();
    if replies.is_null() {
        return PAM_BUF_ERR;
    }
    for i in 0..n {
        // SAFETY: Linux-PAM passes an array of `num_msg` message pointers.
        let m = unsafe { *msg.add(i) };
        if m.is_null() {
            // SAFETY: replies holds n entries, all null or strdup'd so far.
            unsafe { free_replies(replies, n) };
            return PAM_CONV_ERR;
        }
        // SAFETY: m points at a valid pam_message for the duration of the call.
        let (style, text_ptr) = unsafe { ((*m).msg_style, (*m).msg) };
        let text = if text_ptr.is_null() {
            String::new()
        } else {
            // SAFETY: libpam hands NUL-terminated message texts.
            unsafe { CStr::from_ptr(text_ptr) }
                .to_string_lossy()
                .into_owned()
        };
        match style {
            PAM_PROMPT_ECHO_OFF | PAM_PROMPT_ECHO_ON => {
                let echo = style == PAM_PROMPT_ECHO_ON;
                state.emit(
                    serde_json::json!({"event": "prompt", "echo": echo, "text": text}),
                    format!(
                        "[prompt{}] {}",
                        if echo { " echo" } else { "" },
                        text.trim_end()
                    ),
                );
                let Some(answer) = state.next_answer() else {
                    state.emit(
                        serde_json::json!({"event": "conv_error", "text": "no answer left on stdin"}),
                        "[conv_error] no answer left on stdin".into(),
                    );
                    // SAFETY: as above.
                    unsafe { free_replies(replies, n) };
                    return PAM_CONV_ERR;
                };
                // SAFETY: answer is a valid C string; libpam frees the copy with free().
                let dup = unsafe { libc::strdup(answer.as_ptr()) };
                if dup.is_null() {
                    // SAFETY: as above.
                    unsafe { free_replies(replies, n) };
                    return PAM_BUF_ERR;
                }
                // SAFETY: i < n, within the calloc'd array.
                unsafe { (*replies.add(i)).resp = dup };
            }
            PAM_ERROR_MSG => state.emit(
                serde_json::json!({"event": "error", "text": text}),
                format!("[error] {text}"),
            ),
            PAM_TEXT_INFO => state.emit(
                serde_json::json!({"event": "info", "text": text}),
                format!("[info] {text}"),
            ),
            other => {
                state.emit(
                    serde_json::json!({"event": "conv_error", "text": format!("unsupported message style {other}")}),
                    format!("[conv_error] unsupported message style {other}"),
                );
                // SAFETY: as above.
                unsafe { free_replies(replies, n) };
                return PAM_CONV_ERR;
            }
        }
    }
    // SAFETY: resp is the out-pointer libpam gave us; it takes ownership.
    unsafe { *resp = replies };
    PAM_SUCCESS
}

/// # Safety
/// Called by libpam only, with the arguments of a pam_conv function.
unsafe extern "C" fn conversation(
    num_msg: c_int,
    msg: *mut *const PamMessage,
    resp: *mut *mut PamResponse,
    appdata: *mut c_void,
) -> c_int {
    // SAFETY: the arguments are forwarded unchanged from libpam.
    catch_unwind(AssertUnwindSafe(|| unsafe {
        converse(num_msg, msg, resp, appdata)
    }))
    .unwrap_or(PAM_CONV_ERR)
}

/// Replaces libpam's failure delay: reports what a module asked for and
/// does not sleep, so failing tests stay fast.
///
/// # Safety
/// Called by libpam only; `appdata` points at a live `ConvState`.
unsafe extern "C" fn fail_delay(retval: c_int, usec: c_uint, appdata: *mut c_void) {
    let _ = catch_unwind(AssertUnwindSafe(|| {
        // libpam calls this after every operation, mostly with no delay.
        if appdata.is_null() || usec == 0 {
            return;
        }
        // SAFETY: appdata is the ConvState Session::start registered; read-only use.
        let state = unsafe { &*appdata.cast::<ConvState>() };
        state.emit(
            serde_json::json!({"event": "fail_delay", "usec": usec, "retval": retval}),
            format!("[fail_delay] {usec} us"),
        );
    }));
}
