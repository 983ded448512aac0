//! Checks what `clean` lets out: cleans every PHI photo of the synthetic corpus from
//! `eval-generate` and reads each planted item's region of the copy again.
//! `cargo run --release --example score-clean -- CORPUS_DIR [--min-width W]`.
//!
//! For each copy `clean` wrote (a redacted one, or a stripped or unchanged one when the
//! photo was missed), the planted item's box, padded by half its height, is cut from the
//! copy and read on its own: OCR with the scene strategy, Tesseract over the whole crop as
//! well, and the barcode search. A crop of a few words is easier to read than the whole
//! photo, so this is stricter than the verification `clean` itself runs. The item is
//! still readable when
//!
//! * a word of three or more letters or digits of its planted text is read in the crop
//!   (compared after folding OCR's usual confusions: O/0, I/l/1, S/5, B/8, Z/2), or
//! * any text rule fires on what was read, judged as strictly as a clinical photo.
//!
//! Photos `clean` blocked leave no copy and leak nothing. The target is no item readable.

use medscrub::intake::Input;
use medscrub::limits::Deadline;
use medscrub::recognize::{Document, TextEvidence};
use medscrub::{AnalysisOptions, CopyOptions, Verdict, decode, metadata, ocr, pipeline, policy, rules};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What one planted item's crop of the clean copy still shows.
struct Reread {
    kind: String,
    readable: bool,
    /// What was read there, for `SCORE_VERBOSE`.
    read: String,
}

/// Upper-case letters and digits, with the characters OCR confuses folded together.
fn fold(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| match c.to_ascii_uppercase() {
            'O' | 'Q' | 'D' => '0',
            'I' | 'L' | '|' => '1',
            'S' => '5',
            'B' => '8',
            'Z' => '2',
            c => c,
        })
        .collect()
}

fn reread(copy: &image::GrayImage, item: &serde_json::Value) -> Reread {
    let b: Vec<u32> = item["bbox"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap() as u32).collect();
    let pad = b[3] / 2;
    let x = b[0].saturating_sub(pad).min(copy.width() - 1);
    let y = b[1].saturating_sub(pad).min(copy.height() - 1);
    let width = (b[2] + 2 * pad).min(copy.width() - x);
    let height = (b[3] + 2 * pad).min(copy.height() - y);
    let crop = image::imageops::crop_imm(copy, x, y, width, height).to_image();
    let deadline = Deadline::starting_now(Duration::from_secs(600));
    // Read both ways, the scene strategy and Tesseract over the whole crop: a crop of a
    // few words is what the plain pass reads best, and the check is the stricter for it.
    let mut documents =
        pipeline::read_picture(&crop, ocr::Strategy::Scene, &deadline).expect("reading a crop");
    let whole = ocr::read_text(&crop, ocr::Strategy::Plain, &deadline).expect("reading a crop whole");
    documents.extend(whole.iter().map(|lines| Document::from_ocr(lines)));
    let text = TextEvidence { documents, clinical: true };
    let facts = metadata::MetaFacts::default();
    let evidence = rules::Evidence { text: Some(&text), ..rules::Evidence::of(&facts) };
    let fired = rules::run(&evidence).iter().any(|d| d.bbox.is_some());
    let read: String = text.documents.iter().map(|d| d.text.as_str()).collect::<Vec<_>>().join(" | ");
    let seen = fold(&read);
    let planted = item["text"].as_str().unwrap_or("");
    let word_read = planted
        .split(|c: char| !c.is_ascii_alphanumeric())
        .map(fold)
        .any(|w| w.len() >= 3 && seen.contains(&w));
    Reread { kind: item["kind"].as_str().unwrap().to_string(), readable: fired || word_read, read }
}

fn main() {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let dir = PathBuf::from(argv.first().cloned().unwrap_or_else(|| "target/eval".into()));
    let min_width: u64 =
        argv.iter().position(|a| a == "--min-width").and_then(|i| argv.get(i + 1)?.parse().ok()).unwrap_or(0);
    let truth: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("truth.json")).expect("truth.json (run eval-generate first)"),
    )
    .expect("truth.json parses");
    let out = std::env::temp_dir().join(format!("medscrub-score-clean-{}", std::process::id()));
    std::fs::create_dir_all(&out).expect("output folder");
    let options = AnalysisOptions::default();
    let copies = CopyOptions { out_dir: Some(out.clone()), force: true };
    let engine =
        pipeline::Engine { options: &options, profile: policy::profile("strictest").expect("profile") };
    let photos: Vec<&serde_json::Value> = truth["photos"]
        .as_array()
        .expect("photos")
        .iter()
        .filter(|p| p["class"] == "phi" && p["width"].as_u64().unwrap_or(0) >= min_width)
        .collect();
    let results: Vec<(String, Verdict, Vec<Reread>)> = {
        use rayon::prelude::*;
        photos.par_iter().map(|p| clean_and_reread(&engine, &copies, &dir, &out, p)).collect()
    };
    let _ = std::fs::remove_dir_all(&out);

    let mut per_kind: BTreeMap<String, (u32, u32)> = BTreeMap::new();
    let mut verdicts: BTreeMap<String, u32> = BTreeMap::new();
    let (mut copies, mut leaking_copies) = (0, 0);
    let mut leaks: Vec<String> = Vec::new();
    for (file, verdict, items) in &results {
        *verdicts.entry(verdict.to_string()).or_default() += 1;
        if *verdict != Verdict::Block {
            copies += 1;
            leaking_copies += u32::from(items.iter().any(|i| i.readable));
        }
        for item in items {
            let entry = per_kind.entry(item.kind.clone()).or_default();
            entry.1 += 1;
            if item.readable {
                entry.0 += 1;
                leaks.push(format!("{file} ({verdict}): {} still readable: {:?}", item.kind, item.read));
            }
        }
    }
    println!("PHI photos cleaned: {}; verdicts {verdicts:?}", results.len());
    println!("copies written: {copies}; copies with a planted item still readable: {leaking_copies}");
    println!("{:<12} {:>28}", "item kind", "readable in a written copy");
    for (kind, (readable, all)) in &per_kind {
        println!("{kind:<12} {:>28}", format!("{readable} of {all}"));
    }
    if std::env::var_os("SCORE_VERBOSE").is_some() {
        leaks.iter().for_each(|l| println!("  {l}"));
    }
}

/// Cleans one photo into `out` and re-reads its planted items in the copy (none for a
/// blocked photo: no copy was written).
fn clean_and_reread(
    engine: &pipeline::Engine<'_>,
    copies: &CopyOptions,
    dir: &Path,
    out: &Path,
    photo: &serde_json::Value,
) -> (String, Verdict, Vec<Reread>) {
    let file = photo["file"].as_str().expect("file");
    let input = Input { path: dir.join(file), relative: PathBuf::from(file) };
    let report = engine.clean(&input, &pipeline::destination(out, &input), copies);
    let Some(written) = report.output.as_deref() else {
        return (file.to_string(), report.verdict, Vec::new());
    };
    let bytes = std::fs::read(written).expect("the copy clean wrote");
    let format = medscrub::intake::image_format(&bytes).expect("the copy is an image");
    let copy = decode::decode(&bytes, format, 1, &Default::default()).expect("the copy decodes");
    // One grey copy for every item's crop.
    let grey = medscrub::raster::grey(&copy.pixels);
    let items = photo["items"].as_array().into_iter().flatten().map(|item| reread(&grey, item)).collect();
    (file.to_string(), report.verdict, items)
}
