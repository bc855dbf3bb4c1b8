//! Finds the line a message is about, for errors serde cannot place.

pub(crate) fn line_of_offset(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(1, |head| head.matches('\n').count() + 1)
}

/// The line of `key = …` inside `[section]`, if the file sets it.
pub(crate) fn line_of_key(text: &str, section: &str, key: &str) -> Option<usize> {
    let mut current = String::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if let Some(header) = line.strip_prefix('[').and_then(|l| l.split(']').next()) {
            current = header.trim().to_string();
        } else if current == section
            && let Some((k, _)) = line.split_once('=')
            && k.trim() == key
        {
            return Some(i + 1);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_key_in_its_section_only() {
        let text = "[otp]\nmax_failures = 3\n\n[lockout]\n# c\nmax_failures = 0\n";
        assert_eq!(line_of_key(text, "lockout", "max_failures"), Some(6));
        assert_eq!(line_of_key(text, "otp", "max_failures"), Some(2));
        assert_eq!(line_of_key(text, "password", "max_failures"), None);
        assert_eq!(line_of_offset(text, 7), 2);
    }
}
