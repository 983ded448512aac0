//! Faces: an LBP cascade (OpenCV's frontal-face cascade, as shipped in scikit-image's
//! PyPI wheel; `models/face/`, licence in `models/README.md`) evaluated here in Rust.
//!
//! The cascade is 20 boosted stages of decision stumps over local binary patterns of
//! 3×3 blocks in a 24×24 window (Liao et al. 2007, OpenCV's `LBPEvaluator`). The search
//! reads the grey of the scene stage's overview (at most `scene::OVERVIEW_SIDE` pixels,
//! made once per photo); windows slide over a pyramid of it, and windows that pass every
//! stage are grouped (at least `MIN_NEIGHBOURS` nearby hits make a face), as OpenCV's
//! `detectMultiScale` does.
//!
//! Frontal, upright faces only: profiles, masks, surgical caps and tilted heads are
//! missed, and a face under about 24/`OVERVIEW_SIDE` of the photo's longest side is too
//! small.

use crate::geometry::Rect;
use crate::scene::Overview;
use image::GrayImage;
use regex::Regex;
use std::sync::OnceLock;

/// Scale step of the image pyramid.
const SCALE_STEP: f32 = 1.2;
/// Hits a face needs around it (OpenCV's `minNeighbors`).
const MIN_NEIGHBOURS: usize = 3;

const CASCADE_XML: &str = include_str!("../models/face/lbpcascade_frontalface_opencv.xml");

struct Weak {
    feature: usize,
    subset: [u32; 8],
    leaves: [f32; 2],
}

struct Stage {
    threshold: f32,
    weak: Vec<Weak>,
}

/// A loaded cascade.
pub struct Cascade {
    window: u32,
    stages: Vec<Stage>,
    /// Block rectangles (x, y, w, h) in the window: each feature is a 3×3 grid of them.
    features: Vec<[u32; 4]>,
}

/// The embedded cascade, parsed once.
pub fn cascade() -> &'static Cascade {
    static C: OnceLock<Cascade> = OnceLock::new();
    C.get_or_init(|| parse(CASCADE_XML).expect("the embedded cascade is checked by tests"))
}

fn parse(xml: &str) -> Result<Cascade, String> {
    let section = |open: &str, close: &str| -> Result<&str, String> {
        let start = xml.find(open).ok_or(format!("no {open}"))? + open.len();
        let end = xml[start..].find(close).ok_or(format!("no {close}"))? + start;
        Ok(&xml[start..end])
    };
    let window: u32 = section("<width>", "</width>")?.trim().parse().map_err(|_| "bad width")?;
    let stages_xml = section("<stages>", "</stages>")?;
    let stage_re =
        Regex::new(r"<maxWeakCount>\s*(\d+)\s*</maxWeakCount>\s*<stageThreshold>\s*([^<]+)</stageThreshold>")
            .map_err(|e| e.to_string())?;
    let weak_re = Regex::new(r"<internalNodes>([^<]+)</internalNodes>\s*<leafValues>([^<]+)</leafValues>")
        .map_err(|e| e.to_string())?;
    let mut weak = weak_re.captures_iter(stages_xml).map(|c| {
        let nodes: Vec<i64> = c[1].split_whitespace().filter_map(|v| v.parse().ok()).collect();
        let leaves: Vec<f32> = c[2].split_whitespace().filter_map(|v| v.parse().ok()).collect();
        if nodes.len() != 11 || leaves.len() != 2 {
            return Err("a weak classifier is not an LBP stump".to_string());
        }
        let mut subset = [0u32; 8];
        for (s, v) in subset.iter_mut().zip(&nodes[3..]) {
            *s = *v as i32 as u32;
        }
        Ok(Weak { feature: nodes[2] as usize, subset, leaves: [leaves[0], leaves[1]] })
    });
    let mut stages = Vec::new();
    for c in stage_re.captures_iter(stages_xml) {
        let count: usize = c[1].parse().map_err(|_| "bad count")?;
        let threshold: f32 = c[2].trim().parse().map_err(|_| "bad threshold")?;
        let weak: Vec<Weak> = weak.by_ref().take(count).collect::<Result<_, _>>()?;
        if weak.len() != count {
            return Err("fewer weak classifiers than the stages announce".into());
        }
        stages.push(Stage { threshold, weak });
    }
    let rect_re = Regex::new(r"<rect>([^<]+)</rect>").map_err(|e| e.to_string())?;
    let features: Vec<[u32; 4]> = rect_re
        .captures_iter(section("<features>", "</features>")?)
        .map(|c| {
            let v: Vec<u32> = c[1].split_whitespace().filter_map(|x| x.parse().ok()).collect();
            [
                v.first().copied().unwrap_or(0),
                v.get(1).copied().unwrap_or(0),
                v.get(2).copied().unwrap_or(1),
                v.get(3).copied().unwrap_or(1),
            ]
        })
        .collect();
    if stages.is_empty() || stages.iter().flat_map(|s| &s.weak).any(|w| w.feature >= features.len()) {
        return Err("stages refer to missing features".into());
    }
    Ok(Cascade { window, stages, features })
}

/// Summed-area table with a zero first row and column.
struct Integral {
    w: usize,
    sums: Vec<u32>,
}

impl Integral {
    fn new(grey: &GrayImage) -> Integral {
        let (w, h) = (grey.width() as usize, grey.height() as usize);
        let mut sums = vec![0u32; (w + 1) * (h + 1)];
        for y in 0..h {
            let mut row = 0u32;
            for x in 0..w {
                row += u32::from(grey.as_raw()[y * w + x]);
                sums[(y + 1) * (w + 1) + x + 1] = sums[y * (w + 1) + x + 1] + row;
            }
        }
        Integral { w: w + 1, sums }
    }

    fn sum(&self, x: u32, y: u32, w: u32, h: u32) -> u32 {
        let (x, y, w, h) = (x as usize, y as usize, w as usize, h as usize);
        let at = |xx: usize, yy: usize| self.sums[yy * self.w + xx];
        at(x + w, y + h) + at(x, y) - at(x + w, y) - at(x, y + h)
    }
}

impl Cascade {
    /// Whether the window at (`x`, `y`) of `ii` passes every stage.
    fn passes(&self, ii: &Integral, x: u32, y: u32) -> bool {
        self.stages.iter().all(|stage| {
            let score: f32 = stage
                .weak
                .iter()
                .map(|wk| {
                    let code = self.lbp(ii, x, y, wk.feature);
                    let bit = wk.subset[(code >> 5) as usize] & (1 << (code & 31));
                    if bit != 0 { wk.leaves[0] } else { wk.leaves[1] }
                })
                .sum();
            score >= stage.threshold
        })
    }

    /// The local binary pattern of feature `f`: each of the 8 outer blocks compared
    /// with the centre block, clockwise from the top left (OpenCV's bit order).
    fn lbp(&self, ii: &Integral, x: u32, y: u32, f: usize) -> u32 {
        let [fx, fy, fw, fh] = self.features[f];
        let block = |i: u32, j: u32| ii.sum(x + fx + j * fw, y + fy + i * fh, fw, fh);
        let c = block(1, 1);
        let order = [(0, 0), (0, 1), (0, 2), (1, 2), (2, 2), (2, 1), (2, 0), (1, 0)];
        order
            .iter()
            .enumerate()
            .fold(0u32, |code, (k, &(i, j))| code | (u32::from(block(i, j) >= c) << (7 - k)))
    }

    /// Windows of a grey image that pass the cascade, before grouping.
    fn hits(&self, grey: &GrayImage) -> Vec<Rect> {
        let mut out = Vec::new();
        let (w, h) = grey.dimensions();
        let mut factor = 1.0f32;
        loop {
            let (sw, sh) = ((w as f32 / factor) as u32, (h as f32 / factor) as u32);
            if sw < self.window || sh < self.window {
                break;
            }
            let scaled = if factor == 1.0 {
                grey.clone()
            } else {
                image::imageops::resize(grey, sw, sh, image::imageops::FilterType::Triangle)
            };
            let ii = Integral::new(&scaled);
            let step = if factor < 3.0 { 2 } else { 1 };
            for y in (0..=sh - self.window).step_by(step) {
                for x in (0..=sw - self.window).step_by(step) {
                    if self.passes(&ii, x, y) {
                        let size = (self.window as f32 * factor) as u32;
                        out.push(Rect {
                            x: (x as f32 * factor) as u32,
                            y: (y as f32 * factor) as u32,
                            width: size,
                            height: size,
                        });
                    }
                }
            }
            factor *= SCALE_STEP;
        }
        out
    }
}

/// Groups hits that overlap and are of similar size; keeps groups of `MIN_NEIGHBOURS`.
fn group(hits: &[Rect]) -> Vec<Rect> {
    let similar = |a: &Rect, b: &Rect| {
        let delta = 0.2 * (a.width.min(b.width) as f32);
        (a.x as f32 - b.x as f32).abs() <= delta
            && (a.y as f32 - b.y as f32).abs() <= delta
            && (a.width as f32 - b.width as f32).abs() <= delta * 1.5
    };
    let mut groups: std::collections::BTreeMap<usize, Vec<&Rect>> = Default::default();
    for (set, hit) in crate::cluster::connected_sets(hits, similar).into_iter().zip(hits) {
        groups.entry(set).or_default().push(hit);
    }
    groups
        .values()
        .filter(|g| g.len() >= MIN_NEIGHBOURS)
        .map(|g| {
            let n = g.len() as u32;
            let mean = |f: fn(&Rect) -> u32| g.iter().map(|r| f(r)).sum::<u32>() / n;
            Rect { x: mean(|r| r.x), y: mean(|r| r.y), width: mean(|r| r.width), height: mean(|r| r.height) }
        })
        .collect()
}

/// Faces in the photo, as boxes in displayed pixels.
pub fn detect(overview: &Overview) -> Vec<Rect> {
    let grey = image::imageops::grayscale(&overview.rgb);
    let scale = overview.scale;
    group(&cascade().hits(&grey))
        .into_iter()
        .map(|r| Rect {
            x: (r.x as f32 * scale) as u32,
            y: (r.y as f32 * scale) as u32,
            width: (r.width as f32 * scale) as u32,
            height: (r.height as f32 * scale) as u32,
        })
        .collect()
}

/// Whether a single face-sized grey patch (at least the window size) is a face: the
/// cascade on its centre window, no pyramid. For measuring the classifier on crops.
pub fn is_face_patch(patch: &GrayImage) -> bool {
    let c = cascade();
    let (w, h) = patch.dimensions();
    if w < c.window || h < c.window {
        return false;
    }
    let ii = Integral::new(patch);
    // Try the few positions a 24-pixel window can take in a slightly larger crop.
    (0..=h - c.window).any(|y| (0..=w - c.window).any(|x| c.passes(&ii, x, y)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_cascade_parses_whole() {
        let c = cascade();
        assert_eq!(c.window, 24);
        assert_eq!(c.stages.len(), 20);
        assert_eq!(c.stages.iter().map(|s| s.weak.len()).sum::<usize>(), 139);
        assert!(c.features.len() > 100);
    }

    #[test]
    fn integral_sums_match_direct_sums() {
        let img = GrayImage::from_fn(13, 9, |x, y| image::Luma([((x * 7 + y * 13) % 256) as u8]));
        let ii = Integral::new(&img);
        let direct: u32 = (2..7)
            .flat_map(|y| (3..11).map(move |x| (x, y)))
            .map(|(x, y)| u32::from(img.get_pixel(x, y).0[0]))
            .sum();
        assert_eq!(ii.sum(3, 2, 8, 5), direct);
    }

    #[test]
    fn flat_and_noisy_pictures_have_no_faces() {
        let flat = crate::decode::DisplayImage {
            pixels: image::DynamicImage::ImageLuma8(GrayImage::from_pixel(320, 240, image::Luma([128]))),
            orientation: 1,
        };
        assert!(detect(&Overview::of(&flat)).is_empty());
    }

    #[test]
    fn grouping_needs_neighbours() {
        let r = |x, y| Rect { x, y, width: 50, height: 50 };
        assert_eq!(group(&[r(100, 100), r(102, 101), r(99, 103)]).len(), 1);
        assert!(group(&[r(100, 100), r(300, 300)]).is_empty());
    }
}
