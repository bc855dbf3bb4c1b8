//! Password composition rules (`[password]`): each rule is judged and
//! reported, so a refusal lists every failed rule at once.
#![forbid(unsafe_code)]

use monban_config::{Allowed, PasswordConfig};
use monban_proto::{PolicyReport, RuleResult, Text};
use zeroize::Zeroizing;

use super::expiry::{self, PasswordFacts};

/// Judges `candidate` for `user` against the composition rules, in the
/// order `min_length`, `max_length`, `allowed`, `min_classes` (when at
/// least 2 are required), `username` (when `reject_username`), `strength`
/// (when `min_strength` > 0); the report's `strength` is always the score.
pub fn check(cfg: &PasswordConfig, user: &str, candidate: &str) -> PolicyReport {
    let length = candidate.chars().count();
    let score = strength(user, candidate);
    // Both length rules carry both bounds: the municipal wording names the
    // whole range ("8~64文字で入力してください").
    let length_text = |id: &str| {
        Text::new(id)
            .arg("min", cfg.min_length)
            .arg("max", cfg.max_length)
    };
    let mut rules = vec![
        rule(
            "min_length",
            length >= cfg.min_length,
            length_text("policy-min-length"),
        ),
        rule(
            "max_length",
            length <= cfg.max_length,
            length_text("policy-max-length"),
        ),
        allowed_rule(&cfg.allowed, candidate),
    ];
    // One class is implied by any non-empty password, which min_length
    // (at least 1) already demands: only a real mix is worth a line.
    if cfg.min_classes >= 2 {
        rules.push(rule(
            "min_classes",
            classes(candidate) >= cfg.min_classes,
            Text::new("policy-min-classes").arg("min", cfg.min_classes),
        ));
    }
    if cfg.reject_username {
        rules.push(rule(
            "username",
            !contains_login_name(user, candidate),
            Text::new("policy-username"),
        ));
    }
    if cfg.min_strength > 0 {
        let passed = score >= cfg.min_strength;
        let id = if passed {
            "policy-strength-enough"
        } else {
            "policy-strength-weak"
        };
        rules.push(rule(
            "strength",
            passed,
            Text::new(id)
                .arg("score", score)
                .arg("min", cfg.min_strength),
        ));
    }
    PolicyReport {
        rules,
        strength: score,
    }
}

/// `history`: the candidate must not be one of the last `history` passwords.
pub fn history_rule(reused: bool, history: usize) -> RuleResult {
    rule(
        "history",
        !reused,
        Text::new("policy-history").arg("count", history),
    )
}

/// `min_age`: the current password (`facts`, None when there is none) must
/// be old enough to change, unless a change is required or it is temporary.
pub fn min_age_rule(cfg: &PasswordConfig, facts: Option<&PasswordFacts>, now: i64) -> RuleResult {
    match facts.and_then(|f| expiry::changeable_after(cfg, f, now)) {
        Some(at) => rule(
            "min_age",
            false,
            Text::new("policy-min-age-wait").time("after", at),
        ),
        None => rule("min_age", true, Text::new("policy-min-age-now")),
    }
}

/// `not_login_password`: the confirmation password must differ from the
/// login password (`same` says whether it does not).
pub fn differs_rule(same: bool) -> RuleResult {
    rule(
        "not_login_password",
        !same,
        Text::new("policy-not-login-password"),
    )
}

/// `not_login_password` when the comparison could not be made: the login
/// password is suspended, so comparing would be one more guess at it.
pub fn differs_unknown_rule() -> RuleResult {
    rule(
        "not_login_password",
        false,
        Text::new("policy-not-login-password-suspended"),
    )
}

/// The failed rules of `report`, one list item each, for the messages
/// that list them ("The new password was not accepted:").
pub fn failure_items(report: &PolicyReport) -> Vec<Text> {
    report
        .rules
        .iter()
        .filter(|r| !r.passed)
        .map(|r| Text::new("policy-list-item").arg("item", vec![r.message.clone()]))
        .collect()
}

fn rule(id: &str, passed: bool, message: Text) -> RuleResult {
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

/// What `allowed` permits, as words.
fn allowed_chars(allowed: &Allowed) -> Text {
    match allowed {
        Allowed::PrintableAscii => Text::new("policy-allowed-chars").arg("allowed", "printable"),
        Allowed::Alphanumeric => Text::new("policy-allowed-chars").arg("allowed", "alphanumeric"),
        Allowed::AlphanumericPlus(symbols) => Text::new("policy-allowed-chars")
            .arg("allowed", "alphanumeric-plus")
            .arg("symbols", symbols),
    }
}

/// The kinds of character that break `allowed`, as named in the messages.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Found {
    Spaces,
    Control,
    NonAscii,
    Symbols,
}

impl Found {
    fn text(self) -> Text {
        let kind = match self {
            Self::Spaces => "spaces",
            Self::Control => "control",
            Self::NonAscii => "non-ascii",
            Self::Symbols => "symbols",
        };
        Text::new("policy-found-kind").arg("kind", kind)
    }
}

/// "a", "a and b", "a, b and c": the list is built in the catalog, one
/// pair at a time, so each language joins it its own way.
fn listing(first: Text, mut rest: Vec<Text>) -> Text {
    if rest.is_empty() {
        return first;
    }
    let second = rest.remove(0);
    if rest.is_empty() {
        return Text::new("policy-list-two")
            .arg("first", vec![first])
            .arg("last", vec![second]);
    }
    Text::new("policy-list-more")
        .arg("first", vec![first])
        .arg("rest", vec![listing(second, rest)])
}

/// The message names what kind of characters broke the rule, never the
/// characters themselves: the report may end up in a log or on a screen.
fn allowed_rule(allowed: &Allowed, candidate: &str) -> RuleResult {
    let chars = vec![allowed_chars(allowed)];
    let mut found: Vec<Found> = Vec::new();
    for c in candidate.chars().filter(|&c| !allowed.permits(c)) {
        let kind = if c == ' ' {
            Found::Spaces
        } else if c.is_ascii_control() {
            Found::Control
        } else if !c.is_ascii() {
            Found::NonAscii
        } else {
            Found::Symbols
        };
        if !found.contains(&kind) {
            found.push(kind);
        }
    }
    let mut found = found.into_iter().map(Found::text);
    let Some(first) = found.next() else {
        return rule(
            "allowed",
            true,
            Text::new("policy-allowed").arg("chars", chars),
        );
    };
    let kinds = listing(first, found.collect());
    rule(
        "allowed",
        false,
        Text::new("policy-allowed-found")
            .arg("chars", chars)
            .arg("found", vec![kinds]),
    )
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
    use monban_proto::{Arg, Catalog, Lang};

    use super::*;
    use crate::rules::expiry::ForceReason;

    fn render(lang: Lang, text: &Text) -> String {
        Catalog::new(lang).render(text)
    }

    /// The message ids of the failed rules, in order.
    fn failed_ids(report: &PolicyReport) -> Vec<&str> {
        report
            .rules
            .iter()
            .filter(|r| !r.passed)
            .map(|r| r.message.id.as_str())
            .collect()
    }

    fn text<'a>(report: &'a PolicyReport, rule: &str) -> &'a Text {
        report
            .rules
            .iter()
            .find(|r| r.rule == rule)
            .map(|r| &r.message)
            .unwrap_or_else(|| panic!("no rule {rule}"))
    }

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

    /// The English words of one rule's message.
    fn message(report: &PolicyReport, rule: &str) -> String {
        render(Lang::En, text(report, rule))
    }

    // SPEC §4, composition table, login name `yamagishi`.

    #[test]
    fn yamagishi001_is_rejected_for_containing_the_login_name() {
        let r = check(&defaults(), "yamagishi", "yamagishi001");
        assert_eq!(failed(&r), ["username"]);
        assert_eq!(failed_ids(&r), ["policy-username"]);
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
        assert_eq!(failed_ids(&r), ["policy-min-length"]);
        let t = text(&r, "min_length");
        assert_eq!(t.get("min"), Some(&Arg::Num(8)));
        assert_eq!(t.get("max"), Some(&Arg::Num(64)));
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
        assert_eq!(failed_ids(&r), ["policy-max-length"]);
        assert_eq!(text(&r, "max_length").get("max"), Some(&Arg::Num(64)));
    }

    #[test]
    fn allowed_names_the_kind_of_bad_character_never_the_password() {
        // A full-width letter: the municipal rule wants half-width only.
        let r = check(&defaults(), "u", "secret12Ａ");
        assert_eq!(failed(&r), ["allowed"]);
        assert_eq!(failed_ids(&r), ["policy-allowed-found"]);
        assert_eq!(
            message(&r, "allowed"),
            "must contain only printable ASCII characters (found non-ASCII characters)"
        );
        for lang in Lang::ALL {
            let words = render(lang, text(&r, "allowed"));
            assert!(
                !words.contains("secret") && !words.contains('Ａ'),
                "{words}"
            );
        }

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
        assert_eq!(text(&r, "allowed").id, "policy-allowed");
        assert_eq!(
            message(&r, "allowed"),
            "must contain only letters and digits"
        );
        assert!(r.passed());
        let r = check(&cfg, "u", "a b\tc!\u{e9}");
        assert_eq!(
            message(&r, "allowed"),
            "must contain only letters and digits (found spaces, control characters, symbols and non-ASCII characters)"
        );
        assert_eq!(
            render(Lang::Ja, text(&r, "allowed")),
            "半角英数字で入力してください（スペース・制御文字・使えない記号・半角以外の文字が含まれています）"
        );
    }

    #[test]
    fn allowed_with_an_explicit_symbol_set() {
        let cfg = PasswordConfig {
            allowed: Allowed::AlphanumericPlus("!#".into()),
            ..defaults()
        };
        assert!(check(&cfg, "u", "secret#1").passed());
        let r = check(&cfg, "u", "secret$1");
        assert_eq!(failed(&r), ["allowed"]);
        assert_eq!(
            message(&r, "allowed"),
            "must contain only letters, digits and the symbols !# (found symbols)"
        );
    }

    #[test]
    fn min_classes_counts_lower_upper_digit_symbol() {
        let r = check(&defaults(), "u", "abcdefgh");
        assert_eq!(failed(&r), ["min_classes"]);
        assert_eq!(failed_ids(&r), ["policy-min-classes"]);
        assert_eq!(text(&r, "min_classes").get("min"), Some(&Arg::Num(2)));
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
        assert_eq!(failed_ids(&r), ["policy-strength-weak"]);
        let t = text(&r, "strength");
        assert_eq!(t.get("score"), Some(&Arg::Num(i64::from(r.strength))));
        assert_eq!(t.get("min"), Some(&Arg::Num(3)));
        let r = check(&cfg, "u", "tK9#vq2!Lm7$wZ4p");
        assert!(r.passed());
        assert_eq!(text(&r, "strength").id, "policy-strength-enough");
        assert_eq!(text(&r, "strength").get("score"), Some(&Arg::Num(4)));
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
        assert_eq!(failure_items(&r).len(), 5);
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
        assert_eq!(r.message.id, "policy-history");
        assert_eq!(r.message.get("count"), Some(&Arg::Num(5)));
        assert!(history_rule(false, 5).passed);
        assert_eq!(
            history_rule(true, 1).message.get("count"),
            Some(&Arg::Num(1))
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
        assert_eq!(r.message.id, "policy-min-age-wait");
        assert_eq!(r.message.get("after"), Some(&Arg::Time(set_at + 86_400)));
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
        assert_eq!(r.message.id, "policy-not-login-password");
        assert!(differs_rule(false).passed);
        let r = differs_unknown_rule();
        assert!(!r.passed);
        assert_eq!(r.rule, "not_login_password");
        assert_eq!(r.message.id, "policy-not-login-password-suspended");
    }

    // The words, exactly, in both languages (SPEC §7: the municipal
    // composition errors, with the numbers of the configuration).

    /// The failed rules' words in `lang`, one per line as PAM shows them.
    fn failures_in(lang: Lang, report: &PolicyReport) -> Vec<String> {
        let mut report = report.clone();
        report.render(&Catalog::new(lang));
        report.failures().into_iter().map(str::to_string).collect()
    }

    #[test]
    fn the_municipal_composition_errors_in_japanese() {
        let cfg = defaults();
        assert_eq!(
            (cfg.min_length, cfg.max_length, cfg.min_classes),
            (8, 64, 2)
        );
        let short = check(&cfg, "yamagishi", "yama001");
        assert_eq!(
            failures_in(Lang::Ja, &short),
            ["8~64文字で入力してください"]
        );
        let long = check(&cfg, "u", &format!("{}x", "a1".repeat(32)));
        assert_eq!(failures_in(Lang::Ja, &long), ["8~64文字で入力してください"]);
        let one_class = check(&cfg, "u", "abcdefgh");
        assert_eq!(
            failures_in(Lang::Ja, &one_class),
            ["英大文字・英小文字・数字・記号のうち2種類以上を含めて入力してください"]
        );
        let name = check(&cfg, "yamagishi", "yamagishi001");
        assert_eq!(
            failures_in(Lang::Ja, &name),
            ["ユーザーIDを含めないでください"]
        );
    }

    #[test]
    fn the_numbers_come_from_the_configuration() {
        let cfg = PasswordConfig {
            min_length: 10,
            max_length: 20,
            min_classes: 3,
            ..defaults()
        };
        let r = check(&cfg, "u", "abcdefg1");
        assert_eq!(
            failures_in(Lang::Ja, &r),
            [
                "10~20文字で入力してください",
                "英大文字・英小文字・数字・記号のうち3種類以上を含めて入力してください"
            ]
        );
        assert_eq!(
            failures_in(Lang::En, &r),
            [
                "must be at least 10 characters",
                "must mix at least 3 of: lower case, upper case, digits, symbols"
            ]
        );
    }

    #[test]
    fn english_rule_texts_are_unchanged() {
        let cfg = PasswordConfig {
            min_strength: 3,
            ..defaults()
        };
        let r = check(&cfg, "yamagishi", "yamagishi");
        assert_eq!(
            failures_in(Lang::En, &r),
            [
                "must mix at least 2 of: lower case, upper case, digits, symbols",
                "must not contain your login name",
                &format!(
                    "must be stronger (strength {}/4, at least 3 needed)",
                    r.strength
                ),
            ]
        );
        let en = |t: &RuleResult| render(Lang::En, &t.message);
        assert_eq!(
            en(&history_rule(true, 5)),
            "must differ from your last 5 passwords"
        );
        assert_eq!(
            en(&history_rule(true, 1)),
            "must differ from your last password"
        );
        assert_eq!(
            en(&differs_rule(true)),
            "must differ from your login password"
        );
        assert_eq!(
            en(&differs_unknown_rule()),
            "can be set once your login password is no longer suspended"
        );
        assert_eq!(
            en(&min_age_rule(&defaults(), None, 0)),
            "can be changed now"
        );
        let strong = check(&cfg, "u", "tK9#vq2!Lm7$wZ4p");
        assert_eq!(
            message(&strong, "strength"),
            "is strong enough (strength 4/4, at least 3 needed)"
        );
    }

    #[test]
    fn strength_and_history_in_japanese() {
        let cfg = PasswordConfig {
            min_strength: 3,
            ..defaults()
        };
        let strong = check(&cfg, "u", "tK9#vq2!Lm7$wZ4p");
        assert_eq!(
            render(Lang::Ja, text(&strong, "strength")),
            "十分な強さです（パスワード強度 強（4/4）、必要なのは3/4以上）"
        );
        let weak = Text::new("policy-strength-weak")
            .arg("score", 1)
            .arg("min", 3);
        assert_eq!(
            render(Lang::Ja, &weak),
            "もっと推測されにくいパスワードにしてください（パスワード強度 弱（1/4）、必要なのは3/4以上）"
        );
        let fair = Text::new("policy-strength-weak")
            .arg("score", 2)
            .arg("min", 3);
        assert!(render(Lang::Ja, &fair).contains("パスワード強度 中（2/4）"));
        assert_eq!(
            render(Lang::Ja, &history_rule(true, 5).message),
            "直近5回に使ったパスワードとは異なるものにしてください"
        );
    }

    #[test]
    fn min_age_says_when_in_the_readers_calendar() {
        let cfg = PasswordConfig {
            min_age: Span::from_secs(86_400),
            ..defaults()
        };
        let set_at = 1_700_000_000;
        let r = min_age_rule(&cfg, Some(&PasswordFacts::new(set_at)), set_at);
        let at = set_at + 86_400;
        let local = chrono::DateTime::from_timestamp(at, 0)
            .unwrap()
            .with_timezone(&chrono::Local);
        assert_eq!(
            render(Lang::En, &r.message),
            format!(
                "can be changed again after {}",
                local.format("%Y-%m-%d %H:%M")
            )
        );
        assert_eq!(
            render(Lang::Ja, &r.message),
            format!("{}以降に変更できます", local.format("%Y年%-m月%-d日 %H:%M"))
        );
    }

    #[test]
    fn a_refusal_lists_each_failed_rule_on_its_own_line() {
        let r = check(&defaults(), "yamagishi", "yama");
        let items = failure_items(&r);
        assert_eq!(items.len(), 2);
        let lines: Vec<String> = items.iter().map(|t| render(Lang::En, t)).collect();
        assert_eq!(
            lines,
            [
                "  - must be at least 8 characters",
                "  - must mix at least 2 of: lower case, upper case, digits, symbols"
            ]
        );
        let ja: Vec<String> = items.iter().map(|t| render(Lang::Ja, t)).collect();
        assert_eq!(
            ja,
            [
                "  - 8~64文字で入力してください",
                "  - 英大文字・英小文字・数字・記号のうち2種類以上を含めて入力してください"
            ]
        );
    }
}
