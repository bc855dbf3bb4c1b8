//! Blocking client used by the PAM module and the CLI: no runtime, no
//! threads, every wait bounded.

use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::frame::{FrameError, decode_with, encode_request, read_reply, write_frame};
use crate::server_identity::TrustedServer;
use crate::{ErrorCode, Request, Response, WireError};
use monban_i18n::{Lang, LangHint};

#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub connect: Duration,
    /// Bound on each read or write; the daemon answers within it unless it
    /// is waiting on nothing but us.
    pub io: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(3),
            io: Duration::from_secs(20),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error(
        "cannot reach monban-authd at {path}: {source} (is it running? systemctl status monban-authd)"
    )]
    Connect { path: String, source: io::Error },
    #[error("monban-authd did not answer in time")]
    Timeout,
    #[error("bad exchange with monban-authd: {0}")]
    Protocol(#[from] FrameError),
    /// Something other than root or the daemon user listens at the path;
    /// nothing was sent to it.
    #[error("refusing to talk to {path}: {reason}; another program may have taken the socket path")]
    Untrusted { path: String, reason: String },
    /// The daemon answered with a coded refusal.
    #[error("{0}")]
    Refused(WireError),
}

impl ClientError {
    /// True when the daemon could not be reached or did not speak sensibly:
    /// the caller must treat the check as unavailable, never as passed.
    pub fn is_unavailable(&self) -> bool {
        !matches!(self, Self::Refused(_))
    }

    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Self::Refused(e) => Some(e.code),
            _ => None,
        }
    }
}

pub struct Client {
    stream: UnixStream,
    hint: LangHint,
    rendered_in: Option<Lang>,
}

impl Client {
    /// Connects to a daemon run by root or the default daemon user.
    pub fn connect(path: &Path, timeouts: Timeouts) -> Result<Self, ClientError> {
        Self::connect_to(path, timeouts, &TrustedServer::default())
    }

    /// Connects, then checks the listener's SO_PEERCRED uid before anything
    /// is written: an impostor gets not even the first request.
    pub fn connect_to(
        path: &Path,
        timeouts: Timeouts,
        trusted: &TrustedServer,
    ) -> Result<Self, ClientError> {
        let stream = connect_with_deadline(path, timeouts.connect).map_err(|source| {
            if source.kind() == io::ErrorKind::TimedOut {
                ClientError::Timeout
            } else {
                ClientError::Connect {
                    path: path.display().to_string(),
                    source,
                }
            }
        })?;
        let io_timeout = Some(timeouts.io.max(Duration::from_millis(1)));
        stream
            .set_read_timeout(io_timeout)
            .and_then(|()| stream.set_write_timeout(io_timeout))
            .map_err(|e| ClientError::Protocol(FrameError::Io(e)))?;
        let found = listener_uid(&stream).map_err(|e| ClientError::Protocol(FrameError::Io(e)))?;
        if !trusted.accepts(found) {
            return Err(ClientError::Untrusted {
                path: path.display().to_string(),
                reason: trusted.refusal(found),
            });
        }
        Ok(Self {
            stream,
            hint: LangHint::default(),
            rendered_in: None,
        })
    }

    /// What this client found about the reader's language; sent with every
    /// request so the daemon renders its texts in the right one.
    pub fn set_lang_hint(&mut self, hint: LangHint) {
        self.hint = hint;
    }

    /// The language the daemon rendered its last reply in.
    pub fn rendered_in(&self) -> Option<Lang> {
        self.rendered_in
    }

    /// Sends one request and reads one response. A coded error from the
    /// daemon becomes `ClientError::Refused`.
    pub fn call(&mut self, req: &Request) -> Result<Response, ClientError> {
        let body = encode_request(req, &self.hint)?;
        let reply = match write_frame(&mut NoSigPipe(&self.stream), &body) {
            Ok(()) => read_reply(&mut self.stream).map_err(timeout_aware)?,
            // A daemon that refuses a connection (busy) answers and closes
            // without reading: the answer may already be waiting.
            Err(write_error) => match read_reply(&mut self.stream) {
                Ok(reply) => reply,
                Err(_) => return Err(timeout_aware(write_error)),
            },
        };
        let (response, lang) = decode_with::<Response, Lang>(&reply)?;
        self.rendered_in = lang;
        match response {
            Response::Error(e) => Err(ClientError::Refused(e)),
            other => Ok(other),
        }
    }
}

/// Writes with MSG_NOSIGNAL: a PAM module lives in someone else's process
/// (sshd, login, a screen locker), and a daemon that closed the socket must
/// give an error there, not a SIGPIPE that kills the host.
struct NoSigPipe<'a>(&'a UnixStream);

impl io::Write for NoSigPipe<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        use nix::sys::socket::{MsgFlags, send};
        loop {
            match send(self.0.as_raw_fd(), buf, MsgFlags::MSG_NOSIGNAL) {
                Err(nix::errno::Errno::EINTR) => continue,
                other => return other.map_err(io::Error::from),
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn timeout_aware(e: FrameError) -> ClientError {
    match e {
        FrameError::Io(io)
            if matches!(
                io.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
            ) =>
        {
            ClientError::Timeout
        }
        other => ClientError::Protocol(other),
    }
}

/// The uid the kernel recorded for the process that bound the listener.
fn listener_uid(stream: &UnixStream) -> io::Result<u32> {
    use nix::sys::socket::{getsockopt, sockopt::PeerCredentials};
    Ok(getsockopt(stream, PeerCredentials)
        .map_err(io::Error::from)?
        .uid())
}

/// `UnixStream::connect` blocks without limit when the listen backlog is
/// full; connect non-blocking and retry until the deadline instead.
fn connect_with_deadline(path: &Path, limit: Duration) -> io::Result<UnixStream> {
    use nix::errno::Errno;
    use nix::sys::socket::{AddressFamily, SockFlag, SockType, UnixAddr, connect, socket};

    let addr = UnixAddr::new(path).map_err(io::Error::from)?;
    let deadline = Instant::now() + limit;
    loop {
        let fd: OwnedFd = socket(
            AddressFamily::Unix,
            SockType::Stream,
            SockFlag::SOCK_NONBLOCK | SockFlag::SOCK_CLOEXEC,
            None,
        )?;
        match connect(fd.as_raw_fd(), &addr) {
            Ok(()) => {
                let stream = UnixStream::from(fd);
                stream.set_nonblocking(false)?;
                return Ok(stream);
            }
            Err(Errno::EAGAIN | Errno::EINTR) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(Errno::EAGAIN) => return Err(io::ErrorKind::TimedOut.into()),
            Err(e) => return Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::net::UnixListener;

    use super::*;
    use crate::{WireError, encode_reply};

    #[test]
    fn an_answer_sent_before_the_daemon_hung_up_is_still_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s");
        let listener = UnixListener::bind(&path).unwrap();
        let server = std::thread::spawn(move || {
            let (mut conn, _) = listener.accept().unwrap();
            let busy = Response::Error(WireError::new(
                ErrorCode::Busy,
                monban_i18n::Text::new("daemon-busy"),
            ));
            write_frame(&mut conn, &encode_reply(&busy).unwrap()).unwrap();
            conn.shutdown(std::net::Shutdown::Both).unwrap();
        });
        let mut client = Client::connect(&path, Timeouts::default()).unwrap();
        server.join().unwrap();
        let err = client.call(&Request::Ping).unwrap_err();
        assert_eq!(err.code(), Some(ErrorCode::Busy), "{err}");
    }

    #[test]
    fn no_daemon_is_unavailable_not_a_refusal() {
        let dir = tempfile::tempdir().unwrap();
        let err = Client::connect(&dir.path().join("none"), Timeouts::default())
            .err()
            .unwrap();
        assert!(err.is_unavailable());
    }
}
