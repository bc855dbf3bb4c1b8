//! Dates and durations on the command line, and day counts for the output.
//! Parsers take `now` so tests are deterministic. Their complaints become
//! clap's usage errors and stay English like the rest of clap's words;
//! dates in the output are the catalogs' (`Catalog::date_time`), in the
//! reader's language.

use std::time::Duration;

use chrono::{DateTime, Local, NaiveDate, NaiveDateTime, TimeZone};

/// Unix seconds now.
pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A humantime duration such as `90d`, `12h`, `15m 30s`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    humantime::parse_duration(s.trim())
        .map_err(|e| format!("invalid duration {s:?} ({e}); write it like 90d, 12h or 15m"))
}

/// A point in time: `YYYY-MM-DD` (the start of that day, local time), RFC
/// 3339 (`2026-12-01T09:00:00Z`) or `+DURATION` (from `now`).
pub fn parse_date(s: &str, now: i64) -> Result<i64, String> {
    let s = s.trim();
    if let Some(rest) = s.strip_prefix('+') {
        let d = parse_duration(rest)?;
        return offset(now, d, 1).ok_or_else(|| format!("date {s:?} is too far away"));
    }
    if let Ok(date) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return local_midnight(date)
            .ok_or_else(|| format!("{s} has no midnight in the local time zone"));
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.timestamp());
    }
    Err(format!(
        "invalid date {s:?}; write YYYY-MM-DD, an RFC 3339 time (2026-12-01T09:00:00Z) or +DURATION"
    ))
}

/// A date as for [`parse_date`], or a bare `DURATION` meaning that long ago.
pub fn parse_since(s: &str, now: i64) -> Result<i64, String> {
    match parse_date(s, now) {
        Ok(t) => Ok(t),
        Err(date_err) => match humantime::parse_duration(s.trim()) {
            Ok(d) => offset(now, d, -1).ok_or_else(|| format!("{s:?} is too long ago")),
            Err(_) => Err(format!("{date_err}, or a DURATION meaning that long ago")),
        },
    }
}

fn offset(now: i64, d: Duration, sign: i64) -> Option<i64> {
    let secs = i64::try_from(d.as_secs()).ok()?;
    let t = now.checked_add(sign.checked_mul(secs)?)?;
    // Beyond chrono's range is beyond any useful date, too.
    DateTime::from_timestamp(t, 0).map(|_| t)
}

fn local_midnight(date: NaiveDate) -> Option<i64> {
    let midnight: NaiveDateTime = date.and_hms_opt(0, 0, 0)?;
    // Where DST skips midnight, the day starts at the first valid instant.
    (0..=2)
        .filter_map(|h| midnight.checked_add_signed(chrono::TimeDelta::hours(h)))
        .find_map(|t| Local.from_local_datetime(&t).earliest())
        .map(|t| t.timestamp())
}

/// Whole days between `then` and `now`, for "set 12 days ago".
pub fn days_between(then: i64, now: i64) -> i64 {
    (now - then).div_euclid(86_400)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_790_000_000;

    #[test]
    fn plus_duration_is_from_now() {
        assert_eq!(parse_date("+1h", NOW), Ok(NOW + 3600));
        assert_eq!(parse_date("+2d", NOW), Ok(NOW + 2 * 86_400));
        assert_eq!(parse_date("+90s", NOW), Ok(NOW + 90));
    }

    #[test]
    fn rfc3339_is_exact() {
        assert_eq!(parse_date("2026-12-01T09:00:00Z", NOW), Ok(1_796_115_600));
        assert_eq!(
            parse_date("2026-12-01T09:00:00+09:00", NOW),
            Ok(1_796_115_600 - 9 * 3600)
        );
    }

    #[test]
    fn plain_date_is_local_midnight() {
        let expected = Local
            .with_ymd_and_hms(2026, 12, 1, 0, 0, 0)
            .earliest()
            .unwrap()
            .timestamp();
        assert_eq!(parse_date("2026-12-01", NOW), Ok(expected));
    }

    #[test]
    fn bad_dates_are_refused() {
        for bad in [
            "",
            "tomorrow",
            "2026-13-01",
            "2026-02-30",
            "+",
            "+soon",
            "12/01/2026",
        ] {
            assert!(parse_date(bad, NOW).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn since_takes_a_duration_as_that_long_ago() {
        assert_eq!(parse_since("1h", NOW), Ok(NOW - 3600));
        assert_eq!(parse_since("7d", NOW), Ok(NOW - 7 * 86_400));
        assert_eq!(parse_since("+1h", NOW), Ok(NOW + 3600));
        assert_eq!(parse_since("2026-12-01T09:00:00Z", NOW), Ok(1_796_115_600));
        let err = parse_since("yesterday", NOW).unwrap_err();
        assert!(err.contains("DURATION"), "{err}");
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90d"), Ok(Duration::from_secs(90 * 86_400)));
        assert_eq!(parse_duration("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(parse_duration("1h 30m"), Ok(Duration::from_secs(5400)));
        assert!(parse_duration("ninety days").is_err());
        assert!(parse_duration("").is_err());
    }

    #[test]
    fn absurd_offsets_do_not_overflow() {
        assert!(parse_date("+100000000000y", NOW).is_err());
        assert!(parse_since("100000000000y", NOW).is_err());
    }

    #[test]
    fn day_counts() {
        assert_eq!(days_between(NOW - 86_400 * 3 - 5, NOW), 3);
        assert_eq!(days_between(NOW, NOW), 0);
    }
}
