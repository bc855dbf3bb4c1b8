//! The command line, as clap parses it. Dates and durations are parsed here
//! so that a bad one is a usage error (exit 2) like any other.
//!
//! clap's usage, `--help` and its errors stay English in every language
//! (SPEC §7 covers the output of the verbs, not the option parser's).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use monban_proto::{CredentialKind, Lang};

use crate::when;

#[derive(Debug, Parser)]
#[command(
    name = "monban",
    version,
    about = "Manage monban passwords, one-time passwords and accounts"
)]
pub(crate) struct Cli {
    /// Socket of monban-authd (default: `[daemon] socket` of the config).
    #[arg(long, global = true, value_name = "PATH")]
    pub socket: Option<PathBuf>,
    /// Configuration file (default: $MONBAN_CONFIG, else /etc/monban/monban.toml).
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub verb: Verb,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Verb {
    /// Show lock state, password age and expiry, OTP state and last login.
    Status {
        /// Another user (administrators only).
        user: Option<String>,
    },
    /// Change your own login (or confirmation) password.
    Passwd {
        /// Change the confirmation password instead.
        #[arg(long)]
        confirm: bool,
    },
    /// Your one-time password token.
    #[command(subcommand)]
    Otp(OtpVerb),
    /// Manage users (administrators).
    #[command(subcommand)]
    User(UserVerb),
    /// Check passwords against the policy; mandatory-change campaigns.
    #[command(subcommand)]
    Policy(PolicyVerb),
    /// Import existing password hashes (root).
    #[command(subcommand)]
    Import(ImportVerb),
    /// Show the audit trail (administrators).
    Log(LogArgs),
    /// Interactive sessions watched for inactivity (administrators).
    #[command(subcommand)]
    Session(SessionVerb),
    /// Show your e-mail address, or change, verify or remove it.
    Email {
        #[command(subcommand)]
        verb: Option<EmailVerb>,
    },
    /// Ask for a password reset code by e-mail (no login needed).
    #[command(subcommand)]
    Reset(ResetVerb),
    /// Show your language preference, or set it (en, ja) or clear it.
    Language {
        /// The language to use from now on.
        #[arg(value_enum, conflicts_with = "clear")]
        language: Option<LangArg>,
        /// Forget the preference: the locale, else the site default, decides.
        #[arg(long)]
        clear: bool,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum SessionVerb {
    /// The interactive sessions this host watches, with their idle time.
    List,
}

#[derive(Debug, Subcommand)]
pub(crate) enum EmailVerb {
    /// Register a new address: your password, then a code is mailed to it.
    Set { address: String },
    /// Enter the code from the verification mail.
    Verify,
    /// Forget your address.
    Remove,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ResetVerb {
    /// Mail a reset code to USER's registered address (the same answer
    /// whoever USER is).
    Request { user: String },
}

/// A language on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum LangArg {
    En,
    Ja,
}

impl From<LangArg> for Lang {
    fn from(l: LangArg) -> Self {
        match l {
            LangArg::En => Self::En,
            LangArg::Ja => Self::Ja,
        }
    }
}

/// A language, or `none` to clear the preference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum LangSetting {
    En,
    Ja,
    None,
}

impl LangSetting {
    pub(crate) fn lang(self) -> Option<Lang> {
        match self {
            Self::En => Some(Lang::En),
            Self::Ja => Some(Lang::Ja),
            Self::None => None,
        }
    }
}

#[derive(Debug, Subcommand)]
pub(crate) enum OtpVerb {
    /// Enrol a TOTP token (needs your password and a first code).
    Enroll,
    /// Turn your OTP off (needs your password and a current code).
    Disable,
    /// Show whether OTP is enrolled.
    Status,
    /// Issue new recovery codes (the old ones stop working).
    Recovery,
    /// Drop a user's lost token (administrators).
    Reset { user: String },
}

#[derive(Debug, Subcommand)]
pub(crate) enum UserVerb {
    /// Register a user.
    ///
    /// Run as root, it warns when the account still has a usable password
    /// in /etc/shadow, which pam_unix would accept instead of monban's.
    /// For testing, the environment variable MONBAN_SHADOW_FILE names
    /// another file to look in.
    Add {
        user: String,
        /// Read the password as one line from stdin (or prompt on a terminal).
        #[arg(long)]
        password_stdin: bool,
        /// The password is temporary: it must be changed at the first login.
        /// Without --password-stdin one is generated and shown once.
        #[arg(long)]
        temporary: bool,
        /// The user must enrol a one-time password token.
        #[arg(long)]
        require_otp: bool,
        /// The user's language (otherwise their locale, else the site default).
        #[arg(long, value_enum, value_name = "LANG")]
        language: Option<LangArg>,
        /// The user's e-mail address (counts as verified).
        #[arg(long, value_name = "ADDRESS")]
        email: Option<String>,
        /// Set no password: mail an activation code to --email instead.
        #[arg(long, requires = "email", conflicts_with_all = ["password_stdin", "temporary"])]
        invite: bool,
        /// An account that exists only in monban: no /etc/passwd line on
        /// any host; a uid is allocated from [accounts] and the NSS module
        /// answers for it. Refused for a name the system already knows.
        #[arg(long)]
        account: bool,
    },
    /// Change a user's settings.
    Set {
        user: String,
        /// The user's language; `none` clears the preference.
        #[arg(long, value_enum, value_name = "LANG")]
        language: Option<LangSetting>,
        /// The user's e-mail address (counts as verified).
        #[arg(long, value_name = "ADDRESS", conflicts_with = "no_email")]
        email: Option<String>,
        /// Remove the user's e-mail address.
        #[arg(long)]
        no_email: bool,
    },
    /// List users and their states.
    List {
        /// Only users with a suspended credential.
        #[arg(long)]
        locked: bool,
    },
    /// Set a temporary password (generated and shown once, unless given).
    Reset {
        user: String,
        #[arg(long)]
        password_stdin: bool,
        /// Do not force a change at the next login.
        #[arg(long)]
        no_force_change: bool,
        /// How long the temporary password works (e.g. 2d, 12h).
        #[arg(long, value_name = "DURATION", value_parser = parse_duration_secs)]
        valid_for: Option<u64>,
    },
    /// Lift suspensions.
    Unlock(UnlockArgs),
    /// Refuse every login of a user.
    Disable { user: String },
    /// Allow a disabled user again.
    Enable { user: String },
    /// Delete a user and their credentials.
    Remove { user: String },
}

#[derive(Debug, Args)]
pub(crate) struct UnlockArgs {
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub users: Vec<String>,
    /// Every user but yourself.
    #[arg(long)]
    pub all: bool,
    /// Only this credential (default: all of them).
    #[arg(long, value_enum)]
    pub credential: Option<CredentialArg>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum CredentialArg {
    Login,
    Confirm,
    Otp,
}

impl From<CredentialArg> for CredentialKind {
    fn from(c: CredentialArg) -> Self {
        match c {
            CredentialArg::Login => Self::Login,
            CredentialArg::Confirm => Self::Confirm,
            CredentialArg::Otp => Self::Otp,
        }
    }
}

#[derive(Debug, Subcommand)]
pub(crate) enum PolicyVerb {
    /// Judge a candidate password (read from the terminal or stdin).
    Check { user: Option<String> },
    /// Require every password (of a group) to change before a date.
    RequireChange {
        /// YYYY-MM-DD (local midnight), RFC 3339, or +DURATION from now.
        #[arg(long, value_name = "DATE", value_parser = parse_deadline)]
        before: i64,
        #[arg(long, value_name = "GROUP")]
        group: Option<String>,
    },
    /// List mandatory-change campaigns.
    Campaigns,
    /// Clear one campaign, or all of them.
    ClearChange {
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        id: Option<i64>,
        #[arg(long)]
        all: bool,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum ImportVerb {
    /// Import hashes from a shadow(5) file.
    Shadow {
        #[arg(long, value_name = "PATH", default_value = "/etc/shadow")]
        shadow_file: PathBuf,
        /// Only these users (default: every user with a usable hash).
        users: Vec<String>,
    },
}

#[derive(Debug, Args)]
pub(crate) struct LogArgs {
    #[arg(long, value_name = "USER")]
    pub user: Option<String>,
    /// A date (as for require-change) or a DURATION meaning that long ago.
    #[arg(long, value_name = "T", value_parser = parse_since)]
    pub since: Option<i64>,
    #[arg(long, value_name = "N")]
    pub limit: Option<u32>,
}

fn parse_duration_secs(s: &str) -> Result<u64, String> {
    when::parse_duration(s).map(|d| d.as_secs())
}

fn parse_deadline(s: &str) -> Result<i64, String> {
    when::parse_date(s, when::now())
}

fn parse_since(s: &str) -> Result<i64, String> {
    when::parse_since(s, when::now())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn bad_date_is_a_usage_error() {
        let err = Cli::try_parse_from(["monban", "policy", "require-change", "--before", "soon"])
            .unwrap_err();
        assert_eq!(err.exit_code(), 2);
    }

    #[test]
    fn unlock_needs_users_or_all_but_not_both() {
        assert!(Cli::try_parse_from(["monban", "user", "unlock"]).is_err());
        assert!(Cli::try_parse_from(["monban", "user", "unlock", "a", "--all"]).is_err());
        assert!(Cli::try_parse_from(["monban", "user", "unlock", "--all"]).is_ok());
        assert!(Cli::try_parse_from(["monban", "user", "unlock", "a", "b"]).is_ok());
    }

    #[test]
    fn language_verbs() {
        let verb = |args: &[&str]| Cli::try_parse_from(args).map(|c| c.verb);
        assert!(matches!(
            verb(&["monban", "language"]),
            Ok(Verb::Language {
                language: None,
                clear: false
            })
        ));
        assert!(matches!(
            verb(&["monban", "language", "ja"]),
            Ok(Verb::Language {
                language: Some(LangArg::Ja),
                clear: false
            })
        ));
        assert!(matches!(
            verb(&["monban", "language", "--clear"]),
            Ok(Verb::Language {
                language: None,
                clear: true
            })
        ));
        assert!(verb(&["monban", "language", "ja", "--clear"]).is_err());
        assert!(verb(&["monban", "language", "fr"]).is_err());
        match verb(&["monban", "user", "add", "bob", "--language", "ja"]) {
            Ok(Verb::User(UserVerb::Add { language, .. })) => {
                assert_eq!(language.map(Lang::from), Some(Lang::Ja));
            }
            other => panic!("{other:?}"),
        }
        assert!(verb(&["monban", "user", "add", "bob", "--language", "none"]).is_err());
        for (word, want) in [
            ("en", Some(Lang::En)),
            ("ja", Some(Lang::Ja)),
            ("none", None),
        ] {
            match verb(&["monban", "user", "set", "bob", "--language", word]) {
                Ok(Verb::User(UserVerb::Set { user, language, .. })) => {
                    assert_eq!(user, "bob");
                    assert_eq!(language.map(LangSetting::lang), Some(want), "{word}");
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn global_flags_after_the_verb() {
        let cli =
            Cli::try_parse_from(["monban", "status", "--json", "--socket", "/tmp/s"]).unwrap();
        assert!(cli.json);
        assert_eq!(cli.socket, Some(PathBuf::from("/tmp/s")));
    }
}
