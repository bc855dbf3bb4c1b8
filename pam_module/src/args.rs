//! Module arguments from the PAM service file.
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::time::Duration;

use monban_proto::{CredentialKind, DEFAULT_SERVER_USER, DEFAULT_SOCKET, Lang, Timeouts};

/// Connecting is local and quick; only a wedged daemon takes longer.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
const DEFAULT_IO_TIMEOUT_SECS: u64 = 10;
/// Upper bounds that keep a typo from turning into an hour-long hang or an
/// endless prompt loop.
const MAX_IO_TIMEOUT_SECS: u64 = 300;
const MAX_RETRY: u32 = 10;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ModuleArgs {
    pub(crate) socket: PathBuf,
    /// The account monban-authd runs as: only it (or root) may answer.
    pub(crate) server_user: String,
    /// `Login` or `Confirm`, never `Otp`.
    pub(crate) credential: CredentialKind,
    pub(crate) use_first_pass: bool,
    pub(crate) try_first_pass: bool,
    pub(crate) use_authtok: bool,
    pub(crate) debug: bool,
    /// Bound on each read or write on the socket.
    pub(crate) io_timeout: Duration,
    /// chauthtok: how many times the new password may be entered.
    pub(crate) retry: u32,
    /// `lang=en|ja`: outranks every other source of the language.
    pub(crate) lang: Option<Lang>,
}

impl Default for ModuleArgs {
    fn default() -> Self {
        Self {
            socket: PathBuf::from(DEFAULT_SOCKET),
            server_user: DEFAULT_SERVER_USER.to_string(),
            credential: CredentialKind::Login,
            use_first_pass: false,
            try_first_pass: false,
            use_authtok: false,
            debug: false,
            io_timeout: Duration::from_secs(DEFAULT_IO_TIMEOUT_SECS),
            retry: 1,
            lang: None,
        }
    }
}

impl ModuleArgs {
    pub(crate) fn timeouts(&self) -> Timeouts {
        Timeouts {
            connect: CONNECT_TIMEOUT,
            io: self.io_timeout,
        }
    }

    /// Parses the arguments. Anything unknown or malformed is left at its
    /// default and described in the returned list, for the log.
    pub(crate) fn parse<'a, I>(args: I) -> (Self, Vec<String>)
    where
        I: IntoIterator<Item = &'a [u8]>,
    {
        let mut parsed = Self::default();
        let mut problems = Vec::new();
        for raw in args {
            let arg = String::from_utf8_lossy(raw);
            if let Err(problem) = parsed.apply(&arg) {
                problems.push(problem);
            }
        }
        (parsed, problems)
    }

    fn apply(&mut self, arg: &str) -> Result<(), String> {
        let (key, value) = match arg.split_once('=') {
            Some((k, v)) => (k, Some(v)),
            None => (arg, None),
        };
        match (key, value) {
            ("socket", Some(v)) if !v.is_empty() => self.socket = PathBuf::from(v),
            ("server_user", Some(v)) if !v.is_empty() => self.server_user = v.to_string(),
            ("credential", Some(v)) => {
                self.credential = match v {
                    "login" => CredentialKind::Login,
                    "confirm" => CredentialKind::Confirm,
                    _ => {
                        return Err(format!(
                            "invalid value in `{arg}` (expected login or confirm)"
                        ));
                    }
                }
            }
            ("lang", Some(v)) => match Lang::parse(v) {
                Some(lang) => self.lang = Some(lang),
                None => return Err(format!("invalid value in `{arg}` (expected en or ja)")),
            },
            ("use_first_pass", None) => self.use_first_pass = true,
            ("try_first_pass", None) => self.try_first_pass = true,
            ("use_authtok", None) => self.use_authtok = true,
            ("debug", None) => self.debug = true,
            ("timeout", Some(v)) => match v.parse::<u64>() {
                Ok(secs) if (1..=MAX_IO_TIMEOUT_SECS).contains(&secs) => {
                    self.io_timeout = Duration::from_secs(secs);
                }
                _ => {
                    return Err(format!(
                        "invalid value in `{arg}` (expected 1 to {MAX_IO_TIMEOUT_SECS} seconds)"
                    ));
                }
            },
            ("retry", Some(v)) => match v.parse::<u32>() {
                Ok(n) if (1..=MAX_RETRY).contains(&n) => self.retry = n,
                _ => {
                    return Err(format!(
                        "invalid value in `{arg}` (expected 1 to {MAX_RETRY})"
                    ));
                }
            },
            _ => return Err(format!("unknown argument `{arg}`")),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> (ModuleArgs, Vec<String>) {
        ModuleArgs::parse(args.iter().map(|a| a.as_bytes()))
    }

    #[test]
    fn defaults() {
        let (args, problems) = parse(&[]);
        assert!(problems.is_empty());
        assert_eq!(args.socket, PathBuf::from("/run/monban/authd.sock"));
        assert_eq!(args.server_user, "monban");
        assert_eq!(args.credential, CredentialKind::Login);
        assert!(!args.use_first_pass && !args.try_first_pass && !args.use_authtok && !args.debug);
        assert_eq!(args.timeouts().io, Duration::from_secs(10));
        assert_eq!(args.timeouts().connect, Duration::from_secs(3));
        assert_eq!(args.retry, 1);
    }

    #[test]
    fn every_known_argument() {
        let (args, problems) = parse(&[
            "socket=/tmp/x/authd.sock",
            "server_user=_monban",
            "credential=confirm",
            "use_first_pass",
            "try_first_pass",
            "use_authtok",
            "debug",
            "timeout=4",
            "retry=3",
        ]);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(args.socket, PathBuf::from("/tmp/x/authd.sock"));
        assert_eq!(args.server_user, "_monban");
        assert_eq!(args.credential, CredentialKind::Confirm);
        assert!(args.use_first_pass && args.try_first_pass && args.use_authtok && args.debug);
        assert_eq!(args.io_timeout, Duration::from_secs(4));
        assert_eq!(args.retry, 3);
    }

    #[test]
    fn unknown_arguments_are_reported_and_ignored() {
        let (args, problems) = parse(&["nullok", "debug", "socket", "use_first_pass=yes"]);
        assert!(args.debug);
        assert!(!args.use_first_pass);
        assert_eq!(args.socket, ModuleArgs::default().socket);
        assert_eq!(problems.len(), 3);
        assert!(problems[0].contains("`nullok`"));
        assert!(problems[1].contains("`socket`"));
        assert!(problems[2].contains("`use_first_pass=yes`"));
    }

    #[test]
    fn bad_values_keep_the_default() {
        let (args, problems) = parse(&[
            "credential=otp",
            "timeout=0",
            "timeout=abc",
            "timeout=100000",
            "retry=0",
            "retry=-1",
            "socket=",
            "server_user=",
        ]);
        assert_eq!(args, ModuleArgs::default());
        assert_eq!(problems.len(), 8);
        assert!(problems.iter().all(|p| p.contains('`')));
    }

    #[test]
    fn non_utf8_argument_is_reported_not_fatal() {
        let raw: &[u8] = b"sock\xffet=/x";
        let (args, problems) = ModuleArgs::parse([raw, b"debug".as_slice()]);
        assert!(args.debug);
        assert_eq!(problems.len(), 1);
    }

    #[test]
    fn lang_takes_a_language_monban_has() {
        let (args, problems) = parse(&["lang=ja"]);
        assert_eq!((args.lang, problems.len()), (Some(Lang::Ja), 0));
        let (args, problems) = parse(&["lang=fr"]);
        assert_eq!((args.lang, problems.len()), (None, 1));
    }

    #[test]
    fn later_argument_wins() {
        let (args, _) = parse(&["credential=confirm", "credential=login"]);
        assert_eq!(args.credential, CredentialKind::Login);
    }
}
