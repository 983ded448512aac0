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
//! Nothing reads the photo whole: the region reads find what a whole-photo pass did, at
//! a fraction of its time.
//!
//! Boxes are mapped back to displayed-image pixels. One Tesseract engine and one
//! session of each model per worker thread at a time, from pools: starting one is slow
//! and the handle serialises on a mutex, so sharing one would serialise OCR; the CLI
//! starts them ahead (`start_ahead`).
//!
//! The measurements behind these choices (the whole-photo pass, the recogniser's
//! padding, Tesseract's resolution, inverted reads and threads) are in
//! docs/PERFORMANCE.md.
//!
//! This module is the stage's entry (`read_text`, the strategies, which regions are read
//! and how their lines are put back in rows); `tesseract` runs the Tesseract engine and
//! `prepare` makes a region ready for it (and measures its tilt).

pub mod detect;
pub mod orient;
mod prepare;
pub mod rec;
pub mod regions;
mod tesseract;

use crate::error::{Error, Result, Stage};
use crate::geometry::Rect;
use crate::limits::Deadline;
use crate::raster::tilted;
use image::GrayImage;
pub use prepare::normalise;
use prepare::prepared_size;
pub use prepare::{estimate_tilt, prepare_region};
pub use tesseract::limit_openmp_threads;
pub use tesseract::parse_tsv;
pub use tesseract::tessdata_dir;
use tesseract::{recognise, recognise_page};

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
            return Ok(vec![recognise_page(raw)?]);
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

/// Opens the text detector and the recogniser and starts Tesseract on a background
/// thread, once per process, for the strategies that use them: a worker that reaches
/// its first photo's text takes them ready, or waits for the one still being opened,
/// instead of paying for all three and their first runs inside that photo's time
/// (docs/PERFORMANCE.md, "Opening the models ahead"). For programs that check a photo or
/// a few and exit (the CLI); they call [`finish_ahead`] before they exit, since ONNX
/// Runtime and Tesseract must not be torn down while the thread is still in them.
pub fn start_ahead(strategy: Strategy) {
    let (detector, tesseract, recogniser) = match strategy {
        Strategy::Off | Strategy::Plain => return,
        Strategy::Scene => (true, true, true),
        Strategy::Tesseract => (true, true, false),
        Strategy::Recogniser => (true, false, true),
    };
    STARTED.call_once(|| {
        // If no thread can be started, each worker opens its own, as it would anyway.
        let thread = std::thread::Builder::new().name("medscrub-start-ahead".into()).spawn(move || {
            if detector {
                detect::open_ahead();
            }
            if tesseract {
                tesseract::start_ahead();
            }
            if recogniser {
                rec::open_ahead();
            }
        });
        *AHEAD.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = thread.ok();
    });
}

/// Waits until what [`start_ahead`] began is done (at once if it began nothing).
pub fn finish_ahead() {
    let thread = AHEAD.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
    if let Some(thread) = thread {
        // A panic there has been reported by the panic hook; a worker that needs the
        // model opens its own, and reports its error.
        let _ = thread.join();
    }
}

/// [`start_ahead`] runs once per process; its thread, until [`finish_ahead`] joins it.
static STARTED: std::sync::Once = std::sync::Once::new();
static AHEAD: std::sync::Mutex<Option<std::thread::JoinHandle<()>>> = std::sync::Mutex::new(None);

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
            // A page: its print large enough for the detector's copy is read line by
            // line by the recogniser; Tesseract reading it again (paragraphs, headers,
            // table cells) cost a quarter to a third of a page's time and found nothing
            // more. Tesseract reads only the small print the detector may have outlined
            // poorly (docs/PERFORMANCE.md, "Pages").
            let scale = detector_scale(raw);
            regions.retain(|r| r.letter_height * scale < PAGE_PRINT);
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

/// A photo with this many detected lines is a page; letters this high on the
/// detector's copy are read well by the recogniser.
const PAGE_LINES: usize = 20;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_started_ahead_is_ready_once_finish_ahead_returns() {
        // The CLI exits right after `finish_ahead`: ONNX Runtime and Tesseract must not
        // still be setting up on the other thread then. (Each test has its own process
        // under nextest, so nothing else has opened these.)
        start_ahead(Strategy::Scene);
        finish_ahead();
        assert!(crate::models::TEXT_DETECTOR.sessions_opened() >= 1);
        assert!(crate::models::TEXT_RECOGNISER.sessions_opened() >= 1);
        assert!(tesseract::engines_started() >= 1);
        // Once per process: a second start makes nothing more.
        let opened = crate::models::TEXT_DETECTOR.sessions_opened();
        start_ahead(Strategy::Scene);
        finish_ahead();
        assert_eq!(crate::models::TEXT_DETECTOR.sessions_opened(), opened);
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
