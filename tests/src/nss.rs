//! Real glibc NSS with `libnss_monban.so.2`, in a private mount namespace
//! (SPEC §11): a tmpfs on `/run` holding `/run/monban/authd.sock` (the
//! harness's socket bound there), our own `nsswitch.conf` bound over the
//! real one, and the library found through `LD_LIBRARY_PATH`. The real
//! `/etc` and `/run` are never touched.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::harness::{Harness, artefact};
use crate::process::{Output, run};

pub struct NssNamespace {
    script: PathBuf,
}

impl NssNamespace {
    /// A namespace whose `/run/monban/authd.sock` is `socket` (usually the
    /// harness's; any socket path for a test of a daemon that hangs), or
    /// absent when nothing listens there (a stopped daemon).
    pub fn new(h: &Harness, socket: &Path) -> Self {
        let dir = h.dir().join("nss");
        let lib = dir.join("lib");
        std::fs::create_dir_all(&lib).expect("create the NSS library dir");
        // glibc asks for the versioned name; cargo builds the plain one.
        std::fs::copy(artefact("libnss_monban.so"), lib.join("libnss_monban.so.2"))
            .expect("copy libnss_monban.so (build the workspace first)");
        let nsswitch = dir.join("nsswitch.conf");
        std::fs::write(
            &nsswitch,
            "passwd: files monban\ngroup: files monban\nshadow: files\nhosts: files\n",
        )
        .expect("write nsswitch.conf");
        let script = dir.join("enter.sh");
        std::fs::write(
            &script,
            format!(
                "set -e\n\
                 mount -t tmpfs -o mode=0755 monban-test-run /run\n\
                 mkdir -m 0755 /run/monban\n\
                 if [ -S '{socket}' ]; then\n\
                 touch /run/monban/authd.sock\n\
                 mount --bind '{socket}' /run/monban/authd.sock\n\
                 fi\n\
                 mount --bind '{nsswitch}' /etc/nsswitch.conf\n\
                 export LD_LIBRARY_PATH='{lib}'\n\
                 exec \"$@\"\n",
                socket = socket.display(),
                nsswitch = nsswitch.display(),
                lib = lib.display(),
            ),
        )
        .expect("write the namespace script");
        for p in [&dir, &lib] {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755))
                .expect("chmod the NSS dirs");
        }
        Self { script }
    }

    /// The argv that runs a program inside the namespace.
    pub fn prefix(&self) -> Vec<String> {
        [
            "unshare",
            "--mount",
            "--propagation",
            "private",
            "/bin/sh",
            self.script.to_str().expect("UTF-8 temp path"),
        ]
        .map(String::from)
        .to_vec()
    }

    /// Runs `argv` inside the namespace (as root), bounded by `limit`.
    pub fn run(&self, argv: &[&str], limit: Duration) -> Output {
        let prefix = self.prefix();
        let mut cmd = Command::new(&prefix[0]);
        cmd.args(&prefix[1..]).args(argv);
        run(cmd, b"", limit)
    }
}
