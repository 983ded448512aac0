//! Geometry: homographies, placement, sampling and compositing a layer into the frame.

use crate::paint::{Rect, blend_rgb, to_u8};
use image::{RgbImage, RgbaImage};

/// Row-major 3×3 homography acting on `(x, y, 1)`.
#[derive(Clone, Copy)]
pub(crate) struct Mat3([f64; 9]);

impl Mat3 {
    pub(crate) fn translate(tx: f64, ty: f64) -> Mat3 {
        Mat3([1.0, 0.0, tx, 0.0, 1.0, ty, 0.0, 0.0, 1.0])
    }
    /// Rotation about the origin, counter-clockwise as seen in an image (y points down).
    pub(crate) fn rotate(deg: f64) -> Mat3 {
        let (s, c) = deg.to_radians().sin_cos();
        Mat3([c, s, 0.0, -s, c, 0.0, 0.0, 0.0, 1.0])
    }
    pub(crate) fn mul(&self, o: &Mat3) -> Mat3 {
        let (a, b) = (&self.0, &o.0);
        let mut r = [0.0; 9];
        for i in 0..3 {
            for j in 0..3 {
                r[i * 3 + j] = (0..3).map(|k| a[i * 3 + k] * b[k * 3 + j]).sum();
            }
        }
        Mat3(r)
    }
    fn apply(&self, x: f64, y: f64) -> (f64, f64) {
        let m = &self.0;
        let w = m[6] * x + m[7] * y + m[8];
        ((m[0] * x + m[1] * y + m[2]) / w, (m[3] * x + m[4] * y + m[5]) / w)
    }
    fn inverse(&self) -> Mat3 {
        let m = &self.0;
        let cof = [
            m[4] * m[8] - m[5] * m[7],
            m[2] * m[7] - m[1] * m[8],
            m[1] * m[5] - m[2] * m[4],
            m[5] * m[6] - m[3] * m[8],
            m[0] * m[8] - m[2] * m[6],
            m[2] * m[3] - m[0] * m[5],
            m[3] * m[7] - m[4] * m[6],
            m[1] * m[6] - m[0] * m[7],
            m[0] * m[4] - m[1] * m[3],
        ];
        let det = m[0] * cof[0] + m[1] * cof[3] + m[2] * cof[6];
        Mat3(cof.map(|v| v / det))
    }
    /// The homography taking the four `src` points to the four `dst` points.
    fn from_quads(src: [(f64, f64); 4], dst: [(f64, f64); 4]) -> Mat3 {
        // Solve the 8×8 system for h0..h7 (h8 = 1) by Gaussian elimination with pivoting.
        let mut a = [[0.0f64; 9]; 8];
        for i in 0..4 {
            let ((x, y), (u, v)) = (src[i], dst[i]);
            a[2 * i] = [x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y, u];
            a[2 * i + 1] = [0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y, v];
        }
        for col in 0..8 {
            let pivot = (col..8).max_by(|&p, &q| a[p][col].abs().total_cmp(&a[q][col].abs())).unwrap();
            a.swap(col, pivot);
            let pivot_row = a[col];
            for (row, r) in a.iter_mut().enumerate() {
                if row != col {
                    let f = r[col] / pivot_row[col];
                    for (v, pv) in r.iter_mut().zip(pivot_row).skip(col) {
                        *v -= f * pv;
                    }
                }
            }
        }
        let h: Vec<f64> = (0..8).map(|i| a[i][8] / a[i][i]).collect();
        Mat3([h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], 1.0])
    }
    /// Axis-aligned bounds `[x0, y0, x1, y1]` of the image of `r`'s four corners.
    pub(crate) fn project(&self, r: Rect) -> [f64; 4] {
        let corners = [(r[0], r[1]), (r[2], r[1]), (r[2], r[3]), (r[0], r[3])]
            .map(|(x, y)| self.apply(f64::from(x), f64::from(y)));
        corners.iter().fold([f64::MAX, f64::MAX, f64::MIN, f64::MIN], |b, &(x, y)| {
            [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)]
        })
    }
}

/// Mild perspective: a homography that shortens one vertical edge of `core` by the fraction
/// `kx` of its height (right edge if positive, left if negative) and one horizontal edge by `ky`
/// of its width (bottom if positive, top if negative), as when the camera is not square-on.
pub(crate) fn perspective(core: Rect, kx: f32, ky: f32) -> Mat3 {
    let [x0, y0, x1, y1] = core.map(f64::from);
    let (w, h) = (x1 - x0, y1 - y0);
    let (dx, dy) = (f64::from(kx) * h / 2.0, f64::from(ky) * w / 2.0);
    // Shrink per corner: right/left edge vertically by dx, bottom/top edge horizontally by dy.
    let (r, l) = (dx.max(0.0), (-dx).max(0.0));
    let (b, t) = (dy.max(0.0), (-dy).max(0.0));
    let src = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)];
    let dst = [(x0 + t, y0 + l), (x1 - t, y0 + r), (x1 - b, y1 - r), (x0 + b, y1 - l)];
    Mat3::from_quads(src, dst)
}

/// Bilinear sample of a straight-alpha layer at continuous `(u, v)`: premultiplied RGB and alpha.
pub(crate) fn sample(img: &RgbaImage, u: f64, v: f64) -> [f32; 4] {
    let (fx, fy) = (u - 0.5, v - 0.5);
    let (x0, y0) = (fx.floor(), fy.floor());
    let (tx, ty) = ((fx - x0) as f32, (fy - y0) as f32);
    let (w, h) = (i64::from(img.width()), i64::from(img.height()));
    let mut acc = [0.0f32; 4];
    for (dx, dy, wt) in
        [(0, 0, (1.0 - tx) * (1.0 - ty)), (1, 0, tx * (1.0 - ty)), (0, 1, (1.0 - tx) * ty), (1, 1, tx * ty)]
    {
        let (x, y) = (x0 as i64 + dx, y0 as i64 + dy);
        if wt <= 0.0 || x < 0 || y < 0 || x >= w || y >= h {
            continue;
        }
        let p = img.get_pixel(x as u32, y as u32);
        let a = f32::from(p[3]) / 255.0 * wt;
        for i in 0..3 {
            acc[i] += f32::from(p[i]) * a;
        }
        acc[3] += a;
    }
    acc
}

/// Bilinear sample of a coverage mask at continuous `(u, v)`, in 0..=1 (0 outside).
pub(crate) fn sample_gray(img: &image::GrayImage, u: f32, v: f32) -> f32 {
    let (fx, fy) = (u - 0.5, v - 0.5);
    let (x0, y0) = (fx.floor(), fy.floor());
    let (tx, ty) = (fx - x0, fy - y0);
    let (w, h) = (img.width() as i64, img.height() as i64);
    let mut acc = 0.0;
    for (dx, dy, wt) in
        [(0, 0, (1.0 - tx) * (1.0 - ty)), (1, 0, tx * (1.0 - ty)), (0, 1, (1.0 - tx) * ty), (1, 1, tx * ty)]
    {
        let (x, y) = (x0 as i64 + dx, y0 as i64 + dy);
        if wt > 0.0 && x >= 0 && y >= 0 && x < w && y < h {
            acc += f32::from(img.get_pixel(x as u32, y as u32)[0]) / 255.0 * wt;
        }
    }
    acc
}

/// Draws `layer` into `dst` through homography `m` (layer → frame), after a soft drop shadow
/// offset by `shadow` pixels.
pub(crate) fn composite(
    dst: &mut RgbImage,
    layer: &RgbaImage,
    m: &Mat3,
    shadow: (f64, f64),
    shadow_alpha: f32,
) {
    let full = [0.0, 0.0, layer.width() as f32, layer.height() as f32];
    let b = m.project(full);
    let (w, h) = (f64::from(dst.width()), f64::from(dst.height()));
    let x0 = (b[0].min(b[0] + shadow.0) - 2.0).floor().clamp(0.0, w) as u32;
    let y0 = (b[1].min(b[1] + shadow.1) - 2.0).floor().clamp(0.0, h) as u32;
    let x1 = (b[2].max(b[2] + shadow.0) + 2.0).ceil().clamp(0.0, w) as u32;
    let y1 = (b[3].max(b[3] + shadow.1) + 2.0).ceil().clamp(0.0, h) as u32;
    let inv = m.inverse();
    let (lw, lh) = (f64::from(layer.width()) + 1.0, f64::from(layer.height()) + 1.0);
    let inside = |u: f64, v: f64| u > -1.0 && v > -1.0 && u < lw && v < lh;
    for y in y0..y1 {
        for x in x0..x1 {
            let (px, py) = (f64::from(x) + 0.5, f64::from(y) + 0.5);
            let p = dst.get_pixel_mut(x, y);
            // Shadow: a blurred-ish darkening where the layer would be, shifted.
            let (su, sv) = inv.apply(px - shadow.0, py - shadow.1);
            if inside(su, sv) {
                let a = sample(layer, su, sv)[3];
                if a > 0.0 {
                    blend_rgb(p, [0, 0, 0], a * shadow_alpha);
                }
            }
            let (u, v) = inv.apply(px, py);
            if inside(u, v) {
                let s = sample(layer, u, v);
                if s[3] > 0.0 {
                    for i in 0..3 {
                        p[i] = to_u8(s[i] + f32::from(p[i]) * (1.0 - s[3]));
                    }
                }
            }
        }
    }
}
