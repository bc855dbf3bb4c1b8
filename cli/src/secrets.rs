//! Where passwords and codes come from: the terminal with echo off, or one
//! line each from stdin when stdin is not a terminal. Never from argv.

use std::io::{self, BufRead, IsTerminal, Read};

use monban_proto::{Arg, Catalog, MAX_SECRET_LEN, Secret, Text};
use zeroize::Zeroizing;

use crate::error::CliError;

/// A prompt from the catalog: the question and `: `.
pub(crate) fn prompt(tr: &Catalog, id: &str) -> String {
    format!("{}: ", tr.get(id))
}

/// A prompt with arguments (`New password for bob: `).
pub(crate) fn prompt_with(tr: &Catalog, id: &str, args: &[(&str, Arg)]) -> String {
    format!("{}: ", tr.with(id, args))
}

fn failed(id: &str, error: impl std::fmt::Display) -> CliError {
    CliError::Failed(Text::new(id).arg("error", error.to_string()))
}

pub(crate) trait SecretSource {
    /// One secret; `None` when the input has ended. `prompt` is shown only
    /// to a person at a terminal.
    fn read(&mut self, prompt: &str) -> Result<Option<Secret>, CliError>;

    /// A person types the answers (so a new password is typed twice).
    fn interactive(&self) -> bool;
}

/// The source for this process: the terminal if stdin is one, else stdin.
pub(crate) fn from_stdin() -> Box<dyn SecretSource> {
    let stdin = io::stdin();
    if stdin.is_terminal() {
        Box::new(TerminalSource)
    } else {
        Box::new(LineSource::new(stdin.lock()))
    }
}

/// Prompts on the controlling terminal and reads without echo.
pub(crate) struct TerminalSource;

impl SecretSource for TerminalSource {
    fn read(&mut self, prompt: &str) -> Result<Option<Secret>, CliError> {
        match rpassword::prompt_password(prompt) {
            Ok(text) => {
                let secret = Secret::new(text);
                check_len(&secret)?;
                Ok(Some(secret))
            }
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(None),
            Err(e) => Err(failed("cli-terminal-failed", e)),
        }
    }

    fn interactive(&self) -> bool {
        true
    }
}

/// One secret per line from any reader (stdin in practice). The trailing
/// newline (and a CR before it) is not part of the secret.
pub(crate) struct LineSource<R: BufRead> {
    reader: R,
}

impl<R: BufRead> LineSource<R> {
    pub(crate) fn new(reader: R) -> Self {
        Self { reader }
    }
}

impl<R: BufRead> SecretSource for LineSource<R> {
    fn read(&mut self, _prompt: &str) -> Result<Option<Secret>, CliError> {
        // Room for the longest secret plus CR LF, allocated once so no
        // reallocation leaves a stray copy behind; the limit stops a huge
        // line from growing it.
        let limit = MAX_SECRET_LEN + 2;
        let mut buf = Zeroizing::new(Vec::with_capacity(limit));
        let n = Read::take(&mut self.reader, limit as u64)
            .read_until(b'\n', &mut buf)
            .map_err(|e| failed("cli-stdin-failed", e))?;
        if n == 0 {
            return Ok(None);
        }
        let had_newline = buf.last() == Some(&b'\n');
        if had_newline {
            buf.pop();
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
        }
        if buf.len() > MAX_SECRET_LEN || (!had_newline && n == limit) {
            return Err(too_long());
        }
        Secret::from_bytes(std::mem::take(&mut *buf))
            .map(Some)
            .ok_or_else(|| CliError::Failed(Text::new("cli-stdin-not-utf8")))
    }

    fn interactive(&self) -> bool {
        false
    }
}

fn too_long() -> CliError {
    CliError::Failed(Text::new("cli-secret-too-long").arg("max", MAX_SECRET_LEN))
}

fn check_len(secret: &Secret) -> Result<(), CliError> {
    if secret.len() > MAX_SECRET_LEN {
        return Err(too_long());
    }
    Ok(())
}

/// A secret that must be there: the end of input is an error.
pub(crate) fn require(src: &mut dyn SecretSource, prompt: &str) -> Result<Secret, CliError> {
    src.read(prompt)?.ok_or_else(|| {
        let question = prompt.trim_end().trim_end_matches(':');
        CliError::Failed(Text::new("cli-no-answer").arg("prompt", question))
    })
}

/// A new password, typed twice. From a non-interactive source the second
/// line is read only when `always_retype` (passwd keeps the dialogue of the
/// terminal; `user add`/`reset --password-stdin` take one line).
pub(crate) fn new_password(
    src: &mut dyn SecretSource,
    prompt: &str,
    retype_prompt: &str,
    always_retype: bool,
) -> Result<Secret, CliError> {
    let new = require(src, prompt)?;
    if src.interactive() || always_retype {
        let again = require(src, retype_prompt)?;
        if !new.ct_eq(&again) {
            return Err(CliError::Failed(Text::new("cli-mismatch")));
        }
    }
    Ok(new)
}

#[cfg(test)]
mod tests {
    use super::*;
    use monban_proto::Lang;
    use std::io::Cursor;

    fn said(e: &CliError) -> String {
        e.lines(&Catalog::new(Lang::En)).join("\n")
    }

    fn source(input: &str) -> LineSource<Cursor<Vec<u8>>> {
        LineSource::new(Cursor::new(input.as_bytes().to_vec()))
    }

    #[test]
    fn one_line_per_secret_without_newline() {
        let mut src = source("first\nsecond\r\nthird");
        assert_eq!(src.read("p").unwrap().unwrap().expose(), "first");
        assert_eq!(src.read("p").unwrap().unwrap().expose(), "second");
        assert_eq!(src.read("p").unwrap().unwrap().expose(), "third");
        assert!(src.read("p").unwrap().is_none());
    }

    #[test]
    fn spaces_and_empty_lines_are_kept() {
        let mut src = source(" pass word \n\n");
        assert_eq!(src.read("p").unwrap().unwrap().expose(), " pass word ");
        assert_eq!(src.read("p").unwrap().unwrap().expose(), "");
    }

    #[test]
    fn end_of_input_is_a_clear_error() {
        let mut src = source("");
        let err = require(&mut src, "Current password: ").unwrap_err();
        assert_eq!(err.exit_code(), 1);
        assert_eq!(
            said(&err),
            "monban: no answer for \"Current password\": input ended"
        );
        let ja = err.lines(&Catalog::new(Lang::Ja)).join("\n");
        assert!(ja.contains("「Current password」"), "{ja}");
    }

    #[test]
    fn longest_secret_is_accepted_longer_refused() {
        let ok = "a".repeat(MAX_SECRET_LEN);
        let mut src = source(&format!("{ok}\n"));
        assert_eq!(src.read("p").unwrap().unwrap().len(), MAX_SECRET_LEN);
        let mut src = source(&format!("{ok}\r\n"));
        assert_eq!(src.read("p").unwrap().unwrap().len(), MAX_SECRET_LEN);
        let mut src = source(&format!("{ok}b\n"));
        let err = src.read("p").unwrap_err();
        assert_eq!(
            said(&err),
            "monban: a secret may be at most 1024 bytes long"
        );
        let mut src = source(&"a".repeat(MAX_SECRET_LEN * 3));
        assert!(src.read("p").is_err());
    }

    #[test]
    fn invalid_utf8_is_refused() {
        let mut src = LineSource::new(Cursor::new(vec![0xff, 0xfe, b'\n']));
        assert!(src.read("p").is_err());
    }

    #[test]
    fn new_password_from_a_pipe() {
        let mut src = source("Secret123\nother\n");
        let pw = new_password(&mut src, "New: ", "Retype: ", false).unwrap();
        assert_eq!(pw.expose(), "Secret123");

        let mut src = source("Secret123\nSecret123\n");
        let pw = new_password(&mut src, "New: ", "Retype: ", true).unwrap();
        assert_eq!(pw.expose(), "Secret123");

        let mut src = source("Secret123\nSecret124\n");
        let err = new_password(&mut src, "New: ", "Retype: ", true).unwrap_err();
        assert_eq!(said(&err), "monban: Passwords do not match.");
        assert_eq!(err.exit_code(), 1);
    }
}
