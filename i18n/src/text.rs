//! A message as data: what a decision says, before anyone picks the words.

use serde::{Deserialize, Serialize};

/// A message id from the catalogs and its arguments. `text` is empty until
/// an edge that knows the reader's language renders it
/// ([`crate::Catalog::fill`]); clients show `text`, tests look at `id`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Text {
    pub id: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<(String, Arg)>,
    #[serde(default)]
    pub text: String,
}

/// One argument. Times are Unix seconds, rendered in the reader's language
/// and the renderer's time zone; `Texts` are rendered and joined one per
/// line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Arg {
    Str(String),
    Num(i64),
    Time(i64),
    Date(i64),
    Texts(Vec<Text>),
}

impl Text {
    pub fn new(id: &str) -> Self {
        Self {
            id: id.to_string(),
            ..Self::default()
        }
    }

    pub fn arg(mut self, name: &str, value: impl Into<Arg>) -> Self {
        self.args.push((name.to_string(), value.into()));
        self
    }

    pub fn time(self, name: &str, unix: i64) -> Self {
        self.arg(name, Arg::Time(unix))
    }

    pub fn date(self, name: &str, unix: i64) -> Self {
        self.arg(name, Arg::Date(unix))
    }

    /// The argument `name`, for tests and for clients that act on one.
    pub fn get(&self, name: &str) -> Option<&Arg> {
        self.args.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }
}

impl From<&str> for Arg {
    fn from(s: &str) -> Self {
        Self::Str(s.to_string())
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Self {
        Self::Str(s)
    }
}

impl From<&String> for Arg {
    fn from(s: &String) -> Self {
        Self::Str(s.clone())
    }
}

macro_rules! numbers {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg {
            fn from(n: $t) -> Self {
                Self::Num(i64::try_from(n).unwrap_or(i64::MAX))
            }
        }
    )*};
}
numbers!(i64, i32, u8, u16, u32, u64, usize);

impl From<Vec<Text>> for Arg {
    fn from(texts: Vec<Text>) -> Self {
        Self::Texts(texts)
    }
}
