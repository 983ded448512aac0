//! Grey-image operations the text stage runs on every photo, written for speed and
//! tested equal (or within a grey level or two) to the imageproc and image functions
//! they replace: those go through a per-pixel bounds-checked accessor or round every
//! tap through libm, and took a fifth of the instructions of a 12 MP scan.

use image::GrayImage;

/// The mean of each pixel's (2 × `radius` + 1)² neighbourhood, edges replicated:
/// exactly `imageproc::filter::box_filter(grey, radius, radius)`, whose column pass
/// walks the image column by column and took 200 ms of a 12 MP photo; here both passes
/// run row by row (the vertical one keeps a running sum per column).
pub fn box_mean(grey: &GrayImage, radius: u32) -> GrayImage {
    if grey.width() == 0 || grey.height() == 0 {
        return grey.clone();
    }
    // Floor division by `kernel` as a multiply and shift, without a divide per pixel
    // and pass. Sums are at most 255 × `kernel`; with a 20-bit shift the product fits
    // 32 bits (so the passes vectorise), and the quotient is exact while that bound
    // times the reciprocal's rounding error stays under 2²⁰ (radii up to 31); larger
    // radii multiply in 64 bits, exact for any radius under 2000.
    let kernel = 2 * radius + 1;
    let max_sum = 255 * u64::from(kernel);
    let m20 = (1u64 << 20).div_ceil(u64::from(kernel));
    if max_sum * (m20 * u64::from(kernel) - (1 << 20)) < 1 << 20 && max_sum * m20 < 1 << 32 {
        let m = m20 as u32;
        box_mean_by(grey, radius as usize, move |sum| ((sum * m) >> 20) as u8)
    } else {
        let m = (1u64 << 32).div_ceil(u64::from(kernel));
        box_mean_by(grey, radius as usize, move |sum| ((u64::from(sum) * m) >> 32) as u8)
    }
}

/// `box_mean` with the division by the window's size given.
fn box_mean_by(grey: &GrayImage, r: usize, divide: impl Fn(u32) -> u8) -> GrayImage {
    let (w, h) = (grey.width() as usize, grey.height() as usize);
    // Horizontal pass, truncated to whole grey levels as imageproc does.
    let mut across = vec![0u8; w * h];
    let mut padded = vec![0u32; w + 2 * r + 1];
    for (src, dst) in grey.as_raw().chunks_exact(w).zip(across.chunks_exact_mut(w)) {
        // The row with `r` copies of its end pixels on each side (and one spare).
        let (first, last) = (u32::from(src[0]), u32::from(src[w - 1]));
        padded[..r].fill(first);
        padded[r..r + w].iter_mut().zip(src).for_each(|(p, &v)| *p = u32::from(v));
        padded[r + w..].fill(last);
        let mut sum: u32 = padded[..2 * r + 1].iter().sum();
        for (x, d) in dst.iter_mut().enumerate() {
            *d = divide(sum);
            sum = sum + padded[x + 2 * r + 1] - padded[x];
        }
    }
    // Vertical pass: a window of rows slides down, one running sum per column.
    let row = |y: isize| &across[y.clamp(0, h as isize - 1) as usize * w..][..w];
    let mut sums = vec![0u32; w];
    for y in -(r as isize)..=r as isize {
        sums.iter_mut().zip(row(y)).for_each(|(s, &v)| *s += u32::from(v));
    }
    let mut out = vec![0u8; w * h];
    for y in 0..h {
        for (o, s) in out[y * w..][..w].iter_mut().zip(&sums) {
            *o = divide(*s);
        }
        let (enter, leave) = (row((y + r + 1) as isize), row(y as isize - r as isize));
        for ((s, &a), &b) in sums.iter_mut().zip(enter).zip(leave) {
            *s = *s + u32::from(a) - u32::from(b);
        }
    }
    GrayImage::from_raw(w as u32, h as u32, out).expect("buffer matches its size")
}

/// The Sobel gradient magnitude of each pixel, edges replicated: exactly
/// `imageproc::gradients::sobel_gradients`, which filters the image twice through its
/// generic kernel code and took 0.25 G instructions a photo in the tilt estimates.
pub fn sobel_magnitudes(grey: &GrayImage) -> Vec<u16> {
    let (w, h) = (grey.width() as usize, grey.height() as usize);
    let px = grey.as_raw();
    let mut out = vec![0u16; w * h];
    if w == 0 || h == 0 {
        return out;
    }
    let at = |x: usize, y: usize| i32::from(px[y * w + x]);
    for y in 0..h {
        let (up, down) = (y.saturating_sub(1), (y + 1).min(h - 1));
        for x in 0..w {
            let (left, right) = (x.saturating_sub(1), (x + 1).min(w - 1));
            let gx = at(right, up) - at(left, up) + 2 * (at(right, y) - at(left, y)) + at(right, down)
                - at(left, down);
            let gy = at(left, down) - at(left, up) + 2 * (at(x, down) - at(x, up)) + at(right, down)
                - at(right, up);
            out[y * w + x] = ((gx * gx + gy * gy) as f32).sqrt() as u16;
        }
    }
    out
}

/// The image turned clockwise by `theta` radians about its centre (same size; edges
/// replicated so the turned corners do not read as text), interpolated bilinearly as
/// `imageproc::geometric_transformations::rotate_about_center` does, within a grey
/// level: positions in 16.16 fixed point, stepped along each row, and 8-bit weights.
/// imageproc's generic warp went through a bounds-checked accessor per tap.
pub fn tilted(grey: &GrayImage, theta: f32) -> GrayImage {
    let (w, h) = grey.dimensions();
    let (wi, hi) = (i64::from(w), i64::from(h));
    let px = grey.as_raw();
    let (s, c) = theta.sin_cos();
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    const ONE: f32 = 65536.0;
    let (step_x, step_y) = ((c * ONE) as i64, (-s * ONE) as i64);
    let at = |x: i64, y: i64| u32::from(px[(y.clamp(0, hi - 1) * wi + x.clamp(0, wi - 1)) as usize]);
    let mut out = Vec::with_capacity((w * h) as usize);
    for y in 0..h {
        // The pre-image of the row's first pixel (the inverse turn about the centre),
        // then one step per pixel along the row.
        let (dx, dy) = (-cx, y as f32 - cy);
        let mut sx = ((c * dx + s * dy + cx) * ONE) as i64;
        let mut sy = ((-s * dx + c * dy + cy) * ONE) as i64;
        for _ in 0..w {
            // Arithmetic shifts floor, negative positions included.
            let (left, top) = (sx >> 16, sy >> 16);
            let (fx, fy) = (((sx >> 8) & 255) as u32, ((sy >> 8) & 255) as u32);
            let (a, b, cc, d) = if left >= 0 && top >= 0 && left + 1 < wi && top + 1 < hi {
                let i = (top * wi + left) as usize;
                let j = i + w as usize;
                (u32::from(px[i]), u32::from(px[i + 1]), u32::from(px[j]), u32::from(px[j + 1]))
            } else {
                (at(left, top), at(left + 1, top), at(left, top + 1), at(left + 1, top + 1))
            };
            let upper = (a * (256 - fx) + b * fx) >> 8;
            let lower = (cc * (256 - fx) + d * fx) >> 8;
            out.push(((upper * (256 - fy) + lower * fy) >> 8) as u8);
            sx += step_x;
            sy += step_y;
        }
    }
    GrayImage::from_raw(w, h, out).expect("buffer matches its size")
}

/// `grey` enlarged to `width` × `height` (each at least its own), interpolated
/// bilinearly between pixel centres, in 8-bit fixed point. The regions read by OCR
/// are enlarged 1–3 times before they are binarised; `image`'s Catmull-Rom resize
/// rounded every tap through a libm call and took a tenth of a scan's instructions.
pub fn enlarge(grey: &GrayImage, width: u32, height: u32) -> GrayImage {
    let (w, h) = (grey.width() as usize, grey.height() as usize);
    let (ow, oh) = (width as usize, height as usize);
    let px = grey.as_raw();
    // For each output column (row): the source column (row) to its left (above) and
    // the weight, out of 256, of the one after it.
    let taps = |out: usize, src: usize| -> Vec<(usize, u32)> {
        let ratio = src as f32 / out as f32;
        (0..out)
            .map(|i| {
                let pos = ((i as f32 + 0.5) * ratio - 0.5).clamp(0.0, (src - 1) as f32);
                let left = pos as usize;
                (left, ((pos - left as f32) * 256.0) as u32)
            })
            .collect()
    };
    let (columns, rows) = (taps(ow, w), taps(oh, h));
    let mut out = vec![0u8; ow * oh];
    // The two source rows blended, for one output row (one buffer for all of them).
    let mut blended = vec![0u32; w];
    for (dst, &(y0, fy)) in out.chunks_exact_mut(ow).zip(&rows) {
        let (upper, lower) = (&px[y0 * w..][..w], &px[(y0 + 1).min(h - 1) * w..][..w]);
        // Blend the two rows first, then along the row.
        for ((v, &a), &b) in blended.iter_mut().zip(upper).zip(lower) {
            *v = u32::from(a) * (256 - fy) + u32::from(b) * fy;
        }
        for (d, &(x0, fx)) in dst.iter_mut().zip(&columns) {
            let v = blended[x0] * (256 - fx) + blended[(x0 + 1).min(w - 1)] * fx;
            *d = ((v + 32768) >> 16) as u8;
        }
    }
    GrayImage::from_raw(width, height, out).expect("buffer matches its size")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(w: u32, h: u32) -> GrayImage {
        GrayImage::from_fn(w, h, |x, y| image::Luma([((x * 37 + y * 91) ^ (x * y)) as u8]))
    }

    #[test]
    fn box_mean_is_imageproc_box_filter() {
        let grey = pattern(157, 61);
        for radius in [0, 1, 12, 20, 40, 100] {
            assert_eq!(
                box_mean(&grey, radius),
                imageproc::filter::box_filter(&grey, radius, radius),
                "{radius}"
            );
        }
    }

    #[test]
    fn sobel_magnitudes_are_imageproc_sobel() {
        for (w, h) in [(157, 61), (1, 1), (2, 9)] {
            let grey = pattern(w, h);
            let theirs: Vec<u16> =
                imageproc::gradients::sobel_gradients(&grey).pixels().map(|p| p.0[0]).collect();
            assert_eq!(sobel_magnitudes(&grey), theirs, "{w}×{h}");
        }
    }

    #[test]
    fn enlarging_interpolates_between_pixel_centres() {
        // Two pixels, 0 and 200, enlarged 4 times: flat at each end, a ramp between.
        let grey = GrayImage::from_raw(2, 1, vec![0, 200]).unwrap();
        let wide = enlarge(&grey, 8, 3);
        let row: Vec<u8> = (0..8).map(|x| wide.get_pixel(x, 1).0[0]).collect();
        assert_eq!(row, [0, 0, 25, 75, 125, 175, 200, 200]);
        // Close to image's bilinear resize on a real pattern.
        let grey = pattern(61, 23);
        let ours = enlarge(&grey, 150, 70);
        let theirs = image::imageops::resize(&grey, 150, 70, image::imageops::FilterType::Triangle);
        let apart = ours.pixels().zip(theirs.pixels()).filter(|(a, b)| a.0[0].abs_diff(b.0[0]) > 2).count();
        assert!(apart * 50 < ours.len(), "{apart} pixels more than two levels from image's");
    }

    #[test]
    fn tilted_matches_imageproc_within_a_grey_level() {
        use imageproc::geometric_transformations::{Border, Interpolation, rotate_about_center};
        // Smooth shading and a sharp-edged block, turned both ways.
        let grey = GrayImage::from_fn(201, 97, |x, y| {
            image::Luma([if (60..120).contains(&x) && (30..60).contains(&y) {
                20
            } else {
                (x + 2 * y) as u8
            }])
        });
        for degrees in [-14.0f32, 3.0, 15.0] {
            let theta = degrees.to_radians();
            let theirs = rotate_about_center(&grey, theta, Interpolation::Bilinear, Border::Replicate);
            let ours = tilted(&grey, theta);
            let apart =
                ours.pixels().zip(theirs.pixels()).filter(|(a, b)| a.0[0].abs_diff(b.0[0]) > 1).count();
            // Where a pre-image falls within float rounding of a pixel edge, the two
            // may take neighbouring source pixels: a few along the block's edges.
            assert!(apart * 200 < grey.len(), "{degrees}°: {apart} pixels differ by more than one level");
        }
    }
}
