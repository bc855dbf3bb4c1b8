//! `monban language [en|ja|--clear]`: the caller's own language
//! preference (SPEC §7), shown or set.

use monban_proto::{Catalog, Lang, Request, Response};

use crate::context::Ctx;
use crate::error::CliError;
use crate::output;
use crate::status::{fetch_own, language_name};

pub(crate) fn run(ctx: &mut Ctx, language: Option<Lang>, clear: bool) -> Result<(), CliError> {
    if language.is_none() && !clear {
        let me = fetch_own(ctx)?;
        if ctx.json {
            return output::json(&serde_json::json!({ "language": me.language }));
        }
        return output::line(&line(me.language, ctx.tr()));
    }
    match ctx.call(&Request::SetLanguage { language })? {
        Response::Done { messages } => {
            let fallback = line(language, ctx.tr());
            output::done(ctx.json, &messages, &fallback)
        }
        _ => Err(CliError::UnexpectedReply("language")),
    }
}

/// `Language: Japanese`, `表示言語: 日本語`, `Language: not set`.
pub(crate) fn line(language: Option<Lang>, tr: &Catalog) -> String {
    format!(
        "{}: {}",
        tr.get("cli-status-language"),
        language_name(language, tr)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_preference_in_both_languages() {
        let (en, ja) = (Catalog::new(Lang::En), Catalog::new(Lang::Ja));
        assert_eq!(line(Some(Lang::Ja), &en), "Language: Japanese");
        assert_eq!(line(Some(Lang::En), &en), "Language: English");
        assert_eq!(line(None, &en), "Language: not set");
        assert_eq!(line(Some(Lang::Ja), &ja), "表示言語: 日本語");
        assert_eq!(line(Some(Lang::En), &ja), "表示言語: 英語");
        assert_eq!(line(None, &ja), "表示言語: 未設定");
    }
}
