//! `libnss_monban.so.2`: passwd and group entries of the accounts that
//! exist only in monban (SPEC §11), asked of monban-authd.
//!
//! NSS loads this into every program on the machine (setuid ones too):
//! it reads no configuration and no environment, starts no thread, keeps
//! nothing between calls but glibc's own enumeration cursor (which the
//! `libnss` macros hold), and answers `UNAVAIL` within a second when the
//! daemon is away, so `files` still answers and nothing hangs. The glue
//! here is the `libnss` crate's; every hook runs the logic of
//! [`lookup`] inside `catch_unwind`: no panic reaches C.
// `#[no_mangle]` in the libnss macros is what the lint calls unsafe.
#![allow(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::unreachable
    )
)]

pub mod lookup;

use std::panic::{UnwindSafe, catch_unwind};

use libnss::group::{Group, GroupHooks};
use libnss::interop::Response;
use libnss::passwd::{Passwd, PasswdHooks};
use libnss::{libnss_group_hooks, libnss_passwd_hooks};

use lookup::{Daemon, Directory};

/// A hook's answer, or `UNAVAIL` had the logic panicked.
fn guarded<R>(f: impl FnOnce() -> Response<R> + UnwindSafe) -> Response<R> {
    catch_unwind(f).unwrap_or(Response::Unavail)
}

struct MonbanPasswd;
libnss_passwd_hooks!(monban, MonbanPasswd);

impl PasswdHooks for MonbanPasswd {
    fn get_all_entries() -> Response<Vec<Passwd>> {
        guarded(|| Daemon::system().all_users())
    }

    fn get_entry_by_uid(uid: libc::uid_t) -> Response<Passwd> {
        guarded(|| Daemon::system().user_by_uid(uid))
    }

    fn get_entry_by_name(name: String) -> Response<Passwd> {
        guarded(move || Daemon::system().user_by_name(&name))
    }
}

struct MonbanGroup;
libnss_group_hooks!(monban, MonbanGroup);

impl GroupHooks for MonbanGroup {
    fn get_all_entries() -> Response<Vec<Group>> {
        guarded(|| Daemon::system().all_groups())
    }

    fn get_entry_by_gid(gid: libc::gid_t) -> Response<Group> {
        guarded(|| Daemon::system().group_by_gid(gid))
    }

    fn get_entry_by_name(name: String) -> Response<Group> {
        guarded(move || Daemon::system().group_by_name(&name))
    }
}
