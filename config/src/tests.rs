use std::path::Path;

use super::*;

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::parse(text, Path::new("/etc/monban/monban.toml"))
}

#[test]
fn shipped_config_loads_and_equals_the_defaults() {
    let shipped = parse(SHIPPED).unwrap();
    let defaults = Config::default();
    assert_eq!(format!("{shipped:?}"), format!("{defaults:?}"));
}

#[test]
fn empty_file_gives_defaults() {
    let c = parse("").unwrap();
    assert_eq!(c.password.min_length, 8);
    assert_eq!(c.lockout.unlock_after, Limit::Never);
}

#[test]
fn durations_parse() {
    let c =
        parse("[password]\nmax_age = \"90d\"\nmin_age = \"15m\"\n[daemon]\nidle_timeout = \"30s\"")
            .unwrap();
    assert_eq!(c.password.max_age.secs(), Some(90 * 86400));
    assert_eq!(c.password.min_age.as_secs(), 900);
    assert_eq!(c.daemon.idle_timeout.as_secs(), 30);
}

#[test]
fn bad_duration_names_file_line_and_value() {
    let e = parse("[password]\n\nmax_age = \"ninety days\"\n").unwrap_err();
    assert_eq!(e.line, Some(3));
    let shown = e.to_string();
    assert!(shown.starts_with("/etc/monban/monban.toml:3:"), "{shown}");
    assert!(shown.contains("ninety days"), "{shown}");
}

#[test]
fn unknown_key_is_refused_with_its_line() {
    let e = parse("[lockout]\nmax_failures = 3\nmax_failure = 4\n").unwrap_err();
    assert_eq!(e.line, Some(3));
    assert!(e.message.contains("max_failure"), "{e}");
    let e = parse("[lockot]\n").unwrap_err();
    assert!(e.message.contains("lockot"), "{e}");
}

#[test]
fn cross_field_errors_point_at_the_key() {
    let e = parse("[password]\nmin_length = 10\nmax_length = 6\n").unwrap_err();
    assert_eq!(e.line, Some(3));
    assert!(e.message.contains("max_length"), "{e}");
    let e = parse("[otp]\ndigits = 5\n").unwrap_err();
    assert_eq!(e.line, Some(2));
    let e = parse("[daemon]\nsocket = \"relative.sock\"\n").unwrap_err();
    assert!(e.message.contains("absolute"), "{e}");
}

#[test]
fn unlock_after_never_or_duration() {
    assert_eq!(
        parse("[lockout]\nunlock_after = \"never\"")
            .unwrap()
            .lockout
            .unlock_after,
        Limit::Never
    );
    assert_eq!(
        parse("[lockout]\nunlock_after = \"2s\"")
            .unwrap()
            .lockout
            .unlock_after,
        Limit::After(Span::from_secs(2))
    );
    assert!(parse("[lockout]\nunlock_after = \"0\"").is_err());
}

#[test]
fn library_rule_is_configuration_alone() {
    let c = parse("[password]\nmin_length = 4\nmax_length = 10\nallowed = \"alphanumeric\"\nmin_classes = 1\n").unwrap();
    assert_eq!(c.password.allowed, Allowed::Alphanumeric);
    assert!(c.password.allowed.permits('a') && !c.password.allowed.permits('!'));
}

#[test]
fn explicit_symbol_set() {
    let c = parse("[password]\nallowed = \"alphanumeric+!#\"").unwrap();
    assert!(c.password.allowed.permits('#') && !c.password.allowed.permits('$'));
    assert!(parse("[password]\nallowed = \"alphanumeric+ab\"").is_err());
    assert!(parse("[password]\nallowed = \"latin1\"").is_err());
}

#[test]
fn wrong_type_is_refused() {
    let e = parse("[password]\nmin_length = \"eight\"\n").unwrap_err();
    assert_eq!(e.line, Some(2));
}

#[test]
fn audit_bounds_default_and_the_old_key_is_refused_by_name() {
    let c = parse("").unwrap();
    assert_eq!(c.audit.keep, Limit::After(Span::from_secs(400 * 86_400)));
    assert_eq!((c.audit.rate, c.audit.burst), (30, 60));
    let c = parse("[audit]\nkeep = \"never\"\nrate = 5\nburst = 9\n").unwrap();
    assert_eq!(
        (c.audit.keep, c.audit.rate, c.audit.burst),
        (Limit::Never, 5, 9)
    );
    assert!(parse("[audit]\nrate = 0\n").is_err());
    assert!(parse("[audit]\nburst = 0\n").is_err());
    assert!(parse("[audit]\nkeep = \"10s\"\n").is_err());
    let e = parse("[daemon]\naudit_retention = \"30d\"\n").unwrap_err();
    assert_eq!(e.line, Some(2));
    assert!(e.message.contains("[audit] keep"), "{}", e.message);
}

#[test]
fn privileged_groups_default_to_the_sudoers_groups_and_refuse_empty_names() {
    assert_eq!(
        parse("").unwrap().daemon.privileged_groups,
        ["sudo", "wheel", "admin"]
    );
    let c = parse("[daemon]\nprivileged_groups = []\n").unwrap();
    assert!(c.daemon.privileged_groups.is_empty());
    let e = parse("[daemon]\nprivileged_groups = [\"sudo\", \"\"]\n").unwrap_err();
    assert!(e.to_string().contains("privileged_groups"), "{e}");
}

#[test]
fn mail_reset_and_invite_are_checked_with_file_line_and_reason() {
    let ok = parse(
        "[mail]\nrelay = \"127.0.0.1:25\"\ntls = \"none\"\n[reset]\nenabled = true\nat_login = true\n[invite]\nvalid_for = \"2d\"",
    )
    .unwrap();
    assert_eq!(ok.mail.relay_parts(), Some(("127.0.0.1", 25)));
    assert_eq!(ok.mail.tls, MailTls::None);
    assert!(ok.reset.enabled && ok.reset.at_login);
    assert_eq!(ok.invite.valid_for.as_secs(), 2 * 86400);
    for (text, line, says) in [
        ("[mail]\nrelay = \"mail.example\"", 2, "host:port"),
        ("[reset]\nenabled = true", 2, "needs [mail] relay"),
        (
            "[mail]\nrelay = \"[::1]:25\"\n[reset]\nat_login = true",
            4,
            "enabled = true",
        ),
        ("[mail]\nusername = \"monban\"", 2, "go together"),
        ("[mail]\nfrom = \"monban\"", 2, "e-mail address"),
        (
            "[mail]\npassword_file = \"smtp.pw\"\nusername = \"u\"",
            2,
            "absolute path",
        ),
        ("[mail]\ntls = \"ssl\"", 2, "unknown variant"),
    ] {
        let e = parse(text).unwrap_err();
        assert!(e.to_string().contains(says), "{text}: {e}");
        assert_eq!(e.line, Some(line), "{text}: {e}");
    }
}
