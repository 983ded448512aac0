//! Backgrounds and degradations: photo-like surfaces behind the object, then uneven
//! lighting, blur, sensor grain and JPEG quality.

use crate::paint::{Rect, blend_rgb, jitter, paint_sdf, sd_ellipse, sd_round_rect, to_u8};
use crate::rng::Lcg;
use image::RgbImage;

/// Colours of a surface behind the object: two gradient ends and accent colours for shapes.
pub(crate) struct Palette {
    base: [[u8; 3]; 2],
    accents: &'static [[u8; 3]],
}

pub(crate) const WALL: Palette = Palette {
    base: [[226, 218, 200], [196, 204, 198]],
    accents: &[[180, 170, 150], [240, 240, 235], [150, 160, 172], [122, 100, 80], [205, 215, 225]],
};
pub(crate) const BED: Palette = Palette {
    base: [[236, 240, 245], [198, 214, 230]],
    accents: &[[170, 190, 215], [252, 252, 252], [140, 150, 165], [120, 130, 140]],
};
pub(crate) const DESK: Palette = Palette {
    base: [[156, 116, 80], [118, 88, 60]],
    accents: &[[92, 70, 50], [210, 208, 200], [60, 60, 66], [235, 232, 220]],
};
pub(crate) const DARK: Palette =
    Palette { base: [[28, 30, 34], [58, 60, 66]], accents: &[[16, 16, 18], [82, 86, 92], [40, 44, 52]] };
pub(crate) const OUTDOOR: Palette = Palette {
    base: [[150, 186, 222], [210, 216, 224]],
    accents: &[[162, 150, 138], [110, 122, 100], [200, 190, 170], [90, 92, 96]],
};
pub(crate) const TABLE: Palette = Palette {
    base: [[122, 86, 56], [236, 230, 220]],
    accents: &[[250, 250, 248], [170, 44, 40], [92, 62, 40], [40, 70, 60]],
};
/// Grey office laminate (documents only).
pub(crate) const OFFICE: Palette = Palette {
    base: [[168, 170, 172], [124, 128, 134]],
    accents: &[[92, 94, 98], [210, 212, 206], [60, 62, 68], [150, 122, 92]],
};

/// A photo-like surface: a two-colour gradient, low-frequency mottling, a few soft shapes
/// (trim, furniture edges, fabric folds).
pub(crate) fn background(rng: &mut Lcg, w: u32, h: u32, pal: &Palette) -> RgbImage {
    let c0 = jitter(rng, pal.base[0], 14.0);
    let c1 = jitter(rng, pal.base[1], 14.0);
    let angle = rng.range(0.0, std::f32::consts::TAU);
    let (ca, sa) = (angle.cos(), angle.sin());
    let diag = (w as f32).hypot(h as f32);
    // Mottling: a coarse grid of offsets, bilinearly interpolated.
    let (gw, gh) = (9usize, 7usize);
    let amp = rng.range(4.0, 12.0);
    let grid: Vec<f32> = (0..gw * gh).map(|_| rng.range(-amp, amp)).collect();
    let mut img = RgbImage::new(w, h);
    for (x, y, p) in img.enumerate_pixels_mut() {
        let (fx, fy) = (x as f32, y as f32);
        let t = (((fx - w as f32 / 2.0) * ca + (fy - h as f32 / 2.0) * sa) / diag + 0.5).clamp(0.0, 1.0);
        let gx = fx / w as f32 * (gw - 1) as f32;
        let gy = fy / h as f32 * (gh - 1) as f32;
        let (ix, iy) = ((gx as usize).min(gw - 2), (gy as usize).min(gh - 2));
        let (tx, ty) = (gx - ix as f32, gy - iy as f32);
        let g = |i: usize, j: usize| grid[j * gw + i];
        let n = g(ix, iy) * (1.0 - tx) * (1.0 - ty)
            + g(ix + 1, iy) * tx * (1.0 - ty)
            + g(ix, iy + 1) * (1.0 - tx) * ty
            + g(ix + 1, iy + 1) * tx * ty;
        for i in 0..3 {
            p[i] = (f32::from(c0[i]) * (1.0 - t) + f32::from(c1[i]) * t + n).clamp(0.0, 255.0) as u8;
        }
    }
    let (wf, hf) = (w as f32, h as f32);
    for _ in 0..rng.int(2, 5) {
        let accent = *rng.pick(pal.accents);
        let color = jitter(rng, accent, 10.0);
        let alpha = rng.range(0.35, 0.9);
        let soft = rng.range(1.0, 6.0) * wf / 1600.0;
        match rng.int(0, 2) {
            0 => {
                // A band across the frame (wall trim, bed rail, desk edge).
                let horizontal = rng.chance(0.6);
                let (pos, thick) = (rng.range(0.0, 1.0), rng.range(0.02, 0.18));
                let r = if horizontal {
                    [-10.0, pos * hf, wf + 10.0, (pos + thick) * hf]
                } else {
                    [pos * wf, -10.0, (pos + thick) * wf, hf + 10.0]
                };
                paint_rgb(&mut img, r, color, alpha, soft, sd_round_rect(r, 0.0));
            }
            1 => {
                let (cx, cy) = (rng.range(0.0, wf), rng.range(0.0, hf));
                let (rx, ry) = (rng.range(0.05, 0.3) * wf, rng.range(0.05, 0.3) * hf);
                paint_rgb(
                    &mut img,
                    [cx - rx, cy - ry, cx + rx, cy + ry],
                    color,
                    alpha,
                    soft,
                    sd_ellipse(cx, cy, rx, ry),
                );
            }
            _ => {
                let (x0, y0) = (rng.range(-0.1, 0.9) * wf, rng.range(-0.1, 0.9) * hf);
                let r = [x0, y0, x0 + rng.range(0.1, 0.45) * wf, y0 + rng.range(0.1, 0.45) * hf];
                paint_rgb(&mut img, r, color, alpha, soft, sd_round_rect(r, soft * 4.0));
            }
        }
    }
    img
}

/// Paints a shape with a soft edge `soft` pixels wide onto an RGB image.
fn paint_rgb(
    img: &mut RgbImage,
    bbox: Rect,
    color: [u8; 3],
    alpha: f32,
    soft: f32,
    sdf: impl Fn(f32, f32) -> f32,
) {
    let (w, h) = img.dimensions();
    let grown = [bbox[0] - soft, bbox[1] - soft, bbox[2] + soft, bbox[3] + soft];
    paint_sdf(
        w,
        h,
        grown,
        |x, y| sdf(x, y) / soft.max(1.0),
        |x, y, cov| blend_rgb(img.get_pixel_mut(x, y), color, cov * alpha),
    );
}

/// A cheap integer hash for per-pixel grain (independent of the LCG so it costs nothing).
pub(crate) fn hash3(x: u32, y: u32, seed: u32) -> u32 {
    let mut h = x.wrapping_mul(0x8da6_b343) ^ y.wrapping_mul(0xd816_3841) ^ seed.wrapping_mul(0xcb1a_b31f);
    h ^= h >> 13;
    h = h.wrapping_mul(0x5bd1_e995);
    h ^ (h >> 15)
}

/// Degradations applied to the finished frame, drawn once per photo.
pub(crate) struct Degrade {
    /// Brightness gradient strength and direction, vignette strength.
    light: (f32, f32, f32),
    blur: f32,
    grain: f32,
    grain_seed: u32,
}

impl Degrade {
    pub(crate) fn draw(rng: &mut Lcg, blur: f32) -> Degrade {
        Degrade {
            light: (rng.range(-0.2, 0.2), rng.range(0.0, std::f32::consts::TAU), rng.range(0.0, 0.25)),
            blur,
            grain: rng.range(1.5, 6.0),
            grain_seed: rng.next_u32(),
        }
    }

    pub(crate) fn apply(&self, img: RgbImage) -> RgbImage {
        let (w, h) = (img.width() as f32, img.height() as f32);
        let (strength, angle, vignette) = self.light;
        let (ca, sa) = (angle.cos(), angle.sin());
        let mut img = img;
        for (x, y, p) in img.enumerate_pixels_mut() {
            let (nx, ny) = (x as f32 / w - 0.5, y as f32 / h - 0.5);
            let gain =
                (1.0 + strength * (nx * ca + ny * sa) * 2.0) * (1.0 - vignette * (nx * nx + ny * ny) * 2.0);
            for i in 0..3 {
                p[i] = (f32::from(p[i]) * gain).clamp(0.0, 255.0) as u8;
            }
        }
        if self.blur > 0.0 {
            img = imageproc::filter::gaussian_blur_f32(&img, self.blur);
        }
        for (x, y, p) in img.enumerate_pixels_mut() {
            let r = hash3(x, y, self.grain_seed);
            let luma = ((r & 0xffff) as f32 / 65535.0 - 0.5) * 2.0 * self.grain;
            let chroma = (((r >> 16) & 0xff) as f32 / 255.0 - 0.5) * self.grain * 0.6;
            for i in 0..3 {
                let n = luma + if i == 1 { -chroma } else { chroma };
                p[i] = to_u8(f32::from(p[i]) + n);
            }
        }
        img
    }
}
