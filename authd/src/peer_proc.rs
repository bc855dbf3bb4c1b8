//! The real uid behind a connection, read from /proc for the SO_PEERCRED
//! pid. SO_PEERCRED reports the effective uid, so a setuid `su` started by
//! alice looks like root; its `Uid:` line in /proc/PID/status says alice.
//!
//! A pid can be reused once its process is gone, so the process read must
//! be the one that connected: its start time (stat field 22) is read before
//! and after the status, must not change, and must not be later than the
//! moment the connection was accepted. A process that started after the
//! accept cannot be the one that called connect().

use std::fs;
use std::io::Read;

use nix::time::{ClockId, clock_gettime};
use nix::unistd::{SysconfVar, sysconf};

/// Why the real uid of a peer is not known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unknown {
    /// The kernel gave no pid (a peer in another pid namespace).
    NoPid,
    /// /proc/PID is unreadable (process gone, or hidden by hidepid).
    Unreadable,
    /// The pid now belongs to a process that started after the accept.
    Reused,
}

impl std::fmt::Display for Unknown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::NoPid => "no peer pid",
            Self::Unreadable => "its /proc entry cannot be read",
            Self::Reused => "its pid was reused",
        })
    }
}

/// The moment a connection was accepted, in the clock /proc start times use
/// (clock ticks since boot). Take it right after accept().
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AcceptedAt(pub u64);

impl AcceptedAt {
    pub fn now() -> Option<Self> {
        let hz = u64::try_from(sysconf(SysconfVar::CLK_TCK).ok()??).ok()?;
        let t = clock_gettime(ClockId::CLOCK_BOOTTIME).ok()?;
        let secs = u64::try_from(t.tv_sec()).ok()?;
        let nanos = u64::try_from(t.tv_nsec()).ok()?;
        // Rounded up so a process started in the same tick still counts
        // as started before.
        Some(Self(secs * hz + (nanos * hz).div_ceil(1_000_000_000)))
    }
}

/// The real uid of process `pid`, if that process is provably the peer
/// that connected before `accepted`.
pub fn real_uid(pid: Option<i32>, accepted: Option<AcceptedAt>) -> Result<u32, Unknown> {
    let pid = pid.filter(|p| *p > 0).ok_or(Unknown::NoPid)?;
    let accepted = accepted.ok_or(Unknown::Unreadable)?;
    let stat = |pid| read_proc_file(&format!("/proc/{pid}/stat"));
    let before = stat(pid).as_deref().and_then(start_time);
    let status = read_proc_file(&format!("/proc/{pid}/status"));
    let after = stat(pid).as_deref().and_then(start_time);
    let uid = status.as_deref().and_then(status_real_uid);
    same_process(before, after, accepted)?;
    uid.ok_or(Unknown::Unreadable)
}

/// A /proc file read whole. /proc reports a size of 0, so `read_to_string`
/// would grow its buffer from 32 bytes in a dozen reads; these files fit
/// in one page.
fn read_proc_file(path: &str) -> Option<String> {
    let mut text = String::with_capacity(4096);
    fs::File::open(path).ok()?.read_to_string(&mut text).ok()?;
    Some(text)
}

/// Whether two start-time readings around the status read show one
/// process, started no later than the accept.
pub fn same_process(
    before: Option<u64>,
    after: Option<u64>,
    accepted: AcceptedAt,
) -> Result<(), Unknown> {
    match (before, after) {
        (Some(b), Some(a)) if b != a => Err(Unknown::Reused),
        (Some(b), Some(_)) if b > accepted.0 => Err(Unknown::Reused),
        (Some(_), Some(_)) => Ok(()),
        _ => Err(Unknown::Unreadable),
    }
}

/// The real uid: the first field of the `Uid:` line of /proc/PID/status.
pub fn status_real_uid(status: &str) -> Option<u32> {
    status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|f| f.parse().ok())
}

/// The start time (field 22, clock ticks since boot) of /proc/PID/stat.
/// The command name (field 2) may hold spaces and parentheses, so fields
/// are counted from after its last `)`.
pub fn start_time(stat: &str) -> Option<u64> {
    let (_, rest) = stat.rsplit_once(')')?;
    // `rest` begins with field 3 (state); field 22 is the 20th after it.
    rest.split_whitespace().nth(19)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATUS: &str = "Name:\tsu\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t4242\n\
        Pid:\t4242\nPPid:\t4100\nUid:\t65534\t0\t0\t0\nGid:\t65534\t65534\t65534\t65534\n";

    const STAT: &str = "4242 (su) S 4100 4242 4100 34816 4242 4194560 120 0 0 0 0 0 0 0 \
        20 0 1 0 987654 8372224 900 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0";

    #[test]
    fn the_real_uid_is_the_first_uid_field() {
        assert_eq!(status_real_uid(STATUS), Some(65534));
        assert_eq!(status_real_uid("Name:\tx\nGid:\t0\t0\t0\t0\n"), None);
        assert_eq!(status_real_uid("Uid:\tnot-a-number\t0\n"), None);
        assert_eq!(status_real_uid("Uid:\n"), None);
    }

    #[test]
    fn the_start_time_is_field_22_whatever_the_command_name() {
        assert_eq!(start_time(STAT), Some(987_654));
        let odd = STAT.replace("(su)", "(a) b ) (c)");
        assert_eq!(start_time(&odd), Some(987_654), "a name with ) and spaces");
        assert_eq!(start_time("4242 (su) S 1 2 3"), None, "truncated");
        assert_eq!(start_time("no parenthesis at all"), None);
    }

    #[test]
    fn only_one_process_started_before_the_accept_counts() {
        let at = AcceptedAt(1000);
        assert_eq!(same_process(Some(900), Some(900), at), Ok(()));
        assert_eq!(same_process(Some(1000), Some(1000), at), Ok(()));
        assert_eq!(
            same_process(Some(1001), Some(1001), at),
            Err(Unknown::Reused),
            "started after the accept: not the process that connected"
        );
        assert_eq!(
            same_process(Some(900), Some(950), at),
            Err(Unknown::Reused),
            "the pid changed hands during the read"
        );
        assert_eq!(same_process(None, Some(900), at), Err(Unknown::Unreadable));
        assert_eq!(same_process(Some(900), None, at), Err(Unknown::Unreadable));
    }

    #[test]
    fn this_process_reads_as_its_own_real_uid() {
        let me = i32::try_from(std::process::id()).unwrap();
        let uid = nix::unistd::getuid().as_raw();
        assert_eq!(real_uid(Some(me), AcceptedAt::now()), Ok(uid));
        assert_eq!(real_uid(None, AcceptedAt::now()), Err(Unknown::NoPid));
        assert_eq!(
            real_uid(Some(me), Some(AcceptedAt(0))),
            Err(Unknown::Reused),
            "a process that started after the accept is refused"
        );
    }
}
