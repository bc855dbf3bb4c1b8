//! Accounts that exist only in monban (SPEC §11): what NSS is told about
//! them, from `[accounts]` and the uid the store handed out.

use monban_config::AccountsConfig;
use monban_proto::{GroupEntry, PasswdEntry};

/// The passwd entry of the account `name` with `uid`.
pub fn passwd_entry(cfg: &AccountsConfig, name: &str, uid: u32) -> PasswdEntry {
    PasswdEntry {
        name: name.to_string(),
        uid,
        gid: cfg.gid,
        home: cfg.home_of(name),
        shell: cfg.shell.clone(),
    }
}

/// The accounts' group.
pub fn group_entry(cfg: &AccountsConfig) -> GroupEntry {
    GroupEntry {
        name: cfg.group.clone(),
        gid: cfg.gid,
    }
}

/// The group answered for `name`, if it is the accounts' group.
pub fn group_named(cfg: &AccountsConfig, name: &str) -> Option<GroupEntry> {
    (name == cfg.group).then(|| group_entry(cfg))
}

/// The group answered for `gid`, if it is the accounts' group.
pub fn group_with_gid(cfg: &AccountsConfig, gid: u32) -> Option<GroupEntry> {
    (gid == cfg.gid).then(|| group_entry(cfg))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> AccountsConfig {
        AccountsConfig {
            home: "/srv/home/{user}".into(),
            shell: "/bin/sh".into(),
            ..AccountsConfig::default()
        }
    }

    #[test]
    fn an_entry_has_the_configured_group_home_and_shell() {
        let e = passwd_entry(&cfg(), "hanako", 200_007);
        assert_eq!(e.name, "hanako");
        assert_eq!(e.uid, 200_007);
        assert_eq!(e.gid, 200_000);
        assert_eq!(e.home, "/srv/home/hanako");
        assert_eq!(e.shell, "/bin/sh");
    }

    #[test]
    fn only_the_configured_group_is_answered() {
        let c = cfg();
        assert_eq!(
            group_named(&c, "monban-users").map(|g| g.gid),
            Some(200_000)
        );
        assert_eq!(group_named(&c, "wheel"), None);
        assert_eq!(
            group_with_gid(&c, 200_000).map(|g| g.name),
            Some("monban-users".into())
        );
        assert_eq!(group_with_gid(&c, 0), None);
        assert_eq!(group_with_gid(&c, 200_001), None);
    }
}
