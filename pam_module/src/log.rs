//! Syslog (facility authpriv) for debug lines and configuration warnings.
//!
//! One writer per hook call, opened on the first line written and dropped
//! with the call: nothing outlives it. Without a syslog socket it stays
//! silent. Callers never pass a secret.
#![forbid(unsafe_code)]

use std::fmt;

use syslog::{Facility, Formatter3164, Logger, LoggerBackend};

/// Where the hook logic writes. Tests capture the lines.
pub(crate) trait LogSink {
    /// Written only when the module has the `debug` argument.
    fn debug(&mut self, msg: fmt::Arguments<'_>);
    fn warning(&mut self, msg: fmt::Arguments<'_>);
}

enum State {
    NotOpened,
    Open(Logger<LoggerBackend, Formatter3164>),
    /// No syslog socket (or it refused us): drop every line.
    Unavailable,
}

pub(crate) struct Syslog {
    debug: bool,
    /// The hook, e.g. `auth`: lines read `pam_monban(auth): ...`.
    hook: &'static str,
    state: State,
}

impl Syslog {
    pub(crate) fn new(debug: bool, hook: &'static str) -> Self {
        Self {
            debug,
            hook,
            state: State::NotOpened,
        }
    }

    fn write(&mut self, warning: bool, msg: fmt::Arguments<'_>) {
        if matches!(self.state, State::NotOpened) {
            let formatter = Formatter3164 {
                facility: Facility::LOG_AUTHPRIV,
                ..Formatter3164::default()
            };
            // Tries /dev/log and the BSD paths; a missing socket is an error
            // we deliberately swallow.
            self.state = match syslog::unix(formatter) {
                Ok(logger) => State::Open(logger),
                Err(_) => State::Unavailable,
            };
        }
        if let State::Open(logger) = &mut self.state {
            let line = format!("pam_monban({}): {msg}", self.hook);
            let sent = if warning {
                logger.warning(line)
            } else {
                logger.debug(line)
            };
            if sent.is_err() {
                self.state = State::Unavailable;
            }
        }
    }
}

impl LogSink for Syslog {
    fn debug(&mut self, msg: fmt::Arguments<'_>) {
        if self.debug {
            self.write(false, msg);
        }
    }

    fn warning(&mut self, msg: fmt::Arguments<'_>) {
        self.write(true, msg);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_syslog_socket_nothing_happens() {
        // Either the socket is there and the line goes out, or it is not and
        // the writer gives up quietly; neither panics or blocks.
        let mut log = Syslog::new(true, "test");
        log.debug(format_args!("debug line"));
        log.warning(format_args!("warning line"));
        if !std::path::Path::new("/dev/log").exists() {
            assert!(matches!(log.state, State::Unavailable));
        }
    }

    #[test]
    fn debug_lines_need_the_debug_argument() {
        let mut log = Syslog::new(false, "test");
        log.debug(format_args!("debug line"));
        assert!(matches!(log.state, State::NotOpened));
    }
}
