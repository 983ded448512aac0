//! The Tesseract engine: one per worker thread at a time (`init` is slow and the handle
//! serialises on a mutex; a `Pool`, so one can be started ahead), its configuration,
//! leptonica silenced, and its TSV output parsed into lines of words.

use super::{Line, Word};
use crate::error::{Error, Result, Stage};
use crate::geometry::Rect;
use crate::pool::Pool;
use image::GrayImage;
use tesseract_rs::{TessPageSegMode, TesseractAPI};

/// Debian's tessdata folders, newest first; `TESSDATA_PREFIX` wins when set.
const TESSDATA_DIRS: [&str; 3] =
    ["/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata", "/usr/share/tessdata"];

static ENGINES: Pool<TesseractAPI> = Pool::new();

/// Debian's libtesseract links OpenMP, which reads `OMP_THREAD_LIMIT` once, when the
/// library loads — before `main` could set it. Without it each OCR call spins up a
/// thread per core and fights medscrub's own per-photo workers, several times slower
/// (docs/PERFORMANCE.md). So a program that reads text (the binary, the text benchmark) calls this
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
    ENGINES.with(start, |api| f(api))
}

/// Starts an engine on this thread for the next read, and reads a blank line with it
/// (Tesseract loads part of its model on the first read). Meant for a background thread;
/// a failure is left for the read that needs the engine to meet and report.
pub(super) fn start_ahead() {
    ENGINES.make_ahead(|| {
        let api = start()?;
        let blank = GrayImage::from_pixel(64, 32, image::Luma([255]));
        api.set_image(blank.as_raw(), 64, 32, 1, 64)
            .and_then(|()| api.get_tsv_text(0))
            .map_err(|e| Error::new(Stage::Text, format!("OCR failed: {e}")))?;
        Ok::<_, Error>(api)
    });
}

/// How many engines this process has started (for tests).
#[cfg(test)]
pub(super) fn engines_started() -> usize {
    ENGINES.made()
}

fn start() -> Result<TesseractAPI> {
    let api = TesseractAPI::new();
    api.init(tessdata_dir()?, "eng")
        .map_err(|e| Error::new(Stage::Text, format!("cannot start Tesseract: {e}")))?;
    // Tesseract prints diagnostics ("Estimating resolution as …") to stderr;
    // they are noise in a report. A fixed resolution also skips the estimate.
    // Tesseract scales its size expectations by the resolution. Photos have none;
    // its lowest setting (70) read more of the evaluation corpus than 100, 150 or
    // 300, and faster; its adaptive thresholding methods (1, 2) read less than
    // the default Otsu (docs/PERFORMANCE.md).
    for (name, value) in [("debug_file", "/dev/null"), ("user_defined_dpi", "70")] {
        api.set_variable(name, value)
            .map_err(|e| Error::new(Stage::Text, format!("cannot configure Tesseract ({name}): {e}")))?;
    }
    silence_leptonica();
    Ok(api)
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

/// Whether Tesseract also reads a line inverted when it reads it poorly (its
/// `tessedit_do_invert`: lines under 0.7 mean confidence are read twice). The plain
/// baseline, reading the photo as it is, needs it for light-on-dark monitors. A
/// prepared region does not: it has been binarised black on white, light text inverted
/// first, so the second read was of white letters on black, which read nothing; and
/// the lines read poorly, texture and empty halos, were most lines of most regions.
/// Off, the corpus reads the same for less work (docs/PERFORMANCE.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Invert {
    Try,
    Never,
}

/// OCR of the whole photo as it is (the plain baseline, `Strategy::Plain`): automatic
/// page mode, poorly read lines tried inverted too.
pub(super) fn recognise_page(grey: &GrayImage) -> Result<Vec<Line>> {
    recognise_with(grey, TessPageSegMode::PSM_AUTO, Invert::Try)
}

/// OCR of one prepared region in sparse-text mode, boxes in its own pixels.
pub(super) fn recognise(grey: &GrayImage) -> Result<Vec<Line>> {
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
}
