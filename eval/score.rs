//! Scores medscrub's detectors against a labelled corpus: `cargo run --release --example
//! score -- [CORPUS_DIR]` (default `fixtures`, labelled by `fixtures/expected.json`).
//!
//! For every rule: recall (labelled photos where it fired) and false-positive rate (photos
//! labelled without it where it fired anyway). For every verdict: recall and false rate.
//! Exits 1 when any rule or verdict is imperfect on the corpus, so CI notices drift.

use medscrub::intake::Input;
use medscrub::{AnalysisOptions, Verdict, pipeline, policy, rules};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

#[derive(Default)]
struct Count {
    tp: usize,
    fn_: usize,
    fp: usize,
    tn: usize,
}

impl Count {
    fn add(&mut self, expected: bool, got: bool) {
        match (expected, got) {
            (true, true) => self.tp += 1,
            (true, false) => self.fn_ += 1,
            (false, true) => self.fp += 1,
            (false, false) => self.tn += 1,
        }
    }
    fn recall(&self) -> String {
        ratio(self.tp, self.tp + self.fn_)
    }
    fn fp_rate(&self) -> String {
        ratio(self.fp, self.fp + self.tn)
    }
    fn perfect(&self) -> bool {
        self.fn_ == 0 && self.fp == 0
    }
}

fn ratio(a: usize, b: usize) -> String {
    if b == 0 { "—".into() } else { format!("{:.2} ({a}/{b})", a as f64 / b as f64) }
}

fn main() {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "fixtures".into()));
    let labels: BTreeMap<String, serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).expect("expected.json"))
            .expect("expected.json parses");
    let options = AnalysisOptions::default();
    let engine =
        pipeline::Engine { options: &options, profile: policy::profile("strictest").expect("profile") };
    // This scorer covers the metadata rules; the text rules are scored on eval/'s corpus.
    let mut per_rule: BTreeMap<&str, Count> = rules::RULES
        .iter()
        .map(|r| r.doc().id)
        .filter(|id| id.starts_with("meta."))
        .map(|id| (id, Count::default()))
        .collect();
    let mut per_verdict: BTreeMap<Verdict, Count> = BTreeMap::new();
    let mut photos = 0;
    for (path, label) in &labels {
        if label["skip"].as_bool() == Some(true) {
            continue;
        }
        photos += 1;
        let input = Input { path: dir.join(path), relative: PathBuf::from(path) };
        let report = engine.analyse(&input).report;
        let fired: BTreeSet<&str> = report.findings.iter().map(|f| f.rule.as_str()).collect();
        let wanted: BTreeSet<&str> =
            label["rules"].as_array().unwrap().iter().filter_map(|r| r.as_str()).collect();
        for (rule, count) in per_rule.iter_mut() {
            count.add(wanted.contains(rule), fired.contains(rule));
        }
        let want_verdict = Verdict::parse(label["verdict"].as_str().unwrap()).expect("verdict");
        for v in [Verdict::Share, Verdict::Strip, Verdict::Redact, Verdict::Block] {
            per_verdict.entry(v).or_default().add(want_verdict == v, report.verdict == v);
        }
    }
    println!("{photos} labelled photos in {}\n", dir.display());
    println!("{:<16} {:>16} {:>20}", "rule", "recall", "false-positive rate");
    for (rule, c) in &per_rule {
        println!("{rule:<16} {:>16} {:>20}", c.recall(), c.fp_rate());
    }
    println!("\n{:<16} {:>16} {:>20}", "verdict", "recall", "false rate");
    for (v, c) in &per_verdict {
        println!("{:<16} {:>16} {:>20}", v.as_str(), c.recall(), c.fp_rate());
    }
    let perfect = per_rule.values().chain(per_verdict.values()).all(Count::perfect);
    std::process::exit(if perfect { 0 } else { 1 });
}
