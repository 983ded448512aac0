//! Scores the text stage on the synthetic corpus from `eval-generate`:
//! `cargo run --release --example score-text -- CORPUS_DIR [--baseline] [--min-width W]`.
//!
//! * item recall per kind: a planted item counts as found when finding boxes cover at
//!   least half of its box (what `clean` would black out);
//! * photo-level recall: PHI photos whose verdict is `redact` or `block`;
//! * false-redact rate: benign photos whose verdict is `redact` or `block`;
//! * per rule, for the rules no item box stands for (`scene.patient-area`,
//!   `doc.institutional`, `brand.logo-text`): recall on the photos that must fire it
//!   (truth `expect`) and false-positive rate on the benign photos;
//! * institutional photos (handouts, signs) redacted or blocked;
//! * photographed documents (lab reports, prescriptions, discharge summaries; class
//!   `documents`, truth `expect_verdict`): how many got an identifier finding (`text.*`,
//!   `barcode.*`) or a verdict the truth allows, and their item recall per kind (kept apart
//!   from the table above so its numbers stay comparable with corpora without documents);
//! * median and total analysis time per photo.
//!
//! `--baseline` scores the plain strategy (one Tesseract pass over the whole image, same
//! recognizers) so the two can be compared on the same photos.

use medscrub::geometry::Rect;
use medscrub::intake::Input;
use medscrub::ocr::Strategy;
use medscrub::{AnalysisOptions, Verdict, pipeline, policy};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

/// Rules scored per photo: what they find has no planted item box of its own.
const PHOTO_RULES: [&str; 3] = ["scene.patient-area", "doc.institutional", "brand.logo-text"];

fn covered(item: Rect, boxes: &[Rect]) -> bool {
    // Count covered pixels of the item on a coarse grid (boxes may overlap).
    let (mut hit, mut all) = (0u32, 0u32);
    let step = (item.height / 8).max(1);
    for y in (item.y..item.y + item.height).step_by(step as usize) {
        for x in (item.x..item.x + item.width).step_by(step as usize) {
            all += 1;
            if boxes.iter().any(|b| x >= b.x && x < b.x + b.width && y >= b.y && y < b.y + b.height) {
                hit += 1;
            }
        }
    }
    all > 0 && hit * 2 >= all
}

fn main() {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let dir = PathBuf::from(argv.first().cloned().unwrap_or_else(|| "target/eval".into()));
    let baseline = argv.iter().any(|a| a == "--baseline");
    let truth: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("truth.json")).expect("truth.json (run eval-generate first)"),
    )
    .expect("truth.json parses");
    // `--reader NAME`: another strategy to measure (`Strategy::NAMED`).
    let reader = argv.iter().position(|a| a == "--reader").and_then(|i| argv.get(i + 1));
    let ocr = match reader {
        _ if baseline => Strategy::Plain,
        Some(name) => Strategy::from_name(name).unwrap_or_else(|| panic!("unknown --reader {name}")),
        None => Strategy::Scene,
    };
    let options = AnalysisOptions { ocr, ..AnalysisOptions::default() };
    let engine =
        pipeline::Engine { options: &options, profile: policy::profile("strictest").expect("profile") };
    // `--min-width W`: score only photos at least W pixels wide (the 12 MP ones: 4000).
    let min_width: u64 =
        argv.iter().position(|a| a == "--min-width").and_then(|i| argv.get(i + 1)?.parse().ok()).unwrap_or(0);
    let photos: Vec<serde_json::Value> = truth["photos"]
        .as_array()
        .expect("photos")
        .iter()
        .filter(|p| p["width"].as_u64().unwrap_or(0) >= min_width)
        .cloned()
        .collect();
    let results: Vec<(serde_json::Value, medscrub::Report, f64)> = {
        use rayon::prelude::*;
        photos
            .par_iter()
            .map(|p| {
                let file = p["file"].as_str().expect("file");
                let input = Input { path: dir.join(file), relative: PathBuf::from(file) };
                let t = Instant::now();
                let report = engine.analyse(&input).report;
                (p.clone(), report, t.elapsed().as_secs_f64())
            })
            .collect()
    };
    let mut kinds: BTreeMap<String, (u32, u32)> = BTreeMap::new();
    let mut doc_kinds: BTreeMap<String, (u32, u32)> = BTreeMap::new();
    let (mut documents, mut documents_flagged) = (0, 0);
    let (mut phi, mut phi_caught, mut benign, mut benign_flagged) = (0, 0, 0, 0);
    let (mut institutional, mut institutional_caught) = (0, 0);
    // Per rule: (expected photos where it fired, expected photos, benign photos where it fired).
    let mut per_rule: BTreeMap<&str, (u32, u32, u32)> = PHOTO_RULES.iter().map(|r| (*r, (0, 0, 0))).collect();
    let mut times: Vec<f64> = Vec::new();
    let mut missed: Vec<String> = Vec::new();
    for (p, report, secs) in &results {
        times.push(*secs);
        let boxes: Vec<Rect> = report.findings.iter().filter_map(|f| f.bbox).collect();
        let flagged = matches!(report.verdict, Verdict::Redact | Verdict::Block);
        let expected: Vec<&str> =
            p["expect"].as_array().into_iter().flatten().filter_map(|v| v.as_str()).collect();
        for (rule, counts) in per_rule.iter_mut() {
            let fired = report.findings.iter().any(|f| f.rule == *rule);
            if expected.contains(rule) {
                counts.1 += 1;
                counts.0 += u32::from(fired);
                if !fired {
                    missed.push(format!("missed {rule} in {}", report.path));
                }
            } else if p["class"] == "benign" && fired {
                counts.2 += 1;
            }
        }
        let is_document = p["class"] == "documents";
        if is_document {
            // Flagged: any identifier finding, or a verdict that `expect_verdict` allows
            // (redact or block when the truth does not say).
            let allowed: Vec<&str> =
                p["expect_verdict"].as_array().into_iter().flatten().filter_map(|v| v.as_str()).collect();
            let verdict = match report.verdict {
                Verdict::Share => "share",
                Verdict::Strip => "strip",
                Verdict::Redact => "redact",
                Verdict::Block => "block",
            };
            let verdict_ok = if allowed.is_empty() { flagged } else { allowed.contains(&verdict) };
            let identifier =
                report.findings.iter().any(|f| f.rule.starts_with("text.") || f.rule.starts_with("barcode."));
            documents += 1;
            if verdict_ok || identifier {
                documents_flagged += 1;
            } else {
                missed.push(format!("document not flagged: {} (verdict {verdict})", report.path));
            }
        } else if p["class"] == "institutional" {
            institutional += 1;
            institutional_caught += u32::from(flagged);
        } else if p["class"] == "phi" {
            phi += 1;
            phi_caught += u32::from(flagged);
        } else {
            benign += 1;
            benign_flagged += u32::from(flagged);
            if flagged {
                let rules: Vec<&str> = report.findings.iter().map(|f| f.rule.as_str()).collect();
                missed.push(format!("false flag {}: {rules:?}", report.path));
            }
        }
        for item in p["items"].as_array().into_iter().flatten() {
            let b: Vec<u32> =
                item["bbox"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap() as u32).collect();
            let rect = Rect { x: b[0], y: b[1], width: b[2].max(1), height: b[3].max(1) };
            let kind = item["kind"].as_str().unwrap().to_string();
            let entry =
                if is_document { &mut doc_kinds } else { &mut kinds }.entry(kind.clone()).or_default();
            entry.1 += 1;
            if covered(rect, &boxes) {
                entry.0 += 1;
            } else {
                missed.push(format!("missed {kind} in {}", report.path));
            }
        }
    }
    times.sort_by(f64::total_cmp);
    let ratio = |a: u32, b: u32| {
        if b == 0 { "—".to_string() } else { format!("{:.2} ({a}/{b})", a as f64 / b as f64) }
    };
    println!("strategy: {ocr:?}");
    println!("{:<12} {:>16}", "item kind", "recall");
    for (kind, (found, all)) in &kinds {
        println!("{kind:<12} {:>16}", ratio(*found, *all));
    }
    println!("\nphoto-level recall (PHI photos redacted or blocked): {}", ratio(phi_caught, phi));
    println!("false redact/block on benign text photos:            {}", ratio(benign_flagged, benign));
    println!(
        "institutional photos (handouts, signs) redacted or blocked: {}",
        ratio(institutional_caught, institutional)
    );
    if documents > 0 {
        println!(
            "documents: {documents_flagged}/{documents} flagged (an identifier finding, or verdict redact/block)"
        );
        println!("{:<12} {:>16}", "document item", "recall");
        for (kind, (found, all)) in &doc_kinds {
            println!("{kind:<12} {:>16}", ratio(*found, *all));
        }
    }
    println!("\n{:<20} {:>16} {:>28}", "rule", "recall", "false positives (benign)");
    for (rule, (fired, expected, false_pos)) in &per_rule {
        println!("{rule:<20} {:>16} {:>28}", ratio(*fired, *expected), ratio(*false_pos, benign));
    }
    println!(
        "analysis time per photo: median {:.2} s, total {:.1} s for {} photos",
        times.get(times.len() / 2).copied().unwrap_or(0.0),
        times.iter().sum::<f64>(),
        times.len()
    );
    // Document photos (1440×1920 to 1500×2000) apart from the scenes of their size.
    let size = |p: &serde_json::Value| match (p["class"].as_str(), p["width"].as_u64().unwrap_or(0)) {
        (Some("documents"), _) => "document (about 3 MP)",
        (_, w) if w > 2000 => "12 MP (4032×3024)",
        _ => "1600×1200",
    };
    for label in ["1600×1200", "12 MP (4032×3024)", "document (about 3 MP)"] {
        let mut t: Vec<f64> =
            results.iter().filter(|(p, _, _)| size(p) == label).map(|(_, _, secs)| *secs).collect();
        t.sort_by(f64::total_cmp);
        if !t.is_empty() {
            println!("  median on {label} photos: {:.2} s ({} photos)", t[t.len() / 2], t.len());
        }
    }
    if std::env::var_os("SCORE_VERBOSE").is_some() {
        missed.iter().for_each(|m| println!("  {m}"));
    }
}
