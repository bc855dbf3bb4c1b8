//! `[accounts]`: users that exist only in monban (SPEC §11).

use serde::Deserialize;

/// Below this a uid belongs to the system (Debian's and Fedora's
/// `UID_MIN`); monban never hands one out.
pub const LOWEST_UID: u32 = 1000;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AccountsConfig {
    pub uid_min: u32,
    pub uid_max: u32,
    /// The primary group of every monban account.
    pub group: String,
    pub gid: u32,
    /// The home directory; `{user}` is replaced by the name.
    pub home: String,
    pub shell: String,
    /// Whether `getent passwd` (enumeration) lists the accounts.
    pub enumerate: bool,
}

impl Default for AccountsConfig {
    fn default() -> Self {
        Self {
            uid_min: 200_000,
            uid_max: 299_999,
            group: "monban-users".into(),
            gid: 200_000,
            home: "/home/{user}".into(),
            shell: "/bin/bash".into(),
            enumerate: false,
        }
    }
}

impl AccountsConfig {
    /// The home directory of `user`.
    pub fn home_of(&self, user: &str) -> String {
        self.home.replace("{user}", user)
    }
}

pub(crate) fn validate(a: &AccountsConfig) -> Result<(), (&'static str, &'static str, String)> {
    let fail = |key, msg: String| Err(("accounts", key, msg));
    if a.uid_min < LOWEST_UID {
        return fail(
            "uid_min",
            format!("must be at least {LOWEST_UID}: lower uids belong to the system"),
        );
    }
    if a.uid_max < a.uid_min {
        return fail("uid_max", "must not be below uid_min".into());
    }
    // 65534 is nobody, 4294967295 is (uid_t)-1: neither may be handed out.
    if a.uid_max >= u32::MAX - 1 || (a.uid_min..=a.uid_max).contains(&65_534) {
        return fail(
            "uid_max",
            "the range must leave out 65534 (nobody) and 4294967294-4294967295".into(),
        );
    }
    if a.gid < LOWEST_UID || a.gid == 65_534 || a.gid >= u32::MAX - 1 {
        return fail(
            "gid",
            format!("must be at least {LOWEST_UID} and not 65534 (nogroup)"),
        );
    }
    if !monban_proto::valid_name(&a.group) {
        return fail(
            "group",
            "must be a group name (letters, digits, '.', '_', '-'; not starting with '-')".into(),
        );
    }
    let home = a.home.replace("{user}", "");
    if !a.home.starts_with('/') || home.contains(['\n', ':']) {
        return fail(
            "home",
            "must be an absolute path without ':' (\"{user}\" is replaced by the name)".into(),
        );
    }
    if !a.shell.starts_with('/') || a.shell.contains(['\n', ':']) {
        return fail("shell", "must be an absolute path without ':'".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(edit: impl FnOnce(&mut AccountsConfig)) -> Result<(), &'static str> {
        let mut a = AccountsConfig::default();
        edit(&mut a);
        validate(&a).map_err(|(_, key, _)| key)
    }

    #[test]
    fn the_defaults_are_valid_and_home_replaces_the_name() {
        assert_eq!(check(|_| {}), Ok(()));
        assert_eq!(AccountsConfig::default().home_of("alice"), "/home/alice");
    }

    #[test]
    fn system_uids_nobody_and_bad_fields_are_refused() {
        assert_eq!(check(|a| a.uid_min = 999), Err("uid_min"));
        assert_eq!(check(|a| a.uid_max = a.uid_min - 1), Err("uid_max"));
        assert_eq!(
            check(|a| {
                a.uid_min = 60_000;
                a.uid_max = 70_000
            }),
            Err("uid_max")
        );
        assert_eq!(check(|a| a.gid = 0), Err("gid"));
        assert_eq!(check(|a| a.group = "bad:group".into()), Err("group"));
        assert_eq!(check(|a| a.home = "home/{user}".into()), Err("home"));
        assert_eq!(check(|a| a.shell = "bash".into()), Err("shell"));
    }
}
