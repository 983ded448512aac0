//! Deterministic generator of synthetic evaluation photos for OCR-based PHI detection.
//!
//! ```sh
//! cargo run --release --example eval-generate -- OUT_DIR [--phi N] [--benign M] [--institutional I]
//!     [--near-miss K] [--documents D] [--debug-boxes]
//! ```
//!
//! Writes `OUT_DIR/phi/<scene>_NNN.jpg` (clinical objects carrying synthetic patient identifiers),
//! `OUT_DIR/benign/<scene>_NNN.jpg` (ordinary text that must not be flagged),
//! `OUT_DIR/institutional/<scene>_NNN.jpg`, `OUT_DIR/documents/<scene>_NNN.jpg` (photographed
//! lab reports, prescriptions and discharge summaries) and
//! `OUT_DIR/truth.json` (per photo: the variation applied and, for every identifier, its kind,
//! text and pixel box). `--debug-boxes` also writes `OUT_DIR/debug/...` copies with the boxes
//! drawn in red; those copies are not listed in truth.json. See `eval/README.md`.
//!
//! No real patient data: names come from the fixed lists below (common US first names and
//! surnames), every number is drawn from a fixed-seed LCG, phone numbers use the fictional
//! 555-01xx range. No clocks or OS randomness feed the output, so the same arguments give
//! byte-identical files. Each photo is seeded from its own file name, so photo `k` of a scene
//! does not change when `--phi`/`--benign` change.
//!
//! How a photo is made (`make_photo`):
//!   1. draw the per-photo variation (frame size, text size, rotation, perspective, blur, ...);
//!   2. paint a photo-like background (`background`: gradient, low-frequency mottling, shapes);
//!   3. draw the scene's object flat on a transparent `Layer` (one function per scene), recording
//!      the ink rectangle of every identifier as it is drawn (`Layer::item`);
//!   4. map the layer into the frame with a homography (mild perspective, rotation, placement;
//!      `Mat3`), composite it with a drop shadow (`composite`), and map every item rectangle's
//!      corners through the same homography to get its axis-aligned box;
//!   5. degrade: uneven lighting, Gaussian blur, sensor grain, JPEG quality (`degrade`).
//!
//! Layout of this file: RNG and names; fonts and text measurement; `Layer` (cards, text with box
//! tracking, barcodes); geometry and compositing; backgrounds and degradations; the scenes
//! (patient scenes, then benign ones, institutional ones, documents); photo assembly, truth.json
//! and `main`.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use ab_glyph::{Font, FontVec, PxScale, ScaleFont, point};
use image::{Rgb, RgbImage, Rgba, RgbaImage};
use imageproc::drawing::draw_text_mut;
use rxing::oned::{Code128Writer, OneDimensionalCodeWriter};
use rxing::qrcode::QRCodeWriter;
use rxing::{BarcodeFormat, EncodeHints, Writer};
use serde::Serialize;

// ---------------------------------------------------------------------------------------------
// Deterministic randomness and synthetic identities
// ---------------------------------------------------------------------------------------------

/// 64-bit linear congruential generator (Knuth's MMIX constants); the output is the top 32 bits.
#[derive(Clone)]
struct Lcg(u64);

impl Lcg {
    fn new(seed: u64) -> Lcg {
        // Scramble the seed first (SplitMix64's finaliser): per-photo seeds are hashes of similar
        // file names, and an LCG only carries differences from low bits to high ones.
        let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        let mut rng = Lcg(z ^ (z >> 31));
        for _ in 0..4 {
            rng.next_u32();
        }
        rng
    }
    fn next_u32(&mut self) -> u32 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 32) as u32
    }
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f32 {
        (self.next_u32() >> 8) as f32 / (1u32 << 24) as f32
    }
    fn range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * self.unit()
    }
    /// Uniform integer in lo..=hi.
    fn int(&mut self, lo: u32, hi: u32) -> u32 {
        lo + self.next_u32() % (hi - lo + 1)
    }
    fn chance(&mut self, p: f32) -> bool {
        self.unit() < p
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.next_u32() as usize % items.len()]
    }
    /// `n` random decimal digits, the first one non-zero.
    fn digits(&mut self, n: usize) -> String {
        (0..n).map(|i| char::from(b'0' + self.int(u32::from(i == 0), 9) as u8)).collect()
    }
}

/// FNV-1a of a label: the per-photo seed.
fn seed_for(label: &str) -> u64 {
    label.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// Common US first names, alternating male (even index) and female (odd index).
const FIRST_NAMES: [&str; 50] = [
    "JAMES",
    "MARY",
    "ROBERT",
    "PATRICIA",
    "JOHN",
    "JENNIFER",
    "MICHAEL",
    "LINDA",
    "DAVID",
    "ELIZABETH",
    "WILLIAM",
    "BARBARA",
    "RICHARD",
    "SUSAN",
    "JOSEPH",
    "JESSICA",
    "THOMAS",
    "SARAH",
    "CHARLES",
    "KAREN",
    "CHRISTOPHER",
    "LISA",
    "DANIEL",
    "NANCY",
    "MATTHEW",
    "BETTY",
    "ANTHONY",
    "MARGARET",
    "MARK",
    "SANDRA",
    "DONALD",
    "ASHLEY",
    "STEVEN",
    "KIMBERLY",
    "PAUL",
    "EMILY",
    "ANDREW",
    "DONNA",
    "JOSHUA",
    "MICHELLE",
    "KENNETH",
    "CAROL",
    "KEVIN",
    "AMANDA",
    "BRIAN",
    "DOROTHY",
    "GEORGE",
    "MELISSA",
    "TIMOTHY",
    "MARIA",
];

/// Common US surnames.
const SURNAMES: [&str; 50] = [
    "SMITH",
    "JOHNSON",
    "WILLIAMS",
    "BROWN",
    "JONES",
    "GARCIA",
    "MILLER",
    "DAVIS",
    "RODRIGUEZ",
    "MARTINEZ",
    "HERNANDEZ",
    "LOPEZ",
    "GONZALEZ",
    "WILSON",
    "ANDERSON",
    "THOMAS",
    "TAYLOR",
    "MOORE",
    "JACKSON",
    "MARTIN",
    "LEE",
    "PEREZ",
    "THOMPSON",
    "WHITE",
    "HARRIS",
    "SANCHEZ",
    "CLARK",
    "RAMIREZ",
    "LEWIS",
    "ROBINSON",
    "WALKER",
    "YOUNG",
    "ALLEN",
    "KING",
    "WRIGHT",
    "SCOTT",
    "TORRES",
    "NGUYEN",
    "HILL",
    "FLORES",
    "GREEN",
    "ADAMS",
    "NELSON",
    "BAKER",
    "HALL",
    "RIVERA",
    "CAMPBELL",
    "MITCHELL",
    "CARTER",
    "ROBERTS",
];

fn title_case(word: &str) -> String {
    let lower = word.to_lowercase();
    let mut chars = lower.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// One synthetic patient: every identifier a scene may print.
struct Patient {
    first: &'static str,
    last: &'static str,
    sex: char,
    dob: (u32, u32, u32),
    age: u32,
    mrn: String,
    phone: String,
    account: String,
    accession: String,
    room: u32,
    bed: char,
    /// The day the photo's paperwork is dated.
    date: (u32, u32, u32),
    time: (u32, u32),
    /// A staff member's first name (printed on whiteboards; not a patient identifier).
    nurse: &'static str,
}

impl Patient {
    fn new(rng: &mut Lcg) -> Patient {
        let fi = rng.int(0, FIRST_NAMES.len() as u32 - 1) as usize;
        let date = (2026, rng.int(1, 12), rng.int(1, 28));
        let dob = (rng.int(1930, 2008), rng.int(1, 12), rng.int(1, 28));
        let age = date.0 - dob.0 - u32::from((date.1, date.2) < (dob.1, dob.2));
        let mrn_len = rng.int(7, 10) as usize;
        let mrn =
            if rng.chance(0.2) { format!("00{}", rng.digits(mrn_len - 2)) } else { rng.digits(mrn_len) };
        let area = *rng.pick(&[734, 313, 248, 612, 206, 415, 617, 312, 503, 919]);
        Patient {
            first: FIRST_NAMES[fi],
            last: SURNAMES[rng.int(0, SURNAMES.len() as u32 - 1) as usize],
            sex: if fi.is_multiple_of(2) { 'M' } else { 'F' },
            dob,
            age,
            phone: format!("({area}) 555-01{:02}", rng.int(0, 99)),
            account: {
                let n = rng.int(9, 10) as usize;
                rng.digits(n)
            },
            accession: format!(
                "{}{:02}-{:06}",
                rng.pick(&["S", "H", "M", "C"]),
                date.0 % 100,
                rng.int(0, 999_999)
            ),
            mrn,
            room: rng.int(101, 5899),
            bed: *rng.pick(&['A', 'B', 'C', 'D']),
            date,
            time: (rng.int(0, 23), rng.int(0, 59)),
            nurse: FIRST_NAMES[rng.int(0, FIRST_NAMES.len() as u32 - 1) as usize],
        }
    }
    /// "SMITH, JANE"
    fn upper_name(&self) -> String {
        format!("{}, {}", self.last, self.first)
    }
    /// "Jane Smith"
    fn title_name(&self) -> String {
        format!("{} {}", title_case(self.first), title_case(self.last))
    }
    /// "Smith, Jane"
    fn title_last_first(&self) -> String {
        format!("{}, {}", title_case(self.last), title_case(self.first))
    }
    /// "SMITH^JANE", as DICOM burns it in.
    fn dicom_name(&self) -> String {
        format!("{}^{}", self.last, self.first)
    }
    fn us(d: (u32, u32, u32)) -> String {
        format!("{:02}/{:02}/{}", d.1, d.2, d.0)
    }
    fn iso(d: (u32, u32, u32)) -> String {
        format!("{}-{:02}-{:02}", d.0, d.1, d.2)
    }
    fn clock(&self) -> String {
        format!("{:02}:{:02}", self.time.0, self.time.1)
    }
}

// ---------------------------------------------------------------------------------------------
// Fonts and text measurement
// ---------------------------------------------------------------------------------------------

const FONT_DIR: &str = "/usr/share/fonts/truetype/dejavu";

#[derive(Clone, Copy)]
enum Face {
    Sans = 0,
    Bold = 1,
    Mono = 2,
}

struct Fonts {
    faces: [FontVec; 3],
    /// Cap height ("H") as a fraction of the pixel scale handed to ab_glyph.
    cap_ratio: [f32; 3],
}

/// How a run of text looks: face, cap height in pixels, colour.
#[derive(Clone, Copy)]
struct Style {
    face: Face,
    cap: f32,
    color: Rgba<u8>,
}

fn style(face: Face, cap: f32, color: Rgba<u8>) -> Style {
    Style { face, cap, color }
}

impl Fonts {
    fn load() -> Result<Fonts, String> {
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

    fn scale(&self, st: Style) -> PxScale {
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

    fn width(&self, st: Style, text: &str) -> f32 {
        self.layout(st, text).0
    }
}

// ---------------------------------------------------------------------------------------------
// Colours
// ---------------------------------------------------------------------------------------------

/// Rounds and saturates to a channel value (cheaper than `f32::round`, which is a libm call
/// in the per-pixel loops).
fn to_u8(v: f32) -> u8 {
    (v.clamp(0.0, 255.0) + 0.5) as u8
}

fn rgba(c: [u8; 3]) -> Rgba<u8> {
    Rgba([c[0], c[1], c[2], 255])
}

fn mix(a: [u8; 3], b: [u8; 3], t: f32) -> [u8; 3] {
    [0, 1, 2].map(|i| to_u8(f32::from(a[i]) * (1.0 - t) + f32::from(b[i]) * t))
}

fn jitter(rng: &mut Lcg, c: [u8; 3], amount: f32) -> [u8; 3] {
    let d = rng.range(-amount, amount);
    [0, 1, 2].map(|i| (f32::from(c[i]) + d + rng.range(-amount, amount) * 0.4).clamp(0.0, 255.0) as u8)
}

/// Per-photo appearance shared by every scene: `fade` > 0 makes text low-contrast by moving the
/// ink colour that fraction of the way towards the surface it is printed on.
#[derive(Clone, Copy)]
struct Look {
    fade: f32,
}

impl Look {
    fn ink(&self, ink: [u8; 3], surface: [u8; 3]) -> Rgba<u8> {
        rgba(mix(ink, surface, self.fade))
    }
}

// ---------------------------------------------------------------------------------------------
// Layers: a flat object (card, band, screen, sign) with text and identifier boxes
// ---------------------------------------------------------------------------------------------

/// `[x0, y0, x1, y1]` in continuous pixel coordinates (pixel `i` covers `i..i+1`).
type Rect = [f32; 4];

struct Item {
    kind: &'static str,
    text: String,
    rect: Rect,
}

/// The object to photograph, drawn flat. `core` is the part that must land inside the frame
/// (an arm, a door or a bag around it may be cut off by the frame edge).
struct Layer {
    img: RgbaImage,
    core: Rect,
    items: Vec<Item>,
}

/// Calls `put(x, y, coverage)` for every pixel of `bbox` inside a `w`×`h` image where the signed
/// distance `sdf` (negative inside) gives partial or full coverage (1-pixel anti-aliasing).
fn paint_sdf(w: u32, h: u32, bbox: Rect, sdf: impl Fn(f32, f32) -> f32, mut put: impl FnMut(u32, u32, f32)) {
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

fn sd_round_rect(r: Rect, radius: f32) -> impl Fn(f32, f32) -> f32 {
    let (cx, cy) = ((r[0] + r[2]) / 2.0, (r[1] + r[3]) / 2.0);
    let radius = radius.min((r[2] - r[0]) / 2.0).min((r[3] - r[1]) / 2.0).max(0.0);
    let (hx, hy) = ((r[2] - r[0]) / 2.0 - radius, (r[3] - r[1]) / 2.0 - radius);
    move |x, y| {
        let (qx, qy) = ((x - cx).abs() - hx, (y - cy).abs() - hy);
        qx.max(0.0).hypot(qy.max(0.0)) + qx.max(qy).min(0.0) - radius
    }
}

fn sd_ellipse(cx: f32, cy: f32, rx: f32, ry: f32) -> impl Fn(f32, f32) -> f32 {
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

fn blend_rgb(p: &mut Rgb<u8>, c: [u8; 3], alpha: f32) {
    for i in 0..3 {
        p[i] = to_u8(f32::from(p[i]) * (1.0 - alpha) + f32::from(c[i]) * alpha);
    }
}

impl Layer {
    fn new(w: f32, h: f32) -> Layer {
        let (w, h) = (w.ceil().max(1.0) as u32, h.ceil().max(1.0) as u32);
        Layer { img: RgbaImage::new(w, h), core: [0.0, 0.0, w as f32, h as f32], items: Vec::new() }
    }

    fn paint(&mut self, bbox: Rect, color: Rgba<u8>, sdf: impl Fn(f32, f32) -> f32) {
        let (w, h) = self.img.dimensions();
        let img = &mut self.img;
        paint_sdf(w, h, bbox, sdf, |x, y, cov| blend_rgba(img.get_pixel_mut(x, y), color, cov));
    }

    /// Like `paint`, with the colour computed per pixel.
    fn paint_with(
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

    fn round_rect(&mut self, r: Rect, radius: f32, color: Rgba<u8>) {
        self.paint(r, color, sd_round_rect(r, radius));
    }

    fn ellipse(&mut self, cx: f32, cy: f32, rx: f32, ry: f32, color: Rgba<u8>) {
        self.paint([cx - rx, cy - ry, cx + rx, cy + ry], color, sd_ellipse(cx, cy, rx, ry));
    }

    fn segment(&mut self, a: (f32, f32), b: (f32, f32), width: f32, color: Rgba<u8>) {
        let bbox = [a.0.min(b.0) - width, a.1.min(b.1) - width, a.0.max(b.0) + width, a.1.max(b.1) + width];
        self.paint(bbox, color, sd_segment(a, b, width));
    }

    fn polyline(&mut self, points: &[(f32, f32)], width: f32, color: Rgba<u8>) {
        for pair in points.windows(2) {
            self.segment(pair[0], pair[1], width, color);
        }
    }

    /// Draws `text` with its left edge at `x` and its baseline at `baseline`; returns the ink box.
    fn text(&mut self, fonts: &Fonts, st: Style, x: f32, baseline: f32, text: &str) -> Rect {
        let (ox, oy) = (x.round(), (baseline - fonts.ascent(st)).round());
        let font = &fonts.faces[st.face as usize];
        draw_text_mut(&mut self.img, st.color, ox as i32, oy as i32, fonts.scale(st), font, text);
        let ink = fonts.layout(st, text).1.unwrap_or([0.0; 4]);
        [ink[0] + ox, ink[1] + oy, ink[2] + ox, ink[3] + oy]
    }

    /// Draws `shown` (e.g. "MRN: 12345678") and records it as an identifier of `kind` whose value
    /// is `value` (e.g. "12345678"); the box covers all of `shown`.
    #[allow(clippy::too_many_arguments)]
    fn item(
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
    fn hand_text(
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
    fn code128(&mut self, x: f32, y: f32, module: f32, height: f32, payload: &str, color: Rgba<u8>) -> Rect {
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
    fn qr(&mut self, x: f32, y: f32, module: f32, payload: &str, color: Rgba<u8>) -> Rect {
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
fn qr_modules(payload: &str) -> Vec<Vec<bool>> {
    let hints = EncodeHints { Margin: Some("0".into()), ..Default::default() };
    let m = QRCodeWriter
        .encode_with_hints(payload, &BarcodeFormat::QR_CODE, 0, 0, &hints)
        .expect("QR encodes a short payload");
    (0..m.height()).map(|y| (0..m.width()).map(|x| m.get(x, y)).collect()).collect()
}

fn code128_width(payload: &str, module: f32) -> f32 {
    code128_modules(payload).len() as f32 * module
}

/// Module size for a Code 128 next to text of cap height `cap`: at least 2 px so it stays readable.
fn barcode_module(cap: f32) -> f32 {
    (cap / 6.0).round().max(2.0)
}

// ---------------------------------------------------------------------------------------------
// Geometry: homographies, placement, compositing
// ---------------------------------------------------------------------------------------------

/// Row-major 3×3 homography acting on `(x, y, 1)`.
#[derive(Clone, Copy)]
struct Mat3([f64; 9]);

impl Mat3 {
    fn translate(tx: f64, ty: f64) -> Mat3 {
        Mat3([1.0, 0.0, tx, 0.0, 1.0, ty, 0.0, 0.0, 1.0])
    }
    /// Rotation about the origin, counter-clockwise as seen in an image (y points down).
    fn rotate(deg: f64) -> Mat3 {
        let (s, c) = deg.to_radians().sin_cos();
        Mat3([c, s, 0.0, -s, c, 0.0, 0.0, 0.0, 1.0])
    }
    fn mul(&self, o: &Mat3) -> Mat3 {
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
    fn project(&self, r: Rect) -> [f64; 4] {
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
fn perspective(core: Rect, kx: f32, ky: f32) -> Mat3 {
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
fn sample(img: &RgbaImage, u: f64, v: f64) -> [f32; 4] {
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
fn sample_gray(img: &image::GrayImage, u: f32, v: f32) -> f32 {
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
fn composite(dst: &mut RgbImage, layer: &RgbaImage, m: &Mat3, shadow: (f64, f64), shadow_alpha: f32) {
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

// ---------------------------------------------------------------------------------------------
// Backgrounds and degradations
// ---------------------------------------------------------------------------------------------

/// Colours of a surface behind the object: two gradient ends and accent colours for shapes.
struct Palette {
    base: [[u8; 3]; 2],
    accents: &'static [[u8; 3]],
}

const WALL: Palette = Palette {
    base: [[226, 218, 200], [196, 204, 198]],
    accents: &[[180, 170, 150], [240, 240, 235], [150, 160, 172], [122, 100, 80], [205, 215, 225]],
};
const BED: Palette = Palette {
    base: [[236, 240, 245], [198, 214, 230]],
    accents: &[[170, 190, 215], [252, 252, 252], [140, 150, 165], [120, 130, 140]],
};
const DESK: Palette = Palette {
    base: [[156, 116, 80], [118, 88, 60]],
    accents: &[[92, 70, 50], [210, 208, 200], [60, 60, 66], [235, 232, 220]],
};
const DARK: Palette =
    Palette { base: [[28, 30, 34], [58, 60, 66]], accents: &[[16, 16, 18], [82, 86, 92], [40, 44, 52]] };
const OUTDOOR: Palette = Palette {
    base: [[150, 186, 222], [210, 216, 224]],
    accents: &[[162, 150, 138], [110, 122, 100], [200, 190, 170], [90, 92, 96]],
};
const TABLE: Palette = Palette {
    base: [[122, 86, 56], [236, 230, 220]],
    accents: &[[250, 250, 248], [170, 44, 40], [92, 62, 40], [40, 70, 60]],
};
/// Grey office laminate (documents only).
const OFFICE: Palette = Palette {
    base: [[168, 170, 172], [124, 128, 134]],
    accents: &[[92, 94, 98], [210, 212, 206], [60, 62, 68], [150, 122, 92]],
};

/// A photo-like surface: a two-colour gradient, low-frequency mottling, a few soft shapes
/// (trim, furniture edges, fabric folds).
fn background(rng: &mut Lcg, w: u32, h: u32, pal: &Palette) -> RgbImage {
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
fn hash3(x: u32, y: u32, seed: u32) -> u32 {
    let mut h = x.wrapping_mul(0x8da6_b343) ^ y.wrapping_mul(0xd816_3841) ^ seed.wrapping_mul(0xcb1a_b31f);
    h ^= h >> 13;
    h = h.wrapping_mul(0x5bd1_e995);
    h ^ (h >> 15)
}

/// Degradations applied to the finished frame, drawn once per photo.
struct Degrade {
    /// Brightness gradient strength and direction, vignette strength.
    light: (f32, f32, f32),
    blur: f32,
    grain: f32,
    grain_seed: u32,
}

impl Degrade {
    fn draw(rng: &mut Lcg, blur: f32) -> Degrade {
        Degrade {
            light: (rng.range(-0.2, 0.2), rng.range(0.0, std::f32::consts::TAU), rng.range(0.0, 0.25)),
            blur,
            grain: rng.range(1.5, 6.0),
            grain_seed: rng.next_u32(),
        }
    }

    fn apply(&self, img: RgbImage) -> RgbImage {
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

// ---------------------------------------------------------------------------------------------
// Scenes with patient identifiers
// ---------------------------------------------------------------------------------------------

/// What every scene function gets besides the RNG and the cap height.
struct Ctx<'a> {
    fonts: &'a Fonts,
    look: Look,
    patient: &'a Patient,
}

const PASTELS: [[u8; 3]; 5] =
    [[250, 250, 250], [255, 226, 234], [224, 236, 255], [255, 247, 212], [228, 248, 228]];
const SKIN: [[u8; 3]; 5] = [[241, 194, 167], [224, 172, 125], [198, 134, 86], [141, 85, 46], [255, 219, 182]];
const INK: [u8; 3] = [22, 22, 28];

/// Patient wristband on a forearm: name, MRN, DOB (+ age/sex), Code 128 of the MRN, some a QR.
fn wristband(rng: &mut Lcg, ctx: &Ctx<'_>, cap: f32) -> Layer {
    let (f, p) = (ctx.fonts, ctx.patient);
    let band = *rng.pick(&PASTELS);
    let ink = ctx.look.ink(INK, band);
    let body = if rng.chance(0.35) { Face::Mono } else { Face::Sans };
    let (name_st, st) = (style(Face::Bold, cap * 1.1, ink), style(body, cap, ink));
    let name = p.upper_name();
    let mrn = format!("{} {}", rng.pick(&["MRN:", "MRN", "MR#"]), p.mrn);
    let dob = format!("DOB: {}", Patient::us(p.dob));
    let age = rng.chance(0.6).then(|| format!("{} y {}", p.age, p.sex));
    let gap = cap * 1.75;
    let pad = cap * 0.9;
    let space = f.width(st, "  ");
    let line3 = f.width(st, &dob) + age.as_ref().map_or(0.0, |a| space + f.width(st, a));
    let text_w = f.width(name_st, &name).max(f.width(st, &mrn)).max(line3);
    let module = barcode_module(cap);
    let (bar_w, bar_h) = (code128_width(&p.mrn, module), cap * 2.8);
    let band_h = pad * 1.9 + cap * 1.1 + 2.0 * gap;
    let with_qr = rng.chance(0.25);
    let qr_n = qr_modules(&p.mrn).len() as f32;
    let qr_module = ((band_h * 0.72) / qr_n).floor().max(1.0);
    let label_w = pad
        + text_w
        + module * 10.0
        + bar_w
        + module * 10.0
        + if with_qr { qr_n * qr_module + pad } else { 0.0 };
    let strap = band_h * 1.3;
    let (lw, lh) = (label_w + 2.0 * strap, band_h * 6.0);
    let mut layer = Layer::new(lw, lh);
    // Forearm: perpendicular to the band, shaded towards its edges.
    let skin = *rng.pick(&SKIN);
    let arm = [strap * 0.6, 0.0, lw - strap * 0.6, lh];
    let (ax0, ax1) = (arm[0], arm[2]);
    layer.paint_with(arm, sd_round_rect(arm, 0.0), |x, y| {
        let t = ((x - ax0) / (ax1 - ax0) * 2.0 - 1.0).abs();
        // Fade out towards the layer's top and bottom so the arm has no hard cut ends.
        let end = ((y.min(lh - y) / (lh * 0.25)).min(1.0) * 255.0) as u8;
        let c = mix(skin, [40, 25, 20], 0.35 * t * t);
        Rgba([c[0], c[1], c[2], end])
    });
    let by = (lh - band_h) / 2.0;
    let band_r = [0.0, by, lw, by + band_h];
    layer.round_rect(band_r, band_h * 0.3, rgba(band));
    // Snaps on the straps.
    for cx in [strap * 0.4, lw - strap * 0.4] {
        layer.ellipse(
            cx,
            by + band_h / 2.0,
            band_h * 0.12,
            band_h * 0.12,
            rgba(mix(band, [90, 90, 90], 0.4)),
        );
    }
    let x = strap + pad;
    let b1 = by + pad + cap * 1.1;
    layer.item(f, name_st, x, b1, &name, "name", &name);
    layer.item(f, st, x, b1 + gap, &mrn, "mrn", &p.mrn);
    let r = layer.item(f, st, x, b1 + 2.0 * gap, &dob, "dob", &Patient::us(p.dob));
    if let Some(age) = &age {
        layer.item(f, st, r[2] + space, b1 + 2.0 * gap, age, "age", &p.age.to_string());
    }
    let bx = strap + pad + text_w + module * 10.0;
    layer.code128(bx, by + (band_h - bar_h) / 2.0, module, bar_h, &p.mrn, ink);
    if with_qr {
        let qx = bx + bar_w + module * 10.0;
        layer.qr(qx, by + (band_h - qr_n * qr_module) / 2.0, qr_module, &p.mrn, ink);
    }
    layer.core = [strap, by, strap + label_w, by + band_h];
    layer
}

/// Patient-room whiteboard in marker colours.
fn whiteboard(rng: &mut Lcg, ctx: &Ctx<'_>, cap: f32) -> Layer {
    let p = ctx.patient;
    let board = jitter(rng, [246, 248, 248], 4.0);
    let markers = [[30, 60, 170], [25, 25, 30], [20, 120, 60]];
    let room = format!("Room {} Bed {}", p.room, p.bed);
    let date = Patient::us(p.date);
    let name = p.title_name();
    let mut lines = vec![
        Line::new(&room, 1.3, Face::Bold, *rng.pick(&markers)).item("room-bed", &room),
        Line::new(&format!("Date: {date}"), 1.0, Face::Sans, *rng.pick(&markers)).item("date", &date),
        Line::new(&format!("Patient: {name}"), 1.0, Face::Sans, *rng.pick(&markers)).item("name", &name),
        Line::new(
            &format!("Your nurse today: {}", title_case(p.nurse)),
            1.0,
            Face::Sans,
            *rng.pick(&markers),
        ),
    ];
    if rng.chance(0.7) {
        lines.push(Line::new("Fall risk", 1.1, Face::Bold, [200, 30, 30]));
    }
    if rng.chance(0.5) {
        lines.push(Line::new(
            &format!("Goal: walk {} times today", rng.int(2, 4)),
            1.0,
            Face::Sans,
            *rng.pick(&markers),
        ));
    }
    if rng.chance(0.5) {
        lines.push(Line::new(&format!("Pain: {}/10", rng.int(0, 6)), 1.0, Face::Sans, *rng.pick(&markers)));
    }
    // Handwriting does not line up: indent each line a little.
    for l in &mut lines {
        l.indent = rng.range(0.0, 1.5);
    }
    text_card(ctx, cap, board, true, &lines)
}

/// Bedside vitals monitor: patient banner (name, MRN) over waveforms and large vital signs.
fn monitor(rng: &mut Lcg, ctx: &Ctx<'_>, cap: f32) -> Layer {
    let (f, p) = (ctx.fonts, ctx.patient);
    let screen = [8, 10, 16];
    let name = if rng.chance(0.5) { p.upper_name() } else { p.title_last_first() };
    let mrn = format!("MRN {}", p.mrn);
    let white = ctx.look.ink([235, 238, 240], screen);
    let grey = ctx.look.ink([190, 196, 200], screen);
    let name_st = style(Face::Bold, cap, white);
    let mrn_st = style(Face::Sans, cap, grey);
    let bezel = cap * 1.4;
    let pad = cap;
    let banner_w = f.width(name_st, &name) + cap * 3.0 + f.width(mrn_st, &mrn);
    let sw = (cap * 30.0).max(banner_w + 2.0 * pad);
    let sh = cap * 19.0;
    let (w, h) = (sw + 2.0 * bezel, sh + 2.0 * bezel + cap);
    let mut layer = Layer::new(w, h);
    layer.round_rect([0.0, 0.0, w, h], bezel, rgba([44, 46, 52]));
    let (sx, sy) = (bezel, bezel);
    layer.round_rect([sx, sy, sx + sw, sy + sh], 3.0, rgba(screen));
    // Banner.
    let b = sy + pad + cap;
    layer.round_rect([sx, sy, sx + sw, b + pad * 0.8], 0.0, rgba([24, 34, 52]));
    layer.item(f, name_st, sx + pad, b, &name, "name", &name);
    let mrn_x = sx + sw - pad - f.width(mrn_st, &mrn);
    layer.item(f, mrn_st, mrn_x, b, &mrn, "mrn", &p.mrn);
    // Vitals (not identifiers): label small, value large, in the usual colours.
    let vitals = [
        ("HR", rng.int(55, 110).to_string(), [60, 230, 90]),
        ("SpO2", rng.int(90, 100).to_string(), [70, 200, 240]),
        ("BP", format!("{}/{}", rng.int(95, 150), rng.int(55, 95)), [240, 90, 90]),
        ("RR", rng.int(10, 24).to_string(), [240, 220, 80]),
    ];
    let col_x = sx + sw * 0.6;
    let row_h = (sh - (b - sy) - pad * 2.0) / 4.0;
    let wave_w = col_x - sx - pad * 2.0;
    let shown: Vec<String> = vitals.iter().map(|(label, value, _)| format!("{label} {value}")).collect();
    // Large digits, as big as the row height and the column width allow.
    let big_cap = {
        let probe = style(Face::Bold, cap, rgba(screen));
        let widest = shown.iter().map(|s| f.width(probe, s)).fold(0.0, f32::max);
        (row_h * 0.55).min(cap * (sx + sw - pad - col_x) / widest)
    };
    for (i, (_, _, color)) in vitals.iter().enumerate() {
        let top = b + pad + i as f32 * row_h;
        let c = ctx.look.ink(*color, screen);
        layer.text(f, style(Face::Bold, big_cap, c), col_x, top + row_h * 0.5 + big_cap * 0.5, &shown[i]);
        // A waveform for the first three rows.
        if i < 3 {
            let mid = top + row_h * 0.55;
            let amp = row_h * 0.3;
            let period = cap * rng.range(4.0, 7.0);
            let pts: Vec<(f32, f32)> = (0..=(wave_w / 3.0) as usize)
                .map(|k| {
                    let x = k as f32 * 3.0;
                    let ph = (x / period).fract();
                    let y = match i {
                        0 if ph < 0.06 => -amp * (1.0 - (ph / 0.03 - 1.0).abs()),
                        0 => amp * 0.08 * (ph * 12.0).sin(),
                        1 => -amp * 0.7 * (ph * std::f32::consts::TAU).sin().max(-0.3),
                        _ => amp * 0.4 * (ph * std::f32::consts::TAU).sin(),
                    };
                    (sx + pad + x, mid + y)
                })
                .collect();
            layer.polyline(&pts, (cap / 8.0).max(1.5), c);
        }
    }
    layer
}

/// Specimen tube label or IV bag label: name, MRN, DOB, accession, drawn/prepared time, barcode.
fn label(rng: &mut Lcg, ctx: &Ctx<'_>, cap: f32) -> Layer {
    let (f, p) = (ctx.fonts, ctx.patient);
    let iv = rng.chance(0.4);
    let paper = jitter(rng, [252, 252, 249], 3.0);
    let ink = ctx.look.ink(INK, paper);
    let face = if rng.chance(0.5) { Face::Mono } else { Face::Sans };
    let st = style(face, cap, ink);
    let bold = style(Face::Bold, cap, ink);
    let name = p.upper_name();
    let mrn = format!("MRN: {}", p.mrn);
    let dob = format!("DOB: {}", Patient::us(p.dob));
    let acc = format!("Acc# {}", p.accession);
    let when = format!("{} {}", Patient::us(p.date), p.clock());
    let when_shown = format!("{} {when}", if iv { "Prepared:" } else { "Drawn:" });
    let header = if iv { "PHARMACY" } else { "LAB SPECIMEN" };
    let extra: Vec<String> = if iv {
        vec![
            format!(
                "{} {} in NS {} mL",
                rng.pick(&["Vancomycin", "Cefazolin", "Heparin", "Piperacillin"]),
                rng.pick(&["1 g", "2 g", "500 mg"]),
                rng.pick(&[100, 250, 500])
            ),
            format!("Infuse over {} h", rng.int(1, 4)),
        ]
    } else {
        vec![format!(
            "{} {} mL  {}",
            rng.pick(&["Lav EDTA", "SST", "Lt blue"]),
            rng.int(2, 6),
            rng.pick(&["CBC w/diff", "BMP", "PT/INR", "Lipid panel"])
        )]
    };
    let gap = cap * 1.7;
    let pad = cap;
    let module = barcode_module(cap);
    let bar_w = code128_width(&p.mrn, module);
    let with_qr = rng.chance(0.3);
    let qr_n = qr_modules(&p.mrn).len() as f32;
    let qr_module = (cap * 5.0 / qr_n).floor().max(2.0);
    let lines = [&name, &mrn, &dob, &acc, &when_shown];
    let text_w = lines
        .iter()
        .map(|s| f.width(st, s))
        .chain(extra.iter().map(|s| f.width(st, s)))
        .fold(f.width(bold, &name), f32::max);
    let qr_w = if with_qr { qr_n * qr_module + pad } else { 0.0 };
    let card_w = (text_w + qr_w).max(bar_w + module * 20.0) + 2.0 * pad;
    let n_lines = 1 + lines.len() + extra.len();
    // Lines, then the barcode 1.2 caps below the last baseline and 2.6 caps tall.
    let card_h = pad * 2.0 + (n_lines - 1) as f32 * gap + cap * 4.8;
    let (margin_x, margin_y) = if iv { (card_w * 0.25, card_h * 0.35) } else { (0.0, 0.0) };
    let mut layer = Layer::new(card_w + 2.0 * margin_x, card_h + 2.0 * margin_y);
    if iv {
        // Translucent bag with a hanger hole and a port.
        let (w, h) = (layer.img.width() as f32, layer.img.height() as f32);
        let bag = [0.0, h * 0.06, w, h * 0.94];
        layer.round_rect(bag, w * 0.08, Rgba([214, 228, 238, 150]));
        layer.ellipse(w / 2.0, h * 0.1, w * 0.05, h * 0.025, Rgba([120, 130, 140, 200]));
        layer.round_rect([w * 0.45, h * 0.94 - 2.0, w * 0.55, h], 2.0, Rgba([230, 236, 240, 230]));
    }
    let (x0, y0) = (margin_x, margin_y);
    let card = [x0, y0, x0 + card_w, y0 + card_h];
    layer.round_rect(card, cap * 0.4, rgba(paper));
    let x = x0 + pad;
    let mut b = y0 + pad + cap;
    layer.text(f, bold, x, b, header);
    b += gap;
    layer.item(f, bold, x, b, &name, "name", &name);
    b += gap;
    layer.item(f, st, x, b, &mrn, "mrn", &p.mrn);
    b += gap;
    layer.item(f, st, x, b, &dob, "dob", &Patient::us(p.dob));
    b += gap;
    layer.item(f, st, x, b, &acc, "accession", &p.accession);
    b += gap;
    layer.item(f, st, x, b, &when_shown, "date", &when);
    for e in &extra {
        b += gap;
        layer.text(f, st, x, b, e);
    }
    layer.code128(x + module * 10.0, b + cap * 1.2, module, cap * 2.6, &p.mrn, ink);
    if with_qr {
        layer.qr(x0 + card_w - pad - qr_n * qr_module, y0 + pad + gap, qr_module, &p.mrn, ink);
    }
    layer.core = card;
    layer
}

/// Chart addressograph sticker (dot-matrix style, monospaced).
fn sticker(rng: &mut Lcg, ctx: &Ctx<'_>, cap: f32) -> Layer {
    let (f, p) = (ctx.fonts, ctx.patient);
    let paper = *rng.pick(&[[252, 250, 238], [250, 250, 250], [236, 244, 252]]);
    let paper = jitter(rng, paper, 3.0);
    let ink = ctx.look.ink(*rng.pick(&[INK, [30, 40, 110]]), paper);
    let st = style(Face::Mono, cap, ink);
    let name = p.upper_name();
    let mrn = format!("MRN: {}", p.mrn);
    let dob = format!("DOB: {}", Patient::us(p.dob));
    let age = format!("Age: {}", p.age);
    let sex = format!("Sex: {}", p.sex);
    let phone = format!("Ph: {}", p.phone);
    let acct = format!("Acct {}", p.account);
    let space = f.width(st, "  ");
    let gap = cap * 1.6;
    let pad = cap * 0.9;
    let with_bar = rng.chance(0.5);
    let module = barcode_module(cap);
    let rows = [
        f.width(st, &name),
        f.width(st, &mrn) + space + f.width(st, &dob),
        f.width(st, &age) + space + f.width(st, &sex),
        f.width(st, &phone),
        f.width(st, &acct),
    ];
    let bar_w = code128_width(&p.mrn, module) + module * 20.0;
    let w = rows.iter().copied().fold(if with_bar { bar_w } else { 0.0 }, f32::max) + 2.0 * pad;
    let h = 2.0 * pad + 5.0 * gap + if with_bar { cap * 3.2 } else { 0.0 };
    let mut layer = Layer::new(w, h);
    layer.round_rect([0.0, 0.0, w, h], cap * 0.5, rgba(paper));
    let x = pad;
    let mut b = pad + cap;
    layer.item(f, st, x, b, &name, "name", &name);
    b += gap;
    let r = layer.item(f, st, x, b, &mrn, "mrn", &p.mrn);
    layer.item(f, st, r[2] + space, b, &dob, "dob", &Patient::us(p.dob));
    b += gap;
    let r = layer.item(f, st, x, b, &age, "age", &p.age.to_string());
    layer.text(f, st, r[2] + space, b, &sex);
    b += gap;
    layer.item(f, st, x, b, &phone, "phone", &p.phone);
    b += gap;
    // An account number is a record identifier too: labelled `mrn` (see eval/README.md).
    layer.item(f, st, x, b, &acct, "mrn", &p.account);
    if with_bar {
        layer.code128(x + module * 10.0, b + cap * 0.8, module, cap * 2.4, &p.mrn, ink);
    }
    layer
}

/// Room door with a sign plate: "Room 5214" and the patient's name in a slide-in holder.
fn door(rng: &mut Lcg, ctx: &Ctx<'_>, cap: f32) -> Layer {
    let (f, p) = (ctx.fonts, ctx.patient);
    let (plate, text_c) = *rng.pick(&[
        ([32, 52, 92], [245, 245, 240]),
        ([92, 62, 42], [240, 230, 210]),
        ([222, 222, 216], [30, 30, 36]),
    ]);
    let room = format!("Room {}", p.room);
    let name = match rng.int(0, 2) {
        0 => p.title_name(),
        1 => p.title_last_first(),
        _ => p.upper_name(),
    };
    let room_st = style(Face::Bold, cap * 1.5, ctx.look.ink(text_c, plate));
    let insert = [250, 250, 248];
    let name_st = style(Face::Sans, cap, ctx.look.ink(INK, insert));
    let pad = cap * 1.1;
    let sign_w = f.width(room_st, &room).max(f.width(name_st, &name) + pad) + 2.0 * pad;
    let sign_h = pad * 3.0 + cap * 1.5 + cap * 2.6;
    let (dw, dh) = (sign_w * 2.6, sign_h * 7.0);
    let mut layer = Layer::new(dw, dh);
    // Wood door with grain and panel grooves.
    let wood = *rng.pick(&[[168, 124, 82], [120, 84, 52], [200, 170, 130], [226, 224, 218]]);
    let wood = jitter(rng, wood, 8.0);
    let grain_seed = rng.next_u32();
    layer.paint_with([0.0, 0.0, dw, dh], sd_round_rect([0.0, 0.0, dw, dh], 0.0), |x, _| {
        let g = (hash3((x / 3.0) as u32, 0, grain_seed) % 100) as f32 / 100.0;
        rgba(mix(wood, [60, 40, 25], 0.08 * g))
    });
    let groove = rgba(mix(wood, [40, 28, 18], 0.25));
    for gx in [dw * 0.1, dw * 0.9] {
        layer.segment((gx, dh * 0.05), (gx, dh * 0.95), (cap * 0.15).max(2.0), groove);
    }
    let (sx, sy) = ((dw - sign_w) / 2.0, dh * 0.3);
    let sign = [sx, sy, sx + sign_w, sy + sign_h];
    layer.round_rect(sign, cap * 0.4, rgba(plate));
    layer.item(f, room_st, sx + pad, sy + pad + cap * 1.5, &room, "room-bed", &room);
    let ins = [sx + pad * 0.6, sy + pad * 2.0 + cap * 1.5, sx + sign_w - pad * 0.6, sy + sign_h - pad * 0.6];
    layer.round_rect(ins, 2.0, rgba(insert));
    layer.item(f, name_st, ins[0] + pad * 0.5, (ins[1] + ins[3]) / 2.0 + cap / 2.0, &name, "name", &name);
    layer.core = sign;
    layer
}

/// Radiograph with burned-in demographics (white text on a dark, noisy chest film).
fn radiograph(rng: &mut Lcg, ctx: &Ctx<'_>, cap: f32) -> Layer {
    let (f, p) = (ctx.fonts, ctx.patient);
    let (w, h) = (cap * 36.0, cap * 30.0);
    let mut layer = Layer::new(w, h);
    let base = [18, 18, 20];
    layer.round_rect([0.0, 0.0, w, h], 0.0, rgba(base));
    // Chest anatomy in greys: soft tissue, lungs, spine, ribs, clavicles.
    let grey = |v: u8, a: u8| Rgba([v, v, v, a]);
    layer.ellipse(w * 0.5, h * 0.6, w * 0.42, h * 0.48, grey(70, 255));
    for side in [-1.0f32, 1.0] {
        layer.ellipse(w * (0.5 + side * 0.17), h * 0.56, w * 0.14, h * 0.34, grey(34, 255));
    }
    layer.round_rect([w * 0.47, h * 0.1, w * 0.53, h], w * 0.02, grey(120, 230));
    for k in 0..8 {
        let y = h * (0.3 + k as f32 * 0.075);
        for side in [-1.0f32, 1.0] {
            let pts: Vec<(f32, f32)> = (0..=12)
                .map(|i| {
                    let t = i as f32 / 12.0;
                    (w * (0.5 + side * (0.03 + 0.3 * t)), y + h * 0.06 * (t * 3.0).sin())
                })
                .collect();
            layer.polyline(&pts, h * 0.018, grey(96, 255));
        }
    }
    for side in [-1.0f32, 1.0] {
        layer.segment(
            (w * (0.5 + side * 0.05), h * 0.2),
            (w * (0.5 + side * 0.3), h * 0.16),
            h * 0.025,
            grey(140, 220),
        );
    }
    // Film noise.
    let seed = rng.next_u32();
    for (x, y, px) in layer.img.enumerate_pixels_mut() {
        let n = (hash3(x, y, seed) % 25) as i32 - 12;
        for i in 0..3 {
            px[i] = (i32::from(px[i]) + n).clamp(0, 255) as u8;
        }
    }
    let white = ctx.look.ink([236, 236, 236], base);
    let face = if rng.chance(0.5) { Face::Mono } else { Face::Sans };
    let st = style(face, cap, white);
    let name = if rng.chance(0.6) { p.dicom_name() } else { p.upper_name() };
    let mrn = format!("{} {}", rng.pick(&["ID:", "Patient ID:", "MRN"]), p.mrn);
    let (dob_v, study_v) = if rng.chance(0.5) {
        (Patient::iso(p.dob), format!("{} {}", Patient::iso(p.date), p.clock()))
    } else {
        (Patient::us(p.dob), format!("{} {}", Patient::us(p.date), p.clock()))
    };
    let dob = format!("DOB: {dob_v}");
    let study = format!("Study: {study_v}");
    let pad = cap;
    let gap = cap * 1.6;
    layer.item(f, st, pad, pad + cap, &name, "name", &name);
    layer.item(f, st, pad, pad + cap + gap, &mrn, "mrn", &p.mrn);
    layer.item(f, st, pad, pad + cap + 2.0 * gap, &dob, "dob", &dob_v);
    let right = |s: &str| w - pad - f.width(st, s);
    let view = *rng.pick(&["CHEST PA", "CHEST AP PORTABLE", "CR CHEST 2V"]);
    layer.text(f, st, right(view), pad + cap, view);
    layer.item(f, st, right(&study), pad + cap + gap, &study, "date", &study_v);
    let tech = format!("kVp {}  mAs {:.1}", rng.int(90, 125), rng.range(1.0, 4.0));
    layer.text(f, st, pad, h - pad, &tech);
    layer.text(
        f,
        style(Face::Bold, cap * 2.0, white),
        w - pad - f.width(style(Face::Bold, cap * 2.0, white), "R"),
        h - pad,
        "R",
    );
    layer
}

// ---------------------------------------------------------------------------------------------
// Benign scenes (text that must not be flagged; near misses on purpose)
// ---------------------------------------------------------------------------------------------

/// One line of a `text_card`: size relative to the card's cap height, an indent in caps, and
/// optionally the identifier it carries.
struct Line {
    text: String,
    size: f32,
    face: Face,
    color: [u8; 3],
    indent: f32,
    item: Option<(&'static str, String)>,
}

impl Line {
    fn new(text: &str, size: f32, face: Face, color: [u8; 3]) -> Line {
        Line { text: text.to_string(), size, face, color, indent: 0.0, item: None }
    }
    fn item(mut self, kind: &'static str, value: &str) -> Line {
        self.item = Some((kind, value.to_string()));
        self
    }
}

/// A card (poster, board) with `lines` drawn top-down on `paper`. With `board` it gets a
/// whiteboard's aluminium frame and marker tray. Shared by the whiteboard, poster and lecture.
fn text_card(ctx: &Ctx<'_>, cap: f32, paper: [u8; 3], board: bool, lines: &[Line]) -> Layer {
    let f = ctx.fonts;
    let frame = if board { cap * 0.5 } else { 0.0 };
    let pad = cap * 1.3 + frame;
    let styled: Vec<Style> =
        lines.iter().map(|l| style(l.face, cap * l.size, ctx.look.ink(l.color, paper))).collect();
    let w = lines.iter().zip(&styled).map(|(l, s)| l.indent * cap + f.width(*s, &l.text)).fold(0.0, f32::max)
        + 2.0 * pad;
    let h = 2.0 * pad + styled.iter().map(|s| s.cap * 2.1).sum::<f32>();
    let mut layer = Layer::new(w, h + if board { cap } else { 0.0 });
    if board {
        layer.round_rect([0.0, 0.0, w, h], frame * 0.6, rgba([172, 174, 178]));
        layer.round_rect(
            [w * 0.1, h - frame * 0.5, w * 0.9, h + cap * 0.8],
            cap * 0.2,
            rgba([150, 152, 156]),
        );
    }
    layer.round_rect([frame, frame, w - frame, h - frame], cap * 0.3, rgba(paper));
    let mut b = pad;
    for (l, s) in lines.iter().zip(&styled) {
        b += s.cap * 2.1;
        let (x, baseline) = (pad + l.indent * cap, b - s.cap * 0.7);
        match &l.item {
            Some((kind, value)) => layer.item(f, *s, x, baseline, &l.text, kind, value),
            None => layer.text(f, *s, x, baseline, &l.text),
        };
    }
    layer.core = [0.0, 0.0, w, h];
    layer
}

/// Restaurant menu: dishes with prices (some dish names are also surnames).
fn menu(rng: &mut Lcg, ctx: &Ctx<'_>, cap: f32) -> Layer {
    let f = ctx.fonts;
    let paper = jitter(rng, [246, 238, 218], 5.0);
    let ink = ctx.look.ink(*rng.pick(&[[40, 30, 24], [20, 40, 60]]), paper);
    let dishes = [
        ("Caesar Salad", "12.50"),
        ("Brown sugar oatmeal", "6.75"),
        ("Tomato basil soup", "7.25"),
        ("Grilled salmon", "21.00"),
        ("Young greens & feta", "9.50"),
        ("Fish and chips", "16.95"),
        ("Baker's dozen bagels", "18.00"),
        ("King prawn curry", "19.40"),
        ("Green tea", "3.25"),
        ("Catering tray (serves 40)", "1,555.01"),
        ("Private room, per event", "555.00"),
    ];
    let start = rng.int(0, dishes.len() as u32 - 1) as usize;
    let count = rng.int(6, 9) as usize;
    let chosen: Vec<_> = (0..count).map(|i| dishes[(start + i) % dishes.len()]).collect();
    let title = *rng.pick(&["The Corner Bistro", "Harbor Grill", "Maple Street Cafe", "Golden Spoon"]);
    let sub = format!("Est. {}  ·  Lunch {}:00–{}:00", rng.int(1952, 2019), rng.int(11, 12), rng.int(14, 15));
    let (tst, sst, st) =
        (style(Face::Bold, cap * 1.6, ink), style(Face::Sans, cap * 0.8, ink), style(Face::Sans, cap, ink));
    let pad = cap * 1.5;
    let gap = cap * 1.9;
    let col = chosen.iter().map(|d| f.width(st, d.0) + cap * 3.0 + f.width(st, d.1)).fold(0.0, f32::max);
    let w = col.max(f.width(tst, title)).max(f.width(sst, &sub)) + 2.0 * pad;
    let h = 2.0 * pad + cap * 1.6 + gap * (1.5 + count as f32) + cap * 2.0;
    let mut layer = Layer::new(w, h);
    layer.round_rect([0.0, 0.0, w, h], cap * 0.3, rgba(paper));
    let mut b = pad + cap * 1.6;
    layer.text(f, tst, (w - f.width(tst, title)) / 2.0, b, title);
    b += gap * 0.9;
    layer.text(f, sst, (w - f.width(sst, &sub)) / 2.0, b, &sub);
    b += gap * 0.6;
    for (dish, price) in &chosen {
        b += gap;
        let r = layer.text(f, st, pad, b, dish);
        let px = w - pad - f.width(st, price);
        layer.text(f, st, px, b, price);
        // Dotted leader.
        let mut x = r[2] + cap * 0.6;
        while x < px - cap * 0.6 {
            layer.ellipse(x, b - cap * 0.1, (cap * 0.08).max(0.8), (cap * 0.08).max(0.8), ink);
            x += cap * 0.5;
        }
    }
    b += gap * 1.2;
    layer.text(f, sst, pad, b, &format!("Prices include tax  ·  Table {}", rng.int(1, 30)));
    layer
}

/// Street signs on a pole: green name blades ("Main St", "Young St") and a speed limit sign.
const STREETS: [&str; 9] =
    ["Main St", "Young St", "Brown Ave", "Oak St", "Elm Ave", "Park Rd", "King Blvd", "Hill St", "Green Ln"];

/// Streets named like the institutions whose marks `brand.logo-text` looks for: near misses.
const INSTITUTION_STREETS: [&str; 8] = [
    "Michigan Ave",
    "Wayne St",
    "State St",
    "Minnesota Ave",
    "Nottingham Rd",
    "University Ave",
    "Medicine Lake Rd",
    "Wayne County Library",
];

fn street_sign(rng: &mut Lcg, ctx: &Ctx<'_>, cap: f32, names: &[&str]) -> Layer {
    let f = ctx.fonts;
    let a = rng.int(0, names.len() as u32 - 1) as usize;
    let b_ = (a + 1 + rng.int(0, names.len() as u32 - 2) as usize) % names.len();
    let green = [22, 110, 62];
    let white = ctx.look.ink([248, 248, 248], green);
    let blade_st = style(Face::Bold, cap * 1.4, white);
    let num_st = style(Face::Bold, cap * 0.6, white);
    let pad = cap * 0.9;
    let blade_w = |s: &str| f.width(blade_st, s) + f.width(num_st, "1000") + pad * 3.0;
    let bw = blade_w(names[a]).max(blade_w(names[b_]));
    let bh = cap * 1.4 + 2.0 * pad;
    let limit = rng.int(2, 7) * 5;
    let speed = rng.chance(0.7);
    let sign_w = cap * 9.0;
    let sign_h = cap * 11.0;
    let w = bw.max(sign_w) + cap * 2.0;
    let h = bh * 2.2 + if speed { sign_h + cap * 2.0 } else { 0.0 } + cap * 12.0;
    let mut layer = Layer::new(w, h);
    let pole_x = w / 2.0;
    layer.round_rect([pole_x - cap * 0.5, bh * 0.5, pole_x + cap * 0.5, h], cap * 0.2, rgba([140, 144, 150]));
    let mut y = 0.0;
    for (i, n) in [names[a], names[b_]].iter().enumerate() {
        let x = (w - bw) / 2.0 + if i == 1 { cap * 0.5 } else { 0.0 };
        let blade = [x, y, x + bw, y + bh];
        layer.round_rect(blade, cap * 0.3, rgba([240, 240, 240]));
        layer.round_rect([x + 2.0, y + 2.0, x + bw - 2.0, y + bh - 2.0], cap * 0.25, rgba(green));
        let r = layer.text(f, blade_st, x + pad, y + pad + cap * 1.4, n);
        layer.text(f, num_st, r[2] + pad, y + pad + cap * 0.6, &format!("{}", rng.int(1, 49) * 100));
        y += bh * 1.1;
    }
    if speed {
        let (x, y) = ((w - sign_w) / 2.0, y + cap * 1.5);
        let plate = [248, 248, 246];
        layer.round_rect([x, y, x + sign_w, y + sign_h], cap * 0.6, rgba(plate));
        let black = ctx.look.ink([20, 20, 20], plate);
        layer.round_rect(
            [x + cap * 0.3, y + cap * 0.3, x + sign_w - cap * 0.3, y + sign_h - cap * 0.3],
            cap * 0.4,
            black,
        );
        layer.round_rect(
            [x + cap * 0.5, y + cap * 0.5, x + sign_w - cap * 0.5, y + sign_h - cap * 0.5],
            cap * 0.3,
            rgba(plate),
        );
        let st = style(Face::Bold, cap * 1.2, black);
        for (k, s) in ["SPEED", "LIMIT"].iter().enumerate() {
            layer.text(f, st, x + (sign_w - f.width(st, s)) / 2.0, y + cap * (2.6 + k as f32 * 2.0), s);
        }
        let big = style(Face::Bold, cap * 3.6, black);
        let n = limit.to_string();
        layer.text(f, big, x + (sign_w - f.width(big, &n)) / 2.0, y + sign_h - cap * 1.4, &n);
    }
    layer.core = [0.0, 0.0, w, y + if speed { sign_h + cap * 2.0 } else { 0.0 }];
    layer
}

/// Conference poster: year, room number, opening hours, a keynote title.
fn poster(rng: &mut Lcg, ctx: &Ctx<'_>, cap: f32) -> Layer {
    let bg = *rng.pick(&[[250, 250, 250], [232, 242, 250], [252, 240, 222]]);
    let ink = *rng.pick(&[[20, 40, 90], [30, 30, 30], [120, 30, 40]]);
    let topics = [
        "Young adults and sleep",
        "Brown fat and metabolism",
        "Green chemistry in practice",
        "White matter imaging",
    ];
    let lines = [
        Line::new("ACME Conference 2026", 1.8, Face::Bold, ink),
        Line::new(&format!("November {}–{}, 2026", rng.int(2, 20), rng.int(21, 27)), 1.0, Face::Sans, ink),
        Line::new(&format!("Keynote: {}", rng.pick(&topics)), 1.0, Face::Sans, ink),
        Line::new(
            &format!("Room {}  ·  {}:00–17:00", rng.int(101, 120), rng.int(8, 10)),
            1.0,
            Face::Bold,
            ink,
        ),
        Line::new(
            &format!(
                "Session {}{}  ·  Hall {}",
                rng.int(1, 9),
                rng.pick(&["A", "B", "C"]),
                rng.pick(&["C", "D", "E"])
            ),
            0.9,
            Face::Sans,
            ink,
        ),
        Line::new("Register at acme-conf.example.org", 0.8, Face::Sans, ink),
    ];
    text_card(ctx, cap, bg, false, &lines)
}

/// Book page: prose with ordinary capitalised words that are also surnames, page number, ISBN.
fn book(rng: &mut Lcg, ctx: &Ctx<'_>, cap: f32) -> Layer {
    let f = ctx.fonts;
    let paper = jitter(rng, [247, 243, 230], 4.0);
    let ink = ctx.look.ink([34, 32, 30], paper);
    let prose = [
        "Brown sugar gives the dough its colour and a faint taste of molasses.",
        "Young adults in the survey slept less on weekdays than on weekends.",
        "White bread keeps for two days; rye keeps for nearly a week.",
        "Hill country farms grow wheat on the slopes and barley in the valleys.",
        "Green tea was served after the meal, with honey on the side.",
        "King salmon run upriver in late summer when the water cools.",
        "The baker rose at four and the miller had the flour ready by five.",
        "Rain had fallen all morning, and the market square was nearly empty.",
        "A good loaf needs time more than it needs skill.",
    ];
    let st = style(Face::Sans, cap, ink);
    let measure = cap * rng.range(26.0, 34.0);
    // Greedy word wrap of a run of sentences.
    let start = rng.int(0, prose.len() as u32 - 1) as usize;
    let text: Vec<&str> = (0..5).map(|i| prose[(start + i) % prose.len()]).collect();
    let mut lines = vec![String::new()];
    for word in text.join(" ").split(' ') {
        let cur = lines.last_mut().unwrap();
        let candidate = if cur.is_empty() { word.to_string() } else { format!("{cur} {word}") };
        if f.width(st, &candidate) > measure && !cur.is_empty() {
            lines.push(word.to_string());
        } else {
            *cur = candidate;
        }
    }
    let pad = cap * 2.5;
    let gap = cap * 1.8;
    let isbn = rng.chance(0.6);
    let w = measure + 2.0 * pad;
    let h = 2.0 * pad + (lines.len() as f32 + 4.0 + if isbn { 1.5 } else { 0.0 }) * gap;
    let mut layer = Layer::new(w, h);
    layer.round_rect([0.0, 0.0, w, h], 1.0, rgba(paper));
    let small = style(Face::Sans, cap * 0.75, ink);
    let head = format!("CHAPTER {}", rng.int(2, 14));
    layer.text(f, small, (w - f.width(small, &head)) / 2.0, pad, &head);
    let mut b = pad + gap * 1.5;
    for l in &lines {
        layer.text(f, st, pad, b, l);
        b += gap;
    }
    if isbn {
        b += gap * 0.5;
        layer.text(f, small, pad, b, "ISBN 978-0-306-40615-7");
    }
    let page = rng.int(12, 480).to_string();
    layer.text(f, small, (w - f.width(small, &page)) / 2.0, h - pad * 0.8, &page);
    layer
}

/// Lecture whiteboard: biochemistry notes, numbers and equations.
fn lecture(rng: &mut Lcg, ctx: &Ctx<'_>, cap: f32) -> Layer {
    let ink = *rng.pick(&[[30, 60, 170], [25, 25, 30], [20, 110, 60]]);
    let lines = [
        Line::new(&format!("Lecture {}", rng.int(2, 24)), 1.4, Face::Bold, ink),
        Line::new("Krebs cycle", 1.2, Face::Bold, ink),
        Line::new("Acetyl-CoA + oxaloacetate → citrate", 1.0, Face::Sans, ink),
        Line::new(&format!("ATP yield: {}–38 per glucose", rng.int(30, 32)), 1.0, Face::Sans, ink),
        Line::new("ΔG°′ = −30.5 kJ/mol", 1.0, Face::Sans, ink),
        Line::new("C6H12O6 + 6 O2 → 6 CO2 + 6 H2O", 1.0, Face::Sans, ink),
        Line::new(&format!("Reading: pp. {}–{}", rng.int(300, 420), rng.int(421, 480)), 1.0, Face::Sans, ink),
    ];
    text_card(ctx, cap, [246, 248, 248], true, &lines)
}

/// Shelf price tags: product, price, unit price and an 8-digit item number.
fn price_tag(rng: &mut Lcg, ctx: &Ctx<'_>, cap: f32) -> Layer {
    let f = ctx.fonts;
    let products = [
        ("Brown sugar 2 lb", "$3.49"),
        ("Young coconut water", "$2.99"),
        ("Green tea 20 ct", "$4.29"),
        ("King Arthur flour 5 lb", "$6.79"),
        ("White rice 10 lb", "$11.49"),
        ("55-inch TV", "$1,555.01"),
    ];
    let n = rng.int(2, 3) as usize;
    let start = rng.int(0, products.len() as u32 - 1) as usize;
    let tag = *rng.pick(&[[252, 236, 90], [250, 250, 250]]);
    let tag = jitter(rng, tag, 4.0);
    let ink = ctx.look.ink(INK, tag);
    let st = style(Face::Sans, cap, ink);
    let big = style(Face::Bold, cap * 2.4, ink);
    let small = style(Face::Sans, cap * 0.7, ink);
    let pad = cap * 0.8;
    let items: Vec<(&str, &str, String, String)> = (0..n)
        .map(|i| {
            let (name, price) = products[(start + i) % products.len()];
            (
                name,
                price,
                format!("Unit price {}.{}¢/oz", rng.int(3, 40), rng.int(0, 9)),
                format!("Item {}", rng.digits(8)),
            )
        })
        .collect();
    let tag_w = items
        .iter()
        .map(|t| {
            f.width(st, t.0).max(f.width(big, t.1)).max(f.width(small, &t.2) + cap + f.width(small, &t.3))
        })
        .fold(0.0, f32::max)
        + 2.0 * pad;
    let tag_h = 2.0 * pad + cap * 6.0;
    let w = n as f32 * (tag_w + cap) + cap;
    let h = tag_h + cap * 2.0;
    let mut layer = Layer::new(w, h);
    layer.round_rect([0.0, 0.0, w, h], 0.0, rgba([90, 94, 100]));
    for (i, t) in items.iter().enumerate() {
        let x = cap + i as f32 * (tag_w + cap);
        let y = cap;
        layer.round_rect([x, y, x + tag_w, y + tag_h], cap * 0.2, rgba(tag));
        layer.text(f, st, x + pad, y + pad + cap, t.0);
        layer.text(f, big, x + pad, y + pad + cap * 4.0, t.1);
        let r = layer.text(f, small, x + pad, y + tag_h - pad, &t.2);
        layer.text(f, small, r[2] + cap, y + tag_h - pad, &t.3);
    }
    layer
}

// ---------------------------------------------------------------------------------------------
// Institutional scenes (brand.logo-text, doc.institutional) and their near misses
// ---------------------------------------------------------------------------------------------

/// An institution's mark (what `brand.logo-text` must find) and a unit under it.
const INSTITUTIONS: [(&str, &str); 6] = [
    ("Wayne State University", "School of Medicine"),
    ("University of Michigan", "Medical School"),
    ("Michigan Medicine", "Department of Surgery"),
    ("University of Minnesota", "Medical School"),
    ("University of Nottingham", "School of Medicine"),
    ("Detroit Medical Center", "Graduate Medical Education"),
];

/// Words the bodies of handouts are made of (no identifiers, no cue words).
const ACADEMIC_WORDS: [&str; 40] = [
    "students",
    "will",
    "review",
    "the",
    "cardiac",
    "cycle",
    "and",
    "present",
    "one",
    "case",
    "each",
    "week",
    "during",
    "small",
    "group",
    "sessions",
    "on",
    "ward",
    "rounds",
    "with",
    "their",
    "tutor",
    "reading",
    "before",
    "class",
    "is",
    "expected",
    "assessment",
    "includes",
    "a",
    "short",
    "written",
    "reflection",
    "history",
    "taking",
    "examination",
    "skills",
    "attendance",
    "required",
    "feedback",
];

/// A photographed institutional document: letterhead, what it is, a page of body text.
fn handout(rng: &mut Lcg, ctx: &Ctx<'_>, cap: f32) -> Layer {
    let (mark, unit) = *rng.pick(&INSTITUTIONS);
    let ink = *rng.pick(&[[20, 30, 60], [30, 30, 30], [90, 20, 30]]);
    let kind = match rng.int(0, 5) {
        0 => format!("Course handout: {} block", rng.pick(&["Cardiology", "Renal", "Neurology", "Anatomy"])),
        1 => format!(
            "Minutes of the {} Committee",
            rng.pick(&["Curriculum", "Assessment", "Student Progress"])
        ),
        2 => "Clinical skills logbook".to_string(),
        3 => "CONFIDENTIAL - internal use only".to_string(),
        4 => format!("Course guide {}-{}", 2026, 27),
        _ => "Year 3 student handbook".to_string(),
    };
    let mut lines = vec![
        Line::new(mark, 1.5, Face::Bold, ink).item("brand", mark),
        Line::new(unit, 1.0, Face::Sans, ink),
        Line::new(&kind, 1.2, Face::Bold, ink),
    ];
    for _ in 0..rng.int(6, 9) {
        let n = rng.int(6, 9);
        let words: Vec<&str> = (0..n).map(|_| *rng.pick(&ACADEMIC_WORDS)).collect();
        lines.push(Line::new(&words.join(" "), 0.8, Face::Sans, [30, 30, 30]));
    }
    if rng.chance(0.4) {
        lines.push(Line::new("Do not distribute", 0.8, Face::Bold, ink));
    }
    text_card(ctx, cap, jitter(rng, [250, 250, 247], 3.0), false, &lines)
}

/// A building or department sign carrying an institution's name.
fn institution_sign(rng: &mut Lcg, ctx: &Ctx<'_>, cap: f32) -> Layer {
    let (mark, unit) = *rng.pick(&INSTITUTIONS);
    let (plate, ink) = *rng.pick(&[
        ([20, 40, 90], [245, 245, 240]),
        ([12, 70, 50], [240, 240, 236]),
        ([235, 235, 230], [20, 30, 60]),
    ]);
    let lines = [
        Line::new(mark, 1.4, Face::Bold, ink).item("brand", mark),
        Line::new(unit, 1.0, Face::Sans, ink),
        Line::new(&format!("Building {}", rng.int(1, 9)), 0.8, Face::Sans, ink),
    ];
    text_card(ctx, cap, plate, false, &lines)
}

/// A recipe card: a page of text with "minutes" in it that is no meeting's minutes.
fn recipe(rng: &mut Lcg, ctx: &Ctx<'_>, cap: f32) -> Layer {
    let ink = *rng.pick(&[[40, 30, 24], [20, 40, 60]]);
    let dish = *rng.pick(&["Banana bread", "Lemon drizzle cake", "Oat cookies", "Corn muffins"]);
    let lines = [
        Line::new(dish, 1.4, Face::Bold, ink),
        Line::new(
            &format!("Bake at {} F for {} minutes", rng.int(325, 375), rng.int(20, 60)),
            1.0,
            Face::Sans,
            ink,
        ),
        Line::new("2 cups flour, 1 tsp baking soda, a pinch of salt", 1.0, Face::Sans, ink),
        Line::new(&format!("Cool for {} minutes before slicing", rng.int(5, 15)), 1.0, Face::Sans, ink),
        Line::new(&format!("Serves {}", rng.int(4, 12)), 1.0, Face::Sans, ink),
    ];
    text_card(ctx, cap, jitter(rng, [248, 242, 226], 5.0), false, &lines)
}

// ---------------------------------------------------------------------------------------------
// Photographed medical documents (class `documents`): lab report, prescription, discharge summary
// ---------------------------------------------------------------------------------------------

const DOC_INK: [u8; 3] = [24, 24, 30];
const DOC_GREY: [u8; 3] = [84, 84, 92];
/// Ballpoint inks for the handwritten parts: blue, dark blue, black.
const PEN_INKS: [[u8; 3]; 3] = [[26, 48, 156], [18, 32, 112], [34, 34, 44]];
/// Letterhead colours.
const ACCENTS: [[u8; 3]; 5] = [[20, 50, 110], [0, 94, 108], [118, 22, 44], [22, 90, 52], [52, 52, 64]];

/// Fictional hospitals (letterheads of lab reports and discharge summaries) and a department.
const HOSPITALS: [(&str, &str); 6] = [
    ("Riverside General Hospital", "Department of Laboratory Medicine"),
    ("Lakeview Regional Medical Center", "Pathology and Laboratory Services"),
    ("St. Aldric Hospital", "Clinical Biochemistry and Haematology"),
    ("Meadowbrook Community Hospital", "Laboratory Services"),
    ("Northgate Medical Center", "Clinical Laboratory"),
    ("Harbor View Hospital", "Division of Laboratory Medicine"),
];
/// Fictional practices (prescription pads).
const CLINICS: [&str; 6] = [
    "Maple Grove Family Practice",
    "Oakridge Medical Group",
    "Cedar Lane Clinic",
    "Parkside Internal Medicine",
    "Willow Creek Health Center",
    "Brookfield Primary Care",
];
const STREET_NAMES: [&str; 10] =
    ["Oak", "Maple", "Cedar", "Elm", "Pine", "Lakeshore", "Hillcrest", "Park", "Washington", "Lincoln"];
const STREET_TYPES: [&str; 6] = ["St", "Ave", "Rd", "Dr", "Blvd", "Ln"];
const CITIES: [(&str, &str); 8] = [
    ("Springfield", "IL"),
    ("Riverton", "MI"),
    ("Fairview", "OH"),
    ("Greenville", "SC"),
    ("Madison", "WI"),
    ("Franklin", "TN"),
    ("Clinton", "IA"),
    ("Georgetown", "KY"),
];

/// A street address from the LCG: ("4821 Hillcrest Ave", "Georgetown, KY 40324").
fn street_address(rng: &mut Lcg) -> (String, String) {
    let street = format!("{} {} {}", rng.int(10, 9899), rng.pick(&STREET_NAMES), rng.pick(&STREET_TYPES));
    let (city, state) = *rng.pick(&CITIES);
    (street, format!("{city}, {state} {:05}", rng.int(10_000, 99_899)))
}

/// A clinician: "Dr. Karen Lopez" (not a patient identifier, like the nurse on whiteboards).
fn doctor(rng: &mut Lcg) -> String {
    let first = FIRST_NAMES[rng.int(0, FIRST_NAMES.len() as u32 - 1) as usize];
    let last = SURNAMES[rng.int(0, SURNAMES.len() as u32 - 1) as usize];
    format!("Dr. {} {}", title_case(first), title_case(last))
}

fn clinic_phone(rng: &mut Lcg) -> String {
    format!("({}) 555-01{:02}", rng.pick(&[734, 313, 248, 612, 206, 415]), rng.int(0, 99))
}

/// `d` moved by `n` days (proleptic Gregorian calendar).
fn add_days(d: (u32, u32, u32), n: i32) -> (u32, u32, u32) {
    let month_len = |y: u32, m: u32| match m {
        2 if (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    let (mut y, mut m, mut day) = (d.0, d.1, d.2 as i32 + n);
    while day < 1 {
        (y, m) = if m == 1 { (y - 1, 12) } else { (y, m - 1) };
        day += month_len(y, m);
    }
    while day > month_len(y, m) {
        day -= month_len(y, m);
        (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    }
    (y, m, day as u32)
}

/// How a document prints dates: "03/14/1957" (US) or "14-Mar-1957".
#[derive(Clone, Copy)]
enum DateStyle {
    Us,
    DayMonth,
}

impl DateStyle {
    fn fmt(self, d: (u32, u32, u32)) -> String {
        const MONTHS: [&str; 12] =
            ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
        match self {
            DateStyle::Us => Patient::us(d),
            DateStyle::DayMonth => format!("{:02}-{}-{}", d.2, MONTHS[d.1 as usize - 1], d.0),
        }
    }
}

/// One drawing step of a page. Steps are recorded first and drawn by `Page::finish`, once the
/// page's height (which depends on how much was written) is known and the paper is down.
enum Op {
    Text { st: Style, x: f32, baseline: f32, text: String, item: Option<(&'static str, String)> },
    Hand { st: Style, x: f32, baseline: f32, text: String, seed: u64, item: Option<(&'static str, String)> },
    Fill { r: Rect, color: Rgba<u8> },
    Stroke { points: Vec<(f32, f32)>, width: f32, color: Rgba<u8> },
}

/// A label and its value on a document ("MRN:" and "12345678"). `kind` makes the value an
/// identifier: its box covers the value alone, since the label stands in its own column.
struct Field {
    label: String,
    value: String,
    kind: Option<&'static str>,
    /// Written by hand (in the page's pen) rather than printed.
    hand: bool,
}

fn field(label: &str, value: &str, kind: Option<&'static str>) -> Field {
    Field { label: label.to_string(), value: value.to_string(), kind, hand: false }
}

/// How a block of fields is laid out.
#[derive(Clone, Copy, PartialEq)]
enum Block {
    /// One column: labels left, values aligned right of the widest label.
    Single,
    /// Two such columns side by side; the first `n` fields go left.
    Columns(usize),
    /// A ruled grid, two cells a row: a small label over its value in each cell.
    Grid,
}

/// A word of running text, optionally an identifier (kind, value).
type Tok = (String, Option<(&'static str, String)>);

fn words(s: &str) -> Vec<Tok> {
    s.split_whitespace().map(|w| (w.to_string(), None)).collect()
}

/// A document page under construction. Lengths are in pixels; `c` is the body cap height.
struct Page<'a> {
    f: &'a Fonts,
    look: Look,
    paper: [u8; 3],
    c: f32,
    /// Page width (set once the widest content is known) and margin.
    w: f32,
    m: f32,
    /// The pen of the handwritten parts and the randomness of the hand and the signatures.
    pen: [u8; 3],
    pen_face: Face,
    hand_rng: Lcg,
    ops: Vec<Op>,
    /// Lowest ink so far: the page's content ends here.
    bottom: f32,
}

impl<'a> Page<'a> {
    fn new(rng: &mut Lcg, ctx: &Ctx<'a>, c: f32) -> Page<'a> {
        let paper = *rng.pick(&[[250, 250, 248], [246, 244, 236], [252, 251, 246], [241, 241, 237]]);
        Page {
            f: ctx.fonts,
            look: ctx.look,
            paper: jitter(rng, paper, 3.0),
            c,
            w: 0.0,
            m: c * 3.2,
            pen: *rng.pick(&PEN_INKS),
            pen_face: if rng.chance(0.7) { Face::Sans } else { Face::Bold },
            hand_rng: Lcg::new(u64::from(rng.next_u32())),
            ops: Vec::new(),
            bottom: 0.0,
        }
    }

    /// A style `size` body caps tall in `ink` printed on the paper.
    fn st(&self, face: Face, size: f32, ink: [u8; 3]) -> Style {
        style(face, self.c * size, self.look.ink(ink, self.paper))
    }

    /// Sets the page width: `caps` body caps, widened to hold `needed` (content widths) inside
    /// the margins.
    fn set_width(&mut self, caps: f32, needed: &[f32]) {
        self.w = (caps * self.c).max(needed.iter().copied().fold(0.0, f32::max) + 2.0 * self.m);
    }

    fn width(&self, st: Style, text: &str) -> f32 {
        self.f.width(st, text)
    }

    /// The handwriting style for printed style `st`: the page's pen, a little larger.
    fn hand_style(&self, st: Style) -> Style {
        style(self.pen_face, st.cap * 1.1, self.look.ink(self.pen, self.paper))
    }

    /// Advance width of handwriting in `st` (the hand style), with room for its slant.
    fn hand_width(&self, st: Style, text: &str) -> f32 {
        self.f.width(st, text) * 1.06 + st.cap * 0.4
    }

    /// Printed text; returns the x where it ends.
    fn text(&mut self, st: Style, x: f32, baseline: f32, text: &str) -> f32 {
        self.put(st, x, baseline, text, None)
    }

    fn put(
        &mut self,
        st: Style,
        x: f32,
        baseline: f32,
        text: &str,
        item: Option<(&'static str, String)>,
    ) -> f32 {
        self.bottom = self.bottom.max(baseline + st.cap * 0.35);
        self.ops.push(Op::Text { st, x, baseline, text: text.to_string(), item });
        x + self.f.width(st, text)
    }

    /// Handwriting in the hand style `st`; returns the x where it ends.
    fn hand(
        &mut self,
        st: Style,
        x: f32,
        baseline: f32,
        text: &str,
        item: Option<(&'static str, String)>,
    ) -> f32 {
        self.bottom = self.bottom.max(baseline + st.cap * 0.5);
        let seed = u64::from(self.hand_rng.next_u32());
        self.ops.push(Op::Hand { st, x, baseline, text: text.to_string(), seed, item });
        x + self.hand_width(st, text)
    }

    /// Printed text right-aligned at the right margin.
    fn text_right(&mut self, st: Style, baseline: f32, text: &str) {
        let x = self.w - self.m - self.width(st, text);
        self.text(st, x, baseline, text);
    }

    fn fill(&mut self, r: Rect, color: Rgba<u8>) {
        self.bottom = self.bottom.max(r[3]);
        self.ops.push(Op::Fill { r, color });
    }

    /// A horizontal rule `t` pixels thick (at least one) centred on `y`.
    fn hrule(&mut self, x0: f32, x1: f32, y: f32, t: f32, ink: [u8; 3]) {
        let t = t.max(1.0);
        let color = self.look.ink(ink, self.paper);
        self.fill([x0, y - t / 2.0, x1, y + t / 2.0], color);
    }

    fn vrule(&mut self, x: f32, y0: f32, y1: f32, t: f32, ink: [u8; 3]) {
        let t = t.max(1.0);
        let color = self.look.ink(ink, self.paper);
        self.fill([x - t / 2.0, y0, x + t / 2.0, y1], color);
    }

    /// A signature: a pen scribble `len` wide sitting on `baseline`.
    fn signature(&mut self, x: f32, baseline: f32, len: f32) {
        let c = self.c;
        let r = &mut self.hand_rng;
        let n = r.int(10, 18);
        let mut points = Vec::new();
        for i in 0..=n {
            let t = i as f32 / n as f32;
            let up = if i % 2 == 0 { -r.range(0.6, 1.8) } else { r.range(-0.1, 0.5) };
            points.push((x + t * len + r.range(-0.3, 0.3) * c, baseline + up * c));
        }
        // A flourish back under the name.
        points.push((x + len * r.range(0.2, 0.5), baseline + c * r.range(0.3, 0.7)));
        let color = self.look.ink(self.pen, self.paper);
        self.bottom = self.bottom.max(baseline + c);
        self.ops.push(Op::Stroke { points, width: (c * 0.12).max(1.5), color });
    }

    /// A field's value: printed in `st` or handwritten, and recorded as an identifier.
    fn value(&mut self, st: Style, x: f32, baseline: f32, fl: &Field) -> f32 {
        let item = fl.kind.map(|k| (k, fl.value.clone()));
        if fl.hand {
            let hs = self.hand_style(st);
            self.hand(hs, x, baseline, &fl.value, item)
        } else {
            self.put(st, x, baseline, &fl.value, item)
        }
    }

    fn value_width(&self, st: Style, fl: &Field) -> f32 {
        if fl.hand { self.hand_width(self.hand_style(st), &fl.value) } else { self.width(st, &fl.value) }
    }

    /// Widest label and widest value of a column of fields.
    fn column_widths(&self, lab: Style, val: Style, fields: &[Field]) -> (f32, f32) {
        fields.iter().fold((0.0, 0.0), |(l, v), fl| {
            (f32::max(l, self.width(lab, &fl.label)), f32::max(v, self.value_width(val, fl)))
        })
    }

    fn grid_widths(&self, small: Style, val: Style, fields: &[Field]) -> [f32; 2] {
        let mut w = [0.0f32; 2];
        for (i, fl) in fields.iter().enumerate() {
            let cell = self.width(small, &fl.label).max(self.value_width(val, fl)) + self.c * 1.6;
            w[i % 2] = w[i % 2].max(cell);
        }
        w
    }

    fn block_width(&self, lab: Style, val: Style, small: Style, fields: &[Field], block: Block) -> f32 {
        let gap = self.c * 1.2;
        match block {
            Block::Single => {
                let (l, v) = self.column_widths(lab, val, fields);
                l + gap + v
            }
            Block::Columns(n) => {
                let (a, b) = fields.split_at(n.min(fields.len()));
                let (la, va) = self.column_widths(lab, val, a);
                let (lb, vb) = self.column_widths(lab, val, b);
                la + va + lb + vb + 2.0 * gap + self.c * 3.0
            }
            Block::Grid => self.grid_widths(small, val, fields).iter().sum(),
        }
    }

    /// Draws a block of fields from the top `y` at the left margin; returns the y below it.
    #[allow(clippy::too_many_arguments)]
    fn block(
        &mut self,
        y: f32,
        lab: Style,
        val: Style,
        small: Style,
        fields: &[Field],
        block: Block,
        rule: [u8; 3],
    ) -> f32 {
        let (c, m, gap) = (self.c, self.m, self.c * 1.2);
        // Handwriting is larger and wanders: give it more room.
        let pitch = if fields.iter().any(|fl| fl.hand) { c * 2.5 } else { c * 2.0 };
        let column = |pg: &mut Page<'_>, x: f32, fields: &[Field]| -> f32 {
            let (l, _) = pg.column_widths(lab, val, fields);
            for (i, fl) in fields.iter().enumerate() {
                let b = y + pitch * i as f32 + c * 1.4;
                pg.text(lab, x, b, &fl.label);
                let vx = x + l + gap;
                let end = pg.value(val, vx, b, fl);
                if fl.hand {
                    // The dotted line of a form the value was written on.
                    pg.hrule(vx - c * 0.2, end + c * 0.5, b + c * 0.4, c * 0.06, DOC_GREY);
                }
            }
            x + l + gap + pg.column_widths(lab, val, fields).1
        };
        match block {
            Block::Single => {
                column(self, m, fields);
                y + pitch * fields.len() as f32 + c * 0.6
            }
            Block::Columns(n) => {
                let (a, b) = fields.split_at(n.min(fields.len()));
                let end = column(self, m, a);
                column(self, end + c * 3.0, b);
                y + pitch * a.len().max(b.len()) as f32 + c * 0.6
            }
            Block::Grid => {
                let widths = self.grid_widths(small, val, fields);
                let cell_h = c * 3.3;
                let rows = fields.len().div_ceil(2);
                let t = (c * 0.1).max(1.4);
                let x1 = m + widths[0] + widths[1];
                for r in 0..=rows {
                    self.hrule(m, x1, y + cell_h * r as f32, t, rule);
                }
                let y1 = y + cell_h * rows as f32;
                for x in [m, m + widths[0], x1] {
                    self.vrule(x, y, y1, t, rule);
                }
                for (i, fl) in fields.iter().enumerate() {
                    let (cx, cy) =
                        (m + if i % 2 == 0 { 0.0 } else { widths[0] } + c * 0.8, y + cell_h * (i / 2) as f32);
                    self.text(small, cx, cy + c * 1.25, &fl.label);
                    self.value(val, cx, cy + c * 2.7, fl);
                }
                y1 + c * 1.2
            }
        }
    }

    /// Column widths of a table (cell padding included); a one-cell row is a section heading.
    fn table_widths(&self, head: Style, cell: Style, header: &[&str], rows: &[Vec<String>]) -> Vec<f32> {
        let mut w: Vec<f32> = header.iter().map(|h| self.width(head, h)).collect();
        for row in rows.iter().filter(|r| r.len() == header.len()) {
            for (i, s) in row.iter().enumerate() {
                w[i] = w[i].max(self.width(cell, s));
            }
        }
        w.iter().map(|v| v + self.c * 1.6).collect()
    }

    /// A results table from the top `y` at the left margin, ruled as a grid or with rules under
    /// the header and at the end (then with shaded alternate rows if `shade`); returns the y
    /// below it.
    #[allow(clippy::too_many_arguments)]
    fn table(
        &mut self,
        y: f32,
        head: Style,
        cell: Style,
        header: &[&str],
        rows: &[Vec<String>],
        grid: bool,
        shade: Option<[u8; 3]>,
        rule: [u8; 3],
    ) -> f32 {
        let c = self.c;
        let widths = self.table_widths(head, cell, header, rows);
        let (x0, pitch, t) = (self.m, c * 2.0, (c * 0.1).max(1.4));
        let x1 = x0 + widths.iter().sum::<f32>();
        let xs: Vec<f32> = widths.iter().scan(x0, |x, w| Some(std::mem::replace(x, *x + w))).collect();
        let row_y = |i: usize| y + c * 2.3 + pitch * i as f32;
        let end = row_y(rows.len());
        if let Some(s) = shade {
            let color = rgba(mix(self.paper, s, 0.1));
            self.fill([x0, y, x1, y + c * 2.3], color);
            for i in (1..rows.len()).step_by(2) {
                self.fill([x0, row_y(i), x1, row_y(i + 1)], color);
            }
        }
        for (i, h) in header.iter().enumerate() {
            self.text(head, xs[i] + c * 0.7, y + c * 1.65, h);
        }
        for (r, row) in rows.iter().enumerate() {
            let b = row_y(r) + c * 1.5;
            if row.len() == header.len() {
                for (i, s) in row.iter().enumerate() {
                    self.text(cell, xs[i] + c * 0.7, b, s);
                }
            } else {
                self.text(head, xs[0] + c * 0.7, b, &row[0]);
            }
        }
        if grid {
            for i in 0..=rows.len() {
                self.hrule(x0, x1, row_y(i), t, rule);
            }
            self.hrule(x0, x1, y, t, rule);
            for x in xs.iter().copied().chain([x1]) {
                self.vrule(x, y, end, t, rule);
            }
        } else {
            self.hrule(x0, x1, y, t * 1.5, rule);
            self.hrule(x0, x1, row_y(0), t, rule);
            self.hrule(x0, x1, end, t * 1.5, rule);
        }
        end + c * 1.2
    }

    /// Running text wrapped between the margins from the top `y`; returns the y below it.
    fn paragraph(&mut self, y: f32, st: Style, toks: &[Tok]) -> f32 {
        let (c, pitch) = (self.c, st.cap * 1.85);
        let space = self.width(st, " ");
        let (x0, x1) = (self.m, self.w - self.m);
        let (mut x, mut b) = (x0, y + c * 1.4);
        for (word, item) in toks {
            let w = self.width(st, word);
            if x > x0 && x + w > x1 {
                x = x0;
                b += pitch;
            }
            self.put(st, x, b, word, item.clone());
            x += w + space;
        }
        b + pitch - c * 1.4 + c * 0.5
    }

    /// A letterhead: 0, a coloured band across the top with the name reversed out; 1, the name
    /// centred over a rule; 2, the name left and `right` right-aligned, over a rule. A round mark
    /// stands before the name. Returns the y below it.
    #[allow(clippy::too_many_arguments)]
    fn letterhead(
        &mut self,
        kind: u32,
        accent: [u8; 3],
        bold: Face,
        body: Face,
        name: &str,
        sub: &[String],
        right: &[String],
    ) -> f32 {
        let c = self.c;
        let surface = if kind == 0 { accent } else { self.paper };
        let name_ink = if kind == 0 { [250, 250, 250] } else { accent };
        let sub_ink = if kind == 0 { mix([250, 250, 250], accent, 0.2) } else { DOC_GREY };
        let name_st = style(bold, c * 1.45, self.look.ink(name_ink, surface));
        let sub_st = style(body, c * 0.9, self.look.ink(sub_ink, surface));
        let logo = c * 2.2;
        let top = if kind == 0 { c * 1.6 } else { self.m * 0.8 };
        let name_b = top + c * 1.45;
        let lines: Vec<&String> =
            if kind == 2 { sub.iter().collect() } else { sub.iter().chain(right).collect() };
        let last_b = name_b + c * 1.6 * lines.len() as f32;
        let bottom = last_b.max(name_b + c * 1.6 * right.len() as f32) + c * 0.9;
        if kind == 0 {
            self.fill([0.0, 0.0, self.w, bottom + c * 0.4], rgba(accent));
        }
        let left_w = self.width(name_st, name) + logo;
        let x = if kind == 1 { (self.w - left_w) / 2.0 } else { self.m };
        // The mark: a disc with a cross in it.
        let (mx, my, r) = (x + c * 0.85, name_b - c * 0.72, c * 0.85);
        let (disc, cross) = if kind == 0 { ([250, 250, 250], accent) } else { (accent, self.paper) };
        self.ops.push(Op::Stroke {
            points: vec![(mx, my), (mx, my)],
            width: r * 2.0,
            color: self.look.ink(disc, surface),
        });
        self.ops.push(Op::Stroke {
            points: vec![(mx - r * 0.55, my), (mx + r * 0.55, my)],
            width: r * 0.4,
            color: rgba(cross),
        });
        self.ops.push(Op::Stroke {
            points: vec![(mx, my - r * 0.55), (mx, my + r * 0.55)],
            width: r * 0.4,
            color: rgba(cross),
        });
        self.text(name_st, x + logo, name_b, name);
        for (i, s) in lines.iter().enumerate() {
            let b = name_b + c * 1.6 * (i + 1) as f32;
            if kind == 1 {
                let lx = (self.w - self.width(sub_st, s)) / 2.0;
                self.text(sub_st, lx, b, s);
            } else {
                self.text(sub_st, x + logo, b, s);
            }
        }
        if kind == 2 {
            for (i, s) in right.iter().enumerate() {
                self.text_right(sub_st, name_b + c * 1.6 * i as f32, s);
            }
        }
        if kind != 0 {
            self.hrule(self.m, self.w - self.m, bottom, c * 0.15, accent);
        }
        bottom + c * 1.6
    }

    fn letterhead_width(
        &self,
        kind: u32,
        bold: Face,
        body: Face,
        name: &str,
        sub: &[String],
        right: &[String],
    ) -> f32 {
        let c = self.c;
        let name_st = style(bold, c * 1.45, rgba(DOC_INK));
        let sub_st = style(body, c * 0.9, rgba(DOC_INK));
        let widest = |lines: &[String]| lines.iter().map(|s| self.width(sub_st, s)).fold(0.0, f32::max);
        let left = (self.width(name_st, name)).max(widest(sub)) + c * 2.2;
        if kind == 2 { left + c * 3.0 + widest(right) } else { left.max(widest(right) + c * 2.2) }
    }

    /// Paints the paper (with fold creases on some pages) and draws the recorded steps. The page
    /// is `ratio` times as tall as wide, or taller if its content needs it; the layer's core
    /// is the part with content, so the blank foot of a page may run out of the frame.
    fn finish(self, rng: &mut Lcg, ratio: f32) -> Layer {
        let (c, w) = (self.c, self.w);
        let content = self.bottom + self.m * 0.7;
        let h = (w * ratio).max(content);
        let mut layer = Layer::new(w, h);
        let page = [0.0, 0.0, w, h];
        layer.paint(page, rgba(self.paper), sd_round_rect(page, c * 0.1));
        if rng.chance(0.35) {
            // Letter folded in three: a faint shadow above each crease, a highlight below.
            for k in [1.0, 2.0] {
                let (cy, band) = (h * k / 3.0, c * 0.9);
                let r = [0.0, cy - band, w, cy + band];
                layer.paint_with(r, sd_round_rect(r, 0.0), |_, y| {
                    let t = (y - cy) / band;
                    if t < 0.0 {
                        Rgba([0, 0, 0, (16.0 * (1.0 + t)) as u8])
                    } else {
                        Rgba([255, 255, 255, (22.0 * (1.0 - t)) as u8])
                    }
                });
            }
        }
        let f = self.f;
        for op in self.ops {
            match op {
                Op::Text { st, x, baseline, text, item } => {
                    let rect = layer.text(f, st, x, baseline, &text);
                    if let Some((kind, text)) = item {
                        layer.items.push(Item { kind, text, rect });
                    }
                }
                Op::Hand { st, x, baseline, text, seed, item } => {
                    let rect = layer.hand_text(f, st, x, baseline, &text, &mut Lcg::new(seed));
                    if let Some((kind, text)) = item {
                        layer.items.push(Item { kind, text, rect });
                    }
                }
                Op::Fill { r, color } => layer.paint(r, color, sd_round_rect(r, 0.0)),
                Op::Stroke { points, width, color } => layer.polyline(&points, width, color),
            }
        }
        layer.core = [0.0, 0.0, w, content.min(h)];
        layer
    }
}

/// A laboratory test: US and UK name, units, reference range, decimals printed.
struct LabTest {
    us: &'static str,
    uk: &'static str,
    unit: &'static str,
    lo: f32,
    hi: f32,
    dec: usize,
}

const fn lab_test(
    us: &'static str,
    uk: &'static str,
    unit: &'static str,
    lo: f32,
    hi: f32,
    dec: usize,
) -> LabTest {
    LabTest { us, uk, unit, lo, hi, dec }
}

const HAEMATOLOGY: [LabTest; 5] = [
    lab_test("Hemoglobin", "Haemoglobin", "g/dL", 12.0, 16.0, 1),
    lab_test("WBC", "WBC", "x10^9/L", 4.0, 11.0, 1),
    lab_test("RBC", "RBC", "x10^12/L", 4.2, 5.9, 2),
    lab_test("Hematocrit", "Haematocrit", "%", 36.0, 48.0, 1),
    lab_test("Platelets", "Platelets", "x10^9/L", 150.0, 400.0, 0),
];
const CHEMISTRY: [LabTest; 7] = [
    lab_test("Sodium", "Sodium", "mmol/L", 135.0, 145.0, 0),
    lab_test("Potassium", "Potassium", "mmol/L", 3.5, 5.1, 1),
    lab_test("Chloride", "Chloride", "mmol/L", 98.0, 107.0, 0),
    lab_test("BUN", "Urea", "mg/dL", 7.0, 20.0, 0),
    lab_test("Creatinine", "Creatinine", "mg/dL", 0.6, 1.2, 2),
    lab_test("Glucose", "Glucose", "mg/dL", 70.0, 99.0, 0),
    lab_test("HbA1c", "HbA1c", "%", 4.0, 5.6, 1),
];
const LIVER: [LabTest; 4] = [
    lab_test("ALT", "ALT", "U/L", 7.0, 56.0, 0),
    lab_test("AST", "AST", "U/L", 10.0, 40.0, 0),
    lab_test("Alkaline Phosphatase", "Alkaline Phosphatase", "U/L", 44.0, 147.0, 0),
    lab_test("CRP", "CRP", "mg/L", 0.0, 5.0, 1),
];

/// Drugs for prescriptions and discharge medication lists: line, directions, quantity.
const DRUGS: [(&str, &str, u32); 10] = [
    ("Amoxicillin 500 mg capsules", "1 cap three times daily for 7 days", 21),
    ("Lisinopril 10 mg tablets", "1 tab by mouth once daily", 30),
    ("Metformin 500 mg tablets", "1 tab twice daily with meals", 60),
    ("Atorvastatin 20 mg tablets", "1 tab at bedtime", 30),
    ("Ibuprofen 400 mg tablets", "1 tab every 8 hours as needed for pain", 20),
    ("Omeprazole 20 mg capsules", "1 cap daily before breakfast", 28),
    ("Salbutamol 100 mcg inhaler", "2 puffs every 4-6 hours as needed", 1),
    ("Prednisolone 5 mg tablets", "6 tabs once daily for 5 days", 30),
    ("Cephalexin 500 mg capsules", "1 cap four times daily for 10 days", 40),
    ("Furosemide 40 mg tablets", "1 tab every morning", 30),
];

/// Cases for discharge summaries: diagnosis, history, complaint, findings, hospital course,
/// discharge drugs (indices into `DRUGS`). `{He}`, `{he}`, `{his}` are replaced by pronouns.
type Case = (&'static str, &'static str, &'static str, &'static str, &'static str, [usize; 3]);
const CASES: [Case; 6] = [
    (
        "Community-acquired pneumonia",
        "hypertension and type 2 diabetes",
        "three days of fever, productive cough and shortness of breath",
        "febrile to 38.9 C with crackles at the right base, and a chest X-ray showed right lower lobe consolidation",
        "was treated with intravenous ceftriaxone and azithromycin and switched to oral amoxicillin once afebrile for 48 hours",
        [0, 2, 1],
    ),
    (
        "Acute exacerbation of COPD",
        "COPD and a 40 pack-year smoking history",
        "four days of worsening wheeze and breathlessness",
        "saturating 86% on room air with diffuse expiratory wheeze",
        "received nebulised bronchodilators and oral prednisolone and improved steadily",
        [7, 6, 5],
    ),
    (
        "Cellulitis of the left lower leg",
        "obesity and venous insufficiency",
        "two days of a red, painful and swollen left shin",
        "found to have spreading erythema without an abscess on ultrasound",
        "was treated with intravenous cefazolin and then oral cephalexin as the redness receded",
        [8, 4, 3],
    ),
    (
        "Acute appendicitis, status post laparoscopic appendectomy",
        "no significant past medical history",
        "one day of periumbilical pain migrating to the right lower quadrant",
        "tender at McBurney's point with a raised white cell count, and CT confirmed appendicitis",
        "underwent an uncomplicated laparoscopic appendectomy and tolerated a regular diet on the first postoperative day",
        [4, 5, 0],
    ),
    (
        "Congestive heart failure exacerbation",
        "ischemic cardiomyopathy and atrial fibrillation",
        "a week of increasing leg swelling and orthopnea",
        "hypoxic with bibasal crackles and pitting edema to the knees",
        "was diuresed with intravenous furosemide, losing 4 kg, and {his} home medications were optimised",
        [9, 1, 3],
    ),
    (
        "Urinary tract infection with acute kidney injury",
        "chronic kidney disease stage 3",
        "dysuria, fever and new confusion",
        "febrile with a creatinine of 2.1 mg/dL, above {his} baseline of 1.3",
        "was treated with intravenous fluids and ceftriaxone, and {his} creatinine returned to baseline",
        [8, 2, 5],
    ),
];

/// The styles most pages use: (bold face, body face); a quarter of lab reports are printed by a
/// laboratory system in monospace throughout.
fn doc_faces(mono: bool) -> (Face, Face) {
    if mono { (Face::Mono, Face::Mono) } else { (Face::Bold, Face::Sans) }
}

/// A photographed laboratory report: letterhead, patient fields, a results table.
fn lab_report(rng: &mut Lcg, ctx: &Ctx<'_>, cap: f32) -> Layer {
    let (p, c) = (ctx.patient, cap);
    let mut pg = Page::new(rng, ctx, c);
    let mono = rng.chance(0.25);
    let (bold, body) = doc_faces(mono);
    let uk = rng.chance(0.4);
    let (org, dept) = *rng.pick(&HOSPITALS);
    let accent = *rng.pick(&ACCENTS);
    let head = rng.int(0, 2);
    let block = *rng.pick(&[Block::Single, Block::Columns(4), Block::Columns(4), Block::Grid]);
    let grid = rng.chance(0.5);
    let shade = (!grid && rng.chance(0.5)).then_some(accent);
    let dates = if uk && rng.chance(0.5) { DateStyle::DayMonth } else { DateStyle::Us };
    let (street, city) = street_address(rng);
    let sub = vec![dept.to_string(), format!("{street}, {city}")];
    let right = vec![format!("Tel {}", clinic_phone(rng)), format!("Fax {}", clinic_phone(rng))];
    let name = if rng.chance(0.6) { p.upper_name() } else { p.title_last_first() };
    let collected = format!("{} {}", dates.fmt(p.date), p.clock());
    let (rh, rm) = (p.time.0 + rng.int(1, 6), rng.int(0, 59));
    let reported = if rh < 24 {
        format!("{} {rh:02}:{rm:02}", dates.fmt(p.date))
    } else {
        format!("{} {:02}:{rm:02}", dates.fmt(add_days(p.date, 1)), rh - 24)
    };
    let sex = if rng.chance(0.5) {
        p.sex.to_string()
    } else if p.sex == 'F' {
        "Female".into()
    } else {
        "Male".into()
    };
    let mrn_label = *rng.pick(&["MRN:", "Hospital No:", "Patient ID:"]);
    let dob_label = *rng.pick(&["DOB:", "Date of Birth:"]);
    let mut fields = vec![
        field("Patient Name:", &name, Some("name")),
        field(mrn_label, &p.mrn, Some("mrn")),
        field(dob_label, &dates.fmt(p.dob), Some("dob")),
    ];
    if rng.chance(0.5) {
        fields.push(field("Age:", &p.age.to_string(), Some("age")));
    }
    fields.push(field("Sex:", &sex, None));
    let left = fields.len();
    let lab_label = *rng.pick(&["Lab No:", "Accession:", "Specimen No:"]);
    fields.extend([
        field(lab_label, &p.accession, Some("accession")),
        field("Collected:", &collected, Some("date")),
        field("Reported:", &reported, Some("date")),
        field("Requested by:", &doctor(rng), None),
    ]);
    let block = if let Block::Columns(_) = block { Block::Columns(left) } else { block };
    // Results: a blood count and/or chemistry, sometimes liver tests, with section headings.
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut panel = |rng: &mut Lcg, title: &str, tests: &[LabTest], n: u32| {
        rows.push(vec![title.to_string()]);
        let start = rng.int(0, tests.len() as u32 - n) as usize;
        for t in &tests[start..start + n as usize] {
            let v = (t.lo + (t.hi - t.lo) * rng.range(-0.3, 1.3)).max(0.0);
            let v: f32 = format!("{v:.*}", t.dec).parse().unwrap_or(v);
            let flag = if v > t.hi {
                "H"
            } else if v < t.lo {
                "L"
            } else {
                ""
            };
            rows.push(vec![
                (if uk { t.uk } else { t.us }).to_string(),
                format!("{v:.*}", t.dec),
                flag.to_string(),
                t.unit.to_string(),
                format!("{:.*} - {:.*}", t.dec, t.lo, t.dec, t.hi),
            ]);
        }
    };
    let (haem, chem) = match rng.int(0, 2) {
        0 => (true, false),
        1 => (false, true),
        _ => (true, true),
    };
    if haem {
        let n = rng.int(3, 5);
        panel(rng, if uk { "HAEMATOLOGY" } else { "HEMATOLOGY" }, &HAEMATOLOGY, n);
    }
    if chem {
        let n = rng.int(4, 7);
        panel(rng, if uk { "CLINICAL BIOCHEMISTRY" } else { "CHEMISTRY" }, &CHEMISTRY, n);
    }
    if !(haem && chem) || rng.chance(0.3) {
        let n = rng.int(2, 4);
        panel(rng, "LIVER FUNCTION", &LIVER, n);
    }
    let header = ["Test", "Result", "Flag", "Units", "Reference Range"];
    let title = *rng.pick(&[
        "LABORATORY REPORT",
        "Laboratory Report",
        "FINAL REPORT",
        "Cumulative Laboratory Report",
    ]);
    let lab = pg.st(bold, 1.0, DOC_INK);
    let val = pg.st(body, 1.0, DOC_INK);
    let small = pg.st(body, 0.8, DOC_GREY);
    let title_st = pg.st(bold, 1.3, DOC_INK);
    let needed = [
        pg.letterhead_width(head, bold, body, org, &sub, &right),
        pg.block_width(lab, val, small, &fields, block),
        pg.table_widths(lab, val, &header, &rows).iter().sum(),
        pg.width(title_st, title),
    ];
    pg.set_width(rng.range(44.0, 50.0), &needed);
    let mut y = pg.letterhead(head, accent, bold, body, org, &sub, &right);
    pg.text(title_st, pg.m, y + c * 1.3, title);
    y += c * 3.0;
    y = pg.block(y, lab, val, small, &fields, block, DOC_GREY);
    y += c * 0.8;
    y = pg.table(y, lab, val, &header, &rows, grid, shade, DOC_GREY);
    let foot = pg.st(body, 0.9, DOC_INK);
    if rng.chance(0.6) {
        let comment = *rng.pick(&[
            "Comments: Specimen received in good condition.",
            "Comments: Results telephoned to the ward.",
            "Comments: Mildly haemolysed sample.",
        ]);
        pg.text(foot, pg.m, y + c * 1.2, comment);
        y += c * 2.0;
    }
    pg.text(foot, pg.m, y + c * 1.2, &format!("Verified by: {}", doctor(rng)));
    y += c * 2.4;
    let end = "*** End of Report ***";
    let ex = (pg.w - pg.width(foot, end)) / 2.0;
    pg.text(foot, ex, y + c * 1.2, end);
    pg.text_right(foot, y + c * 1.2, "Page 1 of 1");
    let ratio = *rng.pick(&[1.294, 1.414]);
    pg.finish(rng, ratio)
}

/// A photographed prescription: practice header, patient fields (often handwritten), "Rx", one
/// or two drugs with directions, quantity and refills, the prescriber's signature.
fn prescription(rng: &mut Lcg, ctx: &Ctx<'_>, cap: f32) -> Layer {
    let (p, c) = (ctx.patient, cap);
    let mut pg = Page::new(rng, ctx, c);
    let hand = rng.chance(0.6);
    let (bold, body) = doc_faces(false);
    let clinic = *rng.pick(&CLINICS);
    let prescriber = format!("{}, MD", doctor(rng));
    let specialty = *rng.pick(&["Family Medicine", "Internal Medicine", "General Practice", "Pediatrics"]);
    let accent = *rng.pick(&ACCENTS);
    let head = rng.int(0, 2);
    let (street, city) = street_address(rng);
    let sub = vec![format!("{prescriber} - {specialty}"), format!("{street}, {city}")];
    let right = vec![format!("Tel {}", clinic_phone(rng)), format!("Lic. No. {}", rng.digits(7))];
    let name = if hand || rng.chance(0.5) { p.title_name() } else { p.upper_name() };
    let (pstreet, pcity) = street_address(rng);
    let mut fields = vec![field("Patient:", &name, Some("name"))];
    fields.push(field("DOB:", &Patient::us(p.dob), Some("dob")));
    fields.push(field("Address:", &pstreet, Some("address")));
    fields.push(field("", &pcity, Some("address")));
    let left = fields.len();
    fields.push(field("Date:", &Patient::us(p.date), Some("date")));
    match rng.int(0, 2) {
        0 => fields.push(field("Phone:", &p.phone, Some("phone"))),
        1 => fields.push(field("MRN:", &p.mrn, Some("mrn"))),
        _ => fields.push(field("Age:", &p.age.to_string(), Some("age"))),
    }
    for fl in &mut fields {
        fl.hand = hand && fl.label != "MRN:";
    }
    let block = if rng.chance(0.5) { Block::Single } else { Block::Columns(left) };
    let n_drugs = if rng.chance(0.35) { 2 } else { 1 };
    let first = rng.int(0, DRUGS.len() as u32 - 1) as usize;
    let drugs: Vec<(&str, &str, u32)> = (0..n_drugs).map(|i| DRUGS[(first + i * 3) % DRUGS.len()]).collect();
    let refills = rng.int(0, 3);
    let lab = pg.st(bold, 1.0, DOC_INK);
    let val = pg.st(body, 1.0, DOC_INK);
    let drug_st = pg.st(body, 1.1, DOC_INK);
    let rx_st = pg.st(bold, 2.4, DOC_INK);
    let indent = pg.width(rx_st, "Rx") + c * 1.5;
    let drug_w = drugs
        .iter()
        .map(|d| {
            let sig = format!("Sig: {}", d.1);
            let w = pg.width(drug_st, d.0).max(pg.width(drug_st, &sig));
            if hand { w * 1.15 + c } else { w }
        })
        .fold(0.0, f32::max);
    let needed = [
        pg.letterhead_width(head, bold, body, clinic, &sub, &right),
        pg.block_width(lab, val, val, &fields, block),
        indent + drug_w,
    ];
    pg.set_width(rng.range(36.0, 42.0), &needed);
    let mut y = pg.letterhead(head, accent, bold, body, clinic, &sub, &right);
    y = pg.block(y, lab, val, val, &fields, block, DOC_GREY);
    y += c * 0.8;
    pg.text(rx_st, pg.m, y + c * 2.6, "Rx");
    y += c * 0.6;
    for (drug, sig, qty) in &drugs {
        let lines = [
            drug.to_string(),
            format!("Sig: {sig}"),
            format!("Dispense: {qty}"),
            format!("Refills: {refills}"),
        ];
        for l in &lines {
            let b = y + c * 1.6;
            if hand {
                let hs = pg.hand_style(drug_st);
                pg.hand(hs, pg.m + indent, b, l, None);
                y += c * 2.4;
            } else {
                pg.text(drug_st, pg.m + indent, b, l);
                y += c * 2.1;
            }
        }
        y += c * 0.8;
    }
    let small = pg.st(body, 0.85, DOC_GREY);
    if rng.chance(0.5) {
        pg.text(small, pg.m, y + c * 1.2, "[ ] Dispense as written    [X] Substitution permitted");
        y += c * 2.2;
    }
    // Signature over a line, the prescriber's printed name under it.
    y += c * 2.2;
    let sig_x = pg.w - pg.m - c * 16.0;
    let sig_b = y + c * 1.2;
    pg.signature(sig_x + c, sig_b - c * 0.2, c * rng.range(9.0, 13.0));
    pg.hrule(sig_x, pg.w - pg.m, sig_b + c * 0.3, c * 0.07, DOC_INK);
    pg.text(small, sig_x, sig_b + c * 1.7, "Prescriber signature");
    pg.text(val, sig_x, sig_b + c * 3.5, &prescriber);
    let ratio = *rng.pick(&[1.294, 1.414]);
    pg.finish(rng, ratio)
}

/// A photographed discharge summary: letterhead, patient fields, diagnosis, history of present
/// illness and hospital course in prose, discharge medications, follow-up, attending physician.
fn discharge_summary(rng: &mut Lcg, ctx: &Ctx<'_>, cap: f32) -> Layer {
    let (p, c) = (ctx.patient, cap);
    let mut pg = Page::new(rng, ctx, c);
    let (bold, body) = doc_faces(false);
    let (org, _) = *rng.pick(&HOSPITALS);
    let accent = *rng.pick(&ACCENTS);
    let head = rng.int(0, 2);
    let block = *rng.pick(&[Block::Single, Block::Columns(4), Block::Grid, Block::Grid]);
    let dates = if rng.chance(0.3) { DateStyle::DayMonth } else { DateStyle::Us };
    let (street, city) = street_address(rng);
    let sub = vec![format!("{street}, {city}")];
    let right = vec![format!("Tel {}", clinic_phone(rng)), "Health Information Management".to_string()];
    let attending = format!("{}, MD", doctor(rng));
    let admitted = add_days(p.date, -(rng.int(2, 9) as i32));
    let name = if rng.chance(0.5) { p.upper_name() } else { p.title_name() };
    let sex = if p.sex == 'F' { "Female" } else { "Male" };
    let mut fields = vec![
        field("Patient Name:", &name, Some("name")),
        field("MRN:", &p.mrn, Some("mrn")),
        field("DOB:", &dates.fmt(p.dob), Some("dob")),
        field("Sex:", sex, None),
    ];
    let left = fields.len();
    fields.push(field("Admission Date:", &dates.fmt(admitted), Some("date")));
    fields.push(field("Discharge Date:", &dates.fmt(p.date), Some("date")));
    if rng.chance(0.4) {
        fields.push(field("Location:", &format!("Room {} Bed {}", p.room, p.bed), Some("room-bed")));
    }
    fields.push(field("Attending:", &attending, None));
    let block = if let Block::Columns(_) = block { Block::Columns(left) } else { block };
    let case = *rng.pick(&CASES);
    let (he, his) = if p.sex == 'F' { ("she", "her") } else { ("he", "his") };
    let pron = |s: &str| s.replace("{his}", his).replace("{He}", &title_case(he)).replace("{he}", he);
    // History of present illness: the surname and the age are identifiers in running text.
    let mut hpi: Vec<Tok> = vec![(if p.sex == 'F' { "Ms." } else { "Mr." }.to_string(), None)];
    let last = title_case(p.last);
    hpi.push((last.clone(), Some(("name", last.clone()))));
    hpi.extend(words("is a"));
    hpi.push((format!("{}-year-old", p.age), Some(("age", p.age.to_string()))));
    hpi.extend(words(&format!(
        "{} with a history of {} who presented to the emergency department with {}. On arrival {he} was {}. {} was admitted for further management.",
        if p.sex == 'F' { "woman" } else { "man" },
        case.1,
        case.2,
        pron(case.3),
        title_case(he),
    )));
    let mut course: Vec<Tok> = words(&format!(
        "{} {}. {} was discharged home in stable condition on",
        title_case(he),
        pron(case.4),
        title_case(he)
    ));
    let discharged = dates.fmt(p.date);
    course.push((format!("{discharged}."), Some(("date", discharged.clone()))));
    let follow_date = dates.fmt(add_days(p.date, rng.int(7, 21) as i32));
    let mut follow: Vec<Tok> = words(&format!("Follow up with {} in clinic on", doctor(rng)));
    follow.push((format!("{follow_date}."), Some(("date", follow_date.clone()))));
    follow.extend(words("Return to the emergency department if symptoms worsen."));
    let upper = rng.chance(0.5);
    let heading = |s: &str| if upper { s.to_uppercase() } else { s.to_string() };
    let lab = pg.st(bold, 1.0, DOC_INK);
    let val = pg.st(body, 1.0, DOC_INK);
    let small = pg.st(body, 0.8, DOC_GREY);
    let title_st = pg.st(bold, 1.5, if rng.chance(0.5) { accent } else { DOC_INK });
    let head_st = pg.st(bold, 1.1, DOC_INK);
    let needed = [
        pg.letterhead_width(head, bold, body, org, &sub, &right),
        pg.block_width(lab, val, small, &fields, block),
        pg.width(title_st, "DISCHARGE SUMMARY"),
    ];
    pg.set_width(rng.range(50.0, 56.0), &needed);
    let mut y = pg.letterhead(head, accent, bold, body, org, &sub, &right);
    let tx = if rng.chance(0.5) { (pg.w - pg.width(title_st, "DISCHARGE SUMMARY")) / 2.0 } else { pg.m };
    pg.text(title_st, tx, y + c * 1.5, "DISCHARGE SUMMARY");
    y += c * 3.8;
    y = pg.block(y, lab, val, small, &fields, block, DOC_GREY);
    let section = |pg: &mut Page<'_>, y: &mut f32, title: &str| {
        pg.text(head_st, pg.m, *y + c * 2.1, title);
        *y += c * 2.8;
    };
    section(&mut pg, &mut y, &heading("Diagnosis"));
    y = pg.paragraph(y, val, &words(&format!("Principal: {}", case.0)));
    section(&mut pg, &mut y, &heading("History of Present Illness"));
    y = pg.paragraph(y, val, &hpi);
    section(&mut pg, &mut y, &heading("Hospital Course"));
    y = pg.paragraph(y, val, &course);
    section(&mut pg, &mut y, &heading("Medications on discharge"));
    let n_meds = rng.int(2, 3) as usize;
    for (i, &d) in case.5.iter().take(n_meds).enumerate() {
        let (drug, sig, _) = DRUGS[d];
        y = pg.paragraph(y, val, &words(&format!("{}. {drug}, {sig}", i + 1)));
    }
    section(&mut pg, &mut y, &heading("Follow-up"));
    y = pg.paragraph(y, val, &follow);
    // Attending physician, signed by hand over the name on half.
    let signed_by_hand = rng.chance(0.5);
    y += if signed_by_hand { c * 2.6 } else { c * 1.0 };
    let end = pg.text(lab, pg.m, y + c * 1.4, "Attending Physician:");
    pg.text(val, end + c, y + c * 1.4, &attending);
    if signed_by_hand {
        pg.signature(end + c * 2.0, y + c * 0.6, c * rng.range(8.0, 12.0));
    }
    y += c * 2.2;
    let signed = dates.fmt(p.date);
    let end = pg.text(small, pg.m, y + c * 1.2, "Electronically signed:");
    pg.put(
        small,
        end + c * 0.5,
        y + c * 1.2,
        &format!("{signed} {}", p.clock()),
        Some(("date", format!("{signed} {}", p.clock()))),
    );
    pg.text_right(small, y + c * 1.2, "CONFIDENTIAL - Page 1 of 1");
    let ratio = *rng.pick(&[1.294, 1.414]);
    pg.finish(rng, ratio)
}

// ---------------------------------------------------------------------------------------------
// Photo assembly
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy)]
enum Scene {
    Wristband,
    Whiteboard,
    Monitor,
    Label,
    Sticker,
    Door,
    Radiograph,
    Menu,
    StreetSign,
    Poster,
    Book,
    Lecture,
    PriceTag,
    Handout,
    InstitutionSign,
    PlaceSign,
    Recipe,
    LabReport,
    Prescription,
    DischargeSummary,
}

const PHI_SCENES: [Scene; 7] = [
    Scene::Wristband,
    Scene::Whiteboard,
    Scene::Monitor,
    Scene::Label,
    Scene::Sticker,
    Scene::Door,
    Scene::Radiograph,
];
const BENIGN_SCENES: [Scene; 6] =
    [Scene::Menu, Scene::StreetSign, Scene::Poster, Scene::Book, Scene::Lecture, Scene::PriceTag];
/// Institutional photos: no patient, but a brand or a document the policies keep in.
const INSTITUTIONAL_SCENES: [Scene; 2] = [Scene::Handout, Scene::InstitutionSign];
/// Benign near misses of the institutional rules, scored with the other benign photos.
const NEAR_MISS_SCENES: [Scene; 2] = [Scene::PlaceSign, Scene::Recipe];
/// Photographed medical documents (`--documents`): every one must be redacted or blocked.
const DOCUMENT_SCENES: [Scene; 3] = [Scene::LabReport, Scene::Prescription, Scene::DischargeSummary];

impl Scene {
    fn name(self) -> &'static str {
        match self {
            Scene::Wristband => "wristband",
            Scene::Whiteboard => "whiteboard",
            Scene::Monitor => "monitor",
            Scene::Label => "label",
            Scene::Sticker => "sticker",
            Scene::Door => "door",
            Scene::Radiograph => "radiograph",
            Scene::Menu => "menu",
            Scene::StreetSign => "street_sign",
            Scene::Poster => "poster",
            Scene::Book => "book",
            Scene::Lecture => "lecture",
            Scene::PriceTag => "price_tag",
            Scene::Handout => "handout",
            Scene::InstitutionSign => "institution_sign",
            Scene::PlaceSign => "place_sign",
            Scene::Recipe => "recipe",
            Scene::LabReport => "lab_report",
            Scene::Prescription => "prescription",
            Scene::DischargeSummary => "discharge_summary",
        }
    }
    fn is_document(self) -> bool {
        matches!(self, Scene::LabReport | Scene::Prescription | Scene::DischargeSummary)
    }
    fn palette(self) -> &'static Palette {
        match self {
            Scene::Wristband | Scene::Label => &BED,
            Scene::Whiteboard | Scene::Door | Scene::Poster | Scene::Lecture | Scene::Monitor => &WALL,
            Scene::Sticker | Scene::Book | Scene::PriceTag | Scene::Handout => &DESK,
            Scene::Radiograph => &DARK,
            Scene::StreetSign | Scene::PlaceSign => &OUTDOOR,
            Scene::InstitutionSign => &WALL,
            Scene::Menu | Scene::Recipe => &TABLE,
            // Not used: a document's surface is drawn per photo (`Variation::document`).
            Scene::LabReport | Scene::Prescription | Scene::DischargeSummary => &DESK,
        }
    }
    fn build(self, rng: &mut Lcg, ctx: &Ctx<'_>, cap: f32) -> Layer {
        match self {
            Scene::Wristband => wristband(rng, ctx, cap),
            Scene::Whiteboard => whiteboard(rng, ctx, cap),
            Scene::Monitor => monitor(rng, ctx, cap),
            Scene::Label => label(rng, ctx, cap),
            Scene::Sticker => sticker(rng, ctx, cap),
            Scene::Door => door(rng, ctx, cap),
            Scene::Radiograph => radiograph(rng, ctx, cap),
            Scene::Menu => menu(rng, ctx, cap),
            Scene::StreetSign => street_sign(rng, ctx, cap, &STREETS),
            Scene::Poster => poster(rng, ctx, cap),
            Scene::Book => book(rng, ctx, cap),
            Scene::Lecture => lecture(rng, ctx, cap),
            Scene::PriceTag => price_tag(rng, ctx, cap),
            Scene::Handout => handout(rng, ctx, cap),
            Scene::InstitutionSign => institution_sign(rng, ctx, cap),
            Scene::PlaceSign => street_sign(rng, ctx, cap, &INSTITUTION_STREETS),
            Scene::Recipe => recipe(rng, ctx, cap),
            Scene::LabReport => lab_report(rng, ctx, cap),
            Scene::Prescription => prescription(rng, ctx, cap),
            Scene::DischargeSummary => discharge_summary(rng, ctx, cap),
        }
    }
    /// The rules a photo of this scene must fire beyond its identifiers (scored per rule).
    fn expected_rules(self) -> &'static [&'static str] {
        match self {
            // "Your nurse today" is on every board.
            Scene::Whiteboard => &["scene.patient-area"],
            Scene::Handout => &["doc.institutional", "brand.logo-text"],
            Scene::InstitutionSign => &["brand.logo-text"],
            _ => &[],
        }
    }
    /// The verdicts the photo as a whole must get, where its class alone does not say it.
    fn expected_verdict(self) -> &'static [&'static str] {
        if self.is_document() { &["redact", "block"] } else { &[] }
    }
}

#[derive(Serialize)]
struct TruthItem {
    kind: &'static str,
    text: String,
    /// `[x, y, w, h]` in final image pixels.
    bbox: [u32; 4],
}

#[derive(Serialize)]
struct TruthPhoto {
    file: String,
    class: &'static str,
    scene: &'static str,
    width: u32,
    height: u32,
    quality: u8,
    rotation_deg: f64,
    /// `[kx, ky]`: fraction by which one vertical / horizontal edge of the object is shortened.
    perspective: [f64; 2],
    blur: f64,
    /// Cap height in pixels of the object's body text (headings may be larger).
    text_px: f64,
    low_contrast: bool,
    /// The 4032×3024 frames with a small object somewhere in them.
    small_object: bool,
    items: Vec<TruthItem>,
    /// Rules the photo must fire that no item box stands for (scene and document rules).
    expect: &'static [&'static str],
    /// Verdicts the photo must get (documents: `["redact", "block"]`); left out when empty, so
    /// the other photos' entries read as before.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    expect_verdict: &'static [&'static str],
}

#[derive(Serialize)]
struct Truth {
    generator: &'static str,
    photos: Vec<TruthPhoto>,
}

fn round2(v: f32) -> f64 {
    (f64::from(v) * 100.0).round() / 100.0
}

struct Photo {
    truth: TruthPhoto,
    image: RgbImage,
    jpeg: Vec<u8>,
}

/// The per-photo variation (step 1 of `make_photo`).
struct Variation {
    small: bool,
    w: u32,
    h: u32,
    cap: f32,
    rotation: f32,
    persp: (f32, f32),
    blur: f32,
    quality: u8,
    low_contrast: bool,
    look: Look,
    palette: &'static Palette,
    /// Documents: the share of the frame the page should fill (sets `cap`).
    fill: Option<f32>,
}

impl Variation {
    /// Clinical objects and ordinary scenes (phi, benign, institutional). The draws and their
    /// order are those of the first corpus: do not change them, or every photo changes.
    fn object(rng: &mut Lcg, scene: Scene) -> Variation {
        let small = rng.chance(0.25);
        let (w, h) = if small { (4032u32, 3024u32) } else { (1600, 1200) };
        let cap = if small { rng.range(12.0, 20.0) } else { rng.range(12.0, 60.0) };
        let rotation = rng.range(-20.0, 20.0);
        let persp =
            if rng.chance(0.4) { (rng.range(-0.12, 0.12), rng.range(-0.12, 0.12)) } else { (0.0, 0.0) };
        let blur = if rng.chance(0.55) { rng.range(0.3, 1.5) } else { 0.0 };
        let quality = rng.int(60, 95) as u8;
        let low_contrast = rng.chance(0.2);
        let look = Look { fade: if low_contrast { rng.range(0.55, 0.72) } else { 0.0 } };
        let palette = scene.palette();
        Variation {
            small,
            w,
            h,
            cap,
            rotation,
            persp,
            blur,
            quality,
            low_contrast,
            look,
            palette,
            fill: None,
        }
    }

    /// A page photographed on a desk or table with a phone: 1.9-3 MP, mostly portrait, the page
    /// filling 80-97 % of the frame, turned 3-12 degrees, mild perspective, faded toner on a few.
    /// Discharge summaries (long pages) are portrait and at least 2.8 MP, and landscape frames
    /// are at least 1440 px tall, so body text stays 14 px or taller.
    fn document(rng: &mut Lcg, scene: Scene) -> Variation {
        let long_page = matches!(scene, Scene::DischargeSummary);
        let portrait = long_page || rng.chance(0.7);
        let sizes: &[(u32, u32)] = if portrait && !long_page {
            &[(1600, 1200), (1920, 1440), (2000, 1500)]
        } else {
            &[(1920, 1440), (2000, 1500)]
        };
        let (long, short) = *rng.pick(sizes);
        let (w, h) = if portrait { (short, long) } else { (long, short) };
        let fill = rng.range(0.8, 0.97);
        let rotation = rng.range(3.0, 12.0) * if rng.chance(0.5) { 1.0 } else { -1.0 };
        let persp =
            if rng.chance(0.6) { (rng.range(-0.07, 0.07), rng.range(-0.07, 0.07)) } else { (0.0, 0.0) };
        let blur = if rng.chance(0.5) { rng.range(0.3, 1.2) } else { 0.0 };
        let quality = rng.int(65, 95) as u8;
        let low_contrast = rng.chance(0.1);
        let look = Look { fade: if low_contrast { rng.range(0.3, 0.45) } else { 0.0 } };
        let palette = *rng.pick(&[&DESK, &TABLE, &OFFICE]);
        Variation {
            small: false,
            w,
            h,
            cap: 20.0,
            rotation,
            persp,
            blur,
            quality,
            low_contrast,
            look,
            palette,
            fill: Some(fill),
        }
    }
}

fn make_photo(fonts: &Fonts, class: &'static str, scene: Scene, index: usize) -> Photo {
    let file = format!("{class}/{}_{index:03}.jpg", scene.name());
    let mut rng = Lcg::new(seed_for(&file));
    // 1. Variation.
    let v = if scene.is_document() {
        Variation::document(&mut rng, scene)
    } else {
        Variation::object(&mut rng, scene)
    };
    let Variation { small, w, h, mut cap, rotation, persp, blur, quality, low_contrast, look, palette, fill } =
        v;
    let degrade = Degrade::draw(&mut rng, blur);
    let patient = Patient::new(&mut rng);
    let ctx = Ctx { fonts, look, patient: &patient };
    // 2. Background.
    let mut img = background(&mut rng, w, h, palette);
    // 3. The object, shrunk until its core fits the frame after rotation and perspective.
    let margin = f64::from(w) * 0.03;
    let saved = rng.clone();
    if let Some(fill) = fill {
        // Documents: a trial page at a 20 px cap height says which cap height makes the page
        // fill that share of the frame (the layout scales with the cap height).
        let probe = scene.build(&mut saved.clone(), &ctx, 20.0);
        let shape = Mat3::rotate(f64::from(rotation)).mul(&perspective(probe.core, persp.0, persp.1));
        let b = shape.project(probe.core);
        let s = ((f64::from(w) - 2.0 * margin) / (b[2] - b[0]))
            .min((f64::from(h) - 2.0 * margin) / (b[3] - b[1]));
        cap = (20.0 * s as f32 * fill).clamp(14.0, 28.0);
    }
    let (layer, shape) = loop {
        let mut r = saved.clone();
        let layer = scene.build(&mut r, &ctx, cap);
        let shape = Mat3::rotate(f64::from(rotation)).mul(&perspective(layer.core, persp.0, persp.1));
        let b = shape.project(layer.core);
        let fits = b[2] - b[0] <= f64::from(w) - 2.0 * margin && b[3] - b[1] <= f64::from(h) - 2.0 * margin;
        if fits || cap <= 12.0 {
            rng = r;
            break (layer, shape);
        }
        cap = (cap * 0.88).max(12.0);
    };
    // 4. Placement: anywhere for small objects, nearer the centre otherwise.
    let b = shape.project(layer.core);
    let spread = if small { 1.0 } else { 0.7 };
    let mut place = |lo: f64, hi: f64| {
        let t = 0.5 + (f64::from(rng.unit()) - 0.5) * spread;
        if hi > lo { lo + (hi - lo) * t } else { (lo + hi) / 2.0 }
    };
    let tx = place(margin - b[0], f64::from(w) - margin - b[2]);
    let ty = place(margin - b[1], f64::from(h) - margin - b[3]);
    let m = Mat3::translate(tx.round(), ty.round()).mul(&shape);
    let shadow = (f64::from(cap) * 0.3, f64::from(cap) * 0.4);
    composite(&mut img, &layer.img, &m, shadow, rng.range(0.15, 0.35));
    // 5. Degradations.
    let img = degrade.apply(img);
    let items = layer
        .items
        .iter()
        .map(|it| {
            let b = m.project(it.rect);
            let x0 = b[0].floor().clamp(0.0, f64::from(w)) as u32;
            let y0 = b[1].floor().clamp(0.0, f64::from(h)) as u32;
            let x1 = b[2].ceil().clamp(0.0, f64::from(w)) as u32;
            let y1 = b[3].ceil().clamp(0.0, f64::from(h)) as u32;
            if b[0] < 0.0 || b[1] < 0.0 || b[2] > f64::from(w) || b[3] > f64::from(h) {
                eprintln!("warning: {file}: {} box clipped by the frame", it.kind);
            }
            TruthItem { kind: it.kind, text: it.text.clone(), bbox: [x0, y0, x1 - x0, y1 - y0] }
        })
        .collect();
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, quality)
        .encode_image(&img)
        .expect("JPEG encoding to memory cannot fail");
    let truth = TruthPhoto {
        file,
        class,
        scene: scene.name(),
        width: w,
        height: h,
        quality,
        rotation_deg: round2(rotation),
        perspective: [round2(persp.0), round2(persp.1)],
        blur: round2(blur),
        text_px: round2(cap),
        low_contrast,
        small_object: small,
        items,
        expect: scene.expected_rules(),
        expect_verdict: scene.expected_verdict(),
    };
    Photo { truth, image: img, jpeg }
}

/// A copy of the photo with every item box drawn in red (just outside the box) and labelled.
fn debug_copy(fonts: &Fonts, photo: &Photo) -> RgbImage {
    let mut img = photo.image.clone();
    let red = Rgb([255, 0, 0]);
    let label_st = style(Face::Bold, 12.0, Rgba([255, 0, 0, 255]));
    for it in &photo.truth.items {
        let [x, y, w, h] = it.bbox.map(|v| v as i32);
        for t in 1..=2 {
            let r = imageproc::rect::Rect::at(x - t, y - t).of_size((w + 2 * t) as u32, (h + 2 * t) as u32);
            imageproc::drawing::draw_hollow_rect_mut(&mut img, r, red);
        }
        // The kind, just right of the box's top edge (left of it where the frame ends).
        let scale = fonts.scale(label_st);
        let label_w = fonts.width(label_st, it.kind) as i32;
        let lx = if x + w + 5 + label_w < img.width() as i32 { x + w + 5 } else { (x - 5 - label_w).max(0) };
        draw_text_mut(&mut img, red, lx, y, scale, &fonts.faces[Face::Bold as usize], it.kind);
    }
    img
}

struct Args {
    out: PathBuf,
    phi: usize,
    benign: usize,
    institutional: usize,
    near_miss: usize,
    documents: usize,
    debug_boxes: bool,
}

const USAGE: &str = "usage: eval-generate OUT_DIR [--phi N] [--benign M] [--institutional I] [--near-miss K] [--documents D] [--debug-boxes]\n\
    Writes OUT_DIR/phi/*.jpg, OUT_DIR/benign/*.jpg, OUT_DIR/institutional/*.jpg, OUT_DIR/documents/*.jpg\n\
    and OUT_DIR/truth.json (defaults: N=60, M=40, I=20, K=20, D=15; the K near misses of the\n\
    institutional rules are benign photos; the D documents are photographed lab reports,\n\
    prescriptions and discharge summaries).\n\
    --debug-boxes also writes OUT_DIR/debug/... copies with the truth boxes drawn in red.";

fn parse_args() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let (mut out, mut phi, mut benign, mut debug_boxes) = (None, 60, 40, false);
    let (mut institutional, mut near_miss, mut documents) = (20, 20, 15);
    let count = |flag: &str, v: Option<String>| -> Result<usize, String> {
        v.and_then(|v| v.parse().ok()).ok_or_else(|| format!("{flag} needs a count\n{USAGE}"))
    };
    while let Some(a) = args.next() {
        match a.as_str() {
            "--phi" => phi = count("--phi", args.next())?,
            "--benign" => benign = count("--benign", args.next())?,
            "--institutional" => institutional = count("--institutional", args.next())?,
            "--near-miss" => near_miss = count("--near-miss", args.next())?,
            "--documents" => documents = count("--documents", args.next())?,
            "--debug-boxes" => debug_boxes = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            s if s.starts_with('-') => return Err(format!("unknown option {s}\n{USAGE}")),
            _ if out.is_none() => out = Some(PathBuf::from(a)),
            _ => return Err(format!("unexpected argument {a}\n{USAGE}")),
        }
    }
    Ok(Args {
        out: out.ok_or_else(|| USAGE.to_string())?,
        phi,
        benign,
        institutional,
        near_miss,
        documents,
        debug_boxes,
    })
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
    let fonts = Fonts::load()?;
    let started = Instant::now();
    let mut jobs: Vec<(&'static str, Scene, usize)> = Vec::new();
    for (class, scenes, n) in [
        ("phi", &PHI_SCENES[..], args.phi),
        ("benign", &BENIGN_SCENES[..], args.benign),
        ("institutional", &INSTITUTIONAL_SCENES[..], args.institutional),
        ("benign", &NEAR_MISS_SCENES[..], args.near_miss),
        ("documents", &DOCUMENT_SCENES[..], args.documents),
    ] {
        jobs.extend((0..n).map(|i| (class, scenes[i % scenes.len()], i / scenes.len())));
    }
    let mut photos = Vec::new();
    let mut bytes = 0u64;
    for (class, scene, index) in jobs {
        let photo = make_photo(&fonts, class, scene, index);
        let path = args.out.join(&photo.truth.file);
        let write = |path: &Path, data: &[u8]| -> Result<(), String> {
            fs::create_dir_all(path.parent().unwrap()).map_err(|e| format!("{}: {e}", path.display()))?;
            fs::write(path, data).map_err(|e| format!("{}: {e}", path.display()))
        };
        write(&path, &photo.jpeg)?;
        bytes += photo.jpeg.len() as u64;
        if args.debug_boxes {
            let mut dbg = Vec::new();
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut dbg, 90)
                .encode_image(&debug_copy(&fonts, &photo))
                .map_err(|e| e.to_string())?;
            write(&args.out.join("debug").join(&photo.truth.file), &dbg)?;
        }
        eprintln!("{} ({} items)", photo.truth.file, photo.truth.items.len());
        photos.push(photo.truth);
    }
    let truth = Truth { generator: "medscrub eval-generate 1", photos };
    let mut json = serde_json::to_string_pretty(&truth).map_err(|e| e.to_string())?;
    json.push('\n');
    fs::write(args.out.join("truth.json"), json).map_err(|e| format!("truth.json: {e}"))?;
    eprintln!(
        "wrote {} photos ({:.1} MB of JPEG) and truth.json to {} in {:.1} s",
        truth.photos.len(),
        bytes as f64 / 1e6,
        args.out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn main() {
    if let Err(e) = run() {
        eprintln!("eval-generate: {e}");
        std::process::exit(1);
    }
}
