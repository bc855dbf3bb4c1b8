//! `monban session list`: the interactive sessions this host watches for
//! inactivity (SPEC §12), for administrators.

use monban_proto::{AdminOp, Catalog, Response, SessionInfo};

use crate::context::Ctx;
use crate::error::CliError;
use crate::output::{self, or_dash};

pub(crate) fn list(ctx: &mut Ctx) -> Result<(), CliError> {
    let sessions = match ctx.admin(AdminOp::SessionList)? {
        Response::Sessions(s) => s,
        _ => return Err(CliError::UnexpectedReply("session list")),
    };
    if ctx.json {
        output::json(&sessions)
    } else if sessions.is_empty() {
        output::text(&format!("{}\n", ctx.tr().get("cli-sessions-none")))
    } else {
        output::text(&table(&sessions, ctx.tr()))
    }
}

/// `1h 02m`, `3m 05s`, `42s`: how long a terminal has been idle.
pub(crate) fn idle(secs: i64) -> String {
    let secs = secs.max(0);
    match (secs / 3600, secs % 3600 / 60, secs % 60) {
        (0, 0, s) => format!("{s}s"),
        (0, m, s) => format!("{m}m {s:02}s"),
        (h, m, _) => format!("{h}h {m:02}m"),
    }
}

pub(crate) fn table(sessions: &[SessionInfo], tr: &Catalog) -> String {
    let rows: Vec<Vec<String>> = sessions
        .iter()
        .map(|s| {
            vec![
                s.user.clone(),
                s.tty.clone(),
                s.service.clone(),
                or_dash(s.rhost.as_deref()),
                tr.date_time(s.opened_at),
                idle(s.idle_secs),
            ]
        })
        .collect();
    let headers = [
        tr.get("cli-sessions-user"),
        tr.get("cli-sessions-tty"),
        tr.get("cli-sessions-service"),
        tr.get("cli-sessions-from"),
        tr.get("cli-sessions-since"),
        tr.get("cli-sessions-idle"),
    ];
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    output::table(&headers, &rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use monban_proto::Lang;

    #[test]
    fn idle_times_read_at_a_glance() {
        assert_eq!(idle(42), "42s");
        assert_eq!(idle(185), "3m 05s");
        assert_eq!(idle(3720), "1h 02m");
    }

    #[test]
    fn the_table_names_user_terminal_and_idle_time() {
        let s = SessionInfo {
            user: "alice".into(),
            tty: "/dev/pts/3".into(),
            service: "sshd".into(),
            rhost: Some("192.0.2.7".into()),
            opened_at: 0,
            idle_secs: 61,
        };
        let out = table(&[s], &Catalog::new(Lang::En));
        let lines: Vec<&str> = out.lines().collect();
        assert!(
            lines[0].starts_with("USER   TTY         SERVICE  FROM"),
            "{out}"
        );
        assert!(
            lines[1].starts_with("alice  /dev/pts/3  sshd     192.0.2.7"),
            "{out}"
        );
        assert!(lines[1].ends_with("1m 01s"), "{out}");
    }
}
