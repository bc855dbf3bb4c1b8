//! `monban import shadow`: hand existing crypt(3) hashes to the daemon,
//! which verifies them at login and rehashes them to Argon2id.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use monban_proto::{AdminOp, Response, ShadowEntry, parse_shadow_line};
use zeroize::Zeroizing;

use crate::args::ImportVerb;
use crate::context::Ctx;
use crate::error::CliError;
use crate::output;

pub(crate) fn run(ctx: &mut Ctx, verb: ImportVerb) -> Result<(), CliError> {
    let ImportVerb::Shadow { shadow_file, users } = verb;
    ctx.connect()?;
    let step_up = ctx.step_up()?;
    let text = read_shadow(&shadow_file)?;
    let scan = scan(&text, &users, &shadow_file.display().to_string());
    for note in &scan.notes {
        eprintln!("monban: {note}");
    }
    if scan.entries.is_empty() {
        return Err(CliError::Failed("nothing to import".into()));
    }
    let reply = ctx.admin_with(
        step_up,
        AdminOp::ImportShadow {
            entries: scan.entries,
        },
    )?;
    let Response::Imported {
        users: imported,
        skipped,
    } = reply
    else {
        return Err(CliError::UnexpectedReply("import shadow"));
    };
    if ctx.json {
        output::json(&serde_json::json!({ "users": imported, "skipped": skipped }))?;
    } else {
        if imported.is_empty() {
            output::line("Nothing imported.")?;
        } else {
            output::line(&output::escape(&format!(
                "Imported: {}",
                imported.join(", ")
            )))?;
        }
        for m in &skipped {
            eprintln!("skipped: {}", output::escape(&m.text));
        }
    }
    if ctx.root {
        let still_usable: Vec<&str> = imported
            .iter()
            .map(String::as_str)
            .filter(|u| usable_in(&text, u))
            .collect();
        if let Some(w) = lock_warning(&still_usable, &shadow_file.display().to_string(), true) {
            eprintln!("{w}");
        }
    }
    // Users named on the command line that did not make it are a failure.
    if users.iter().any(|u| !imported.contains(u)) {
        return Err(CliError::Reported);
    }
    Ok(())
}

fn read_shadow(path: &Path) -> Result<Zeroizing<String>, CliError> {
    std::fs::read_to_string(path)
        .map(Zeroizing::new)
        .map_err(|e| CliError::Failed(format!("cannot read {}: {e}", path.display())))
}

/// Where `user add` looks for a password pam_unix would still accept.
pub(crate) const SHADOW_FILE: &str = "/etc/shadow";
/// Names another file than [`SHADOW_FILE`] for that check (for tests).
pub(crate) const SHADOW_FILE_ENV: &str = "MONBAN_SHADOW_FILE";

fn shadow_file(env: Option<OsString>) -> PathBuf {
    env.filter(|v| !v.is_empty())
        .map_or_else(|| PathBuf::from(SHADOW_FILE), PathBuf::from)
}

/// After `user add` (run by root): warns when pam_unix would still accept
/// the account's old password. A shadow file that cannot be read (absent,
/// not root) is no reason to complain.
pub(crate) fn warn_if_usable(user: &str) {
    let path = shadow_file(std::env::var_os(SHADOW_FILE_ENV));
    let Ok(text) = std::fs::read_to_string(&path).map(Zeroizing::new) else {
        return;
    };
    if usable_in(&text, user)
        && let Some(w) = lock_warning(&[user], &path.display().to_string(), false)
    {
        eprintln!("{w}");
    }
}

/// Whether `user` has a password in this shadow(5) text that pam_unix
/// would accept (a hash that is not empty and not locked by `!` or `*`).
pub(crate) fn usable_in(text: &str, user: &str) -> bool {
    text.lines()
        .map(|l| l.split(':'))
        .find_map(|mut fields| (fields.next() == Some(user)).then(|| fields.next()))
        .flatten()
        .is_some_and(|hash| !hash.is_empty() && !hash.starts_with(['!', '*']))
}

/// The advice to lock accounts that still have a usable Unix password; None
/// for no account. `after_import`: said as what to do once the imported
/// passwords work through monban.
pub(crate) fn lock_warning(users: &[&str], file: &str, after_import: bool) -> Option<String> {
    let names: Vec<String> = users
        .iter()
        .map(|u| output::escape(u).into_owned())
        .collect();
    let (has, lock) = match names.as_slice() {
        [] => return None,
        [one] => ("has", format!("lock it (usermod -L {one})")),
        _ => ("have", "lock them (usermod -L USER for each)".into()),
    };
    let when = if after_import {
        "once their logins through monban work, "
    } else {
        ""
    };
    Some(format!(
        "warning: {} still {has} a usable password in {file}; {when}{lock} \
         so that pam_unix cannot be used to bypass monban",
        names.join(", ")
    ))
}

#[derive(Debug, Default)]
pub(crate) struct Scan {
    pub entries: Vec<ShadowEntry>,
    /// Why lines or named users were left out; never containing a hash.
    pub notes: Vec<String>,
}

/// The importable entries of a shadow(5) file, only `only` when not empty.
pub(crate) fn scan(text: &str, only: &[String], file: &str) -> Scan {
    let mut out = Scan::default();
    let mut seen = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let user = line.split(':').next().unwrap_or_default();
        if !only.is_empty() && !only.iter().any(|u| u == user) {
            continue;
        }
        seen.push(user.to_string());
        match parse_shadow_line(line) {
            Ok(entry) => out.entries.push(entry),
            Err(why) if user.is_empty() => out.notes.push(format!("{file}:{}: {why}", i + 1)),
            Err(why) => out.notes.push(format!("skipping {user}: {why}")),
        }
    }
    for u in only {
        if !seen.contains(u) {
            out.notes.push(format!("{u} is not in {file}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHADOW: &str = "\
root:$y$j9T$abc$def:19700:0:99999:7:::
daemon:*:19700:0:99999:7:::
alice:$6$salt$hash:19800:1:90:14:::
locked:!$6$salt$hash:19800::::::
never:!!:19800::::::
nopass::19800:0:99999:7:::
bad
# comment

bob:$y$j9T$xyz$uvw:19801::::::
";

    #[test]
    fn whole_file() {
        let s = scan(SHADOW, &[], "/etc/shadow");
        let users: Vec<&str> = s.entries.iter().map(|e| e.user.as_str()).collect();
        assert_eq!(users, ["root", "alice", "bob"]);
        assert_eq!(s.notes.len(), 5, "{:?}", s.notes);
        assert!(s.notes.iter().any(|n| n.starts_with("skipping daemon:")));
        assert!(s.notes.iter().any(|n| n.starts_with("skipping bad:")));
        // A note never repeats a hash, locked or not.
        assert!(s.notes.iter().all(|n| !n.contains("$6$")), "{:?}", s.notes);
    }

    #[test]
    fn usable_unix_passwords() {
        assert!(usable_in(SHADOW, "root"));
        assert!(usable_in(SHADOW, "alice"));
        assert!(usable_in(SHADOW, "bob"));
        for user in ["daemon", "locked", "never", "nopass", "bad", "ghost", ""] {
            assert!(!usable_in(SHADOW, user), "{user}");
        }
    }

    #[test]
    fn lock_warnings() {
        assert_eq!(lock_warning(&[], "/etc/shadow", false), None);
        assert_eq!(
            lock_warning(&["alice"], "/etc/shadow", false).unwrap(),
            "warning: alice still has a usable password in /etc/shadow; \
             lock it (usermod -L alice) so that pam_unix cannot be used to bypass monban"
        );
        assert_eq!(
            lock_warning(&["alice", "bob"], "/etc/shadow", true).unwrap(),
            "warning: alice, bob still have a usable password in /etc/shadow; \
             once their logins through monban work, lock them (usermod -L USER for each) \
             so that pam_unix cannot be used to bypass monban"
        );
        let w = lock_warning(&["a\x1b[2J"], "/etc/shadow", false).unwrap();
        assert!(!w.contains('\x1b'), "{w:?}");
    }

    #[test]
    fn shadow_file_from_the_environment() {
        assert_eq!(shadow_file(None), PathBuf::from("/etc/shadow"));
        assert_eq!(shadow_file(Some("".into())), PathBuf::from("/etc/shadow"));
        assert_eq!(
            shadow_file(Some("/tmp/t/shadow".into())),
            PathBuf::from("/tmp/t/shadow")
        );
    }

    #[test]
    fn only_named_users() {
        let only = vec!["bob".to_string(), "never".to_string(), "ghost".to_string()];
        let s = scan(SHADOW, &only, "/tmp/shadow");
        let users: Vec<&str> = s.entries.iter().map(|e| e.user.as_str()).collect();
        assert_eq!(users, ["bob"]);
        assert_eq!(
            s.notes,
            [
                "skipping never: the password is locked or disabled (! or *)",
                "ghost is not in /tmp/shadow"
            ]
        );
    }
}
