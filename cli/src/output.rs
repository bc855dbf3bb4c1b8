//! Printing: aligned tables, daemon messages and `--json` lines.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{self, Write};

use monban_proto::{MessageLevel, Text, UserMessage};
use serde::Serialize;

use crate::json::Json;

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

/// Terminal columns of `s`: East Asian wide and full-width characters
/// (kana, kanji, full-width forms) take two, combining marks none.
pub(crate) fn width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

/// `s` followed by spaces up to `columns` terminal columns.
pub(crate) fn pad(s: &str, columns: usize) -> String {
    let mut out = s.to_string();
    out.extend(std::iter::repeat_n(' ', columns.saturating_sub(width(s))));
    out
}

/// Columns separated by two spaces, each as wide (in terminal columns) as
/// its widest cell; the last column is not padded. Cells are [`escape`]d.
pub(crate) fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let rows: Vec<Vec<Cow<'_, str>>> = rows
        .iter()
        .map(|row| row.iter().map(|cell| escape(cell)).collect())
        .collect();
    let mut widths: Vec<usize> = headers.iter().map(|h| width(h)).collect();
    for row in &rows {
        for (i, cell) in row.iter().enumerate() {
            let w = width(cell);
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
            line.push_str(&pad(cell, widths.get(i).copied().unwrap_or(0)));
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
        .map_err(|e| CliError::Failed(Text::new("cli-json-failed").arg("error", e.to_string())))?;
    let mut out = io::stdout().lock();
    writeln!(out, "{text}")
        .and_then(|()| out.flush())
        .map_err(stdout_failed)
}

fn stdout_failed(e: io::Error) -> CliError {
    CliError::Failed(Text::new("cli-stdout-failed").arg("error", e.to_string()))
}

/// A value for `--json` in the shape it has always had: every text from
/// the daemon (`{"id", "args", "text"}` on the wire) as its words alone,
/// so scripts see the same keys in every language; fields stay in the
/// order the value serializes them.
pub(crate) fn json_value<T: Serialize + ?Sized>(value: &T) -> Result<Json, CliError> {
    let failed = |e: serde_json::Error| {
        CliError::Failed(Text::new("cli-json-failed").arg("error", e.to_string()))
    };
    let encoded = serde_json::to_string(value).map_err(failed)?;
    let mut v: Json = serde_json::from_str(&encoded).map_err(failed)?;
    words_only(&mut v);
    Ok(v)
}

/// `--json` of a daemon answer that carries texts.
pub(crate) fn json_texts<T: Serialize + ?Sized>(value: &T) -> Result<(), CliError> {
    json(&json_value(value)?)
}

/// Replaces each text (an object of `id`, `text` and maybe `args`) by its
/// words; a user message `{"level", "message": text}` becomes
/// `{"level", "text"}` as before texts were data.
fn words_only(v: &mut Json) {
    match v {
        Json::Object(fields) => {
            if let [(level, Json::String(_)), (message, text)] = fields.as_mut_slice()
                && level == "level"
                && message == "message"
                && is_text(text)
            {
                *message = "text".into();
                *text = words_of(text);
                return;
            }
            for (_, value) in fields.iter_mut() {
                if is_text(value) {
                    *value = words_of(value);
                } else {
                    words_only(value);
                }
            }
        }
        Json::Array(items) => items.iter_mut().for_each(words_only),
        _ => {}
    }
}

fn is_text(v: &Json) -> bool {
    let Json::Object(fields) = v else {
        return false;
    };
    let has = |key: &str| {
        fields
            .iter()
            .any(|(k, v)| k == key && matches!(v, Json::String(_)))
    };
    has("id")
        && has("text")
        && fields
            .iter()
            .all(|(k, _)| matches!(k.as_str(), "id" | "text" | "args"))
}

fn words_of(text: &Json) -> Json {
    match text {
        Json::Object(fields) => fields
            .iter()
            .find(|(k, _)| k == "text")
            .map_or(Json::Null, |(_, v)| v.clone()),
        _ => Json::Null,
    }
}

/// Text on stdout, flushed.
pub(crate) fn text(s: &str) -> Result<(), CliError> {
    let mut out = io::stdout().lock();
    out.write_all(s.as_bytes())
        .and_then(|()| out.flush())
        .map_err(stdout_failed)
}

/// A line of text on stdout.
pub(crate) fn line(s: &str) -> Result<(), CliError> {
    text(&format!("{s}\n"))
}

/// The daemon's messages, [`escape_lines`]d: information on stdout, errors
/// on stderr.
pub(crate) fn messages(msgs: &[UserMessage]) -> Result<(), CliError> {
    for m in msgs {
        for l in escape_lines(m.text()) {
            match m.level {
                MessageLevel::Info => line(&l)?,
                MessageLevel::Error => eprintln!("{l}"),
            }
        }
    }
    Ok(())
}

/// `Done` for a verb: its messages, or `fallback` (in the CLI's words)
/// when there are none.
pub(crate) fn done(json_mode: bool, msgs: &[UserMessage], fallback: &str) -> Result<(), CliError> {
    if json_mode {
        return json_texts(&serde_json::json!({ "messages": msgs }));
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

/// A text as it arrives from the daemon, rendered to `words` (the id is
/// any one the catalogs hold: only the words are shown).
#[cfg(test)]
pub(crate) fn rendered(words: &str) -> Text {
    let mut text = Text::new("daemon-busy");
    text.text = words.to_string();
    text
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
    fn width_counts_terminal_columns_not_bytes() {
        let rows = vec![vec!["門番".to_string(), "x".to_string()]];
        let out = table(&["N", "V"], &rows);
        assert_eq!(out, "N     V\n門番  x\n");
        let out = table(
            &["ユーザー", "無効"],
            &[vec!["alice".into(), "いいえ".into()]],
        );
        assert_eq!(out, "ユーザー  無効\nalice     いいえ\n");
        assert_eq!(width("é"), 1);
        assert_eq!(width("e\u{301}"), 1);
        assert_eq!(width("（確認）"), 8);
        assert_eq!(pad("表示言語:", 12), "表示言語:   ");
    }

    #[test]
    fn json_keeps_the_shape_of_plain_strings() {
        let mut text = Text::new("policy-min-length").arg("min", 8);
        text.text = "must be at least 8 characters".into();
        let msgs = vec![UserMessage::info(text.clone())];
        let v = json_value(&serde_json::json!({ "messages": msgs })).unwrap();
        assert_eq!(
            serde_json::to_string(&v).unwrap(),
            r#"{"messages":[{"level":"info","text":"must be at least 8 characters"}]}"#
        );
        let status = monban_proto::UserStatus {
            user: "a".into(),
            must_change: Some(text),
            ..Default::default()
        };
        let v = serde_json::to_string(&json_value(&status).unwrap()).unwrap();
        assert!(v.starts_with(r#"{"user":"a","disabled":false,"#), "{v}");
        assert!(
            v.contains(r#""must_change":"must be at least 8 characters","#),
            "{v}"
        );
        // Objects that merely look alike are left alone.
        let other = serde_json::json!({ "text": "x", "id": 7 });
        let v = serde_json::to_string(&json_value(&other).unwrap()).unwrap();
        assert_eq!(v, r#"{"id":7,"text":"x"}"#);
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
