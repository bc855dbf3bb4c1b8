//! `user add --account` and the NSS lookups it makes answer (SPEC §11).

use monban_proto::{AdminOp, ErrorCode, Lookup, LookupReply, Request, Response, Secret};

use super::Session;
use super::tests::Fixture;
use crate::peer::Peer;

fn add(user: &str, account: bool) -> AdminOp {
    AdminOp::UserAdd {
        user: user.into(),
        password: Some(Secret::new("Tsukuba-2026".into())),
        temporary: false,
        require_otp: false,
        language: None,
        email: None,
        invite: false,
        account,
    }
}

/// Somebody with no name and no privilege: lookups are everyone's.
fn stranger() -> Session {
    Session::new(Peer {
        uid: 4242,
        real_uid: 4242,
        name: None,
        in_admin_group: false,
    })
}

async fn ask(f: &Fixture, query: Lookup) -> LookupReply {
    match f
        .daemon
        .handle(&mut stranger(), Request::Lookup(query))
        .await
    {
        Response::Lookup(reply) => reply,
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn an_account_is_answered_by_name_and_uid_to_anyone() {
    let f = Fixture::new(|c| c.accounts.home = "/srv/{user}".into()).await;
    let r = f.admin(add("hanako", true)).await;
    assert!(matches!(r, Response::Done { .. }), "{r:?}");
    let by_name = ask(&f, Lookup::UserByName("hanako".into())).await;
    let LookupReply::User(entry) = &by_name else {
        panic!("{by_name:?}")
    };
    assert_eq!(
        (
            entry.uid,
            entry.gid,
            entry.home.as_str(),
            entry.shell.as_str()
        ),
        (200_000, 200_000, "/srv/hanako", "/bin/bash")
    );
    assert_eq!(ask(&f, Lookup::UserByUid(200_000)).await, by_name);
    assert_eq!(
        ask(&f, Lookup::UserByUid(200_001)).await,
        LookupReply::NotFound
    );
    let group = ask(&f, Lookup::GroupByGid(200_000)).await;
    assert!(matches!(&group, LookupReply::Group(g) if g.name == "monban-users"));
    assert_eq!(
        ask(&f, Lookup::GroupByName("monban-users".into())).await,
        group
    );
    assert_eq!(
        ask(&f, Lookup::GroupByName("root".into())).await,
        LookupReply::NotFound
    );
}

#[tokio::test]
async fn a_managed_local_user_and_unknown_names_are_not_found() {
    let f = Fixture::new(|_| {}).await;
    f.admin(add("localuser", false)).await;
    for name in ["localuser", "nobody-here", "../etc", ""] {
        assert_eq!(
            ask(&f, Lookup::UserByName(name.into())).await,
            LookupReply::NotFound,
            "{name:?}"
        );
    }
}

#[tokio::test]
async fn enumeration_lists_nobody_unless_enabled() {
    let f = Fixture::new(|_| {}).await;
    f.admin(add("hanako", true)).await;
    let empty = LookupReply::Users {
        users: vec![],
        next: None,
    };
    assert_eq!(ask(&f, Lookup::Users { after: None }).await, empty);
    assert_eq!(ask(&f, Lookup::Groups).await, LookupReply::Groups(vec![]));

    let f = Fixture::new(|c| c.accounts.enumerate = true).await;
    f.admin(add("hanako", true)).await;
    f.admin(add("localuser", false)).await;
    f.admin(add("taro", true)).await;
    let LookupReply::Users { users, next } = ask(&f, Lookup::Users { after: None }).await else {
        panic!()
    };
    let names: Vec<_> = users.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(names, ["hanako", "taro"]);
    assert_eq!(next, None);
    assert!(matches!(ask(&f, Lookup::Groups).await, LookupReply::Groups(g) if g.len() == 1));
}

#[tokio::test]
async fn a_name_the_system_knows_is_refused_as_an_account() {
    let f = Fixture::new(|_| {}).await;
    // root is in every /etc/passwd.
    let r = f.admin(add("root", true)).await;
    // root is privileged: refused before NSS is asked; a plain system
    // user shows the NSS check itself.
    assert!(matches!(r, Response::Error(_)), "{r:?}");
    let r = f.admin(add("daemon", true)).await;
    let Response::Error(e) = r else {
        panic!("{r:?}")
    };
    assert_eq!(e.code, ErrorCode::AlreadyExists);
    assert_eq!(e.message.id, "accounts-name-taken");
    // The same name without --account is an ordinary managed user.
    let r = f.admin(add("daemon", false)).await;
    assert!(matches!(r, Response::Done { .. }), "{r:?}");
}

#[tokio::test]
async fn a_full_range_is_refused_with_the_range_named() {
    let f = Fixture::new(|c| {
        c.accounts.uid_min = 250_000;
        c.accounts.uid_max = 250_000;
    })
    .await;
    assert!(matches!(
        f.admin(add("one", true)).await,
        Response::Done { .. }
    ));
    let r = f.admin(add("two", true)).await;
    let Response::Error(e) = r else {
        panic!("{r:?}")
    };
    assert_eq!(e.message.id, "accounts-range-full");
    // Nothing of the refused user was kept: the name is free.
    assert_eq!(
        ask(&f, Lookup::UserByName("two".into())).await,
        LookupReply::NotFound
    );
    let r = f.admin(add("two", false)).await;
    assert!(matches!(r, Response::Done { .. }), "{r:?}");
}
