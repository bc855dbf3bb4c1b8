//! `monban`: the command-line tool of monban, for users (status, passwd,
//! OTP) and administrators (users, policy campaigns, import, audit log).
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod args;
mod audit;
mod context;
mod email;
mod error;
mod import;
mod json;
mod language;
mod otp;
mod output;
mod passwd;
mod policy;
mod secrets;
mod session;
mod status;
mod tr;
mod user;

use std::process::ExitCode;
use std::rc::Rc;

use clap::Parser;
use monban_cli::when;

use crate::args::{Cli, Verb};
use crate::context::Ctx;
use crate::error::CliError;
use crate::tr::Tr;

fn main() -> ExitCode {
    // clap's usage and --help stay English (see args.rs).
    let cli = Cli::parse();
    let json = cli.json;
    let tr = Rc::new(Tr::from_env());
    match run(cli, &tr) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            report(&e, json, &tr);
            ExitCode::from(e.exit_code())
        }
    }
}

fn run(cli: Cli, tr: &Rc<Tr>) -> Result<(), CliError> {
    let settings = context::resolve(cli.socket, cli.config, context::env_config())?;
    tr.configured(settings.language);
    let mut ctx = Ctx::new(
        settings.socket,
        cli.json,
        secrets::from_stdin(),
        Rc::clone(tr),
    );
    match cli.verb {
        Verb::Status { user } => status::run(&mut ctx, user),
        Verb::Passwd { confirm } => passwd::run(&mut ctx, confirm),
        Verb::Otp(v) => otp::run(&mut ctx, v),
        Verb::User(v) => user::run(&mut ctx, v),
        Verb::Policy(v) => policy::run(&mut ctx, v),
        Verb::Import(v) => import::run(&mut ctx, v),
        Verb::Log(a) => audit::run(&mut ctx, a),
        Verb::Session(args::SessionVerb::List) => session::list(&mut ctx),
        Verb::Email { verb } => email::run(&mut ctx, verb),
        Verb::Reset(v) => email::reset(&mut ctx, v),
        Verb::Language { language, clear } => {
            language::run(&mut ctx, language.map(Into::into), clear)
        }
    }
}

/// Errors go to stderr for people, in the CLI's language as it stands
/// after the last reply; with `--json` also as an object on stdout for
/// scripts (the same keys in every language).
fn report(e: &CliError, json: bool, tr: &Tr) {
    let lines = e.lines(tr.cat());
    if json && !matches!(e, CliError::Reported) {
        let message = lines.join("\n");
        let message = message.strip_prefix("monban: ").unwrap_or(&message);
        // Nothing more can be done if stdout is gone; stderr still has it.
        let _ = output::json(&serde_json::json!({
            "error": { "code": e.code_name(), "message": message }
        }));
    }
    for line in lines {
        eprintln!("{line}");
    }
}
