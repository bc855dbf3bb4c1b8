//! Part 4: `monban-pam-driver auth` runs through real libpam, timed from
//! the outside (process spawn included).

use std::os::unix::fs::PermissionsExt;
use std::process::Command;
use std::time::{Duration, Instant};

use monban_e2e::{Harness, artefact};

use crate::procfs::CpuSnap;
use crate::{MIN_PAM, RIGHT, RIGHT_USER, SERVICE, UNKNOWN_USER, WRONG, WRONG_USER, report};

pub fn pam(h: &Harness, pid: i32, slice: Duration) -> Result<(), String> {
    report::pam_heading(slice);
    let module = artefact("libpam_monban.so");
    let confdir = h.dir().join("pam.d");
    let mut text = String::new();
    for kind in ["auth", "account", "password", "session"] {
        text.push_str(&format!(
            "{kind:<8} required {} socket={}\n",
            module.display(),
            h.socket().display()
        ));
    }
    let file = confdir.join(SERVICE);
    std::fs::write(&file, text).map_err(|e| format!("write {}: {e}", file.display()))?;
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644))
        .map_err(|e| format!("chmod {}: {e}", file.display()))?;
    let driver = artefact("monban-pam-driver");
    let cases = [
        ("right password", RIGHT_USER, RIGHT, "PAM_SUCCESS"),
        ("wrong password", WRONG_USER, WRONG, "PAM_AUTH_ERR"),
        ("unknown user", UNKNOWN_USER, WRONG, "PAM_USER_UNKNOWN"),
    ];
    let once = |user: &str, pw: &str, want: &str| -> Result<Duration, String> {
        let mut cmd = Command::new(&driver);
        cmd.arg("--confdir")
            .arg(&confdir)
            .args(["--service", SERVICE, "--user", user, "auth"]);
        let t0 = Instant::now();
        let out = monban_e2e::run(cmd, format!("{pw}\n").as_bytes(), monban_e2e::PROCESS_LIMIT);
        let took = t0.elapsed();
        let line = format!("pam_authenticate: {want}");
        if !out.stdout.lines().any(|l| l.trim() == line) {
            return Err(format!(
                "pam driver for {user}: expected {want}\n{}{}",
                out.stdout, out.stderr
            ));
        }
        Ok(took)
    };
    for (_, user, pw, want) in cases {
        once(user, pw, want)?;
    }
    let mut samples: Vec<Vec<Duration>> = vec![Vec::new(); cases.len()];
    let cpu = CpuSnap::take(pid);
    let deadline = Instant::now() + slice;
    while Instant::now() < deadline || samples.iter().any(|s| s.len() < MIN_PAM) {
        for (i, (_, user, pw, want)) in cases.iter().enumerate() {
            samples[i].push(once(user, pw, want)?);
        }
    }
    report::pam(&cases.map(|(label, ..)| label), &samples, cpu, pid);
    Ok(())
}
