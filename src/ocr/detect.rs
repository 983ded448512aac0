//! Where the text is: PP-OCRv4's text detector (DB, "differentiable binarisation"),
//! run through ONNX Runtime, in front of recognition.
//!
//! The detector gives each pixel of a reduced copy the probability that it lies inside
//! a line of text; lines are the connected areas above `PIXEL_THRESHOLD` whose mean
//! probability reaches `LINE_THRESHOLD`, grown back by DB's "unclip" (the model is
//! trained on lines shrunk by a margin proportional to their area over their
//! perimeter). Texture — grass, fur, foliage, fabric, water — has letter-like edges but
//! no lines of letters, and the model learnt the difference: on real photos the
//! hand-made region search this replaces proposed regions all over texture, and OCR
//! time grew with texture instead of with text.
//!
//! Pre- and post-processing follow RapidOCR's (the package the model ships in): mean
//! and deviation 0.5 on each channel, sides a multiple of 32, thresholds 0.3 and 0.5,
//! unclip ratio 1.6. The copy is grey in all three channels (the pipeline reads text in
//! grey); its longest side is `DETECT_SIDE`, small photos enlarged up to twice.

use crate::error::Result;
use crate::geometry::Rect;
use crate::models::{Model, TEXT_DETECTOR};
use image::GrayImage;
use ort::value::Tensor;

/// One line of text found by the detector, in photo pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextLine {
    pub rect: Rect,
    /// The height of the line of letters (ascenders to descenders), across its tilt.
    pub line_height: f32,
    /// The detector's mean probability over the line, 0–1.
    pub score: f32,
}

/// Longest side of the copy the detector sees, and the most a small photo is enlarged.
/// At 1280 px a 12 MP phone photo's smallest readable text (a label's ~12 px letters at
/// full size) is ~4 px: found, as a line, while the detector's cost stays near 0.3 s
/// per photo on one core.
pub const DETECT_SIDE: u32 = 1280;
const MAX_UPSCALE: f32 = 2.0;
/// RapidOCR's defaults for this model.
const PIXEL_THRESHOLD: f32 = 0.3;
const LINE_THRESHOLD: f32 = 0.5;
const UNCLIP_RATIO: f32 = 1.6;
/// Lines thinner than this, in detector pixels, are specks.
const MIN_SIDE: usize = 3;

/// The lines of text in `grey`, in its own pixels, in no particular order.
pub fn find_lines(grey: &GrayImage) -> Result<Vec<TextLine>> {
    find_lines_with(&TEXT_DETECTOR, grey, DETECT_SIDE)
}

/// Opens a session of the detector ahead, on this thread (`ocr::start_ahead`).
pub(super) fn open_ahead() {
    TEXT_DETECTOR.open_ahead([1, 3, 64, 64]);
}

/// [`find_lines`] on a crop at its own size (never enlarged): where small print in a
/// large photo is too small for the detector's reduced copy of the whole photo.
pub fn find_lines_at_full_size(grey: &GrayImage) -> Result<Vec<TextLine>> {
    let side = grey.width().max(grey.height());
    find_lines_with(&TEXT_DETECTOR, grey, side.min(DETECT_SIDE))
}

fn find_lines_with(model: &Model, grey: &GrayImage, side: u32) -> Result<Vec<TextLine>> {
    let (w, h) = grey.dimensions();
    if w < 8 || h < 8 {
        return Ok(Vec::new());
    }
    let scale = (side as f32 / w.max(h) as f32).min(MAX_UPSCALE);
    let to32 = |v: u32| ((v as f32 * scale / 32.0).round() as u32).max(1) * 32;
    let (dw, dh) = (to32(w), to32(h));
    let small = resize_for_detector(grey, dw, dh);
    let plane = small.as_raw().iter().map(|&v| f32::from(v) / 127.5 - 1.0);
    let mut input = Vec::with_capacity(3 * plane.len());
    for _ in 0..3 {
        input.extend(plane.clone());
    }
    // The tensor is made inside: making one needs the runtime `with` loads.
    let probability = model.with(|session| {
        let shape = [1usize, 3, dh as usize, dw as usize];
        let tensor = Tensor::from_array((shape, input)).map_err(|e| model.error(e))?;
        let outputs = session.run(ort::inputs![tensor]).map_err(|e| model.error(e))?;
        let (_, values) = outputs[0].try_extract_tensor::<f32>().map_err(|e| model.error(e))?;
        Ok(values.to_vec())
    })?;
    if probability.len() != (dw * dh) as usize {
        return Err(model.error(format!("unexpected output size {} for {dw}×{dh}", probability.len())));
    }
    let (fx, fy) = (w as f32 / dw as f32, h as f32 / dh as f32);
    Ok(lines_in(&probability, dw as usize, dh as usize)
        .into_iter()
        .map(|l| TextLine {
            rect: scale_back(l.rect, fx, fy, w, h),
            line_height: l.line_height * fy,
            score: l.score,
        })
        .collect())
}

/// The photo at the detector's size: block means down to the nearest whole factor
/// (cheap, and no aliasing of fine print), then the triangle filter for the rest.
fn resize_for_detector(grey: &GrayImage, dw: u32, dh: u32) -> GrayImage {
    let (w, h) = grey.dimensions();
    let k = (w / dw).min(h / dh);
    let blocks;
    let source = if k >= 2 {
        blocks = crate::raster::shrink_grey(grey, w.max(h).div_ceil(k)).image;
        &blocks
    } else {
        grey
    };
    image::imageops::resize(source, dw, dh, image::imageops::FilterType::Triangle)
}

fn scale_back(r: Rect, fx: f32, fy: f32, w: u32, h: u32) -> Rect {
    let x0 = ((r.x as f32 * fx).floor() as u32).min(w - 1);
    let y0 = ((r.y as f32 * fy).floor() as u32).min(h - 1);
    let x1 = (((r.x + r.width) as f32 * fx).ceil() as u32).clamp(x0 + 1, w);
    let y1 = (((r.y + r.height) as f32 * fy).ceil() as u32).clamp(y0 + 1, h);
    Rect { x: x0, y: y0, width: x1 - x0, height: y1 - y0 }
}

/// The median thickness of a component across its length: over the columns of its box
/// (`across_columns`, a line lying along x) the distance from its top pixel to its
/// bottom pixel in that column, or over the rows (a line standing on its end) from its
/// leftmost to its rightmost pixel.
fn median_thickness(
    label: &[u32],
    w: usize,
    id: u32,
    (x0, y0, x1, y1): (usize, usize, usize, usize),
    across_columns: bool,
) -> usize {
    // The distance from the first to the last of a column's (row's) pixels in the line.
    fn span(mut along: impl DoubleEndedIterator<Item = usize>) -> Option<usize> {
        let first = along.next()?;
        Some(along.next_back().unwrap_or(first) - first + 1)
    }
    let mut thicknesses: Vec<usize> = if across_columns {
        (x0..=x1).filter_map(|x| span((y0..=y1).filter(|&y| label[y * w + x] == id))).collect()
    } else {
        (y0..=y1).filter_map(|y| span((x0..=x1).filter(|&x| label[y * w + x] == id))).collect()
    };
    if thicknesses.is_empty() {
        return 1;
    }
    let mid = thicknesses.len() / 2;
    *thicknesses.select_nth_unstable(mid).1
}

/// Lines in a probability map (`w` × `h`, row-major), in map pixels: connected areas
/// over `PIXEL_THRESHOLD` (4-connected), kept when their mean reaches
/// `LINE_THRESHOLD`, unclipped.
pub fn lines_in(probability: &[f32], w: usize, h: usize) -> Vec<TextLine> {
    let mut label = vec![0u32; w * h];
    let mut lines = Vec::new();
    let mut stack = Vec::new();
    let mut next = 0u32;
    for start in 0..w * h {
        if label[start] != 0 || probability[start] <= PIXEL_THRESHOLD {
            continue;
        }
        next += 1;
        label[start] = next;
        stack.push(start);
        let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
        let (mut count, mut sum) = (0usize, 0f32);
        while let Some(i) = stack.pop() {
            let (x, y) = (i % w, i / w);
            (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
            count += 1;
            sum += probability[i];
            let mut visit = |j: usize| {
                if label[j] == 0 && probability[j] > PIXEL_THRESHOLD {
                    label[j] = next;
                    stack.push(j);
                }
            };
            if x > 0 {
                visit(i - 1);
            }
            if x + 1 < w {
                visit(i + 1);
            }
            if y > 0 {
                visit(i - w);
            }
            if y + 1 < h {
                visit(i + w);
            }
        }
        let (bw, bh) = (x1 - x0 + 1, y1 - y0 + 1);
        let score = sum / count as f32;
        if bw.min(bh) < MIN_SIDE || score < LINE_THRESHOLD {
            continue;
        }
        // Length and thickness of the shrunk line: the thickness is the median height of
        // its columns (a tilted line's columns are as tall as the line is thick, over the
        // cosine of its tilt; holes in the map do not thin it), or the median width of
        // its rows for a line standing on its end (a page photographed sideways); the
        // length its box's longer side, or diagonal when tilted.
        let lying = bw >= bh;
        let thickness = median_thickness(&label, w, next, (x0, y0, x1, y1), lying) as f32;
        let (long, short) = if lying { (bw as f32, bh as f32) } else { (bh as f32, bw as f32) };
        let length = if short <= thickness * 1.5 { long } else { long.hypot(short) };
        let grow = length * thickness * UNCLIP_RATIO / (2.0 * (length + thickness));
        let g = grow.round() as usize;
        let (gx0, gy0) = (x0.saturating_sub(g), y0.saturating_sub(g));
        let (gx1, gy1) = ((x1 + g).min(w - 1), (y1 + g).min(h - 1));
        lines.push(TextLine {
            rect: Rect {
                x: gx0 as u32,
                y: gy0 as u32,
                width: (gx1 - gx0 + 1) as u32,
                height: (gy1 - gy0 + 1) as u32,
            },
            line_height: thickness + 2.0 * grow,
            score,
        });
    }
    lines
}

/// Share of a line's height taken for its letters' median height when no letter can
/// be measured in it (`regions::letter_height`).
const LETTER_SHARE: f32 = 0.5;

/// The regions to read, from the detector's lines: pieces of one line (words the
/// detector split at a wide space, "MRN" and its number) joined, and nearby lines
/// given one group, so that a door sign's name is read in one pass with the room
/// number above it. Each region is one line, its polarity judged from its own pixels.
pub fn regions(grey: &GrayImage, lines: &[TextLine]) -> Vec<super::regions::Region> {
    let joined = join_pieces(lines);
    let groups = group_nearby(&joined);
    joined
        .iter()
        .zip(groups)
        .map(|(l, group)| {
            let pad = (l.line_height * 0.15).round() as u32;
            let rect = pad_rect(l.rect, pad, grey.width(), grey.height());
            // The polarity with more letter-shaped blobs; the grey levels' tails decide
            // a tie (a label on skin: the skin, not the letters, can be the far tail).
            let crop = image::imageops::crop_imm(grey, rect.x, rect.y, rect.width, rect.height).to_image();
            let (on_light, on_dark) =
                (super::regions::letters(&crop, true), super::regions::letters(&crop, false));
            let dark = match on_light.0.cmp(&on_dark.0) {
                std::cmp::Ordering::Greater => true,
                std::cmp::Ordering::Less => false,
                std::cmp::Ordering::Equal => dark_text(grey, rect),
            };
            let measured = if dark { on_light.1 } else { on_dark.1 };
            let letter_height = measured.unwrap_or(l.line_height * LETTER_SHARE);
            super::regions::Region {
                rect,
                letter_height,
                lines: 1,
                dark_text: dark,
                group,
                from_detector: true,
            }
        })
        .collect()
}

fn pad_rect(r: Rect, pad: u32, w: u32, h: u32) -> Rect {
    let (x0, y0) = (r.x.saturating_sub(pad), r.y.saturating_sub(pad));
    let (x1, y1) = ((r.x + r.width + pad).min(w), (r.y + r.height + pad).min(h));
    Rect { x: x0, y: y0, width: x1 - x0, height: y1 - y0 }
}

/// Gap between two spans (negative when they overlap by that much).
fn gap(a0: u32, a1: u32, b0: u32, b1: u32) -> f32 {
    a0.max(b0) as f32 - a1.min(b1) as f32
}

/// Joins pieces of one line: level boxes of similar height that overlap vertically by
/// half the smaller and stand less than a line height apart.
fn join_pieces(lines: &[TextLine]) -> Vec<TextLine> {
    let same_line = |a: &TextLine, b: &TextLine| {
        let (ha, hb) = (a.line_height, b.line_height);
        let level = |l: &TextLine| l.rect.height as f32 <= l.line_height * 1.5;
        level(a)
            && level(b)
            && ha.max(hb) <= ha.min(hb) * 1.5
            && -gap(a.rect.y, a.rect.y + a.rect.height, b.rect.y, b.rect.y + b.rect.height)
                >= 0.5 * a.rect.height.min(b.rect.height) as f32
            && gap(a.rect.x, a.rect.x + a.rect.width, b.rect.x, b.rect.x + b.rect.width) <= ha.max(hb)
    };
    let sets = crate::cluster::connected_sets(lines, same_line);
    let mut joined: Vec<TextLine> = Vec::new();
    let mut index_of = std::collections::HashMap::new();
    for (line, set) in lines.iter().zip(sets) {
        match index_of.get(&set) {
            None => {
                index_of.insert(set, joined.len());
                joined.push(*line);
            }
            Some(&i) => {
                let j: &mut TextLine = &mut joined[i];
                j.rect = j.rect.union(line.rect);
                j.line_height = j.line_height.max(line.line_height);
                j.score = j.score.min(line.score);
            }
        }
    }
    joined
}

/// One group number per line: lines of comparable height (within 2×) less than one
/// and a half line heights apart, vertically and horizontally.
fn group_nearby(lines: &[TextLine]) -> Vec<usize> {
    crate::cluster::connected_sets(lines, |a, b| {
        let reach = 1.5 * a.line_height.max(b.line_height);
        a.line_height.max(b.line_height) <= 2.0 * a.line_height.min(b.line_height)
            && gap(a.rect.y, a.rect.y + a.rect.height, b.rect.y, b.rect.y + b.rect.height) <= reach
            && gap(a.rect.x, a.rect.x + a.rect.width, b.rect.x, b.rect.x + b.rect.width) <= reach
    })
}

/// Whether the text in `rect` is darker than its background: letters are the
/// minority of a line's pixels, so the grey levels' far tail from the median is theirs.
fn dark_text(grey: &GrayImage, rect: Rect) -> bool {
    let mut histogram = [0u32; 256];
    let mut total = 0u32;
    for y in rect.y..rect.y + rect.height {
        for x in rect.x..rect.x + rect.width {
            histogram[grey.get_pixel(x, y)[0] as usize] += 1;
            total += 1;
        }
    }
    let level = |share: f32| {
        let target = (total as f32 * share) as u32;
        let mut seen = 0;
        histogram
            .iter()
            .position(|&n| {
                seen += n;
                seen > target
            })
            .unwrap_or(0) as i32
    };
    let (low, median, high) = (level(0.05), level(0.5), level(0.95));
    median - low >= high - median
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sets the probability of the map's pixels in `xs` × `ys` (`w` wide) to `p`.
    fn paint(map: &mut [f32], w: usize, xs: std::ops::Range<usize>, ys: std::ops::Range<usize>, p: f32) {
        for y in ys {
            map[y * w + xs.start..y * w + xs.end].fill(p);
        }
    }

    #[test]
    fn lines_are_thresholded_scored_and_unclipped() {
        let (w, h) = (100, 40);
        let mut map = vec![0.0f32; w * h];
        // A level line 60 × 4 at probability 0.9, and a faint one (mean under 0.5).
        paint(&mut map, w, 20..80, 10..14, 0.9);
        paint(&mut map, w, 10..40, 30..33, 0.4);
        // A speck two pixels high.
        map[2 * w + 5] = 0.9;
        map[3 * w + 5] = 0.9;
        let lines = lines_in(&map, w, h);
        assert_eq!(lines.len(), 1, "{lines:?}");
        let l = lines[0];
        // grow = 60·4·1.6 / (2·64) = 3
        assert_eq!(l.rect, Rect { x: 17, y: 7, width: 66, height: 10 });
        assert!((l.line_height - 10.0).abs() < 1e-3);
        assert!((l.score - 0.9).abs() < 1e-4);
    }

    #[test]
    fn a_line_standing_on_end_is_as_thick_as_its_rows_are_wide() {
        // The level line of the test above turned a quarter: 4 × 60. Measured across
        // its columns it would be 60 thick, and grown by 16 px all round.
        let (w, h) = (40, 100);
        let mut map = vec![0.0f32; w * h];
        paint(&mut map, w, 10..14, 20..80, 0.9);
        let lines = lines_in(&map, w, h);
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert_eq!(lines[0].rect, Rect { x: 7, y: 17, width: 10, height: 66 });
        assert!((lines[0].line_height - 10.0).abs() < 1e-3);
    }

    fn line(x: u32, y: u32, width: u32, height: u32) -> TextLine {
        TextLine { rect: Rect { x, y, width, height }, line_height: height as f32, score: 0.9 }
    }

    #[test]
    fn pieces_of_a_line_join_and_nearby_lines_group() {
        let lines = [
            line(10, 10, 40, 20),  // "MRN:"
            line(60, 12, 100, 20), // its number, a wide space away
            line(10, 40, 120, 20), // the next line
            line(400, 10, 50, 20), // far to the right: another text
            line(10, 300, 50, 60), // far below, taller
        ];
        let joined = join_pieces(&lines);
        assert_eq!(joined.len(), 4);
        assert_eq!(joined[0].rect, Rect { x: 10, y: 10, width: 150, height: 22 });
        assert_eq!(group_nearby(&joined), vec![0, 0, 1, 2]);
    }

    #[test]
    fn text_polarity_is_read_from_the_tails() {
        let mut dark = GrayImage::from_pixel(60, 20, image::Luma([220]));
        let mut light = GrayImage::from_pixel(60, 20, image::Luma([30]));
        for x in (5..55).step_by(4) {
            for y in 5..15 {
                dark.put_pixel(x, y, image::Luma([20]));
                light.put_pixel(x, y, image::Luma([240]));
            }
        }
        let all = Rect { x: 0, y: 0, width: 60, height: 20 };
        assert!(dark_text(&dark, all));
        assert!(!dark_text(&light, all));
    }

    #[test]
    fn boxes_scale_back_inside_the_photo() {
        let r = scale_back(Rect { x: 30, y: 10, width: 10, height: 5 }, 3.2, 3.15, 128, 50);
        assert_eq!(r, Rect { x: 96, y: 31, width: 32, height: 17 });
    }
}
