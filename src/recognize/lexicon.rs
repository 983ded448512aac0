//! Name lexicons: US census first names and the 5,000 commonest surnames (models/names,
//! from the `names` package on PyPI; census data is public domain, the package is MIT).

use std::collections::HashSet;
use std::sync::OnceLock;

static FIRST: &str = include_str!("../../models/names/first.txt");
static LAST: &str = include_str!("../../models/names/last.txt");

fn set(text: &'static str) -> HashSet<&'static str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).collect()
}

/// Is `word` (any case, trailing punctuation ignored) a first name?
pub fn is_first_name(word: &str) -> bool {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    lookup(SET.get_or_init(|| set(FIRST)), word)
}

/// Is `word` a surname?
pub fn is_surname(word: &str) -> bool {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    lookup(SET.get_or_init(|| set(LAST)), word)
}

fn lookup(set: &HashSet<&'static str>, word: &str) -> bool {
    let w = word.trim_matches(|c: char| !c.is_alphabetic() && c != '\'' && c != '-').to_uppercase();
    w.len() >= 2 && set.contains(w.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn census_names_are_known_in_any_case() {
        assert!(is_first_name("Jane") && is_first_name("JAMES") && is_first_name("maria"));
        assert!(is_surname("Smith") && is_surname("DOE,") && is_surname("Johnson"));
        assert!(!is_first_name("Krebs") && !is_surname("Salad") && !is_surname("x"));
    }
}
