//! `monban-pam-driver`: drives real libpam with a private config dir, answering
//! each prompt with the next line of stdin and printing a transcript.
//!
//! ```text
//! monban-pam-driver --confdir DIR --service NAME --user USER [--json]
//!                   [--tty T] [--rhost H] [--pam-env NAME=VALUE]... [--silent] [--repeat N] [OP ...]
//! OP: auth | acct | chauthtok | open | close | setcred   (default: auth acct)
//! ```
//!
//! `--repeat N` (for `monban-bench`): stdin is read whole as the answers of
//! one transaction; the transaction (pam_start_confdir, the OPs, pam_end)
//! runs N times in this process, each replaying the answers from the first,
//! and prints only one JSON line per run:
//! `{"event":"timing","n":I,"ok":B,"code":RC,"micros":T}`.
//!
//! Exit status: 0 when every OP returned PAM_SUCCESS (or acct's
//! PAM_NEW_AUTHTOK_REQD followed by a successful chauthtok), 1 otherwise,
//! 2 usage.
//!
//! This file holds the arguments, the op loop and the output; libpam and
//! every `unsafe` block are in [`ffi`].
#![deny(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

#[allow(unsafe_code)]
mod ffi;

use std::ffi::CString;
use std::io::{Read, Write};
use std::process::ExitCode;

use ffi::{
    PAM_CHANGE_EXPIRED_AUTHTOK, PAM_ESTABLISH_CRED, PAM_NEW_AUTHTOK_REQD, PAM_SILENT, PAM_SUCCESS,
    Session, code_name,
};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Auth,
    Acct,
    Chauthtok,
    Open,
    Close,
    Setcred,
}

impl Op {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "auth" => Self::Auth,
            "acct" => Self::Acct,
            "chauthtok" => Self::Chauthtok,
            "open" => Self::Open,
            "close" => Self::Close,
            "setcred" => Self::Setcred,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Self::Auth => "auth",
            Self::Acct => "acct",
            Self::Chauthtok => "chauthtok",
            Self::Open => "open",
            Self::Close => "close",
            Self::Setcred => "setcred",
        }
    }

    fn function(self) -> &'static str {
        match self {
            Self::Auth => "pam_authenticate",
            Self::Acct => "pam_acct_mgmt",
            Self::Chauthtok => "pam_chauthtok",
            Self::Open => "pam_open_session",
            Self::Close => "pam_close_session",
            Self::Setcred => "pam_setcred",
        }
    }
}

struct Args {
    confdir: String,
    service: String,
    user: String,
    json: bool,
    tty: Option<String>,
    rhost: Option<String>,
    silent: bool,
    repeat: Option<u32>,
    /// `pam_putenv` after the items: the PAM environment of the login.
    pam_env: Vec<String>,
    ops: Vec<Op>,
}

const USAGE: &str = "usage: monban-pam-driver --confdir DIR --service NAME --user USER [--json] \
[--tty T] [--rhost H] [--pam-env NAME=VALUE]... [--silent] [--repeat N] [OP ...]\n  OP: auth | acct | chauthtok | open | close | setcred (default: auth acct)";

fn parse_args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let (mut confdir, mut service, mut user) = (None, None, None);
    let (mut tty, mut rhost) = (None, None);
    let (mut json, mut silent) = (false, false);
    let mut repeat = None;
    let mut pam_env = Vec::new();
    let mut ops = Vec::new();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--confdir" => confdir = Some(value("--confdir")?),
            "--service" => service = Some(value("--service")?),
            "--user" => user = Some(value("--user")?),
            "--tty" => tty = Some(value("--tty")?),
            "--rhost" => rhost = Some(value("--rhost")?),
            "--pam-env" => {
                let pair = value("--pam-env")?;
                if !pair.contains('=') {
                    return Err(format!("--pam-env: NAME=VALUE, not {pair:?}"));
                }
                pam_env.push(pair);
            }
            "--json" => json = true,
            "--silent" => silent = true,
            "--repeat" => {
                repeat = Some(
                    value("--repeat")?
                        .parse()
                        .ok()
                        .filter(|&n: &u32| n > 0)
                        .ok_or("--repeat: a whole number above 0")?,
                )
            }
            "-h" | "--help" => return Err(String::new()),
            other => {
                ops.push(Op::parse(other).ok_or_else(|| format!("unknown argument {other:?}"))?)
            }
        }
    }
    if ops.is_empty() {
        ops = vec![Op::Auth, Op::Acct];
    }
    Ok(Args {
        confdir: confdir.ok_or("--confdir is required")?,
        service: service.ok_or("--service is required")?,
        user: user.ok_or("--user is required")?,
        json,
        tty,
        rhost,
        silent,
        repeat,
        pam_env,
        ops,
    })
}

/// One transcript line on stdout: `value` with `--json`, else `human`.
fn emit(json: bool, value: serde_json::Value, human: String) {
    let mut out = std::io::stdout().lock();
    // A closed stdout leaves nothing useful to do with the error.
    let _ = if json {
        writeln!(out, "{value}")
    } else {
        writeln!(out, "{human}")
    };
    let _ = out.flush();
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("monban-pam-driver: {e}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let cstr = |s: &str, what: &str| CString::new(s).map_err(|_| format!("{what} contains NUL"));
    let strings = (|| {
        Ok::<_, String>((
            cstr(&args.service, "service")?,
            cstr(&args.user, "user")?,
            cstr(&args.confdir, "confdir")?,
            args.tty.as_deref().map(|t| cstr(t, "tty")).transpose()?,
            args.rhost
                .as_deref()
                .map(|h| cstr(h, "rhost"))
                .transpose()?,
        ))
    })();
    let (service, user, confdir, tty, rhost) = match strings {
        Ok(s) => s,
        Err(e) => {
            eprintln!("monban-pam-driver: {e}");
            return ExitCode::from(2);
        }
    };

    if let Some(n) = args.repeat {
        let mut script = String::new();
        if let Err(e) = std::io::stdin().read_to_string(&mut script) {
            eprintln!("monban-pam-driver: reading the answers: {e}");
            return ExitCode::from(2);
        }
        let lines: Vec<String> = script.lines().map(str::to_owned).collect();
        let flags = if args.silent { PAM_SILENT } else { 0 };
        let mut all_ok = true;
        for i in 0..n {
            let t0 = std::time::Instant::now();
            let rc = repeat_once(&service, &user, &confdir, &rhost, &args.ops, flags, &lines);
            let micros = t0.elapsed().as_micros();
            all_ok &= rc == PAM_SUCCESS;
            emit(
                true,
                serde_json::json!({"event": "timing", "n": i, "ok": rc == PAM_SUCCESS, "code": rc, "micros": micros}),
                String::new(),
            );
        }
        return if all_ok {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        };
    }

    let json = args.json;
    let mut pam = match Session::start(&service, &user, &confdir, json) {
        Ok(pam) => pam,
        Err(rc) => {
            eprintln!(
                "monban-pam-driver: pam_start_confdir failed: {}",
                code_name(rc)
            );
            emit(
                json,
                serde_json::json!({"event": "result", "op": "start", "code": rc, "name": code_name(rc)}),
                format!("pam_start_confdir: {}", code_name(rc)),
            );
            return ExitCode::from(1);
        }
    };
    if let Err(rc) = pam.set_items(tty.as_deref(), rhost.as_deref()) {
        eprintln!("monban-pam-driver: pam_set_item failed: {}", code_name(rc));
        // Dropping `pam` calls pam_end with this code.
        return ExitCode::from(1);
    }
    for pair in &args.pam_env {
        let Ok(pair) = CString::new(pair.as_str()) else {
            eprintln!("monban-pam-driver: --pam-env contains NUL");
            return ExitCode::from(2);
        };
        if let Err(rc) = pam.putenv(&pair) {
            eprintln!("monban-pam-driver: pam_putenv failed: {}", code_name(rc));
            return ExitCode::from(1);
        }
    }

    let silent = if args.silent { PAM_SILENT } else { 0 };
    let mut all_ok = true;
    // acct said NEW_AUTHTOK_REQD and no chauthtok has succeeded since.
    let mut change_pending = false;
    for op in &args.ops {
        let op = *op;
        let flags = silent
            | match op {
                Op::Chauthtok if change_pending => PAM_CHANGE_EXPIRED_AUTHTOK,
                Op::Setcred => PAM_ESTABLISH_CRED,
                _ => 0,
            };
        let (rc, message) = pam.call(op, flags);
        emit(
            json,
            serde_json::json!({"event": "result", "op": op.name(), "code": rc, "name": code_name(rc), "message": message}),
            format!("{}: {}", op.function(), code_name(rc)),
        );
        if op == Op::Acct && rc == PAM_NEW_AUTHTOK_REQD {
            change_pending = true;
            continue;
        }
        if op == Op::Chauthtok && rc == PAM_SUCCESS {
            change_pending = false;
        }
        if rc != PAM_SUCCESS {
            all_ok = false;
            break;
        }
    }
    if change_pending {
        all_ok = false;
    }
    // pam_end, with the last op's code, before the exit status is returned.
    drop(pam);
    if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// One scripted transaction for `--repeat`: the code of the first OP that
/// failed (acct's NEW_AUTHTOK_REQD counts as a failure here), or success;
/// pam_end is called before it returns.
fn repeat_once(
    service: &CString,
    user: &CString,
    confdir: &CString,
    rhost: &Option<CString>,
    ops: &[Op],
    flags: std::ffi::c_int,
    lines: &[String],
) -> std::ffi::c_int {
    let mut pam = match Session::start_scripted(service, user, confdir, lines.to_vec()) {
        Ok(pam) => pam,
        Err(rc) => return rc,
    };
    if let Err(rc) = pam.set_items(None, rhost.as_deref()) {
        return rc;
    }
    for op in ops {
        let (rc, _) = pam.call(*op, flags);
        if rc != PAM_SUCCESS {
            return rc;
        }
    }
    PAM_SUCCESS
}
