//! Drop mode: `medscrub` alone in a terminal, or photos dropped onto the executable.
//!
//! People drag photos from a file manager into the terminal window; the terminal types
//! their paths. Each terminal quotes differently (GNOME: `'/a b.jpg'`, macOS Terminal
//! and iTerm: `/a\ b.jpg`, some: `file:///a%20b.jpg`), several at once on one line, so
//! [`parse_dropped`] accepts all of them. Nothing is written unless the person answers
//! `y`, and then only share-safe copies, into one named folder.

use super::{Tally, usage};
use crate::exit::ExitStatus;
use crate::intake::{self, Input};
use crate::options::{AnalysisOptions, CopyOptions};
use crate::pipeline::{self, Engine};
use crate::policy;
use crate::report::sanitize::for_terminal;
use crate::report::text;
use crate::verdict::Verdict;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The folder share-safe copies go to: `~/medscrub-safe`, or `./medscrub-safe` when
/// there is no home folder.
pub fn safe_folder() -> PathBuf {
    match std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        Some(home) => PathBuf::from(home).join("medscrub-safe"),
        None => PathBuf::from("medscrub-safe"),
    }
}

/// Splits a line of dropped paths: whitespace separates paths; `'…'` and `"…"` quote,
/// a backslash escapes the next character (outside single quotes), `file://` URIs are
/// percent-decoded, and a leading `~/` is the home folder.
pub fn parse_dropped(line: &str) -> Vec<PathBuf> {
    let mut words: Vec<(String, bool)> = Vec::new();
    let mut word = String::new();
    // Whether the word so far has any quoted or escaped part (`''` is an empty path,
    // and a quoted `file://…` is still a URI, but a quoted `~` is not the home folder).
    let mut started = false;
    let mut literal_start = false;
    let mut chars = line.trim_end_matches(['\r', '\n']).chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if started {
                    words.push((std::mem::take(&mut word), literal_start));
                    started = false;
                    literal_start = false;
                }
            }
            '\'' => {
                literal_start |= !started;
                started = true;
                for c in chars.by_ref() {
                    if c == '\'' {
                        break;
                    }
                    word.push(c);
                }
            }
            '"' => {
                literal_start |= !started;
                started = true;
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' if matches!(chars.peek(), Some('"' | '\\' | '$' | '`')) => {
                            word.extend(chars.next());
                        }
                        c => word.push(c),
                    }
                }
            }
            '\\' => {
                literal_start |= !started;
                started = true;
                word.extend(chars.next());
            }
            c => {
                started = true;
                word.push(c);
            }
        }
    }
    if started {
        words.push((word, literal_start));
    }
    words.into_iter().filter(|(w, _)| !w.is_empty()).map(|(w, literal)| to_path(&w, literal)).collect()
}

fn to_path(word: &str, literal_start: bool) -> PathBuf {
    if let Some(rest) = word.strip_prefix("file://") {
        // `file:///a` and `file://localhost/a` name `/a`.
        let path = rest.strip_prefix("localhost").unwrap_or(rest);
        return path_from_bytes(percent_decode(path));
    }
    if !literal_start
        && let Some(rest) = word.strip_prefix("~/")
        && let Some(home) = std::env::var_os("HOME")
    {
        return PathBuf::from(home).join(rest);
    }
    PathBuf::from(word)
}

/// `%20` → space; a `%` not followed by two hex digits stays as it is.
fn percent_decode(s: &str) -> Vec<u8> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

#[cfg(unix)]
fn path_from_bytes(bytes: Vec<u8>) -> PathBuf {
    use std::os::unix::ffi::OsStringExt;
    PathBuf::from(std::ffi::OsString::from_vec(bytes))
}

#[cfg(not(unix))]
fn path_from_bytes(bytes: Vec<u8>) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(&bytes).into_owned())
}

/// Analysis options for drop mode: the defaults (`strictest`, default limits).
fn engine_options() -> std::io::Result<(AnalysisOptions, &'static policy::Profile)> {
    let profile = policy::profile(policy::DEFAULT_PROFILE)
        .ok_or_else(|| usage(format!("built-in profile {} missing", policy::DEFAULT_PROFILE)))?;
    Ok((AnalysisOptions::default(), profile))
}

/// `medscrub PATH…` without a command: scan, then (in a terminal) offer copies.
pub fn scan_and_offer(paths: &[PathBuf]) -> std::io::Result<ExitStatus> {
    let (options, profile) = engine_options()?;
    crate::ocr::start_ahead(options.ocr);
    let engine = Engine { options: &options, profile };
    let interactive = std::io::stdin().is_terminal();
    let mut stdin = std::io::stdin().lock();
    let (status, _) = scan_then_offer(&engine, paths, interactive.then_some(&mut stdin as &mut dyn BufRead))?;
    if !interactive && status != ExitStatus::Ok {
        eprintln!("medscrub: to write share-safe copies: medscrub clean PATH... --out DIR");
    }
    Ok(status)
}

/// `medscrub` alone in a terminal: ask for dropped paths until Ctrl-D.
pub fn interactive() -> std::io::Result<ExitStatus> {
    let (options, profile) = engine_options()?;
    crate::ocr::start_ahead(options.ocr);
    let engine = Engine { options: &options, profile };
    let mut stdin = std::io::stdin().lock();
    let mut worst = ExitStatus::Ok;
    println!(
        "medscrub: checks clinical photos before they are shared. Nothing is written unless you say so."
    );
    loop {
        print!("\nDrag photos or folders here and press Enter (Ctrl-D to quit)\n> ");
        std::io::stdout().flush()?;
        let mut line = String::new();
        if stdin.read_line(&mut line)? == 0 {
            println!();
            return Ok(worst);
        }
        let paths = parse_dropped(&line);
        if paths.is_empty() {
            continue;
        }
        let (status, quit) = scan_then_offer(&engine, &paths, Some(&mut stdin))?;
        if status.code() > worst.code() && status != ExitStatus::Usage {
            worst = status;
        }
        if quit {
            println!();
            return Ok(worst);
        }
    }
}

/// Scans `paths`, prints the reports, then asks on `answers` (when given) whether to
/// write share-safe copies. Returns the scan's exit status, and whether input ended.
fn scan_then_offer(
    engine: &Engine<'_>,
    paths: &[PathBuf],
    answers: Option<&mut dyn BufRead>,
) -> std::io::Result<(ExitStatus, bool)> {
    let mut existing = Vec::new();
    for p in paths {
        if p.exists() {
            existing.push(p.clone());
        } else {
            eprintln!("medscrub: {} does not exist; left out", for_terminal(&p.display().to_string()));
        }
    }
    let collected = intake::collect(&existing, &[])?;
    for s in &collected.skipped {
        eprintln!("medscrub: skipped {} ({})", for_terminal(&s.path.display().to_string()), s.reason);
    }
    if collected.inputs.is_empty() {
        eprintln!("medscrub: no photos found there");
        return Ok((if existing.is_empty() { ExitStatus::Usage } else { ExitStatus::Ok }, false));
    }
    let started = Instant::now();
    let mut tally = Tally::default();
    let mut shareable = std::collections::HashSet::new();
    let mut out = std::io::stdout();
    // Each photo's analysis is kept until the answer, so a `y` writes from it instead of
    // analysing again. Kept parked: the judgement without the bytes and pixels (a read
    // and a decode bring those back, checked against the hash), so a large drop does not
    // hold every photo's pixels, nor the memory budget, while the person reads.
    // Without a terminal to answer, nothing will be written: keep nothing.
    let offering = answers.is_some();
    let kept: Vec<std::sync::Mutex<Option<pipeline::Analysis>>> =
        collected.inputs.iter().map(|_| std::sync::Mutex::new(None)).collect();
    let index: std::collections::HashMap<&Path, usize> =
        collected.inputs.iter().enumerate().map(|(i, input)| (input.path.as_path(), i)).collect();
    // Progress while the photos are checked, and again while copies are written.
    let progress = super::progress_bar(collected.inputs.len(), false);
    pipeline::run_parallel(
        &collected.inputs,
        None,
        |input| {
            let analysis = engine.analyse(input);
            if let Some(pb) = &progress {
                pb.inc(1);
            }
            let report = analysis.report.clone();
            if offering
                && report.verdict != Verdict::Block
                && let Some(&i) = index.get(input.path.as_path())
            {
                *kept[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(analysis.park());
            }
            report
        },
        |report| {
            tally.add(&report);
            let rendered = text::paint(
                text::render(&report, text::Detail::Normal),
                report.verdict,
                text::colour_wanted(),
            );
            let _ = match &progress {
                Some(pb) => pb.suspend(|| out.write_all(rendered.as_bytes())),
                None => out.write_all(rendered.as_bytes()),
            };
            if report.verdict != Verdict::Block {
                shareable.insert(report.path);
            }
        },
    )?;
    if let Some(pb) = progress {
        pb.finish_and_clear();
    }
    debug_stats();
    writeln!(out, "{}", tally.line(started.elapsed().as_secs_f64()))?;
    let verdicts = [
        (tally.share, Verdict::Share),
        (tally.strip, Verdict::Strip),
        (tally.redact, Verdict::Redact),
        (tally.block, Verdict::Block),
    ];
    let status = ExitStatus::for_scan(verdicts.into_iter().filter(|(n, _)| *n > 0).map(|(_, v)| v));
    let Some(answers) = answers else { return Ok((status, false)) };
    if shareable.is_empty() {
        println!("Nothing here may be shared.");
        return Ok((status, false));
    }
    let folder = safe_folder();
    let shown = std::path::absolute(&folder).unwrap_or_else(|_| folder.clone());
    print!(
        "Write share-safe cop{} of {} photo{} to {}? [y/N] ",
        if shareable.len() == 1 { "y" } else { "ies" },
        shareable.len(),
        if shareable.len() == 1 { "" } else { "s" },
        for_terminal(&shown.display().to_string())
    );
    out.flush()?;
    let mut answer = String::new();
    if answers.read_line(&mut answer)? == 0 {
        return Ok((status, true));
    }
    if !matches!(answer.trim(), "y" | "Y" | "yes" | "Yes" | "YES") {
        println!("Nothing written.");
        return Ok((status, false));
    }
    std::fs::create_dir_all(&folder)
        .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", shown.display())))?;
    let inputs: Vec<Input> = collected
        .inputs
        .iter()
        .filter(|i| shareable.contains(&i.path.display().to_string()))
        .cloned()
        .collect();
    let mut written = 0;
    // Each copy gets a free name in the folder (`free_destination`): nothing is replaced.
    let copies = CopyOptions::default();
    let progress = super::progress_bar(inputs.len(), false);
    pipeline::run_parallel(
        &inputs,
        None,
        |input| {
            let dest = free_destination(&folder, input);
            let analysis = index
                .get(input.path.as_path())
                .and_then(|&i| kept[i].lock().unwrap_or_else(|e| e.into_inner()).take());
            let report = match analysis {
                Some(analysis) => engine.clean_analysed(analysis, input, &dest, &copies),
                // Named twice on one line: its analysis went to the first.
                None => engine.clean(input, &dest, &copies),
            };
            if let Some(pb) = &progress {
                pb.inc(1);
            }
            report
        },
        |report| {
            written += usize::from(report.output.is_some());
            let line = text::report_line(&report);
            let _ = match &progress {
                Some(pb) => pb.suspend(|| out.write_all(line.as_bytes())),
                None => out.write_all(line.as_bytes()),
            };
        },
    )?;
    if let Some(pb) = progress {
        pb.finish_and_clear();
    }
    debug_stats();
    println!(
        "Wrote {written} share-safe cop{} to {}; the originals are untouched.",
        if written == 1 { "y" } else { "ies" },
        for_terminal(&shown.display().to_string())
    );
    Ok((status, false))
}

/// With `MEDSCRUB_DEBUG_STATS` set (debug builds only), how many analyses the process
/// has run so far, on stderr: tests/integration/drop.rs proves a `y` writes without analysing again.
fn debug_stats() {
    #[cfg(debug_assertions)]
    if std::env::var_os("MEDSCRUB_DEBUG_STATS").is_some() {
        eprintln!("medscrub-debug: analyses={}", pipeline::analyses_started());
    }
}

/// Where a dropped photo's copy goes: its name in `folder`, numbered when a file of
/// that name is there already (from an earlier drop), never replacing it.
fn free_destination(folder: &Path, input: &Input) -> PathBuf {
    let name = input.path.file_name().map(PathBuf::from).unwrap_or_else(|| input.relative.clone());
    let wanted = pipeline::destination(folder, &Input { path: input.path.clone(), relative: name });
    crate::watch::free_name(&wanted)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Vec<String> {
        parse_dropped(s).iter().map(|p| p.to_string_lossy().into_owned()).collect()
    }

    #[test]
    fn plain_and_several_paths() {
        assert_eq!(parse("/a/b.jpg"), ["/a/b.jpg"]);
        assert_eq!(parse("/a/b.jpg /c/d.png\n"), ["/a/b.jpg", "/c/d.png"]);
        assert_eq!(parse("  /a.jpg\t\t/b.jpg  \r\n"), ["/a.jpg", "/b.jpg"]);
        assert!(parse("   \n").is_empty());
        assert!(parse("").is_empty());
    }

    #[test]
    fn single_quotes_as_gnome_terminal_pastes_them() {
        assert_eq!(
            parse("'/home/me/Ward rounds/IMG 1.jpg' '/tmp/b.jpg' "),
            ["/home/me/Ward rounds/IMG 1.jpg", "/tmp/b.jpg"]
        );
        // A quote inside a single-quoted name, the POSIX shell way.
        assert_eq!(parse(r"'/tmp/Dr O'\''Neil.jpg'"), ["/tmp/Dr O'Neil.jpg"]);
        // Backslashes are literal inside single quotes.
        assert_eq!(parse(r"'/tmp/a\b.jpg'"), [r"/tmp/a\b.jpg"]);
    }

    #[test]
    fn double_quotes_and_their_escapes() {
        assert_eq!(
            parse(r#""/tmp/a b.jpg" "/tmp/say \"hi\".jpg""#),
            ["/tmp/a b.jpg", r#"/tmp/say "hi".jpg"#]
        );
        assert_eq!(parse(r#""/tmp/a\b.jpg""#), [r"/tmp/a\b.jpg"], "other backslashes stay");
    }

    #[test]
    fn backslash_escaped_spaces_as_macos_terminals_paste_them() {
        assert_eq!(
            parse(r"/Users/me/Ward\ rounds/IMG\ 1.jpg /tmp/b.jpg"),
            ["/Users/me/Ward rounds/IMG 1.jpg", "/tmp/b.jpg"]
        );
        assert_eq!(parse(r"/tmp/\(1\)\ copy.jpg"), ["/tmp/(1) copy.jpg"]);
        assert_eq!(parse(r"/tmp/caf\é.jpg"), ["/tmp/café.jpg"]);
    }

    #[test]
    fn file_uris_are_percent_decoded() {
        assert_eq!(parse("file:///home/me/Ward%20rounds/IMG%201.jpg"), ["/home/me/Ward rounds/IMG 1.jpg"]);
        assert_eq!(
            parse("file://localhost/tmp/a.jpg file:///tmp/caf%C3%A9.jpg"),
            ["/tmp/a.jpg", "/tmp/café.jpg"]
        );
        assert_eq!(parse("'file:///tmp/a%20b.jpg'"), ["/tmp/a b.jpg"]);
        assert_eq!(parse("file:///tmp/100%.jpg"), ["/tmp/100%.jpg"], "a bare % stays");
        assert_eq!(parse("file:///tmp/%zz%4"), ["/tmp/%zz%4"]);
    }

    #[test]
    fn mixed_styles_on_one_line() {
        assert_eq!(
            parse(r#"'/a b.jpg' /c\ d.jpg "/e f.jpg" file:///g%20h.jpg plain.jpg"#),
            ["/a b.jpg", "/c d.jpg", "/e f.jpg", "/g h.jpg", "plain.jpg"]
        );
        // An unfinished quote takes the rest of the line.
        assert_eq!(parse("'/tmp/a b.jpg"), ["/tmp/a b.jpg"]);
    }

    #[test]
    fn home_is_expanded_only_when_typed_bare() {
        let home = std::env::var("HOME").unwrap_or_default();
        if !home.is_empty() {
            assert_eq!(parse("~/a.jpg"), [format!("{home}/a.jpg")]);
        }
        assert_eq!(parse("'~/a.jpg'"), ["~/a.jpg"]);
        assert_eq!(parse("/tmp/~/a.jpg"), ["/tmp/~/a.jpg"]);
    }
}
