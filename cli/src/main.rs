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
mod error;
mod import;
mod otp;
mod output;
mod passwd;
mod policy;
mod secrets;
mod status;
mod user;

use std::process::ExitCode;

use clap::Parser;
use monban_cli::when;

use crate::args::{Cli, Verb};
use crate::context::Ctx;
use crate::error::CliError;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.json;
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            report(&e, json);
            ExitCode::from(e.exit_code())
        }
    }
}

fn run(cli: Cli) -> Result<(), CliError> {
    let socket = context::resolve_socket(cli.socket, cli.config, context::env_config())?;
    let mut ctx = Ctx::new(socket, cli.json, secrets::from_stdin());
    match cli.verb {
        Verb::Status { user } => status::run(&mut ctx, user),
        Verb::Passwd { confirm } => passwd::run(&mut ctx, confirm),
        Verb::Otp(v) => otp::run(&mut ctx, v),
        Verb::User(v) => user::run(&mut ctx, v),
        Verb::Policy(v) => policy::run(&mut ctx, v),
        Verb::Import(v) => import::run(&mut ctx, v),
        Verb::Log(a) => audit::run(&mut ctx, a),
    }
}

/// Errors go to stderr for people; with `--json` also as an object on
/// stdout for scripts.
fn report(e: &CliError, json: bool) {
    if json && !matches!(e, CliError::Reported) {
        let message = e.lines().join("\n");
        let message = message.strip_prefix("monban: ").unwrap_or(&message);
        // Nothing more can be done if stdout is gone; stderr still has it.
        let _ = output::json(&serde_json::json!({
            "error": { "code": e.code_name(), "message": message }
        }));
    }
    for line in e.lines() {
        eprintln!("{line}");
    }
}
