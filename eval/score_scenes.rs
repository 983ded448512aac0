//! Scene rules, measured: a deterministic generator of synthetic clinical scenes and
//! benign look-alikes, optionally real sample photos, and a scorer.
//!
//! ```sh
//! cargo run --release --example score-scenes                     # synthetic scenes only
//! cargo run --release --example score-scenes -- --real DIR       # plus real samples (scripts/eval)
//! ```
//!
//! Synthetic scenes are drawn from seeded random shapes, never from real patients:
//! operating rooms (drape-blue fields, lights, instrument trays), blood (ragged dark red on
//! skin or gauze), radiographs (bright bone shapes on black, light boxes, PACS screens),
//! microscopy (round fields, stained tissue), vitals monitors (traces and digits on black).
//! Benign look-alikes share their colours: food with tomatoes, landscapes with sky and lakes,
//! red sweaters with faces, blue walls, conference crowds, black-and-white streets, night
//! cities, pink and purple flowers. With `--real DIR`, images from scikit-image's sample
//! data (a PyPI package; scripts/eval fetches it) are scored with the labels in `REAL`.
//! Scores print per rule (recall on its own class, false positives on benign photos) and
//! for "scene_block" (any scene rule on a clinical scene vs. on a benign photo).

use image::{DynamicImage, Rgb, RgbImage};
use imageproc::drawing::{
    draw_filled_circle_mut, draw_filled_ellipse_mut, draw_filled_rect_mut, draw_line_segment_mut,
};
use imageproc::rect::Rect;
use medscrub::decode::DisplayImage;
use medscrub::metadata::MetaFacts;
use medscrub::rules::Evidence;
use medscrub::rules::scene::SCENE_RULES;
use std::collections::BTreeMap;
use std::time::Instant;

const W: u32 = 640;
const H: u32 = 480;
const PER_CLASS: u64 = 16;

struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u32 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) as u32
    }
    fn below(&mut self, n: u32) -> u32 {
        self.next() % n.max(1)
    }
    fn range(&mut self, lo: i32, hi: i32) -> i32 {
        lo + self.below((hi - lo).max(1) as u32) as i32
    }
}

fn clamp(v: i32) -> u8 {
    v.clamp(0, 255) as u8
}

fn jitter(c: [u8; 3], r: &mut Lcg, amp: i32) -> Rgb<u8> {
    let d = r.range(-amp, amp + 1);
    Rgb([clamp(c[0] as i32 + d), clamp(c[1] as i32 + d), clamp(c[2] as i32 + d)])
}

/// Fills with `c`, shaded by a soft diagonal gradient and per-pixel noise.
fn field(c: [u8; 3], r: &mut Lcg, noise: i32) -> RgbImage {
    let shade = r.range(10, 40);
    RgbImage::from_fn(W, H, |x, y| {
        let g = ((x + y) as i32 * shade / (W + H) as i32) - shade / 2;
        let n = ((x.wrapping_mul(7919) ^ y.wrapping_mul(104729)) % (2 * noise as u32 + 1)) as i32 - noise;
        Rgb([clamp(c[0] as i32 + g + n), clamp(c[1] as i32 + g + n), clamp(c[2] as i32 + g + n)])
    })
}

/// A ragged blob: many small overlapping circles from a random walk.
fn splat(img: &mut RgbImage, r: &mut Lcg, cx: i32, cy: i32, steps: u32, colour: [u8; 3]) {
    let (mut x, mut y) = (cx, cy);
    for _ in 0..steps {
        let c = jitter(colour, r, 18);
        draw_filled_circle_mut(img, (x, y), r.range(3, 10), c);
        x += r.range(-9, 10);
        y += r.range(-9, 10);
    }
}

fn skin(r: &mut Lcg) -> [u8; 3] {
    [[224, 172, 140], [198, 140, 105], [141, 85, 56], [236, 192, 165], [170, 115, 80]][r.below(5) as usize]
}

// ---- clinical scenes -------------------------------------------------------------

fn operating_room(r: &mut Lcg) -> RgbImage {
    let drape = [[40, 120, 150], [50, 135, 165], [30, 105, 130], [60, 140, 150]][r.below(4) as usize];
    let mut img = field(drape, r, 8);
    // Fold shadows.
    for _ in 0..6 {
        let x = r.range(0, W as i32);
        draw_line_segment_mut(
            &mut img,
            (x as f32, 0.0),
            ((x + r.range(-80, 80)) as f32, H as f32),
            Rgb([20, 70, 90]),
        );
    }
    // The operative field, instruments, lights.
    let s = skin(r);
    draw_filled_ellipse_mut(
        &mut img,
        (r.range(260, 380), r.range(200, 300)),
        r.range(30, 70),
        r.range(20, 45),
        Rgb(s),
    );
    for _ in 0..r.range(2, 6) {
        let (x, y) = (r.range(0, W as i32 - 120), r.range(H as i32 / 2, H as i32 - 40));
        draw_filled_rect_mut(
            &mut img,
            Rect::at(x, y).of_size(r.range(60, 120) as u32, r.range(8, 20) as u32),
            Rgb([175, 180, 185]),
        );
    }
    if r.below(2) == 0 {
        draw_filled_circle_mut(
            &mut img,
            (r.range(80, 560), r.range(20, 80)),
            r.range(20, 45),
            Rgb([250, 250, 240]),
        );
    }
    img
}

fn blood(r: &mut Lcg) -> RgbImage {
    let on_gauze = r.below(2) == 0;
    let base = if on_gauze { [235, 235, 230] } else { skin(r) };
    let mut img = field(base, r, 10);
    if on_gauze {
        // Gauze weave.
        for i in (0..W).step_by(6) {
            draw_line_segment_mut(&mut img, (i as f32, 0.0), (i as f32, H as f32), Rgb([215, 215, 210]));
        }
    }
    let red = [[140, 12, 18], [120, 8, 10], [160, 20, 25], [100, 5, 12]][r.below(4) as usize];
    for _ in 0..r.range(1, 4) {
        let (x, y, steps) = (r.range(150, 490), r.range(120, 360), r.range(60, 220) as u32);
        splat(&mut img, r, x, y, steps, red);
    }
    img
}

fn radiograph(r: &mut Lcg) -> RgbImage {
    let style = r.below(3);
    let bg = if style == 1 { 230 } else { 8 };
    let mut img = RgbImage::from_pixel(W, H, Rgb([bg, bg, bg]));
    if style == 1 {
        // A light box with a film on it.
        draw_filled_rect_mut(&mut img, Rect::at(120, 40).of_size(400, 400), Rgb([15, 15, 15]));
    }
    if style == 2 {
        // A PACS screen in a dark room: bezel, then the image.
        draw_filled_rect_mut(&mut img, Rect::at(60, 40).of_size(520, 400), Rgb([25, 25, 25]));
    }
    for _ in 0..r.range(3, 7) {
        let v = r.range(150, 240) as u8;
        let (cx, cy) = (r.range(180, 460), r.range(100, 380));
        if r.below(2) == 0 {
            draw_filled_ellipse_mut(&mut img, (cx, cy), r.range(15, 60), r.range(40, 120), Rgb([v, v, v]));
        } else {
            draw_filled_rect_mut(
                &mut img,
                Rect::at(cx - 15, cy - 90).of_size(r.range(18, 35) as u32, r.range(120, 200) as u32),
                Rgb([v, v, v]),
            );
        }
    }
    // Film grain.
    for (x, y, p) in img.enumerate_pixels_mut() {
        let n = ((x.wrapping_mul(2654435761) ^ y.wrapping_mul(40503)) % 13) as i32 - 6;
        let v = clamp(p.0[0] as i32 + n);
        *p = Rgb([v, v, v]);
    }
    img
}

fn microscopy(r: &mut Lcg) -> RgbImage {
    let pink = [[235, 170, 210], [225, 150, 200], [240, 190, 220]][r.below(3) as usize];
    let mut img = field(pink, r, 10);
    for _ in 0..r.range(120, 260) {
        let purple = [[110, 60, 160], [90, 50, 140], [130, 80, 180]][r.below(3) as usize];
        draw_filled_circle_mut(
            &mut img,
            (r.range(0, W as i32), r.range(0, H as i32)),
            r.range(3, 9),
            Rgb(purple),
        );
    }
    if r.below(2) == 0 {
        // Through the eyepiece: a round field of view.
        let rad = r.range(200, 235);
        for (x, y, p) in img.enumerate_pixels_mut() {
            let (dx, dy) = (x as i32 - 320, y as i32 - 240);
            if dx * dx + dy * dy > rad * rad {
                *p = Rgb([6, 6, 6]);
            }
        }
    }
    img
}

fn monitor(r: &mut Lcg) -> RgbImage {
    let mut img = RgbImage::from_pixel(W, H, Rgb([10, 12, 10]));
    let colours = [[40, 230, 60], [240, 230, 40], [40, 220, 235], [240, 60, 60], [240, 240, 240]];
    for (i, row) in [80, 170, 260, 350].into_iter().enumerate() {
        let c = Rgb(colours[(i + r.below(2) as usize) % colours.len()]);
        let mut prev = (20.0, row as f32);
        for x in (24..440).step_by(4) {
            let spike = if x % r.range(60, 90) < 6 { -40.0 } else { 0.0 };
            let y = row as f32 + ((x as f32) / 9.0).sin() * 10.0 + spike;
            draw_line_segment_mut(&mut img, prev, (x as f32, y), c);
            prev = (x as f32, y);
        }
        // Large digits as seven-segment bars.
        let dc = Rgb(colours[i % colours.len()]);
        for d in 0..3 {
            let x0 = 470 + d * 50;
            draw_filled_rect_mut(&mut img, Rect::at(x0, row - 30).of_size(32, 6), dc);
            draw_filled_rect_mut(&mut img, Rect::at(x0, row).of_size(32, 6), dc);
            draw_filled_rect_mut(&mut img, Rect::at(x0 + 26, row - 30).of_size(6, 60), dc);
        }
    }
    img
}

// ---- benign look-alikes ----------------------------------------------------------

fn food(r: &mut Lcg) -> RgbImage {
    let mut img = field([150, 105, 65], r, 12); // wooden table
    draw_filled_circle_mut(&mut img, (320, 240), 200, Rgb([245, 245, 240]));
    for _ in 0..r.range(3, 8) {
        draw_filled_circle_mut(
            &mut img,
            (r.range(200, 440), r.range(130, 350)),
            r.range(20, 40),
            Rgb([230, 40, 30]),
        );
    }
    for _ in 0..r.range(3, 8) {
        draw_filled_ellipse_mut(&mut img, (r.range(200, 440), r.range(130, 350)), 30, 12, Rgb([60, 150, 50]));
    }
    img
}

fn landscape(r: &mut Lcg) -> RgbImage {
    let mut img = field([120, 170, 225], r, 4);
    let horizon = r.range(160, 280);
    draw_filled_rect_mut(&mut img, Rect::at(0, horizon).of_size(W, H - horizon as u32), Rgb([70, 140, 60]));
    if r.below(2) == 0 {
        draw_filled_ellipse_mut(&mut img, (320, horizon + 90), 260, 60, Rgb([50, 120, 160]));
    }
    img
}

fn red_sweater(r: &mut Lcg) -> RgbImage {
    let mut img = field([200, 200, 195], r, 6);
    let red = [[180, 20, 30], [150, 15, 25], [200, 30, 40]][r.below(3) as usize];
    draw_filled_rect_mut(&mut img, Rect::at(170, 230).of_size(300, 250), Rgb(red));
    for i in 0..4 {
        let x = 200 + i * 60;
        draw_line_segment_mut(
            &mut img,
            (x as f32, 240.0),
            (x as f32 + 20.0, 470.0),
            Rgb([red[0] - 40, 5, 15]),
        );
    }
    draw_filled_ellipse_mut(&mut img, (320, 150), 70, 90, Rgb(skin(r)));
    img
}

fn blue_wall(r: &mut Lcg) -> RgbImage {
    let mut img = field([45, 125, 150], r, 5);
    draw_filled_rect_mut(
        &mut img,
        Rect::at(r.range(100, 300), r.range(80, 200)).of_size(200, 150),
        Rgb([230, 220, 200]),
    );
    img
}

fn conference(r: &mut Lcg) -> RgbImage {
    let mut img = field([70, 60, 60], r, 8);
    draw_filled_rect_mut(&mut img, Rect::at(140, 20).of_size(360, 180), Rgb([240, 240, 250]));
    for i in 0..12 {
        let x = 40 + (i % 6) * 110 + r.range(-10, 10);
        let y = 300 + (i / 6) * 90;
        draw_filled_ellipse_mut(&mut img, (x, y - 40), 22, 28, Rgb(skin(r)));
        draw_filled_rect_mut(&mut img, Rect::at(x - 35, y - 10).of_size(70, 80), Rgb([30, 30, 40]));
    }
    img
}

fn black_and_white_street(r: &mut Lcg) -> RgbImage {
    let mut img = field([140, 140, 140], r, 10);
    for i in 0..8 {
        let v = r.range(40, 200) as u8;
        let x = i * 80;
        draw_filled_rect_mut(&mut img, Rect::at(x, r.range(60, 200)).of_size(70, 400), Rgb([v, v, v]));
    }
    img
}

fn night_city(r: &mut Lcg) -> RgbImage {
    let mut img = RgbImage::from_pixel(W, H, Rgb([12, 12, 22]));
    for _ in 0..r.range(40, 120) {
        let c = [[255, 200, 80], [255, 80, 80], [80, 200, 255], [255, 255, 200]][r.below(4) as usize];
        draw_filled_circle_mut(
            &mut img,
            (r.range(0, W as i32), r.range(150, H as i32)),
            r.range(1, 4),
            Rgb(c),
        );
    }
    img
}

fn flowers(r: &mut Lcg) -> RgbImage {
    let mut img = field([70, 130, 60], r, 10);
    for _ in 0..r.range(20, 50) {
        let c = [[230, 120, 200], [150, 80, 200], [240, 170, 220]][r.below(3) as usize];
        let (x, y) = (r.range(0, W as i32), r.range(0, H as i32));
        for k in 0..5 {
            let a = k as f32 * 1.2566;
            draw_filled_circle_mut(
                &mut img,
                (x + (a.cos() * 14.0) as i32, y + (a.sin() * 14.0) as i32),
                10,
                Rgb(c),
            );
        }
    }
    img
}

type Gen = fn(&mut Lcg) -> RgbImage;

/// Clinical classes: (name, rule expected, generator).
const CLINICAL: [(&str, &str, Gen); 5] = [
    ("operating room", "scene.operating-room", operating_room),
    ("blood", "scene.blood", blood),
    ("radiograph", "scene.radiograph", radiograph),
    ("microscopy", "scene.microscopy", microscopy),
    ("monitor", "scene.monitor", monitor),
];
const BENIGN: [(&str, Gen); 8] = [
    ("food", food),
    ("landscape", landscape),
    ("red sweater", red_sweater),
    ("blue wall", blue_wall),
    ("conference", conference),
    ("b&w street", black_and_white_street),
    ("night city", night_city),
    ("flowers", flowers),
];

/// Real samples from scikit-image's data (file name, expected scene rule or "" for benign).
const REAL: &[(&str, &str)] = &[
    ("ihc.png", "scene.microscopy"),
    ("retina.jpg", "scene.microscopy"),
    ("phantom.png", "scene.radiograph"),
    ("cell.png", "scene.microscopy"),
    ("astronaut.png", ""),
    ("camera.png", ""),
    ("coffee.png", ""),
    ("chelsea.png", ""),
    ("rocket.jpg", ""),
    ("motorcycle_left.png", ""),
    ("hubble_deep_field.jpg", ""),
    ("coins.png", ""),
    ("moon.png", ""),
    ("brick.png", ""),
    ("grass.png", ""),
    ("gravel.png", ""),
    ("color.png", ""),
    ("page.png", ""),
    ("text.png", ""),
    ("clock_motion.png", ""),
];

fn fired(img: DynamicImage) -> Vec<&'static str> {
    let photo = DisplayImage { pixels: img, orientation: 1 };
    let overview = medscrub::scene::Overview::of(&photo);
    let stats = medscrub::scene::analyse(&overview);
    // As the pipeline does: faces are searched for only in photos clinical by colour
    // (or by text, which these have none of).
    let faces = stats.looks_clinical().then(|| medscrub::face::detect(&overview));
    if std::env::var_os("SCORE_STATS").is_some() {
        println!("      {stats:?} faces: {faces:?}");
    }
    let facts = MetaFacts::default();
    let ev = Evidence { scene: Some(&stats), faces: faces.as_deref(), ..Evidence::of(&facts) };
    let mut out = Vec::new();
    for rule in SCENE_RULES {
        rule.check(&ev, &mut out);
    }
    let mut ids: Vec<&str> = out.iter().map(|d| d.rule).collect();
    ids.dedup();
    ids
}

#[derive(Default)]
struct Counts {
    hit: usize,
    total: usize,
    false_hits: usize,
    benign: usize,
}

fn rate(a: usize, b: usize) -> String {
    format!("{:.2} ({a}/{b})", if b == 0 { 0.0 } else { a as f64 / b as f64 })
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let real_dir = args.iter().position(|a| a == "--real").and_then(|i| args.get(i + 1)).cloned();
    let verbose = std::env::var_os("SCORE_VERBOSE").is_some();
    // `--explain FILE...`: the statistics and scene findings of the given photos, no scoring
    // (for looking into a false block the text scorer reports).
    if let Some(i) = args.iter().position(|a| a == "--explain") {
        for file in &args[i + 1..] {
            match image::open(file) {
                Ok(img) => {
                    let photo = DisplayImage { pixels: img, orientation: 1 };
                    println!(
                        "{file}: {:?}",
                        medscrub::scene::analyse(&medscrub::scene::Overview::of(&photo))
                    );
                    println!("  fires: {:?}", fired(photo.pixels));
                }
                Err(e) => println!("{file}: {e}"),
            }
        }
        return;
    }
    // (label, expected rule or "", image)
    let mut cases: Vec<(String, &str, DynamicImage)> = Vec::new();
    for (ci, (name, rule, make)) in CLINICAL.iter().enumerate() {
        for i in 0..PER_CLASS {
            let mut r = Lcg(1000 * ci as u64 + i + 1);
            cases.push((format!("synthetic {name} #{i}"), rule, DynamicImage::ImageRgb8(make(&mut r))));
        }
    }
    for (bi, (name, make)) in BENIGN.iter().enumerate() {
        for i in 0..PER_CLASS {
            let mut r = Lcg(50_000 + 1000 * bi as u64 + i);
            cases.push((format!("synthetic {name} #{i}"), "", DynamicImage::ImageRgb8(make(&mut r))));
        }
    }
    let mut real_cases = 0;
    if let Some(dir) = &real_dir {
        for (file, rule) in REAL {
            match image::open(std::path::Path::new(dir).join(file)) {
                Ok(img) => {
                    cases.push((format!("real {file}"), rule, img));
                    real_cases += 1;
                }
                Err(e) => eprintln!("score-scenes: skipping {file}: {e}"),
            }
        }
    }

    for (subset, keep) in [("synthetic", "synthetic"), ("real (scikit-image samples)", "real")] {
        let subset_cases: Vec<&(String, &str, DynamicImage)> =
            cases.iter().filter(|c| c.0.starts_with(keep)).collect();
        if subset_cases.is_empty() {
            continue;
        }
        let mut per_rule: BTreeMap<&str, Counts> = BTreeMap::new();
        let mut block = Counts::default();
        for (label, expected, img) in subset_cases {
            let ids = fired(img.clone());
            let clinical = !expected.is_empty();
            if clinical {
                block.total += 1;
                block.hit += usize::from(!ids.is_empty());
                let c = per_rule.entry(expected).or_default();
                c.total += 1;
                c.hit += usize::from(ids.contains(expected));
                if verbose && ids.is_empty() {
                    println!("    missed: {label}");
                }
            } else {
                block.benign += 1;
                block.false_hits += usize::from(!ids.is_empty());
                if verbose && !ids.is_empty() {
                    println!("    false block: {label} by {ids:?}");
                }
            }
            for rule in SCENE_RULES {
                let id = rule.doc().id;
                if !clinical {
                    let c = per_rule.entry(id).or_default();
                    c.benign += 1;
                    c.false_hits += usize::from(ids.contains(&id));
                }
            }
        }
        println!("\n{subset}:");
        println!("| rule | recall on its scenes | false-positive rate on benign photos |");
        println!("|---|---|---|");
        for (id, c) in &per_rule {
            println!(
                "| {id} | {} | {} |",
                if c.total == 0 { "—".to_string() } else { rate(c.hit, c.total) },
                rate(c.false_hits, c.benign)
            );
        }
        println!(
            "| **scene_block** (any scene rule) | {} | {} |",
            rate(block.hit, block.total),
            rate(block.false_hits, block.benign)
        );
    }
    if let Some(dir) = &real_dir {
        println!("\n({real_cases} real sample images scored)");
        score_faces(std::path::Path::new(dir));
    }

    // Cost on a 12 MP photo, median of 7 runs each: the one overview the pipeline makes,
    // the statistics and every scene rule on it, and the face search on it (which the
    // pipeline runs only on photos that are clinical by colour or text).
    let big = DisplayImage {
        pixels: DynamicImage::ImageRgb8(image::imageops::resize(
            &operating_room(&mut Lcg(7)),
            4000,
            3000,
            image::imageops::FilterType::Nearest,
        )),
        orientation: 1,
    };
    let median_ms = |f: &dyn Fn()| {
        let mut times: Vec<f64> = (0..7)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        times.sort_by(f64::total_cmp);
        times[3]
    };
    let overview = medscrub::scene::Overview::of(&big);
    let reduce = median_ms(&|| drop(medscrub::scene::Overview::of(&big)));
    let rules = median_ms(&|| {
        let stats = medscrub::scene::analyse(&overview);
        let facts = MetaFacts::default();
        let ev = Evidence { scene: Some(&stats), ..Evidence::of(&facts) };
        let mut out = Vec::new();
        SCENE_RULES.iter().for_each(|r| r.check(&ev, &mut out));
    });
    let faces = median_ms(&|| drop(medscrub::face::detect(&overview)));
    println!("\nscene stage on a 12 MP photo, median of 7:");
    println!("  the shared 400 px overview (made once per photo): {reduce:.1} ms");
    println!("  statistics + every scene rule on it:              {rules:.1} ms");
    println!("  face search on it (clinical photos only):         {faces:.1} ms");
    println!("  total, clinical photo:                            {:.1} ms", reduce + rules + faces);
}

/// The face cascade on scikit-image's `lfw_subset.npy` (200 grey 25×25 crops from
/// Labeled Faces in the Wild: the first 100 faces, the next 100 not), and the faces it
/// finds in the real photos.
fn score_faces(dir: &std::path::Path) {
    let Ok(bytes) = std::fs::read(dir.join("lfw_subset.npy")) else {
        eprintln!("score-scenes: no lfw_subset.npy; face classifier not scored");
        return;
    };
    // .npy v1: magic, version, u16 header length, header, then little-endian f64 data.
    let header_len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    let header = String::from_utf8_lossy(&bytes[10..10 + header_len]);
    assert!(header.contains("'<f8'") && header.contains("(200, 25, 25)"), "unexpected lfw_subset: {header}");
    let data = &bytes[10 + header_len..];
    let crop = |i: usize| {
        image::GrayImage::from_fn(25, 25, |x, y| {
            let k = (i * 625 + (y * 25 + x) as usize) * 8;
            let v = f64::from_le_bytes(data[k..k + 8].try_into().expect("8 bytes"));
            image::Luma([(v * 255.0).round().clamp(0.0, 255.0) as u8])
        })
    };
    let faces = (0..100).filter(|&i| medscrub::face::is_face_patch(&crop(i))).count();
    let false_faces = (100..200).filter(|&i| medscrub::face::is_face_patch(&crop(i))).count();
    println!(
        "\nface cascade on lfw_subset (25x25 crops): recall {}, false-positive rate {}",
        rate(faces, 100),
        rate(false_faces, 100)
    );
    for (file, _) in REAL {
        if let Ok(img) = image::open(dir.join(file)) {
            let photo = DisplayImage { pixels: img, orientation: 1 };
            let found = medscrub::face::detect(&medscrub::scene::Overview::of(&photo));
            if !found.is_empty() {
                println!("    faces found in {file}: {}", found.len());
            }
        }
    }
}
