//! Password age, temporary passwords, forced changes and mandatory-change
//! deadlines: whether a password is still good at `now`, and what to warn.
#![forbid(unsafe_code)]

use monban_config::PasswordConfig;
use monban_proto::Text;

use super::DAY;

/// shadow(5) writes 99999 days for "never expires".
const SHADOW_NEVER_DAYS: i64 = 99_999;

/// What the store knows about one password.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PasswordFacts {
    /// When it was set (Unix seconds).
    pub set_at: i64,
    /// A temporary password stops authenticating at this time.
    pub temporary_until: Option<i64>,
    /// It must be changed at the next login, and why.
    pub force_change: Option<ForceReason>,
    /// A mandatory-change deadline that still applies to this password.
    pub deadline: Option<i64>,
    /// From an imported /etc/shadow entry (days); they win over the config.
    pub max_age_days_override: Option<i64>,
    pub min_age_days_override: Option<i64>,
    pub warn_days_override: Option<i64>,
}

impl PasswordFacts {
    /// A password set at `set_at` with nothing else to say about it.
    pub fn new(set_at: i64) -> Self {
        Self {
            set_at,
            ..Self::default()
        }
    }
}

/// Why a password must be changed at the next login.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ForceReason {
    /// Set by an administrator reset as a temporary password.
    Temporary,
    /// Set by an administrator (user add, reset with a given password).
    AdminReset,
    /// No longer meets the rules (`enforce_on_login`).
    NonCompliant,
    /// Logged in with a mailed reset or invitation code (SPEC §8).
    Code,
}

impl ForceReason {
    /// The stable name kept in the store.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Temporary => "temporary",
            Self::AdminReset => "admin_reset",
            Self::NonCompliant => "non_compliant",
            Self::Code => "code",
        }
    }

    /// The inverse of [`ForceReason::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Temporary,
            Self::AdminReset,
            Self::NonCompliant,
            Self::Code,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }

    /// Why the change is forced, for the person at the prompt.
    fn message(self) -> Text {
        Text::new(match self {
            Self::Temporary => "expiry-forced-temporary",
            Self::AdminReset => "expiry-forced-admin",
            Self::NonCompliant => "expiry-forced-non-compliant",
            Self::Code => "expiry-forced-code",
        })
    }
}

/// The state of a password at a given time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// It may be used; the warnings are shown at login.
    Valid { warnings: Vec<Text> },
    /// It authenticates, but the login goes on only after a change.
    MustChange { reason: Text },
    /// A temporary password past its validity: it no longer authenticates.
    TemporaryLapsed,
}

/// Whether a temporary password valid until `until` has lapsed at `now`:
/// from that second on it opens nothing (login, `passwd`, `otp`).
pub fn temporary_lapsed(until: Option<i64>, now: i64) -> bool {
    until.is_some_and(|until| now >= until)
}

/// Judges a password at `now`. Precedence: a lapsed temporary password,
/// a forced change, a passed deadline, expiry by max_age; otherwise valid,
/// with warnings for a near expiry, a temporary password and a deadline.
pub fn judge(cfg: &PasswordConfig, f: &PasswordFacts, now: i64) -> Verdict {
    if temporary_lapsed(f.temporary_until, now) {
        return Verdict::TemporaryLapsed;
    }
    if let Some(reason) = f.force_change {
        return must_change(reason.message());
    }
    if let Some(deadline) = f.deadline
        && now >= deadline
    {
        return must_change(Text::new("expiry-deadline-passed").date("deadline", deadline));
    }
    let expires = expires_at(cfg, f);
    if let Some(at) = expires
        && now >= at
    {
        return must_change(Text::new("expiry-expired").date("at", at));
    }

    let mut warnings = Vec::new();
    if let Some(at) = expires {
        let warn = warn_days(cfg, f).saturating_mul(DAY);
        if now >= at.saturating_sub(warn) {
            // Rounded up: one second left is still "in 1 day", never "in 0 days".
            // Saturating: `at` may be near i64::MAX (a huge max_age).
            let days = at.saturating_sub(now).saturating_add(DAY - 1) / DAY;
            warnings.push(Text::new("expiry-warning").date("at", at).arg("days", days));
        }
    }
    if let Some(until) = f.temporary_until {
        warnings.push(Text::new("expiry-temporary-until").time("until", until));
    }
    if let Some(deadline) = f.deadline {
        warnings.push(Text::new("expiry-deadline-warning").time("deadline", deadline));
    }
    Verdict::Valid { warnings }
}

/// When the password expires by max_age (the shadow override when
/// imported, else `[password] max_age`); None if it never does.
pub fn expires_at(cfg: &PasswordConfig, f: &PasswordFacts) -> Option<i64> {
    let max_age = match f.max_age_days_override {
        // shadow(5): a negative or 99999-day maximum means none.
        Some(days) if !(0..SHADOW_NEVER_DAYS).contains(&days) => None,
        Some(days) => Some(days * DAY),
        None => cfg.max_age.secs(),
    };
    max_age.map(|secs| f.set_at.saturating_add(secs))
}

/// The minimum age in seconds: the shadow override when imported, else
/// `[password] min_age`.
pub fn min_age(cfg: &PasswordConfig, f: &PasswordFacts) -> i64 {
    match f.min_age_days_override {
        Some(days) => days.clamp(0, SHADOW_NEVER_DAYS) * DAY,
        None => cfg.min_age.as_secs(),
    }
}

/// Until when the password may not be changed (min_age), or None if it
/// may be now. A required change (temporary, forced, deadline, expired) is
/// never held back.
pub fn changeable_after(cfg: &PasswordConfig, f: &PasswordFacts, now: i64) -> Option<i64> {
    let required = f.temporary_until.is_some()
        || f.force_change.is_some()
        || f.deadline.is_some()
        || expires_at(cfg, f).is_some_and(|at| now >= at);
    if required {
        return None;
    }
    let until = f.set_at.saturating_add(min_age(cfg, f));
    (now < until).then_some(until)
}

fn warn_days(cfg: &PasswordConfig, f: &PasswordFacts) -> i64 {
    match f.warn_days_override {
        Some(days) => days.max(0),
        None => i64::from(cfg.warn_days),
    }
}

fn must_change(reason: Text) -> Verdict {
    Verdict::MustChange { reason }
}

#[cfg(test)]
mod tests {
    use monban_config::{Limit, Span};
    use monban_proto::{Arg, Catalog, Lang};

    use super::*;

    const SET: i64 = 1_700_000_000;

    #[test]
    fn a_temporary_password_lapses_at_its_last_second() {
        assert!(!temporary_lapsed(None, SET), "not temporary: never lapses");
        assert!(!temporary_lapsed(Some(SET + 1), SET));
        assert!(temporary_lapsed(Some(SET), SET), "valid until, not through");
        assert!(temporary_lapsed(Some(SET - 1), SET));
    }

    fn max_age_90d() -> PasswordConfig {
        PasswordConfig {
            max_age: Limit::After(Span::from_secs(90 * DAY as u64)),
            ..PasswordConfig::default()
        }
    }

    fn valid(warnings: &[Text]) -> Verdict {
        Verdict::Valid {
            warnings: warnings.to_vec(),
        }
    }

    fn reason(v: Verdict) -> Text {
        match v {
            Verdict::MustChange { reason } => reason,
            other => Text::new(&format!("not MustChange: {other:?}")),
        }
    }

    fn render(lang: Lang, text: &Text) -> String {
        Catalog::new(lang).render(text)
    }

    fn local(t: i64) -> chrono::DateTime<chrono::Local> {
        chrono::DateTime::from_timestamp(t, 0)
            .unwrap()
            .with_timezone(&chrono::Local)
    }

    /// A day as each catalog writes it: `2027-03-31`, `2027年3月31日`.
    fn day(lang: Lang, t: i64) -> String {
        let pattern = match lang {
            Lang::En => "%Y-%m-%d",
            Lang::Ja => "%Y年%-m月%-d日",
        };
        local(t).format(pattern).to_string()
    }

    /// A moment as each catalog writes it.
    fn moment(lang: Lang, t: i64) -> String {
        let pattern = match lang {
            Lang::En => "%Y-%m-%d %H:%M",
            Lang::Ja => "%Y年%-m月%-d日 %H:%M",
        };
        local(t).format(pattern).to_string()
    }

    #[test]
    fn a_fresh_password_without_max_age_is_valid_for_ever() {
        let f = PasswordFacts::new(SET);
        let cfg = PasswordConfig::default();
        assert_eq!(judge(&cfg, &f, SET + 100 * 365 * DAY), valid(&[]));
        assert_eq!(expires_at(&cfg, &f), None);
    }

    #[test]
    fn a_temporary_password_lapses_exactly_at_its_end() {
        let f = PasswordFacts {
            temporary_until: Some(SET + 3 * DAY),
            force_change: Some(ForceReason::Temporary),
            ..PasswordFacts::new(SET)
        };
        let cfg = PasswordConfig::default();
        assert_eq!(judge(&cfg, &f, SET + 3 * DAY), Verdict::TemporaryLapsed);
        assert_eq!(
            reason(judge(&cfg, &f, SET + 3 * DAY - 1)),
            Text::new("expiry-forced-temporary")
        );
    }

    #[test]
    fn a_lapsed_temporary_password_wins_over_everything() {
        let f = PasswordFacts {
            temporary_until: Some(SET + DAY),
            force_change: Some(ForceReason::NonCompliant),
            deadline: Some(SET + DAY),
            max_age_days_override: Some(1),
            ..PasswordFacts::new(SET)
        };
        assert_eq!(
            judge(&max_age_90d(), &f, SET + 2 * DAY),
            Verdict::TemporaryLapsed
        );
    }

    #[test]
    fn a_temporary_password_without_forced_change_warns_of_its_end() {
        let f = PasswordFacts {
            temporary_until: Some(SET + 3 * DAY),
            ..PasswordFacts::new(SET)
        };
        assert_eq!(
            judge(&PasswordConfig::default(), &f, SET + DAY),
            valid(&[Text::new("expiry-temporary-until").time("until", SET + 3 * DAY)])
        );
    }

    #[test]
    fn an_administrator_reset_forces_a_change() {
        let f = PasswordFacts {
            force_change: Some(ForceReason::AdminReset),
            ..PasswordFacts::new(SET)
        };
        assert_eq!(
            reason(judge(&PasswordConfig::default(), &f, SET)),
            Text::new("expiry-forced-admin")
        );
    }

    #[test]
    fn a_non_compliant_password_forces_a_change() {
        let f = PasswordFacts {
            force_change: Some(ForceReason::NonCompliant),
            ..PasswordFacts::new(SET)
        };
        assert_eq!(
            reason(judge(&PasswordConfig::default(), &f, SET)),
            Text::new("expiry-forced-non-compliant")
        );
    }

    #[test]
    fn a_forced_change_wins_over_a_passed_deadline() {
        let f = PasswordFacts {
            force_change: Some(ForceReason::AdminReset),
            deadline: Some(SET),
            ..PasswordFacts::new(SET)
        };
        assert_eq!(
            reason(judge(&PasswordConfig::default(), &f, SET + DAY)).id,
            "expiry-forced-admin"
        );
    }

    #[test]
    fn before_a_deadline_the_user_is_warned() {
        let deadline = SET + 10 * DAY;
        let f = PasswordFacts {
            deadline: Some(deadline),
            ..PasswordFacts::new(SET)
        };
        assert_eq!(
            judge(&PasswordConfig::default(), &f, deadline - 1),
            valid(&[Text::new("expiry-deadline-warning").time("deadline", deadline)])
        );
    }

    #[test]
    fn from_the_deadline_on_the_change_is_forced() {
        let deadline = SET + 10 * DAY;
        let f = PasswordFacts {
            deadline: Some(deadline),
            ..PasswordFacts::new(SET)
        };
        assert_eq!(
            reason(judge(&PasswordConfig::default(), &f, deadline)),
            Text::new("expiry-deadline-passed").date("deadline", deadline)
        );
    }

    #[test]
    fn a_passed_deadline_wins_over_expiry() {
        let f = PasswordFacts {
            deadline: Some(SET + DAY),
            ..PasswordFacts::new(SET)
        };
        assert_eq!(
            reason(judge(&max_age_90d(), &f, SET + 100 * DAY)).id,
            "expiry-deadline-passed"
        );
    }

    #[test]
    fn a_password_expires_exactly_at_max_age() {
        let cfg = max_age_90d();
        let f = PasswordFacts::new(SET);
        let at = SET + 90 * DAY;
        assert_eq!(expires_at(&cfg, &f), Some(at));
        assert_eq!(
            reason(judge(&cfg, &f, at)),
            Text::new("expiry-expired").date("at", at)
        );
        assert_eq!(
            judge(&cfg, &f, at - 1),
            valid(&[Text::new("expiry-warning").date("at", at).arg("days", 1)])
        );
    }

    #[test]
    fn the_expiry_warning_starts_warn_days_before() {
        let cfg = max_age_90d();
        let f = PasswordFacts::new(SET);
        let at = SET + 90 * DAY;
        assert_eq!(
            judge(&cfg, &f, at - 14 * DAY),
            valid(&[Text::new("expiry-warning").date("at", at).arg("days", 14)])
        );
        assert_eq!(judge(&cfg, &f, at - 14 * DAY - 1), valid(&[]));
        let silent = PasswordConfig {
            warn_days: 0,
            ..max_age_90d()
        };
        assert_eq!(judge(&silent, &f, at - 1), valid(&[]));
    }

    #[test]
    fn expiry_and_deadline_warnings_come_together() {
        let at = SET + 90 * DAY;
        let f = PasswordFacts {
            deadline: Some(at + DAY),
            ..PasswordFacts::new(SET)
        };
        match judge(&max_age_90d(), &f, at - DAY) {
            Verdict::Valid { warnings } => assert_eq!(warnings.len(), 2),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn shadow_max_age_wins_over_the_config() {
        let f = PasswordFacts {
            max_age_days_override: Some(30),
            ..PasswordFacts::new(SET)
        };
        assert_eq!(
            expires_at(&PasswordConfig::default(), &f),
            Some(SET + 30 * DAY)
        );
        assert_eq!(expires_at(&max_age_90d(), &f), Some(SET + 30 * DAY));
        assert_eq!(
            reason(judge(&max_age_90d(), &f, SET + 30 * DAY)),
            Text::new("expiry-expired").date("at", SET + 30 * DAY)
        );
    }

    #[test]
    fn shadow_never_expires_wins_over_the_config() {
        for days in [99_999, -1] {
            let f = PasswordFacts {
                max_age_days_override: Some(days),
                ..PasswordFacts::new(SET)
            };
            assert_eq!(expires_at(&max_age_90d(), &f), None, "{days}");
            assert_eq!(judge(&max_age_90d(), &f, SET + 1000 * DAY), valid(&[]));
        }
    }

    #[test]
    fn shadow_warn_days_wins_over_the_config() {
        let f = PasswordFacts {
            warn_days_override: Some(3),
            ..PasswordFacts::new(SET)
        };
        let at = SET + 90 * DAY;
        assert_eq!(judge(&max_age_90d(), &f, at - 4 * DAY), valid(&[]));
        assert_eq!(
            judge(&max_age_90d(), &f, at - 3 * DAY),
            valid(&[Text::new("expiry-warning").date("at", at).arg("days", 3)])
        );
    }

    #[test]
    fn shadow_min_age_wins_over_the_config() {
        let f = PasswordFacts {
            min_age_days_override: Some(2),
            ..PasswordFacts::new(SET)
        };
        let cfg = PasswordConfig::default();
        assert_eq!(min_age(&cfg, &f), 2 * DAY);
        assert_eq!(changeable_after(&cfg, &f, SET + DAY), Some(SET + 2 * DAY));
        assert_eq!(changeable_after(&cfg, &f, SET + 2 * DAY), None);
    }

    #[test]
    fn an_expired_password_may_be_changed_despite_min_age() {
        let f = PasswordFacts {
            max_age_days_override: Some(1),
            min_age_days_override: Some(5),
            ..PasswordFacts::new(SET)
        };
        assert_eq!(changeable_after(&max_age_90d(), &f, SET + DAY), None);
        assert_eq!(
            changeable_after(&max_age_90d(), &f, SET + 1),
            Some(SET + 5 * DAY)
        );
    }

    #[test]
    fn force_reason_round_trips_through_storage() {
        for r in [
            ForceReason::Temporary,
            ForceReason::AdminReset,
            ForceReason::NonCompliant,
        ] {
            assert_eq!(ForceReason::parse(r.as_str()), Some(r));
        }
        assert_eq!(ForceReason::parse("bogus"), None);
    }

    // The words, exactly, in both languages.

    fn warnings(v: Verdict) -> Vec<Text> {
        match v {
            Verdict::Valid { warnings } => warnings,
            other => panic!("not Valid: {other:?}"),
        }
    }

    #[test]
    fn the_expiry_warning_counts_days_in_each_language() {
        let cfg = max_age_90d();
        let f = PasswordFacts::new(SET);
        let at = SET + 90 * DAY;
        let one = warnings(judge(&cfg, &f, at - 1));
        let three = warnings(judge(&cfg, &f, at - 3 * DAY));
        assert_eq!(one[0].get("days"), Some(&Arg::Num(1)));
        assert_eq!(
            render(Lang::En, &one[0]),
            format!("Your password expires on {} (in 1 day).", day(Lang::En, at))
        );
        assert_eq!(
            render(Lang::En, &three[0]),
            format!(
                "Your password expires on {} (in 3 days).",
                day(Lang::En, at)
            )
        );
        assert_eq!(
            render(Lang::Ja, &one[0]),
            format!(
                "パスワードの有効期限は{}です（あと1日）。",
                day(Lang::Ja, at)
            )
        );
        assert_eq!(
            render(Lang::Ja, &three[0]),
            format!(
                "パスワードの有効期限は{}です（あと3日）。",
                day(Lang::Ja, at)
            )
        );
    }

    #[test]
    fn the_deadline_warning_in_each_language() {
        let deadline = SET + 10 * DAY;
        let f = PasswordFacts {
            deadline: Some(deadline),
            ..PasswordFacts::new(SET)
        };
        let w = warnings(judge(&PasswordConfig::default(), &f, SET));
        assert_eq!(
            render(Lang::En, &w[0]),
            format!(
                "You must set a new password before {}.",
                moment(Lang::En, deadline)
            )
        );
        assert_eq!(
            render(Lang::Ja, &w[0]),
            format!(
                "{}までに新しいパスワードを設定してください。",
                moment(Lang::Ja, deadline)
            )
        );
        let passed = reason(judge(&PasswordConfig::default(), &f, deadline));
        assert_eq!(
            render(Lang::En, &passed),
            format!(
                "A new password was required before {}; change it now.",
                day(Lang::En, deadline)
            )
        );
        assert_eq!(
            render(Lang::Ja, &passed),
            format!(
                "{}までに新しいパスワードを設定する必要がありました。今すぐ変更してください。",
                day(Lang::Ja, deadline)
            )
        );
    }

    #[test]
    fn the_temporary_password_forced_change_in_each_language() {
        let f = PasswordFacts {
            temporary_until: Some(SET + 3 * DAY),
            force_change: Some(ForceReason::Temporary),
            ..PasswordFacts::new(SET)
        };
        let why = reason(judge(&PasswordConfig::default(), &f, SET));
        assert_eq!(
            render(Lang::En, &why),
            "Your password was set by an administrator and must be changed now."
        );
        assert_eq!(
            render(Lang::Ja, &why),
            "仮パスワードのため、パスワード強制変更の対象です。今すぐ新しいパスワードを設定してください。"
        );
        let until = Text::new("expiry-temporary-until").time("until", SET + 3 * DAY);
        assert_eq!(
            render(Lang::En, &until),
            format!(
                "Your temporary password stops working at {}; set a new one before then.",
                moment(Lang::En, SET + 3 * DAY)
            )
        );
        assert_eq!(
            render(Lang::Ja, &until),
            format!(
                "仮パスワードは{}に使えなくなります。それまでに新しいパスワードを設定してください。",
                moment(Lang::Ja, SET + 3 * DAY)
            )
        );
    }

    #[test]
    fn the_other_forced_changes_in_each_language() {
        let admin = Text::new("expiry-forced-admin");
        assert_eq!(
            render(Lang::En, &admin),
            "Your password was set by an administrator and must be changed now."
        );
        assert!(render(Lang::Ja, &admin).contains("パスワード強制変更"));
        let rules = Text::new("expiry-forced-non-compliant");
        assert_eq!(
            render(Lang::En, &rules),
            "Your password no longer meets the password rules and must be changed now."
        );
        assert!(render(Lang::Ja, &rules).contains("パスワード強制変更"));
        let at = SET + 90 * DAY;
        let expired = reason(judge(&max_age_90d(), &PasswordFacts::new(SET), at));
        assert_eq!(
            render(Lang::En, &expired),
            format!(
                "Your password expired on {} and must be changed now.",
                day(Lang::En, at)
            )
        );
        assert_eq!(
            render(Lang::Ja, &expired),
            format!(
                "パスワード有効期限切れです（有効期限は{}でした）。今すぐ変更してください。",
                day(Lang::Ja, at)
            )
        );
    }
}
