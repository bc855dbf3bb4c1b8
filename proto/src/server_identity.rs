//! Who may answer at the socket path: root or the daemon's own user. A
//! client checks the listener's kernel-reported uid before it sends a byte,
//! so a program squatting on the path (or a genuine monban-authd started by
//! an ordinary user) never receives a password.

use nix::unistd::User;

/// The daemon's system user when nothing else is configured.
pub const DEFAULT_SERVER_USER: &str = "monban";

/// The uids a client accepts at the other end of the socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedServer {
    /// The configured daemon user, for messages.
    pub user: String,
    /// Its uid; None when the name has no passwd entry (then only root).
    pub uid: Option<u32>,
}

impl TrustedServer {
    /// Resolves `user` through NSS; an unknown name trusts root only.
    pub fn named(user: &str) -> Self {
        let uid = match User::from_name(user) {
            Ok(Some(u)) => Some(u.uid.as_raw()),
            _ => None,
        };
        Self {
            user: user.to_string(),
            uid,
        }
    }

    /// Whether a listener running as `found` may be spoken to.
    pub fn accepts(&self, found: u32) -> bool {
        found == 0 || self.uid == Some(found)
    }

    /// The sentence for the log when `found` is refused.
    pub fn refusal(&self, found: u32) -> String {
        match self.uid {
            Some(uid) => format!(
                "its listener runs as uid {found}, neither root nor {} (uid {uid})",
                self.user
            ),
            None => format!(
                "its listener runs as uid {found}, not root, and the daemon user {} does not exist (only root is trusted)",
                self.user
            ),
        }
    }
}

impl Default for TrustedServer {
    fn default() -> Self {
        Self::named(DEFAULT_SERVER_USER)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_is_always_trusted_and_the_named_user_too() {
        let t = TrustedServer {
            user: "monban".into(),
            uid: Some(998),
        };
        assert!(t.accepts(0));
        assert!(t.accepts(998));
        assert!(!t.accepts(1000));
        assert!(!t.accepts(65534));
        assert!(t.refusal(1000).contains("uid 1000"));
    }

    #[test]
    fn an_unknown_daemon_user_trusts_root_only() {
        let t = TrustedServer::named("no-such-user-for-monban-tests");
        assert_eq!(t.uid, None);
        assert!(t.accepts(0));
        assert!(!t.accepts(65534));
        assert!(t.refusal(65534).contains("only root"));
    }

    #[test]
    fn a_known_user_resolves() {
        let t = TrustedServer::named("nobody");
        assert_eq!(t.uid, Some(65534));
        assert!(t.accepts(65534));
    }
}
