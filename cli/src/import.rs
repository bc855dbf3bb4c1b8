//! `monban import shadow`: hand existing crypt(3) hashes to the daemon,
//! which verifies them at login and rehashes them to Argon2id.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use monban_proto::{AdminOp, Arg, Catalog, Response, ShadowEntry, Text, parse_shadow_line};
use zeroize::Zeroizing;

use crate::args::ImportVerb;
use crate::context::Ctx;
use crate::error::CliError;
use crate::output;
use crate::status::join;

pub(crate) fn run(ctx: &mut Ctx, verb: ImportVerb) -> Result<(), CliError> {
    let ImportVerb::Shadow { shadow_file, users } = verb;
    ctx.connect()?;
    let step_up = ctx.step_up()?;
    let text = read_shadow(&shadow_file)?;
    let scan = scan(&text, &users, &shadow_file.display().to_string(), ctx.tr());
    for note in &scan.notes {
        eprintln!("monban: {note}");
    }
    if scan.entries.is_empty() {
        return Err(CliError::Failed(Text::new("cli-import-nothing-to-do")));
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
    let tr = ctx.tr();
    if ctx.json {
        output::json_texts(&serde_json::json!({ "users": imported, "skipped": skipped }))?;
    } else {
        if imported.is_empty() {
            output::line(&tr.get("cli-import-none"))?;
        } else {
            let names = Arg::Str(join(&imported, tr));
            output::line(&output::escape(
                &tr.with("cli-imported", &[("users", names)]),
            ))?;
        }
        for m in &skipped {
            let why = Arg::Str(output::escape(m.text()).into_owned());
            eprintln!("{}", tr.with("cli-import-skipped", &[("reason", why)]));
        }
    }
    if ctx.root {
        let still_usable: Vec<&str> = imported
            .iter()
            .map(String::as_str)
            .filter(|u| usable_in(&text, u))
            .collect();
        let file = shadow_file.display().to_string();
        if let Some(w) = lock_warning(&still_usable, &file, true, tr) {
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
        .map_err(|e| {
            CliError::Failed(
                Text::new("cli-cannot-read")
                    .arg("path", path.display().to_string())
                    .arg("error", e.to_string()),
            )
        })
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
pub(crate) fn warn_if_usable(user: &str, tr: &Catalog) {
    let path = shadow_file(std::env::var_os(SHADOW_FILE_ENV));
    let Ok(text) = std::fs::read_to_string(&path).map(Zeroizing::new) else {
        return;
    };
    if usable_in(&text, user)
        && let Some(w) = lock_warning(&[user], &path.display().to_string(), false, tr)
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
pub(crate) fn lock_warning(
    users: &[&str],
    file: &str,
    after_import: bool,
    tr: &Catalog,
) -> Option<String> {
    if users.is_empty() {
        return None;
    }
    let names: Vec<String> = users
        .iter()
        .map(|u| output::escape(u).into_owned())
        .collect();
    let id = if after_import {
        "cli-shadow-usable-after-import"
    } else {
        "cli-shadow-usable"
    };
    Some(tr.with(
        id,
        &[
            ("count", Arg::from(names.len())),
            ("users", Arg::Str(join(&names, tr))),
            ("file", Arg::from(file)),
        ],
    ))
}

#[derive(Debug, Default)]
pub(crate) struct Scan {
    pub entries: Vec<ShadowEntry>,
    /// Why lines or named users were left out; never containing a hash.
    pub notes: Vec<String>,
}

/// The importable entries of a shadow(5) file, only `only` when not empty.
pub(crate) fn scan(text: &str, only: &[String], file: &str, tr: &Catalog) -> Scan {
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
            Err(why) => out.notes.push(tr.with(
                "cli-import-skipping",
                &[
                    ("user", Arg::from(user)),
                    ("why", Arg::Str(why.to_string())),
                ],
            )),
        }
    }
    for u in only {
        if !seen.contains(u) {
            out.notes.push(tr.with(
                "cli-import-not-in",
                &[("user", Arg::from(u)), ("file", Arg::from(file))],
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use monban_proto::Lang;

    fn en() -> Catalog {
        Catalog::new(Lang::En)
    }

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
        let s = scan(SHADOW, &[], "/etc/shadow", &en());
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
        let en = en();
        assert_eq!(lock_warning(&[], "/etc/shadow", false, &en), None);
        assert_eq!(
            lock_warning(&["alice"], "/etc/shadow", false, &en).unwrap(),
            "warning: alice still has a usable password in /etc/shadow; \
             lock it (usermod -L alice) so that pam_unix cannot be used to bypass monban"
        );
        assert_eq!(
            lock_warning(&["alice", "bob"], "/etc/shadow", true, &en).unwrap(),
            "warning: alice, bob still have a usable password in /etc/shadow; \
             once their logins through monban work, lock them (usermod -L USER for each) \
             so that pam_unix cannot be used to bypass monban"
        );
        let w = lock_warning(&["a\x1b[2J"], "/etc/shadow", false, &en).unwrap();
        assert!(!w.contains('\x1b'), "{w:?}");
        let ja = Catalog::new(Lang::Ja);
        let w = lock_warning(&["alice"], "/etc/shadow", false, &ja).unwrap();
        assert!(w.contains("usermod -L alice"), "{w}");
        let w = lock_warning(&["alice", "bob"], "/etc/shadow", true, &ja).unwrap();
        assert!(w.contains("alice、bob") && w.contains("usermod -L"), "{w}");
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
        let s = scan(SHADOW, &only, "/tmp/shadow", &en());
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
