//! Untrusted text (from metadata, file names, later OCR) must not drive the terminal:
//! control characters, ANSI escapes and bidi overrides are shown escaped.

/// Escapes C0/C1 controls, DEL, bidi overrides and isolates, zero-width and tag
/// characters as `\u{..}`; everything else passes through.
pub fn for_terminal(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let dangerous = c.is_control()
            || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
            || ('\u{E0000}'..='\u{E007F}').contains(&c);
        if dangerous {
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
