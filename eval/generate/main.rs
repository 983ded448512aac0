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
//! Layout: `rng` (the LCG and per-photo seeds); `people` (names and the synthetic patient);
//! `paint` (fonts and text measurement, colours, `Layer`: cards, text with box tracking,
//! barcodes); `warp` (homographies and compositing); `degrade` (backgrounds and degradations);
//! `scene` (the list of scenes and what each scene function gets); the scenes themselves in
//! `clinical` (patient identifiers), `benign` (benign, institutional and near-miss scenes) and
//! `documents`; `truth` (truth.json); photo assembly and `main` here.

mod benign;
mod clinical;
mod degrade;
mod documents;
mod paint;
mod people;
mod rng;
mod scene;
mod truth;
mod warp;

use degrade::{DESK, Degrade, OFFICE, Palette, TABLE, background};
use image::{Rgb, RgbImage, Rgba};
use imageproc::drawing::draw_text_mut;
use paint::{Face, Fonts, Look, style};
use people::Patient;
use rng::{Lcg, seed_for};
use scene::{BENIGN_SCENES, Ctx, DOCUMENT_SCENES, INSTITUTIONAL_SCENES, NEAR_MISS_SCENES, PHI_SCENES, Scene};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;
use truth::{Truth, TruthItem, TruthPhoto, round2};
use warp::{Mat3, composite, perspective};

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
