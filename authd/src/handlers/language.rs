//! The language of each reply (SPEC §7) and the stored preference.

use monban_proto::{
    ErrorCode, Lang, LangHint, LanguageChange, Request, Response, Text, UserMessage, WireError,
};

use super::{Daemon, Origin, Session, user_unknown};
use crate::peer::Peer;

/// Whose stored preference a reply follows: the user a PAM request is
/// about, else the caller.
pub(super) fn subject_of(req: &Request) -> Option<&str> {
    match req {
        Request::AuthStart { ctx, .. }
        | Request::Account { ctx }
        | Request::ChangePassword { ctx, .. }
        | Request::OpenSession { ctx }
        | Request::CloseSession { ctx } => Some(&ctx.user),
        Request::ChangeCheck { user, .. } => Some(user),
        _ => None,
    }
}

impl Daemon {
    /// The language to render this connection's reply in: what the client
    /// found first, then the subject's stored preference, then what the
    /// client's process environment said, then `[daemon] language`.
    pub async fn reply_language(&self, session: &Session, hint: LangHint) -> Lang {
        if let Some(lang) = hint.explicit {
            return lang;
        }
        let subject = session
            .language_subject
            .clone()
            .or_else(|| session.peer.name.clone());
        let preference = match subject {
            Some(name) => self
                .store
                .get(move |tx| tx.language_of(&name))
                .await
                .unwrap_or_else(|e| {
                    tracing::warn!("language preference unreadable: {e}");
                    None
                }),
            None => None,
        };
        hint.resolve(preference, self.cfg.daemon.language)
    }

    /// `monban language [en|ja]`: the caller's own preference.
    pub(super) async fn set_language(
        &self,
        peer: &Peer,
        language: Option<Lang>,
    ) -> Result<Response, WireError> {
        let name = peer.name.clone().unwrap_or_default();
        self.store_language(&Origin::from_peer(peer), &name, language)
            .await
    }

    /// `monban user set USER --language`: an administrator's change.
    pub(super) async fn user_set(
        &self,
        origin: &Origin,
        user: String,
        language: Option<LanguageChange>,
    ) -> Result<Response, WireError> {
        let Some(language) = language.map(LanguageChange::stored) else {
            return Err(WireError::new(
                ErrorCode::BadRequest,
                Text::new("user-set-nothing"),
            ));
        };
        self.store_language(origin, &user, language).await
    }

    /// Stores `user`'s preference with its audit entry; the answer says
    /// what it is now.
    async fn store_language(
        &self,
        origin: &Origin,
        user: &str,
        language: Option<Lang>,
    ) -> Result<Response, WireError> {
        let row = self
            .find_user(user)
            .await?
            .ok_or_else(|| user_unknown(user))?;
        let mut entry = origin.entry(self.now(), "language_set", &row.name);
        entry.detail = Some(language.map_or("none", Lang::code).to_string());
        let id = row.id;
        self.commit(vec![entry], move |tx| tx.set_language(id, language))
            .await?;
        Ok(language_done(&row.name, language))
    }
}

fn language_done(user: &str, language: Option<Lang>) -> Response {
    let text = Text::new("language-set")
        .arg("user", user)
        .arg("lang", language.map_or("none", Lang::code));
    Response::Done {
        messages: vec![UserMessage::info(text)],
    }
}
