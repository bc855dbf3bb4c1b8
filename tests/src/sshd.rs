//! A real OpenSSH `sshd` in front of a [`Harness`] daemon, and an `ssh`
//! client that answers the keyboard-interactive prompts by their text.
//!
//! Nothing in /etc is touched. sshd is started under libpam_wrapper
//! (`LD_PRELOAD=libpam_wrapper.so PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR=…`):
//! the wrapper copies the service files of that directory into its own
//! `/tmp/pam.X` and points libpam there, so sshd's PAM stack is ours. This
//! survives sshd's re-exec for every connection and its privilege
//! separation because the environment is inherited by the re-executed
//! sshd, and every PAM call is made by the root monitor (or a fork of it),
//! never by the chrooted unprivileged child.
//!
//! The PAM service name is the basename of sshd's argv[0] (OpenSSH < 9.8),
//! so sshd runs through a uniquely named symlink; OpenSSH ≥ 9.8 gets the
//! name through `PAMServiceName` instead.
//!
//! The client needs no terminal: `SSH_ASKPASS_REQUIRE=force` makes ssh ask
//! a small script for each keyboard-interactive answer. The script records
//! the prompt exactly as ssh got it (sshd glues pending PAM info text onto
//! the next prompt) and answers from a table keyed by the prompt's last line.
//! `-tt` still allocates a remote pty, because sshd shows the session
//! messages (our last-login line) only for a login shell on a pty.
//!
//! Side effects outside the scratch directory: `/run/sshd` (sshd's
//! privilege-separation directory) is created when missing, sshd records
//! pty logins in utmp/wtmp/lastlog as it always does, and libpam_wrapper
//! keeps a `/tmp/pam.X` copy of the service files per process; the copies
//! of sshd's per-connection processes, which end with `_exit` and so skip
//! the wrapper's destructor, are removed when the `Sshd` is dropped.

use std::fmt::Write as _;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::{Harness, artefact, run};

mod client;
pub use client::{SshLogin, SshOutcome};

pub const SSHD: &str = "/usr/sbin/sshd";
pub const SSH: &str = "/usr/bin/ssh";
pub const SSH_KEYGEN: &str = "/usr/bin/ssh-keygen";

/// How long sshd may take to listen.
const LISTEN_LIMIT: Duration = Duration::from_secs(10);
/// How long one ssh login may take before the test calls it a hang.
const LOGIN_LIMIT: Duration = Duration::from_secs(30);

/// ssh's askpass program: records the prompt, answers by its last line
/// (without ssh's `(user@host) ` prefix) from a tab-separated table;
/// an unknown prompt gets no answer (exit 1), which ssh sends as empty.
/// An answer `<PATH` is read from PATH once it exists (up to 20 s): for
/// answers that arrive during the login, like a mailed code.
const ASKPASS: &str = r#"#!/bin/sh
printf '%s\036' "$1" >> "$MONBAN_ASKPASS_LOG"
last=${1##*
}
last=${last#\(*\) }
while IFS='	' read -r prompt answer; do
    if [ "$prompt" = "$last" ]; then
        case $answer in
        "<"*)
            file=${answer#<}
            tries=0
            while [ ! -s "$file" ] && [ $tries -lt 200 ]; do
                sleep 0.1
                tries=$((tries + 1))
            done
            cat "$file"
            ;;
        *) printf '%s\n' "$answer" ;;
        esac
        exit 0
    fi
done < "$MONBAN_ASKPASS_TABLE"
exit 1
"#;

static INSTANCES: AtomicUsize = AtomicUsize::new(0);

/// libpam_wrapper.so, wherever the distribution put it.
pub fn pam_wrapper_library() -> Option<PathBuf> {
    let mut dirs = vec![PathBuf::from("/usr/lib64"), PathBuf::from("/usr/lib")];
    if let Ok(entries) = std::fs::read_dir("/usr/lib") {
        // Debian's multiarch directories (/usr/lib/x86_64-linux-gnu, …).
        dirs.extend(
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.is_dir() && p.to_string_lossy().ends_with("-gnu")),
        );
    }
    dirs.into_iter()
        .map(|d| d.join("libpam_wrapper.so"))
        .find(|p| p.exists())
}

/// Why the sshd tests cannot run here, if they cannot.
pub fn unavailable() -> Option<String> {
    let mut missing = Vec::new();
    for (path, package) in [
        (SSHD, "openssh-server"),
        (SSH, "openssh-client"),
        (SSH_KEYGEN, "openssh-client"),
    ] {
        if !Path::new(path).exists() {
            missing.push(format!("{path} ({package})"));
        }
    }
    if pam_wrapper_library().is_none() {
        missing.push("libpam_wrapper.so (libpam-wrapper)".to_string());
    }
    if missing.is_empty() {
        None
    } else {
        Some(format!(
            "not installed: {}; `apt-get install openssh-server libpam-wrapper` (.ci/run does)",
            missing.join(", ")
        ))
    }
}

/// (major, minor) of the installed OpenSSH, from `sshd -V`.
fn openssh_version() -> Option<(u32, u32)> {
    let out = run(
        {
            let mut c = Command::new(SSHD);
            c.arg("-V");
            c
        },
        b"",
        Duration::from_secs(10),
    );
    let text = format!("{}{}", out.stdout, out.stderr);
    let rest = &text[text.find("OpenSSH_")? + "OpenSSH_".len()..];
    let mut parts = rest.split(|c: char| !c.is_ascii_digit());
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

/// A port on 127.0.0.1 that was free a moment ago.
fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    l.local_addr().expect("local address").port()
}

fn write_file(path: &Path, text: &str, mode: u32) {
    std::fs::write(path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .unwrap_or_else(|e| panic!("chmod {}: {e}", path.display()));
}

/// `ssh-keygen` an ed25519 key pair without a passphrase at `path`.
fn keygen(path: &Path) {
    let mut cmd = Command::new(SSH_KEYGEN);
    cmd.args(["-q", "-t", "ed25519", "-N", "", "-C", "monban-e2e", "-f"])
        .arg(path);
    run(cmd, b"", Duration::from_secs(20)).assert_exit(0, "ssh-keygen");
}

/// One sshd on 127.0.0.1 whose PAM stack is pam_monban.so talking to the
/// harness's daemon. Killed on drop.
pub struct Sshd<'h> {
    h: &'h Harness,
    dir: PathBuf,
    child: Option<Child>,
    port: u16,
    service: String,
    log: PathBuf,
    config_text: String,
    logins: AtomicUsize,
}

impl<'h> Sshd<'h> {
    /// Starts sshd. `extra` is sshd_config text placed before the defaults,
    /// so it overrides them (sshd keeps the first value of an option); it
    /// must not contain `Match` blocks.
    pub fn start(h: &'h Harness, extra: &str) -> Self {
        let n = INSTANCES.fetch_add(1, Ordering::Relaxed);
        let service = format!("monban-sshd-{}-{n}", std::process::id());
        let dir = h.dir().join(&service);
        let pam_dir = dir.join("pam.d");
        std::fs::create_dir_all(&pam_dir).expect("create sshd dir");
        // nobody reads authorized_keys below it; root runs everything else.
        for d in [&dir, &pam_dir] {
            std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755))
                .expect("chmod sshd dir");
        }

        let module = artefact("libpam_monban.so");
        let mut stack = String::new();
        for kind in ["auth", "account", "password", "session"] {
            let _ = writeln!(
                stack,
                "{kind:<8} required {} socket={}",
                module.display(),
                h.socket().display()
            );
        }
        write_file(&pam_dir.join(&service), &stack, 0o644);
        // A misnamed service must fail closed, as on a real system.
        let mut other = String::new();
        for kind in ["auth", "account", "password", "session"] {
            let _ = writeln!(other, "{kind:<8} required pam_deny.so");
        }
        write_file(&pam_dir.join("other"), &other, 0o644);

        let host_key = dir.join("host_key");
        keygen(&host_key);
        write_file(&dir.join("askpass"), ASKPASS, 0o755);
        write_file(&dir.join("authorized_keys"), "", 0o644);

        let mut config = String::new();
        config.push_str(extra);
        if !config.is_empty() && !config.ends_with('\n') {
            config.push('\n');
        }
        let _ = write!(
            config,
            "ListenAddress 127.0.0.1\n\
             HostKey {host_key}\n\
             PidFile none\n\
             UsePAM yes\n\
             KbdInteractiveAuthentication yes\n\
             PasswordAuthentication no\n\
             PubkeyAuthentication yes\n\
             AuthorizedKeysFile {keys}\n\
             StrictModes no\n\
             PermitRootLogin no\n\
             PrintMotd no\n\
             PrintLastLog no\n\
             UseDNS no\n\
             X11Forwarding no\n\
             LoginGraceTime 30\n",
            host_key = host_key.display(),
            keys = dir.join("authorized_keys").display(),
        );
        if openssh_version().is_some_and(|v| v >= (9, 8)) {
            // 9.8 names the PAM service by configuration (default "sshd")
            // and penalises addresses that fail to authenticate.
            let _ = write!(config, "PAMServiceName {service}\nPerSourcePenalties no\n");
        }
        write_file(&dir.join("sshd_config"), &config, 0o644);

        // sshd's privilege-separation directory (normally made by systemd's
        // RuntimeDirectory); outside /etc and harmless to create.
        std::fs::create_dir_all("/run/sshd").expect("create /run/sshd");
        std::fs::set_permissions("/run/sshd", std::fs::Permissions::from_mode(0o755))
            .expect("chmod /run/sshd");

        // sshd re-executes itself by absolute path, keeping argv[0].
        let exe = dir.join(&service);
        std::os::unix::fs::symlink(SSHD, &exe).expect("symlink sshd");

        let mut s = Self {
            h,
            child: None,
            port: 0,
            log: dir.join("sshd.log"),
            service,
            config_text: config,
            logins: AtomicUsize::new(0),
            dir,
        };
        // The port was free when chosen; another process may take it first.
        let mut last_error = String::new();
        for _ in 0..5 {
            match s.try_start(&exe, &pam_dir) {
                Ok(()) => return s,
                Err(e) => last_error = e,
            }
        }
        panic!("sshd did not start:\n{last_error}");
    }

    fn try_start(&mut self, exe: &Path, pam_dir: &Path) -> Result<(), String> {
        let port = free_port();
        let log = std::fs::File::create(&self.log).expect("create sshd log");
        let wrapper = pam_wrapper_library().expect("libpam_wrapper.so is installed");
        let mut child = Command::new(exe)
            .args(["-D", "-e", "-f"])
            .arg(self.dir.join("sshd_config"))
            .args(["-p", &port.to_string()])
            .env_clear()
            .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
            .env("LD_PRELOAD", &wrapper)
            .env("PAM_WRAPPER", "1")
            .env("PAM_WRAPPER_SERVICE_DIR", pam_dir)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("dup sshd log"))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {}: {e}", exe.display()));
        let ready = format!("Server listening on 127.0.0.1 port {port}.");
        let deadline = Instant::now() + LISTEN_LIMIT;
        loop {
            let log = std::fs::read_to_string(&self.log).unwrap_or_default();
            if log.contains(&ready) {
                self.child = Some(child);
                self.port = port;
                return Ok(());
            }
            if let Ok(Some(status)) = child.try_wait() {
                return Err(format!(
                    "sshd exited ({status}) on port {port}; its log:\n{log}\n--- sshd_config\n{}",
                    self.config_text
                ));
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "sshd did not listen within {LISTEN_LIMIT:?}; its log:\n{log}"
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The PAM service name sshd uses.
    pub fn service(&self) -> &str {
        &self.service
    }

    /// Everything sshd (listener and per-connection processes) logged.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// A new client key pair whose public half is added to the (shared)
    /// authorized_keys file; returns the private key's path.
    pub fn authorize_new_key(&self) -> PathBuf {
        let n = self.logins.fetch_add(1, Ordering::Relaxed);
        let key = self.dir.join(format!("client_key_{n}"));
        keygen(&key);
        let public =
            std::fs::read_to_string(format!("{}.pub", key.display())).expect("read the public key");
        let keys = self.dir.join("authorized_keys");
        let mut all = std::fs::read_to_string(&keys).unwrap_or_default();
        all.push_str(&public);
        write_file(&keys, &all, 0o644);
        key
    }

    /// One `ssh user@127.0.0.1` through this sshd.
    pub fn login(&self, user: &str) -> SshLogin<'_, 'h> {
        SshLogin {
            sshd: self,
            user: user.to_string(),
            answers: Vec::new(),
            key: None,
        }
    }
}

impl Sshd<'_> {
    /// Removes the `/tmp/pam.X` copies libpam_wrapper made for this sshd's
    /// processes and could not remove itself: sshd's per-connection
    /// processes end with `_exit`, which skips the wrapper's destructor.
    /// Only directories holding this sshd's uniquely named service file
    /// and naming a process that has ended are removed.
    /// Returns how many such directories are left (their process lives).
    fn remove_stale_wrapper_dirs(&self) -> usize {
        let Ok(entries) = std::fs::read_dir("/tmp") else {
            return 0;
        };
        let mut left = 0;
        for dir in entries.flatten().map(|e| e.path()) {
            let is_wrapper_dir = dir
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.len() == 5 && n.starts_with("pam."));
            if !is_wrapper_dir || !dir.join(&self.service).is_file() {
                continue;
            }
            let pid = std::fs::read_to_string(dir.join("pid"))
                .ok()
                .and_then(|p| p.trim().parse::<i32>().ok());
            let ended = pid.is_some_and(|pid| {
                nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None)
                    == Err(nix::errno::Errno::ESRCH)
            });
            if ended {
                let _ = std::fs::remove_dir_all(&dir);
            } else {
                left += 1;
            }
        }
        left
    }
}

impl Drop for Sshd<'_> {
    fn drop(&mut self) {
        // The listener exits on SIGTERM; per-connection processes have
        // already ended with their clients.
        if let Some(mut child) = self.child.take() {
            let pid = nix::unistd::Pid::from_raw(child.id() as i32);
            let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
            let deadline = Instant::now() + Duration::from_secs(5);
            loop {
                if let Ok(Some(_)) = child.try_wait() {
                    break;
                }
                if Instant::now() > deadline {
                    let _ = child.kill();
                    let _ = child.wait();
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        // A connection process may still be finishing its last login.
        let deadline = Instant::now() + Duration::from_secs(2);
        while self.remove_stale_wrapper_dirs() > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}
