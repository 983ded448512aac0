//! Text upside down: a page, a label or a wristband photographed the wrong way up, its
//! pixels turned (no orientation tag left to say so).
//!
//! Lines standing on their end are turned either way where they are read
//! (`rec::read_line`); a line lying level has the same outline to the detector either
//! way up, so only reading it tells. The longest level lines, read as they are, are
//! compared with the same lines read turned half round: text the right way up reads
//! confidently (printed words score over 90 on the 0–100 scale, `rec::read_line`),
//! upside down it reads as low-confidence noise, and so does texture either way.

use super::{Line, Word, rec};
use crate::error::Result;
use crate::geometry::Rect;
use image::GrayImage;

/// How many of the longest level lines are compared (each is read once more).
const SAMPLE: usize = 3;
/// The mean character confidence (0–100) of a sample that reads as text.
const CONFIDENT: f32 = 80.0;
/// How much more confident the turned read must be than the upright one.
const MARGIN: f32 = 15.0;
/// The fewest characters a turned sample must hold: one short word read confidently
/// into a picture's edge is not a page.
const MIN_CHARS: usize = 6;

/// The mean confidence of the characters of `words`, and how many there are.
fn quality(words: &[Word]) -> (f32, usize) {
    let (sum, chars) = words.iter().fold((0.0, 0), |(sum, chars), w| {
        let n = w.text.chars().count();
        (sum + w.confidence * n as f32, chars + n)
    });
    (if chars == 0 { 0.0 } else { sum / chars as f32 }, chars)
}

/// Whether the photo's text reads upside down: its longest `level` lines (their boxes
/// in `grey`, and how they read as they are) read confidently turned half round, and
/// clearly more so than as they are. Upright text (already confident) costs nothing
/// more; a photo whose lines read poorly either way is left as it is.
pub fn upside_down(grey: &GrayImage, level: &[(Rect, Line)]) -> Result<bool> {
    let mut longest: Vec<&(Rect, Line)> = level.iter().collect();
    longest.sort_by_key(|(r, _)| std::cmp::Reverse(r.width));
    longest.truncate(SAMPLE);
    let upright: Vec<Word> = longest.iter().flat_map(|(_, l)| l.words.iter().cloned()).collect();
    let (as_it_is, _) = quality(&upright);
    if longest.is_empty() || as_it_is >= CONFIDENT {
        return Ok(false);
    }
    let mut turned = Vec::new();
    for (r, _) in &longest {
        let crop = image::imageops::crop_imm(grey, r.x, r.y, r.width, r.height).to_image();
        turned.extend(rec::read_levelled(&image::imageops::rotate180(&crop))?);
    }
    let (turned_quality, chars) = quality(&turned);
    Ok(chars >= MIN_CHARS && turned_quality >= CONFIDENT && turned_quality >= as_it_is + MARGIN)
}

/// A box in a `w` × `h` photo turned half round, in the photo's own pixels.
pub fn half_turned(r: Rect, w: u32, h: u32) -> Rect {
    Rect {
        x: w.saturating_sub(r.x + r.width),
        y: h.saturating_sub(r.y + r.height),
        width: r.width,
        height: r.height,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boxes_turned_half_round_map_back() {
        let r = Rect { x: 10, y: 20, width: 30, height: 5 };
        assert_eq!(half_turned(r, 100, 50), Rect { x: 60, y: 25, width: 30, height: 5 });
        assert_eq!(half_turned(half_turned(r, 100, 50), 100, 50), r);
    }

    #[test]
    fn quality_weighs_words_by_their_characters() {
        let word = |text: &str, confidence| Word {
            text: text.into(),
            bbox: Rect { x: 0, y: 0, width: 1, height: 1 },
            confidence,
        };
        assert_eq!(quality(&[word("abcd", 90.0), word("ef", 60.0)]), (80.0, 6));
        assert_eq!(quality(&[]), (0.0, 0));
    }
}
