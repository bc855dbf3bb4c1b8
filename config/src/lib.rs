//! The `monban.toml` schema: every key, its default, and the checks that
//! stop the daemon at start-up with the file, the line and a reason.
#![forbid(unsafe_code)]

mod accounts;
mod database;
mod duration;
mod locate;
mod mail;
mod session;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

pub use accounts::{AccountsConfig, LOWEST_UID};
pub use database::Database;
pub use duration::{Limit, Span};
pub use mail::{InviteConfig, MailConfig, MailTls, ResetConfig};
pub use session::{MIN_IDLE_LOGOUT_SECS, SessionConfig};

/// Where the daemon and the CLI look when neither `--config` nor
/// `MONBAN_CONFIG` says otherwise.
pub const DEFAULT_PATH: &str = "/etc/monban/monban.toml";

/// The commented configuration shipped in packages.
pub const SHIPPED: &str = include_str!("../monban.toml");

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub daemon: DaemonConfig,
    pub password: PasswordConfig,
    pub lockout: LockoutConfig,
    pub temporary_password: TemporaryPasswordConfig,
    pub otp: OtpConfig,
    pub argon2: Argon2Config,
    pub audit: AuditConfig,
    pub mail: MailConfig,
    pub reset: ResetConfig,
    pub invite: InviteConfig,
    pub accounts: AccountsConfig,
    pub session: SessionConfig,
}

/// The audit trail's bounds (SPEC §13 "The audit trail cannot be flooded").
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuditConfig {
    /// Entries older than this are deleted (at start, then hourly).
    pub keep: Limit,
    /// Audited requests a non-root user may make per minute, sustained.
    pub rate: u32,
    /// Audited requests a non-root user may make at once before `rate` applies.
    pub burst: u32,
}

impl Default for AuditConfig {
    fn default() -> Self {
        Self {
            keep: Limit::After(Span::from_secs(400 * 86_400)),
            rate: 30,
            burst: 60,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DaemonConfig {
    pub socket: PathBuf,
    pub database: Database,
    /// The PostgreSQL password (first line), readable by the daemon only.
    pub database_password_file: Option<PathBuf>,
    pub secret_key: PathBuf,
    /// Recorded with every audit entry and session (SPEC §9); "" means the
    /// system's host name.
    pub host_name: String,
    /// Members of this group administer monban (after step-up).
    pub admin_group: String,
    /// Groups whose members may gain root (sudoers, polkit): their accounts,
    /// like root's and administrators', are managed by root alone.
    pub privileged_groups: Vec<String>,
    /// Simultaneous client connections; more are answered "busy".
    pub max_connections: usize,
    /// Simultaneous connections of one non-root user.
    pub max_connections_per_user: usize,
    /// A connection silent for this long is closed.
    pub idle_timeout: Span,
    /// Argon2 computations running at once; bounds memory under attack.
    pub hash_workers: usize,
    /// The language when nothing closer to the reader names one (SPEC §7).
    pub language: monban_i18n::Lang,
    /// Replaced by `[audit] keep`; only kept to refuse it by name.
    pub audit_retention: Option<toml::Value>,
}

impl Default for DaemonConfig {
    fn default() -> Self {
        Self {
            socket: PathBuf::from("/run/monban/authd.sock"),
            database: Database::Sqlite(PathBuf::from("/var/lib/monban/monban.db")),
            database_password_file: None,
            secret_key: PathBuf::from("/etc/monban/secret.key"),
            host_name: String::new(),
            admin_group: "monban-admin".into(),
            privileged_groups: vec!["sudo".into(), "wheel".into(), "admin".into()],
            max_connections: 256,
            max_connections_per_user: 8,
            idle_timeout: Span::from_secs(300),
            hash_workers: 2,
            language: monban_i18n::Lang::En,
            audit_retention: None,
        }
    }
}

/// Which characters a password may contain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Allowed {
    /// Every visible ASCII character (0x21–0x7e) and the space.
    PrintableAscii,
    /// Letters and digits only.
    Alphanumeric,
    /// Letters, digits and exactly these symbols.
    AlphanumericPlus(String),
}

impl Allowed {
    pub fn permits(&self, c: char) -> bool {
        match self {
            Self::PrintableAscii => c == ' ' || c.is_ascii_graphic(),
            Self::Alphanumeric => c.is_ascii_alphanumeric(),
            Self::AlphanumericPlus(symbols) => c.is_ascii_alphanumeric() || symbols.contains(c),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Self::PrintableAscii => "printable ASCII characters".into(),
            Self::Alphanumeric => "letters and digits".into(),
            Self::AlphanumericPlus(s) => format!("letters, digits and the symbols {s}"),
        }
    }
}

impl<'de> Deserialize<'de> for Allowed {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        match s.as_str() {
            "printable-ascii" => Ok(Self::PrintableAscii),
            "alphanumeric" => Ok(Self::Alphanumeric),
            other => match other.strip_prefix("alphanumeric+") {
                Some(symbols)
                    if !symbols.is_empty() && symbols.chars().all(|c| c.is_ascii_punctuation()) =>
                {
                    Ok(Self::AlphanumericPlus(symbols.into()))
                }
                _ => Err(serde::de::Error::custom(format!(
                    "allowed must be \"printable-ascii\", \"alphanumeric\" or \"alphanumeric+\" followed by ASCII symbols (e.g. \"alphanumeric+!#$%\"), not {other:?}"
                ))),
            },
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PasswordConfig {
    /// In characters, not bytes.
    pub min_length: usize,
    pub max_length: usize,
    /// Of {lower case, upper case, digit, symbol}.
    pub min_classes: usize,
    pub allowed: Allowed,
    pub reject_username: bool,
    /// How many previous passwords may not be reused.
    pub history: usize,
    pub min_age: Span,
    pub max_age: Limit,
    pub warn_days: u32,
    /// zxcvbn score 0–4.
    pub min_strength: u8,
    /// Check the password at each successful login and require a change
    /// when it no longer complies.
    pub enforce_on_login: bool,
}

impl Default for PasswordConfig {
    fn default() -> Self {
        Self {
            min_length: 8,
            max_length: 64,
            min_classes: 2,
            allowed: Allowed::PrintableAscii,
            reject_username: true,
            history: 5,
            min_age: Span::ZERO,
            max_age: Limit::Never,
            warn_days: 14,
            min_strength: 0,
            enforce_on_login: false,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LockoutConfig {
    /// Consecutive failures that suspend a credential; 0 turns lockout off.
    pub max_failures: u32,
    pub unlock_after: Limit,
    pub include_root: bool,
}

impl Default for LockoutConfig {
    fn default() -> Self {
        Self {
            max_failures: 5,
            unlock_after: Limit::Never,
            include_root: false,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TemporaryPasswordConfig {
    pub valid_for: Span,
    pub length: usize,
}

impl Default for TemporaryPasswordConfig {
    fn default() -> Self {
        Self {
            valid_for: Span::from_secs(3 * 24 * 3600),
            length: 12,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OtpConfig {
    pub issuer: String,
    /// Seconds per time step.
    pub period: u64,
    pub digits: usize,
    /// Steps accepted either side of now.
    pub skew: u8,
    pub max_failures: u32,
    /// Members must enrol; empty means nobody is required to.
    pub required_for_group: String,
    /// How long a required user may still log in without a token.
    pub grace: Span,
}

impl Default for OtpConfig {
    fn default() -> Self {
        Self {
            issuer: "monban".into(),
            period: 30,
            digits: 6,
            skew: 1,
            max_failures: 5,
            required_for_group: String::new(),
            grace: Span::from_secs(7 * 24 * 3600),
        }
    }
}

/// Defaults follow OWASP's Argon2id recommendation (19 MiB, 2 passes, 1 lane).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Argon2Config {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for Argon2Config {
    fn default() -> Self {
        Self {
            memory_kib: 19_456,
            iterations: 2,
            parallelism: 1,
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{}{}: {message}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct ConfigError {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub message: String,
}

impl Config {
    /// Reads and validates a file. A missing file is an error: the daemon
    /// must not guess where its database lives.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            path: path.to_path_buf(),
            line: None,
            message: format!("cannot read: {e}"),
        })?;
        Self::parse(&text, path)
    }

    /// Parses and validates `text`; `path` only names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| ConfigError {
            path: path.to_path_buf(),
            line: e.span().map(|s| locate::line_of_offset(text, s.start)),
            message: e.message().trim().to_string(),
        })?;
        config
            .validate()
            .map_err(|(section, key, message)| ConfigError {
                path: path.to_path_buf(),
                line: locate::line_of_key(text, section, key),
                message: format!("[{section}] {key}: {message}"),
            })?;
        Ok(config)
    }

    /// Cross-field checks serde cannot express.
    fn validate(&self) -> Result<(), (&'static str, &'static str, String)> {
        let p = &self.password;
        let fail = |section, key, msg: &str| Err((section, key, msg.to_string()));
        if p.min_length == 0 {
            return fail("password", "min_length", "must be at least 1");
        }
        if p.max_length < p.min_length {
            return fail("password", "max_length", "must not be below min_length");
        }
        if p.max_length > 256 {
            return fail("password", "max_length", "must be at most 256");
        }
        if p.min_classes > 4 {
            return fail("password", "min_classes", "must be between 0 and 4");
        }
        if p.min_strength > 4 {
            return fail(
                "password",
                "min_strength",
                "must be between 0 and 4 (zxcvbn score)",
            );
        }
        if p.history > 100 {
            return fail("password", "history", "must be at most 100");
        }
        if let Limit::After(max) = p.max_age
            && p.min_age.as_duration() >= max.as_duration()
        {
            return fail("password", "min_age", "must be shorter than max_age");
        }
        let t = &self.temporary_password;
        if !(8..=64).contains(&t.length) {
            return fail("temporary_password", "length", "must be between 8 and 64");
        }
        if t.valid_for.as_duration().is_zero() {
            return fail(
                "temporary_password",
                "valid_for",
                "must be longer than zero",
            );
        }
        let o = &self.otp;
        if !(6..=8).contains(&o.digits) {
            return fail("otp", "digits", "must be 6, 7 or 8");
        }
        if !(1..=300).contains(&o.period) {
            return fail("otp", "period", "must be between 1 and 300 seconds");
        }
        if o.skew > 10 {
            return fail("otp", "skew", "must be at most 10 steps");
        }
        if o.issuer.is_empty() || o.issuer.contains(':') {
            return fail("otp", "issuer", "must be non-empty and contain no ':'");
        }
        let a = &self.argon2;
        if a.parallelism == 0 || a.parallelism > 16 {
            return fail("argon2", "parallelism", "must be between 1 and 16");
        }
        if a.iterations == 0 {
            return fail("argon2", "iterations", "must be at least 1");
        }
        if a.memory_kib < 8 * a.parallelism || a.memory_kib > 4 * 1024 * 1024 {
            return fail(
                "argon2",
                "memory_kib",
                "must be between 8×parallelism and 4194304 (4 GiB)",
            );
        }
        let d = &self.daemon;
        if d.audit_retention.is_some() {
            return fail(
                "daemon",
                "audit_retention",
                "this key was replaced by [audit] keep (e.g. keep = \"400d\"); move the value there",
            );
        }
        let au = &self.audit;
        if let Limit::After(keep) = au.keep
            && keep.as_duration() < Duration::from_secs(60)
        {
            return fail("audit", "keep", "must be at least 1m, or \"never\"");
        }
        if au.rate == 0 {
            return fail("audit", "rate", "must be at least 1 per minute");
        }
        if au.burst == 0 {
            return fail("audit", "burst", "must be at least 1");
        }
        if d.max_connections < 4 {
            return fail("daemon", "max_connections", "must be at least 4");
        }
        if d.max_connections_per_user == 0 {
            return fail("daemon", "max_connections_per_user", "must be at least 1");
        }
        if d.hash_workers == 0 || d.hash_workers > 64 {
            return fail("daemon", "hash_workers", "must be between 1 and 64");
        }
        if d.idle_timeout.as_duration() < Duration::from_secs(1) {
            return fail("daemon", "idle_timeout", "must be at least 1s");
        }
        if d.admin_group.is_empty() {
            return fail("daemon", "admin_group", "must name a group");
        }
        if d.privileged_groups.iter().any(String::is_empty) {
            return fail(
                "daemon",
                "privileged_groups",
                "must list group names (an empty name matches nothing)",
            );
        }
        if d.database_password_file.is_some() && matches!(d.database, Database::Sqlite(_)) {
            return fail(
                "daemon",
                "database_password_file",
                "is only for a postgresql:// database (a SQLite file needs no password)",
            );
        }
        mail::validate(&self.mail, &self.reset, &self.invite)?;
        accounts::validate(&self.accounts)?;
        session::validate(&self.session)?;
        let mut paths = vec![("socket", &d.socket), ("secret_key", &d.secret_key)];
        if let Database::Sqlite(path) = &d.database {
            paths.push(("database", path));
        }
        if let Some(path) = &d.database_password_file {
            paths.push(("database_password_file", path));
        }
        for (key, path) in paths {
            if !path.is_absolute() {
                return Err((
                    "daemon",
                    key,
                    format!("must be an absolute path, not {}", path.display()),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
