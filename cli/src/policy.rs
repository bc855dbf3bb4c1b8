//! `monban policy …`: judge a candidate password; mandatory-change
//! campaigns.

use monban_proto::{AdminOp, Arg, Campaign, Catalog, PolicyReport, Request, Response, Text};

use crate::args::PolicyVerb;
use crate::context::Ctx;
use crate::error::CliError;
use crate::output;

pub(crate) fn run(ctx: &mut Ctx, verb: PolicyVerb) -> Result<(), CliError> {
    match verb {
        PolicyVerb::Check { user } => check(ctx, user),
        PolicyVerb::RequireChange { before, group } => {
            let done = match &group {
                Some(g) => Text::new("cli-campaign-group")
                    .arg("group", g)
                    .time("time", before),
                None => Text::new("cli-campaign-everyone").time("time", before),
            };
            match ctx.admin(AdminOp::RequireChange { before, group })? {
                Response::Done { messages } => {
                    output::done(ctx.json, &messages, &ctx.tr().render(&done))
                }
                _ => Err(CliError::UnexpectedReply("policy require-change")),
            }
        }
        PolicyVerb::Campaigns => match ctx.admin(AdminOp::ListCampaigns)? {
            Response::Campaigns(list) if ctx.json => output::json(&list),
            Response::Campaigns(list) => output::text(&campaign_table(&list, ctx.tr())),
            _ => Err(CliError::UnexpectedReply("policy campaigns")),
        },
        PolicyVerb::ClearChange { id, all } => {
            let id = if all { None } else { id };
            let done = match id {
                Some(id) => Text::new("cli-campaign-cleared").arg("id", id),
                None => Text::new("cli-campaign-cleared-all"),
            };
            match ctx.admin(AdminOp::ClearCampaign { id })? {
                Response::Done { messages } => {
                    output::done(ctx.json, &messages, &ctx.tr().render(&done))
                }
                _ => Err(CliError::UnexpectedReply("policy clear-change")),
            }
        }
    }
}

fn check(ctx: &mut Ctx, user: Option<String>) -> Result<(), CliError> {
    ctx.connect()?;
    let candidate = ctx.ask("cli-prompt-check")?;
    let report = match ctx.call(&Request::PolicyCheck { user, candidate })? {
        Response::Policy(r) => r,
        _ => return Err(CliError::UnexpectedReply("policy check")),
    };
    if ctx.json {
        output::json_texts(&report)?;
    } else {
        output::text(&render_report(&report, ctx.tr()))?;
    }
    if report.passed() {
        Ok(())
    } else {
        Err(CliError::Reported)
    }
}

/// One line per rule (its verdict, then the daemon's words for it) and the
/// strength.
pub(crate) fn render_report(r: &PolicyReport, tr: &Catalog) -> String {
    let (pass, fail) = (tr.get("cli-rule-pass"), tr.get("cli-rule-fail"));
    let column = output::width(&pass).max(output::width(&fail)) + 2;
    // Rules the language words alike (in Japanese one sentence covers the
    // minimum and the maximum length) are one line, failed if any failed.
    let mut lines: Vec<(&str, bool)> = Vec::new();
    for rule in &r.rules {
        match lines
            .iter_mut()
            .find(|(text, _)| *text == rule.message.text)
        {
            Some((_, passed)) => *passed &= rule.passed,
            None => lines.push((&rule.message.text, rule.passed)),
        }
    }
    let mut out = String::new();
    for (text, passed) in lines {
        let verdict = if passed { &pass } else { &fail };
        for line in output::escape_lines(text) {
            out.push_str(&output::pad(verdict, column));
            out.push_str(&line);
            out.push('\n');
        }
    }
    out.push_str(&tr.with("cli-strength", &[("score", Arg::from(r.strength))]));
    out.push('\n');
    out
}

fn campaign_table(list: &[Campaign], tr: &Catalog) -> String {
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|c| {
            vec![
                c.id.to_string(),
                tr.date_time(c.before),
                output::or_dash(c.group.as_deref()),
                c.pending_users.to_string(),
                tr.date_time(c.created_at),
                c.created_by.clone(),
            ]
        })
        .collect();
    let headers = [
        tr.get("cli-campaigns-id"),
        tr.get("cli-campaigns-deadline"),
        tr.get("cli-campaigns-group"),
        tr.get("cli-campaigns-pending"),
        tr.get("cli-campaigns-created"),
        tr.get("cli-campaigns-by"),
    ];
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    output::table(&headers, &rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::rendered;
    use monban_proto::{Lang, RuleResult};

    fn rule(name: &str, passed: bool, message: &str) -> RuleResult {
        RuleResult {
            rule: name.into(),
            passed,
            message: rendered(message),
        }
    }

    #[test]
    fn rules_worded_alike_are_one_line_failed_if_either_failed() {
        let length = "8~64文字で入力してください";
        let r = PolicyReport {
            rules: vec![
                rule("min_length", false, length),
                rule("max_length", true, length),
            ],
            strength: 0,
        };
        assert_eq!(
            render_report(&r, &Catalog::new(Lang::Ja)),
            "不適合  8~64文字で入力してください\nパスワード強度: 弱（0/4）\n"
        );
    }

    #[test]
    fn report_lists_every_rule_and_the_strength() {
        let r = PolicyReport {
            rules: vec![
                rule("min_length", true, "must be at least 8 characters"),
                rule("username", false, "must not contain the login name"),
            ],
            strength: 2,
        };
        assert_eq!(
            render_report(&r, &Catalog::new(Lang::En)),
            "PASS  must be at least 8 characters\n\
             FAIL  must not contain the login name\n\
             strength: 2/4\n"
        );
        assert_eq!(
            render_report(&r, &Catalog::new(Lang::Ja)),
            "適合    must be at least 8 characters\n\
             不適合  must not contain the login name\n\
             パスワード強度: 中（2/4）\n"
        );
    }

    #[test]
    fn campaigns_table() {
        let c = Campaign {
            id: 7,
            created_at: 1_790_000_000,
            before: 1_790_086_400,
            group: None,
            created_by: "root".into(),
            pending_users: 3,
        };
        let out = campaign_table(&[c], &Catalog::new(Lang::En));
        let mut lines = out.lines();
        assert!(lines.next().unwrap().starts_with("ID  DEADLINE"), "{out}");
        let row = lines.next().unwrap();
        assert!(row.starts_with("7   "), "{out}");
        assert!(row.ends_with("  root"), "{out}");
        assert!(row.contains("  -      3        "), "{out}");
    }
}
