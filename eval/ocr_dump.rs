//! What the text stage read: every OCR pass's lines with their confidences, for looking
//! into a miss the scorer reports.
//! `cargo run --release --example ocr-dump -- [--tilt-only] [--regions DIR] PHOTO...`
//! (eval corpus photos only: it prints the text unmasked). `--regions DIR` also writes
//! a copy of each photo with its candidate text regions outlined, as DIR/NAME.png.

use medscrub::limits::Deadline;
use medscrub::{limits::Limits, ocr};

fn main() {
    // `--tilt-only`: print the tilt estimate alone, without reading the text.
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let tilt_only = argv.iter().any(|a| a == "--tilt-only");
    let regions_dir = argv.iter().position(|a| a == "--regions").and_then(|i| argv.get(i + 1)).cloned();
    // `--reader NAME`: another strategy than the scene strategy (`Strategy::NAMED`).
    let reader = argv.iter().position(|a| a == "--reader").and_then(|i| argv.get(i + 1)).cloned();
    let strategy = reader.as_deref().map_or(ocr::Strategy::Scene, |name| {
        ocr::Strategy::from_name(name).unwrap_or_else(|| panic!("unknown --reader {name}"))
    });
    let files = argv
        .iter()
        .filter(|a| !a.starts_with("--") && Some(*a) != regions_dir.as_ref() && Some(*a) != reader.as_ref());
    for file in files {
        let bytes = std::fs::read(file).unwrap_or_else(|e| panic!("{file}: {e}"));
        let image =
            match medscrub::decode::decode(&bytes, medscrub::intake::Format::Jpeg, 1, &Limits::default()) {
                Ok(i) => i,
                Err(e) => {
                    println!("{file}: {}", e.message);
                    continue;
                }
            };
        // The grey levels the pipeline reads.
        let grey = medscrub::raster::grey(&image.pixels);
        let tilt = ocr::estimate_tilt(&grey);
        println!("== {file}: estimated tilt {tilt}°");
        if let Some(dir) = &regions_dir {
            outline_regions(&image, &grey, file, dir);
        }
        if tilt_only {
            continue;
        }
        let passes =
            ocr::read_text(&grey, strategy, &Deadline::starting_now(std::time::Duration::from_secs(600)))
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

/// Prints the candidate text regions and writes the photo with them outlined in red.
fn outline_regions(image: &medscrub::decode::DisplayImage, raw: &image::GrayImage, file: &str, dir: &str) {
    let regions = ocr::regions::propose(raw);
    let mut copy = image.pixels.to_rgb8();
    for r in &regions {
        println!("  region {:?} letter height {:.0} lines {}", r.rect, r.letter_height, r.lines);
        for t in 0..3 {
            let outline = imageproc::rect::Rect::at(r.rect.x as i32 - t, r.rect.y as i32 - t)
                .of_size(r.rect.width + 2 * t as u32, r.rect.height + 2 * t as u32);
            imageproc::drawing::draw_hollow_rect_mut(&mut copy, outline, image::Rgb([255, 0, 0]));
        }
    }
    let name = std::path::Path::new(file).file_stem().and_then(|s| s.to_str()).unwrap_or("photo");
    let out = std::path::Path::new(dir).join(format!("{name}.png"));
    copy.save(&out).unwrap_or_else(|e| panic!("{}: {e}", out.display()));
    // The outlined copy around each region, for a close look at what was (not) found.
    for (i, r) in regions.iter().enumerate() {
        let (x, y) = (r.rect.x.saturating_sub(200), r.rect.y.saturating_sub(200));
        let (w, h) =
            ((r.rect.width + 400).min(copy.width() - x), (r.rect.height + 400).min(copy.height() - y));
        let out = std::path::Path::new(dir).join(format!("{name}_region{i}.png"));
        let crop = image::imageops::crop_imm(&copy, x, y, w, h).to_image();
        crop.save(&out).unwrap_or_else(|e| panic!("{}: {e}", out.display()));
        let out = std::path::Path::new(dir).join(format!("{name}_region{i}_read.png"));
        ocr::prepare_region(raw, r).save(&out).unwrap_or_else(|e| panic!("{}: {e}", out.display()));
    }
}
