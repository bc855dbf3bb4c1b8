//! Which language: locale names and the order of SPEC §7.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    #[default]
    En,
    Ja,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Ja];

    pub fn code(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Ja => "ja",
        }
    }

    /// `en` or `ja`, as written in the config, on the command line and in
    /// the module's `lang=`.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.code() == code)
    }

    /// A POSIX locale name (`ja_JP.UTF-8`, `en_US`, `ja`, `C`). `C`,
    /// `POSIX`, an empty name and languages monban has no catalog for are
    /// no preference.
    pub fn from_locale(name: &str) -> Option<Self> {
        let language = name
            .split(['_', '.', '@', '-'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        Self::parse(&language)
    }

    /// The first of `LC_ALL`, `LC_MESSAGES`, `LANG` that is set and not
    /// empty decides, as in POSIX; `C` there means no preference.
    pub fn from_env_vars(lookup: impl Fn(&str) -> Option<String>) -> Option<Self> {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .into_iter()
            .filter_map(lookup)
            .find(|v| !v.is_empty())
            .and_then(|v| Self::from_locale(&v))
    }

    /// The language the current process's environment asks for.
    pub fn from_process_env() -> Option<Self> {
        Self::from_env_vars(|k| std::env::var(k).ok())
    }
}

/// What a client found before the daemon decides: `explicit` outranks the
/// user's stored preference (the module's `lang=`, the PAM environment,
/// the CLI's own locale), `ambient` comes after it (the environment of
/// the process running the PAM stack).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LangHint {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explicit: Option<Lang>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ambient: Option<Lang>,
}

impl LangHint {
    /// SPEC §7's order: explicit, the stored preference, ambient, the
    /// daemon's default.
    pub fn resolve(self, preference: Option<Lang>, default: Lang) -> Lang {
        choose([self.explicit, preference, self.ambient], default)
    }
}

/// The first step that names a language, else `default`.
pub fn choose(steps: impl IntoIterator<Item = Option<Lang>>, default: Lang) -> Lang {
    steps.into_iter().flatten().next().unwrap_or(default)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_names_map_to_languages() {
        for (name, want) in [
            ("ja", Some(Lang::Ja)),
            ("ja_JP", Some(Lang::Ja)),
            ("ja_JP.UTF-8", Some(Lang::Ja)),
            ("ja_JP.eucJP", Some(Lang::Ja)),
            ("en_US.UTF-8", Some(Lang::En)),
            ("en", Some(Lang::En)),
            ("C", None),
            ("C.UTF-8", None),
            ("POSIX", None),
            ("", None),
            ("fr_FR.UTF-8", None),
        ] {
            assert_eq!(Lang::from_locale(name), want, "{name:?}");
        }
    }

    #[test]
    fn the_first_variable_set_decides_and_c_means_none() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(
            Lang::from_env_vars(env(&[("LANG", "ja_JP.UTF-8")])),
            Some(Lang::Ja)
        );
        assert_eq!(
            Lang::from_env_vars(env(&[("LC_MESSAGES", "en_US"), ("LANG", "ja_JP")])),
            Some(Lang::En)
        );
        assert_eq!(
            Lang::from_env_vars(env(&[("LC_ALL", "C"), ("LANG", "ja_JP")])),
            None,
            "LC_ALL=C overrides LANG, and C is no preference"
        );
        assert_eq!(
            Lang::from_env_vars(env(&[("LC_ALL", ""), ("LANG", "ja_JP")])),
            Some(Lang::Ja),
            "an empty variable is not set"
        );
        assert_eq!(Lang::from_env_vars(env(&[])), None);
    }

    #[test]
    fn each_step_outranks_the_next() {
        let hint = |explicit, ambient| LangHint { explicit, ambient };
        let (en, ja) = (Some(Lang::En), Some(Lang::Ja));
        assert_eq!(hint(ja, en).resolve(en, Lang::En), Lang::Ja);
        assert_eq!(hint(None, en).resolve(ja, Lang::En), Lang::Ja);
        assert_eq!(hint(None, ja).resolve(None, Lang::En), Lang::Ja);
        assert_eq!(hint(None, None).resolve(None, Lang::Ja), Lang::Ja);
        assert_eq!(hint(en, ja).resolve(ja, Lang::Ja), Lang::En);
    }
}
