//! Target `durations_dates`: the text as a config duration, a command-line
//! duration, date and `--since`; the bytes as the numbers the expiry rules
//! judge (a stored password's facts and `now`).

use std::time::Duration;

use monban_authd::rules::expiry::{self, ForceReason, PasswordFacts};
use monban_cli::when::{parse_date, parse_duration, parse_since};
use monban_config::{Config, Limit, Span};

/// A fixed `now` (2026-09-21): the parsers take it, so replays are exact.
const NOW: i64 = 1_790_000_000;

pub fn durations_dates(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        strings(text);
    }
    numbers(data);
}

fn strings(s: &str) {
    if let Ok(span) = Span::parse(s) {
        // What the config prints (e.g. in a --check summary) reads back.
        assert_eq!(Span::parse(&span.to_string()), Ok(span), "{span}");
    }
    let duration = parse_duration(s);
    let date = parse_date(s, NOW);
    let since = parse_since(s, NOW);
    if let Ok(t) = date {
        // Whatever parses as a date means the same for --since.
        assert_eq!(since, Ok(t));
    }
    if let (Err(_), Ok(d)) = (&date, &duration)
        && let Some(ago) = ago(*d)
    {
        assert_eq!(since, Ok(ago), "{s:?} is a duration: that long ago");
    }
    if let Some(rest) = s.trim().strip_prefix('+')
        && let Ok(d) = parse_duration(rest)
        && let Ok(t) = date
    {
        assert_eq!(i64::try_from(d.as_secs()).ok().map(|d| NOW + d), Some(t));
    }
    let _ = ForceReason::parse(s).map(|r| assert_eq!(r.as_str(), s));
}

fn ago(d: Duration) -> Option<i64> {
    let t = NOW.checked_sub(i64::try_from(d.as_secs()).ok()?)?;
    chrono_range(t).then_some(t)
}

/// chrono's representable range, which the CLI checks offsets against.
fn chrono_range(t: i64) -> bool {
    // ±262143 years around year 0, in seconds (a little inside).
    t.unsigned_abs() < 8_200_000_000_000
}

/// Eight little-endian i64s from the bytes (zero-padded), and flags.
fn numbers(data: &[u8]) {
    let mut n = [0i64; 8];
    for (i, chunk) in data.chunks(8).take(8).enumerate() {
        let mut b = [0u8; 8];
        b[..chunk.len()].copy_from_slice(chunk);
        n[i] = i64::from_le_bytes(b);
    }
    let flags = data.get(64).copied().unwrap_or(0);
    let opt = |bit: u8, v: i64| (flags & bit != 0).then_some(v);
    let facts = PasswordFacts {
        set_at: n[0],
        temporary_until: opt(1, n[1]),
        force_change: (flags & 2 != 0).then_some(ForceReason::NonCompliant),
        deadline: opt(4, n[2]),
        max_age_days_override: opt(8, n[3]),
        min_age_days_override: opt(16, n[4]),
        warn_days_override: opt(32, n[5]),
    };
    let mut cfg = Config::default().password;
    if flags & 64 != 0 {
        cfg.max_age = Limit::After(Span::from_secs(n[6].unsigned_abs()));
    }
    let now = n[7];
    let verdict = expiry::judge(&cfg, &facts, now);
    if let Some(until) = expiry::changeable_after(&cfg, &facts, now) {
        assert!(until > now);
    }
    if let Some(at) = expiry::expires_at(&cfg, &facts)
        && now >= at
        && facts.temporary_until.is_none_or(|u| now < u)
    {
        assert!(matches!(verdict, expiry::Verdict::MustChange { .. }));
    }
}
