//! The catalogs and the one place words are put to a [`Text`].

use chrono::{Datelike, Local, TimeZone, Timelike};
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

use crate::{Arg, Lang, Text};

const EN: &str = include_str!("../catalogs/en.ftl");
const JA: &str = include_str!("../catalogs/ja.ftl");

/// All messages of one language.
pub struct Catalog {
    lang: Lang,
    bundle: FluentBundle<FluentResource>,
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Catalog({})", self.lang.code())
    }
}

impl Catalog {
    /// The source of `lang`'s catalog.
    pub fn source(lang: Lang) -> &'static str {
        match lang {
            Lang::En => EN,
            Lang::Ja => JA,
        }
    }

    /// Parses the catalog of `lang`. The catalogs are compiled in and
    /// checked by the tests, so a parse error here is a build defect.
    pub fn new(lang: Lang) -> Self {
        let resource = match FluentResource::try_new(Self::source(lang).to_string()) {
            Ok(r) | Err((r, _)) => r,
        };
        let id = match lang {
            Lang::En => unic_langid::langid!("en"),
            Lang::Ja => unic_langid::langid!("ja"),
        };
        let mut bundle = FluentBundle::new_concurrent(vec![id]);
        // Terminals, not bidirectional documents: no isolation marks.
        bundle.set_use_isolating(false);
        // Duplicate ids are caught by the tests; keep the first.
        let _ = bundle.add_resource(resource);
        Self { lang, bundle }
    }

    pub fn lang(&self) -> Lang {
        self.lang
    }

    pub fn has(&self, id: &str) -> bool {
        self.bundle.has_message(id)
    }

    /// The words for `text` in this language.
    pub fn render(&self, text: &Text) -> String {
        let mut args = FluentArgs::new();
        for (name, value) in &text.args {
            let value = match value {
                Arg::Str(s) => FluentValue::from(s.as_str()),
                Arg::Num(n) => FluentValue::from(*n),
                Arg::Time(t) => FluentValue::from(self.date_time(*t)),
                Arg::Date(t) => FluentValue::from(self.day(*t)),
                Arg::Texts(items) => FluentValue::from(
                    items
                        .iter()
                        .map(|t| self.render(t))
                        .collect::<Vec<_>>()
                        .join("\n"),
                ),
            };
            args.set(name.as_str(), value);
        }
        self.format(&text.id, Some(&args))
    }

    /// Renders `text` in place.
    pub fn fill(&self, text: &mut Text) {
        text.text = self.render(text);
    }

    /// A message without arguments (labels, headings).
    pub fn get(&self, id: &str) -> String {
        self.format(id, None)
    }

    /// A message with arguments, built in place.
    pub fn with(&self, id: &str, args: &[(&str, Arg)]) -> String {
        let mut text = Text::new(id);
        text.args = args
            .iter()
            .map(|(n, v)| (n.to_string(), v.clone()))
            .collect();
        self.render(&text)
    }

    /// A moment in the local time zone: `2027-03-31 09:00` or
    /// `2027年3月31日 09:00`.
    pub fn date_time(&self, unix: i64) -> String {
        self.calendar("date-time", unix)
    }

    /// A day in the local time zone: `2027-03-31` or `2027年3月31日`.
    pub fn day(&self, unix: i64) -> String {
        self.calendar("date", unix)
    }

    fn calendar(&self, id: &str, unix: i64) -> String {
        let Some(t) = Local.timestamp_opt(unix, 0).single() else {
            return unix.to_string();
        };
        let mut args = FluentArgs::new();
        args.set("year", FluentValue::from(t.year().to_string()));
        args.set("month", FluentValue::from(t.month().to_string()));
        args.set("month2", FluentValue::from(format!("{:02}", t.month())));
        args.set("day", FluentValue::from(t.day().to_string()));
        args.set("day2", FluentValue::from(format!("{:02}", t.day())));
        args.set("hour", FluentValue::from(format!("{:02}", t.hour())));
        args.set("minute", FluentValue::from(format!("{:02}", t.minute())));
        self.format(id, Some(&args))
    }

    fn format(&self, id: &str, args: Option<&FluentArgs<'_>>) -> String {
        let Some(pattern) = self.bundle.get_message(id).and_then(|m| m.value()) else {
            // Unreachable with the checked catalogs; the id is still more
            // useful to a reader than nothing.
            return id.to_string();
        };
        let mut errors = Vec::new();
        self.bundle
            .format_pattern(pattern, args, &mut errors)
            .into_owned()
    }
}

/// Both catalogs, parsed once: what the daemon and the CLI hold.
#[derive(Debug)]
pub struct Catalogs {
    en: Catalog,
    ja: Catalog,
}

impl Default for Catalogs {
    fn default() -> Self {
        Self {
            en: Catalog::new(Lang::En),
            ja: Catalog::new(Lang::Ja),
        }
    }
}

impl Catalogs {
    pub fn get(&self, lang: Lang) -> &Catalog {
        match lang {
            Lang::En => &self.en,
            Lang::Ja => &self.ja,
        }
    }
}
