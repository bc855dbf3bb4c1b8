//! Logout after inactivity (SPEC §12): sessions registered by the PAM
//! session hook, watched by one task, warned and ended by the rule in
//! `rules::idle`.

use std::sync::Arc;
use std::time::Duration;

use monban_proto::{PamContext, Response, Text, WireError};

use super::Daemon;
use crate::peer::Peer;
use crate::rules::idle::{self, IdleAction, IdleLimits, Watched};
use crate::sessions::{Tracked, terminal, tty_path};
use crate::store::NewAuditEntry;

/// How often the watcher looks at the terminals: well inside the kernel's
/// 8 s step of a terminal's access time.
const WATCH_EVERY: Duration = Duration::from_secs(2);

/// Seconds a session without a terminal is looked at before it counts as
/// one that has none.
const TERMINAL_WAIT: i64 = 30;

impl Daemon {
    fn idle_limits(&self) -> IdleLimits {
        IdleLimits {
            logout: self.cfg.session.idle_logout.as_secs(),
            warning: self.cfg.session.idle_warning.as_secs(),
        }
    }

    /// The PAM session hook opened a session: watch it if it has a
    /// terminal (and is not root's, unless `idle_root`). Any user's, also
    /// one monban does not manage: the rule is the site's, not monban's
    /// passwords'. A session whose PAM_TTY names no terminal (sshd says
    /// `ssh` before it allocates the pty) waits, by its leader's pid, for
    /// a terminal to appear below it; scp, sftp and `ssh host cmd` never
    /// get one and are dropped.
    pub(super) async fn watch_session(&self, peer: &Peer, pid: Option<u32>, ctx: &PamContext) {
        let s = &self.cfg.session;
        if !s.enabled() || (ctx.user == "root" && !s.idle_root) {
            return;
        }
        let tty = ctx
            .tty
            .as_deref()
            .filter(|t| idle::is_terminal(Some(t)))
            .map(tty_path);
        if tty.is_none() && pid.is_none() {
            return;
        }
        let name = ctx.user.clone();
        let lang = self
            .store
            .get(move |tx| tx.language_of(&name))
            .await
            .ok()
            .flatten()
            .unwrap_or(self.cfg.daemon.language);
        tracing::debug!(
            user = ctx.user,
            tty,
            pid,
            uid = peer.uid,
            "watching session"
        );
        let mut t = Tracked {
            user: ctx.user.clone(),
            tty: None,
            service: ctx.service.clone(),
            rhost: ctx.rhost.clone(),
            leader_pid: pid,
            tty_owner: None,
            lang,
            watched: Watched {
                opened_at: self.now(),
                last_input: None,
                warned_at: None,
            },
        };
        if let Some(path) = tty {
            match probe(&path).await {
                Some((last_input, owner)) => {
                    t.tty = Some(path);
                    t.tty_owner = Some(owner);
                    t.watched.last_input = Some(last_input);
                }
                None => {
                    tracing::warn!(
                        user = ctx.user,
                        tty = path,
                        "session not watched for inactivity: its terminal cannot be seen"
                    );
                    return;
                }
            }
        }
        self.sessions.add(t);
    }

    pub(super) fn unwatch_session(&self, pid: Option<u32>, ctx: &PamContext) {
        let tty = ctx.tty.as_deref().map(tty_path);
        self.sessions.close(&ctx.user, tty.as_deref(), pid);
    }

    pub(super) fn session_list(&self) -> Result<Response, WireError> {
        Ok(Response::Sessions(self.sessions.all(self.now())))
    }

    /// The watcher: runs for the daemon's life when `idle_logout` is set.
    pub async fn watch_sessions(self: Arc<Self>) {
        let mut tick = tokio::time::interval(WATCH_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            self.watch_once().await;
        }
    }

    /// One look at every watched session.
    pub(crate) async fn watch_once(&self) {
        let limits = self.idle_limits();
        for (id, mut t) in self.sessions.snapshot() {
            let Some(tty) = &t.tty else {
                self.find_terminal(id, &t).await;
                continue;
            };
            let seen = probe(tty).await;
            // Gone, or another user's now: the session ended without a close.
            let Some((last_input, _)) = seen.filter(|(_, o)| Some(*o) == t.tty_owner) else {
                self.sessions.remove(id);
                continue;
            };
            t.watched.last_input = Some(last_input);
            self.sessions
                .update(id, |s| s.watched.last_input = Some(last_input));
            let now = self.now();
            match idle::decide(limits, &t.watched, now) {
                IdleAction::Nothing => {}
                IdleAction::Warn { ends_at } => {
                    let idle_for = now - idle::idle_since(&t.watched);
                    let text = with_duration(Text::new("session-idle-warning"), idle_for)
                        .time("at", ends_at);
                    self.tell_terminal(&t, text).await;
                    self.sessions
                        .update(id, |s| s.watched.warned_at = Some(now));
                    self.audit_session(&t, "session_idle_warned", None).await;
                }
                IdleAction::End { idle_for } => {
                    self.sessions.remove(id);
                    self.end_session(&t, idle_for).await;
                }
            }
        }
    }

    /// A session waiting for its terminal: look below its leader; past
    /// `TERMINAL_WAIT` it has none (scp, sftp, `ssh host cmd`) and is
    /// dropped.
    async fn find_terminal(&self, id: u64, t: &Tracked) {
        let Some(leader) = t.leader_pid else {
            self.sessions.remove(id);
            return;
        };
        let found = tokio::task::spawn_blocking(move || {
            let tty = terminal::of_descendants(leader)?;
            let (last_input, owner) = terminal::last_input(&tty)?;
            Some((tty, last_input, owner))
        })
        .await
        .ok()
        .flatten();
        match found {
            Some((tty, last_input, owner)) => {
                tracing::debug!(user = t.user, tty, leader, "session terminal found");
                self.sessions.update(id, |s| {
                    s.tty = Some(tty);
                    s.tty_owner = Some(owner);
                    s.watched.last_input = Some(last_input);
                });
            }
            None if self.now() - t.watched.opened_at > TERMINAL_WAIT => {
                self.sessions.remove(id);
            }
            None => {}
        }
    }

    async fn end_session(&self, t: &Tracked, idle_for: i64) {
        let text = with_duration(Text::new("session-idle-ended"), idle_for);
        self.tell_terminal(t, text).await;
        let outcome = match t.leader_pid {
            Some(pid) => crate::sessions::logind::terminate_session_of(pid).await,
            None => Err("the session's process is unknown".into()),
        };
        match outcome {
            Ok(id) => {
                tracing::info!(
                    user = t.user,
                    tty = t.tty,
                    session = id,
                    "idle session ended"
                );
                let detail = format!("idle {idle_for} s; logind session {id} terminated");
                self.audit_session(t, "session_idle_ended", Some(detail))
                    .await;
            }
            Err(why) => {
                tracing::error!(user = t.user, tty = t.tty, "idle session NOT ended: {why}");
                let detail = format!("idle {idle_for} s; not ended: {why}");
                self.audit_session(t, "session_idle_end_failed", Some(detail))
                    .await;
            }
        }
    }

    async fn tell_terminal(&self, t: &Tracked, text: Text) {
        let line = self.catalog(t.lang).render(&text);
        let Some(path) = t.tty.clone() else { return };
        let written = tokio::task::spawn_blocking(move || terminal::write(&path, &line)).await;
        if let Ok(Err(e)) = written {
            tracing::warn!(tty = t.tty, "cannot write to the terminal: {e}");
        }
    }

    async fn audit_session(&self, t: &Tracked, event: &'static str, detail: Option<String>) {
        let entry = NewAuditEntry {
            at: self.now(),
            event,
            actor: Some("monban-authd".into()),
            user: Some(t.user.clone()),
            service: Some(t.service.clone()),
            rhost: t.rhost.clone(),
            tty: t.tty.clone(),
            detail,
            ..Default::default()
        };
        if let Err(e) = self.commit_events(vec![entry]).await {
            tracing::error!("cannot record {event}: {}", e.message.text);
        }
    }
}

/// The terminal's last input and owner, read off the async workers.
async fn probe(tty: &str) -> Option<(i64, u32)> {
    let path = tty.to_string();
    tokio::task::spawn_blocking(move || terminal::last_input(&path))
        .await
        .ok()
        .flatten()
}

/// The idle time as the catalogs say it: whole minutes, or seconds under
/// one minute.
fn with_duration(text: Text, secs: i64) -> Text {
    text.arg("minutes", secs / 60).arg("seconds", secs)
}
