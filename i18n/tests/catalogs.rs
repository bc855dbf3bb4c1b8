//! The catalogs are the only home of text: both hold the same messages,
//! both parse, every message is used and every id the code asks for exists.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use fluent_bundle::FluentResource;
use fluent_syntax::ast::Entry;
use monban_i18n::{Catalog, Lang};

fn ids(lang: Lang) -> BTreeSet<String> {
    let resource = FluentResource::try_new(Catalog::source(lang).to_string())
        .unwrap_or_else(|(_, errors)| panic!("{} does not parse: {errors:?}", lang.code()));
    let mut seen = BTreeSet::new();
    for entry in resource.entries() {
        if let Entry::Message(m) = entry {
            assert!(
                seen.insert(m.id.name.to_string()),
                "{}: {} defined twice",
                lang.code(),
                m.id.name
            );
        }
    }
    seen
}

/// The production sources that may ask for text.
fn sources() -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut out = Vec::new();
    for dir in [
        "authd/src",
        "cli/src",
        "pam_module/src",
        "proto/src",
        "config/src",
        "i18n/src",
    ] {
        walk(&root.join(dir), &mut out);
    }
    assert!(out.len() > 20, "sources not found under {}", root.display());
    out
}

fn walk(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            out.push((path, text));
        }
    }
}

#[test]
fn both_catalogs_hold_the_same_messages() {
    let (en, ja) = (ids(Lang::En), ids(Lang::Ja));
    let only_en: Vec<_> = en.difference(&ja).collect();
    let only_ja: Vec<_> = ja.difference(&en).collect();
    assert!(only_en.is_empty(), "missing from ja.ftl: {only_en:?}");
    assert!(only_ja.is_empty(), "missing from en.ftl: {only_ja:?}");
}

#[test]
fn every_message_is_used() {
    let sources = sources();
    let unused: Vec<_> = ids(Lang::En)
        .into_iter()
        .filter(|id| {
            let quoted = format!("\"{id}\"");
            !sources.iter().any(|(_, text)| text.contains(&quoted))
        })
        .collect();
    assert!(unused.is_empty(), "messages no code asks for: {unused:?}");
}

#[test]
fn every_id_the_code_asks_for_exists() {
    let asks =
        regex::Regex::new(r#"(?:Text::new|tr\.get|tr\.with|\.text|msg)\(\s*"([a-z][a-z0-9-]*)""#)
            .unwrap();
    let known = ids(Lang::En);
    let mut missing = Vec::new();
    for (path, text) in sources() {
        for cap in asks.captures_iter(&text) {
            if !known.contains(&cap[1]) {
                missing.push(format!("{}: {}", path.display(), &cap[1]));
            }
        }
    }
    assert!(missing.is_empty(), "ids not in the catalogs: {missing:?}");
}

#[test]
fn japanese_dates_read_naturally() {
    // 2027-03-31 00:00 UTC; the rendering uses the local zone, so compare
    // against the same instant rendered by chrono.
    let t = 1_806_451_200;
    let ja = Catalog::new(Lang::Ja).date_time(t);
    let en = Catalog::new(Lang::En).date_time(t);
    let local = chrono::TimeZone::timestamp_opt(&chrono::Local, t, 0).unwrap();
    assert_eq!(en, local.format("%Y-%m-%d %H:%M").to_string());
    assert_eq!(ja, local.format("%Y年%-m月%-d日 %H:%M").to_string());
}
