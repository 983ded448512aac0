//! What the text stage read: every OCR pass's lines with their confidences, for looking
//! into a miss the scorer reports. `cargo run --release --example ocr-dump -- [--tilt-only] PHOTO...`
//! (eval corpus photos only: it prints the text unmasked).

use medscrub::options::Deadline;
use medscrub::{ocr, options::Limits};

fn main() {
    // `--tilt-only`: print the tilt estimate alone, without reading the text.
    let tilt_only = std::env::args().any(|a| a == "--tilt-only");
    for file in std::env::args().skip(1).filter(|a| a != "--tilt-only") {
        let bytes = std::fs::read(&file).unwrap_or_else(|e| panic!("{file}: {e}"));
        let image =
            match medscrub::decode::decode(&bytes, medscrub::intake::Format::Jpeg, 1, &Limits::default()) {
                Ok(i) => i,
                Err(e) => {
                    println!("{file}: {}", e.message);
                    continue;
                }
            };
        let tilt = ocr::estimate_tilt(&image.pixels.to_luma8());
        println!("== {file}: estimated tilt {tilt}°");
        if tilt_only {
            continue;
        }
        let passes = ocr::read_text(
            &image,
            ocr::Strategy::Scene,
            &Deadline::starting_now(std::time::Duration::from_secs(600)),
        )
        .expect("OCR");
        println!("== {file}: {} passes", passes.len());
        for (i, lines) in passes.iter().enumerate() {
            for line in lines {
                let words: Vec<String> =
                    line.words.iter().map(|w| format!("{}({:.0})", w.text, w.confidence)).collect();
                if !words.is_empty() {
                    println!("  pass {i}: {}", words.join(" "));
                }
            }
        }
    }
}
