//! Security events: stored in the audit table by the handler's own
//! transaction, then sent to syslog (authpriv). Without a syslog socket
//! (containers, CI) the syslog half is skipped quietly.

use std::sync::Mutex;

use syslog::{Facility, Formatter3164, Logger, LoggerBackend};

use crate::store::NewAuditEntry;

pub struct Syslog {
    logger: Mutex<Option<Logger<LoggerBackend, Formatter3164>>>,
}

impl Syslog {
    pub fn connect() -> Self {
        let formatter = Formatter3164 {
            facility: Facility::LOG_AUTHPRIV,
            hostname: None,
            process: "monban-authd".into(),
            pid: std::process::id(),
        };
        Self {
            logger: Mutex::new(syslog::unix(formatter).ok()),
        }
    }

    /// Sends one event; a send failure drops the connection for good rather
    /// than slowing every later event down.
    pub fn send(&self, e: &NewAuditEntry) {
        let line = describe(e);
        tracing::info!(target: "audit", "{line}");
        let mut guard = self
            .logger
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(logger) = guard.as_mut() {
            let sent = if is_warning(e.event) {
                logger.warning(line)
            } else {
                logger.info(line)
            };
            if sent.is_err() {
                *guard = None;
            }
        }
    }
}

fn is_warning(event: &str) -> bool {
    matches!(
        event,
        "auth_failure" | "locked" | "auth_refused_locked" | "step_up_failure"
    )
}

/// One line, `key=value` pairs, no secrets (entries never hold any).
pub fn describe(e: &NewAuditEntry) -> String {
    let mut line = format!("event={}", e.event);
    let fields = [
        ("user", e.user.as_deref()),
        ("actor", e.actor.as_deref()),
        ("credential", e.credential.map(|c| c.as_str())),
        ("service", e.service.as_deref()),
        ("rhost", e.rhost.as_deref()),
        ("tty", e.tty.as_deref()),
        ("detail", e.detail.as_deref()),
    ];
    for (key, value) in fields {
        if let Some(v) = value {
            line.push_str(&format!(" {key}={v:?}"));
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describe_quotes_values_and_skips_missing_ones() {
        let e = NewAuditEntry {
            at: 1,
            event: "auth_failure",
            user: Some("alice".into()),
            rhost: Some("198.51.100.7".into()),
            ..Default::default()
        };
        assert_eq!(
            describe(&e),
            "event=auth_failure user=\"alice\" rhost=\"198.51.100.7\""
        );
    }

    #[test]
    fn sending_without_a_syslog_socket_is_quiet() {
        Syslog::connect().send(&NewAuditEntry {
            event: "auth_success",
            ..Default::default()
        });
    }
}
