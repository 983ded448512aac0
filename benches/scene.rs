//! Criterion benchmarks of the scene stage on a 12 MP photo: the one reduced copy the
//! pipeline makes (`scene::Overview`), the colour statistics and every scene rule on
//! it, the face search on it, and the OCR stage's tilt estimate. The budget is
//! 50 ms per scene rule at 12 MP.

use criterion::{Criterion, criterion_group, criterion_main};
use medscrub::decode::DisplayImage;
use medscrub::metadata::MetaFacts;
use medscrub::rules::{Evidence, scene::SCENE_RULES};
use medscrub::{face, ocr, scene};
use std::hint::black_box;

/// A 4032×3024 photo-like picture: a gradient with blue-green cloth, red patches on skin
/// and a lit rectangle, so that every statistic has something to count.
fn photo() -> DisplayImage {
    let img = image::RgbImage::from_fn(4032, 3024, |x, y| {
        let (u, v) = (x as f32 / 4032.0, y as f32 / 3024.0);
        if (0.3..0.7).contains(&u) && (0.3..0.7).contains(&v) {
            if ((x / 97) ^ (y / 89)) % 5 == 0 {
                image::Rgb([140, 12, 18])
            } else {
                image::Rgb([224, 172, 125])
            }
        } else if v < 0.25 {
            image::Rgb([240, 240, 230])
        } else {
            image::Rgb([40, (110.0 + 40.0 * u) as u8, (140.0 + 30.0 * v) as u8])
        }
    });
    DisplayImage { pixels: image::DynamicImage::ImageRgb8(img), orientation: 1 }
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("scene-12MP");
    group.sample_size(20);
    let photo = photo();
    group.bench_function("overview", |b| b.iter(|| scene::Overview::of(black_box(&photo))));
    let overview = scene::Overview::of(&photo);
    let facts = MetaFacts::default();
    group.bench_function("statistics+rules", |b| {
        b.iter(|| {
            let stats = scene::analyse(black_box(&overview));
            let ev = Evidence { scene: Some(&stats), ..Evidence::of(&facts) };
            let mut out = Vec::new();
            SCENE_RULES.iter().for_each(|r| r.check(&ev, &mut out));
            out
        })
    });
    group.bench_function("face-search", |b| b.iter(|| face::detect(black_box(&overview))));
    let grey = photo.pixels.to_luma8();
    group.bench_function("ocr-tilt-estimate", |b| b.iter(|| ocr::estimate_tilt(black_box(&grey))));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
