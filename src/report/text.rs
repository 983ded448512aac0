//! The human-readable report: one block per photo, then a summary line.

use super::sanitize::for_terminal;
use super::{Citation, Report};
use crate::verdict::Verdict;
use std::fmt::Write;

/// Width of the rule-id column.
const RULE_WIDTH: usize = 16;

/// What each verdict means, in a few words.
pub fn meaning(v: Verdict) -> &'static str {
    match v {
        Verdict::Share => "nothing identifying found",
        Verdict::Strip => "metadata identifies: `medscrub clean` removes it",
        Verdict::Redact => "visible identifiers must be covered",
        Verdict::Block => "must not leave",
    }
}

/// What the report's verdict means for this photo: a photo blocked only because it
/// could not be read or analysed is said to be that, not judged.
pub fn headline(r: &Report) -> &'static str {
    let only_errors = r.verdict == Verdict::Block
        && r.findings.iter().filter(|f| f.remedy == Verdict::Block).all(|f| f.rule.starts_with("error."));
    if only_errors { "could not be checked: nothing leaves" } else { meaning(r.verdict) }
}

/// Whether verdicts are shown in colour: standard output is a terminal and `NO_COLOR`
/// is unset or empty (no-color.org). Pipes, files and scripts get plain text.
pub fn colour_wanted() -> bool {
    use std::io::IsTerminal;
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
}

/// `rendered` (one report from [`render`]) with its verdict word in the verdict's colour
/// when `colour`: green share, yellow strip, magenta redact, bold red block.
pub fn paint(rendered: String, verdict: Verdict, colour: bool) -> String {
    let code = match verdict {
        Verdict::Share => "32",
        Verdict::Strip => "33",
        Verdict::Redact => "35",
        Verdict::Block => "1;31",
    };
    let word = verdict.as_str().to_uppercase();
    match rendered.strip_prefix(&word) {
        Some(rest) if colour => format!("\x1b[{code}m{word}\x1b[0m{rest}"),
        _ => rendered,
    }
}

/// Renders one report. `verbose` adds each finding's details.
pub fn render(r: &Report, verbose: bool) -> String {
    let mut s = String::new();
    let indent = " ".repeat(7);
    let _ = writeln!(
        s,
        "{:<6} {}  ({})",
        r.verdict.as_str().to_uppercase(),
        for_terminal(r.display_path()),
        headline(r)
    );
    let mut facts = Vec::new();
    if let Some(f) = r.format {
        facts.push(match (r.width, r.height) {
            (Some(w), Some(h)) => format!("{f} {w}×{h}"),
            _ => f.to_string(),
        });
    }
    if let Some(t) = &r.capture_time {
        facts.push(format!("taken {} ({})", t.value, t.source));
    }
    if !facts.is_empty() {
        let _ = writeln!(s, "{indent}{}", facts.join(" · "));
    }
    for f in &r.findings {
        // Long ids (`caption.identifier`) overflow the column: keep a space after them.
        let _ = writeln!(s, "{indent}{:<RULE_WIDTH$}{}", format!("{} ", f.rule), for_terminal(&f.summary));
        if verbose {
            for d in &f.details {
                let _ = writeln!(s, "{indent}{:<RULE_WIDTH$}  · {}", "", for_terminal(d));
            }
        }
        // An error is not a privacy judgement: the policies' clauses stay in the JSON
        // (fail closed is what they ask), not under a file that could not be read.
        if !f.citations.is_empty() && !f.rule.starts_with("error.") {
            let _ = writeln!(s, "{indent}{:<RULE_WIDTH$}why: {}", "", cite_line(&f.citations));
        }
    }
    for n in &r.notes {
        let _ = writeln!(s, "{indent}note: {}", for_terminal(n));
    }
    match (r.action, &r.output) {
        (Some(action), Some(out)) => {
            let how = action.describe();
            let _ = writeln!(s, "{indent}→ wrote {} ({how})", for_terminal(out));
        }
        (Some(_), None) => {
            let _ = writeln!(s, "{indent}✗ not written");
        }
        _ => {}
    }
    s
}

/// One line for one photo, as `watch` prints them: verdict, path, rules, and what was
/// done (`→ copy`, or `✗ not written` with the reason).
pub fn one_line(r: &Report) -> String {
    let mut rules: Vec<&str> = Vec::new();
    for f in &r.findings {
        if !rules.contains(&f.rule.as_str()) {
            rules.push(&f.rule);
        }
    }
    let mut s = format!("{:<6} {}", r.verdict.as_str().to_uppercase(), for_terminal(r.display_path()));
    if !rules.is_empty() {
        let _ = write!(s, "  {}", rules.join(", "));
    }
    match &r.output {
        Some(out) => {
            let _ = write!(s, "  → {}", for_terminal(out));
        }
        None => {
            let why = match &r.error {
                Some(e) => {
                    for_terminal(e.strip_prefix(r.path.as_str()).unwrap_or(e).trim_start_matches(": "))
                }
                None => headline(r).to_string(),
            };
            let _ = write!(s, "  ✗ not written: {why}");
        }
    }
    for n in r.notes.iter().filter(|n| n.starts_with("original")) {
        let _ = write!(s, "; {}", for_terminal(n));
    }
    s.push('\n');
    s
}

/// One line of citations, grouped by institution: `umn POLICY 3, second bullet · …`.
pub fn cite_line(citations: &[Citation]) -> String {
    let mut groups: Vec<(String, Vec<&str>)> = Vec::new();
    for c in citations {
        match groups.iter_mut().find(|(p, _)| *p == c.policy) {
            Some((_, clauses)) => {
                if !clauses.contains(&c.clause.as_str()) {
                    clauses.push(&c.clause);
                }
            }
            None => groups.push((c.policy.clone(), vec![&c.clause])),
        }
    }
    groups.iter().map(|(p, clauses)| format!("{p} ({})", clauses.join("; "))).collect::<Vec<_>>().join(" · ")
}

/// Counts of each verdict.
#[derive(Debug, Default, Clone, Copy)]
pub struct Tally {
    pub share: usize,
    pub strip: usize,
    pub redact: usize,
    pub block: usize,
    pub written: usize,
}

impl Tally {
    pub fn add(&mut self, r: &Report) {
        match r.verdict {
            Verdict::Share => self.share += 1,
            Verdict::Strip => self.strip += 1,
            Verdict::Redact => self.redact += 1,
            Verdict::Block => self.block += 1,
        }
        if r.output.is_some() {
            self.written += 1;
        }
    }

    pub fn total(&self) -> usize {
        self.share + self.strip + self.redact + self.block
    }

    /// `14 photos: 3 share · 9 strip · 0 redact · 2 block (0.42 s)`.
    pub fn line(&self, seconds: f64) -> String {
        format!(
            "{} photo{}: {} share · {} strip · {} redact · {} block ({seconds:.2} s)",
            self.total(),
            if self.total() == 1 { "" } else { "s" },
            self.share,
            self.strip,
            self.redact,
            self.block
        )
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn verdicts_are_painted_only_when_colour_is_wanted() {
        let plain = "BLOCK  a.jpg  (must not leave)\n".to_string();
        assert_eq!(paint(plain.clone(), Verdict::Block, false), plain);
        assert_eq!(
            paint(plain.clone(), Verdict::Block, true),
            "\x1b[1;31mBLOCK\x1b[0m  a.jpg  (must not leave)\n"
        );
        // A line that does not start with its verdict is left alone.
        assert_eq!(paint(plain.clone(), Verdict::Share, true), plain);
    }

    use super::*;
    use crate::report::{Finding, Source};

    #[test]
    fn renders_verdict_findings_and_citations() {
        let mut r = Report::new("a\u{202E}b.jpg".into(), "strictest");
        r.findings.push(Finding {
            rule: "meta.gps".into(),
            source: Source::Metadata,
            remedy: Verdict::Strip,
            summary: "location ≈ 42.28, -83.74".into(),
            details: vec![],
            bbox: None,
            confidence: 1.0,
            citations: vec![
                Citation {
                    policy: "umn".into(),
                    source: "001".into(),
                    clause: "POLICY 3".into(),
                    paraphrase: "p".into(),
                },
                Citation {
                    policy: "umn".into(),
                    source: "001".into(),
                    clause: "GUIDELINES 2".into(),
                    paraphrase: "p".into(),
                },
                Citation {
                    policy: "wsu".into(),
                    source: "002".into(),
                    clause: "first bullet".into(),
                    paraphrase: "p".into(),
                },
            ],
        });
        r.settle_verdict();
        let text = render(&r, false);
        assert!(text.starts_with("STRIP  a\\u{202e}b.jpg"), "{text}");
        assert!(text.contains("meta.gps        location ≈ 42.28, -83.74"));
        assert!(text.contains("why: umn (POLICY 3; GUIDELINES 2) · wsu (first bullet)"), "{text}");
        assert_eq!(
            one_line(&r),
            "STRIP  a\\u{202e}b.jpg  meta.gps  ✗ not written: metadata identifies: `medscrub clean` removes it\n"
        );
        r.output = Some("safe/a.jpg".into());
        r.notes.push("original removed from the inbox (--move)".into());
        assert_eq!(
            one_line(&r),
            "STRIP  a\\u{202e}b.jpg  meta.gps  → safe/a.jpg; original removed from the inbox (--move)\n"
        );
    }
}
