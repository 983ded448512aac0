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

/// How much of what is behind each finding the text report shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// Findings only (`--quiet`).
    Quiet,
    /// Findings, and one line naming the policies behind them.
    Normal,
    /// Every field behind each finding, and each policy clause with what it says
    /// (`--verbose`).
    Verbose,
}

impl Detail {
    pub fn of(verbose: bool, quiet: bool) -> Detail {
        match (verbose, quiet) {
            (true, _) => Detail::Verbose,
            (false, true) => Detail::Quiet,
            (false, false) => Detail::Normal,
        }
    }
}

/// Renders one report, with as much as `detail` asks of what is behind each finding.
pub fn render(r: &Report, detail: Detail) -> String {
    let verbose = detail == Detail::Verbose;
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
    for (k, f) in r.findings.iter().enumerate() {
        // One identifier found by several sources (a wristband's number read by OCR,
        // decoded from its barcode, and the barcode itself) is one line, on its first.
        let same = |o: &&super::Finding| o.identifier.is_some() && o.identifier == f.identifier;
        if r.findings[..k].iter().any(|o| same(&o)) {
            continue;
        }
        let mut summary = for_terminal(&f.summary);
        let also: Vec<String> = r.findings[k + 1..]
            .iter()
            .filter(same)
            .map(|o| format!("{} ({})", o.rule, o.source.as_str()))
            .collect();
        if !also.is_empty() {
            let _ = write!(summary, "; also found as {}", also.join(", "));
        }
        // Long ids (`caption.identifier`) overflow the column: keep a space after them.
        let _ = writeln!(s, "{indent}{:<RULE_WIDTH$}{summary}", format!("{} ", f.rule));
        if verbose {
            for d in &f.details {
                let _ = writeln!(s, "{indent}{:<RULE_WIDTH$}  · {}", "", for_terminal(d));
            }
        }
        if verbose && judged(f) {
            for (k, c) in f.citations.iter().enumerate() {
                let label = if k == 0 { "why: " } else { "     " };
                let _ = writeln!(
                    s,
                    "{indent}{:<RULE_WIDTH$}{label}{} {}: {}",
                    "", c.policy, c.clause, c.paraphrase
                );
            }
        }
    }
    // One line for the photo: which institutions' policies the findings rest on.
    let policies = policies_behind(r);
    if detail == Detail::Normal && !policies.is_empty() {
        let noun = if policies.len() == 1 { "policy" } else { "policies" };
        let _ = writeln!(s, "{indent}why: the {noun} of {} (--verbose: each clause)", and_list(&policies));
    }
    // What was not counted, whatever the detail asked: a reviewer must see it.
    for off in &r.switched_off {
        let _ = writeln!(
            s,
            "{indent}switched off: {} ({}, in {}: {}); {} finding{} not counted",
            off.rule,
            off.setting,
            for_terminal(&off.set_in),
            for_terminal(&off.reason),
            off.dropped,
            if off.dropped == 1 { "" } else { "s" }
        );
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
pub fn report_line(r: &Report) -> String {
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

/// Whether a finding is a privacy judgement whose clauses are worth showing. An error
/// is not: the policies' clauses stay in the JSON (fail closed is what they ask), not
/// under a file that could not be read.
fn judged(f: &super::Finding) -> bool {
    !f.citations.is_empty() && !f.rule.starts_with("error.")
}

/// The institutions whose clauses the photo's findings cite, in order of first citation.
fn policies_behind(r: &Report) -> Vec<&str> {
    let mut policies: Vec<&str> = Vec::new();
    for c in r.findings.iter().filter(|f| judged(f)).flat_map(|f| &f.citations) {
        if !policies.contains(&c.policy.as_str()) {
            policies.push(&c.policy);
        }
    }
    policies
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
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
    fn one_identifier_from_several_sources_is_one_line() {
        let mut r = Report::new("w.jpg".into(), "strictest");
        let finding = |rule: &str, source: Source, summary: &str, identifier: Option<&str>| Finding {
            rule: rule.into(),
            source,
            remedy: Verdict::Redact,
            summary: summary.into(),
            details: vec![],
            bbox: None,
            confidence: 1.0,
            citations: vec![],
            identifier: identifier.map(String::from),
        };
        r.findings.push(finding("text.mrn", Source::Ocr, "MRN 83••••78 (OCR, labelled)", Some("8360352378")));
        r.findings.push(finding("text.name", Source::Ocr, "name LE••••CY", Some("LEENANCY")));
        r.findings.push(finding("text.mrn", Source::Barcode, "MRN 83••••78 (barcode)", Some("8360352378")));
        r.findings.push(finding("barcode.payload", Source::Barcode, "barcode", Some("8360352378")));
        // The near miss: two findings without an identifier are two lines.
        r.findings.push(finding("scene.monitor", Source::Scene, "a monitor", None));
        r.findings.push(finding("scene.monitor", Source::Scene, "a monitor", None));
        r.settle_verdict();
        let text = render(&r, Detail::Quiet);
        assert!(
            text.contains(
                "MRN 83••••78 (OCR, labelled); also found as text.mrn (barcode), barcode.payload (barcode)\n"
            ),
            "{text}"
        );
        assert_eq!(text.matches("MRN 83").count(), 1, "{text}");
        assert_eq!(text.matches("a monitor").count(), 2, "{text}");
    }

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
            identifier: None,
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
        let text = render(&r, Detail::Normal);
        assert!(text.starts_with("STRIP  a\\u{202e}b.jpg"), "{text}");
        assert!(text.contains("meta.gps        location ≈ 42.28, -83.74"));
        assert!(
            text.ends_with("       why: the policies of umn and wsu (--verbose: each clause)\n"),
            "{text}"
        );
        let verbose = render(&r, Detail::Verbose);
        assert!(verbose.contains("                       why: umn POLICY 3: p\n"), "{verbose}");
        assert!(verbose.contains("                            wsu first bullet: p\n"), "{verbose}");
        assert!(!verbose.contains("the policies of"), "{verbose}");
        let quiet = render(&r, Detail::Quiet);
        assert!(!quiet.contains("why"), "{quiet}");
        assert_eq!(and_list(&["a", "b", "c"]), "a, b and c");
        assert_eq!(
            report_line(&r),
            "STRIP  a\\u{202e}b.jpg  meta.gps  ✗ not written: metadata identifies: `medscrub clean` removes it\n"
        );
        r.output = Some("safe/a.jpg".into());
        r.notes.push("original removed from the inbox (--move)".into());
        assert_eq!(
            report_line(&r),
            "STRIP  a\\u{202e}b.jpg  meta.gps  → safe/a.jpg; original removed from the inbox (--move)\n"
        );
    }
}
