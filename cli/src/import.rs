//! `monban import shadow`: hand existing crypt(3) hashes to the daemon,
//! which verifies them at login and rehashes them to Argon2id.

use std::path::Path;

use monban_proto::{AdminOp, Response, Secret, ShadowEntry};
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
            output::line(&format!("Imported: {}", imported.join(", ")))?;
        }
        for m in &skipped {
            eprintln!("skipped: {}", m.text);
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
        match parse_line(line) {
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

/// One line: `name:hash:lastchg:min:max:warn:inactive:expire:`.
pub(crate) fn parse_line(line: &str) -> Result<ShadowEntry, &'static str> {
    let fields: Vec<&str> = line.split(':').collect();
    let [user, hash, rest @ ..] = fields.as_slice() else {
        return Err("malformed line (fewer than two fields)");
    };
    if user.is_empty() {
        return Err("malformed line (no user name)");
    }
    if hash.is_empty() {
        return Err("no password (empty hash field)");
    }
    if hash.starts_with('!') || hash.starts_with('*') {
        return Err("the password is locked or disabled (! or *)");
    }
    let day = |i: usize| -> Result<Option<i64>, &'static str> {
        match rest.get(i).map(|s| s.trim()) {
            None | Some("") => Ok(None),
            Some(s) => s
                .parse::<i64>()
                .map(Some)
                .map_err(|_| "malformed line (an aging field is not a number)"),
        }
    };
    Ok(ShadowEntry {
        user: user.to_string(),
        hash: Secret::new(hash.to_string()),
        last_change_days: day(0)?,
        min_days: day(1)?,
        max_days: day(2)?,
        warn_days: day(3)?,
    })
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
    fn parses_hash_and_aging_fields() {
        let e = parse_line("alice:$6$salt$hash:19800:1:90:14:::").unwrap();
        assert_eq!(e.user, "alice");
        assert_eq!(e.hash.expose(), "$6$salt$hash");
        assert_eq!(e.last_change_days, Some(19800));
        assert_eq!(e.min_days, Some(1));
        assert_eq!(e.max_days, Some(90));
        assert_eq!(e.warn_days, Some(14));
        let e = parse_line("bob:$y$j9T$xyz$uvw:19801::::::").unwrap();
        assert_eq!((e.min_days, e.max_days, e.warn_days), (None, None, None));
        let e = parse_line("carol:$y$j9T$xyz$uvw").unwrap();
        assert_eq!(e.last_change_days, None);
    }

    #[test]
    fn locked_empty_and_malformed_lines_are_skipped() {
        for line in [
            "a:!:1::::::",
            "a:!!:1::::::",
            "a:*:1::::::",
            "a:!$6$s$h:1::::::",
            "a::1::::::",
        ] {
            assert!(parse_line(line).is_err(), "{line}");
        }
        assert!(parse_line("justaname").is_err());
        assert!(parse_line(":$6$s$h:1::::::").is_err());
        assert!(parse_line("a:$6$s$h:soon::::::").is_err());
    }

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
