//! The rules monban enforces, as pure functions of the configuration, the
//! stored facts and the time `now` (Unix seconds): no I/O, no clock reads.
//! The store and the socket handlers feed them and act on their answers.
#![forbid(unsafe_code)]

pub mod accounts;
pub mod codes;
pub mod email;
pub mod expiry;
pub mod idle;
pub mod lockout;
pub mod otp;
pub mod policy;

/// Seconds in a day, the unit of `warn_days` and of /etc/shadow's aging fields.
pub const DAY: i64 = 86_400;

/// `YYYY-MM-DD HH:MM` in the local time zone, for the audit trail's
/// English details. Messages people read take their dates from the
/// catalog of their language instead (`Text::time`, `Text::date`).
pub fn format_datetime(t: i64) -> String {
    match chrono::DateTime::from_timestamp(t, 0) {
        Some(utc) => utc
            .with_timezone(&chrono::Local)
            .format("%Y-%m-%d %H:%M")
            .to_string(),
        // Out of chrono's range (hundreds of thousands of years): say the number.
        None => format!("@{t}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_have_the_documented_shape() {
        let dt = format_datetime(1_700_000_000);
        assert_eq!(dt.len(), 16);
        assert_eq!(&dt[4..5], "-");
        assert_eq!(&dt[13..14], ":");
        assert_eq!(format_datetime(i64::MAX), format!("@{}", i64::MAX));
    }
}
