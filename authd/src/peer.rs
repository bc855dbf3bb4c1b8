//! Who is on the other end of a connection, from the kernel's word
//! (SO_PEERCRED), never from what the client claims.

use nix::unistd::{Gid, Group, Uid, User};

#[derive(Debug, Clone)]
pub struct Peer {
    /// The effective uid SO_PEERCRED reports: what the request may do.
    pub uid: u32,
    /// The real uid of the person behind the connection (a setuid `su`
    /// started by alice is alice's): what connection slots and rate limits
    /// are counted against.
    pub real_uid: u32,
    /// The account name of `uid`; None when the uid has no passwd entry.
    pub name: Option<String>,
    /// Member (primary or supplementary) of `[daemon] admin_group`.
    pub in_admin_group: bool,
}

impl Peer {
    /// Resolves names and groups through NSS (blocking: call off the runtime).
    pub fn resolve(uid: u32, real_uid: u32, admin_group: &str) -> Self {
        let user = User::from_uid(Uid::from_raw(uid)).ok().flatten();
        let in_admin_group = user
            .as_ref()
            .is_some_and(|u| is_member(&u.name, u.gid, admin_group));
        Self {
            uid,
            real_uid,
            name: user.map(|u| u.name),
            in_admin_group,
        }
    }

    pub fn is_root(&self) -> bool {
        self.uid == 0
    }

    /// The name used in the audit trail.
    pub fn label(&self) -> String {
        self.name
            .clone()
            .unwrap_or_else(|| format!("uid {}", self.uid))
    }

    /// Whether the peer is the account `user`.
    pub fn is(&self, user: &str) -> bool {
        self.name.as_deref() == Some(user)
    }
}

/// Whether `user` (with primary group `primary`) belongs to `group`.
pub fn is_member(user: &str, primary: Gid, group: &str) -> bool {
    match Group::from_name(group) {
        Ok(Some(g)) => g.gid == primary || g.mem.iter().any(|m| m == user),
        _ => false,
    }
}

/// Whether the account `user` exists and belongs to `group`.
pub fn user_in_group(user: &str, group: &str) -> bool {
    match User::from_name(user) {
        Ok(Some(u)) => is_member(user, u.gid, group),
        _ => false,
    }
}

/// Root, any uid-0 alias, or a member of `admin_group`: accounts only root
/// may manage, so an administrator cannot take over root or a peer.
pub fn is_privileged(user: &str, admin_group: &str) -> bool {
    if user == "root" {
        return true;
    }
    match User::from_name(user) {
        Ok(Some(u)) => u.uid.is_root() || is_member(user, u.gid, admin_group),
        _ => false,
    }
}

/// Runs an NSS lookup off the async workers (LDAP or SSSD may be slow).
pub async fn lookup<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> Option<R> {
    tokio::task::spawn_blocking(f).await.ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_resolves_and_membership_follows_the_group_database() {
        let root = Peer::resolve(0, 0, "root");
        assert!(root.is_root());
        assert_eq!(root.name.as_deref(), Some("root"));
        assert!(root.in_admin_group, "root's primary group is root");
        let nobody = Peer::resolve(65534, 65534, "root");
        assert!(!nobody.in_admin_group);
        assert!(!user_in_group("nobody", "root"));
        assert!(!is_member("root", Gid::from_raw(0), "no-such-group-here"));
        assert!(is_privileged("root", "no-such-group-here"));
        assert!(
            is_privileged("daemon", "daemon"),
            "a member of the admin group"
        );
        assert!(!is_privileged("nobody", "daemon"));
        assert!(!is_privileged("no-such-user-here", "daemon"));
    }
}
