//! OCR: words, boxes and confidences from the displayed image, with two recognisers.
//!
//! Photos are not scanned pages: the text that matters is small, far away, tilted, on
//! a monitor or a wristband. The strategy here, kept because the evaluation numbers
//! support it (see `eval/` and the README's tables):
//!
//! 1. a text detector (`detect`: PP-OCRv4's DB model, through ONNX Runtime) says where
//!    the lines of text are. Texture, which has letter-like blobs but no lines of
//!    letters, is not read;
//! 2. every detected line is read by PP-OCRv4's recogniser (`rec`), trained on scene
//!    text, and a group's lines are put back in rows, in reading order
//!    (`rows_in_reading_order`);
//! 3. candidate regions are also found without reading (`regions`: letters found
//!    against their neighbourhood, chained into lines, grouped, letters of every size,
//!    the tall ones on coarser copies) and kept where the detector sees text, or where
//!    a small one shown to it again at full size holds text (`regions_to_read`); each is
//!    read by Tesseract: cut from the photo at full resolution, enlarged (or shrunk) so
//!    that its letters are about 30 px high, contrast-stretched on its own grey levels
//!    (the 1st to the 99th percentile), binarised black on white against its own
//!    neighbourhood, light text inverted, frames and barcode bars whited out, read in
//!    sparse-text page mode, and read turned level as well when its lines are tilted
//!    (`estimate_tilt`), or levelled only past 8°.
//!
//! Each recogniser reads what the other misses (the README has the numbers of each
//! alone and of both): the recogniser reads blurred, small and low-contrast lines and
//! tables Tesseract garbles; Tesseract reads the blob regions' exact extent at full
//! resolution, where small print on a 12 MP photo is a few pixels high on the
//! detector's copy.
//!
//! Nothing reads the photo whole. A pass over the whole photo (and two turned ±14°) was
//! kept for photos up to 2400 px until the region reads found everything it did: on
//! the evaluation corpus it then added two dates' boxes of 26 and nothing else, for two
//! fifths of the time of a 1600 × 1200 photo (median 1.15 s → 0.68 s without it).
//!
//! Boxes are mapped back to displayed-image pixels. One engine per worker thread:
//! `init` costs ~100 ms and the handle serialises on a mutex, so sharing one would
//! serialise OCR.

pub mod detect;
pub mod orient;
pub mod rec;
pub mod regions;

use crate::error::{Error, Result, Stage};
use crate::geometry::Rect;
use crate::limits::Deadline;
use crate::raster::{self, shrink_grey, tilted};
use image::GrayImage;
use std::cell::RefCell;
use tesseract_rs::{TessPageSegMode, TesseractAPI};

/// One recognised word.
#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    pub text: String,
    /// Displayed-image pixels.
    pub bbox: Rect,
    /// The recogniser's confidence, 0–100 (Tesseract's own; PP-OCR's mapped onto its
    /// scale, `rec::read_line`).
    pub confidence: f32,
}

/// A line of words as Tesseract grouped them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Line {
    pub words: Vec<Word>,
}

/// Debian's tessdata folders, newest first; `TESSDATA_PREFIX` wins when set.
const TESSDATA_DIRS: [&str; 3] =
    ["/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata", "/usr/share/tessdata"];

thread_local! {
    static ENGINE: RefCell<Option<TesseractAPI>> = const { RefCell::new(None) };
}

/// Debian's libtesseract links OpenMP, which reads `OMP_THREAD_LIMIT` once, when the
/// library loads — before `main` could set it. Without it each OCR call spins up a
/// thread per core and fights medscrub's own per-photo workers: measured 5× slower on
/// 2 cores. So a program that reads text (the binary, the text benchmark) calls this
/// first thing: it re-executes itself with the variable set, once. It returns only when
/// that is not needed (`Ok`) or failed (`Err`: the caller may say so, and carries on
/// single-process, just slower); the library itself prints nothing.
pub fn limit_openmp_threads() -> std::io::Result<()> {
    #[cfg(unix)]
    if std::env::var_os("OMP_THREAD_LIMIT").is_none()
        && let Ok(exe) = std::env::current_exe()
    {
        use std::os::unix::process::CommandExt;
        // exec only returns on failure.
        return Err(std::process::Command::new(exe)
            .args(std::env::args_os().skip(1))
            .env("OMP_THREAD_LIMIT", "1")
            .exec());
    }
    Ok(())
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
            // Tesseract scales its size expectations by the resolution. Photos have none;
            // its lowest setting (70) read more of the evaluation corpus than 100, 150 or
            // 300 (MRN 0.83 → 0.88 over 300 on its first 40 photos), and faster. Its
            // adaptive thresholding methods (1, 2) read less than the default Otsu.
            for (name, value) in [("debug_file", "/dev/null"), ("user_defined_dpi", "70")] {
                api.set_variable(name, value).map_err(|e| {
                    Error::new(Stage::Text, format!("cannot configure Tesseract ({name}): {e}"))
                })?;
            }
            silence_leptonica();
            *slot = Some(api);
        }
        f(slot.as_ref().expect("initialised above"))
    })
}

/// Leptonica, under Tesseract, prints its own diagnostics to stderr ("Error in
/// boxClipToRectangle: box outside rectangle", on 8 of the 140 evaluation photos, for a
/// box Tesseract then clips itself): an unexplained "Error" without a file name in a
/// report about patient privacy. Tesseract's own results say whether a read failed.
/// The one unsafe call of the crate: the system library's own function (linked by
/// `build.rs` through pkg-config), which no crate wraps.
#[allow(unsafe_code)]
fn silence_leptonica() {
    unsafe extern "C" {
        fn setMsgSeverity(new_severity: i32) -> i32;
    }
    const L_SEVERITY_NONE: i32 = 6;
    // SAFETY: sets leptonica's global message threshold, an integer; no pointers, and
    // any value is valid (leptonica clamps it).
    unsafe {
        setMsgSeverity(L_SEVERITY_NONE);
    }
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

/// The tilt of the photo's text lines, in degrees within ±`MAX_TILT` (positive: lines
/// fall to the right, as the image is drawn with y down), from the strongest edges of a
/// small copy: edge points of level text pile up in a few rows when projected across
/// the lines at the right angle, and spread out at any other. Sharpness is the sum of
/// squared row counts; the angle with the sharpest projection wins.
pub fn estimate_tilt(grey: &GrayImage) -> f32 {
    let (w, h) = grey.dimensions();
    // Shrunk by block means: a resampling filter cost more than the estimate itself
    // on the enlarged regions.
    let small = if w.max(h) > TILT_SIDE {
        std::borrow::Cow::Owned(shrink_grey(grey, TILT_SIDE).image)
    } else {
        std::borrow::Cow::Borrowed(grey)
    };
    let gradients = raster::sobel_magnitudes(&small);
    // The strongest 6 % of edges: strokes of text and object borders, not mottling.
    let mut magnitudes = gradients.clone();
    let cut = (magnitudes.len() * 94 / 100).min(magnitudes.len().saturating_sub(1));
    let threshold = *magnitudes.select_nth_unstable(cut).1;
    let sw = small.width() as usize;
    let points: Vec<(f32, f32)> = gradients
        .iter()
        .enumerate()
        .filter(|&(_, &m)| m > threshold.max(40))
        .map(|(i, _)| ((i % sw) as f32, (i / sw) as f32))
        .collect();
    if points.len() < 50 {
        return 0.0;
    }
    let diag = (small.width() as f32).hypot(small.height() as f32) as usize + 2;
    let mut rows = vec![0u32; 2 * diag];
    let mut best = (0.0f32, 0u64);
    let mut angle = -MAX_TILT;
    while angle <= MAX_TILT + 1e-3 {
        let (sin, cos) = angle.to_radians().sin_cos();
        rows.iter_mut().for_each(|r| *r = 0);
        for &(x, y) in &points {
            let r = (y * cos - x * sin) as isize + diag as isize;
            rows[r.clamp(0, 2 * diag as isize - 1) as usize] += 1;
        }
        let sharpness: u64 = rows.iter().map(|&c| u64::from(c) * u64::from(c)).sum();
        // Ties (and near-ties of flat pictures) go to the smaller angle.
        if sharpness > best.1 + best.1 / 200 || (sharpness >= best.1 && angle.abs() < best.0.abs()) {
            best = (angle, sharpness);
        }
        angle += 1.0;
    }
    best.0
}

/// Largest tilt looked for, and the side of the copy it is estimated on.
const MAX_TILT: f32 = 22.0;
const TILT_SIDE: u32 = 800;

/// How to read text. `Scene` is what medscrub does; the others exist to measure it
/// against (`--text-reader`, hidden, and the evaluation examples' `--reader`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Strategy {
    /// The text detector's lines each read by PP-OCR's recogniser (`rec`), and the blob
    /// regions the detector confirms read by Tesseract.
    #[default]
    Scene,
    /// Tesseract alone: the blob regions the detector confirms, and the detected lines
    /// no such region covers (the strategy before PP-OCR's recogniser was added).
    Tesseract,
    /// PP-OCR's recogniser alone, on the detected lines.
    Recogniser,
    /// One Tesseract pass over the whole image at full resolution.
    Plain,
    /// No OCR and no barcode search. Not offered on the command line: it exists so the
    /// container stages can be fuzzed and benchmarked at their own speed. Reports made
    /// this way say so in a note, and their verdicts cover metadata only.
    Off,
}

impl Strategy {
    /// The strategies that can be chosen by name, for measurement.
    pub const NAMED: [(&'static str, Strategy); 4] = [
        ("scene", Strategy::Scene),
        ("tesseract", Strategy::Tesseract),
        ("recogniser", Strategy::Recogniser),
        ("plain", Strategy::Plain),
    ];

    pub fn from_name(name: &str) -> Option<Strategy> {
        Strategy::NAMED.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
    }
}

/// Reads the text in the photo (its displayed image in grey), one list of lines per
/// group of nearby text (a label, a monitor's panel, a door sign), each group's regions
/// read in every way `read_region` reads them. Passes overlap; the pipeline merges what
/// they find.
///
/// A photo whose text reads upside down (`orient::upside_down`) is read again turned
/// half round, its boxes mapped back; lines standing on their end are read turned
/// either way where they are found (`rec::read_line`).
pub fn read_text(raw: &GrayImage, strategy: Strategy, deadline: &Deadline) -> Result<Vec<Vec<Line>>> {
    match strategy {
        Strategy::Off => return Ok(Vec::new()),
        Strategy::Plain => {
            deadline.check("reading text")?;
            return Ok(vec![recognise_with(raw, TessPageSegMode::PSM_AUTO, Invert::Try)?]);
        }
        Strategy::Scene | Strategy::Tesseract | Strategy::Recogniser => {}
    }
    let Read { mut groups, level } = read_as_it_is(raw, strategy, deadline)?;
    if orient::upside_down(raw, &level)? {
        let (w, h) = raw.dimensions();
        let turned = read_as_it_is(&image::imageops::rotate180(raw), strategy, deadline)?;
        groups.extend(turned.groups.into_iter().map(|g| map_lines(g, |r| orient::half_turned(r, w, h))));
    }
    Ok(groups)
}

/// What `read_as_it_is` read.
struct Read {
    /// One list of lines per group of nearby text.
    groups: Vec<Vec<Line>>,
    /// The recogniser's reads of the detected lines that lie level, with their boxes.
    level: Vec<(Rect, Line)>,
}

/// `read_text` of the photo as it stands; with the recogniser's reads of the detected
/// lines that lie level, which say whether it stands upside down.
fn read_as_it_is(raw: &GrayImage, strategy: Strategy, deadline: &Deadline) -> Result<Read> {
    let recognise = |img: &GrayImage| {
        deadline.check("reading text")?;
        recognise(img)
    };
    // Regions are found at full resolution on the grey levels as they are (a global
    // stretch saturates a small white label, and its faint text with it). The regions
    // split from one group by polarity and letter size make one text (one pass): a name
    // on a door sign counts as a patient's beside the room number above it.
    deadline.check("finding text")?;
    let lines = detect::find_lines(raw)?;
    // The detected lines as regions (pieces joined, grouped): the recogniser reads
    // them, and Tesseract those no blob region covers (`Strategy::Tesseract`).
    let detected = detect::regions(raw, &lines);
    let mut groups: std::collections::BTreeMap<usize, Vec<Line>> = Default::default();
    // Tesseract reads the regions; the recogniser, the detected lines.
    let mut regions = match strategy {
        Strategy::Recogniser => Vec::new(),
        _ => regions_to_read(raw, &lines, &detected)?,
    };
    if strategy == Strategy::Scene {
        regions.retain(|r| !r.from_detector);
        if lines.len() >= PAGE_LINES {
            // A page: its paragraphs, printed large enough for the detector's copy, are
            // read line by line by the recogniser; Tesseract reading them again whole
            // cost a third of a page's time and found nothing more (measured on the
            // synthetic documents; README).
            let scale = detector_scale(raw);
            regions.retain(|r| r.lines < PARAGRAPH_LINES || r.letter_height * scale < PAGE_PRINT);
        }
    }
    within_budget(&regions, if strategy == Strategy::Tesseract { 0 } else { lines.len() })?;
    if strategy != Strategy::Recogniser {
        for region in regions {
            let read = groups.entry(region.group).or_default();
            read.extend(read_region(raw, &region, &recognise)?.into_iter().flatten());
        }
    }
    let mut level = Vec::new();
    if strategy != Strategy::Tesseract {
        let first_free = groups.keys().map(|g| g + 1).max().unwrap_or(0);
        let mut read: std::collections::BTreeMap<usize, Vec<(Rect, Line)>> = Default::default();
        for region in &detected {
            deadline.check("reading text")?;
            let line = rec::read_line(raw, region.rect)?;
            if region.rect.width >= region.rect.height {
                level.push((region.rect, line.clone()));
            }
            if !line.words.is_empty() {
                read.entry(region.group).or_default().push((region.rect, line));
            }
        }
        let tilt = estimate_tilt(raw).to_radians();
        for (group, lines) in read {
            groups.insert(first_free + group, rows_in_reading_order(lines, tilt));
        }
    }
    Ok(Read { groups: groups.into_values().collect(), level })
}

/// The detector outlines a table's label and its value ("Date of Birth:" … "08/25/1944")
/// as separate lines; a label's rule needs them on one line, label first. Lines whose
/// middles, measured across the photo's `tilt` (radians), are within half the thinner
/// line's height of each other make one row; rows top to bottom, words left to right.
fn rows_in_reading_order(mut lines: Vec<(Rect, Line)>, tilt: f32) -> Vec<Line> {
    let (sin, cos) = tilt.sin_cos();
    // The distance of a box's middle from the top across tilted lines, and a line's
    // thickness (its box less the rise along its length).
    let across = |r: &Rect| {
        let (x, y) = (r.x as f32 + r.width as f32 / 2.0, r.y as f32 + r.height as f32 / 2.0);
        y * cos - x * sin
    };
    let along = |r: &Rect| r.x as f32 * cos + (r.y as f32 + r.height as f32 / 2.0) * sin;
    let thickness = |r: &Rect| (r.height as f32 - r.width as f32 * sin.abs()).max(r.height as f32 * 0.25);
    lines.sort_by(|a, b| across(&a.0).total_cmp(&across(&b.0)));
    // (middle across, thickness, words) of each row.
    let mut rows: Vec<(f32, f32, Vec<Word>)> = Vec::new();
    for (rect, line) in lines {
        let (middle, thick) = (across(&rect), thickness(&rect));
        match rows.last_mut() {
            Some((row_middle, row_thick, words))
                if (*row_middle - middle).abs() <= 0.5 * row_thick.min(thick) =>
            {
                words.extend(line.words);
            }
            _ => rows.push((middle, thick, line.words)),
        }
    }
    rows.into_iter()
        .map(|(_, _, mut words)| {
            words.sort_by(|a, b| along(&a.bbox).total_cmp(&along(&b.bbox)));
            Line { words }
        })
        .collect()
}

/// What Tesseract reads: the text detector's `lines` say where text is; the letter-blob
/// search (`regions`) gives the regions there their exact extent, polarity and letter
/// size (it reads small print on 12 MP photos that the detector, seeing a 1280 px copy,
/// only roughly outlines); and lines the detector found that no such region covers, as
/// the detector outlined them (`from_detector`: the scene strategy leaves those to the
/// recogniser). Blob regions where the detector sees no text are texture, and are not
/// read.
fn regions_to_read(
    raw: &GrayImage,
    lines: &[detect::TextLine],
    detected: &[regions::Region],
) -> Result<Vec<regions::Region>> {
    let text_share = |r: &Rect| {
        let covered: u64 = lines.iter().map(|l| l.rect.shared_area(r)).sum();
        covered as f64 / r.area().max(1) as f64
    };
    // Small print in a large photo is a few pixels high on the detector's copy: a blob
    // region of it (most lines first) is shown to the detector again, cut out at full
    // size, a few times per photo.
    let detector_scale = detector_scale(raw);
    let (mut rechecks, mut failure) = (0, None);
    let mut chosen = regions::find_where(raw, |r| {
        if text_share(&r.rect) >= MIN_TEXT_SHARE {
            return true;
        }
        let small_print =
            r.letter_height * detector_scale < SMALL_PRINT && r.rect.area() <= MAX_RECHECK_PIXELS;
        if detector_scale >= 1.0 || !small_print || rechecks >= MAX_RECHECKS || failure.is_some() {
            return false;
        }
        rechecks += 1;
        let crop = image::imageops::crop_imm(raw, r.rect.x, r.rect.y, r.rect.width, r.rect.height).to_image();
        match detect::find_lines_at_full_size(&crop) {
            Ok(found) => !found.is_empty(),
            Err(e) => {
                failure = Some(e);
                false
            }
        }
    });
    if let Some(e) = failure {
        return Err(e);
    }
    // A large group of lines (a receipt, a page) is read line by line as the detector
    // outlined it: read whole, at the letter size of its smallest print, it costs
    // seconds.
    chosen.retain(|r| {
        let (w, h) = prepared_size(r);
        f64::from(w) * f64::from(h) <= MAX_BLOB_REGION_PIXELS
    });
    let first_free_group = chosen.iter().map(|r| r.group + 1).max().unwrap_or(0);
    for region in detected {
        if !chosen.iter().any(|c| region.rect.mostly_inside(&c.rect)) {
            chosen.push(regions::Region { group: region.group + first_free_group, ..*region });
        }
    }
    Ok(chosen)
}

/// How much smaller the detector's copy of `raw` is (1 when it is not shrunk).
fn detector_scale(raw: &GrayImage) -> f32 {
    (detect::DETECT_SIDE as f32 / raw.width().max(raw.height()) as f32).min(1.0)
}

/// A photo with this many detected lines is a page; a blob region of this many lines
/// on it is a paragraph, and letters this high on the detector's copy are read well
/// by the recogniser.
const PAGE_LINES: usize = 20;
const PARAGRAPH_LINES: usize = 4;
const PAGE_PRINT: f32 = 10.0;

/// Share of a blob region the detector's lines must cover for it to be read: any real
/// overlap (a blob region of texture has none; one holding small print the detector
/// outlined only in part still has some).
const MIN_TEXT_SHARE: f64 = 0.05;
/// Letter height, in the detector's pixels, under which a blob region's print may be
/// too small for the detector's copy of the whole photo; how many such regions are
/// shown to it again at full size, and the largest (in photo pixels).
const SMALL_PRINT: f32 = 8.0;
const MAX_RECHECKS: usize = 2;
const MAX_RECHECK_PIXELS: u64 = 250_000;

/// Most pixels a blob region may have once scaled for reading.
const MAX_BLOB_REGION_PIXELS: f64 = 1.5e6;

/// The most lines read in one photo, and the most pixels they may have once scaled for
/// reading. A full page photographed close has 40–80 lines; a photo past either limit is
/// not an ordinary photo, and as its text cannot all be read it is not passed
/// (`error.limits`) — rather than read for minutes, as the hand-made region search
/// did with texture.
pub const MAX_LINES: usize = 400;
pub const MAX_READ_PIXELS: f64 = 40.0e6;

/// `recognised` is the number of detected lines the recogniser reads (each at 48 px
/// high: its pixels are not what costs).
fn within_budget(regions: &[regions::Region], recognised: usize) -> Result<()> {
    let pixels: f64 = regions
        .iter()
        .map(|r| {
            let (w, h) = prepared_size(r);
            f64::from(w) * f64::from(h)
        })
        .sum();
    let lines = regions.len() + recognised;
    if lines > MAX_LINES || pixels > MAX_READ_PIXELS {
        return Err(Error::new(
            Stage::Limits,
            format!(
                "more text than medscrub reads in one photo ({} lines, {:.0} MP to read; the limits are \
                 {MAX_LINES} lines and {:.0} MP): its text was not all read",
                lines,
                pixels / 1e6,
                MAX_READ_PIXELS / 1e6
            ),
        ));
    }
    Ok(())
}

/// Letter height (pixels) a region is scaled to before it is read, the most it is
/// enlarged, and the most pixels an enlarged region may have (a page of small print
/// is read at a smaller scale rather than at any cost).
const LETTER_TARGET: f32 = 30.0;
const MAX_ENLARGE: f32 = 3.0;
const MAX_REGION_PIXELS: f32 = 6.0e6;

/// The factor a region is scaled by to be read.
fn region_scale(region: &regions::Region) -> f32 {
    let area = (region.rect.width * region.rect.height) as f32;
    (LETTER_TARGET / region.letter_height.max(1.0)).min(MAX_ENLARGE).min((MAX_REGION_PIXELS / area).sqrt())
}

/// The size of a region once prepared for reading.
fn prepared_size(region: &regions::Region) -> (u32, u32) {
    let scale = region_scale(region);
    let scaled = |v: u32| ((v as f32 * scale).round() as u32).max(1);
    (scaled(region.rect.width), scaled(region.rect.height))
}

/// One candidate region as it is read: cropped from the unstretched grey image,
/// scaled to put its letters at `LETTER_TARGET`, and stretched on its own grey levels.
pub fn prepare_region(raw: &GrayImage, region: &regions::Region) -> GrayImage {
    let r = region.rect;
    let crop = image::imageops::crop_imm(raw, r.x, r.y, r.width, r.height).to_image();
    let scale = region_scale(region);
    let scaled = |v: u32| ((v as f32 * scale).round() as u32).max(1);
    // Enlarged bilinearly (the binarisation after it evens out what a sharper filter
    // would add); shrunk, for tall letters, by block means to the nearest whole factor
    // and by the averaging filter for the rest (the filter's taps grow with the factor:
    // alone, it shrank the tall-letter regions of six 12 MP photos in 0.77 G
    // instructions).
    let mut img = if scale > 1.05 {
        raster::enlarge(&crop, scaled(r.width), scaled(r.height))
    } else if scale < 0.95 {
        let k = (1.0 / scale).floor() as u32;
        let longest = r.width.max(r.height);
        let blocks = if k >= 2 { shrink_grey(&crop, longest.div_ceil(k)).image } else { crop };
        image::imageops::resize(
            &blocks,
            scaled(r.width),
            scaled(r.height),
            image::imageops::FilterType::Triangle,
        )
    } else {
        crop
    };
    normalise(&mut img);
    binarise(&img, region.dark_text)
}

/// Text black on white: each pixel compared with the mean of its neighbourhood (about
/// a letter across at `LETTER_TARGET`), light text inverted. Tesseract's own global
/// threshold fails on a crop that holds a pale label on a dark table: it splits table
/// from label, and the label's grey text falls on the white side.
fn binarise(img: &GrayImage, dark_text: bool) -> GrayImage {
    let mean = raster::box_mean(img, BINARISE_RADIUS);
    let strokes = regions::stroke_mask(img, &mean, dark_text, BINARISE_CONTRAST);
    let pixels = strokes.iter().map(|&s| if s { 0 } else { 255 }).collect();
    let mut binary = GrayImage::from_raw(img.width(), img.height(), pixels).expect("buffer matches its size");
    erase_frames(&mut binary);
    binary
}

/// Whites out the black shapes far taller than letters: the edge of a label or a
/// sign against the surface behind it turns into a thick black frame when binarised,
/// and Tesseract takes a framed block of text for a picture and skips its words. And
/// the bars of a barcode beside the text, which Tesseract's line finder takes for a
/// row of letters and joins with the text lines beside them: a wristband's name and
/// MRN, next to its code, were read as "MRH omasrore" and not at all, and read whole
/// once the bars were gone.
fn erase_frames(binary: &mut GrayImage) {
    use imageproc::region_labelling::{Connectivity, connected_components};
    let labels = connected_components(binary, Connectivity::Eight, image::Luma([255u8]));
    let count = labels.iter().copied().max().unwrap_or(0) as usize;
    // The bounds of each label (0, the white background, included and never erased).
    let mut shapes = vec![raster::Blob::EMPTY; count + 1];
    for (x, y, l) in labels.enumerate_pixels() {
        shapes[l[0] as usize].add(x as usize, y as usize);
    }
    let bar = |b: &raster::Blob| b.height() > BAR_HEIGHT as usize && b.width() * 2 < b.height();
    let bars = shapes.iter().skip(1).filter(|b| bar(b)).count();
    let erase: Vec<bool> = shapes
        .iter()
        .enumerate()
        .map(|(l, b)| l != 0 && (b.height() > FRAME_HEIGHT as usize || (bars >= MIN_BARS && bar(b))))
        .collect();
    for (p, l) in binary.pixels_mut().zip(labels.pixels()) {
        if erase[l[0] as usize] {
            p[0] = 255;
        }
    }
}

/// Black shapes taller than this (prepared-region pixels, three times the letter
/// height regions are scaled to) are frames and edges, not letters.
const FRAME_HEIGHT: u32 = (3.0 * LETTER_TARGET) as u32;
/// A bar: a thin shape (under half as wide as tall, two bars blurred together
/// included) over twice the letter height; a region with this many holds a barcode.
/// Ascenders, capitals and brackets of text scaled by its x-height stay under 1.8×;
/// `1`, `l` and `I` of text twice the region's size are not that many in a row.
const BAR_HEIGHT: u32 = (2.0 * LETTER_TARGET) as u32;
const MIN_BARS: usize = 8;

const BINARISE_RADIUS: u32 = 20;
const BINARISE_CONTRAST: u8 = 12;

/// Reads one candidate region (`prepare_region`): straight, levelled as well when its
/// lines are tilted over 3°, and levelled only when they are tilted over
/// `LEVELLED_ONLY`, where the straight read finds nothing the levelled one does not.
/// Boxes are in photo pixels.
fn read_region(
    raw: &GrayImage,
    region: &regions::Region,
    recognise: &dyn Fn(&GrayImage) -> Result<Vec<Line>>,
) -> Result<Vec<Vec<Line>>> {
    let (w, h) = raw.dimensions();
    let r = region.rect;
    let img = prepare_region(raw, region);
    let (cw, ch) = img.dimensions();
    let back = |b: Rect| b.scaled(r.width as f32 / cw as f32, r.x, r.y, w, h);
    let level = -estimate_tilt(&img);
    let mut passes = Vec::new();
    if level.abs() <= LEVELLED_ONLY {
        passes.push(map_lines(recognise(&img)?, back));
    }
    if level.abs() >= 3.0 {
        let theta = level.to_radians();
        let levelled = recognise(&tilted(&img, theta))?;
        passes.push(map_lines(levelled, |b| {
            back(b.unrotated(theta, cw as f32 / 2.0, ch as f32 / 2.0, cw, ch))
        }));
    }
    Ok(passes)
}

/// Tilt (degrees) over which a region is read levelled only.
const LEVELLED_ONLY: f32 = 8.0;

fn map_lines(mut lines: Vec<Line>, f: impl Fn(Rect) -> Rect) -> Vec<Line> {
    lines.iter_mut().flat_map(|l| l.words.iter_mut()).for_each(|w| w.bbox = f(w.bbox));
    lines
}

/// Whether Tesseract also reads a line inverted when it reads it poorly (its
/// `tessedit_do_invert`: lines under 0.7 mean confidence are read twice). The plain
/// baseline, reading the photo as it is, needs it for light-on-dark monitors. A
/// prepared region does not: it has been binarised black on white, light text inverted
/// first, so the second read was of white letters on black, which read nothing; and
/// the lines read poorly, texture and empty halos, were most lines of most regions.
/// Off, six 12 MP photos took 11 % fewer instructions, and the corpus read the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Invert {
    Try,
    Never,
}

/// OCR of one prepared region in sparse-text mode, boxes in its own pixels.
fn recognise(grey: &GrayImage) -> Result<Vec<Line>> {
    recognise_with(grey, TessPageSegMode::PSM_SPARSE_TEXT, Invert::Never)
}

fn recognise_with(grey: &GrayImage, mode: TessPageSegMode, invert: Invert) -> Result<Vec<Line>> {
    let (w, h) = grey.dimensions();
    let tsv = with_engine(|api| {
        let err = |e: tesseract_rs::TesseractError| Error::new(Stage::Text, format!("OCR failed: {e}"));
        api.set_page_seg_mode(mode).map_err(err)?;
        api.set_variable("tessedit_do_invert", if invert == Invert::Try { "1" } else { "0" }).map_err(err)?;
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
    fn the_tilt_of_text_lines_is_estimated() {
        // Dark bars (lines of text) on white, drawn level, then turned both ways.
        let mut level = GrayImage::from_pixel(600, 400, image::Luma([245]));
        for line in 0..8 {
            for y in 60 + line * 36..60 + line * 36 + 12 {
                for x in 80..520 {
                    if (x / 9) % 3 != 0 {
                        level.put_pixel(x, y, image::Luma([20]));
                    }
                }
            }
        }
        assert_eq!(estimate_tilt(&level), 0.0);
        for degrees in [-15.0f32, 9.0] {
            let turned = tilted(&level, degrees.to_radians());
            let found = estimate_tilt(&turned);
            assert!((found - degrees).abs() <= 1.0, "turned {degrees}°, estimated {found}°");
        }
        assert_eq!(estimate_tilt(&GrayImage::from_pixel(300, 200, image::Luma([128]))), 0.0);
    }

    #[test]
    fn frames_and_barcode_bars_are_erased_and_letters_kept() {
        let black = |img: &mut GrayImage, x0: u32, y0: u32, w: u32, h: u32| {
            for y in y0..y0 + h {
                for x in x0..x0 + w {
                    img.put_pixel(x, y, image::Luma([0]));
                }
            }
        };
        let count_black = |img: &GrayImage, x0: u32, x1: u32| {
            img.enumerate_pixels().filter(|&(x, _, p)| (x0..x1).contains(&x) && p[0] == 0).count()
        };
        // Letters at the target height (a thin "1" among them), beside a code's bars:
        // ten of them 6 px wide and 70 px tall, one pair blurred into one.
        let mut label = GrayImage::from_pixel(500, 140, image::Luma([255]));
        for i in 0..6 {
            black(&mut label, 10 + i * 24, 40, 16, 30);
        }
        black(&mut label, 160, 40, 5, 30);
        for i in 0..10 {
            black(&mut label, 220 + i * 14, 30, 6, 70);
        }
        black(&mut label, 370, 30, 20, 70);
        let mut binary = label.clone();
        erase_frames(&mut binary);
        assert_eq!(count_black(&binary, 0, 200), count_black(&label, 0, 200), "letters kept");
        assert_eq!(count_black(&binary, 200, 500), 0, "bars erased");

        // Near miss: a few tall thin shapes (a big "1 1 1", a rule) are no barcode.
        let mut few = GrayImage::from_pixel(300, 140, image::Luma([255]));
        for i in 0..(MIN_BARS as u32 - 1) {
            black(&mut few, 20 + i * 20, 30, 8, 70);
        }
        let mut binary = few.clone();
        erase_frames(&mut binary);
        assert_eq!(binary, few);

        // A frame: far taller than letters, whatever its width.
        let mut framed = GrayImage::from_pixel(300, 200, image::Luma([255]));
        black(&mut framed, 5, 5, 290, 4);
        black(&mut framed, 5, 5, 4, 190);
        black(&mut framed, 60, 60, 16, 30);
        erase_frames(&mut framed);
        assert_eq!(count_black(&framed, 0, 300), 16 * 30, "the frame erased, the letter kept");
    }

    #[test]
    fn contrast_is_stretched() {
        let mut g = GrayImage::from_fn(100, 10, |x, _| image::Luma([100 + (x / 2) as u8]));
        normalise(&mut g);
        let (min, max) = g.as_raw().iter().fold((255, 0), |(lo, hi), &v| (lo.min(v), hi.max(v)));
        assert!(min < 10 && max > 245, "{min} {max}");
    }

    #[test]
    fn label_and_value_read_as_separate_lines_make_one_row() {
        let word = |text: &str, x: u32, y: u32| Word {
            text: text.into(),
            bbox: Rect { x, y, width: 40, height: 20 },
            confidence: 90.0,
        };
        let line = |x: u32, y: u32, text: &str| {
            (Rect { x, y, width: 40, height: 20 }, Line { words: vec![word(text, x, y)] })
        };
        // Level: the value right of its label, the next row below, given out of order.
        let rows = rows_in_reading_order(
            vec![line(200, 12, "08/25/1944"), line(10, 40, "Sex:"), line(10, 10, "DOB:")],
            0.0,
        );
        let read: Vec<Vec<&str>> =
            rows.iter().map(|r| r.words.iter().map(|w| w.text.as_str()).collect()).collect();
        assert_eq!(read, [vec!["DOB:", "08/25/1944"], vec!["Sex:"]]);
        // Tilted 8° (lines fall to the right): the value sits 27 px lower than its label
        // and still joins it, not the next row.
        let tilt = 8f32.to_radians();
        let rows = rows_in_reading_order(
            vec![line(10, 10, "DOB:"), line(200, 37, "08/25/1944"), line(10, 45, "Sex:")],
            tilt,
        );
        let read: Vec<Vec<&str>> =
            rows.iter().map(|r| r.words.iter().map(|w| w.text.as_str()).collect()).collect();
        assert_eq!(read, [vec!["DOB:", "08/25/1944"], vec!["Sex:"]]);
    }
}
