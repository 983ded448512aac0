//! Reading one detected line with PP-OCRv4's recogniser (CRNN-style, CTC output), run
//! through ONNX Runtime: the second recogniser beside Tesseract.
//!
//! Tesseract reads prepared regions well when their letters are clean; scene text —
//! small, blurred, low-contrast, on a curved band — and tables are what this model
//! reads better. It reads every line the detector outlined, Tesseract the blob regions
//! the detector confirms, and the pipeline keeps what either read (see `ocr::read_text`
//! and the measurements in the README).
//!
//! Pre- and post-processing follow RapidOCR's (the package the model ships in): the
//! line is scaled to 48 px high keeping its proportions, mean and deviation 0.5; the
//! output is one probability row per 8 px column, decoded greedily (best class per
//! column, repeats and blanks dropped). The character list is the model's own (its
//! `character` metadata), blank first and a space last. One difference: RapidOCR pads
//! every line to at least 320 px wide, here only to `MIN_WIDTH` (a short label padded
//! to 320 px reads the same, slower: docs/PERFORMANCE.md).
//!
//! The model reads Chinese as well; here the best class is chosen among the characters
//! of Latin scripts only, so a blurred mark reads as the nearest Latin letter (at low
//! confidence) rather than as a Chinese character the rules would never match.

use super::{Line, Word};
use crate::error::Result;
use crate::geometry::Rect;
use crate::models::{Model, TEXT_RECOGNISER};
use image::GrayImage;
use ort::value::Tensor;
use std::sync::OnceLock;

/// Input height, the narrowest input, and the columns per output step.
const HEIGHT: u32 = 48;
const MIN_WIDTH: u32 = 64;
const STEP: f32 = 8.0;
/// A line this many times taller than wide is vertical text: it is turned a quarter
/// both ways and the better read is kept.
const VERTICAL: f32 = 1.5;
/// Tilt (degrees) from which a line is turned level before it is read, and the band
/// kept around it, as a multiple of its thickness.
const MIN_TILT: f32 = 3.0;
const BAND_MARGIN: f32 = 1.4;
/// The widest input (a line longer than this many heights is read squeezed).
const MAX_WIDTH: u32 = 48 * 40;

/// The model's classes: `None` for the ones never chosen (blank is index 0).
struct Classes {
    text: Vec<Option<char>>,
}

/// The characters a line may be read as: printable ASCII, the Latin-1 letters and the
/// signs clinical labels use (°, µ, ±).
fn allowed(c: char) -> bool {
    c == ' ' || c.is_ascii_graphic() || matches!(c, 'À'..='ÿ' | '°' | 'µ' | '±') && c != '×' && c != '÷'
}

fn classes(session: &ort::session::Session, model: &Model) -> Result<&'static Classes> {
    static CLASSES: OnceLock<Classes> = OnceLock::new();
    if let Some(c) = CLASSES.get() {
        return Ok(c);
    }
    let metadata = session.metadata().map_err(|e| model.error(e))?;
    let list = metadata.custom("character").ok_or_else(|| model.error("no character list in the model"))?;
    let mut text = vec![None];
    text.extend(list.lines().map(|l| {
        let mut chars = l.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) if allowed(c) => Some(c),
            _ => None,
        }
    }));
    text.push(Some(' '));
    Ok(CLASSES.get_or_init(|| Classes { text }))
}

/// Opens a session of the recogniser ahead, on this thread (`ocr::start_ahead`).
pub(super) fn open_ahead() {
    TEXT_RECOGNISER.open_ahead([1, 3, HEIGHT as usize, MIN_WIDTH as usize]);
}

/// Reads the line in `rect` of `grey`; its words' boxes are in `grey`'s pixels. Empty
/// when nothing is read.
///
/// A word's confidence is the mean probability of its characters, from 0.5 to 1 mapped
/// onto 0–100, the scale of Tesseract's: a column's best class is rarely under 0.5, and
/// what the model reads into noise ("LANronM167059", "202melta") scores 0.5–0.7 where
/// printed words score over 0.9. The rules' confident-word threshold (40) is then 0.7.
pub fn read_line(grey: &GrayImage, rect: Rect) -> Result<Line> {
    let crop = image::imageops::crop_imm(grey, rect.x, rect.y, rect.width, rect.height).to_image();
    if rect.height as f32 >= rect.width as f32 * VERTICAL {
        // Turned either way: the read with the more confident words wins, and its
        // words cover the whole line (their places along it are not mapped back).
        let mut best = Line::default();
        let mut best_score = 0.0;
        for turned in [image::imageops::rotate270(&crop), image::imageops::rotate90(&crop)] {
            let read = read_levelled(&turned)?;
            let score: f32 = read.iter().map(|w| w.confidence * w.text.chars().count() as f32).sum();
            if score > best_score {
                best_score = score;
                best = Line { words: read.into_iter().map(|w| Word { bbox: rect, ..w }).collect() };
            }
        }
        return Ok(best);
    }
    let words = read_levelled(&crop)?;
    let (cw, _) = crop.dimensions();
    Ok(Line {
        words: words
            .into_iter()
            .map(|w| {
                // `read_levelled` gives x in the crop's pixels along the line.
                let x0 = w.bbox.x.min(cw.saturating_sub(1));
                let x1 = (w.bbox.x + w.bbox.width).clamp(x0 + 1, cw);
                Word { bbox: Rect { x: rect.x + x0, y: rect.y, width: x1 - x0, height: rect.height }, ..w }
            })
            .collect(),
    })
}

/// The words of a line lying along `crop`. A tilted line's box holds pieces of the
/// lines above and below it: the crop is turned level and cut to the line's own
/// thickness (a band of thickness t tilted by θ has a box (W, t / cos θ + W tan θ)).
pub(super) fn read_levelled(crop: &GrayImage) -> Result<Vec<Word>> {
    let tilt = super::estimate_tilt(crop);
    let (cw, ch) = crop.dimensions();
    if tilt.abs() < MIN_TILT || cw <= 2 * ch {
        return recognise(crop);
    }
    let theta = tilt.to_radians();
    let level = crate::raster::tilted(crop, -theta);
    let thickness = (ch as f32 - cw as f32 * theta.tan().abs()) * theta.cos();
    let band = (thickness * BAND_MARGIN).clamp(ch as f32 * 0.25, ch as f32).round() as u32;
    let top = (ch - band) / 2;
    recognise(&image::imageops::crop_imm(&level, 0, top, cw, band).to_image())
}

/// The words of one level line image, boxes along x in its pixels (y spans it whole).
fn recognise(line: &GrayImage) -> Result<Vec<Word>> {
    let (w, h) = line.dimensions();
    if w < 4 || h < 4 {
        return Ok(Vec::new());
    }
    let resized_w = ((HEIGHT as f32 * w as f32 / h as f32).ceil() as u32).clamp(8, MAX_WIDTH);
    let input_w = resized_w.max(MIN_WIDTH).next_multiple_of(8);
    let scaled = image::imageops::resize(line, resized_w, HEIGHT, image::imageops::FilterType::Triangle);
    let mut plane = vec![0f32; (HEIGHT * input_w) as usize];
    for (x, y, p) in scaled.enumerate_pixels() {
        plane[(y * input_w + x) as usize] = f32::from(p[0]) / 127.5 - 1.0;
    }
    let mut input = Vec::with_capacity(3 * plane.len());
    for _ in 0..3 {
        input.extend_from_slice(&plane);
    }
    let model = &TEXT_RECOGNISER;
    model.with(|session| {
        let classes = classes(session, model)?;
        let shape = [1usize, 3, HEIGHT as usize, input_w as usize];
        let tensor = Tensor::from_array((shape, input)).map_err(|e| model.error(e))?;
        let outputs = session.run(ort::inputs![tensor]).map_err(|e| model.error(e))?;
        let (shape, values) = outputs[0].try_extract_tensor::<f32>().map_err(|e| model.error(e))?;
        let width = match **shape {
            [1, _, width] if width as usize == classes.text.len() => width as usize,
            _ => return Err(model.error(format!("unexpected output shape {shape:?}"))),
        };
        // The best class per column among blank and the allowed characters.
        let best: Vec<(usize, f32)> = values
            .chunks_exact(width)
            .map(|row| {
                row.iter()
                    .enumerate()
                    .filter(|&(i, _)| i == 0 || classes.text[i].is_some())
                    .fold((0, f32::MIN), |b, (i, &p)| if p > b.1 { (i, p) } else { b })
            })
            .collect();
        Ok(decode(&best, classes, w as f32 / resized_w as f32))
    })
}

/// Greedy CTC decoding of the best class per column: a character where the class
/// changes to one that is not blank; words split at spaces. A word's box spans its
/// columns (`STEP` px of the scaled line each, times `to_line` back to the line's
/// pixels), half a column wider either side.
fn decode(best: &[(usize, f32)], classes: &Classes, to_line: f32) -> Vec<Word> {
    // The characters read, with their column; `None` for a space.
    let mut read: Vec<(usize, Option<char>, f32)> = Vec::new();
    let mut previous = 0;
    for (column, &(class, probability)) in best.iter().enumerate() {
        if class != 0 && class != previous {
            let c = classes.text[class].filter(|&c| c != ' ');
            read.push((column, c, probability));
        }
        previous = class;
    }
    let wide = wide_gap(&read);
    let mut words = Vec::new();
    // (text, probabilities, first column, last column) of the word being read.
    let mut current: Option<(String, Vec<f32>, usize, usize)> = None;
    let mut finish = |current: &mut Option<(String, Vec<f32>, usize, usize)>| {
        if let Some((text, probabilities, first, last)) = current.take() {
            let x0 = ((first as f32 - 0.5).max(0.0) * STEP * to_line) as u32;
            let x1 = ((last as f32 + 1.5) * STEP * to_line).ceil() as u32;
            let mean = probabilities.iter().sum::<f32>() / probabilities.len() as f32;
            let confidence = (200.0 * (mean - 0.5)).max(0.0);
            words.push(Word { text, bbox: Rect { x: x0, y: 0, width: x1 - x0, height: 1 }, confidence });
        }
    };
    let mut previous: Option<char> = None;
    for (i, &(column, c, probability)) in read.iter().enumerate() {
        let Some(c) = c else {
            finish(&mut current);
            previous = None;
            continue;
        };
        let next = read.get(i + 1).and_then(|r| r.1);
        let starts_word = current
            .as_ref()
            .is_some_and(|w| column - w.3 >= wide || starts_run_together_word(&w.0, previous, c, next));
        if starts_word {
            finish(&mut current);
        }
        previous = Some(c);
        let word = current.get_or_insert_with(|| (String::new(), Vec::new(), column, column));
        word.0.push(c);
        word.1.push(probability);
        word.3 = column;
    }
    finish(&mut current);
    words
}

/// Whether `c` starts a new word the model ran into the one before it (`word` so far,
/// ending in `previous`, `next` after `c`): a capitalised word straight after three or
/// more lower-case letters ("BarbaraWilliams", "LaboratoryMedicine"; not "McDonald" or
/// "SpO2"), or a letter after a label's colon or a title's full stop ("Name:Sanchez",
/// "Dr.Barbara"; not "12:30" or "e.g.").
fn starts_run_together_word(word: &str, previous: Option<char>, c: char, next: Option<char>) -> bool {
    let Some(previous) = previous else { return false };
    let capitalised = c.is_uppercase() && next.is_some_and(char::is_lowercase);
    let lower_run = word.chars().rev().take_while(|ch| ch.is_lowercase()).count();
    (previous.is_lowercase() && capitalised && lower_run >= 3)
        || (previous == ':' && c.is_alphabetic())
        || (previous == '.' && capitalised && word.chars().filter(|ch| ch.is_alphabetic()).count() >= 2)
}

/// The distance in columns between two characters of one word at which a space is
/// taken to stand between them, though the model read none: it often runs words
/// together ("Requestedby:Dr.BarbaraWilliams"), whose letters stand a median pitch
/// apart. `usize::MAX` (never) for lines too short to measure a pitch.
fn wide_gap(read: &[(usize, Option<char>, f32)]) -> usize {
    let mut gaps: Vec<usize> =
        read.windows(2).filter(|p| p[0].1.is_some() && p[1].1.is_some()).map(|p| p[1].0 - p[0].0).collect();
    if gaps.len() < MIN_PITCHES {
        return usize::MAX;
    }
    let mid = gaps.len() / 2;
    let pitch = *gaps.select_nth_unstable(mid).1;
    (pitch * 2).max(pitch + 3)
}

/// Characters a line needs for its letter pitch to be measured.
const MIN_PITCHES: usize = 6;

#[cfg(test)]
mod tests {
    use super::*;

    fn classes() -> Classes {
        // blank, the characters, and the space last, as the model's list is.
        let mut text = vec![None];
        text.extend("ABDMNRSWabcdeilmnoprsty:.0123456789".chars().map(Some));
        text.push(Some(' '));
        Classes { text }
    }

    /// The best class per column for `columns`, one character (or `_` for blank, `|`
    /// for the space class) per column, all at probability `p`.
    fn columns(classes: &Classes, columns: &str, p: f32) -> Vec<(usize, f32)> {
        columns
            .chars()
            .map(|c| match c {
                '_' => (0, p),
                '|' => (classes.text.len() - 1, p),
                c => (classes.text.iter().position(|&t| t == Some(c)).expect("in the list"), p),
            })
            .collect()
    }

    fn texts(words: &[Word]) -> Vec<&str> {
        words.iter().map(|w| w.text.as_str()).collect()
    }

    #[test]
    fn repeats_and_blanks_collapse_and_spaces_split_words() {
        let c = classes();
        let words = decode(&columns(&c, "_MM_RR_N_|_1_2_3_4_4_", 0.9), &c, 1.0);
        assert_eq!(texts(&words), ["MRN", "12344"]);
        assert!((words[0].confidence - 80.0).abs() < 1e-3, "0.9 is 80 on Tesseract's scale");
        // Boxes follow the columns: 8 px each, half a column wider either side.
        assert_eq!(words[0].bbox.x, 4);
        assert!(words[1].bbox.x > words[0].bbox.x + words[0].bbox.width - 8);
    }

    #[test]
    fn words_the_model_ran_together_are_split() {
        let c = classes();
        let split = |s: &str| texts(&decode(&columns(&c, s, 0.9), &c, 1.0)).join(" ");
        assert_eq!(split("B_a_r_b_a_r_a_W_i_l_l_i_a_m_s"), "Barbara Williams");
        assert_eq!(split("N_a_m_e_:_B_e_n"), "Name: Ben");
        assert_eq!(split("D_r_._B_e_n"), "Dr. Ben");
        // Near misses: a capital after a short start, a time, a number after a colon.
        assert_eq!(split("M_c_D_o_n_a_l_d"), "McDonald");
        assert_eq!(split("1_2_:_3_0"), "12:30");
        assert_eq!(split("S_p_M_2"), "SpM2");
        // A gap well over the line's letter pitch is a space the model did not read.
        assert_eq!(split("M_R_N_1_2_3______4_5_6"), "MRN123 456");
    }
}
