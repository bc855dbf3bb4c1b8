//! Printing: aligned tables, daemon messages and `--json` lines.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{self, Write};

use monban_proto::{MessageLevel, UserMessage};
use serde::Serialize;

use crate::error::CliError;

/// A daemon-provided string made safe for a terminal: control characters
/// (escape sequences, carriage returns, line feeds...) are shown as `\e`,
/// `\r`, `\n`, `\t` or `\xNN` instead of acting on the screen. A service
/// or host name sent at login is chosen by whoever logs in.
pub(crate) fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\x1b' => out.push_str("\\e"),
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            // Every control character is below U+00A0.
            c if c.is_control() => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A text meant to span lines (a policy refusal has one rule per line):
/// each line escaped, the line breaks kept.
pub(crate) fn escape_lines(s: &str) -> Vec<String> {
    s.lines().map(|l| escape(l).into_owned()).collect()
}

/// Columns separated by two spaces, each as wide as its widest cell; the
/// last column is not padded. Cells are [`escape`]d.
pub(crate) fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let rows: Vec<Vec<Cow<'_, str>>> = rows
        .iter()
        .map(|row| row.iter().map(|cell| escape(cell)).collect())
        .collect();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (i, cell) in row.iter().enumerate() {
            let w = cell.chars().count();
            match widths.get_mut(i) {
                Some(slot) => *slot = (*slot).max(w),
                None => widths.push(w),
            }
        }
    }
    let mut out = String::new();
    let header: Vec<Cow<'_, str>> = headers.iter().map(|h| Cow::Borrowed(*h)).collect();
    for row in std::iter::once(&header).chain(&rows) {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            line.push_str(cell);
            let pad = widths
                .get(i)
                .copied()
                .unwrap_or(0)
                .saturating_sub(cell.chars().count());
            line.extend(std::iter::repeat_n(' ', pad));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// One JSON document on its own line, flushed (a script may be waiting for
/// it before it writes the next line of input).
pub(crate) fn json<T: Serialize + ?Sized>(value: &T) -> Result<(), CliError> {
    let text = serde_json::to_string(value)
        .map_err(|e| CliError::Failed(format!("cannot encode JSON: {e}")))?;
    let mut out = io::stdout().lock();
    writeln!(out, "{text}")
        .and_then(|()| out.flush())
        .map_err(|e| CliError::Failed(format!("cannot write to stdout: {e}")))
}

/// Text on stdout, flushed.
pub(crate) fn text(s: &str) -> Result<(), CliError> {
    let mut out = io::stdout().lock();
    out.write_all(s.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| CliError::Failed(format!("cannot write to stdout: {e}")))
}

/// A line of text on stdout.
pub(crate) fn line(s: &str) -> Result<(), CliError> {
    text(&format!("{s}\n"))
}

/// The daemon's messages, [`escape_lines`]d: information on stdout, errors
/// on stderr.
pub(crate) fn messages(msgs: &[UserMessage]) -> Result<(), CliError> {
    for m in msgs {
        for l in escape_lines(&m.text) {
            match m.level {
                MessageLevel::Info => line(&l)?,
                MessageLevel::Error => eprintln!("{l}"),
            }
        }
    }
    Ok(())
}

/// `Done` for a verb: its messages, or `fallback` when there are none.
pub(crate) fn done(json_mode: bool, msgs: &[UserMessage], fallback: &str) -> Result<(), CliError> {
    if json_mode {
        return json(&serde_json::json!({ "messages": msgs }));
    }
    if msgs.is_empty() {
        line(fallback)
    } else {
        messages(msgs)
    }
}

/// `-` for an empty cell.
pub(crate) fn or_dash(s: Option<&str>) -> String {
    match s {
        Some(s) if !s.is_empty() => s.to_string(),
        _ => "-".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_aligned() {
        let rows = vec![
            vec!["alice".to_string(), "no".to_string(), "ok".to_string()],
            vec![
                "bartholomew".to_string(),
                "yes".to_string(),
                "locked (5)".to_string(),
            ],
        ];
        let out = table(&["USER", "DISABLED", "LOGIN"], &rows);
        assert_eq!(
            out,
            "USER         DISABLED  LOGIN\n\
             alice        no        ok\n\
             bartholomew  yes       locked (5)\n"
        );
    }

    #[test]
    fn width_counts_characters_not_bytes() {
        let rows = vec![vec!["門番".to_string(), "x".to_string()]];
        let out = table(&["N", "V"], &rows);
        assert_eq!(out, "N   V\n門番  x\n");
    }

    #[test]
    fn empty_table_is_the_header() {
        assert_eq!(table(&["A", "B"], &[]), "A  B\n");
    }

    #[test]
    fn trailing_empty_cells_leave_no_spaces() {
        let rows = vec![vec!["a".to_string(), String::new()]];
        assert_eq!(table(&["LONGER", "X"], &rows), "LONGER  X\na\n");
    }

    #[test]
    fn control_characters_are_shown_not_obeyed() {
        assert_eq!(escape("sshd"), "sshd");
        assert!(matches!(escape("門番 ok"), Cow::Borrowed(_)));
        assert_eq!(
            escape("a\x1b[31mb\rc\nd\te\x07f\x00g\x7fh\u{9b}i"),
            "a\\e[31mb\\rc\\nd\\te\\x07f\\x00g\\x7fh\\x9bi"
        );
        assert_eq!(escape_lines("one\ntwo\x1b"), ["one", "two\\e"]);
    }

    #[test]
    fn table_cells_are_escaped_and_measured_escaped() {
        let rows = vec![
            vec!["a\x1b[2J".to_string(), "x".to_string()],
            vec!["b\nc".to_string(), "y".to_string()],
        ];
        let out = table(&["N", "V"], &rows);
        assert_eq!(out, "N       V\na\\e[2J  x\nb\\nc    y\n");
    }

    #[test]
    fn dash_for_nothing() {
        assert_eq!(or_dash(None), "-");
        assert_eq!(or_dash(Some("")), "-");
        assert_eq!(or_dash(Some("sshd")), "sshd");
    }
}
