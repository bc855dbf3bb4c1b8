//! Password composition rules (`[password]`): each rule is judged and
//! reported, so a refusal lists every failed rule at once.
#![forbid(unsafe_code)]

use monban_config::{Allowed, PasswordConfig};
use monban_proto::{PolicyReport, RuleResult};
use zeroize::Zeroizing;

use super::expiry::{self, PasswordFacts};
use super::format_datetime;

/// Judges `candidate` for `user` against the composition rules, in the
/// order `min_length`, `max_length`, `allowed`, `min_classes` (when at
/// least 2 are required), `username` (when `reject_username`), `strength`
/// (when `min_strength` > 0); the report's `strength` is always the score.
pub fn check(cfg: &PasswordConfig, user: &str, candidate: &str) -> PolicyReport {
    let length = candidate.chars().count();
    let score = strength(user, candidate);
    let mut rules = vec![
        rule(
            "min_length",
            length >= cfg.min_length,
            format!("must be at least {} characters", cfg.min_length),
        ),
        rule(
            "max_length",
            length <= cfg.max_length,
            format!("must be at most {} characters", cfg.max_length),
        ),
        allowed_rule(&cfg.allowed, candidate),
    ];
    // One class is implied by any non-empty password, which min_length
    // (at least 1) already demands: only a real mix is worth a line.
    if cfg.min_classes >= 2 {
        rules.push(rule(
            "min_classes",
            classes(candidate) >= cfg.min_classes,
            format!(
                "must mix at least {} of: lower case, upper case, digits, symbols",
                cfg.min_classes
            ),
        ));
    }
    if cfg.reject_username {
        rules.push(rule(
            "username",
            !contains_login_name(user, candidate),
            "must not contain your login name".into(),
        ));
    }
    if cfg.min_strength > 0 {
        let passed = score >= cfg.min_strength;
        let lead = if passed {
            "is strong enough"
        } else {
            "must be stronger"
        };
        rules.push(rule(
            "strength",
            passed,
            format!(
                "{lead} (strength {score}/4, at least {} needed)",
                cfg.min_strength
            ),
        ));
    }
    PolicyReport {
        rules,
        strength: score,
    }
}

/// `history`: the candidate must not be one of the last `history` passwords.
pub fn history_rule(reused: bool, history: usize) -> RuleResult {
    let message = if history == 1 {
        "must differ from your last password".to_string()
    } else {
        format!("must differ from your last {history} passwords")
    };
    rule("history", !reused, message)
}

/// `min_age`: the current password (`facts`, None when there is none) must
/// be old enough to change, unless a change is required or it is temporary.
pub fn min_age_rule(cfg: &PasswordConfig, facts: Option<&PasswordFacts>, now: i64) -> RuleResult {
    match facts.and_then(|f| expiry::changeable_after(cfg, f, now)) {
        Some(at) => rule(
            "min_age",
            false,
            format!("can be changed again after {}", format_datetime(at)),
        ),
        None => rule("min_age", true, "can be changed now".into()),
    }
}

/// `not_login_password`: the confirmation password must differ from the
/// login password (`same` says whether it does not).
pub fn differs_rule(same: bool) -> RuleResult {
    rule(
        "not_login_password",
        !same,
        "must differ from your login password".into(),
    )
}

fn rule(id: &str, passed: bool, message: String) -> RuleResult {
    RuleResult {
        rule: id.into(),
        passed,
        message,
    }
}

/// zxcvbn's 0–4 score, with the login name as a known word.
fn strength(user: &str, candidate: &str) -> u8 {
    u8::from(zxcvbn::zxcvbn(candidate, &[user]).score())
}

/// The message names what kind of characters broke the rule, never the
/// characters themselves: the report may end up in a log or on a screen.
fn allowed_rule(allowed: &Allowed, candidate: &str) -> RuleResult {
    let requirement = format!("must contain only {}", allowed.describe());
    let mut found: Vec<&str> = Vec::new();
    for c in candidate.chars().filter(|&c| !allowed.permits(c)) {
        let kind = if c == ' ' {
            "spaces"
        } else if c.is_ascii_control() {
            "control characters"
        } else if !c.is_ascii() {
            "non-ASCII characters"
        } else {
            "symbols"
        };
        if !found.contains(&kind) {
            found.push(kind);
        }
    }
    if found.is_empty() {
        return rule("allowed", true, requirement);
    }
    let kinds = match found.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => found.concat(),
    };
    rule("allowed", false, format!("{requirement} (found {kinds})"))
}

/// How many of {lower case, upper case, digit, symbol} appear. Only ASCII
/// counts: other characters are refused by `allowed` anyway.
fn classes(candidate: &str) -> usize {
    let has = |f: fn(&char) -> bool| candidate.chars().any(|c| f(&c));
    [
        has(char::is_ascii_lowercase),
        has(char::is_ascii_uppercase),
        has(char::is_ascii_digit),
        has(|c| c.is_ascii_punctuation() || *c == ' '),
    ]
    .into_iter()
    .filter(|&present| present)
    .count()
}

/// The whole login name, in any case; a part of it is fine.
fn contains_login_name(user: &str, candidate: &str) -> bool {
    // The folded copy of the candidate is wiped like the candidate itself.
    !user.is_empty() && Zeroizing::new(candidate.to_lowercase()).contains(&user.to_lowercase())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use monban_config::{Config, Span};

    use super::*;
    use crate::rules::expiry::ForceReason;

    fn defaults() -> PasswordConfig {
        PasswordConfig::default()
    }

    fn failed(report: &PolicyReport) -> Vec<&str> {
        report
            .rules
            .iter()
            .filter(|r| !r.passed)
            .map(|r| r.rule.as_str())
            .collect()
    }

    fn message<'a>(report: &'a PolicyReport, id: &str) -> &'a str {
        report
            .rules
            .iter()
            .find(|r| r.rule == id)
            .map(|r| r.message.as_str())
            .unwrap_or_default()
    }

    // SPEC §4, composition table, login name `yamagishi`.

    #[test]
    fn yamagishi001_is_rejected_for_containing_the_login_name() {
        let r = check(&defaults(), "yamagishi", "yamagishi001");
        assert_eq!(failed(&r), ["username"]);
        assert_eq!(r.failures(), ["must not contain your login name"]);
    }

    #[test]
    fn capitalised_yamagishi001_is_rejected_case_insensitively() {
        let r = check(&defaults(), "yamagishi", "Yamagishi001");
        assert_eq!(failed(&r), ["username"]);
    }

    #[test]
    fn yama001_is_rejected_for_seven_characters() {
        let r = check(&defaults(), "yamagishi", "yama001");
        assert_eq!(failed(&r), ["min_length"]);
        assert_eq!(r.failures(), ["must be at least 8 characters"]);
    }

    #[test]
    fn yama1234_is_accepted_as_only_part_of_the_name() {
        let r = check(&defaults(), "yamagishi", "yama1234");
        assert!(r.passed(), "{:?}", r.failures());
    }

    // One test per rule.

    #[test]
    fn rules_come_in_a_fixed_order() {
        let cfg = PasswordConfig {
            min_strength: 1,
            ..defaults()
        };
        let r = check(&cfg, "u", "Correct horse 7");
        let ids: Vec<&str> = r.rules.iter().map(|r| r.rule.as_str()).collect();
        assert_eq!(
            ids,
            [
                "min_length",
                "max_length",
                "allowed",
                "min_classes",
                "username",
                "strength"
            ]
        );
    }

    #[test]
    fn min_length_counts_characters_not_bytes() {
        let cfg = PasswordConfig {
            min_length: 4,
            max_length: 5,
            allowed: Allowed::PrintableAscii,
            ..defaults()
        };
        // Four characters, eight bytes.
        let r = check(&cfg, "u", "éééé");
        assert!(!failed(&r).contains(&"min_length"));
        assert!(!failed(&r).contains(&"max_length"));
        assert!(failed(&check(&cfg, "u", "ab1")).contains(&"min_length"));
    }

    #[test]
    fn max_length_refuses_one_character_too_many() {
        let r = check(&defaults(), "u", &"a1".repeat(32));
        assert!(r.passed());
        let r = check(&defaults(), "u", &format!("{}x", "a1".repeat(32)));
        assert_eq!(failed(&r), ["max_length"]);
        assert_eq!(r.failures(), ["must be at most 64 characters"]);
    }

    #[test]
    fn allowed_names_the_kind_of_bad_character_never_the_password() {
        // A full-width letter: the municipal rule wants half-width only.
        let r = check(&defaults(), "u", "secret12Ａ");
        assert_eq!(failed(&r), ["allowed"]);
        let text = message(&r, "allowed");
        assert!(text.starts_with("must contain only printable ASCII characters"));
        assert!(text.contains("non-ASCII"), "{text}");
        assert!(!text.contains("secret"), "{text}");

        let cfg = PasswordConfig {
            allowed: Allowed::Alphanumeric,
            min_classes: 0,
            ..defaults()
        };
        let r = check(&cfg, "u", "pass word!");
        assert_eq!(
            message(&r, "allowed"),
            "must contain only letters and digits (found spaces and symbols)"
        );
        let r = check(&cfg, "u", "password1");
        assert_eq!(
            message(&r, "allowed"),
            "must contain only letters and digits"
        );
        assert!(r.passed());
    }

    #[test]
    fn allowed_with_an_explicit_symbol_set() {
        let cfg = PasswordConfig {
            allowed: Allowed::AlphanumericPlus("!#".into()),
            ..defaults()
        };
        assert!(check(&cfg, "u", "secret#1").passed());
        assert_eq!(failed(&check(&cfg, "u", "secret$1")), ["allowed"]);
    }

    #[test]
    fn min_classes_counts_lower_upper_digit_symbol() {
        let r = check(&defaults(), "u", "abcdefgh");
        assert_eq!(failed(&r), ["min_classes"]);
        assert_eq!(
            r.failures(),
            ["must mix at least 2 of: lower case, upper case, digits, symbols"]
        );
        for ok in ["abcdefg1", "abcdefgH", "abcdefg!", "abcd efg", "ABCDEFG1"] {
            assert!(check(&defaults(), "u", ok).passed(), "{ok}");
        }
        let four = PasswordConfig {
            min_classes: 4,
            ..defaults()
        };
        assert_eq!(failed(&check(&four, "u", "Abcdefg1")), ["min_classes"]);
        assert!(check(&four, "u", "Abcdef1!").passed());
    }

    #[test]
    fn username_rule_only_when_configured() {
        let cfg = PasswordConfig {
            reject_username: false,
            ..defaults()
        };
        let r = check(&cfg, "yamagishi", "yamagishi001");
        assert!(r.passed());
        assert!(r.rules.iter().all(|r| r.rule != "username"));
    }

    #[test]
    fn strength_is_always_reported_and_enforced_only_with_a_minimum() {
        let weak = check(&defaults(), "u", "password1");
        assert!(weak.passed());
        assert!(weak.strength <= 1);
        assert!(weak.rules.iter().all(|r| r.rule != "strength"));
        let strong = check(&defaults(), "u", "tK9#vq2!Lm7$wZ4p");
        assert_eq!(strong.strength, 4);
    }

    #[test]
    fn strength_minimum_refuses_a_weak_password() {
        let cfg = PasswordConfig {
            min_strength: 3,
            ..defaults()
        };
        let r = check(&cfg, "u", "password1");
        assert_eq!(failed(&r), ["strength"]);
        assert_eq!(
            r.failures(),
            [format!(
                "must be stronger (strength {}/4, at least 3 needed)",
                r.strength
            )]
        );
        let r = check(&cfg, "u", "tK9#vq2!Lm7$wZ4p");
        assert!(r.passed());
        assert_eq!(
            message(&r, "strength"),
            "is strong enough (strength 4/4, at least 3 needed)"
        );
    }

    #[test]
    fn strength_counts_the_login_name_as_known() {
        let with = check(&defaults(), "zqxjvbnrtw", "zqxjvbnrtw");
        let without = check(&defaults(), "someoneelse", "zqxjvbnrtw");
        assert!(with.strength < without.strength);
    }

    #[test]
    fn every_failed_rule_is_listed_at_once() {
        let cfg = PasswordConfig {
            min_strength: 3,
            ..defaults()
        };
        // Short, an ideographic space, one class, the login name, weak.
        let r = check(&cfg, "ab", "ab\u{3000}");
        assert_eq!(
            failed(&r),
            [
                "min_length",
                "allowed",
                "min_classes",
                "username",
                "strength"
            ]
        );
        assert_eq!(r.failures().len(), 5);
    }

    #[test]
    fn library_rule_four_to_ten_alphanumerics_by_configuration_alone() {
        let toml = r#"
            [password]
            min_length = 4
            max_length = 10
            min_classes = 1
            allowed = "alphanumeric"
            reject_username = false
        "#;
        let cfg = Config::parse(toml, Path::new("library.toml"))
            .map(|c| c.password)
            .unwrap_or_else(|e| panic!("{e}"));
        let judge = |p: &str| failed(&check(&cfg, "reader", p)).join(",");
        assert_eq!(judge("abcd"), "");
        assert_eq!(judge("Abcd123456"), "");
        assert_eq!(judge("reader"), "");
        assert_eq!(judge("abc"), "min_length");
        assert_eq!(judge("abcde123456"), "max_length");
        assert_eq!(judge("ab_cd"), "allowed");
        assert_eq!(judge("ab cd"), "allowed");
    }

    #[test]
    fn history_rule_refuses_reuse() {
        let r = history_rule(true, 5);
        assert!(!r.passed);
        assert_eq!(r.rule, "history");
        assert_eq!(r.message, "must differ from your last 5 passwords");
        assert!(history_rule(false, 5).passed);
        assert_eq!(
            history_rule(true, 1).message,
            "must differ from your last password"
        );
    }

    #[test]
    fn min_age_rule_waits_for_the_minimum_age() {
        let cfg = PasswordConfig {
            min_age: Span::from_secs(86_400),
            ..defaults()
        };
        let set_at = 1_700_000_000;
        let facts = PasswordFacts::new(set_at);
        let r = min_age_rule(&cfg, Some(&facts), set_at + 3600);
        assert!(!r.passed);
        assert_eq!(r.rule, "min_age");
        assert_eq!(
            r.message,
            format!(
                "can be changed again after {}",
                format_datetime(set_at + 86_400)
            )
        );
        assert!(min_age_rule(&cfg, Some(&facts), set_at + 86_400).passed);
        assert!(min_age_rule(&cfg, None, set_at).passed);
        assert!(min_age_rule(&defaults(), Some(&facts), set_at).passed);
    }

    #[test]
    fn min_age_never_blocks_a_required_change() {
        let cfg = PasswordConfig {
            min_age: Span::from_secs(86_400),
            ..defaults()
        };
        let set_at = 1_700_000_000;
        let forced = PasswordFacts {
            force_change: Some(ForceReason::AdminReset),
            ..PasswordFacts::new(set_at)
        };
        assert!(min_age_rule(&cfg, Some(&forced), set_at + 1).passed);
        let temporary = PasswordFacts {
            temporary_until: Some(set_at + 3 * 86_400),
            ..PasswordFacts::new(set_at)
        };
        assert!(min_age_rule(&cfg, Some(&temporary), set_at + 1).passed);
        let deadline = PasswordFacts {
            deadline: Some(set_at + 7 * 86_400),
            ..PasswordFacts::new(set_at)
        };
        assert!(min_age_rule(&cfg, Some(&deadline), set_at + 1).passed);
    }

    #[test]
    fn confirmation_password_must_differ_from_login_password() {
        let r = differs_rule(true);
        assert!(!r.passed);
        assert_eq!(r.rule, "not_login_password");
        assert_eq!(r.message, "must differ from your login password");
        assert!(differs_rule(false).passed);
    }
}
