//! The language of the CLI's own words (SPEC §7) and the catalogs they
//! come from.
//!
//! The CLI's own locale (`LC_ALL`, `LC_MESSAGES`, `LANG`) comes first and
//! is sent to the daemon as the explicit hint; then the language the daemon
//! answered in (the caller's stored preference, else its `[daemon]
//! language`); then the `[daemon] language` of the config when it can be
//! read; then English. Texts from the daemon arrive already rendered and
//! are printed as they are.
//!
//! clap's own usage, `--help` and parse errors (a bad date or duration is
//! one) stay English: clap renders them before any of this is known.

use std::cell::Cell;

use monban_proto::{Catalog, Catalogs, Lang, LangHint};

pub(crate) struct Tr {
    catalogs: Catalogs,
    explicit: Option<Lang>,
    reply: Cell<Option<Lang>>,
    config: Cell<Option<Lang>>,
}

impl Tr {
    pub(crate) fn new(explicit: Option<Lang>) -> Self {
        Self {
            catalogs: Catalogs::default(),
            explicit,
            reply: Cell::new(None),
            config: Cell::new(None),
        }
    }

    /// The CLI's own environment decides first.
    pub(crate) fn from_env() -> Self {
        Self::new(Lang::from_process_env())
    }

    /// What every request tells the daemon: the CLI's locale outranks the
    /// stored preference; there is no ambient step for the CLI.
    pub(crate) fn hint(&self) -> LangHint {
        LangHint {
            explicit: self.explicit,
            ambient: None,
        }
    }

    /// The language the daemon rendered its last reply in, when it said.
    pub(crate) fn replied_in(&self, lang: Option<Lang>) {
        if lang.is_some() {
            self.reply.set(lang);
        }
    }

    /// `[daemon] language` of a config that could be read.
    pub(crate) fn configured(&self, lang: Option<Lang>) {
        self.config.set(lang);
    }

    pub(crate) fn lang(&self) -> Lang {
        pick(self.explicit, self.reply.get(), self.config.get())
    }

    /// The catalog of the CLI's language now.
    pub(crate) fn cat(&self) -> &Catalog {
        self.catalogs.get(self.lang())
    }
}

/// SPEC §7 for the CLI: its own locale, then the language of the daemon's
/// reply, then the config's, else English.
pub(crate) fn pick(explicit: Option<Lang>, reply: Option<Lang>, config: Option<Lang>) -> Lang {
    explicit.or(reply).or(config).unwrap_or(Lang::En)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EN: Option<Lang> = Some(Lang::En);
    const JA: Option<Lang> = Some(Lang::Ja);

    #[test]
    fn the_environment_outranks_the_reply_which_outranks_the_config() {
        assert_eq!(pick(EN, JA, JA), Lang::En);
        assert_eq!(pick(JA, EN, EN), Lang::Ja);
        assert_eq!(pick(None, JA, EN), Lang::Ja);
        assert_eq!(pick(None, EN, JA), Lang::En);
        assert_eq!(pick(None, None, JA), Lang::Ja);
        assert_eq!(pick(None, None, None), Lang::En);
    }

    #[test]
    fn c_and_posix_are_no_preference() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        let explicit = Lang::from_env_vars(env(&[("LC_ALL", "C"), ("LANG", "ja_JP.UTF-8")]));
        assert_eq!(explicit, None);
        assert_eq!(pick(explicit, JA, EN), Lang::Ja, "the reply decides");
        let explicit = Lang::from_env_vars(env(&[("LANG", "POSIX")]));
        assert_eq!(pick(explicit, None, JA), Lang::Ja, "the config decides");
        let explicit = Lang::from_env_vars(env(&[("LC_MESSAGES", "ja_JP.UTF-8")]));
        assert_eq!(pick(explicit, EN, EN), Lang::Ja);
    }

    #[test]
    fn a_reply_that_names_no_language_keeps_the_last_one() {
        let tr = Tr::new(None);
        assert_eq!(tr.lang(), Lang::En);
        tr.configured(JA);
        assert_eq!(tr.lang(), Lang::Ja, "before any reply: the config");
        tr.replied_in(EN);
        assert_eq!(tr.lang(), Lang::En);
        tr.replied_in(None);
        assert_eq!(tr.lang(), Lang::En);
        assert_eq!(tr.hint(), LangHint::default());
        let tr = Tr::new(JA);
        tr.replied_in(EN);
        assert_eq!(tr.lang(), Lang::Ja);
        assert_eq!(tr.hint().explicit, JA);
        assert_eq!(tr.hint().ambient, None);
    }
}
