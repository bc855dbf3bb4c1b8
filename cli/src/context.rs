//! What every verb works with: the daemon connection, the secret source,
//! `--json`, and whether the caller is root (who needs no step-up).

use std::io;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use monban_config::{Config, DEFAULT_PATH};
use monban_proto::{
    AdminOp, Catalog, Client, ClientError, DEFAULT_SOCKET, FrameError, Lang, Request, Response,
    Secret, Text, Timeouts, TrustedServer,
};

use crate::error::CliError;
use crate::secrets::{SecretSource, prompt, require};
use crate::tr::Tr;

pub(crate) struct Ctx {
    pub json: bool,
    pub root: bool,
    pub secrets: Box<dyn SecretSource>,
    conn: Conn,
}

impl Ctx {
    pub(crate) fn new(
        socket: PathBuf,
        json: bool,
        secrets: Box<dyn SecretSource>,
        tr: Rc<Tr>,
    ) -> Self {
        Self {
            json,
            root: nix::unistd::getuid().is_root(),
            secrets,
            conn: Conn {
                path: socket,
                client: None,
                tr,
            },
        }
    }

    /// The catalog of the CLI's language as it stands now (SPEC §7): words
    /// chosen after a reply follow the language the daemon answered in.
    pub(crate) fn tr(&self) -> &Catalog {
        self.conn.tr.cat()
    }

    /// A secret that must be given, asked with the catalog's `id`.
    pub(crate) fn ask(&mut self, id: &str) -> Result<Secret, CliError> {
        let question = prompt(self.conn.tr.cat(), id);
        require(self.secrets.as_mut(), &question)
    }

    /// Connects now, so an absent daemon is reported before any prompt.
    pub(crate) fn connect(&mut self) -> Result<(), CliError> {
        self.conn.client()?;
        Ok(())
    }

    pub(crate) fn call(&mut self, req: &Request) -> Result<Response, CliError> {
        Ok(self.conn.call(req)?)
    }

    /// A non-root caller's own confirmation password for an administrative
    /// request, read before any other secret. Root sends none. When stdin
    /// is a pipe that has ended, none is sent either and the daemon says
    /// what is missing (step-up required, or not an administrator at all).
    pub(crate) fn step_up(&mut self) -> Result<Option<Secret>, CliError> {
        if self.root {
            return Ok(None);
        }
        let question = prompt(self.conn.tr.cat(), "cli-prompt-step-up");
        let answer = self.secrets.read(&question)?;
        if answer.is_none() && self.secrets.interactive() {
            return Err(CliError::Failed(Text::new("cli-no-step-up")));
        }
        Ok(answer)
    }

    /// Sends an administrative operation with a step-up already read.
    pub(crate) fn admin_with(
        &mut self,
        step_up: Option<Secret>,
        op: AdminOp,
    ) -> Result<Response, CliError> {
        self.call(&Request::Admin { step_up, op })
    }

    /// Every page of a paged administrative answer on one connection: the
    /// step-up is read once; `op(cursor)` builds each request and `page`
    /// takes each answer and returns the next cursor, None at the end.
    pub(crate) fn admin_pages<C>(
        &mut self,
        mut op: impl FnMut(Option<C>) -> AdminOp,
        mut page: impl FnMut(Response) -> Result<Option<C>, CliError>,
    ) -> Result<(), CliError> {
        self.connect()?;
        let step_up = self.step_up()?;
        let mut cursor = None;
        loop {
            // Sent with every page: on a fresh connection (after an idle
            // close) the daemon asks for it again.
            let reply = self.admin_with(step_up.clone(), op(cursor.take()))?;
            match page(reply)? {
                Some(next) => cursor = Some(next),
                None => return Ok(()),
            }
        }
    }

    /// Connects, reads the step-up, sends `op`: for verbs with no other secret.
    pub(crate) fn admin(&mut self, op: AdminOp) -> Result<Response, CliError> {
        self.connect()?;
        let step_up = self.step_up()?;
        self.admin_with(step_up, op)
    }
}

/// One connection for the whole command. The daemon closes connections that
/// stay silent (a person scanning a QR code, say); a request whose write
/// finds the connection closed was never delivered, so it is sent once more
/// on a fresh connection.
struct Conn {
    path: PathBuf,
    client: Option<Client>,
    /// Told the language of every reply, for the words the CLI adds.
    tr: Rc<Tr>,
}

impl Conn {
    fn client(&mut self) -> Result<&mut Client, ClientError> {
        let client = match self.client.take() {
            Some(c) => c,
            None => {
                let mut c = Client::connect_to(&self.path, Timeouts::default(), &trusted_server())?;
                c.set_lang_hint(self.tr.hint());
                c
            }
        };
        Ok(self.client.insert(client))
    }

    fn call(&mut self, req: &Request) -> Result<Response, ClientError> {
        let reply = match self.send(req) {
            Err(ClientError::Protocol(FrameError::Io(e)))
                if e.kind() == io::ErrorKind::BrokenPipe =>
            {
                self.client = None;
                self.send(req)
            }
            other => other,
        };
        // A refusal is rendered too, and says in which language.
        if let Some(c) = &self.client {
            self.tr.replied_in(c.rendered_in());
        }
        reply
    }

    fn send(&mut self, req: &Request) -> Result<Response, ClientError> {
        self.client()?.call(req)
    }
}

/// Who may answer at the socket: root or the daemon user, `monban` unless
/// `MONBAN_SERVER_USER` names another (a site whose package runs the daemon
/// under a different account). The CLI is never setuid, so its environment
/// is the caller's own choice.
fn trusted_server() -> TrustedServer {
    match std::env::var("MONBAN_SERVER_USER") {
        Ok(user) if !user.is_empty() => TrustedServer::named(&user),
        _ => TrustedServer::default(),
    }
}

/// What the CLI takes from the config.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Settings {
    /// The daemon's socket: `--socket`, else `[daemon] socket` of the
    /// config, else the default.
    pub socket: PathBuf,
    /// `[daemon] language`, when the config could be read.
    pub language: Option<Lang>,
}

/// The config named by `--config` or `MONBAN_CONFIG` must load; the default
/// one may be absent (or unreadable to an ordinary user), and then the
/// default socket is used and no language is configured.
pub(crate) fn resolve(
    socket: Option<PathBuf>,
    config: Option<PathBuf>,
    env_config: Option<PathBuf>,
) -> Result<Settings, CliError> {
    let (path, explicit) = match config.or(env_config) {
        Some(p) => (p, true),
        None => (PathBuf::from(DEFAULT_PATH), false),
    };
    let loaded = load_config(&path, explicit)?;
    let language = loaded.as_ref().map(|c| c.daemon.language);
    let socket = socket
        .or_else(|| loaded.map(|c| c.daemon.socket))
        .unwrap_or_else(|| PathBuf::from(DEFAULT_SOCKET));
    Ok(Settings { socket, language })
}

fn load_config(path: &Path, explicit: bool) -> Result<Option<Config>, CliError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(Config::parse(&text, path)?)),
        Err(e)
            if !explicit
                && matches!(
                    e.kind(),
                    io::ErrorKind::NotFound | io::ErrorKind::PermissionDenied
                ) =>
        {
            Ok(None)
        }
        Err(e) => Err(CliError::ConfigUnreadable(
            Text::new("cli-config-unreadable")
                .arg("path", path.display().to_string())
                .arg("error", e.to_string()),
        )),
    }
}

/// `MONBAN_CONFIG`, when set and not empty.
pub(crate) fn env_config() -> Option<PathBuf> {
    std::env::var_os("MONBAN_CONFIG")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    fn resolve_socket(
        socket: Option<PathBuf>,
        config: Option<PathBuf>,
        env_config: Option<PathBuf>,
    ) -> Result<PathBuf, CliError> {
        resolve(socket, config, env_config).map(|s| s.socket)
    }

    #[test]
    fn language_from_a_readable_config() {
        let dir = tempfile::tempdir().unwrap();
        let ja = write(dir.path(), "ja.toml", "[daemon]\nlanguage = \"ja\"\n");
        let plain = write(dir.path(), "en.toml", "[daemon]\n");
        assert_eq!(
            resolve(None, Some(ja), None).unwrap().language,
            Some(Lang::Ja)
        );
        assert_eq!(
            resolve(None, Some(plain), None).unwrap().language,
            Some(Lang::En),
            "the default of [daemon] language"
        );
        assert_eq!(
            load_config(&dir.path().join("absent.toml"), false)
                .unwrap()
                .map(|_| ()),
            None
        );
    }

    #[test]
    fn socket_from_config_unless_given() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = write(
            dir.path(),
            "m.toml",
            "[daemon]\nsocket = \"/tmp/x/authd.sock\"\n",
        );
        let got = resolve_socket(None, Some(cfg.clone()), None).unwrap();
        assert_eq!(got, PathBuf::from("/tmp/x/authd.sock"));
        let got = resolve_socket(None, None, Some(cfg.clone())).unwrap();
        assert_eq!(got, PathBuf::from("/tmp/x/authd.sock"));
        let got = resolve_socket(Some("/s".into()), Some(cfg), None).unwrap();
        assert_eq!(got, PathBuf::from("/s"));
    }

    #[test]
    fn flag_wins_over_environment() {
        let dir = tempfile::tempdir().unwrap();
        let a = write(dir.path(), "a.toml", "[daemon]\nsocket = \"/a.sock\"\n");
        let b = write(dir.path(), "b.toml", "[daemon]\nsocket = \"/b.sock\"\n");
        assert_eq!(
            resolve_socket(None, Some(a), Some(b)).unwrap(),
            PathBuf::from("/a.sock")
        );
    }

    #[test]
    fn missing_named_config_is_an_error_missing_default_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let err = resolve_socket(None, Some(dir.path().join("nope.toml")), None).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert_eq!(
            load_config(&dir.path().join("nope.toml"), false)
                .unwrap()
                .map(|_| ()),
            None
        );
    }

    #[test]
    fn bad_config_is_a_usage_error_with_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = write(dir.path(), "bad.toml", "[daemon]\n\nsokcet = \"/x\"\n");
        let err = resolve_socket(Some("/s".into()), Some(cfg), None).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        let en = Catalog::new(Lang::En);
        assert!(
            err.lines(&en)[0].contains("bad.toml:3"),
            "{:?}",
            err.lines(&en)
        );
    }
}
