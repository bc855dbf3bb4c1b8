//! Runs `monban-pam-driver --repeat`: libpam transactions timed inside one
//! process (no spawn, no exec in the figure), several processes at once
//! for concurrency. Shared by the fan-out, flood, peers, overhead and scale
//! parts.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use monban_e2e::{Harness, artefact};

/// One timed transaction: PAM_SUCCESS or not, and its wall time.
#[derive(Clone, Copy)]
pub struct Run {
    pub ok: bool,
    pub took: Duration,
}

/// Writes the PAM service `name` with `lines` into the harness's private
/// config dir; returns that dir.
pub fn service(h: &Harness, name: &str, lines: &str) -> Result<PathBuf, String> {
    let confdir = h.dir().join("pam.d");
    let file = confdir.join(name);
    std::fs::write(&file, lines).map_err(|e| format!("write {}: {e}", file.display()))?;
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644))
        .map_err(|e| format!("chmod {}: {e}", file.display()))?;
    Ok(confdir)
}

/// auth and account through pam_monban on the harness's socket. The daemon
/// runs as root here, so `server_user=root` keeps the module's check of who
/// answers a files lookup, as it is on an install with a `monban` user.
pub fn monban_stack(h: &Harness) -> String {
    let module = artefact("libpam_monban.so");
    ["auth", "account"]
        .iter()
        .map(|kind| {
            format!(
                "{kind:<8} required {} socket={} server_user=root\n",
                module.display(),
                h.socket().display()
            )
        })
        .collect()
}

/// What to run one transaction against.
pub struct Target<'a> {
    pub confdir: &'a Path,
    pub service: &'a str,
    pub user: &'a str,
    /// Answers, one per prompt.
    pub answers: &'a str,
    pub rhost: Option<&'a str>,
    /// A shell prefix run before the driver (`unshare` and bind mounts);
    /// the driver is exec'd as `"$0" "$@"`.
    pub wrap: Option<&'a str>,
}

fn command(t: &Target<'_>, repeat: usize) -> Command {
    let driver = artefact("monban-pam-driver");
    let mut cmd = match t.wrap {
        Some(script) => {
            let mut c = Command::new("unshare");
            c.args(["--mount", "--propagation", "private", "/bin/sh", "-c"])
                .arg(format!("{script} && exec \"$0\" \"$@\""))
                .arg(driver);
            c
        }
        None => Command::new(driver),
    };
    cmd.arg("--confdir")
        .arg(t.confdir)
        .args(["--service", t.service, "--user", t.user])
        .args(["--repeat", &repeat.to_string()]);
    if let Some(h) = t.rhost {
        cmd.args(["--rhost", h]);
    }
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// `processes` drivers started together, each running `repeat`
/// transactions: every run, in the order each process printed them.
pub fn together(t: &Target<'_>, processes: usize, repeat: usize) -> Result<Vec<Run>, String> {
    use std::io::Write;
    let mut children = Vec::new();
    for _ in 0..processes {
        let mut child = command(t, repeat)
            .spawn()
            .map_err(|e| format!("spawn monban-pam-driver: {e}"))?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin
                .write_all(t.answers.as_bytes())
                .map_err(|e| format!("answers to the driver: {e}"))?;
        }
        children.push(child);
    }
    let mut runs = Vec::new();
    for child in children {
        let out = child
            .wait_with_output()
            .map_err(|e| format!("wait for monban-pam-driver: {e}"))?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        let before = runs.len();
        for line in stdout.lines() {
            let v: serde_json::Value =
                serde_json::from_str(line).map_err(|e| format!("driver line {line:?}: {e}"))?;
            runs.push(Run {
                ok: v["ok"].as_bool().unwrap_or(false),
                took: Duration::from_micros(v["micros"].as_u64().unwrap_or(0)),
            });
        }
        if runs.len() - before != repeat {
            return Err(format!(
                "the driver printed {} of {repeat} timings; stderr:\n{}",
                runs.len() - before,
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    Ok(runs)
}

/// The wall times of the runs that succeeded, and how many did.
pub fn successes(runs: &[Run]) -> (Vec<Duration>, usize) {
    let ok: Vec<Duration> = runs.iter().filter(|r| r.ok).map(|r| r.took).collect();
    let n = ok.len();
    (ok, n)
}
