//! Logout after inactivity (SPEC §12): what to do with one watched
//! session now, from when its terminal last took input.

/// `[session] idle_logout` and `idle_warning`, in seconds.
#[derive(Debug, Clone, Copy)]
pub struct IdleLimits {
    pub logout: i64,
    pub warning: i64,
}

/// What the watcher knows of one session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Watched {
    pub opened_at: i64,
    /// The terminal's last input (its access time); None when unknown.
    pub last_input: Option<i64>,
    /// When this idle stretch was warned about, if it was.
    pub warned_at: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdleAction {
    Nothing,
    /// Write the warning: the session ends at `ends_at` unless a key is
    /// typed.
    Warn {
        ends_at: i64,
    },
    End {
        idle_for: i64,
    },
}

/// Whether a PAM_TTY names a terminal. sshd says `ssh` for a session
/// without one (scp, sftp, `ssh host cmd`); those are never watched.
pub fn is_terminal(tty: Option<&str>) -> bool {
    let Some(tty) = tty else { return false };
    let name = tty.strip_prefix("/dev/").unwrap_or(tty);
    name.starts_with("pts/") || name.starts_with("tty")
}

/// The idle stretch starts at the later of the opening and the last input.
pub fn idle_since(w: &Watched) -> i64 {
    w.last_input.map_or(w.opened_at, |t| t.max(w.opened_at))
}

/// A warning given before the last input belongs to an earlier stretch:
/// typing forgets it.
pub fn current_warning(w: &Watched) -> Option<i64> {
    w.warned_at.filter(|at| *at >= idle_since(w))
}

pub fn decide(limits: IdleLimits, w: &Watched, now: i64) -> IdleAction {
    if limits.logout <= 0 {
        return IdleAction::Nothing;
    }
    let since = idle_since(w);
    let idle = now.saturating_sub(since);
    let ends_at = since.saturating_add(limits.logout);
    match current_warning(w) {
        // Never an end without a warning first and the warning's time
        // after it (a watcher that was held up warns late, and waits).
        Some(warned) if now >= ends_at && now - warned >= limits.warning.min(limits.logout) => {
            IdleAction::End { idle_for: idle }
        }
        Some(_) => IdleAction::Nothing,
        None if idle >= limits.logout - limits.warning => IdleAction::Warn {
            ends_at: ends_at.max(now.saturating_add(limits.warning)),
        },
        None => IdleAction::Nothing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: IdleLimits = IdleLimits {
        logout: 3600,
        warning: 300,
    };

    fn opened(at: i64) -> Watched {
        Watched {
            opened_at: at,
            last_input: None,
            warned_at: None,
        }
    }

    /// Runs the watcher every `step` seconds from 0 to `until`, as the
    /// daemon does, typing at the times in `typed`; the actions taken.
    fn run(typed: &[i64], step: i64, until: i64) -> Vec<(i64, IdleAction)> {
        let mut w = opened(0);
        let mut out = Vec::new();
        let mut now = 0;
        while now <= until {
            if let Some(t) = typed.iter().filter(|t| **t <= now).max() {
                w.last_input = Some(*t);
            }
            match decide(HOUR, &w, now) {
                IdleAction::Nothing => {}
                IdleAction::Warn { ends_at } => {
                    w.warned_at = Some(now);
                    out.push((now, IdleAction::Warn { ends_at }));
                }
                end @ IdleAction::End { .. } => {
                    out.push((now, end));
                    break;
                }
            }
            now += step;
        }
        out
    }

    #[test]
    fn an_idle_session_is_warned_then_ended_at_the_hour() {
        assert_eq!(
            run(&[], 5, 7200),
            vec![
                (3300, IdleAction::Warn { ends_at: 3600 }),
                (3600, IdleAction::End { idle_for: 3600 }),
            ]
        );
    }

    #[test]
    fn typing_resets_the_clock_and_forgets_the_warning() {
        let out = run(&[3400], 5, 9000);
        assert_eq!(
            out,
            vec![
                (3300, IdleAction::Warn { ends_at: 3600 }),
                (6700, IdleAction::Warn { ends_at: 7000 }),
                (7000, IdleAction::End { idle_for: 3600 }),
            ]
        );
    }

    #[test]
    fn someone_who_keeps_typing_is_never_warned() {
        let typed: Vec<i64> = (0..40).map(|i| i * 1000).collect();
        assert_eq!(run(&typed, 5, 40_000), vec![]);
    }

    #[test]
    fn a_late_watcher_warns_first_and_ends_only_after_the_warning_time() {
        // The daemon was away past the hour: warn now, end 5 minutes on.
        let w = opened(0);
        assert_eq!(decide(HOUR, &w, 5000), IdleAction::Warn { ends_at: 5300 });
        let warned = Watched {
            warned_at: Some(5000),
            ..w
        };
        assert_eq!(decide(HOUR, &warned, 5100), IdleAction::Nothing);
        assert_eq!(
            decide(HOUR, &warned, 5300),
            IdleAction::End { idle_for: 5300 }
        );
    }

    #[test]
    fn off_never_acts() {
        let off = IdleLimits {
            logout: 0,
            warning: 300,
        };
        assert_eq!(decide(off, &opened(0), 1_000_000), IdleAction::Nothing);
    }

    #[test]
    fn sessions_without_a_terminal_are_not_watched() {
        for tty in ["/dev/pts/3", "pts/0", "tty1", "/dev/ttyS0"] {
            assert!(is_terminal(Some(tty)), "{tty}");
        }
        for tty in [None, Some("ssh"), Some(""), Some(":0"), Some("/dev/null")] {
            assert!(!is_terminal(tty), "{tty:?}");
        }
    }
}
