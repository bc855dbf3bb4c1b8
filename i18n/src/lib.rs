//! Every text a person reads from monban, in English and Japanese (SPEC §7).
//!
//! Decisions produce [`Text`] — a message id and its arguments — and the
//! edge that knows the reader's language fills in the words from the
//! [`Catalog`] of that language (`catalogs/en.ftl`, `catalogs/ja.ftl`).
#![forbid(unsafe_code)]

mod catalog;
mod lang;
mod text;

pub use catalog::{Catalog, Catalogs};
pub use lang::{Lang, LangHint, choose};
pub use text::{Arg, Text};
