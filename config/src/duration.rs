//! Durations written the way administrators write them: `90d`, `15m`, `30s`.

use std::time::Duration;

use serde::Deserialize;

/// A length of time from the config.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Span(Duration);

impl Span {
    pub const ZERO: Span = Span(Duration::ZERO);

    pub const fn from_secs(secs: u64) -> Self {
        Self(Duration::from_secs(secs))
    }

    pub fn as_duration(self) -> Duration {
        self.0
    }

    pub fn as_secs(self) -> i64 {
        i64::try_from(self.0.as_secs()).unwrap_or(i64::MAX)
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        let trimmed = s.trim();
        if trimmed == "0" {
            return Ok(Self::ZERO);
        }
        humantime::parse_duration(trimmed)
            .map(Self)
            .map_err(|e| format!("{s:?} is not a duration like \"90d\", \"15m\" or \"30s\" ({e})"))
    }
}

impl std::fmt::Display for Span {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", humantime::format_duration(self.0))
    }
}

impl<'de> Deserialize<'de> for Span {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A duration that may also be `"never"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    Never,
    After(Span),
}

impl Limit {
    pub fn secs(self) -> Option<i64> {
        match self {
            Self::Never => None,
            Self::After(s) => Some(s.as_secs()),
        }
    }
}

impl<'de> Deserialize<'de> for Limit {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if s.trim() == "never" {
            return Ok(Self::Never);
        }
        match Span::parse(&s) {
            Ok(span) if span == Span::ZERO => Err(serde::de::Error::custom(
                "a zero duration is not allowed here; write \"never\" to switch it off",
            )),
            Ok(span) => Ok(Self::After(span)),
            Err(e) => Err(serde::de::Error::custom(format!("{e}, or \"never\""))),
        }
    }
}
