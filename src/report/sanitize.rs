//! Untrusted text (from metadata, file names, later OCR) must not drive the terminal:
//! control characters, ANSI escapes and bidi overrides are shown escaped.

/// Whether `c` can make text show other than it reads: C0/C1 controls, DEL, bidi
/// marks, overrides and isolates (`U+202E` turns `gpj.exe` into `exe.jpg` on screen),
/// zero-width characters, the byte-order mark and tag characters. Terminal output
/// escapes them; output file names drop them (`action::write::safe_name`).
pub fn is_deceptive(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
        || matches!(c, '\u{061C}' | '\u{2060}'..='\u{2064}')
        || ('\u{E0000}'..='\u{E007F}').contains(&c)
}

/// Escapes C0/C1 controls, DEL, bidi overrides and isolates, zero-width and tag
/// characters ([`is_deceptive`]) as `\u{..}`; everything else passes through.
pub fn for_terminal(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if is_deceptive(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_could_drive_a_terminal() {
        assert_eq!(for_terminal("a\x1b[31mb"), "a\\u{1b}[31mb");
        assert_eq!(for_terminal("x\u{202E}gpj.exe"), "x\\u{202e}gpj.exe");
        assert_eq!(for_terminal("line\nbreak"), "line\\u{a}break");
        assert_eq!(for_terminal("café – Ünïcode"), "café – Ünïcode");
    }
}
