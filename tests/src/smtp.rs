//! A real SMTP relay for the e-mail tests: Debian's aiosmtpd
//! (`python3-aiosmtpd`) on a loopback port, delivering into a Maildir that
//! Python's own `email` package reads back (subjects and bodies decoded).

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Debian's interpreter, which has the package (a pyenv one may not).
const PYTHON: &str = "/usr/bin/python3";

pub struct Relay {
    port: u16,
    maildir: tempfile::TempDir,
    child: Option<Child>,
    /// STARTTLS with this certificate and key (`start_tls`).
    tls: Option<(PathBuf, PathBuf)>,
}

#[derive(Debug, Clone, serde::Deserialize)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

impl Mail {
    /// The code the mail carries: a line of its own, groups of four.
    pub fn code(&self) -> Option<String> {
        self.body
            .lines()
            .map(str::trim)
            .find(|l| {
                l.len() == 14
                    && l.split('-').count() == 3
                    && l.split('-')
                        .all(|g| g.len() == 4 && g.chars().all(|c| c.is_ascii_alphanumeric()))
            })
            .map(str::to_string)
    }
}

fn available() -> bool {
    Command::new(PYTHON)
        .args(["-c", "import aiosmtpd"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

impl Relay {
    /// None (said once on stderr) without python3-aiosmtpd, except in CI
    /// (or with MONBAN_TEST_SMTP=1), where its absence fails the test.
    pub fn start() -> Option<Relay> {
        if !available() {
            if std::env::var_os("CI").is_some()
                || std::env::var("MONBAN_TEST_SMTP").as_deref() == Ok("1")
            {
                panic!("python3-aiosmtpd is missing (apt-get install python3-aiosmtpd)");
            }
            eprintln!("e-mail tests skipped: apt-get install python3-aiosmtpd");
            return None;
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let maildir = tempfile::Builder::new()
            .prefix("monban-maildir-")
            .tempdir()
            .expect("temp dir");
        let mut relay = Relay {
            port,
            maildir,
            child: None,
            tls: None,
        };
        relay.resume();
        Some(relay)
    }

    /// A relay that offers STARTTLS with a certificate for `localhost`
    /// from a private CA made here; the CA's PEM is `ca_file()`.
    pub fn start_tls() -> Option<Relay> {
        let mut relay = Self::start()?;
        relay.stop();
        let dir = relay.maildir.path();
        let openssl = |args: &[&str]| {
            let out = Command::new("openssl")
                .args(args)
                .current_dir(dir)
                .output()
                .expect("openssl");
            assert!(
                out.status.success(),
                "openssl {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        openssl(&[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=monban test CA",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
        ]);
        openssl(&[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=localhost",
            "-keyout",
            "relay.key",
            "-out",
            "relay.csr",
        ]);
        std::fs::write(
            dir.join("ext"),
            "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n",
        )
        .expect("ext");
        openssl(&[
            "x509",
            "-req",
            "-in",
            "relay.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "ext",
            "-out",
            "relay.pem",
        ]);
        relay.tls = Some((dir.join("relay.pem"), dir.join("relay.key")));
        relay.resume();
        Some(relay)
    }

    /// The private CA of `start_tls`.
    pub fn ca_file(&self) -> PathBuf {
        self.maildir.path().join("ca.pem")
    }

    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    fn maildir(&self) -> PathBuf {
        self.maildir.path().join("mail")
    }

    /// Starts (again) on the same port and Maildir.
    pub fn resume(&mut self) {
        let mut cmd = Command::new(PYTHON);
        cmd.args(["-m", "aiosmtpd", "-n", "-l"]).arg(self.address());
        if let Some((cert, key)) = &self.tls {
            // STARTTLS offered and required before MAIL.
            cmd.arg("--tlscert").arg(cert).arg("--tlskey").arg(key);
        }
        let child = cmd
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(self.maildir())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start aiosmtpd");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "aiosmtpd did not listen in 10 s");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Every mail delivered so far, oldest first.
    pub fn mails(&self) -> Vec<Mail> {
        if !self.maildir().exists() {
            return Vec::new();
        }
        let script = r#"
import json, mailbox, os, sys
box = mailbox.Maildir(sys.argv[1], create=False)
out = []
for key in box.keys():
    path = os.path.join(sys.argv[1], box._lookup(key))
    m = box.get_message(key)
    body = m.get_payload(decode=True).decode(m.get_content_charset() or "utf-8")
    subject = str(__import__("email.header", fromlist=["x"]).make_header(
        __import__("email.header", fromlist=["x"]).decode_header(m["Subject"])))
    out.append((os.path.getmtime(path), path, {"to": m["To"], "subject": subject, "body": body}))
out.sort(key=lambda t: (t[0], t[1]))
print(json.dumps([t[2] for t in out]))
"#;
        let out = Command::new(PYTHON)
            .args(["-c", script])
            .arg(self.maildir())
            .output()
            .expect("read the Maildir");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("the Maildir as JSON")
    }

    pub fn mails_to(&self, addr: &str) -> Vec<Mail> {
        self.mails()
            .into_iter()
            .filter(|m| m.to.contains(addr))
            .collect()
    }

    /// Waits until at least `count` mails to `addr` arrived.
    pub fn wait_for(&self, addr: &str, count: usize, limit: Duration) -> Vec<Mail> {
        let deadline = Instant::now() + limit;
        loop {
            let got = self.mails_to(addr);
            if got.len() >= count {
                return got;
            }
            assert!(
                Instant::now() < deadline,
                "{count} mail(s) to {addr} expected within {limit:?}; all mail: {:#?}",
                self.mails()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn path(&self) -> &Path {
        self.maildir.path()
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.stop();
    }
}
