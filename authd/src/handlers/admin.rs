//! Administrative operations. Authorisation and step-up happened before
//! these run; what is checked here is "never on yourself" and the targets.

use monban_config::Allowed;
use monban_proto::{
    AccountVerdict, AdminOp, CredentialKind, EmailChange, ErrorCode, Response, Secret, Text,
    UserMessage, WireError,
};
use rand::Rng;
use rand::rngs::OsRng;

use super::password::rejection;
use super::{Daemon, Origin, user_unknown};
use crate::authz::denied;
use crate::mail::Notice;
use crate::peer::{Directory, Nss, Peer, is_privileged, is_privileged_group, lookup};
use crate::rules::{expiry, lockout, policy};
use crate::store::{self, NewAuditEntry, UserRow};

/// Characters of generated passwords: no look-alikes (0/O, 1/l/I).
const GENERATED_ALPHANUMERIC: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const GENERATED_SYMBOLS: &[u8] = b"#%+-=?@";

/// Users per `user list` reply: well inside a reply frame at any size.
const USERS_PAGE: u32 = 500;
/// Audit entries per `log` reply.
const AUDIT_PAGE: u32 = 2000;

pub(super) fn bad(message: Text) -> WireError {
    WireError::new(ErrorCode::BadRequest, message)
}

/// What an administrator may not do to their own account, as the
/// `action` selector of `admin-not-yourself` names it.
#[derive(Clone, Copy)]
enum OnSelf {
    Remove,
    Disable,
    Enable,
    ResetOtp,
    Unlock,
}

impl OnSelf {
    fn key(self) -> &'static str {
        match self {
            Self::Remove => "remove",
            Self::Disable => "disable",
            Self::Enable => "enable",
            Self::ResetOtp => "reset-otp",
            Self::Unlock => "unlock",
        }
    }
}

fn not_yourself(peer: &Peer, user: &str, what: OnSelf) -> Result<(), WireError> {
    if !peer.is_root() && peer.is(user) {
        return Err(denied(
            Text::new("admin-not-yourself").arg("action", what.key()),
        ));
    }
    Ok(())
}

/// Account names as useradd(8) accepts them.
/// What a new user is given besides a secret.
pub(super) struct NewUser {
    pub require_otp: bool,
    pub language: Option<monban_proto::Lang>,
    /// Exists only in monban: a uid is allocated (SPEC §11).
    pub account: bool,
}

impl NewUser {
    /// Allocates the account's uid in the transaction that inserts user
    /// `id`: both are kept, or neither.
    pub fn create_account(
        &self,
        tx: &dyn store::Tx,
        id: i64,
        cfg: &monban_config::AccountsConfig,
    ) -> Result<Option<u32>, store::StoreError> {
        if !self.account {
            return Ok(None);
        }
        let (min, max) = (cfg.uid_min, cfg.uid_max);
        let uid = tx
            .allocate_uid(min, max)?
            .ok_or(store::StoreError::UidRangeFull { min, max })?;
        tx.set_uid(id, uid)?;
        Ok(Some(uid))
    }
}

impl Daemon {
    /// The groups whose members only root may manage: the admin group and
    /// `[daemon] privileged_groups`.
    fn privileged_groups(&self) -> Vec<String> {
        let d = &self.cfg.daemon;
        let mut groups = vec![d.admin_group.clone()];
        groups.extend(d.privileged_groups.iter().cloned());
        groups
    }

    /// Whether `user` is root's alone to manage; a failed lookup says yes.
    async fn privileged(&self, user: &str) -> bool {
        let (name, groups) = (user.to_string(), self.privileged_groups());
        lookup(move || is_privileged(&Nss, &name, &groups))
            .await
            .unwrap_or(true)
    }

    /// Root, administrators and whoever may gain root (sudoers) are root's
    /// to manage: otherwise an administrator could choose a sudoer's
    /// password and become root with it.
    async fn not_privileged(&self, peer: &Peer, user: &str) -> Result<(), WireError> {
        if peer.is_root() || !self.privileged(user).await {
            return Ok(());
        }
        Err(denied(Text::new("admin-privileged").arg("user", user)))
    }

    /// Whether `[accounts] gid` is the admin group or a privileged group:
    /// every account would then be a member, and an administrator adding
    /// one would mint a sudoer (SPEC §13). A lookup that fails counts.
    async fn accounts_group_privileged(&self) -> bool {
        let groups = self.privileged_groups();
        let name = self.cfg.accounts.group.clone();
        let gid = nix::unistd::Gid::from_raw(self.cfg.accounts.gid);
        lookup(move || is_privileged_group(&Nss, &name, gid, &groups))
            .await
            .unwrap_or(true)
    }

    /// An administrator acts only while their own account could log in
    /// now: a disabled, expired or suspended administrator has no powers.
    pub(super) async fn in_good_standing(&self, peer: &Peer) -> Result<(), WireError> {
        let Some(me) = self.find_user(&peer.label()).await? else {
            // The step-up that follows refuses an account monban lacks.
            return Ok(());
        };
        let (verdict, messages) = self.standing(&me).await?;
        if verdict == AccountVerdict::Ok {
            return Ok(());
        }
        let why = sentences(messages.into_iter().map(|m| m.message).collect());
        Err(denied(
            Text::new("admin-not-in-good-standing").arg("why", vec![why]),
        ))
    }

    pub(super) async fn admin(&self, peer: &Peer, op: AdminOp) -> Result<Response, WireError> {
        let origin = Origin::from_peer(peer);
        for target in op.targets() {
            self.not_privileged(peer, target).await?;
        }
        match op {
            AdminOp::UserAdd {
                user,
                password,
                temporary,
                require_otp,
                language,
                email,
                invite,
                account,
            } => {
                if account && !peer.is_root() && self.accounts_group_privileged().await {
                    return Err(denied(
                        Text::new("accounts-group-privileged")
                            .arg("gid", self.cfg.accounts.gid.to_string()),
                    ));
                }
                self.check_new_user(&user, account).await?;
                let new = NewUser {
                    require_otp,
                    language,
                    account,
                };
                if invite {
                    if password.is_some() || temporary {
                        return Err(bad(Text::new("email-invite-no-password")));
                    }
                    return self.user_add_invited(&origin, user, email, new).await;
                }
                let email = email.map(EmailChange::To);
                self.user_add(&origin, user, password, temporary, new, email)
                    .await
            }
            AdminOp::UserSet {
                user,
                language,
                email,
            } => {
                if let Some(change) = email {
                    let row = self.target(&user).await?;
                    let shown = match &change {
                        EmailChange::To(a) => a.clone(),
                        EmailChange::Clear => "none".into(),
                    };
                    self.admin_set_email(&origin, &row, change).await?;
                    if language.is_none() {
                        return Ok(done(
                            Text::new("email-admin-set")
                                .arg("user", &user)
                                .arg("address", shown),
                        ));
                    }
                }
                self.user_set(&origin, user, language).await
            }
            AdminOp::UserList { locked_only, after } => {
                // One bounded slice of the store per request, however many
                // users there are; the client asks again with `next`.
                // With `--locked`, the page's counters come in the same read
                // and only suspended users get a full status.
                let (rows, counters) = self
                    .store
                    .read(move |tx| {
                        let rows = tx.users_page(after.as_deref(), USERS_PAGE)?;
                        let mut counters = Vec::new();
                        if locked_only {
                            for row in &rows {
                                let mut of_row = Vec::new();
                                for kind in CredentialKind::ALL {
                                    of_row.push(tx.counter(row.id, kind)?);
                                }
                                counters.push(of_row);
                            }
                        }
                        Ok((rows, counters))
                    })
                    .await?;
                let next = (rows.len() == USERS_PAGE as usize)
                    .then(|| rows.last().map(|r| r.name.clone()))
                    .flatten();
                let mut users = Vec::new();
                for (i, row) in rows.into_iter().enumerate() {
                    let suspended = counters
                        .get(i)
                        .is_some_and(|of_row| of_row.iter().any(|c| self.locked(*c)));
                    if locked_only && !suspended {
                        continue;
                    }
                    let status = self.user_status(&row).await?;
                    if !locked_only || status.credentials.iter().any(|c| c.locked) {
                        users.push(status);
                    }
                }
                Ok(Response::Users { users, next })
            }
            AdminOp::UserRemove { user } => {
                not_yourself(peer, &user, OnSelf::Remove)?;
                let row = self.target(&user).await?;
                let change = Change {
                    event: "user_removed",
                    credential: None,
                    done: "admin-user-removed",
                };
                self.change_user(&origin, &row, change, |tx, id| tx.remove_user(id))
                    .await
            }
            AdminOp::UserReset {
                user,
                password,
                force_change,
                valid_for_secs,
            } => {
                if peer.is(&user) {
                    return Err(denied(Text::new("admin-reset-own-password")));
                }
                self.user_reset(&origin, user, password, force_change, valid_for_secs)
                    .await
            }
            AdminOp::UserUnlock {
                users,
                all,
                credential,
            } => self.unlock(peer, &origin, users, all, credential).await,
            AdminOp::UserDisable { user } => {
                not_yourself(peer, &user, OnSelf::Disable)?;
                let row = self.target(&user).await?;
                let change = Change {
                    event: "user_disabled",
                    credential: None,
                    done: "admin-user-disabled",
                };
                self.change_user(&origin, &row, change, |tx, id| tx.set_disabled(id, true))
                    .await
            }
            AdminOp::UserEnable { user } => {
                not_yourself(peer, &user, OnSelf::Enable)?;
                let row = self.target(&user).await?;
                let change = Change {
                    event: "user_enabled",
                    credential: None,
                    done: "admin-user-enabled",
                };
                self.change_user(&origin, &row, change, |tx, id| tx.set_disabled(id, false))
                    .await
            }
            AdminOp::OtpReset { user } => {
                not_yourself(peer, &user, OnSelf::ResetOtp)?;
                let row = self.target(&user).await?;
                let change = Change {
                    event: "otp_reset",
                    credential: Some(CredentialKind::Otp),
                    done: "admin-otp-reset",
                };
                let answer = self
                    .change_user(&origin, &row, change, |tx, id| {
                        tx.remove_otp(id)?;
                        tx.set_counter(id, CredentialKind::Otp, lockout::released())
                    })
                    .await?;
                self.tell(&row, Notice::OtpReset);
                Ok(answer)
            }
            AdminOp::RequireChange { before, group } => {
                self.require_change(&origin, before, group).await
            }
            AdminOp::ListCampaigns => Ok(Response::Campaigns(
                self.store.read(|tx| tx.campaigns()).await?,
            )),
            AdminOp::ClearCampaign { id } => {
                let mut entry = origin.entry(self.now(), "change_requirement_cleared", "");
                entry.user = None;
                entry.detail = Some(id.map_or("all campaigns".into(), |i| format!("campaign {i}")));
                if let Some(id) = id {
                    let exists = self
                        .store
                        .read(|tx| tx.campaigns())
                        .await?
                        .iter()
                        .any(|c| c.id == id);
                    if !exists {
                        return Err(bad(Text::new("admin-no-campaign").arg("id", id)));
                    }
                }
                let cleared = self
                    .commit(vec![entry], move |tx| tx.clear_campaigns(id))
                    .await?;
                Ok(done(
                    Text::new("admin-campaigns-cleared").arg("count", cleared),
                ))
            }
            AdminOp::SessionList => self.session_list(),
            AdminOp::AuditLog {
                user,
                since,
                limit,
                before,
            } => {
                let q = store::AuditQuery {
                    user,
                    since,
                    limit: limit.unwrap_or(AUDIT_PAGE).clamp(1, AUDIT_PAGE),
                    before,
                };
                let (entries, next) = self.store.read(move |tx| tx.audit_page(&q)).await?;
                Ok(Response::Audit { entries, next })
            }
            AdminOp::ImportShadow { entries } => self.import_shadow(&origin, entries).await,
        }
    }

    async fn target(&self, user: &str) -> Result<UserRow, WireError> {
        self.find_user(user)
            .await?
            .ok_or_else(|| user_unknown(user))
    }

    /// Applies one change to one user with its audit entry.
    async fn change_user(
        &self,
        origin: &Origin,
        user: &UserRow,
        what: Change,
        change: impl FnOnce(&dyn store::Tx, i64) -> Result<(), store::StoreError> + Send + 'static,
    ) -> Result<Response, WireError> {
        let mut entry = origin.entry(self.now(), what.event, &user.name);
        entry.credential = what.credential;
        let id = user.id;
        self.commit(vec![entry], move |tx| {
            change(tx, id)?;
            Ok(())
        })
        .await?;
        Ok(done(Text::new(what.done).arg("user", &user.name)))
    }

    /// A password that passes the policy, from unambiguous characters.
    fn generate_password(&self, user: &str) -> Result<Secret, WireError> {
        let cfg = &self.cfg.password;
        let length = self
            .cfg
            .temporary_password
            .length
            .clamp(cfg.min_length, cfg.max_length);
        let mut alphabet = GENERATED_ALPHANUMERIC.to_vec();
        match &cfg.allowed {
            Allowed::PrintableAscii => alphabet.extend_from_slice(GENERATED_SYMBOLS),
            Allowed::Alphanumeric => {}
            Allowed::AlphanumericPlus(symbols) => alphabet.extend(symbols.bytes()),
        }
        for _ in 0..1000 {
            let candidate: String = (0..length)
                .map(|_| char::from(alphabet[OsRng.gen_range(0..alphabet.len())]))
                .collect();
            let candidate = Secret::new(candidate);
            if policy::check(cfg, user, candidate.expose()).passed() {
                return Ok(candidate);
            }
        }
        Err(bad(Text::new("admin-cannot-generate")))
    }

    /// The administrator's password after the policy check, or a generated
    /// one; true when generated (it is then shown once).
    fn given_or_generated(
        &self,
        user: &str,
        password: Option<Secret>,
    ) -> Result<(Secret, bool), WireError> {
        match password {
            Some(p) => {
                let report = policy::check(&self.cfg.password, user, p.expose());
                if report.passed() {
                    Ok((p, false))
                } else {
                    Err(rejection(&report))
                }
            }
            None => Ok((self.generate_password(user)?, true)),
        }
    }

    /// A name that may be added: well-formed and not taken.
    async fn check_new_user(&self, user: &str, account: bool) -> Result<(), WireError> {
        if !monban_proto::valid_name(user) {
            // Quoted and escaped: the name may hold anything.
            return Err(bad(
                Text::new("admin-invalid-user-name").arg("name", format!("{user:?}"))
            ));
        }
        if self.find_user(user).await?.is_some() {
            return Err(WireError::new(
                ErrorCode::AlreadyExists,
                Text::new("admin-user-exists").arg("user", user),
            ));
        }
        if account && self.known_to_nss(user).await {
            return Err(WireError::new(
                ErrorCode::AlreadyExists,
                Text::new("accounts-name-taken").arg("user", user),
            ));
        }
        Ok(())
    }

    /// Whether the system already knows `user` (files, LDAP, …). Asked
    /// after the store said no, so this daemon's own NSS module, if the
    /// host uses it, answers "not found" and the question ends there. A
    /// lookup that fails counts as known: never a second owner of a name.
    async fn known_to_nss(&self, user: &str) -> bool {
        let name = user.to_string();
        !matches!(lookup(move || Nss.user(&name)).await, Some(Ok(None)))
    }

    async fn user_add(
        &self,
        origin: &Origin,
        user: String,
        password: Option<Secret>,
        temporary: bool,
        new: NewUser,
        email: Option<EmailChange>,
    ) -> Result<Response, WireError> {
        let (password, generated) = self.given_or_generated(&user, password)?;
        // A password the administrator knows must not outlive its first use.
        let temporary = temporary || generated;
        let now = self.now();
        let valid_until =
            temporary.then(|| now.saturating_add(self.cfg.temporary_password.valid_for.as_secs()));
        let hash = self.hasher.hash(&password).await.map_err(super::internal)?;
        let keep = self.cfg.password.history;
        let mut entry = origin.entry(now, "user_added", &user);
        entry.detail = temporary.then(|| "temporary password".to_string());
        let name = user.clone();
        if let Some(EmailChange::To(a)) = &email
            && !crate::rules::email::acceptable(a)
        {
            return Err(bad(
                Text::new("email-invalid").arg("address", format!("{a:?}"))
            ));
        }
        let address = match email {
            Some(EmailChange::To(a)) => Some(a),
            _ => None,
        };
        let accounts = self.cfg.accounts.clone();
        let uid = self
            .commit(vec![entry], move |tx| {
                let id = tx.insert_user(&name, now, new.require_otp)?;
                let uid = new.create_account(tx, id, &accounts)?;
                tx.set_language(id, new.language)?;
                tx.set_email(id, address.as_deref())?;
                let cred = store::NewCredential {
                    kind: CredentialKind::Login,
                    hash: &hash,
                    set_at: now,
                    temporary_until: valid_until,
                    force_change: temporary.then_some(expiry::ForceReason::Temporary.as_str()),
                };
                tx.set_credential(id, &cred, keep)?;
                Ok(uid)
            })
            .await?;
        let mut text = match valid_until {
            Some(until) => Text::new("admin-added-temporary")
                .arg("user", &user)
                .time("until", until),
            None => Text::new("admin-added").arg("user", &user),
        };
        if let Some(uid) = uid {
            text = Text::new("accounts-added")
                .arg("uid", uid.to_string())
                .arg("then", vec![text]);
        }
        Ok(password_answer(
            user,
            password,
            generated,
            valid_until,
            text,
        ))
    }

    async fn user_reset(
        &self,
        origin: &Origin,
        user: String,
        password: Option<Secret>,
        force_change: bool,
        valid_for_secs: Option<u64>,
    ) -> Result<Response, WireError> {
        let row = self.target(&user).await?;
        let (password, generated) = self.given_or_generated(&user, password)?;
        let valid_for = match valid_for_secs {
            Some(0) => return Err(bad(Text::new("admin-valid-for-zero"))),
            Some(secs) => i64::try_from(secs).unwrap_or(i64::MAX),
            None => self.cfg.temporary_password.valid_for.as_secs(),
        };
        // Without a forced change the administrator sets an ordinary password.
        let valid_until = force_change.then(|| self.now().saturating_add(valid_for));
        self.store_password(
            &row,
            CredentialKind::Login,
            &password,
            valid_until,
            force_change.then_some(expiry::ForceReason::AdminReset),
            origin,
            "password_reset",
        )
        .await?;
        self.tell(&row, Notice::AdminReset);
        let text = match valid_until {
            Some(until) => Text::new("admin-reset-temporary")
                .arg("user", &user)
                .time("until", until),
            None => Text::new("admin-reset").arg("user", &user),
        };
        Ok(password_answer(
            user,
            password,
            generated,
            valid_until,
            text,
        ))
    }

    async fn unlock(
        &self,
        peer: &Peer,
        origin: &Origin,
        users: Vec<String>,
        all: bool,
        credential: Option<CredentialKind>,
    ) -> Result<Response, WireError> {
        if all != users.is_empty() {
            return Err(bad(Text::new("admin-unlock-which")));
        }
        for user in &users {
            not_yourself(peer, user, OnSelf::Unlock)?;
        }
        let kinds: Vec<CredentialKind> =
            credential.map_or(CredentialKind::ALL.to_vec(), |k| vec![k]);
        // `--all` from an administrator releases ordinary users only: who is
        // privileged is asked of NSS before the write, never inside it.
        let mut passed_over = Vec::new();
        if all && !peer.is_root() {
            let kinds = kinds.clone();
            let suspended = self
                .store
                .read(move |tx| tx.users_with_failures(&kinds))
                .await?;
            for name in suspended {
                if name != peer.label() && self.privileged(&name).await {
                    passed_over.push(name);
                }
            }
        }
        let caller = peer.label();
        let now = self.now();
        let origin = origin.clone();
        let skip = passed_over.clone();
        let (released, entries) = self
            .store
            .write(move |tx| {
                let targets: Vec<UserRow> = if all {
                    tx.all_users()?
                        .into_iter()
                        .filter(|u| u.name != caller && !skip.contains(&u.name))
                        .collect()
                } else {
                    let mut rows = Vec::new();
                    for name in &users {
                        match tx.find_user(name)? {
                            Some(row) => rows.push(row),
                            None => return Ok(Err(user_unknown(name))),
                        }
                    }
                    rows
                };
                let mut released = Vec::new();
                let mut entries: Vec<NewAuditEntry> = Vec::new();
                for row in targets {
                    let mut lifted = Vec::new();
                    for &kind in &kinds {
                        let c = tx.counter(row.id, kind)?;
                        if c != lockout::Counter::default() {
                            tx.set_counter(row.id, kind, lockout::released())?;
                            lifted.push(kind.as_str());
                        }
                    }
                    if !lifted.is_empty() {
                        let mut e = origin.entry(now, "unlocked", &row.name);
                        e.detail = Some(lifted.join(","));
                        tx.append_audit(&e)?;
                        entries.push(e);
                        released.push(row.name);
                    }
                }
                Ok(Ok((released, entries)))
            })
            .await??;
        self.announce(&entries);
        Ok(Response::Unlocked {
            users: released,
            skipped: passed_over.len(),
        })
    }
}

/// A generated password is answered once, to be shown once; a given one
/// only gets a confirmation.
fn password_answer(
    user: String,
    password: Secret,
    generated: bool,
    valid_until: Option<i64>,
    text: Text,
) -> Response {
    if generated {
        Response::GeneratedPassword {
            user,
            password,
            valid_until,
        }
    } else {
        done(text)
    }
}

pub(super) fn done(text: Text) -> Response {
    Response::Done {
        messages: vec![UserMessage::info(text)],
    }
}

/// One change to one user: its audit event, the credential it concerns,
/// and the message that confirms it.
struct Change {
    event: &'static str,
    credential: Option<CredentialKind>,
    done: &'static str,
}

/// Sentences one after the other, as each language runs them on (a space
/// in English, none in Japanese): built in the catalog a pair at a time.
pub(super) fn sentences(mut texts: Vec<Text>) -> Text {
    if texts.len() <= 1 {
        // None at all renders as nothing (a Text without an id), as an
        // empty join did; `standing` always says why it refuses.
        return texts.pop().unwrap_or_default();
    }
    let first = texts.remove(0);
    Text::new("admin-sentences")
        .arg("first", vec![first])
        .arg("rest", vec![sentences(texts)])
}
