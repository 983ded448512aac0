//! Scene: what kind of place or picture this is, from colour and layout alone.
//!
//! The pipeline reduces the photo once to an [`Overview`] (longest side
//! `OVERVIEW_SIDE`), which the face search reads too; the statistics are taken over a
//! smaller copy of that (longest side `SIDE` pixels): how much of it is surgical-drape
//! blue, blood red, skin, stained-slide pink and purple, how grey it is, how dark, whether coloured thin
//! traces sit on a dark screen, whether the picture is a bright disc in a dark frame (a
//! microscope's field of view). [`SceneStats`]' `looks_*` methods say what the numbers
//! look like (a theatre, blood, a radiograph…); the scene rules (`rules/scene.rs`) turn
//! those into findings, together with words the text stage read, and the pipeline asks
//! [`SceneStats::looks_clinical`] whether to search for faces. Faces are not part of the
//! statistics: they are evidence of their own (`rules::Evidence::faces`).
//!
//! These are heuristics, measured on the project's synthetic scenes and a few real
//! sample images (`eval/score_scenes.rs`); they know nothing about objects. A red
//! sweater, a blue wall or a black-and-white street photo can look like a clinical scene
//! to them, and the README gives the rates.

use crate::decode::DisplayImage;
use image::RgbImage;

/// Longest side of the copy the statistics are taken on: enough for proportions and
/// blobs, small enough to cost a few milliseconds whatever the photo's size.
pub const SIDE: u32 = 256;

/// Longest side of the shared overview: what the face search needs (a 24-pixel face
/// window is 1/17 of it), and no more, because reducing a 12 MP photo is most of the
/// scene stage's cost and is done only once.
pub const OVERVIEW_SIDE: u32 = 400;

/// The one reduced copy of the displayed photo that the scene statistics and the face
/// search share.
#[derive(Debug, Clone)]
pub struct Overview {
    pub rgb: RgbImage,
    /// Displayed-photo pixels per overview pixel (1 for photos already small).
    pub scale: f32,
}

impl Overview {
    pub fn of(photo: &DisplayImage) -> Overview {
        let (w, h) = (photo.width(), photo.height());
        let rgb = match (crate::raster::fit_within(w, h, OVERVIEW_SIDE), photo.pixels.as_rgb8()) {
            // Reducing a 12 MP photo by averaging every pixel costs ~40 ms; a fixed grid
            // of samples in each output pixel's block is ~20× cheaper and, at reductions
            // of 4× or more, still averages away the aliasing the face cascade minds.
            (Some((ow, oh)), Some(src)) if w.max(h) >= 4 * OVERVIEW_SIDE => sampled_reduce(src, ow, oh),
            (Some((ow, oh)), _) => photo.pixels.thumbnail_exact(ow, oh).to_rgb8(),
            (None, _) => photo.pixels.to_rgb8(),
        };
        let scale = w.max(h) as f32 / rgb.width().max(rgb.height()).max(1) as f32;
        Overview { rgb, scale }
    }
}

/// `src` reduced to `w`×`h`: each output pixel is the mean of a 4×4 grid of samples
/// spread evenly over the block of source pixels it stands for.
fn sampled_reduce(src: &RgbImage, w: u32, h: u32) -> RgbImage {
    const GRID: u64 = 4;
    // Sample k of output pixel i, along a side of n source pixels reduced to `out`.
    let at = |i: u32, n: u32, out: u32, k: u64| {
        let (i, n, out) = (u64::from(i), u64::from(n), u64::from(out));
        let start = i * n / out;
        let end = ((i + 1) * n / out).max(start + 1);
        (start + (end - start) * (2 * k + 1) / (2 * GRID)).min(n - 1) as u32
    };
    let (sw, sh) = src.dimensions();
    RgbImage::from_fn(w, h, |x, y| {
        let mut sum = [0u32; 3];
        for j in 0..GRID {
            let sy = at(y, sh, h, j);
            for i in 0..GRID {
                let p = src.get_pixel(at(x, sw, w, i), sy).0;
                (0..3).for_each(|c| sum[c] += u32::from(p[c]));
            }
        }
        image::Rgb(sum.map(|v| (v / (GRID * GRID) as u32) as u8))
    })
}

/// Colour and layout statistics of one photo. Fractions are of all pixels unless said.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SceneStats {
    /// Mean HSV saturation (0 = grey).
    pub mean_saturation: f32,
    /// Pixels that are nearly grey (saturation < 0.12).
    pub grey: f32,
    /// Very dark pixels (value < 0.16).
    pub dark: f32,
    /// Bright pixels (value > 0.6).
    pub bright: f32,
    /// Surgical drape and gown blue-green, in the central 60 % of the picture.
    pub drape_center: f32,
    /// Drape colour in the top quarter.
    pub drape_top: f32,
    /// Bright sky blue in the top quarter: outdoors, not a theatre.
    pub sky_top: f32,
    /// Dark, saturated red: blood and open wounds.
    pub blood: f32,
    /// How scattered the blood-red pixels are (0: one smooth patch; higher: ragged
    /// patches with holes and edges, as blood on gauze or skin is).
    pub blood_edges: f32,
    /// How much of its convex hull each blood-red patch fills, averaged over the
    /// patches by size (1: bands, ellipses and rectangles, as a red napkin or stripe is;
    /// well under 1: splashes and smears). 0 when there are no patches of any size.
    pub blood_solidity: f32,
    /// Skin tones.
    pub skin: f32,
    /// White gauze, sheets and slide background (bright, nearly grey).
    pub white: f32,
    /// Stained-tissue pink and haematoxylin purple-blue.
    pub stain: f32,
    /// Purple-violet alone (haematoxylin), a stain's signature.
    pub violet: f32,
    /// Saturated bright traces on a dark screen: pixels that are bright and saturated
    /// and have a dark neighbour (waveforms and digits on a monitor).
    pub traces_on_dark: f32,
    /// The corners are dark and the centre bright: a round field of view.
    pub round_field: bool,
}

/// What the statistics look like. These describe the picture; the scene rules
/// (`rules/scene.rs`) decide which of them are findings, and the pipeline searches for
/// faces only in a picture that [`SceneStats::looks_clinical`] (or whose words are).
impl SceneStats {
    /// Drape colour filling the centre, not under a sky, around something that is not
    /// drape (the operative field's skin, white lights, steel): a painted wall is uniform.
    pub fn looks_like_theatre(&self) -> bool {
        self.drape_center > 0.60
            && self.sky_top < 0.5
            && (self.skin > 0.005 || self.white > 0.003 || self.grey > 0.01)
    }

    /// Ragged dark red patches beside skin or gauze. Ragged, but patches: when nearly
    /// every red pixel is on an edge the red is thin strokes (red ink on paper, lines,
    /// scattered specks), not a wound.
    pub fn looks_bloody(&self) -> bool {
        (0.008..0.45).contains(&self.blood)
            && (0.12..MAX_BLOOD_EDGES).contains(&self.blood_edges)
            && self.blood_solidity < MAX_BLOOD_SOLIDITY
            && (self.skin > 0.05 || self.white > 0.05)
    }

    /// Grey, a dark field, some bright structure.
    pub fn looks_radiographic(&self) -> bool {
        self.grey > 0.90 && self.dark > 0.25 && (0.03..0.60).contains(&self.bright)
    }

    /// A round field of view (that is not a radiograph's), or stain colours.
    pub fn looks_microscopic(&self) -> bool {
        self.looks_round_field() || self.looks_stained()
    }

    /// A bright round field of view in a dark frame, and not a radiograph: through a
    /// microscope.
    pub fn looks_round_field(&self) -> bool {
        self.round_field && !self.looks_radiographic()
    }

    /// Stained-tissue colours with haematoxylin violet among them.
    pub fn looks_stained(&self) -> bool {
        self.stain > 0.30 && self.violet > 0.04
    }

    /// Traces on a dark screen.
    pub fn looks_like_monitor(&self) -> bool {
        self.dark > 0.45 && self.traces_on_dark > 0.01 && self.grey < 0.995
    }

    /// Clinical by its colours alone: any pixel-based scene rule would fire.
    pub fn looks_clinical(&self) -> bool {
        self.looks_like_theatre()
            || self.looks_bloody()
            || self.looks_radiographic()
            || self.looks_microscopic()
            || self.looks_like_monitor()
    }
}

/// Patches filling more of their convex hull than this on average are shapes (a red
/// napkin, a stripe, a folder), not splashes: red napkins on the evaluation corpus's
/// tables measure 0.90–0.99.
const MAX_BLOOD_SOLIDITY: f32 = 0.85;

/// Above this share of edge pixels, red is strokes rather than a patch (synthetic blood
/// scenes measure 0.13–0.26; red text on a page at the statistics' scale about 1.0).
const MAX_BLOOD_EDGES: f32 = 0.6;

/// Takes the statistics of the photo from its overview.
pub fn analyse(overview: &Overview) -> SceneStats {
    let (ow, oh) = overview.rgb.dimensions();
    let small = match crate::raster::fit_within(ow, oh, SIDE) {
        Some((w, h)) => image::imageops::thumbnail(&overview.rgb, w, h),
        None => overview.rgb.clone(),
    };
    let (w, h) = small.dimensions();
    let n = (w * h).max(1) as f32;
    let hsv: Vec<(f32, f32, f32)> = small.pixels().map(|p| to_hsv(p.0)).collect();
    let at = |x: u32, y: u32| hsv[(y * w + x) as usize];
    // One blood-red mask: for the share, the edges and the patches' shapes.
    let blood = image::GrayImage::from_fn(w, h, |x, y| {
        let (hue, sat, val) = at(x, y);
        image::Luma([if is_blood(hue, sat, val) { 255 } else { 0 }])
    });
    let is_blood_at = |x: u32, y: u32| blood.get_pixel(x, y)[0] != 0;
    let mut s = SceneStats::default();
    let (mut centre, mut top) = (0.0f32, 0.0f32);
    let (mut drape_c, mut drape_t, mut sky_t) = (0.0f32, 0.0f32, 0.0f32);
    let (mut blood_px, mut blood_edge) = (0.0f32, 0.0f32);
    for y in 0..h {
        for x in 0..w {
            let (hue, sat, val) = at(x, y);
            s.mean_saturation += sat;
            s.grey += f32::from(u8::from(sat < 0.12));
            s.dark += f32::from(u8::from(val < 0.16));
            s.bright += f32::from(u8::from(val > 0.6));
            let is_drape = is_drape(hue, sat, val);
            let central = x >= w / 5 && x < w - w / 5 && y >= h / 5 && y < h - h / 5;
            if central {
                centre += 1.0;
                drape_c += f32::from(u8::from(is_drape));
            }
            if y < h / 4 {
                top += 1.0;
                drape_t += f32::from(u8::from(is_drape));
                sky_t += f32::from(u8::from((190.0..=235.0).contains(&hue) && sat > 0.15 && val > 0.75));
            }
            if is_blood_at(x, y) {
                blood_px += 1.0;
                // An edge pixel: some 4-neighbour is not blood.
                let neighbours = [(x.wrapping_sub(1), y), (x + 1, y), (x, y.wrapping_sub(1)), (x, y + 1)];
                if neighbours.iter().any(|&(nx, ny)| nx < w && ny < h && !is_blood_at(nx, ny)) {
                    blood_edge += 1.0;
                }
            }
            s.skin += f32::from(u8::from(is_skin(hue, sat, val)));
            s.white += f32::from(u8::from(sat < 0.12 && val > 0.8));
            let violet = sat > 0.18 && val > 0.25 && (235.0..=300.0).contains(&hue);
            let pink = sat > 0.15 && val > 0.45 && (300.0..=350.0).contains(&hue);
            s.violet += f32::from(u8::from(violet));
            s.stain += f32::from(u8::from(violet || pink));
            if sat > 0.5 && val > 0.55 {
                let dark_next = [(x.wrapping_sub(2), y), (x + 2, y), (x, y.wrapping_sub(2)), (x, y + 2)]
                    .iter()
                    .any(|&(nx, ny)| nx < w && ny < h && at(nx, ny).2 < 0.16);
                s.traces_on_dark += f32::from(u8::from(dark_next));
            }
        }
    }
    for v in [
        &mut s.mean_saturation,
        &mut s.grey,
        &mut s.dark,
        &mut s.bright,
        &mut s.skin,
        &mut s.white,
        &mut s.stain,
        &mut s.violet,
        &mut s.traces_on_dark,
    ] {
        *v /= n;
    }
    s.blood = blood_px / n;
    s.blood_edges = if blood_px > 0.0 { blood_edge / blood_px } else { 0.0 };
    s.blood_solidity = if blood_px > 0.0 { blood_solidity(&blood) } else { 0.0 };
    s.drape_center = drape_c / centre.max(1.0);
    s.drape_top = drape_t / top.max(1.0);
    s.sky_top = sky_t / top.max(1.0);
    s.round_field = round_field(&hsv, w, h);
    s
}

fn is_drape(hue: f32, sat: f32, val: f32) -> bool {
    (168.0..=206.0).contains(&hue) && sat > 0.28 && val > 0.2 && val < 0.92
}

fn is_blood(hue: f32, sat: f32, val: f32) -> bool {
    !(12.0..=342.0).contains(&hue) && sat > 0.55 && (0.18..0.72).contains(&val)
}

/// The size-weighted mean solidity (pixels over convex hull area) of the patches of
/// `mask` (blood red: 255) of at least `MIN_PATCH` pixels.
fn blood_solidity(mask: &image::GrayImage) -> f32 {
    use imageproc::point::Point;
    use imageproc::region_labelling::{Connectivity, connected_components};
    let labels = connected_components(mask, Connectivity::Eight, image::Luma([0u8]));
    // Corners of each patch's pixels, by label (labels run 1..=max; a vector keeps the
    // sum below in one order, so the statistic is the same on every run).
    let count = labels.iter().copied().max().unwrap_or(0) as usize;
    let mut corners: Vec<Vec<Point<i32>>> = vec![Vec::new(); count + 1];
    for (x, y, l) in labels.enumerate_pixels() {
        if l[0] != 0 {
            let (x, y) = (x as i32, y as i32);
            // The pixel's four corners, so a one-pixel-wide patch has an area.
            corners[l[0] as usize].extend([
                Point::new(x, y),
                Point::new(x + 1, y),
                Point::new(x, y + 1),
                Point::new(x + 1, y + 1),
            ]);
        }
    }
    let (mut weighted, mut total) = (0.0f32, 0.0f32);
    for points in corners {
        let pixels = (points.len() / 4) as f32;
        if pixels < MIN_PATCH {
            continue;
        }
        let hull = imageproc::geometry::convex_hull(points);
        // Shoelace formula.
        let twice: i64 = (0..hull.len())
            .map(|i| {
                let (a, b) = (hull[i], hull[(i + 1) % hull.len()]);
                i64::from(a.x) * i64::from(b.y) - i64::from(b.x) * i64::from(a.y)
            })
            .sum();
        let area = (twice.abs() as f32 / 2.0).max(pixels);
        weighted += pixels * (pixels / area);
        total += pixels;
    }
    if total > 0.0 { weighted / total } else { 0.0 }
}

/// Patches smaller than this (statistics pixels) are specks, too small to have a shape.
const MIN_PATCH: f32 = 12.0;

fn is_skin(hue: f32, sat: f32, val: f32) -> bool {
    (8.0..=40.0).contains(&hue) && (0.15..0.6).contains(&sat) && val > 0.35
}

/// Dark corners around a bright centre.
fn round_field(hsv: &[(f32, f32, f32)], w: u32, h: u32) -> bool {
    if w < 16 || h < 16 {
        return false;
    }
    let mean_v = |x0: u32, y0: u32, x1: u32, y1: u32| {
        let mut sum = 0.0;
        let mut count = 0.0;
        for y in y0..y1 {
            for x in x0..x1 {
                sum += hsv[(y * w + x) as usize].2;
                count += 1.0;
            }
        }
        sum / f32::max(count, 1.0)
    };
    let (cw, ch) = (w / 10, h / 10);
    let corners = [
        mean_v(0, 0, cw, ch),
        mean_v(w - cw, 0, w, ch),
        mean_v(0, h - ch, cw, h),
        mean_v(w - cw, h - ch, w, h),
    ];
    let centre = mean_v(w * 2 / 5, h * 2 / 5, w * 3 / 5, h * 3 / 5);
    corners.iter().all(|&c| c < 0.12) && centre > 0.45
}

/// RGB to (hue in degrees, saturation, value), all from 8-bit channels.
fn to_hsv([r, g, b]: [u8; 3]) -> (f32, f32, f32) {
    let (r, g, b) = (f32::from(r) / 255.0, f32::from(g) / 255.0, f32::from(b) / 255.0);
    let max = r.max(g).max(b);
    let min = r.min(g).min(b);
    let delta = max - min;
    let hue = if delta == 0.0 {
        0.0
    } else if max == r {
        60.0 * ((g - b) / delta).rem_euclid(6.0)
    } else if max == g {
        60.0 * ((b - r) / delta + 2.0)
    } else {
        60.0 * ((r - g) / delta + 4.0)
    };
    let sat = if max == 0.0 { 0.0 } else { delta / max };
    (hue, sat, max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{DynamicImage, Rgb, RgbImage};

    fn photo(img: RgbImage) -> Overview {
        Overview::of(&DisplayImage { pixels: DynamicImage::ImageRgb8(img), orientation: 1 })
    }

    #[test]
    fn the_overview_is_small_and_knows_its_scale() {
        let big = DisplayImage { pixels: DynamicImage::ImageRgb8(RgbImage::new(4000, 3000)), orientation: 1 };
        let o = Overview::of(&big);
        assert_eq!((o.rgb.width(), o.rgb.height()), (400, 300));
        assert_eq!(o.scale, 10.0);
        let small = DisplayImage { pixels: DynamicImage::ImageRgb8(RgbImage::new(200, 100)), orientation: 1 };
        assert_eq!(Overview::of(&small).scale, 1.0);
    }

    #[test]
    fn hsv_of_primaries() {
        assert_eq!(to_hsv([255, 0, 0]), (0.0, 1.0, 1.0));
        assert_eq!(to_hsv([0, 0, 255]).0, 240.0);
        assert_eq!(to_hsv([128, 128, 128]).1, 0.0);
    }

    #[test]
    fn a_dark_frame_around_a_bright_disc_is_a_round_field() {
        let mut img = RgbImage::from_pixel(200, 200, Rgb([5, 5, 5]));
        for (x, y, p) in img.enumerate_pixels_mut() {
            let (dx, dy) = (x as f32 - 100.0, y as f32 - 100.0);
            if dx * dx + dy * dy < 85.0 * 85.0 {
                *p = Rgb([230, 190, 220]);
            }
        }
        assert!(analyse(&photo(img)).round_field);
        assert!(!analyse(&photo(RgbImage::from_pixel(200, 200, Rgb([230, 190, 220])))).round_field);
    }

    #[test]
    fn fractions_of_plain_colours() {
        let drape = analyse(&photo(RgbImage::from_pixel(300, 200, Rgb([40, 120, 150]))));
        assert!(drape.drape_center > 0.99 && drape.blood == 0.0);
        let blood = analyse(&photo(RgbImage::from_pixel(300, 200, Rgb([140, 10, 15]))));
        assert!(blood.blood > 0.99 && blood.blood_edges < 0.05, "one smooth patch has few edges");
        assert!(blood.blood_solidity > 0.99, "and fills its hull: {blood:?}");
        // Thin red strokes on white (red ink): every red pixel is an edge.
        let ink =
            RgbImage::from_fn(256, 192, |_, y| if y % 4 == 0 { Rgb([140, 10, 15]) } else { Rgb([250; 3]) });
        let ink = analyse(&photo(ink));
        assert!(ink.blood > 0.2 && ink.blood_edges > 0.99, "{ink:?}");
        let grey = analyse(&photo(RgbImage::from_pixel(300, 200, Rgb([20, 20, 20]))));
        assert!(grey.grey > 0.99 && grey.dark > 0.99 && grey.mean_saturation < 0.01);
    }
}
