//! Painting a flat object: fonts and text measurement, colours, and the `Layer` (cards, text
//! with box tracking, barcodes).

use crate::rng::Lcg;
use crate::warp::sample_gray;
use ab_glyph::{Font, FontVec, PxScale, ScaleFont, point};
use image::{Rgb, Rgba, RgbaImage};
use imageproc::drawing::draw_text_mut;
use rxing::oned::{Code128Writer, OneDimensionalCodeWriter};
use rxing::qrcode::QRCodeWriter;
use rxing::{BarcodeFormat, EncodeHints, Writer};
use std::fs;
use std::path::Path;

const FONT_DIR: &str = "/usr/share/fonts/truetype/dejavu";

#[derive(Clone, Copy)]
pub(crate) enum Face {
    Sans = 0,
    Bold = 1,
    Mono = 2,
}

pub(crate) struct Fonts {
    pub(crate) faces: [FontVec; 3],
    /// Cap height ("H") as a fraction of the pixel scale handed to ab_glyph.
    cap_ratio: [f32; 3],
}

/// How a run of text looks: face, cap height in pixels, colour.
#[derive(Clone, Copy)]
pub(crate) struct Style {
    face: Face,
    pub(crate) cap: f32,
    color: Rgba<u8>,
}

pub(crate) fn style(face: Face, cap: f32, color: Rgba<u8>) -> Style {
    Style { face, cap, color }
}

impl Fonts {
    pub(crate) fn load() -> Result<Fonts, String> {
        let load = |file: &str| -> Result<FontVec, String> {
            let path = Path::new(FONT_DIR).join(file);
            let bytes = fs::read(&path).map_err(|e| {
                format!(
                    "cannot read font {}: {e}. Install the DejaVu fonts: \
                     `apt-get install fonts-dejavu-core` (Debian package fonts-dejavu-core)",
                    path.display()
                )
            })?;
            FontVec::try_from_vec(bytes).map_err(|e| format!("{} is not a usable font: {e}", path.display()))
        };
        let faces = [load("DejaVuSans.ttf")?, load("DejaVuSans-Bold.ttf")?, load("DejaVuSansMono.ttf")?];
        let cap_ratio = [0, 1, 2].map(|i| {
            let font = &faces[i];
            let glyph = font.glyph_id('H').with_scale_and_position(1000.0, point(0.0, 0.0));
            font.outline_glyph(glyph).map(|g| g.px_bounds().height() / 1000.0).unwrap_or(0.63)
        });
        Ok(Fonts { faces, cap_ratio })
    }

    pub(crate) fn scale(&self, st: Style) -> PxScale {
        PxScale::from(st.cap / self.cap_ratio[st.face as usize])
    }

    fn ascent(&self, st: Style) -> f32 {
        self.faces[st.face as usize].as_scaled(self.scale(st)).ascent()
    }

    /// Advance width of `text` and its ink box `[x0, y0, x1, y1]` relative to the origin that
    /// `imageproc::drawing::draw_text_mut` is given. Mirrors imageproc's glyph layout exactly
    /// (including where it applies kerning), so the box is the union of the drawn glyph pixels.
    fn layout(&self, st: Style, text: &str) -> (f32, Option<[f32; 4]>) {
        let scale = self.scale(st);
        let font = self.faces[st.face as usize].as_scaled(scale);
        let (mut w, mut prev, mut ink) = (0.0f32, None, None::<[f32; 4]>);
        for c in text.chars() {
            let id = font.glyph_id(c);
            let glyph = id.with_scale_and_position(scale, point(w, font.ascent()));
            w += font.h_advance(id);
            if let Some(g) = font.outline_glyph(glyph) {
                if let Some(p) = prev {
                    w += font.kern(id, p);
                }
                prev = Some(id);
                let bb = g.px_bounds();
                let (x0, y0) = (bb.min.x.round(), bb.min.y.round());
                let r = [x0, y0, x0 + bb.width(), y0 + bb.height()];
                ink = Some(match ink {
                    None => r,
                    Some(u) => [u[0].min(r[0]), u[1].min(r[1]), u[2].max(r[2]), u[3].max(r[3])],
                });
            }
        }
        (w, ink)
    }

    pub(crate) fn width(&self, st: Style, text: &str) -> f32 {
        self.layout(st, text).0
    }
}

// ---------------------------------------------------------------------------------------------
// Colours
// ---------------------------------------------------------------------------------------------

/// Rounds and saturates to a channel value (cheaper than `f32::round`, which is a libm call
/// in the per-pixel loops).
pub(crate) fn to_u8(v: f32) -> u8 {
    (v.clamp(0.0, 255.0) + 0.5) as u8
}

pub(crate) fn rgba(c: [u8; 3]) -> Rgba<u8> {
    Rgba([c[0], c[1], c[2], 255])
}

pub(crate) fn mix(a: [u8; 3], b: [u8; 3], t: f32) -> [u8; 3] {
    [0, 1, 2].map(|i| to_u8(f32::from(a[i]) * (1.0 - t) + f32::from(b[i]) * t))
}

pub(crate) fn jitter(rng: &mut Lcg, c: [u8; 3], amount: f32) -> [u8; 3] {
    let d = rng.range(-amount, amount);
    [0, 1, 2].map(|i| (f32::from(c[i]) + d + rng.range(-amount, amount) * 0.4).clamp(0.0, 255.0) as u8)
}

/// Per-photo appearance shared by every scene: `fade` > 0 makes text low-contrast by moving the
/// ink colour that fraction of the way towards the surface it is printed on.
#[derive(Clone, Copy)]
pub(crate) struct Look {
    pub(crate) fade: f32,
}

impl Look {
    pub(crate) fn ink(&self, ink: [u8; 3], surface: [u8; 3]) -> Rgba<u8> {
        rgba(mix(ink, surface, self.fade))
    }
}

// ---------------------------------------------------------------------------------------------
// Layers: a flat object (card, band, screen, sign) with text and identifier boxes
// ---------------------------------------------------------------------------------------------

/// `[x0, y0, x1, y1]` in continuous pixel coordinates (pixel `i` covers `i..i+1`).
pub(crate) type Rect = [f32; 4];

pub(crate) struct Item {
    pub(crate) kind: &'static str,
    pub(crate) text: String,
    pub(crate) rect: Rect,
}

/// The object to photograph, drawn flat. `core` is the part that must land inside the frame
/// (an arm, a door or a bag around it may be cut off by the frame edge).
pub(crate) struct Layer {
    pub(crate) img: RgbaImage,
    pub(crate) core: Rect,
    pub(crate) items: Vec<Item>,
}

/// Calls `put(x, y, coverage)` for every pixel of `bbox` inside a `w`×`h` image where the signed
/// distance `sdf` (negative inside) gives partial or full coverage (1-pixel anti-aliasing).
pub(crate) fn paint_sdf(
    w: u32,
    h: u32,
    bbox: Rect,
    sdf: impl Fn(f32, f32) -> f32,
    mut put: impl FnMut(u32, u32, f32),
) {
    let x0 = (bbox[0] - 1.0).floor().max(0.0) as u32;
    let y0 = (bbox[1] - 1.0).floor().max(0.0) as u32;
    let x1 = ((bbox[2] + 1.0).ceil().max(0.0) as u32).min(w);
    let y1 = ((bbox[3] + 1.0).ceil().max(0.0) as u32).min(h);
    for y in y0..y1 {
        for x in x0..x1 {
            let cov = (0.5 - sdf(x as f32 + 0.5, y as f32 + 0.5)).clamp(0.0, 1.0);
            if cov > 0.0 {
                put(x, y, cov);
            }
        }
    }
}

pub(crate) fn sd_round_rect(r: Rect, radius: f32) -> impl Fn(f32, f32) -> f32 {
    let (cx, cy) = ((r[0] + r[2]) / 2.0, (r[1] + r[3]) / 2.0);
    let radius = radius.min((r[2] - r[0]) / 2.0).min((r[3] - r[1]) / 2.0).max(0.0);
    let (hx, hy) = ((r[2] - r[0]) / 2.0 - radius, (r[3] - r[1]) / 2.0 - radius);
    move |x, y| {
        let (qx, qy) = ((x - cx).abs() - hx, (y - cy).abs() - hy);
        qx.max(0.0).hypot(qy.max(0.0)) + qx.max(qy).min(0.0) - radius
    }
}

pub(crate) fn sd_ellipse(cx: f32, cy: f32, rx: f32, ry: f32) -> impl Fn(f32, f32) -> f32 {
    move |x, y| (((x - cx) / rx).hypot((y - cy) / ry) - 1.0) * rx.min(ry)
}

/// A segment from `a` to `b` with round caps, `width` pixels thick.
fn sd_segment(a: (f32, f32), b: (f32, f32), width: f32) -> impl Fn(f32, f32) -> f32 {
    move |x, y| {
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let len2 = (dx * dx + dy * dy).max(1e-6);
        let t = (((x - a.0) * dx + (y - a.1) * dy) / len2).clamp(0.0, 1.0);
        (x - a.0 - t * dx).hypot(y - a.1 - t * dy) - width / 2.0
    }
}

/// Porter-Duff "over" of `c` (scaled by `coverage`) onto a straight-alpha pixel.
fn blend_rgba(p: &mut Rgba<u8>, c: Rgba<u8>, coverage: f32) {
    let a = f32::from(c[3]) / 255.0 * coverage;
    if a <= 0.0 {
        return;
    }
    let pa = f32::from(p[3]) / 255.0;
    let oa = a + pa * (1.0 - a);
    for i in 0..3 {
        p[i] = to_u8((f32::from(c[i]) * a + f32::from(p[i]) * pa * (1.0 - a)) / oa);
    }
    p[3] = to_u8(oa * 255.0);
}

pub(crate) fn blend_rgb(p: &mut Rgb<u8>, c: [u8; 3], alpha: f32) {
    for i in 0..3 {
        p[i] = to_u8(f32::from(p[i]) * (1.0 - alpha) + f32::from(c[i]) * alpha);
    }
}

impl Layer {
    pub(crate) fn new(w: f32, h: f32) -> Layer {
        let (w, h) = (w.ceil().max(1.0) as u32, h.ceil().max(1.0) as u32);
        Layer { img: RgbaImage::new(w, h), core: [0.0, 0.0, w as f32, h as f32], items: Vec::new() }
    }

    pub(crate) fn paint(&mut self, bbox: Rect, color: Rgba<u8>, sdf: impl Fn(f32, f32) -> f32) {
        let (w, h) = self.img.dimensions();
        let img = &mut self.img;
        paint_sdf(w, h, bbox, sdf, |x, y, cov| blend_rgba(img.get_pixel_mut(x, y), color, cov));
    }

    /// Like `paint`, with the colour computed per pixel.
    pub(crate) fn paint_with(
        &mut self,
        bbox: Rect,
        sdf: impl Fn(f32, f32) -> f32,
        color: impl Fn(f32, f32) -> Rgba<u8>,
    ) {
        let (w, h) = self.img.dimensions();
        let img = &mut self.img;
        paint_sdf(w, h, bbox, sdf, |x, y, cov| {
            blend_rgba(img.get_pixel_mut(x, y), color(x as f32 + 0.5, y as f32 + 0.5), cov)
        });
    }

    pub(crate) fn round_rect(&mut self, r: Rect, radius: f32, color: Rgba<u8>) {
        self.paint(r, color, sd_round_rect(r, radius));
    }

    pub(crate) fn ellipse(&mut self, cx: f32, cy: f32, rx: f32, ry: f32, color: Rgba<u8>) {
        self.paint([cx - rx, cy - ry, cx + rx, cy + ry], color, sd_ellipse(cx, cy, rx, ry));
    }

    pub(crate) fn segment(&mut self, a: (f32, f32), b: (f32, f32), width: f32, color: Rgba<u8>) {
        let bbox = [a.0.min(b.0) - width, a.1.min(b.1) - width, a.0.max(b.0) + width, a.1.max(b.1) + width];
        self.paint(bbox, color, sd_segment(a, b, width));
    }

    pub(crate) fn polyline(&mut self, points: &[(f32, f32)], width: f32, color: Rgba<u8>) {
        for pair in points.windows(2) {
            self.segment(pair[0], pair[1], width, color);
        }
    }

    /// Draws `text` with its left edge at `x` and its baseline at `baseline`; returns the ink box.
    pub(crate) fn text(&mut self, fonts: &Fonts, st: Style, x: f32, baseline: f32, text: &str) -> Rect {
        let (ox, oy) = (x.round(), (baseline - fonts.ascent(st)).round());
        let font = &fonts.faces[st.face as usize];
        draw_text_mut(&mut self.img, st.color, ox as i32, oy as i32, fonts.scale(st), font, text);
        let ink = fonts.layout(st, text).1.unwrap_or([0.0; 4]);
        [ink[0] + ox, ink[1] + oy, ink[2] + ox, ink[3] + oy]
    }

    /// Draws `shown` (e.g. "MRN: 12345678") and records it as an identifier of `kind` whose value
    /// is `value` (e.g. "12345678"); the box covers all of `shown`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn item(
        &mut self,
        fonts: &Fonts,
        st: Style,
        x: f32,
        baseline: f32,
        shown: &str,
        kind: &'static str,
        value: &str,
    ) -> Rect {
        let rect = self.text(fonts, st, x, baseline, shown);
        self.items.push(Item { kind, text: value.to_string(), rect });
        rect
    }

    /// Handwriting-like text (documents): each glyph drawn on its own with jittered size,
    /// baseline and spacing on a sloping line, then the whole run sheared into a slant, in
    /// `st`'s colour. `x` and `baseline` are where the unslanted run would start. Returns the
    /// ink box, measured from the pixels drawn.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn hand_text(
        &mut self,
        fonts: &Fonts,
        st: Style,
        x: f32,
        baseline: f32,
        text: &str,
        rng: &mut Lcg,
    ) -> Rect {
        let slant = rng.range(0.12, 0.32);
        let slope = rng.range(-0.015, 0.015);
        let font = &fonts.faces[st.face as usize];
        let pad = (st.cap * 1.5).ceil();
        let base = pad + fonts.ascent(st) * 1.15;
        // Glyph coverage on a mask with the run's baseline at `base`.
        let mut pen = pad;
        let mut glyphs = Vec::new();
        for ch in text.chars() {
            let g = Style { cap: st.cap * rng.range(0.9, 1.1), ..st };
            let dy = rng.range(-0.07, 0.07) * st.cap + slope * (pen - pad);
            glyphs.push((ch, g, pen, base + dy));
            pen += fonts.width(g, ch.encode_utf8(&mut [0; 4])) * rng.range(0.98, 1.1);
        }
        let (mw, mh) = ((pen + pad).ceil() as u32, (base + pad).ceil() as u32);
        let mut mask = image::GrayImage::new(mw.max(1), mh.max(1));
        for (ch, g, gx, gb) in glyphs {
            let (ox, oy) = (gx.round() as i32, (gb - fonts.ascent(g)).round() as i32);
            draw_text_mut(
                &mut mask,
                image::Luma([255]),
                ox,
                oy,
                fonts.scale(g),
                font,
                ch.encode_utf8(&mut [0; 4]),
            );
        }
        // Shear into the layer: a point `v` rows above the baseline moves `slant * v` right.
        let (ox, oy) = (x - pad, baseline - base);
        let (lw, lh) = self.img.dimensions();
        let x0 = (ox + slant * (base - mh as f32)).floor().max(0.0) as u32;
        let x1 = ((ox + mw as f32 + slant * base).ceil().max(0.0) as u32).min(lw);
        let y0 = oy.floor().max(0.0) as u32;
        let y1 = ((oy + mh as f32).ceil().max(0.0) as u32).min(lh);
        let mut ink: Option<Rect> = None;
        for py in y0..y1 {
            let v = py as f32 + 0.5 - oy;
            let shift = slant * (base - v);
            for px in x0..x1 {
                let u = px as f32 + 0.5 - ox - shift;
                let cov = sample_gray(&mask, u, v);
                if cov > 0.0 {
                    blend_rgba(self.img.get_pixel_mut(px, py), st.color, cov);
                    if cov > 0.05 {
                        let r = [px as f32, py as f32, px as f32 + 1.0, py as f32 + 1.0];
                        ink =
                            Some(ink.map_or(r, |b| {
                                [b[0].min(r[0]), b[1].min(r[1]), b[2].max(r[2]), b[3].max(r[3])]
                            }));
                    }
                }
            }
        }
        ink.unwrap_or([x, baseline, x, baseline])
    }

    /// Code 128 of `payload` with its bars starting at `(x, y)`; recorded as a `barcode` item.
    /// The quiet zone (10 modules each side) must be left free by the caller.
    pub(crate) fn code128(
        &mut self,
        x: f32,
        y: f32,
        module: f32,
        height: f32,
        payload: &str,
        color: Rgba<u8>,
    ) -> Rect {
        let bars = code128_modules(payload);
        let (x, y) = (x.round(), y.round());
        let mut i = 0;
        while i < bars.len() {
            if bars[i] {
                let start = i;
                while i < bars.len() && bars[i] {
                    i += 1;
                }
                let r = [x + start as f32 * module, y, x + i as f32 * module, y + height];
                self.paint(r, color, sd_round_rect(r, 0.0));
            }
            i += 1;
        }
        let rect = [x, y, x + bars.len() as f32 * module, y + height];
        self.items.push(Item { kind: "barcode", text: payload.to_string(), rect });
        rect
    }

    /// QR code of `payload` (modules only; leave a quiet zone around it); a `barcode` item.
    pub(crate) fn qr(&mut self, x: f32, y: f32, module: f32, payload: &str, color: Rgba<u8>) -> Rect {
        let m = qr_modules(payload);
        let (x, y) = (x.round(), y.round());
        for (row, line) in m.iter().enumerate() {
            for (col, &on) in line.iter().enumerate() {
                if on {
                    let r = [x + col as f32 * module, y + row as f32 * module];
                    let r = [r[0], r[1], r[0] + module, r[1] + module];
                    self.paint(r, color, sd_round_rect(r, 0.0));
                }
            }
        }
        let side = m.len() as f32 * module;
        let rect = [x, y, x + side, y + side];
        self.items.push(Item { kind: "barcode", text: payload.to_string(), rect });
        rect
    }
}

/// Bars of a Code 128 symbol (start to stop, no quiet zone), one bool per module.
fn code128_modules(payload: &str) -> Vec<bool> {
    Code128Writer.encode_oned(payload).expect("Code 128 encodes any ASCII payload")
}

/// Modules of a QR code (no quiet zone), row-major.
pub(crate) fn qr_modules(payload: &str) -> Vec<Vec<bool>> {
    let hints = EncodeHints { Margin: Some("0".into()), ..Default::default() };
    let m = QRCodeWriter
        .encode_with_hints(payload, &BarcodeFormat::QR_CODE, 0, 0, &hints)
        .expect("QR encodes a short payload");
    (0..m.height()).map(|y| (0..m.width()).map(|x| m.get(x, y)).collect()).collect()
}

pub(crate) fn code128_width(payload: &str, module: f32) -> f32 {
    code128_modules(payload).len() as f32 * module
}

/// Module size for a Code 128 next to text of cap height `cap`: at least 2 px so it stays readable.
pub(crate) fn barcode_module(cap: f32) -> f32 {
    (cap / 6.0).round().max(2.0)
}
