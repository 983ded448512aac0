//! Criterion benchmarks of the full scan of a photo (metadata + scene + OCR +
//! recognizers + barcodes: what `medscrub scan` does per photo), and of the text
//! stage's parts, each beside the plain baseline's full scan
//! (`full-scan-plain-baseline`, one Tesseract pass over the whole photo): first on real
//! photos from `../shared/realdev` (or `MEDSCRUB_REALDEV=DIR`) when that folder is
//! there — a 12 MP iPhone HEIC, a 9 MP camera JPEG, a 2 MP receipt, a phone photo of a
//! street — then on the evaluation corpus's 12 MP photos and on three of its document
//! photos scaled to 2 MP (a lab report, a prescription, a discharge summary). The budget:
//! a median of 1.5 s per real 12 MP photo per core, 2 s per 2 MP document photo.
//!
//! Needs the corpus: `cargo run --release --example eval-generate -- target/eval`
//! (`scripts/eval` makes it), or `MEDSCRUB_BENCH_CORPUS=DIR`. Run as
//! `OMP_THREAD_LIMIT=1 cargo bench --bench text` (Tesseract's OpenMP reads the variable
//! when the library loads; the bench re-executes itself with it set otherwise).

use criterion::{Criterion, criterion_group};
use medscrub::intake::Input;
use medscrub::limits::Deadline;
use medscrub::{AnalysisOptions, barcode, ocr, pipeline, policy};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The corpus's 12 MP photos with PHI on a small object (one of each scene kind).
const PHOTOS: [&str; 4] =
    ["phi/wristband_005.jpg", "phi/sticker_005.jpg", "phi/monitor_006.jpg", "phi/label_003.jpg"];

/// The corpus's document photos (about 3 MP) the 2 MP document benchmark scales down.
const DOCUMENTS: [&str; 3] =
    ["documents/lab_report_000.jpg", "documents/prescription_000.jpg", "documents/discharge_summary_000.jpg"];

fn corpus() -> Option<PathBuf> {
    let dir =
        std::env::var_os("MEDSCRUB_BENCH_CORPUS").map_or_else(|| PathBuf::from("target/eval"), PathBuf::from);
    PHOTOS.iter().all(|p| dir.join(p).is_file()).then_some(dir)
}

/// Real photos, by kind (read from the real-photo folder, never copied into the repo).
const REAL_PHOTOS: [&str; 4] = [
    "real_camera/mei_img_1034.heic",
    "real_camera/ian_30_type_error.jpg",
    "real_text_benign/mmocr_wildreceipt_1.jpeg",
    "real_text_benign/mei_sony_dsc_hx5v_street_sign.jpg",
];

fn realdev() -> Option<PathBuf> {
    let dir = std::env::var_os("MEDSCRUB_REALDEV")
        .map_or_else(|| PathBuf::from("../shared/realdev"), PathBuf::from);
    REAL_PHOTOS.iter().all(|p| dir.join(p).is_file()).then_some(dir)
}

/// The full scan of one photo, and the plain baseline's (one Tesseract pass over the
/// whole photo, the same recognizers and barcode search) beside it, in the same run.
fn scan_beside_baseline(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    dir: &Path,
    name: &str,
    label: &str,
) {
    let profile = policy::profile("strictest").expect("profile");
    let options = AnalysisOptions::default();
    let plain_options = AnalysisOptions { ocr: ocr::Strategy::Plain, ..AnalysisOptions::default() };
    let engine = pipeline::Engine { options: &options, profile };
    let plain = pipeline::Engine { options: &plain_options, profile };
    let input = Input { path: dir.join(name), relative: PathBuf::from(name) };
    group.bench_function(format!("full-scan/{label}"), |b| b.iter(|| engine.analyse(black_box(&input))));
    group.bench_function(format!("full-scan-plain-baseline/{label}"), |b| {
        b.iter(|| plain.analyse(black_box(&input)))
    });
}

fn bench_real(c: &mut Criterion) {
    let Some(dir) = realdev() else {
        eprintln!(
            "benches/text: ../shared/realdev is missing (or set MEDSCRUB_REALDEV); real photos skipped"
        );
        return;
    };
    let mut group = c.benchmark_group("text-real");
    group.sample_size(10).measurement_time(Duration::from_secs(15));
    for name in REAL_PHOTOS {
        scan_beside_baseline(&mut group, &dir, name, name.rsplit('/').next().unwrap_or(name));
    }
    let bytes = std::fs::read(dir.join(REAL_PHOTOS[1])).expect("real photo");
    let photo = medscrub::decode::decode(&bytes, medscrub::intake::Format::Jpeg, 1, &Default::default())
        .expect("real photo decodes");
    let grey = medscrub::raster::grey(&photo.pixels);
    group.bench_function("text-detector/ian_30_type_error", |b| {
        b.iter(|| ocr::detect::find_lines(black_box(&grey)))
    });
    group.finish();
}

fn bench(c: &mut Criterion) {
    bench_real(c);
    let Some(dir) = corpus() else {
        eprintln!(
            "benches/text: the evaluation corpus is missing; make it with \
             `cargo run --release --example eval-generate -- target/eval` (or set MEDSCRUB_BENCH_CORPUS)"
        );
        return;
    };
    let mut group = c.benchmark_group("text-12MP");
    group.sample_size(10).measurement_time(Duration::from_secs(20));
    for name in PHOTOS {
        scan_beside_baseline(
            &mut group,
            &dir,
            name,
            name.trim_start_matches("phi/").trim_end_matches(".jpg"),
        );
    }
    // The text stage's parts, on the first photo.
    let bytes = std::fs::read(dir.join(PHOTOS[0])).expect("corpus photo");
    let photo = medscrub::decode::decode(&bytes, medscrub::intake::Format::Jpeg, 1, &Default::default())
        .expect("corpus photo decodes");
    let grey = medscrub::raster::grey(&photo.pixels);
    let deadline = || Deadline::starting_now(Duration::from_secs(600));
    group.bench_function("text-regions", |b| b.iter(|| ocr::regions::propose(black_box(&grey))));
    group.bench_function("barcode-search", |b| b.iter(|| barcode::read_all(black_box(&grey), &deadline())));
    // The scene strategy reads with both recognisers; each alone beside it.
    for (name, strategy) in [
        ("ocr-read-text", ocr::Strategy::Scene),
        ("ocr-read-text-tesseract-alone", ocr::Strategy::Tesseract),
        ("ocr-read-text-recogniser-alone", ocr::Strategy::Recogniser),
    ] {
        group.bench_function(name, |b| b.iter(|| ocr::read_text(black_box(&grey), strategy, &deadline())));
    }
    group.finish();
    bench_documents(c, &dir);
}

/// Each of `DOCUMENTS` scaled to 2 MP, as a phone photo of a page often is, written
/// beside the corpus (`documents-2mp/`) once; their names, relative to `dir`.
fn documents_at_2mp(dir: &Path) -> Vec<String> {
    const PIXELS: f64 = 2.0e6;
    std::fs::create_dir_all(dir.join("documents-2mp")).expect("folder for the 2 MP documents");
    DOCUMENTS
        .iter()
        .map(|name| {
            let scaled = name.replace("documents/", "documents-2mp/");
            if !dir.join(&scaled).is_file() {
                let page = image::open(dir.join(name)).expect("corpus document decodes").to_rgb8();
                let k = (PIXELS / (f64::from(page.width()) * f64::from(page.height()))).sqrt();
                let (w, h) = ((f64::from(page.width()) * k) as u32, (f64::from(page.height()) * k) as u32);
                let small = image::imageops::resize(&page, w, h, image::imageops::FilterType::Triangle);
                let mut jpeg = Vec::new();
                image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90)
                    .encode_image(&small)
                    .expect("JPEG encodes");
                std::fs::write(dir.join(&scaled), jpeg).expect("2 MP document written");
            }
            scaled
        })
        .collect()
}

fn bench_documents(c: &mut Criterion, dir: &Path) {
    if !DOCUMENTS.iter().all(|d| dir.join(d).is_file()) {
        eprintln!("benches/text: the corpus has no document photos; 2 MP documents skipped");
        return;
    }
    let mut group = c.benchmark_group("text-document-2MP");
    group.sample_size(10).measurement_time(Duration::from_secs(20));
    for name in documents_at_2mp(dir) {
        let label = name.trim_start_matches("documents-2mp/").trim_end_matches(".jpg").to_string();
        scan_beside_baseline(&mut group, dir, &name, &label);
    }
    group.finish();
}

criterion_group!(benches, bench);

fn main() {
    if let Err(err) = ocr::limit_openmp_threads() {
        eprintln!("benches/text: note: could not limit OCR threads ({err}); OCR may be slow");
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
