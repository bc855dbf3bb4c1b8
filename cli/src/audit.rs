//! `monban log`: the audit trail as a table.

use monban_proto::{AdminOp, AuditEntry, Catalog, Response};

use crate::args::LogArgs;
use crate::context::Ctx;
use crate::error::CliError;
use crate::output::{self, or_dash};

/// Entries asked for per request; the daemon answers at most its own page.
const PAGE: u32 = 2000;

pub(crate) fn run(ctx: &mut Ctx, args: LogArgs) -> Result<(), CliError> {
    let wanted = args.limit.unwrap_or(1000).max(1) as usize;
    // Pages arrive newest first, each oldest-first within itself.
    let mut pages: Vec<Vec<AuditEntry>> = Vec::new();
    let got = std::cell::Cell::new(0);
    ctx.admin_pages(
        |before| AdminOp::AuditLog {
            user: args.user.clone(),
            since: args.since,
            limit: Some(PAGE.min((wanted - got.get()) as u32)),
            before,
        },
        |reply| match reply {
            Response::Audit { entries, next } => {
                got.set(got.get() + entries.len());
                pages.push(entries);
                Ok(next.filter(|_| got.get() < wanted))
            }
            _ => Err(CliError::UnexpectedReply("log")),
        },
    )?;
    let entries: Vec<AuditEntry> = pages.into_iter().rev().flatten().collect();
    if ctx.json {
        output::json(&entries)
    } else {
        output::text(&table(&entries, ctx.tr()))
    }
}

/// The trail for people: times in the reader's language, event names and
/// credential kinds as the stable identifiers they are.
pub(crate) fn table(entries: &[AuditEntry], tr: &Catalog) -> String {
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            vec![
                tr.date_time(e.at),
                e.event.clone(),
                or_dash(e.host.as_deref()),
                or_dash(e.actor.as_deref()),
                or_dash(e.user.as_deref()),
                or_dash(e.credential.map(|c| c.as_str())),
                or_dash(e.service.as_deref()),
                or_dash(e.rhost.as_deref()),
                or_dash(e.detail.as_deref()),
            ]
        })
        .collect();
    let headers = [
        tr.get("cli-log-time"),
        tr.get("cli-log-event"),
        tr.get("cli-log-host"),
        tr.get("cli-log-actor"),
        tr.get("cli-log-user"),
        tr.get("cli-log-credential"),
        tr.get("cli-log-service"),
        tr.get("cli-log-rhost"),
        tr.get("cli-log-detail"),
    ];
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    output::table(&headers, &rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use monban_proto::{CredentialKind, Lang};

    fn en() -> Catalog {
        Catalog::new(Lang::En)
    }

    #[test]
    fn one_row_per_entry_with_dashes() {
        let e = AuditEntry {
            at: 1_790_000_000,
            event: "auth_failure".into(),
            actor: Some("alice".into()),
            user: Some("alice".into()),
            credential: Some(CredentialKind::Login),
            service: Some("sshd".into()),
            rhost: None,
            tty: None,
            detail: Some("wrong password".into()),
            host: Some("lib-1".into()),
        };
        let out = table(std::slice::from_ref(&e), &en());
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].starts_with("TIME              EVENT"), "{out}");
        assert!(
            lines[1].ends_with(
                "auth_failure  lib-1  alice  alice  login       sshd     -      wrong password"
            ),
            "{out}"
        );
        let ja = table(&[e], &Catalog::new(Lang::Ja));
        assert!(ja.starts_with("日時"), "{ja}");
        assert!(ja.contains("auth_failure  lib-1   alice"), "{ja}");
    }

    #[test]
    fn hostile_service_and_host_are_escaped() {
        let e = AuditEntry {
            at: 1_790_000_000,
            event: "auth_failure".into(),
            actor: None,
            user: Some("bob\x07".into()),
            credential: None,
            service: Some("sshd\x1b[1A\x1b[2K".into()),
            rhost: Some("h\r\nroot  login_success".into()),
            tty: None,
            detail: Some("d\x1b]0;t\x07".into()),
            host: None,
        };
        let out = table(&[e], &en());
        assert_eq!(out.lines().count(), 2, "{out}");
        assert!(!out.contains(['\x1b', '\r', '\x07']), "{out:?}");
        assert!(out.contains("bob\\x07"), "{out}");
        assert!(out.contains("sshd\\e[1A\\e[2K"), "{out}");
        assert!(out.contains("h\\r\\nroot  login_success"), "{out}");
        assert!(out.ends_with("d\\e]0;t\\x07\n"), "{out}");
    }
}
