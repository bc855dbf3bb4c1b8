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
