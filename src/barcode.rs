//! Barcodes: wristbands and specimen labels carry the MRN in a Code 128 or a 2D code.
//! Decoded with rxing on the displayed image's grey levels; the payload becomes text
//! for the recognizers, with the code's box so `clean` can cover it.
//!
//! A small 1D code in a 12 MP photo is readable only at full resolution, and rxing's
//! full-resolution multi-format search costs 1–2.5 s there. So the search first finds
//! where a code could be, cheaply (`candidates`: patches dense with strong edges, as
//! bars and modules are), and decodes full-resolution crops of those, straight and
//! tilted. Photos small enough to search whole quickly are also searched whole.

use crate::error::Result;
use crate::geometry::Rect;
use crate::limits::Deadline;
use crate::raster::{Shrunk, blobs, shrink_grey, tilted};
use rxing::{BarcodeFormat, DecodeHints};
use std::collections::HashSet;

/// One decoded barcode.
#[derive(Debug, Clone, PartialEq)]
pub struct Barcode {
    pub payload: String,
    pub format: String,
    /// Displayed-image pixels, widened to cover the whole code.
    pub bbox: Rect,
}

/// The formats found on wristbands, specimen labels and chart stickers. Searching for
/// every format invites false reads (an all-format search found a UPC-E in noise).
fn formats() -> HashSet<BarcodeFormat> {
    [
        BarcodeFormat::QR_CODE,
        BarcodeFormat::CODE_128,
        BarcodeFormat::DATA_MATRIX,
        BarcodeFormat::PDF_417,
        BarcodeFormat::CODE_39,
    ]
    .into_iter()
    .collect()
}

/// Tilts of the extra searches: 1D readers scan rows, and a wristband code tilted more
/// than a few degrees is missed on every row.
const TILTS: [f32; 2] = [-15.0, 15.0];

/// Photos with no more pixels than this are searched whole (a 1600 × 1200 photo is, in
/// about the time its candidate patches would take); larger ones patch by patch.
const WHOLE_SEARCH_PIXELS: u32 = 2_500_000;

/// Finds and decodes every barcode in the photo (its displayed image in grey): in a
/// small photo, the whole photo straight and tilted both ways; in a large one, each
/// candidate patch at full resolution, straight and, when that finds nothing, tilted.
pub fn read_all(grey: &image::GrayImage, deadline: &Deadline) -> Result<Vec<Barcode>> {
    deadline.check("searching for barcodes")?;
    let (w, h) = grey.dimensions();
    if w * h <= WHOLE_SEARCH_PIXELS {
        return Ok(search(grey, true).0);
    }
    let mut found: Vec<Barcode> = Vec::new();
    let mut searched = 0u64;
    for patch in candidates(grey) {
        deadline.check("searching for barcodes")?;
        let crop = image::imageops::crop_imm(grey, patch.x, patch.y, patch.width, patch.height).to_image();
        // A patch of dense edges as large as a quarter of a phone photo is texture, or a
        // code photographed so close that its bars survive a smaller copy.
        let area = u64::from(patch.width) * u64::from(patch.height);
        let k = (area as f64 / PATCH_PIXELS as f64).sqrt().ceil().max(1.0) as u32;
        let crop = if k > 1 { shrink_grey(&crop, patch.width.max(patch.height) / k).image } else { crop };
        if searched + u64::from(crop.width()) * u64::from(crop.height()) > SEARCH_BUDGET {
            break;
        }
        let (codes, cost) = search(&crop, false);
        searched += cost;
        for mut code in codes {
            code.bbox = code.bbox.scaled(k as f32, patch.x, patch.y, w, h);
            add_new(&mut found, code);
        }
    }
    Ok(found)
}

/// Most pixels one candidate patch is searched at, and the most pixels all the searches
/// of a photo together may cover (tilted copies included), densest patches first. On
/// real photos of texture (a lawn, foliage, a lake) the patches of dense edges are large
/// and many: searched whole they cost 1.1–1.5 s of a 12 MP photo; the budget bounds the
/// search near 0.3 s.
const PATCH_PIXELS: u32 = 600_000;
const SEARCH_BUDGET: u64 = 4_000_000;

fn add_new(codes: &mut Vec<Barcode>, code: Barcode) {
    if !codes.iter().any(|f| f.payload == code.payload && f.bbox.overlaps(&code.bbox)) {
        codes.push(code);
    }
}

/// The codes in `grey` read straight, and on copies tilted by `TILTS` (always, or only
/// when the straight read finds nothing); boxes in `grey`'s pixels, each code once.
fn search(grey: &image::GrayImage, always_tilt: bool) -> (Vec<Barcode>, u64) {
    let mut codes = decode_all(grey);
    let (w, h) = grey.dimensions();
    let mut cost = u64::from(w) * u64::from(h);
    if always_tilt || codes.is_empty() {
        for tilt in TILTS {
            cost += u64::from(w) * u64::from(h);
            let theta = tilt.to_radians();
            for mut code in decode_all(&tilted(grey, theta)) {
                code.bbox = code.bbox.unrotated(theta, w as f32 / 2.0, h as f32 / 2.0, w, h);
                add_new(&mut codes, code);
            }
        }
    }
    (codes, cost)
}

/// Side of the square cells the edge density is measured in, on the search copy.
const CELL: u32 = 12;
/// Longest side of the search copy: half a 12 MP photo, where 2 px bars still make
/// strong edges.
const CANDIDATE_SIDE: u32 = 2048;
/// A cell is dense when this share of its pixels are on a strong edge.
const DENSE_CELL: f32 = 0.3;
/// Grey-level step, across two pixels, of a strong edge (the edge of a bar).
const STRONG_EDGE: u8 = 25;
/// Most patches decoded, densest first: a bound on search time for photos of texture.
const MAX_PATCHES: usize = 16;

/// Where a barcode could be, in photo pixels: groups of adjacent cells dense with
/// strong edges (bars, modules, and also text and texture, which the decoder then
/// rejects), at least two cells, padded by a quiet zone.
pub fn candidates(grey: &image::GrayImage) -> Vec<Rect> {
    let (w, h) = grey.dimensions();
    let Shrunk { image: small, factor: k } = shrink_grey(grey, CANDIDATE_SIDE);
    let factor = k as f32;
    let (sw, sh) = (small.width() as usize, small.height() as usize);
    let (cols, rows) = (small.width().div_ceil(CELL), small.height().div_ceil(CELL));
    let mut strong = vec![0u32; (cols * rows) as usize];
    let px = small.as_raw();
    for y in 1..sh.saturating_sub(1) {
        for x in 1..sw.saturating_sub(1) {
            let i = y * sw + x;
            let dx = px[i + 1].abs_diff(px[i - 1]);
            let dy = px[i + sw].abs_diff(px[i - sw]);
            if dx.max(dy) >= STRONG_EDGE {
                strong[(y / CELL as usize) * cols as usize + x / CELL as usize] += 1;
            }
        }
    }
    let dense: Vec<bool> = strong.iter().map(|&n| n as f32 >= DENSE_CELL * (CELL * CELL) as f32).collect();
    // Groups of 8-connected dense cells, most cells first.
    let mut groups = blobs(dense, cols as usize, rows as usize);
    groups.retain(|g| g.pixels >= 2);
    groups.sort_by_key(|g| std::cmp::Reverse(g.pixels));
    groups
        .into_iter()
        .take(MAX_PATCHES)
        .map(|g| {
            // Two cells of quiet zone around the dense ones, in photo pixels.
            let to_photo =
                |c: usize, limit: u32| ((c as u32 * CELL) as f32 * factor).min(limit as f32) as u32;
            let (px0, py0) = (to_photo(g.x0.saturating_sub(2), w), to_photo(g.y0.saturating_sub(2), h));
            let (px1, py1) = (to_photo(g.x1 + 3, w), to_photo(g.y1 + 3, h));
            Rect { x: px0, y: py0, width: (px1 - px0).max(1), height: (py1 - py0).max(1) }
        })
        .collect()
}

/// Decodes every readable code in the image.
fn decode_all(grey: &image::GrayImage) -> Vec<Barcode> {
    let grey = grey.clone();
    let (w, h) = grey.dimensions();
    let mut hints =
        DecodeHints { PossibleFormats: Some(formats()), TryHarder: Some(true), ..DecodeHints::default() };
    let Ok(results) = rxing::helpers::detect_multiple_in_luma_with_hints(grey.into_raw(), w, h, &mut hints)
    else {
        return Vec::new(); // "not found" is an error in rxing's API
    };
    results
        .iter()
        .filter(|r| !r.getText().trim().is_empty())
        .map(|r| {
            let pts = r.getPoints();
            let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
            for p in pts {
                x0 = x0.min(p.x);
                y0 = y0.min(p.y);
                x1 = x1.max(p.x);
                y1 = y1.max(p.y);
            }
            // 1D readers report points on one scan line: grow the box to the bars'
            // likely height (and a quiet zone) so covering it hides the whole code.
            let (bw, bh) = (x1 - x0, y1 - y0);
            let grow_y = (bw * 0.35 - bh).max(0.0) / 2.0 + bw * 0.05;
            let grow_x = bw * 0.08;
            let (x0, y0) = ((x0 - grow_x).max(0.0), (y0 - grow_y).max(0.0));
            let (x1, y1) = ((x1 + grow_x).min(w as f32), (y1 + grow_y).min(h as f32));
            Barcode {
                payload: r.getText().to_string(),
                format: format!("{:?}", r.getBarcodeFormat()),
                bbox: Rect {
                    x: x0 as u32,
                    y: y0 as u32,
                    width: (x1 - x0).max(1.0) as u32,
                    height: (y1 - y0).max(1.0) as u32,
                },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 12 MP grey photo with, optionally, a patch of 2–4 px bars at (`x`, `y`).
    fn photo_with_bars(bars_at: Option<(u32, u32)>) -> image::GrayImage {
        let mut grey =
            image::GrayImage::from_fn(4032, 3024, |x, y| image::Luma([90 + ((x + y) / 80 % 20) as u8]));
        if let Some((x0, y0)) = bars_at {
            for y in y0..y0 + 60 {
                for x in x0..x0 + 200 {
                    let bar = (x - x0) / 2 % 3 == 0 || (x - x0) / 4 % 5 == 1;
                    grey.put_pixel(x, y, image::Luma([if bar { 20 } else { 235 }]));
                }
            }
        }
        grey
    }

    #[test]
    fn a_small_code_in_a_large_photo_is_a_candidate() {
        let patches = candidates(&photo_with_bars(Some((2501, 1703))));
        assert!(!patches.is_empty());
        let p = patches[0];
        assert!(p.x <= 2501 && p.y <= 1703 && p.x + p.width >= 2701 && p.y + p.height >= 1763, "{p:?}");
    }

    #[test]
    fn a_smooth_photo_has_no_candidates() {
        assert!(candidates(&photo_with_bars(None)).is_empty());
    }
}
