//! Pixel operations every stage shares, apart from the stages: grey conversion, reduced
//! copies (`fit_within`, `shrink_grey`), the per-pixel filters the text stage runs
//! ([`filters`]) and connected blobs of a mask ([`blobs`]). Depends on nothing of ours.

pub mod blobs;
pub mod filters;

pub use blobs::{Blob, blobs};
pub use filters::{box_mean, enlarge, sobel_magnitudes, tilted};

use image::{DynamicImage, GrayImage};

/// The size of a `w`×`h` picture reduced to fit `side` on its longer side (aspect kept),
/// or `None` when it already fits: the one rule for every reduced copy the stages make.
pub fn fit_within(w: u32, h: u32, side: u32) -> Option<(u32, u32)> {
    let fit = side as f32 / w.max(h).max(1) as f32;
    let scaled = |v: u32| ((v as f32 * fit).round() as u32).max(1);
    (fit < 1.0).then(|| (scaled(w), scaled(h)))
}

/// A grey picture reduced by a whole factor ([`shrink_grey`]).
#[derive(Debug, Clone)]
pub struct Shrunk {
    /// The reduced picture.
    pub image: GrayImage,
    /// How many original pixels each of its pixels spans across (1: a copy).
    pub factor: u32,
}

/// `grey` reduced by the smallest whole factor that fits it within `side` on its
/// longer side, each output pixel the mean of a factor × factor block, and the factor
/// (1: a copy, it already fits). A box mean is several times faster than a resampling
/// filter on a 12 MP photo (the stages that search for text and codes each make one)
/// and does not alias fine print into noise.
pub fn shrink_grey(grey: &GrayImage, side: u32) -> Shrunk {
    let (w, h) = grey.dimensions();
    let k = w.max(h).div_ceil(side.max(1)).max(1);
    if k == 1 {
        return Shrunk { image: grey.clone(), factor: 1 };
    }
    let (sw, sh) = ((w / k).max(1), (h / k).max(1));
    let (src, k_us) = (grey.as_raw(), k as usize);
    let mut out = Vec::with_capacity((sw * sh) as usize);
    // The `k` rows of a block are summed column by column first (a loop the compiler
    // vectorises), then each run of `k` columns.
    let mut columns = vec![0u32; w as usize];
    for oy in 0..sh {
        columns.fill(0);
        for row in src.chunks_exact(w as usize).skip((oy * k) as usize).take(k_us) {
            columns.iter_mut().zip(row).for_each(|(c, &v)| *c += u32::from(v));
        }
        out.extend(
            columns.chunks_exact(k_us).take(sw as usize).map(|c| (c.iter().sum::<u32>() / (k * k)) as u8),
        );
    }
    Shrunk { image: GrayImage::from_raw(sw, sh, out).expect("buffer matches its size"), factor: k }
}

/// The picture in grey with `DynamicImage::to_luma8`'s Rec. 709 weights, in one tight
/// loop for 8-bit RGB. `to_luma8` converts through the colour space the decoder reports,
/// pixel by pixel, and took 60–90 ms of a 12 MP photo's text stage; this takes ~20 ms.
/// Rounding differs: some pixels come out one grey level apart (5 of 1.9 million in one
/// corpus photo, 579 of 12 million in another).
pub fn grey(pixels: &DynamicImage) -> GrayImage {
    let Some(rgb) = pixels.as_rgb8() else {
        return pixels.to_luma8();
    };
    // The weights in 16-bit fixed point (they sum to 65536), rounded to nearest: a
    // float `round` is a libm call per pixel, 12 million calls in a 12 MP photo.
    let luma = rgb
        .as_raw()
        .chunks_exact(3)
        .map(|p| {
            let sum = 13933 * u32::from(p[0]) + 46871 * u32::from(p[1]) + 4732 * u32::from(p[2]);
            ((sum + 32768) >> 16) as u8
        })
        .collect();
    GrayImage::from_raw(rgb.width(), rgb.height(), luma).expect("one grey pixel per RGB pixel")
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageFormat, RgbImage};
    use std::io::Cursor;

    #[test]
    fn grey_is_what_the_image_crate_makes() {
        // A decoded JPEG, as photos arrive: at most one grey level apart (rounding).
        let rgb = RgbImage::from_fn(320, 240, |x, y| {
            image::Rgb([(x * 4 % 256) as u8, (y * 5 % 256) as u8, ((x ^ y) % 256) as u8])
        });
        let mut jpeg = Vec::new();
        DynamicImage::ImageRgb8(rgb).write_to(&mut Cursor::new(&mut jpeg), ImageFormat::Jpeg).unwrap();
        let pixels = image::load_from_memory_with_format(&jpeg, ImageFormat::Jpeg).unwrap();
        assert!(pixels.as_rgb8().is_some(), "decoded as 8-bit RGB, as the decode stage gives it");
        let (ours, theirs) = (grey(&pixels), pixels.to_luma8());
        let apart: Vec<u8> = ours.as_raw().iter().zip(theirs.as_raw()).map(|(a, b)| a.abs_diff(*b)).collect();
        assert!(apart.iter().all(|&d| d <= 1), "never more than one level apart");
        // Other pixel types go through `to_luma8` itself.
        let rgba = DynamicImage::ImageRgba8(pixels.to_rgba8());
        assert_eq!(grey(&rgba), rgba.to_luma8());
    }

    #[test]
    fn shrinking_averages_whole_blocks() {
        // 4032 × 3024 into 1800: a factor of 3 (2 would leave 2016 px), so 1344 × 1008.
        let grey = GrayImage::from_fn(4032, 3024, |x, _| image::Luma([if x % 3 == 0 { 30 } else { 240 }]));
        let Shrunk { image: small, factor: k } = shrink_grey(&grey, 1800);
        assert_eq!((k, small.width(), small.height()), (3, 1344, 1008));
        assert_eq!(small.get_pixel(7, 9).0[0], 170, "(30 + 240 + 240) / 3");
        let Shrunk { image: same, factor: k } = shrink_grey(&grey, 5000);
        assert_eq!((k, same.dimensions()), (1, grey.dimensions()));
    }
}
