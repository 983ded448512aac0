//! OCR: words, boxes and confidences from the displayed image, with Tesseract.
//!
//! Photos are not scanned pages: the text that matters is small, far away, tilted, on
//! a monitor or a wristband. The strategy here, kept because the evaluation numbers
//! support it (see `eval/`):
//!
//! 1. grey + contrast stretch (1st–99th percentile), so faded labels and dim monitors
//!    reach Tesseract's binariser with full range;
//! 2. an overview pass at about 2.5 MP, sparse-text page mode (text anywhere, no layout);
//! 3. for larger photos, full-resolution tiles (overlapping) so that 12–20 px text in a
//!    12 MP photo is read at its own size.
//!
//! Tesseract inverts dark-background lines itself (light-on-dark monitors). Boxes are
//! mapped back to displayed-image pixels. One engine per worker thread: `init` costs
//! ~100 ms and the handle serialises on a mutex, so sharing one would serialise OCR.

use crate::decode::DisplayImage;
use crate::error::{Error, Result, Stage};
use crate::options::Deadline;
use crate::report::Rect;
use image::GrayImage;
use std::cell::RefCell;
use tesseract_rs::{TessPageSegMode, TesseractAPI};

/// One recognised word.
#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    pub text: String,
    /// Displayed-image pixels.
    pub bbox: Rect,
    /// Tesseract's confidence, 0–100.
    pub confidence: f32,
}

/// A line of words as Tesseract grouped them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Line {
    pub words: Vec<Word>,
}

/// Longest side of the overview pass.
const OVERVIEW_SIDE: u32 = 1800;
/// Tile side for full-resolution passes, and their overlap (a word cut by one tile
/// edge is whole in the neighbour).
const TILE: u32 = 1600;
const OVERLAP: u32 = 200;
/// Photos with a longer side than this get the full-resolution tile pass.
const TILE_ABOVE: u32 = 2400;

/// Debian's tessdata folders, newest first; `TESSDATA_PREFIX` wins when set.
const TESSDATA_DIRS: [&str; 3] =
    ["/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata", "/usr/share/tessdata"];

thread_local! {
    static ENGINE: RefCell<Option<TesseractAPI>> = const { RefCell::new(None) };
}

/// Where the English model is, or an error naming the package that provides it.
pub fn tessdata_dir() -> Result<String> {
    if let Ok(dir) = std::env::var("TESSDATA_PREFIX")
        && std::path::Path::new(&dir).join("eng.traineddata").is_file()
    {
        return Ok(dir);
    }
    TESSDATA_DIRS
        .iter()
        .find(|d| std::path::Path::new(d).join("eng.traineddata").is_file())
        .map(|d| d.to_string())
        .ok_or_else(|| {
            Error::new(
                Stage::Text,
                "Tesseract's English model (eng.traineddata) is not installed: install the Debian package \
                 tesseract-ocr-eng (scripts/bootstrap does), or set TESSDATA_PREFIX to its folder",
            )
        })
}

fn with_engine<T>(f: impl FnOnce(&TesseractAPI) -> Result<T>) -> Result<T> {
    ENGINE.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let api = TesseractAPI::new();
            api.init(tessdata_dir()?, "eng")
                .map_err(|e| Error::new(Stage::Text, format!("cannot start Tesseract: {e}")))?;
            // Tesseract prints diagnostics ("Estimating resolution as …") to stderr;
            // they are noise in a report. A fixed resolution also skips the estimate.
            for (name, value) in [("debug_file", "/dev/null"), ("user_defined_dpi", "300")] {
                api.set_variable(name, value).map_err(|e| {
                    Error::new(Stage::Text, format!("cannot configure Tesseract ({name}): {e}"))
                })?;
            }
            *slot = Some(api);
        }
        f(slot.as_ref().expect("initialised above"))
    })
}

/// Stretches grey levels so the 1st percentile is black and the 99th white.
pub fn normalise(grey: &mut GrayImage) {
    let mut histogram = [0u64; 256];
    grey.as_raw().iter().for_each(|&v| histogram[v as usize] += 1);
    let total: u64 = histogram.iter().sum();
    let percentile = |p: f64| {
        let target = (total as f64 * p) as u64;
        let mut seen = 0;
        histogram.iter().position(|&n| {
            seen += n;
            seen > target
        })
    };
    let (lo, hi) = (percentile(0.01).unwrap_or(0) as f32, percentile(0.99).unwrap_or(255) as f32);
    if hi - lo < 8.0 {
        return; // a flat image: nothing to stretch
    }
    let scale = 255.0 / (hi - lo);
    grey.iter_mut().for_each(|v| *v = ((*v as f32 - lo) * scale).clamp(0.0, 255.0) as u8);
}

/// Angles (degrees, clockwise) of the extra overview passes: Tesseract reads lines tilted
/// up to about ±5°; labels, bands and boards in photos are tilted up to ±20°.
const TILTS: [f32; 2] = [-14.0, 14.0];

/// How to read text: the scene-text strategy, or the plain baseline it is measured
/// against (one Tesseract pass over the whole image at full resolution).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Strategy {
    #[default]
    Scene,
    Plain,
    /// No OCR and no barcode search. Not offered on the command line: it exists so the
    /// container stages can be fuzzed and benchmarked at their own speed. Reports made
    /// this way say so in a note, and their verdicts cover metadata only.
    Off,
}

/// Reads the text in the photo, one list of lines per pass (overview, tilted overviews,
/// full-resolution tiles). Passes overlap; the pipeline merges what they find.
pub fn read_text(photo: &DisplayImage, strategy: Strategy, deadline: &Deadline) -> Result<Vec<Vec<Line>>> {
    let recognise = |img: &GrayImage| {
        deadline.check("reading text")?;
        recognise(img)
    };
    if strategy == Strategy::Off {
        return Ok(Vec::new());
    }
    if strategy == Strategy::Plain {
        deadline.check("reading text")?;
        let grey = photo.pixels.to_luma8();
        return Ok(vec![recognise_with(&grey, TessPageSegMode::PSM_AUTO)?]);
    }
    let mut grey = photo.pixels.to_luma8();
    normalise(&mut grey);
    let (w, h) = grey.dimensions();
    let mut passes = Vec::new();

    // Overview passes: straight, then tilted both ways.
    let scale = (OVERVIEW_SIDE as f32 / w.max(h) as f32).min(1.0);
    let overview = if scale < 1.0 {
        image::imageops::resize(
            &grey,
            (w as f32 * scale).round().max(1.0) as u32,
            (h as f32 * scale).round().max(1.0) as u32,
            image::imageops::FilterType::Triangle,
        )
    } else {
        grey.clone()
    };
    let to_photo = |r: Rect| scale_rect(r, 1.0 / scale, 0, 0, w, h);
    passes.push(map_lines(recognise(&overview)?, to_photo));
    let (ow, oh) = overview.dimensions();
    for tilt in TILTS {
        let theta = tilt.to_radians();
        let back = |r: Rect| to_photo(unrotate(r, theta, ow as f32 / 2.0, oh as f32 / 2.0, ow, oh));
        passes.push(map_lines(recognise(&tilted(&overview, theta))?, back));
    }

    // Full-resolution tiles for small text in large photos; tiles where the straight
    // read found confident words are read again tilted (small labels in big photos are
    // rarely level, and at 12–20 px Tesseract gives up beyond a few degrees).
    if w.max(h) > TILE_ABOVE {
        for y in tile_starts(h) {
            for x in tile_starts(w) {
                let tile =
                    image::imageops::crop_imm(&grey, x, y, TILE.min(w - x), TILE.min(h - y)).to_image();
                let straight = recognise(&tile)?;
                let confident = straight
                    .iter()
                    .flat_map(|l| &l.words)
                    .filter(|w| {
                        w.confidence >= TEXT_TILE_CONFIDENCE && w.text.chars().any(char::is_alphanumeric)
                    })
                    .count();
                passes.push(map_lines(straight, |r| scale_rect(r, 1.0, x, y, w, h)));
                if confident >= TEXT_TILE_WORDS {
                    let (tw, th) = tile.dimensions();
                    for tilt in TILTS {
                        let theta = tilt.to_radians();
                        let back = |r: Rect| {
                            scale_rect(
                                unrotate(r, theta, tw as f32 / 2.0, th as f32 / 2.0, tw, th),
                                1.0,
                                x,
                                y,
                                w,
                                h,
                            )
                        };
                        passes.push(map_lines(recognise(&tilted(&tile, theta))?, back));
                    }
                }
            }
        }
    }
    Ok(passes)
}

/// Confident words a straight tile must yield before it is read tilted as well: a
/// textured surface yields a few low-confidence "words" that are not worth two passes.
const TEXT_TILE_WORDS: usize = 2;
const TEXT_TILE_CONFIDENCE: f32 = 70.0;

/// The image turned clockwise by `theta` radians about its centre (same size; edges
/// replicated so the turned corners do not read as text).
pub fn tilted(grey: &GrayImage, theta: f32) -> GrayImage {
    imageproc::geometric_transformations::rotate_about_center(
        grey,
        theta,
        imageproc::geometric_transformations::Interpolation::Bilinear,
        imageproc::geometric_transformations::Border::Replicate,
    )
}

fn map_lines(mut lines: Vec<Line>, f: impl Fn(Rect) -> Rect) -> Vec<Line> {
    lines.iter_mut().flat_map(|l| l.words.iter_mut()).for_each(|w| w.bbox = f(w.bbox));
    lines
}

/// Scales a box by `factor`, offsets it, and clamps it to the photo.
pub fn scale_rect(r: Rect, factor: f32, dx: u32, dy: u32, w: u32, h: u32) -> Rect {
    let x = (dx + (r.x as f32 * factor) as u32).min(w.saturating_sub(1));
    let y = (dy + (r.y as f32 * factor) as u32).min(h.saturating_sub(1));
    let width = ((r.width as f32 * factor).ceil() as u32).clamp(1, w - x);
    let height = ((r.height as f32 * factor).ceil() as u32).clamp(1, h - y);
    Rect { x, y, width, height }
}

/// The axis-aligned box, in the unrotated image, of a box found in an image rotated
/// clockwise by `theta` about (`cx`, `cy`).
pub fn unrotate(r: Rect, theta: f32, cx: f32, cy: f32, w: u32, h: u32) -> Rect {
    let (s, c) = (-theta).sin_cos();
    let corners = [
        (r.x as f32, r.y as f32),
        ((r.x + r.width) as f32, r.y as f32),
        (r.x as f32, (r.y + r.height) as f32),
        ((r.x + r.width) as f32, (r.y + r.height) as f32),
    ];
    let pts = corners.map(|(x, y)| {
        let (dx, dy) = (x - cx, y - cy);
        (cx + dx * c - dy * s, cy + dx * s + dy * c)
    });
    let x0 = pts.iter().map(|p| p.0).fold(f32::MAX, f32::min).max(0.0);
    let y0 = pts.iter().map(|p| p.1).fold(f32::MAX, f32::min).max(0.0);
    let x1 = pts.iter().map(|p| p.0).fold(f32::MIN, f32::max).min(w as f32);
    let y1 = pts.iter().map(|p| p.1).fold(f32::MIN, f32::max).min(h as f32);
    Rect {
        x: x0 as u32,
        y: y0 as u32,
        width: ((x1 - x0).ceil() as u32).max(1),
        height: ((y1 - y0).ceil() as u32).max(1),
    }
}

fn tile_starts(len: u32) -> Vec<u32> {
    if len <= TILE {
        return vec![0];
    }
    let step = TILE - OVERLAP;
    let mut v: Vec<u32> = (0..).map(|i| i * step).take_while(|&s| s + TILE < len).collect();
    v.push(len - TILE);
    v
}

/// OCR of one grey image, boxes in its own pixels.
fn recognise(grey: &GrayImage) -> Result<Vec<Line>> {
    recognise_with(grey, TessPageSegMode::PSM_SPARSE_TEXT)
}

fn recognise_with(grey: &GrayImage, mode: TessPageSegMode) -> Result<Vec<Line>> {
    let (w, h) = grey.dimensions();
    let tsv = with_engine(|api| {
        let err = |e: tesseract_rs::TesseractError| Error::new(Stage::Text, format!("OCR failed: {e}"));
        api.set_page_seg_mode(mode).map_err(err)?;
        api.set_image(grey.as_raw(), w as i32, h as i32, 1, w as i32).map_err(err)?;
        api.get_tsv_text(0).map_err(err)
    })?;
    Ok(parse_tsv(&tsv, 0, 0, 1.0))
}

/// Parses Tesseract's TSV: word rows (level 5) grouped by block/paragraph/line.
pub fn parse_tsv(tsv: &str, dx: u32, dy: u32, factor: f32) -> Vec<Line> {
    let mut lines: Vec<Line> = Vec::new();
    let mut current_key = None;
    for row in tsv.lines() {
        let cols: Vec<&str> = row.split('\t').collect();
        if cols.len() < 12 || cols[0] != "5" {
            continue;
        }
        let text = cols[11].trim();
        let conf: f32 = cols[10].parse().unwrap_or(-1.0);
        if text.is_empty() || conf < 0.0 {
            continue;
        }
        let num = |i: usize| cols[i].parse::<f32>().unwrap_or(0.0);
        let key = (cols[2].to_string(), cols[3].to_string(), cols[4].to_string());
        if current_key.as_ref() != Some(&key) {
            lines.push(Line::default());
            current_key = Some(key);
        }
        let bbox = Rect {
            x: dx + (num(6) * factor) as u32,
            y: dy + (num(7) * factor) as u32,
            width: ((num(8) * factor).ceil() as u32).max(1),
            height: ((num(9) * factor).ceil() as u32).max(1),
        };
        if let Some(line) = lines.last_mut() {
            line.words.push(Word { text: text.to_string(), bbox, confidence: conf });
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsv_words_group_into_lines_with_scaled_boxes() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
                   5\t1\t1\t1\t1\t1\t10\t20\t30\t10\t91.5\tMRN:\n\
                   5\t1\t1\t1\t1\t2\t45\t20\t60\t10\t88\t12345678\n\
                   5\t1\t2\t1\t1\t1\t10\t50\t30\t10\t95\tDOE,\n\
                   4\t1\t2\t1\t1\t0\t10\t50\t30\t10\t-1\t\n";
        let lines = parse_tsv(tsv, 100, 0, 2.0);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].words[1].text, "12345678");
        assert_eq!(lines[0].words[1].bbox, Rect { x: 190, y: 40, width: 120, height: 20 });
    }

    #[test]
    fn boxes_rotate_back() {
        // A box at the centre is unchanged in position by any rotation about the centre.
        let r = unrotate(Rect { x: 90, y: 95, width: 20, height: 10 }, 0.3, 100.0, 100.0, 200, 200);
        assert!(r.x <= 90 && r.x + r.width >= 110 && r.y <= 95 && r.y + r.height >= 105, "{r:?}");
        let same = unrotate(Rect { x: 10, y: 20, width: 30, height: 5 }, 0.0, 50.0, 50.0, 100, 100);
        assert_eq!(same, Rect { x: 10, y: 20, width: 30, height: 5 });
    }

    #[test]
    fn tiles_cover_the_whole_side_with_overlap() {
        assert_eq!(tile_starts(1000), vec![0]);
        let starts = tile_starts(4032);
        assert_eq!(*starts.last().unwrap() + TILE, 4032);
        assert!(starts.windows(2).all(|w| w[1] - w[0] <= TILE - OVERLAP));
    }

    #[test]
    fn contrast_is_stretched() {
        let mut g = GrayImage::from_fn(100, 10, |x, _| image::Luma([100 + (x / 2) as u8]));
        normalise(&mut g);
        let (min, max) = g.as_raw().iter().fold((255, 0), |(lo, hi), &v| (lo.min(v), hi.max(v)));
        assert!(min < 10 && max > 245, "{min} {max}");
    }
}
