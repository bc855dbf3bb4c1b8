//! What the NSS hooks answer: one question to the daemon, and its answer
//! checked before glibc sees it. A daemon that cannot be asked, or that
//! answers something odd, is `UNAVAIL` (the next source, or "no such
//! user"), never a guess.

use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::time::Duration;

use libnss::group::Group;
use libnss::interop::Response;
use libnss::passwd::Passwd;
use monban_proto::{
    Client, DEFAULT_SOCKET, GroupEntry, Lookup, LookupReply, PasswdEntry, Request,
    Response as Reply, Timeouts, TrustedServer, valid_name,
};

/// Connect, then each read and write: together well under the second in
/// which SPEC §11 wants an answer when the daemon hangs.
const TIMEOUTS: Timeouts = Timeouts {
    connect: Duration::from_millis(300),
    io: Duration::from_millis(600),
};

/// Pages of an enumeration at most (200 accounts each): a bound, not a limit
/// anyone meets.
const MAX_PAGES: usize = 5_000;

/// The daemon could not be asked, or answered nonsense.
#[derive(Debug)]
pub struct Unavailable;

/// Where the answers come from: the daemon, or a test's script.
pub trait Directory {
    fn ask(&self, query: Lookup) -> Result<LookupReply, Unavailable>;

    fn user_by_name(&self, name: &str) -> Response<Passwd> {
        // A name no account can have is not worth a question.
        if !valid_name(name) {
            return Response::NotFound;
        }
        one_user(self.ask(Lookup::UserByName(name.to_string())), |e| {
            e.name == name
        })
    }

    fn user_by_uid(&self, uid: u32) -> Response<Passwd> {
        if uid == 0 {
            return Response::NotFound;
        }
        one_user(self.ask(Lookup::UserByUid(uid)), |e| e.uid == uid)
    }

    fn all_users(&self) -> Response<Vec<Passwd>> {
        let mut all = Vec::new();
        let mut after = None;
        for _ in 0..MAX_PAGES {
            let Ok(LookupReply::Users { users, next }) = self.ask(Lookup::Users { after }) else {
                return Response::Unavail;
            };
            let Response::Success(page) = every(users, passwd) else {
                return Response::Unavail;
            };
            all.extend(page);
            match next {
                Some(name) => after = Some(name),
                None => return Response::Success(all),
            }
        }
        Response::Unavail
    }

    fn group_by_name(&self, name: &str) -> Response<Group> {
        if !valid_name(name) {
            return Response::NotFound;
        }
        one_group(self.ask(Lookup::GroupByName(name.to_string())), |g| {
            g.name == name
        })
    }

    fn group_by_gid(&self, gid: u32) -> Response<Group> {
        if gid == 0 {
            return Response::NotFound;
        }
        one_group(self.ask(Lookup::GroupByGid(gid)), |g| g.gid == gid)
    }

    fn all_groups(&self) -> Response<Vec<Group>> {
        match self.ask(Lookup::Groups) {
            Ok(LookupReply::Groups(groups)) => every(groups, group),
            _ => Response::Unavail,
        }
    }
}

/// The answer to a question about one user: the entry only if it is the
/// one asked about.
fn one_user(
    reply: Result<LookupReply, Unavailable>,
    asked: impl Fn(&PasswdEntry) -> bool,
) -> Response<Passwd> {
    match reply {
        Ok(LookupReply::User(e)) if asked(&e) => passwd(e),
        Ok(LookupReply::NotFound) => Response::NotFound,
        _ => Response::Unavail,
    }
}

fn one_group(
    reply: Result<LookupReply, Unavailable>,
    asked: impl Fn(&GroupEntry) -> bool,
) -> Response<Group> {
    match reply {
        Ok(LookupReply::Group(g)) if asked(&g) => group(g),
        Ok(LookupReply::NotFound) => Response::NotFound,
        _ => Response::Unavail,
    }
}

/// Every entry of an enumeration, or none: one refused entry spoils the
/// list (no half answer).
fn every<E, T>(entries: Vec<E>, convert: fn(E) -> Response<T>) -> Response<Vec<T>> {
    let mut all = Vec::with_capacity(entries.len());
    for e in entries {
        match convert(e) {
            Response::Success(t) => all.push(t),
            _ => return Response::Unavail,
        }
    }
    Response::Success(all)
}

/// An entry glibc may hand to a program: never uid or gid 0 (whoever
/// answers at the socket must not be able to mint a root account), and
/// no byte that would break a passwd line or a C string.
fn passwd(e: PasswdEntry) -> Response<Passwd> {
    let fields_ok = valid_name(&e.name) && [&e.home, &e.shell].iter().all(|f| field(f));
    if e.uid == 0 || e.gid == 0 || !fields_ok {
        return Response::Unavail;
    }
    Response::Success(Passwd {
        name: e.name,
        passwd: "*".into(),
        uid: e.uid,
        gid: e.gid,
        gecos: String::new(),
        dir: e.home,
        shell: e.shell,
    })
}

fn group(g: GroupEntry) -> Response<Group> {
    if g.gid == 0 || !valid_name(&g.name) {
        return Response::Unavail;
    }
    Response::Success(Group {
        name: g.name,
        passwd: "*".into(),
        gid: g.gid,
        members: Vec::new(),
    })
}

fn field(s: &str) -> bool {
    s.starts_with('/') && !s.contains(['\0', ':', '\n'])
}

/// monban-authd at the default socket.
pub struct Daemon {
    socket: &'static Path,
}

impl Daemon {
    pub fn system() -> Self {
        Self {
            socket: Path::new(DEFAULT_SOCKET),
        }
    }
}

impl Directory for Daemon {
    fn ask(&self, query: Lookup) -> Result<LookupReply, Unavailable> {
        let trusted = trusted_listener(self.socket)?;
        let mut client =
            Client::connect_to(self.socket, TIMEOUTS, &trusted).map_err(|_| Unavailable)?;
        match client.call(&Request::Lookup(query)) {
            Ok(Reply::Lookup(reply)) => Ok(reply),
            _ => Err(Unavailable),
        }
    }
}

/// Who may answer: root, or the owner of the socket's directory, which
/// only root can have made in `/run` (and which nobody else may write).
/// Asked of the file system, not of NSS: naming the daemon's user would
/// ask NSS from inside NSS.
fn trusted_listener(socket: &Path) -> Result<TrustedServer, Unavailable> {
    let dir = socket.parent().ok_or(Unavailable)?;
    let meta = std::fs::metadata(dir).map_err(|_| Unavailable)?;
    if meta.mode() & 0o022 != 0 {
        return Err(Unavailable);
    }
    Ok(TrustedServer {
        user: format!("the owner of {}", dir.display()),
        uid: Some(meta.uid()),
    })
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use super::*;

    /// Answers from a script and remembers what was asked.
    struct Script {
        answers: RefCell<Vec<Result<LookupReply, Unavailable>>>,
        asked: RefCell<Vec<Lookup>>,
    }

    impl Script {
        fn new(answers: Vec<Result<LookupReply, Unavailable>>) -> Self {
            Self {
                answers: RefCell::new(answers),
                asked: RefCell::default(),
            }
        }
    }

    impl Directory for Script {
        fn ask(&self, query: Lookup) -> Result<LookupReply, Unavailable> {
            self.asked.borrow_mut().push(query);
            let mut answers = self.answers.borrow_mut();
            if answers.is_empty() {
                Err(Unavailable)
            } else {
                answers.remove(0)
            }
        }
    }

    fn entry(name: &str, uid: u32) -> PasswdEntry {
        PasswdEntry {
            name: name.into(),
            uid,
            gid: 200_000,
            home: format!("/home/{name}"),
            shell: "/bin/bash".into(),
        }
    }

    fn user(r: Response<Passwd>) -> Option<(String, u32, String)> {
        match r {
            Response::Success(p) => Some((p.name, p.uid, p.dir)),
            _ => None,
        }
    }

    #[test]
    fn an_account_is_answered_with_no_password_and_its_home() {
        let s = Script::new(vec![Ok(LookupReply::User(entry("hanako", 200_001)))]);
        assert_eq!(
            user(s.user_by_name("hanako")),
            Some(("hanako".into(), 200_001, "/home/hanako".into()))
        );
        let s = Script::new(vec![Ok(LookupReply::User(entry("hanako", 200_001)))]);
        let Response::Success(p) = s.user_by_uid(200_001) else {
            panic!()
        };
        assert_eq!((p.passwd.as_str(), p.gecos.as_str()), ("*", ""));
    }

    #[test]
    fn not_found_and_unavailable_stay_apart() {
        let s = Script::new(vec![Ok(LookupReply::NotFound)]);
        assert!(matches!(s.user_by_name("nobody"), Response::NotFound));
        let s = Script::new(vec![Err(Unavailable)]);
        assert!(matches!(s.user_by_name("hanako"), Response::Unavail));
        let s = Script::new(vec![Ok(LookupReply::Groups(vec![]))]);
        assert!(matches!(s.user_by_uid(200_001), Response::Unavail));
    }

    #[test]
    fn an_answer_about_someone_else_or_about_root_is_refused() {
        for (reply, asked_uid) in [
            (entry("mallory", 200_001), None),
            (entry("hanako", 0), None),
            (entry("hanako", 200_002), Some(200_001)),
            (
                PasswdEntry {
                    gid: 0,
                    ..entry("hanako", 200_001)
                },
                None,
            ),
            (
                PasswdEntry {
                    shell: "/bin/sh:evil".into(),
                    ..entry("hanako", 200_001)
                },
                None,
            ),
        ] {
            let s = Script::new(vec![Ok(LookupReply::User(reply.clone()))]);
            let r = match asked_uid {
                Some(uid) => s.user_by_uid(uid),
                None => s.user_by_name("hanako"),
            };
            assert!(matches!(r, Response::Unavail), "{reply:?}");
        }
    }

    #[test]
    fn root_and_impossible_names_are_never_asked() {
        let s = Script::new(vec![]);
        assert!(matches!(s.user_by_uid(0), Response::NotFound));
        assert!(matches!(s.group_by_gid(0), Response::NotFound));
        assert!(matches!(s.user_by_name("a:b"), Response::NotFound));
        assert!(matches!(s.user_by_name(""), Response::NotFound));
        assert!(matches!(s.group_by_name("x y"), Response::NotFound));
        assert!(s.asked.borrow().is_empty());
    }

    #[test]
    fn enumeration_follows_the_pages() {
        let s = Script::new(vec![
            Ok(LookupReply::Users {
                users: vec![entry("a", 200_000), entry("b", 200_001)],
                next: Some("b".into()),
            }),
            Ok(LookupReply::Users {
                users: vec![entry("c", 200_002)],
                next: None,
            }),
        ]);
        let Response::Success(all) = s.all_users() else {
            panic!()
        };
        let names: Vec<_> = all.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["a", "b", "c"]);
        assert_eq!(
            s.asked.borrow()[1],
            Lookup::Users {
                after: Some("b".into())
            }
        );
        // A page that fails spoils the whole list: no half answer.
        let s = Script::new(vec![Ok(LookupReply::Users {
            users: vec![entry("a", 200_000)],
            next: Some("a".into()),
        })]);
        assert!(matches!(s.all_users(), Response::Unavail));
    }

    #[test]
    fn the_group_has_no_member_list() {
        let g = GroupEntry {
            name: "monban-users".into(),
            gid: 200_000,
        };
        let s = Script::new(vec![Ok(LookupReply::Group(g.clone()))]);
        let Response::Success(got) = s.group_by_gid(200_000) else {
            panic!()
        };
        assert!(got.members.is_empty());
        let s = Script::new(vec![Ok(LookupReply::Group(g))]);
        assert!(matches!(s.group_by_name("wheel"), Response::Unavail));
    }

    #[test]
    fn a_socket_directory_others_may_write_is_not_trusted() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let sock = dir.path().join("authd.sock");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let t = trusted_listener(&sock).unwrap();
        assert_eq!(t.uid, Some(nix::unistd::geteuid().as_raw()));
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
        assert!(trusted_listener(&sock).is_err());
        assert!(trusted_listener(Path::new("/nonexistent/monban/authd.sock")).is_err());
    }
}
