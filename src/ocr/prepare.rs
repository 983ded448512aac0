//! Preparing a candidate region for Tesseract: cut at full resolution, scaled to ~30 px
//! letters, contrast-stretched on its own levels, binarised against its own neighbourhood
//! with frames and barcode bars erased; and the tilt of its lines, to read it levelled.

use super::regions;
use crate::raster::{self, shrink_grey};
use image::GrayImage;

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
pub(super) fn prepared_size(region: &regions::Region) -> (u32, u32) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raster::tilted;

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
}
