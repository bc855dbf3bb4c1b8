//! SPEC §3 "Who may ask what", in one place.

use monban_proto::{ErrorCode, Request, Text, WireError};

use crate::peer::Peer;

/// What a request needs before a handler may act on it.
#[derive(Debug, PartialEq, Eq)]
pub enum Access {
    /// Allowed as it stands.
    Granted,
    /// Allowed for root; a non-root administrator must prove their
    /// confirmation password first.
    Administrator,
}

/// "permission denied: <why>", `why` being a message of its own.
pub(crate) fn denied(why: Text) -> WireError {
    WireError::new(
        ErrorCode::PermissionDenied,
        Text::new("authz-denied").arg("why", vec![why]),
    )
}

/// Root may ask anything; everyone else may act only on themselves, and
/// administrators may manage others after step-up.
pub fn authorize(peer: &Peer, req: &Request) -> Result<Access, WireError> {
    let about_self = |user: &str| peer.is_root() || peer.is(user);
    match req {
        // Anyone, also someone who cannot log in: the answer is the same
        // for every name (SPEC §8).
        Request::Ping | Request::AuthAnswer { .. } | Request::ResetRequest { .. } => {
            Ok(Access::Granted)
        }
        // What /etc/passwd tells everyone (SPEC §11).
        Request::Lookup(_) => Ok(Access::Granted),
        Request::AuthStart { ctx, .. }
        | Request::Account { ctx }
        | Request::ChangePassword { ctx, .. }
        | Request::OpenSession { ctx }
        | Request::CloseSession { ctx } => {
            if about_self(&ctx.user) {
                Ok(Access::Granted)
            } else {
                Err(denied(Text::new("authz-only-yourself")))
            }
        }
        Request::ChangeCheck { user, .. } => {
            if about_self(user) {
                Ok(Access::Granted)
            } else {
                Err(denied(Text::new("authz-own-password-only")))
            }
        }
        Request::Status {
            user: Some(user), ..
        } if !about_self(user) => admin(peer),
        Request::Status { .. }
        | Request::PolicyCheck { .. }
        | Request::OtpEnrollBegin { .. }
        | Request::OtpEnrollFinish { .. }
        | Request::OtpDisable { .. }
        | Request::OtpRecoveryRegenerate { .. }
        | Request::OtpStatus
        | Request::SetLanguage { .. }
        | Request::EmailSet { .. }
        | Request::EmailVerify { .. }
        | Request::EmailRemove => {
            if peer.name.is_some() {
                Ok(Access::Granted)
            } else {
                Err(denied(Text::new("authz-no-account-name")))
            }
        }
        Request::Admin { op, .. } => {
            if matches!(op, monban_proto::AdminOp::ImportShadow { .. }) && !peer.is_root() {
                return Err(denied(Text::new("authz-import-root-only")));
            }
            admin(peer)
        }
    }
}

/// Session events (last login, failures since, session audit) come only
/// from the system's own PAM stacks, which run with effective uid 0 (a
/// setuid `su` included); anyone else's are answered and ignored.
pub fn records_session_events(peer: &Peer) -> bool {
    peer.uid == 0
}

/// The requests whose handling may write to the store (audit rows,
/// counters, credentials): limited per person unless the real uid is 0
/// (root's own PAM stacks, bounded by lockout and sshd's own limits).
pub fn rate_limited(peer: &Peer, req: &Request) -> bool {
    if peer.real_uid == 0 {
        return false;
    }
    match req {
        Request::AuthStart { .. }
        | Request::ChangePassword { .. }
        | Request::OtpEnrollBegin { .. }
        | Request::OtpEnrollFinish { .. }
        | Request::OtpDisable { .. }
        | Request::OtpRecoveryRegenerate { .. }
        | Request::SetLanguage { .. }
        | Request::EmailSet { .. }
        | Request::EmailVerify { .. }
        | Request::EmailRemove
        | Request::ResetRequest { .. }
        | Request::Admin { .. } => true,
        Request::Status { step_up, .. } => step_up.is_some(),
        // Answered without a write (session events from a non-root peer
        // are ignored above), or continuing a limited conversation.
        // Reads by key that NSS makes for every program: never limited.
        Request::Ping
        | Request::Lookup(_)
        | Request::AuthAnswer { .. }
        | Request::Account { .. }
        | Request::ChangeCheck { .. }
        | Request::OpenSession { .. }
        | Request::CloseSession { .. }
        | Request::PolicyCheck { .. }
        | Request::OtpStatus => false,
    }
}

fn admin(peer: &Peer) -> Result<Access, WireError> {
    if peer.is_root() {
        Ok(Access::Granted)
    } else if peer.in_admin_group {
        Ok(Access::Administrator)
    } else {
        Err(denied(Text::new("authz-admin-only")))
    }
}

#[cfg(test)]
mod tests {
    use monban_proto::{AdminOp, CredentialKind, PamContext, ShadowEntry};

    use super::*;

    #[test]
    fn session_events_only_from_effective_root() {
        assert!(records_session_events(&peer(0, "root", false)));
        let mut su = peer(0, "root", false);
        su.real_uid = 1000;
        assert!(records_session_events(&su), "a setuid su is the system's");
        assert!(!records_session_events(&peer(1000, "alice", false)));
        assert!(!records_session_events(&peer(1, "daemon", true)));
    }

    #[test]
    fn writes_are_limited_by_the_real_uid() {
        let session = Request::OpenSession {
            ctx: PamContext::default(),
        };
        assert!(!rate_limited(&peer(0, "root", false), &auth("alice")));
        assert!(rate_limited(&peer(1000, "alice", false), &auth("alice")));
        let mut su = peer(0, "root", false);
        su.real_uid = 1000;
        assert!(rate_limited(&su, &auth("bob")), "a user's setuid su");
        assert!(rate_limited(&peer(1, "daemon", true), &list()));
        assert!(!rate_limited(&peer(1000, "alice", false), &session));
        assert!(!rate_limited(&peer(1000, "alice", false), &Request::Ping));
        let status = |step_up| Request::Status {
            user: None,
            step_up,
        };
        assert!(!rate_limited(&peer(1000, "alice", false), &status(None)));
        assert!(rate_limited(
            &peer(1, "daemon", true),
            &status(Some(monban_proto::Secret::new("x".to_string())))
        ));
    }

    fn peer(uid: u32, name: &str, admin: bool) -> Peer {
        Peer {
            uid,
            real_uid: uid,
            name: Some(name.into()),
            in_admin_group: admin,
        }
    }

    fn auth(user: &str) -> Request {
        Request::AuthStart {
            ctx: PamContext {
                user: user.into(),
                service: "login".into(),
                ..Default::default()
            },
            credential: CredentialKind::Login,
        }
    }

    fn list() -> Request {
        Request::Admin {
            step_up: None,
            op: AdminOp::UserList {
                locked_only: false,
                after: None,
            },
        }
    }

    #[test]
    fn authenticating_a_user_row() {
        let root = peer(0, "root", false);
        let alice = peer(1000, "alice", false);
        let admin = peer(1001, "boss", true);
        assert_eq!(authorize(&root, &auth("alice")).unwrap(), Access::Granted);
        assert_eq!(authorize(&alice, &auth("alice")).unwrap(), Access::Granted);
        assert!(authorize(&alice, &auth("bob")).is_err());
        assert!(
            authorize(&admin, &auth("alice")).is_err(),
            "admins only for themselves"
        );
    }

    #[test]
    fn own_status_and_otp_row() {
        let alice = peer(1000, "alice", false);
        for req in [
            Request::Status {
                user: None,
                step_up: None,
            },
            Request::Status {
                user: Some("alice".into()),
                step_up: None,
            },
            Request::OtpStatus,
            Request::SetLanguage {
                language: Some(monban_proto::Lang::Ja),
            },
        ] {
            assert_eq!(authorize(&alice, &req).unwrap(), Access::Granted);
        }
        let other = Request::Status {
            user: Some("bob".into()),
            step_up: None,
        };
        assert!(authorize(&alice, &other).is_err());
    }

    #[test]
    fn managing_others_row() {
        assert_eq!(
            authorize(&peer(0, "root", false), &list()).unwrap(),
            Access::Granted
        );
        assert_eq!(
            authorize(&peer(1001, "boss", true), &list()).unwrap(),
            Access::Administrator
        );
        let e = authorize(&peer(1000, "alice", false), &list()).unwrap_err();
        assert_eq!(e.code, ErrorCode::PermissionDenied);
    }

    #[test]
    fn import_is_root_only() {
        let import = Request::Admin {
            step_up: None,
            op: AdminOp::ImportShadow {
                entries: vec![ShadowEntry {
                    user: "x".into(),
                    hash: monban_proto::Secret::new("$6$x".into()),
                    last_change_days: None,
                    min_days: None,
                    max_days: None,
                    warn_days: None,
                }],
            },
        };
        assert!(authorize(&peer(1001, "boss", true), &import).is_err());
        assert!(authorize(&peer(0, "root", false), &import).is_ok());
    }
}
