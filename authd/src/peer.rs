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
    /// Member (primary or supplementary) of `[daemon] admin_group`; not
    /// looked up for uid 0, which needs no group (and a group that exists
    /// nowhere costs NSS a search of every source on each connection).
    pub in_admin_group: bool,
}

impl Peer {
    /// Resolves names and groups through NSS (blocking: call off the runtime).
    /// uid 0 is named `root` without asking NSS: root needs no group, and
    /// every login's PAM stack connects as root.
    pub fn resolve(uid: u32, real_uid: u32, admin_group: &str) -> Self {
        if uid == 0 {
            return Self {
                uid,
                real_uid,
                name: Some("root".into()),
                in_admin_group: false,
            };
        }
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

/// The two NSS questions privilege depends on, so the fail-closed rule can
/// be tested against a directory that fails.
pub trait Directory {
    /// uid and primary gid of `user`.
    fn user(&self, user: &str) -> nix::Result<Option<(Uid, Gid)>>;
    /// gid and member names of `group`.
    fn group(&self, group: &str) -> nix::Result<Option<(Gid, Vec<String>)>>;
}

/// The system's NSS (files, LDAP, SSSD, …).
pub struct Nss;

impl Directory for Nss {
    fn user(&self, user: &str) -> nix::Result<Option<(Uid, Gid)>> {
        Ok(User::from_name(user)?.map(|u| (u.uid, u.gid)))
    }
    fn group(&self, group: &str) -> nix::Result<Option<(Gid, Vec<String>)>> {
        Ok(Group::from_name(group)?.map(|g| (g.gid, g.mem)))
    }
}

/// Whether `user` is root's alone to manage (SPEC §13 "Privileged
/// accounts"): root, any uid-0 alias, or a member of one of `groups` (the
/// admin group and `privileged_groups`). A lookup that fails, rather than
/// finding nothing, counts as privileged: an LDAP outage must not turn a
/// sudoer into an account an administrator may take over.
pub fn is_privileged(dir: &impl Directory, user: &str, groups: &[String]) -> bool {
    if user == "root" {
        return true;
    }
    let primary = match dir.user(user) {
        Ok(Some((uid, _))) if uid.is_root() => return true,
        Ok(Some((_, gid))) => Some(gid),
        // Unknown to NSS: a group may still list the name.
        Ok(None) => None,
        Err(_) => return true,
    };
    groups.iter().any(|name| match dir.group(name) {
        Ok(Some((gid, members))) => Some(gid) == primary || members.iter().any(|m| m == user),
        Ok(None) => false,
        Err(_) => true,
    })
}

/// Whether a group (`name`, `gid`) is one of `groups` by name or by gid:
/// its members are then root's alone to create. A lookup that fails
/// counts, as in [`is_privileged`].
pub fn is_privileged_group(dir: &impl Directory, name: &str, gid: Gid, groups: &[String]) -> bool {
    groups.iter().any(|g| {
        g == name
            || match dir.group(g) {
                Ok(Some((found, _))) => found == gid,
                Ok(None) => false,
                Err(_) => true,
            }
    })
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
        assert!(!root.in_admin_group, "not looked up for root");
        assert!(
            is_member("root", Gid::from_raw(0), "root"),
            "root's primary group"
        );
        let nobody = Peer::resolve(65534, 65534, "root");
        assert!(!nobody.in_admin_group);
        assert!(!user_in_group("nobody", "root"));
        assert!(!is_member("root", Gid::from_raw(0), "no-such-group-here"));
    }

    fn groups(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn privilege_follows_the_system_databases() {
        assert!(is_privileged(
            &Nss,
            "root",
            &groups(&["no-such-group-here"])
        ));
        assert!(is_privileged(&Nss, "root", &[]));
        assert!(
            is_privileged(&Nss, "daemon", &groups(&["no-such-group-here", "daemon"])),
            "a member of any listed group"
        );
        assert!(!is_privileged(
            &Nss,
            "daemon",
            &groups(&["no-such-group-here"])
        ));
        assert!(!is_privileged(&Nss, "nobody", &groups(&["daemon", "sudo"])));
        assert!(!is_privileged(
            &Nss,
            "no-such-user-here",
            &groups(&["daemon"])
        ));
    }

    /// A directory of alice (uid 1000, group 1000), uid-0 alias toor, and
    /// the group sudo (gid 27) listing alice and the NSS-less name ghost;
    /// `broken` names the lookups that fail.
    struct Fake {
        broken: &'static [&'static str],
    }

    impl Directory for Fake {
        fn user(&self, user: &str) -> nix::Result<Option<(Uid, Gid)>> {
            if self.broken.contains(&user) {
                return Err(nix::errno::Errno::EIO);
            }
            Ok(match user {
                "alice" | "bob" => Some((Uid::from_raw(1000), Gid::from_raw(1000))),
                "toor" => Some((Uid::from_raw(0), Gid::from_raw(0))),
                _ => None,
            })
        }
        fn group(&self, group: &str) -> nix::Result<Option<(Gid, Vec<String>)>> {
            if self.broken.contains(&group) {
                return Err(nix::errno::Errno::EIO);
            }
            Ok(match group {
                "sudo" => Some((Gid::from_raw(27), groups(&["alice", "ghost"]))),
                "bobs" => Some((Gid::from_raw(1000), Vec::new())),
                _ => None,
            })
        }
    }

    #[test]
    fn privileged_by_uid_primary_or_supplementary_group_and_by_failure() {
        let ok = Fake { broken: &[] };
        let sudo = groups(&["wheel", "sudo"]);
        assert!(is_privileged(&ok, "toor", &[]), "a uid-0 alias");
        assert!(is_privileged(&ok, "alice", &sudo), "supplementary member");
        assert!(is_privileged(&ok, "ghost", &sudo), "listed, unknown to NSS");
        assert!(
            is_privileged(&ok, "bob", &groups(&["bobs"])),
            "primary group"
        );
        assert!(!is_privileged(&ok, "bob", &sudo));
        assert!(!is_privileged(&ok, "nobody-here", &sudo));
        // Fail closed: a lookup error is never read as "not a member".
        let users_down = Fake { broken: &["bob"] };
        assert!(is_privileged(&users_down, "bob", &sudo));
        let group_down = Fake { broken: &["wheel"] };
        assert!(is_privileged(&group_down, "bob", &sudo));
        assert!(
            !is_privileged(&group_down, "bob", &groups(&["sudo"])),
            "a group that answers decides"
        );
    }

    #[test]
    fn a_group_is_privileged_by_name_by_gid_and_by_failure() {
        let ok = Fake { broken: &[] };
        let sudo = groups(&["wheel", "sudo"]);
        let gid = Gid::from_raw;
        assert!(
            is_privileged_group(&ok, "sudo", gid(250_000), &sudo),
            "by name"
        );
        assert!(
            is_privileged_group(&ok, "readers", gid(27), &sudo),
            "sudo's gid"
        );
        assert!(!is_privileged_group(&ok, "readers", gid(250_000), &sudo));
        let wheel_down = Fake { broken: &["wheel"] };
        assert!(is_privileged_group(
            &wheel_down,
            "readers",
            gid(250_000),
            &sudo
        ));
    }
}
