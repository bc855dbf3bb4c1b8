//! The interactive sessions this daemon watches for inactivity (SPEC §12),
//! kept in memory: a session belongs to this host, and one that outlives
//! a daemon restart is simply not watched any more.

pub mod logind;
pub mod terminal;

use std::collections::BTreeMap;
use std::sync::Mutex;

use monban_proto::{Lang, SessionInfo};

use crate::rules::idle::Watched;

#[derive(Debug, Clone)]
pub struct Tracked {
    pub user: String,
    /// `/dev/pts/3`, `/dev/tty1`; None until found below the leader (sshd
    /// opens the PAM session before the pty exists).
    pub tty: Option<String>,
    pub service: String,
    pub rhost: Option<String>,
    /// The process that opened the session (sshd's session child, login):
    /// logind's leader, by which the session is found to end it.
    pub leader_pid: Option<u32>,
    /// The terminal's owner when it was found: a terminal that changed
    /// hands is not this session's any more.
    pub tty_owner: Option<u32>,
    pub lang: Lang,
    pub watched: Watched,
}

impl Tracked {
    pub fn info(&self, now: i64) -> SessionInfo {
        SessionInfo {
            user: self.user.clone(),
            tty: self.tty.clone().unwrap_or_default(),
            service: self.service.clone(),
            rhost: self.rhost.clone(),
            opened_at: self.watched.opened_at,
            idle_secs: now.saturating_sub(crate::rules::idle::idle_since(&self.watched)),
        }
    }
}

#[derive(Default)]
pub struct Registry {
    sessions: Mutex<BTreeMap<u64, Tracked>>,
    next: Mutex<u64>,
}

impl Registry {
    fn map(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, Tracked>> {
        self.sessions
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Starts watching; a session already watched on the same terminal
    /// (whose close never came) is replaced.
    pub fn add(&self, t: Tracked) -> u64 {
        let mut next = self
            .next
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *next += 1;
        let id = *next;
        let mut map = self.map();
        if t.tty.is_some() {
            map.retain(|_, old| old.tty != t.tty);
        }
        map.insert(id, t);
        id
    }

    /// The session of `user` closed: the one its leader `pid` opened, or
    /// the one on `tty`.
    pub fn close(&self, user: &str, tty: Option<&str>, pid: Option<u32>) -> bool {
        let mut map = self.map();
        let before = map.len();
        map.retain(|_, t| {
            let same = (pid.is_some() && t.leader_pid == pid)
                || (tty.is_some() && t.tty.as_deref() == tty);
            !(t.user == user && same)
        });
        map.len() != before
    }

    pub fn remove(&self, id: u64) -> Option<Tracked> {
        self.map().remove(&id)
    }

    pub fn snapshot(&self) -> Vec<(u64, Tracked)> {
        self.map().iter().map(|(k, v)| (*k, v.clone())).collect()
    }

    pub fn update(&self, id: u64, f: impl FnOnce(&mut Tracked)) {
        if let Some(t) = self.map().get_mut(&id) {
            f(t);
        }
    }

    /// Sessions whose terminal is known (the others are not watched yet).
    pub fn of_user(&self, user: &str, now: i64) -> Vec<SessionInfo> {
        self.map()
            .values()
            .filter(|t| t.user == user && t.tty.is_some())
            .map(|t| t.info(now))
            .collect()
    }

    pub fn all(&self, now: i64) -> Vec<SessionInfo> {
        self.map()
            .values()
            .filter(|t| t.tty.is_some())
            .map(|t| t.info(now))
            .collect()
    }
}

/// The terminal's path from a PAM_TTY (`pts/3`, `tty1`, `/dev/pts/3`).
pub fn tty_path(tty: &str) -> String {
    if tty.starts_with('/') {
        tty.to_string()
    } else {
        format!("/dev/{tty}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(user: &str, tty: &str) -> Tracked {
        Tracked {
            user: user.into(),
            tty: Some(tty.into()),
            service: "sshd".into(),
            rhost: None,
            leader_pid: None,
            tty_owner: Some(1000),
            lang: Lang::En,
            watched: Watched {
                opened_at: 100,
                last_input: Some(150),
                warned_at: None,
            },
        }
    }

    #[test]
    fn sessions_are_added_closed_and_listed_per_user() {
        let r = Registry::default();
        r.add(t("alice", "/dev/pts/1"));
        r.add(t("bob", "/dev/pts/2"));
        // A terminal reused before its close arrived: the newer session.
        r.add(t("carol", "/dev/pts/1"));
        assert!(r.of_user("alice", 200).is_empty());
        let carol = r.of_user("carol", 200);
        assert_eq!(carol.len(), 1);
        assert_eq!(carol[0].idle_secs, 50);
        assert!(r.close("bob", Some("/dev/pts/2"), None));
        assert!(!r.close("bob", Some("/dev/pts/2"), None));
        // sshd closes with PAM_TTY "ssh": found by its leader.
        let mut pending = t("dave", "x");
        pending.tty = None;
        pending.leader_pid = Some(77);
        r.add(pending);
        assert!(
            r.all(200).iter().all(|s| s.user != "dave"),
            "not watched yet"
        );
        assert!(r.close("dave", None, Some(77)));
        assert_eq!(r.all(200).len(), 1);
        assert_eq!(tty_path("pts/4"), "/dev/pts/4");
        assert_eq!(tty_path("/dev/tty1"), "/dev/tty1");
    }
}
