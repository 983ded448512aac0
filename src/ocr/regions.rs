//! Where the text is: candidate text regions found without reading, so that the
//! full-resolution reading runs only there, and at a size Tesseract reads well.
//!
//! Text is a row of letters: blobs of about one height, darker (or lighter) than what
//! is around them, side by side. The search, on the photo at full resolution up to
//! `WORK_SIDE` pixels (small text has to be seen at its own size):
//!
//! 1. each pixel is compared with the mean of its neighbourhood (a box about two
//!    letters wide), which finds faint text on a pale label as well as bold text, and
//!    is blind to slow shading; once for dark strokes, once for light ones (monitors);
//! 2. the 8-connected blobs shaped like letters (or letters run together by blur) are
//!    kept; JPEG noise and texture make specks and shapeless blobs, which are not;
//! 3. letters of about one height, side by side at about one baseline, are chained
//!    into lines (three letters at least, so lone specks do not count), which tolerates
//!    lines tilted up to about 25°;
//! 4. lines within about a line height of each other (a label's lines, a wristband's
//!    fields) are grouped into one region.
//!
//! Each region carries the height of its letters, so the reader can scale it to a
//! text size Tesseract reads: 12–20 px text in a 12 MP photo is enlarged, not read
//! as is.

use crate::geometry::Rect;
use crate::raster::{Blob, Shrunk, blobs, box_mean, shrink_grey};
use image::GrayImage;

/// Longest side searched at full resolution (a 12 MP photo is); larger photos are
/// searched on a copy this size.
const WORK_SIDE: u32 = 4096;
/// Radius of the neighbourhood a pixel is compared with.
const MEAN_RADIUS: u32 = 12;
/// How much darker (lighter) than its neighbourhood a stroke pixel is, in grey levels.
const STROKE_CONTRAST: u8 = 10;
/// Letter heights looked for (working pixels): from the smallest text Tesseract can
/// read once enlarged, to text large enough for the search on a coarser copy
/// (`tall_lines`) to find.
const MIN_LETTER: usize = 7;
const MAX_LETTER: usize = 90;
/// Fewest letters (or letter-widths of a run-together blob) in a line.
const MIN_LINE_LETTERS: usize = 3;
/// Each coarser copy searched for taller letters is this many times smaller, down to
/// this longest side: at 4 × and 16 ×, a 12 MP photo's letters up to a third of its
/// height are found (7–90 px on each copy).
const COARSE_STEP: u32 = 4;
const MIN_COARSE_SIDE: u32 = 200;
/// Most regions returned, those with most lines first: a bound on reading time for
/// photos full of texture.
const MAX_REGIONS: usize = 24;

/// A candidate text region, in the pixels of the image searched.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Region {
    pub rect: Rect,
    /// Median height of its letters (capitals and lower case together).
    pub letter_height: f32,
    /// How many lines it groups.
    pub lines: usize,
    /// Whether most of its lines are dark on light (else light on dark, as on monitors).
    pub dark_text: bool,
    /// The group of nearby lines it was split from by polarity and letter size (the same
    /// number for a door sign's room number and the name under it): read together, they
    /// are one text, so the name is seen beside the room number.
    pub group: usize,
    /// Whether it is a line the text detector outlined (else found by the blob search).
    pub from_detector: bool,
}

/// The candidate text regions of `grey`, padded, in its own pixels; most lines first.
/// Give it the grey levels as they are: a global contrast stretch saturates a small
/// pale label, and its faint text with it.
pub fn propose(grey: &GrayImage) -> Vec<Region> {
    find_where(grey, |_| true)
}

/// [`find`], keeping only the regions `keep` accepts (in `grey`'s pixels; asked most-lined
/// first) until `MAX_REGIONS` are kept: the text stage keeps those where the text
/// detector sees text, so texture does not crowd out a label.
pub fn find_where(grey: &GrayImage, mut keep: impl FnMut(&Region) -> bool) -> Vec<Region> {
    let (w, h) = grey.dimensions();
    let Shrunk { image: work, factor: k } = shrink_grey(grey, WORK_SIDE);
    let factor = k as f32;
    let mut lines = text_lines(&work);
    lines.extend(tall_lines(&work));
    let mut regions: Vec<Region> = group(&lines)
        .into_iter()
        .map(|r| {
            let pad = r.letter_height * 1.2;
            let x0 = ((r.rect.x as f32 - pad) * factor).max(0.0);
            let y0 = ((r.rect.y as f32 - pad) * factor).max(0.0);
            let x1 = (((r.rect.x + r.rect.width) as f32 + pad) * factor).min(w as f32);
            let y1 = (((r.rect.y + r.rect.height) as f32 + pad) * factor).min(h as f32);
            Region {
                rect: Rect {
                    x: x0 as u32,
                    y: y0 as u32,
                    width: ((x1 - x0) as u32).max(1),
                    height: ((y1 - y0) as u32).max(1),
                },
                letter_height: r.letter_height * factor,
                ..r
            }
        })
        .collect();
    regions.sort_by(|a, b| b.lines.cmp(&a.lines).then(b.rect.height.cmp(&a.rect.height)));
    regions.into_iter().filter(|r| keep(r)).take(MAX_REGIONS).collect()
}

/// The lines of letters taller than `MAX_LETTER` (a whiteboard across a 12 MP photo),
/// looked for the same way on copies shrunk `COARSE_STEP` times and again, down to
/// `MIN_COARSE_SIDE`; each copy adds only the lines too tall for the ones before it.
/// In the pixels of `work`.
fn tall_lines(work: &GrayImage) -> Vec<TextLine> {
    let mut lines = Vec::new();
    let (mut scale, mut tallest) = (1.0f32, MAX_LETTER as f32);
    let mut coarse: Option<GrayImage> = None;
    loop {
        let current = coarse.as_ref().unwrap_or(work);
        let longest = current.width().max(current.height());
        if longest / COARSE_STEP < MIN_COARSE_SIDE {
            return lines;
        }
        let Shrunk { image: smaller, factor: k } = shrink_grey(current, longest.div_ceil(COARSE_STEP));
        scale *= k as f32;
        let tall = text_lines(&smaller).into_iter().filter(|l| l.letter_height as f32 * scale > tallest);
        lines.extend(tall.map(|l| l.scaled(scale)));
        tallest = MAX_LETTER as f32 * scale;
        coarse = Some(smaller);
    }
}

/// The lines of letters in `grey`, dark on light and light on dark, in its pixels.
fn text_lines(grey: &GrayImage) -> Vec<TextLine> {
    let (w, h) = (grey.width() as usize, grey.height() as usize);
    let mean = box_mean(grey, MEAN_RADIUS);
    let mut lines = Vec::new();
    for dark in [true, false] {
        let mask = stroke_mask(grey, &mean, dark, STROKE_CONTRAST);
        let letters: Vec<Blob> = blobs(mask, w, h).into_iter().filter(Blob::is_letter_like).collect();
        lines.extend(chain_lines(&letters, dark));
    }
    lines
}

/// How many letter-shaped blobs `crop` (one line of text, found by the detector) has in
/// one polarity, dark on light or light on dark, and their median height: the size the
/// region is scaled by before it is read (`None` when nothing is shaped like a letter).
pub fn letters(crop: &GrayImage, dark: bool) -> (usize, Option<f32>) {
    let (w, h) = (crop.width() as usize, crop.height() as usize);
    // A neighbourhood about as tall as the line, so a letter's strokes stand out
    // against the mean of the space around them.
    let radius = (crop.height() / 2).clamp(4, 48);
    let mean = box_mean(crop, radius);
    let mask = stroke_mask(crop, &mean, dark, STROKE_CONTRAST);
    let mut heights: Vec<usize> = blobs(mask, w, h)
        .into_iter()
        // Letters of any height from 4 px up to nearly the whole line's.
        .filter(|b| b.is_letter_shaped(4..=(h * 19 / 20)))
        .map(|b| b.height())
        .collect();
    if heights.is_empty() {
        return (0, None);
    }
    let mid = heights.len() / 2;
    (heights.len(), Some(*heights.select_nth_unstable(mid).1 as f32))
}

/// The pixels of `grey` darker (`dark`) or lighter than `mean` (the mean of their
/// neighbourhood, from `box_mean`) by more than `contrast`.
pub fn stroke_mask(grey: &GrayImage, mean: &GrayImage, dark: bool, contrast: u8) -> Vec<bool> {
    let pairs = grey.as_raw().iter().zip(mean.as_raw());
    // One loop per polarity, in saturating u8 arithmetic, so that each vectorises
    // (0.13 G fewer instructions on six 12 MP photos than a per-pixel branch on `dark`
    // in i16). Exact: a sum past 255 saturates to 255, which no grey level is above,
    // and which is no less than any mean.
    if dark {
        pairs.map(|(&v, &m)| v.saturating_add(contrast) < m).collect()
    } else {
        pairs.map(|(&v, &m)| v > m.saturating_add(contrast)).collect()
    }
}

impl Blob {
    /// A letter, or a few run together: tall enough to read once enlarged, not a
    /// wall or a thin rule, and filled like a glyph's strokes rather than a solid patch
    /// or a speck of noise.
    fn is_letter_like(&self) -> bool {
        self.is_letter_shaped(MIN_LETTER..=MAX_LETTER)
    }

    /// [`Blob::is_letter_like`] for letters of `heights`.
    fn is_letter_shaped(&self, heights: std::ops::RangeInclusive<usize>) -> bool {
        let (w, h) = (self.width(), self.height());
        let fill = self.pixels as f32 / (w * h) as f32;
        heights.contains(&h) && w * 3 >= h && (0.12..=0.9).contains(&fill)
    }

    fn centre_y(&self) -> f32 {
        (self.y0 + self.y1) as f32 / 2.0
    }

    /// The bounds of all of `blobs` (not empty), with their pixels summed.
    fn union(blobs: &[&Blob]) -> Blob {
        Blob {
            x0: blobs.iter().map(|b| b.x0).min().expect("non-empty"),
            y0: blobs.iter().map(|b| b.y0).min().expect("non-empty"),
            x1: blobs.iter().map(|b| b.x1).max().expect("non-empty"),
            y1: blobs.iter().map(|b| b.y1).max().expect("non-empty"),
            pixels: blobs.iter().map(|b| b.pixels).sum(),
        }
    }
}

/// A chain of letters, and the median height of its letters.
#[derive(Debug, Clone, Copy)]
struct TextLine {
    bounds: Blob,
    letter_height: usize,
    dark: bool,
}

impl TextLine {
    /// The line found on a copy shrunk `k` times, in the pixels of the original.
    fn scaled(self, k: f32) -> TextLine {
        let up = |v: usize| (v as f32 * k) as usize;
        let b = self.bounds;
        TextLine {
            bounds: Blob {
                x0: up(b.x0),
                y0: up(b.y0),
                x1: up(b.x1 + 1) - 1,
                y1: up(b.y1 + 1) - 1,
                pixels: up(up(b.pixels)),
            },
            letter_height: up(self.letter_height),
            dark: self.dark,
        }
    }
}

/// Parent-pointer root with path halving, for the union-finds below.
fn root(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

/// Joins the sets of `i` and `j`.
fn join(parent: &mut [usize], i: usize, j: usize) {
    let (ri, rj) = (root(parent, i), root(parent, j));
    parent[ri] = rj;
}

/// Sets of indices under one root, in order of their first member.
fn sets(parent: &mut [usize]) -> Vec<Vec<usize>> {
    let mut by_root: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for i in 0..parent.len() {
        by_root.entry(root(parent, i)).or_default().push(i);
    }
    by_root.into_values().collect()
}

/// Chains letters into lines: a letter links to the next one to its right when they
/// are of about one height (within 2×), their centres are within half a letter height
/// of each other, and the gap between them is under a letter height (wider than a
/// space between words, narrower than one between columns). A line needs
/// `MIN_LINE_LETTERS` letters, counting a run-together blob by its width.
fn chain_lines(letters: &[Blob], dark: bool) -> Vec<TextLine> {
    let mut order: Vec<usize> = (0..letters.len()).collect();
    order.sort_by_key(|&i| letters[i].x0);
    let mut parent: Vec<usize> = (0..letters.len()).collect();
    for (k, &i) in order.iter().enumerate() {
        let a = &letters[i];
        let reach = a.x1 + a.height();
        for &j in order[k + 1..].iter().take_while(|&&j| letters[j].x0 <= reach) {
            let b = &letters[j];
            let (ha, hb) = (a.height() as f32, b.height() as f32);
            let similar = ha.max(hb) <= 2.0 * ha.min(hb);
            let aligned = (a.centre_y() - b.centre_y()).abs() <= 0.5 * ha.max(hb);
            if similar && aligned {
                join(&mut parent, i, j);
            }
        }
    }
    sets(&mut parent)
        .into_iter()
        .filter_map(|set| {
            let members: Vec<&Blob> = set.iter().map(|&i| &letters[i]).collect();
            let mut heights: Vec<usize> = members.iter().map(|b| b.height()).collect();
            heights.sort_unstable();
            let letter = heights[heights.len() / 2];
            let span: usize = members.iter().map(|b| (b.width() / letter.max(1)).max(1)).sum();
            (span >= MIN_LINE_LETTERS).then(|| TextLine {
                bounds: Blob::union(&members),
                letter_height: letter,
                dark,
            })
        })
        .collect()
}

/// Groups lines that sit within about a letter height of each other (the lines of one
/// label, the fields of one band) into regions, by union-find over overlapping grown
/// boxes; then splits each group by polarity and letter size, so that a door sign's
/// name under its big room number is a region of its own, read at its own scale (scaled
/// for the big letters, the small ones are too small for Tesseract).
fn group(lines: &[TextLine]) -> Vec<Region> {
    let mut parent: Vec<usize> = (0..lines.len()).collect();
    for i in 0..lines.len() {
        for j in i + 1..lines.len() {
            // Both grown by the smaller line's reach: a tall title's reach would take in
            // every small line around it, and them with each other through it.
            let reach = lines[i].letter_height.min(lines[j].letter_height) as f32 * 1.5;
            let grow = |b: &Blob| {
                (
                    b.x0 as f32 - reach * 1.5,
                    b.y0 as f32 - reach,
                    b.x1 as f32 + reach * 1.5,
                    b.y1 as f32 + reach,
                )
            };
            let (a, b) = (grow(&lines[i].bounds), grow(&lines[j].bounds));
            if a.0 <= b.2 && b.0 <= a.2 && a.1 <= b.3 && b.1 <= a.3 {
                join(&mut parent, i, j);
            }
        }
    }
    sets(&mut parent)
        .into_iter()
        .enumerate()
        .flat_map(|(group, set)| {
            by_polarity_and_size(set, lines).into_iter().map(move |class| (group, class))
        })
        .map(|(group, set)| {
            let bounds: Vec<&Blob> = set.iter().map(|&i| &lines[i].bounds).collect();
            let b = Blob::union(&bounds);
            let mut heights: Vec<usize> = set.iter().map(|&i| lines[i].letter_height).collect();
            heights.sort_unstable();
            Region {
                rect: Rect {
                    x: b.x0 as u32,
                    y: b.y0 as u32,
                    width: b.width() as u32,
                    height: b.height() as u32,
                },
                letter_height: heights[heights.len() / 2] as f32,
                lines: set.len(),
                dark_text: set.iter().filter(|&&i| lines[i].dark).count() * 2 >= set.len(),
                group,
                from_detector: false,
            }
        })
        .collect()
}

/// The lines of `set` in classes of one polarity and about one letter size (a region is
/// binarised for one polarity and scaled for one size: the light room number on a dark
/// plate above a dark name on a white card is two regions). Sorted by polarity and
/// height, a line starts a new class when its polarity differs or the class's smallest
/// line is under `SMALL_PRINT` of its height.
fn by_polarity_and_size(mut set: Vec<usize>, lines: &[TextLine]) -> Vec<Vec<usize>> {
    set.sort_by_key(|&i| (lines[i].dark, lines[i].letter_height));
    let mut classes: Vec<Vec<usize>> = Vec::new();
    for i in set {
        let (dark, height) = (lines[i].dark, lines[i].letter_height as f32);
        match classes.last_mut() {
            Some(class)
                if lines[class[0]].dark == dark
                    && lines[class[0]].letter_height as f32 >= height * SMALL_PRINT =>
            {
                class.push(i)
            }
            _ => classes.push(vec![i]),
        }
    }
    classes
}

/// Lines of one group this much smaller than its others are a region of their own.
const SMALL_PRINT: f32 = 0.65;

#[cfg(test)]
mod tests {
    use super::*;

    fn blob(x0: usize, y0: usize, x1: usize, y1: usize) -> Blob {
        Blob { x0, y0, x1, y1, pixels: (x1 - x0 + 1) * (y1 - y0 + 1) / 3 }
    }

    #[test]
    fn letters_side_by_side_chain_into_a_line_and_specks_do_not() {
        // "ABC" 12 px high with 4 px gaps, tilted a little; a lone letter far away; and
        // two blobs of very different heights side by side (a letter beside a post).
        let letters = [
            blob(0, 10, 7, 21),
            blob(12, 11, 19, 22),
            blob(24, 12, 31, 23),
            blob(300, 10, 307, 21),
            blob(500, 10, 507, 21),
            blob(510, 0, 515, 60),
        ];
        let lines = chain_lines(&letters, true);
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert_eq!((lines[0].bounds.x0, lines[0].bounds.x1, lines[0].letter_height), (0, 31, 12));
    }

    #[test]
    fn stroke_masks_compare_every_grey_level_exactly() {
        // Every (pixel, mean) pair, against the comparison in wider integers.
        let grey = GrayImage::from_fn(256, 256, |x, _| image::Luma([x as u8]));
        let mean = GrayImage::from_fn(256, 256, |_, y| image::Luma([y as u8]));
        for contrast in [0u8, 10, 12, 255] {
            for dark in [true, false] {
                let mask = stroke_mask(&grey, &mean, dark, contrast);
                for (i, &stroke) in mask.iter().enumerate() {
                    let (v, m, c) = ((i % 256) as i32, (i / 256) as i32, i32::from(contrast));
                    assert_eq!(stroke, if dark { v + c < m } else { v > m + c }, "{v} {m} {c} {dark}");
                }
            }
        }
    }

    #[test]
    fn a_run_together_word_counts_by_its_width() {
        let lines = chain_lines(&[blob(0, 0, 47, 11)], true);
        assert_eq!(lines.len(), 1, "a 4-letter-wide blob is a line");
        assert!(chain_lines(&[blob(0, 0, 15, 11)], true).is_empty(), "a 1-letter-wide blob is not");
    }

    /// A line of dark letters as tall as its box.
    fn line(x0: usize, y0: usize, x1: usize, y1: usize) -> TextLine {
        TextLine { bounds: blob(x0, y0, x1, y1), letter_height: y1 - y0 + 1, dark: true }
    }

    #[test]
    fn nearby_lines_share_a_region_and_distant_ones_do_not() {
        let regions = group(&[line(10, 10, 100, 20), line(10, 24, 90, 34), line(600, 600, 700, 610)]);
        assert_eq!(regions.len(), 2);
        let label = regions.iter().find(|r| r.lines == 2).expect("the two lines grouped");
        assert_eq!((label.rect.x, label.rect.y, label.rect.height), (10, 10, 25));
    }

    #[test]
    fn small_print_under_a_big_title_is_a_region_of_its_own() {
        // A door sign: a 40 px room number, a 16 px name under it, a 14 px line under that.
        let regions = group(&[line(10, 10, 300, 49), line(10, 60, 200, 75), line(10, 80, 180, 93)]);
        assert_eq!(regions.len(), 2, "{regions:?}");
        let small = regions.iter().find(|r| r.lines == 2).expect("the small lines together");
        assert_eq!((small.rect.y, small.rect.height, small.letter_height), (60, 34, 16.0));
        // Sizes within the ratio stay one region (a title a little larger than its body).
        assert_eq!(group(&[line(10, 10, 300, 29), line(10, 34, 200, 47)]).len(), 1);
        // Light letters on a dark plate above dark ones on a card: two regions, one group.
        let plate = TextLine { dark: false, ..line(10, 10, 300, 29) };
        let regions = group(&[plate, line(10, 34, 200, 47)]);
        assert_eq!(regions.len(), 2, "{regions:?}");
        assert!(regions[0].dark_text != regions[1].dark_text && regions[0].group == regions[1].group);
    }

    #[test]
    fn tall_letters_are_found_on_a_coarser_copy() {
        // A word of 150 px "L"s (16 px strokes) across a 3000 × 2000 photo: too tall for
        // the full-resolution search, found on the 4× copy, in the photo's pixels.
        let mut grey = GrayImage::from_pixel(3000, 2000, image::Luma([220]));
        for k in 0..8 {
            let x0 = 400 + k * 120;
            for y in 900..1050 {
                for x in x0..x0 + 80 {
                    if x < x0 + 16 || y >= 1034 {
                        grey.put_pixel(x, y, image::Luma([40]));
                    }
                }
            }
        }
        let tall = |r: &Region| r.letter_height > MAX_LETTER as f32;
        let regions = propose(&grey);
        // (The light halo around the dark strokes makes a light "line" of its own too.)
        let word = regions.iter().find(|r| tall(r) && r.dark_text).expect("the tall word");
        let r = word.rect;
        assert!((140.0..=160.0).contains(&word.letter_height), "{word:?}");
        assert!(r.x <= 400 && r.y <= 900 && r.x + r.width >= 1320 && r.y + r.height >= 1050, "{r:?}");
    }

    #[test]
    fn printed_text_is_found_where_it_is() {
        // Dark strokes on a pale label in a mid-grey photo, drawn as bars the size of
        // 14 px letters: the region must cover them, and the blank photo has none.
        let mut grey = GrayImage::from_pixel(1200, 900, image::Luma([120]));
        for y in 400..460 {
            for x in 500..800 {
                grey.put_pixel(x, y, image::Luma([230]));
            }
        }
        // Each letter an "L": a 2 px stem 14 px high and a 2 px foot 8 px wide.
        for (row, y0) in [(0, 410), (1, 435)] {
            for k in 0..12 {
                let x0 = 510 + k * 12 + row * 3;
                for y in y0..y0 + 14 {
                    for x in x0..x0 + 8 {
                        if x < x0 + 2 || y >= y0 + 12 {
                            grey.put_pixel(x, y, image::Luma([60]));
                        }
                    }
                }
            }
        }
        // (The pale label's edges, on the mid-grey, read as long run-together words of
        // both polarities: regions of their own at their own sizes, all on the label.)
        let regions = propose(&grey);
        let on_label = |r: &Region| r.rect.x < 800 && r.rect.x + r.rect.width > 500 && r.rect.y < 460;
        assert!(regions.iter().all(|r| on_label(r) && r.rect.y + r.rect.height > 400), "{regions:?}");
        let letters = regions.iter().find(|r| r.letter_height == 14.0).expect("the letters' region");
        let r = letters.rect;
        assert!(r.x <= 510 && r.y <= 410 && r.x + r.width >= 650 && r.y + r.height >= 449, "{r:?}");
        assert!(propose(&GrayImage::from_pixel(1200, 900, image::Luma([120]))).is_empty());
    }
}
