//! PAM transactions run the way a setuid program (`su`) started by an
//! ordinary user runs them: effective uid 0, real uid that user's.

use std::process::Command;

use crate::harness::Account;
use crate::pam::PamRun;
use crate::process::Proc;

impl PamRun<'_> {
    /// Starts the driver under `setpriv --ruid`, so the kernel reports
    /// effective uid 0 on the socket while the real uid is `real`'s; the
    /// caller reads its events and closes it.
    pub fn spawn_setuid_from(self, real: Account) -> Proc {
        let (driver, _) = self.prepare();
        let mut cmd = Command::new("setpriv");
        cmd.arg(format!("--ruid={}", real.uid))
            .arg(driver.get_program())
            .args(driver.get_args());
        Proc::spawn(cmd)
    }
}
