//! Masking: reports must not become a new copy of the identifiers they warn about.
//!
//! Values that may be names, comments or identifiers are shown with their middle
//! replaced by `•`, enough for a person to recognise which field it is without the
//! report itself disclosing it. `--show-text` turns masking off.

/// Masks `s` keeping its first and last two characters: `MRN 12345678` → `MR••••••••78`.
/// Short values keep only their first character. Whitespace is made plain first (ends
/// trimmed, runs and line breaks one space): a value read from metadata or OCR often
/// ends in a newline or padding, which would otherwise be all the mask shows of its end.
pub fn mask(s: &str) -> String {
    let plain = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let chars: Vec<char> = plain.chars().collect();
    let n = chars.len();
    if n == 0 {
        return String::new();
    }
    let (head, tail) = if n <= 4 {
        (1, 0)
    } else if n <= 8 {
        (1, 1)
    } else {
        (2, 2)
    };
    let hidden = (n - head - tail).min(12);
    let mut out: String = chars[..head].iter().collect();
    out.extend(std::iter::repeat_n('•', hidden.max(1)));
    out.extend(&chars[n - tail..]);
    out
}

/// Masks unless `show` is set.
pub fn maybe(s: &str, show: bool) -> String {
    if show { s.to_string() } else { mask(s) }
}

/// `path` with its file name masked ([`mask`] on the name without its extension, the
/// extension kept): `ward/Doe_Jane_MRN12345678.jpg` → `ward/Do••••••••••••78.jpg`.
/// For the report header of a photo whose file name holds an identifier.
pub fn masked_file_name(path: &std::path::Path) -> String {
    let Some(stem) = path.file_stem() else { return path.display().to_string() };
    let mut name = mask(&stem.to_string_lossy());
    if let Some(ext) = path.extension() {
        name = format!("{name}.{}", ext.to_string_lossy());
    }
    match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(parent) => parent.join(name).display().to_string(),
        None => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_only_the_edges() {
        assert_eq!(mask("MRN 12345678"), "MR••••••••78");
        assert_eq!(mask("Jane Doe"), "J••••••e");
        assert_eq!(mask("Doe"), "D••");
        assert_eq!(mask("X"), "X•");
        assert_eq!(mask(""), "");
        assert!(!mask("Patient J. Doe MRN 12345678").contains("1234"));
    }

    #[test]
    fn file_names_are_masked_whole_but_keep_folder_and_extension() {
        let p = std::path::Path::new("ward/Doe_Jane_MRN12345678.jpg");
        assert_eq!(masked_file_name(p), "ward/Do••••••••••••78.jpg");
        assert_eq!(masked_file_name(std::path::Path::new("MRN 1234567")), "MR•••••••67");
    }

    #[test]
    fn whitespace_is_made_plain_before_masking() {
        assert_eq!(mask("Patient J. Doe\n"), mask("Patient J. Doe"));
        assert_eq!(mask("  MRN\n12345678  "), "MR••••••••78");
        assert_eq!(mask(" \n "), "");
    }

    #[test]
    fn show_text_opts_out() {
        assert_eq!(maybe("Jane", true), "Jane");
        assert_ne!(maybe("Jane", false), "Jane");
    }
}
