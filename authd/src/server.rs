//! The socket: the only async edge. Bounded connections, bounded frames,
//! idle connections closed, the peer identified by SO_PEERCRED.

use std::fs;
use std::io;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use monban_proto::{
    Catalog, ErrorCode, FrameError, Lang, LangHint, Request, Response, Text, WireError, check_len,
    decode_with, encode_reply_in, write_frame,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use zeroize::Zeroizing;

use crate::handlers::{Daemon, Session};
use crate::peer::Peer;
use crate::peer_proc;

/// Creates the socket's directory if missing, refuses to steal the socket
/// of a running daemon, and opens the socket to every local user.
pub fn bind(path: &Path) -> io::Result<UnixListener> {
    if let Some(dir) = path.parent()
        && !dir.exists()
    {
        fs::create_dir_all(dir)?;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o755))?;
    }
    if let Ok(meta) = fs::symlink_metadata(path) {
        if !meta.file_type().is_socket() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("{} exists and is not a socket", path.display()),
            ));
        }
        if std::os::unix::net::UnixStream::connect(path).is_ok() {
            return Err(io::Error::new(
                io::ErrorKind::AddrInUse,
                format!("another monban-authd is listening on {}", path.display()),
            ));
        }
        fs::remove_file(path)?;
    }
    let listener = UnixListener::bind(path)?;
    // Every local user may connect; each request is authorised by its peer.
    fs::set_permissions(path, fs::Permissions::from_mode(0o666))?;
    Ok(listener)
}

pub struct Limits {
    pub max_connections: usize,
    /// Per real uid other than 0; real root (the PAM services started by
    /// root: sshd, login) is bounded by the total only.
    pub max_per_user: usize,
    pub idle_timeout: Duration,
}

/// Connection slots: a total, a share that unprivileged users together
/// cannot exceed (so sshd and login always find room), and a cap per real
/// uid: a setuid `su` waiting at its prompt is its user's, not root's. A
/// client over a limit is answered `Busy` at once, not left waiting.
struct Slots {
    all: Arc<Semaphore>,
    unprivileged: Arc<Semaphore>,
    per_user: std::sync::Mutex<std::collections::HashMap<u32, usize>>,
    max_per_user: usize,
}

/// Held for as long as a connection lives.
struct Slot {
    slots: Arc<Slots>,
    uid: u32,
    _all: OwnedSemaphorePermit,
    _unprivileged: Option<OwnedSemaphorePermit>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        if self.uid != 0 {
            let mut counts = self.slots.counts();
            if let Some(n) = counts.get_mut(&self.uid) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    counts.remove(&self.uid);
                }
            }
        }
    }
}

impl Slots {
    fn new(limits: &Limits) -> Arc<Self> {
        let unprivileged = (limits.max_connections - limits.max_connections / 4).max(1);
        Arc::new(Self {
            all: Arc::new(Semaphore::new(limits.max_connections)),
            unprivileged: Arc::new(Semaphore::new(unprivileged)),
            per_user: std::sync::Mutex::new(std::collections::HashMap::new()),
            max_per_user: limits.max_per_user,
        })
    }

    fn counts(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<u32, usize>> {
        self.per_user
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// `uid` is the uid the connection counts against (see [`counted_uid`]).
    fn take(self: &Arc<Self>, uid: u32) -> Option<Slot> {
        let all = Arc::clone(&self.all).try_acquire_owned().ok()?;
        let unprivileged = if uid == 0 {
            None
        } else {
            let permit = Arc::clone(&self.unprivileged).try_acquire_owned().ok()?;
            let mut counts = self.counts();
            let n = counts.entry(uid).or_insert(0);
            if *n >= self.max_per_user {
                return None;
            }
            *n += 1;
            Some(permit)
        };
        Some(Slot {
            slots: Arc::clone(self),
            uid,
            _all: all,
            _unprivileged: unprivileged,
        })
    }
}

/// The uid a connection counts against: the peer's real uid; when that
/// cannot be established, the effective uid, but never root's reserve (an
/// unknown peer with effective uid 0 counts as a non-root user, uid
/// [`UNKNOWN_ROOT`]). Counting rather than refusing keeps logins served
/// when /proc is hidden from the daemon, without opening root's share.
fn counted_uid(effective: u32, real: Result<u32, peer_proc::Unknown>) -> u32 {
    match real {
        Ok(uid) => uid,
        Err(_) if effective == 0 => UNKNOWN_ROOT,
        Err(_) => effective,
    }
}

/// The per-user bucket of effective-root peers whose real uid is unknown
/// (`(uid_t)-1`, which no process can have).
const UNKNOWN_ROOT: u32 = u32::MAX;

/// Serves until `shutdown` resolves, then waits briefly for connections in
/// flight so no answer is cut off half-way.
pub async fn serve(
    daemon: Arc<Daemon>,
    listener: UnixListener,
    limits: Limits,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let slots = Slots::new(&limits);
    let idle = limits.idle_timeout;
    tokio::pin!(shutdown);
    loop {
        let (stream, accepted) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => (stream, peer_proc::AcceptedAt::now()),
                Err(e) => {
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let daemon = Arc::clone(&daemon);
        let slots = Arc::clone(&slots);
        tokio::spawn(async move {
            connection(daemon, stream, accepted, idle, slots).await;
        });
    }
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    let drained = tokio::time::timeout(Duration::from_secs(5), slots.all.acquire_many(all)).await;
    if drained.is_err() {
        tracing::warn!("connections still open at shutdown were closed");
    }
}

async fn connection(
    daemon: Arc<Daemon>,
    mut stream: UnixStream,
    accepted: Option<peer_proc::AcceptedAt>,
    idle: Duration,
    slots: Arc<Slots>,
) {
    let cred = match stream.peer_cred() {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!("no peer credentials: {e}");
            return;
        }
    };
    let (uid, pid) = (cred.uid(), cred.pid());
    let identify = move || {
        let real = peer_proc::real_uid(pid, accepted);
        let counted = counted_uid(uid, real);
        (real, counted, slots.take(counted))
    };
    // /proc answers from memory for root's peers (every PAM stack): no
    // trip to the blocking pool on the login path.
    let admitted = if uid == 0 {
        Ok(identify())
    } else {
        tokio::task::spawn_blocking(identify).await
    };
    let Ok((real, counted, admitted)) = admitted else {
        return;
    };
    if let Err(why) = real {
        tracing::warn!(
            uid,
            pid,
            "real uid of the peer unknown ({why}): counted as a non-root user"
        );
    }
    let Some(_slot) = admitted else {
        tracing::warn!(
            uid,
            real_uid = counted,
            "connection refused: too many connections"
        );
        // Busy before the request is read: no hint yet, the default language.
        let catalog = daemon.default_catalog();
        let mut busy = Response::Error(WireError::new(ErrorCode::Busy, Text::new("daemon-busy")));
        busy.render(catalog);
        let _ = send(&mut stream, &busy, catalog.lang()).await;
        return;
    };
    tracing::debug!(uid, real_uid = counted, pid, "connection");
    // Who the peer is (a NSS question) is asked at its first request that
    // needs it: NSS lookups need nobody's name, and asking NSS the name
    // of an account only monban knows would ask this daemon again.
    let mut session: Option<Session> = None;
    loop {
        let body = match tokio::time::timeout(idle, read_frame(&mut stream)).await {
            Err(_) => {
                tracing::debug!(uid, "idle connection closed");
                return;
            }
            Ok(Err(FrameError::Closed)) => return,
            Ok(Err(e)) => {
                refuse(&mut stream, uid, &e, daemon.default_catalog()).await;
                return;
            }
            Ok(Ok(body)) => body,
        };
        let (request, hint) = match decode_with::<Request, LangHint>(&body) {
            Ok((r, hint)) => (r, hint.unwrap_or_default()),
            Err(e) => {
                refuse(&mut stream, uid, &e, daemon.default_catalog()).await;
                return;
            }
        };
        if let Request::Lookup(query) = request {
            let reply = daemon.answer_lookup(query).await;
            if let Err(e) = send(&mut stream, &reply, Lang::En).await {
                tracing::debug!(uid, "client went away: {e}");
                return;
            }
            continue;
        }
        let session = match &mut session {
            Some(session) => session,
            None => {
                let group = daemon.cfg.daemon.admin_group.clone();
                let resolve = move || Peer::resolve(uid, counted, &group);
                let peer = if uid == 0 {
                    resolve()
                } else {
                    match tokio::task::spawn_blocking(resolve).await {
                        Ok(peer) => peer,
                        Err(_) => return,
                    }
                };
                let mut new = Session::new(peer);
                new.pid = pid.and_then(|p| u32::try_from(p).ok());
                session.insert(new)
            }
        };
        let mut response = daemon.handle(session, request).await;
        // After the handler: a reply to `monban language ja` is in Japanese.
        let lang = daemon.reply_language(session, hint).await;
        response.render(daemon.catalog(lang));
        if let Err(e) = send(&mut stream, &response, lang).await {
            tracing::debug!(uid, "client went away: {e}");
            return;
        }
    }
}

/// Answers a bad frame with a coded error, then the connection is closed:
/// after a framing error nothing later on it can be trusted.
async fn refuse(stream: &mut UnixStream, uid: u32, e: &FrameError, catalog: &Catalog) {
    tracing::warn!(uid, "bad request: {e}");
    let code = match e {
        FrameError::TooLarge(_) => ErrorCode::FrameTooLarge,
        FrameError::Version(_) => ErrorCode::UnsupportedVersion,
        _ => ErrorCode::BadRequest,
    };
    // The detail is the protocol's own (English, technical) description.
    let mut reply = Response::Error(WireError::new(
        code,
        Text::new("bad-frame").arg("detail", e.to_string()),
    ));
    reply.render(catalog);
    let _ = send(stream, &reply, catalog.lang()).await;
}

async fn read_frame(stream: &mut UnixStream) -> Result<Zeroizing<Vec<u8>>, FrameError> {
    let mut prefix = [0u8; 4];
    match stream.read_exact(&mut prefix).await {
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Err(FrameError::Closed),
        Err(e) => return Err(e.into()),
    }
    let len = check_len(prefix)?;
    let mut body = Zeroizing::new(vec![0u8; len]);
    stream.read_exact(&mut body).await.map_err(|e| {
        if e.kind() == io::ErrorKind::UnexpectedEof {
            FrameError::Malformed("truncated frame".into())
        } else {
            FrameError::Io(e)
        }
    })?;
    Ok(body)
}

async fn send(stream: &mut UnixStream, response: &Response, lang: Lang) -> Result<(), FrameError> {
    let body = match encode_reply_in(response, lang) {
        Ok(body) => body,
        Err(e) => {
            tracing::error!("reply not sent: {e}");
            let mut too_big = Response::Error(WireError::new(
                ErrorCode::Internal,
                Text::new("answer-too-large"),
            ));
            too_big.render(&Catalog::new(lang));
            encode_reply_in(&too_big, lang)?
        }
    };
    let mut wire = Zeroizing::new(Vec::with_capacity(body.len() + 4));
    write_frame(&mut *wire, &body)?;
    stream.write_all(&wire).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::peer_proc::Unknown;

    fn slots(max: usize, per_user: usize) -> Arc<Slots> {
        Slots::new(&Limits {
            max_connections: max,
            max_per_user: per_user,
            idle_timeout: Duration::from_secs(1),
        })
    }

    #[test]
    fn a_setuid_peer_counts_as_its_real_user_and_an_unknown_one_never_as_root() {
        assert_eq!(counted_uid(0, Ok(65534)), 65534, "su started by nobody");
        assert_eq!(counted_uid(0, Ok(0)), 0, "sshd, login");
        assert_eq!(counted_uid(0, Err(Unknown::Unreadable)), UNKNOWN_ROOT);
        assert_eq!(counted_uid(0, Err(Unknown::Reused)), UNKNOWN_ROOT);
        assert_eq!(counted_uid(1000, Err(Unknown::NoPid)), 1000);
    }

    #[test]
    fn one_user_holds_their_share_only_and_root_keeps_its_reserve() {
        let s = slots(8, 2);
        let mine: Vec<_> = (0..2).filter_map(|_| s.take(65534)).collect();
        assert_eq!(mine.len(), 2);
        assert!(s.take(65534).is_none(), "over the per-user cap");
        let unknown: Vec<_> = (0..2).filter_map(|_| s.take(UNKNOWN_ROOT)).collect();
        assert_eq!(unknown.len(), 2);
        assert!(
            s.take(UNKNOWN_ROOT).is_none(),
            "unknown peers share one cap"
        );
        let others: Vec<_> = (1..10).filter_map(|u| s.take(u)).collect();
        assert_eq!(others.len(), 2, "the non-root share is 6 of 8");
        let root: Vec<_> = (0..2).filter_map(|_| s.take(0)).collect();
        assert_eq!(root.len(), 2, "root's quarter is still free");
        assert!(s.take(0).is_none(), "the total bounds root too");
        drop(mine);
        assert!(
            s.take(65534).is_some(),
            "a closed connection frees its slot"
        );
    }
}
