//! One-way layers: no module imports from a layer above its own, and the modules'
//! imports make no circle.
//!
//! The layer table is written once, in docs/ARCHITECTURE.md ("Layers": one `layer N
//! name modules…` line per layer, bottom first); this test reads it, reads every file
//! under src/, and collects each top-level module's references to others: `crate::x`,
//! `crate::{x, y::z}`, the crate root's re-exports (`crate::Verdict` is `verdict`) and
//! `super::` chains that climb to the crate root. Comments, doc comments and string
//! literals are not code and are skipped. Modules in one layer may use each other as
//! long as no circle forms. A module missing from the table fails too, so a new module
//! has to be placed.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Imports that go up a layer and are accepted for now: (from, to, why). Empty, and
/// meant to stay so; an entry here must say why and which issue removes it.
const KNOWN_EXCEPTIONS: &[(&str, &str, &str)] = &[];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `module → layer number` from docs/ARCHITECTURE.md, and the layer names.
fn layer_table() -> (BTreeMap<String, usize>, Vec<String>) {
    let doc = fs::read_to_string(root().join("docs/ARCHITECTURE.md")).expect("docs/ARCHITECTURE.md");
    let mut table = BTreeMap::new();
    let mut names = Vec::new();
    for line in doc.lines() {
        let mut words = line.split_whitespace();
        if words.next() != Some("layer") {
            continue;
        }
        let n: usize =
            words.next().and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("bad line {line:?}"));
        assert_eq!(n, names.len(), "layers are numbered 0, 1, 2… bottom first: {line:?}");
        names.push(words.next().unwrap_or_else(|| panic!("layer without a name: {line:?}")).to_string());
        for module in words {
            assert!(table.insert(module.to_string(), n).is_none(), "{module} is in two layers");
        }
    }
    assert!(names.len() >= 5, "docs/ARCHITECTURE.md lost its layer table");
    (table, names)
}

/// The source with comments, string and character literals blanked (same length, so
/// positions still match).
fn code_only(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = b.to_vec();
    let blank = |out: &mut Vec<u8>, from: usize, to: usize| {
        for c in &mut out[from..to.min(b.len())] {
            if *c != b'\n' {
                *c = b' ';
            }
        }
    };
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                let end = src[i..].find('\n').map_or(b.len(), |e| i + e);
                blank(&mut out, i, end);
                i = end;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let end = src[i + 2..].find("*/").map_or(b.len(), |e| i + 2 + e + 2);
                blank(&mut out, i, end);
                i = end;
            }
            b'r' if (b.get(i + 1) == Some(&b'"') || b.get(i + 1) == Some(&b'#'))
                && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_')) =>
            {
                // A raw string r"…" or r#"…"#.
                let hashes = b[i + 1..].iter().take_while(|&&c| c == b'#').count();
                if b.get(i + 1 + hashes) != Some(&b'"') {
                    i += 1;
                    continue;
                }
                let close = format!("\"{}", "#".repeat(hashes));
                let start = i + 2 + hashes;
                let end = src[start..].find(&close).map_or(b.len(), |e| start + e + close.len());
                blank(&mut out, i, end);
                i = end;
            }
            b'"' => {
                let mut j = i + 1;
                while j < b.len() && b[j] != b'"' {
                    j += if b[j] == b'\\' { 2 } else { 1 };
                }
                blank(&mut out, i, j + 1);
                i = j + 1;
            }
            b'\'' => {
                // A character literal ('a', '\n', '\u{1F600}', '"'), or a lifetime.
                let end = if b.get(i + 1) == Some(&b'\\') {
                    src[i + 2..].find('\'').map(|e| i + 2 + e + 1)
                } else {
                    let c = src[i + 1..].chars().next().map_or(1, char::len_utf8);
                    (b.get(i + 1 + c) == Some(&b'\'')).then_some(i + 2 + c)
                };
                match end {
                    Some(end) => {
                        blank(&mut out, i, end);
                        i = end;
                    }
                    None => i += 1,
                }
            }
            _ => i += 1,
        }
    }
    String::from_utf8(out).expect("only ASCII was blanked")
}

/// The inline `mod name { … }` blocks of `code`: (start, end, name).
fn inline_modules(code: &str) -> Vec<(usize, usize, String)> {
    let b = code.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = code[from..].find("mod ") {
        let at = from + at;
        from = at + 4;
        if at > 0 && (b[at - 1].is_ascii_alphanumeric() || b[at - 1] == b'_') {
            continue;
        }
        let rest = &code[at + 4..];
        let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        let after = rest[name.len()..].trim_start();
        if name.is_empty() || !after.starts_with('{') {
            continue; // `mod x;` is a file module
        }
        let open = at + 4 + name.len() + (rest.len() - name.len() - after.len());
        let mut depth = 0;
        let mut end = code.len();
        for (k, c) in code[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + k;
                        break;
                    }
                }
                _ => {}
            }
        }
        out.push((open, end, name));
    }
    out
}

/// The first path segments at the start of `code`: `x` for `x::…`, and for a brace
/// group `{x, y::z, self}` each item's first segment.
fn first_segments(code: &str) -> Vec<String> {
    let rest = code.trim_start();
    if let Some(group) = rest.strip_prefix('{') {
        let mut depth = 1;
        let mut items = vec![String::new()];
        for c in group.chars() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                ',' if depth == 1 => items.push(String::new()),
                _ => {}
            }
            if depth >= 1 && !(c == ',' && depth == 1) {
                items.last_mut().expect("one item").push(c);
            }
        }
        items
            .iter()
            .map(|i| i.trim().split("::").next().unwrap_or("").trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    } else {
        let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        vec![name]
    }
}

/// Names the crate root re-exports (`pub use error::{Error, Stage};`) → their module.
fn root_reexports() -> BTreeMap<String, String> {
    let lib = code_only(&fs::read_to_string(root().join("src/lib.rs")).expect("src/lib.rs"));
    let mut out = BTreeMap::new();
    for (at, _) in lib.match_indices("pub use ") {
        let path = lib[at + 8..].split(';').next().expect("a statement");
        let (module, names) = path.split_once("::").expect("pub use module::name");
        let inner = names.trim().trim_start_matches('{').trim_end_matches('}');
        assert!(!inner.contains("::"), "only one level of root re-exports is understood: {path}");
        for name in first_segments(names) {
            out.insert(name, module.trim().to_string());
        }
    }
    out
}

/// The module path of each file under src/ (`src/ocr/regions.rs` → `ocr::regions`).
fn source_files(dir: &Path, out: &mut Vec<(PathBuf, Vec<String>)>) {
    for entry in fs::read_dir(dir).expect("src/") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            source_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let rel = path.strip_prefix(root().join("src")).expect("under src/");
            let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
            let file = parts.pop().expect("a file name");
            let stem = file.trim_end_matches(".rs");
            if stem != "mod" {
                parts.push(stem.to_string());
            }
            out.push((path, parts));
        }
    }
}

/// Every reference from one top-level module to another: (from, to, file, line).
fn references() -> Vec<(String, String, String, usize)> {
    let reexports = root_reexports();
    let mut files = Vec::new();
    source_files(&root().join("src"), &mut files);
    let mut out = Vec::new();
    for (path, module) in files {
        let Some(top) = module.first().cloned() else { continue };
        if top == "lib" || top == "main" {
            continue; // the crate root declares modules; the binary is above everything
        }
        let code = code_only(&fs::read_to_string(&path).expect("readable source"));
        let inline = inline_modules(&code);
        let line_of = |at: usize| code[..at].matches('\n').count() + 1;
        let shown = path.strip_prefix(root()).unwrap_or(&path).display().to_string();
        let mut add = |segment: String, at: usize| {
            let to = reexports.get(&segment).cloned().unwrap_or(segment);
            if to != top && to != "self" {
                out.push((top.clone(), to, shown.clone(), line_of(at)));
            }
        };
        let b = code.as_bytes();
        let starts_word = |at: usize| {
            at == 0 || !(b[at - 1].is_ascii_alphanumeric() || b[at - 1] == b'_' || b[at - 1] == b'$')
        };
        for (at, _) in code.match_indices("crate::") {
            if starts_word(at) {
                for segment in first_segments(&code[at + 7..]) {
                    add(segment, at);
                }
            }
        }
        for (at, _) in code.match_indices("super::") {
            if !starts_word(at) || code[..at].ends_with("super::") {
                continue; // counted from the chain's first `super`
            }
            let mut supers = 0;
            let mut rest = &code[at..];
            while let Some(r) = rest.strip_prefix("super::") {
                supers += 1;
                rest = r.trim_start();
            }
            let depth = module.len() + inline.iter().filter(|(s, e, _)| *s < at && at < *e).count();
            assert!(supers <= depth, "{shown}:{}: `super::` climbs above the crate root", line_of(at));
            if supers == depth {
                for segment in first_segments(rest) {
                    add(segment, at);
                }
            }
        }
    }
    out
}

#[test]
fn no_module_imports_from_a_layer_above_its_own() {
    let (layers, names) = layer_table();
    let refs = references();
    let layer = |m: &str| {
        *layers
            .get(m)
            .unwrap_or_else(|| panic!("module `{m}` is not in the layer table of docs/ARCHITECTURE.md"))
    };
    let mut upward = Vec::new();
    for (from, to, file, line) in &refs {
        let (lf, lt) = (layer(from), layer(to));
        if lt > lf && !KNOWN_EXCEPTIONS.iter().any(|(f, t, _)| f == from && t == to) {
            upward.push(format!(
                "{file}:{line}: `{from}` (layer {lf} {}) imports `{to}` (layer {lt} {})",
                names[lf], names[lt]
            ));
        }
    }
    upward.sort();
    upward.dedup();
    assert!(upward.is_empty(), "imports from a layer above:\n{}", upward.join("\n"));
    for (from, to, why) in KNOWN_EXCEPTIONS {
        assert!(
            refs.iter().any(|(f, t, _, _)| f == from && t == to),
            "known exception {from} → {to} ({why}) is gone: remove it from the list"
        );
    }
}

#[test]
fn the_module_imports_make_no_circle() {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, to, _, _) in references() {
        graph.entry(from).or_default().insert(to);
    }
    // Depth-first search; a module met again while still on the path closes a circle.
    fn visit<'a>(
        m: &'a str,
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|p| *p == m) {
            let mut circle: Vec<String> = path[at..].iter().map(|s| s.to_string()).collect();
            circle.push(m.to_string());
            return Some(circle);
        }
        if !done.insert(m) {
            return None;
        }
        path.push(m);
        for next in graph.get(m).into_iter().flatten() {
            if let Some(circle) = visit(next, graph, path, done) {
                return Some(circle);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    for m in graph.keys() {
        if let Some(circle) = visit(m, &graph, &mut Vec::new(), &mut done) {
            panic!("the imports make a circle: {}", circle.join(" → "));
        }
    }
}

#[test]
fn every_module_has_a_layer_and_every_layer_entry_a_module() {
    let (layers, _) = layer_table();
    let lib = code_only(&fs::read_to_string(root().join("src/lib.rs")).expect("src/lib.rs"));
    let declared: BTreeSet<String> = lib
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod ").or_else(|| l.trim().strip_prefix("mod ")))
        .map(|m| m.trim().trim_end_matches(';').to_string())
        .collect();
    let tabled: BTreeSet<String> = layers.keys().cloned().collect();
    assert_eq!(declared, tabled, "src/lib.rs's modules and the layer table of docs/ARCHITECTURE.md differ");
}

#[test]
fn the_reader_sees_what_the_compiler_sees() {
    let code = code_only(
        "use crate::{a, b::{c, d}};\n// crate::comment\nlet s = \"crate::string\";\nlet c = '\"'; crate::e::f();\n\
         mod tests { use super::super::g; }\nr#\"crate::raw\"#; <'a> crate::h",
    );
    let found: Vec<String> =
        code.match_indices("crate::").flat_map(|(at, _)| first_segments(&code[at + 7..])).collect();
    assert_eq!(found, ["a", "b", "e", "h"]);
    let inline = inline_modules(&code);
    assert_eq!(inline.len(), 1);
    assert_eq!(inline[0].2, "tests");
}
