//! The two things the daemon does to a session's terminal: read when it
//! last took input (its access time, which `w` shows as idle time), and
//! write the warning. Both are blocking: call them off the runtime.

use std::io::Write;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};

/// (last input, owner uid) of the terminal at `path`; None when it is gone.
pub fn last_input(path: &str) -> Option<(i64, u32)> {
    let meta = std::fs::metadata(path).ok()?;
    use std::os::unix::fs::FileTypeExt;
    if !meta.file_type().is_char_device() {
        return None;
    }
    Some((meta.atime(), meta.uid()))
}

/// Writes `text` on its own lines. Never blocks on a terminal that is
/// stopped (O_NONBLOCK), never becomes our controlling terminal.
pub fn write(path: &str, text: &str) -> std::io::Result<()> {
    let mut tty = std::fs::OpenOptions::new()
        .write(true)
        .custom_flags(libc_flags())
        .open(path)?;
    let body = format!("\r\n\x07*** {} ***\r\n", text.replace('\n', "\r\n"));
    tty.write_all(body.as_bytes())
}

fn libc_flags() -> i32 {
    nix::fcntl::OFlag::O_NOCTTY.bits() | nix::fcntl::OFlag::O_NONBLOCK.bits()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_that_is_not_a_terminal_is_not_watched() {
        assert_eq!(last_input("/nonexistent/pts/9"), None);
        let f = tempfile::NamedTempFile::new().unwrap();
        assert_eq!(last_input(f.path().to_str().unwrap()), None);
        assert!(last_input("/dev/null").is_some());
    }
}

/// The terminal of a session whose PAM_TTY did not name one (sshd opens
/// the PAM session before it allocates the pty, and says `ssh`): the
/// controlling terminal of the first process below `leader` that has one,
/// read from /proc (`children`, `stat`), matched to a node in /dev/pts.
/// None while no process of the session has a terminal (scp, sftp,
/// `ssh host cmd` never get one).
pub fn of_descendants(leader: u32) -> Option<String> {
    let mut queue = vec![leader];
    let mut seen = 0;
    while let Some(pid) = queue.pop() {
        seen += 1;
        if seen > 256 {
            return None;
        }
        if pid != leader
            && let Some(dev) = controlling_tty(pid)
        {
            return pts_with_rdev(dev);
        }
        queue.extend(children(pid));
    }
    None
}

fn children(pid: u32) -> Vec<u32> {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for task in tasks.flatten() {
        if let Ok(text) = std::fs::read_to_string(task.path().join("children")) {
            out.extend(
                text.split_whitespace()
                    .filter_map(|p| p.parse::<u32>().ok()),
            );
        }
    }
    out
}

/// Field 7 of /proc/PID/stat (`tty_nr`); None for no terminal.
fn controlling_tty(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_tty_nr(&stat)
}

/// The `comm` field may hold spaces and parentheses: count from the last ')'.
pub(crate) fn parse_tty_nr(stat: &str) -> Option<u64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    // state ppid pgrp session tty_nr
    let tty: u64 = rest.split_whitespace().nth(4)?.parse().ok()?;
    (tty != 0).then_some(tty)
}

fn pts_with_rdev(dev: u64) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    std::fs::read_dir("/dev/pts")
        .ok()?
        .flatten()
        .find(|e| e.metadata().is_ok_and(|m| m.rdev() == dev))
        .map(|e| e.path().display().to_string())
}

#[cfg(test)]
mod descendant_tests {
    use super::*;

    #[test]
    fn tty_nr_is_read_past_a_command_name_with_spaces() {
        let stat = "4242 (a (b) c) S 1 4242 4242 34816 4242 4194560 0 0";
        assert_eq!(parse_tty_nr(stat), Some(34816));
        assert_eq!(parse_tty_nr("1 (init) S 0 1 1 0 -1 0"), None);
        assert_eq!(parse_tty_nr("garbage"), None);
    }

    #[test]
    fn a_child_on_a_pseudo_terminal_is_found_from_its_parent() {
        // This test process's own child, run with a pty as its controlling
        // terminal (setsid -c), is found below this process.
        let pty = nix::pty::openpty(None, None).unwrap();
        let path = std::fs::read_link(format!(
            "/proc/self/fd/{}",
            std::os::fd::AsRawFd::as_raw_fd(&pty.slave)
        ))
        .unwrap();
        let slave = std::fs::File::from(pty.slave);
        let mut child = std::process::Command::new("setsid")
            .args(["-c", "sleep", "5"])
            .stdin(slave.try_clone().unwrap())
            .stdout(slave.try_clone().unwrap())
            .stderr(slave)
            .spawn()
            .unwrap();
        let mut found = None;
        for _ in 0..50 {
            found = of_descendants(std::process::id());
            if found.is_some() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
        assert_eq!(found.as_deref(), path.to_str());
    }
}
