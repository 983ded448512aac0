//! Mutation fuzzing on the stable toolchain. proptest takes each valid fixture, applies
//! a few mutations (bit flips, byte stores, truncation, spliced and duplicated ranges,
//! deletions, corrupted length fields), and runs the whole pipeline on the result:
//! intake, metadata, decode, text, rules, policy, and `clean` with its verification.
//!
//! For every input: no panic (a caught one shows up as `error.internal`), no hang (a
//! watchdog per input), an error message that names the file, nothing written for a
//! blocked photo, and a written copy that carries no metadata when scanned again.
//!
//! `scripts/test` runs a short pass (`MEDSCRUB_FUZZ_CASES`, default 24 per format);
//! `scripts/fuzz N` runs N per format in release mode. A failing input is saved under
//! `target/fuzz-failures/` and proptest prints the shrunk mutation list; each one
//! becomes a case in `fixtures/hostile.rs`.

use medscrub::intake::Input;
use medscrub::pipeline::Engine;
use medscrub::{AnalysisOptions, CopyOptions, Report, Verdict, policy};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// Longest one input may take before the watchdog calls it a hang. Generous: the
/// debug build is slow and the two cores are shared with other tests.
const WATCHDOG: Duration = Duration::from_secs(120);

/// A position as a fraction of the length (`u64::MAX` is the end), so one mutation
/// list fits inputs of any size and shrinks towards the start of the file.
#[derive(Debug, Clone, Copy)]
struct Index(u64);

impl Index {
    fn index(self, len: usize) -> usize {
        ((self.0 as u128 * len as u128) >> 64) as usize
    }
}

impl From<u64> for Index {
    fn from(v: u64) -> Index {
        Index(v)
    }
}

fn any_index() -> impl Strategy<Value = Index> {
    any::<u64>().prop_map(Index)
}

/// One change to the bytes.
#[derive(Debug, Clone)]
enum Mutation {
    FlipBit(Index, u8),
    SetByte(Index, u8),
    Truncate(Index),
    /// Copies `len` bytes from one place over another (segment splicing).
    Splice {
        from: Index,
        to: Index,
        len: u16,
    },
    Duplicate {
        from: Index,
        len: u16,
    },
    Delete {
        at: Index,
        len: u16,
    },
    /// Overwrites the 2 or 4 bytes after a marker-like byte with an extreme value:
    /// JPEG segment lengths, PNG/RIFF chunk sizes, TIFF counts and offsets.
    CorruptLength {
        at: Index,
        wide: bool,
        value: u32,
    },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let extreme = prop_oneof![
        Just(0u32),
        Just(1),
        Just(2),
        Just(0xFFFF),
        Just(0x7FFF_FFFF),
        Just(u32::MAX),
        any::<u32>()
    ];
    prop_oneof![
        3 => (any_index(), 0u8..8).prop_map(|(i, b)| Mutation::FlipBit(i, b)),
        2 => (any_index(), any::<u8>()).prop_map(|(i, v)| Mutation::SetByte(i, v)),
        1 => any_index().prop_map(Mutation::Truncate),
        1 => (any_index(), any_index(), 1u16..2048).prop_map(|(from, to, len)| Mutation::Splice { from, to, len }),
        1 => (any_index(), 1u16..4096).prop_map(|(from, len)| Mutation::Duplicate { from, len }),
        1 => (any_index(), 1u16..512).prop_map(|(at, len)| Mutation::Delete { at, len }),
        2 => (any_index(), any::<bool>(), extreme).prop_map(|(at, wide, value)| Mutation::CorruptLength { at, wide, value }),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    if bytes.is_empty() {
        return;
    }
    let n = bytes.len();
    match *m {
        Mutation::FlipBit(i, b) => bytes[i.index(n)] ^= 1 << b,
        Mutation::SetByte(i, v) => bytes[i.index(n)] = v,
        Mutation::Truncate(i) => bytes.truncate(i.index(n)),
        Mutation::Splice { from, to, len } => {
            let (from, to) = (from.index(n), to.index(n));
            let len = (len as usize).min(n - from).min(n - to);
            let chunk = bytes[from..from + len].to_vec();
            bytes[to..to + len].copy_from_slice(&chunk);
        }
        Mutation::Duplicate { from, len } => {
            let from = from.index(n);
            let len = (len as usize).min(n - from);
            let chunk = bytes[from..from + len].to_vec();
            bytes.splice(from..from, chunk);
        }
        Mutation::Delete { at, len } => {
            let at = at.index(n);
            bytes.drain(at..(at + len as usize).min(n));
        }
        Mutation::CorruptLength { at, wide, value } => {
            // Start right after the nearest 0xFF (JPEG marker) or chunk-type-like byte.
            let at = at.index(n);
            let at = bytes[at..].iter().position(|&b| b == 0xFF).map_or(at, |p| at + p + 2);
            let width = if wide { 4 } else { 2 };
            if at + width <= n {
                let v =
                    if wide { value.to_be_bytes().to_vec() } else { (value as u16).to_be_bytes().to_vec() };
                bytes[at..at + width].copy_from_slice(&v);
            }
        }
    }
}

/// The valid fixtures mutations start from, by format.
fn seeds(format: &str) -> Vec<Vec<u8>> {
    let photos = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/photos");
    // Hostile structures too (`../hostile/`): ICC tags, reserved markers, unused tables,
    // header slack, a PNG stream with bytes after it, deep XMP, RIFF slack.
    let names: &[&str] = match format {
        "jpeg" => &[
            "clean.jpg",
            "phone_full_metadata.jpg",
            "progressive_com_after_sos.jpg",
            "extended_xmp.jpg",
            "orientation_6.jpg",
            "../hostile/icc_private_tags.jpg",
            "../hostile/jpeg_reserved_markers.jpg",
            "../hostile/jpeg_unused_table.jpg",
            "../hostile/jpeg_header_slack.jpg",
            "../hostile/jpeg_after_last_block.jpg",
            "../hostile/jpeg_progressive_after_block.jpg",
        ],
        "png" => &[
            "clean.png",
            "text_chunks.png",
            "../hostile/iccp_named_after_patient.png",
            "../hostile/png_after_zlib_stream.png",
            "../hostile/deep_xmp_40000.png",
        ],
        "webp" => {
            &["exif_xmp.webp", "../hostile/webp_riff_slack.webp", "../hostile/webp_after_bitstream.webp"]
        }
        "gif" => &["comment.gif"],
        "tiff" => &["camera.tiff"],
        "heif" => &["phone.heic"],
        other => panic!("no seeds for {other}"),
    };
    names.iter().map(|n| std::fs::read(photos.join(n)).unwrap_or_else(|e| panic!("{n}: {e}"))).collect()
}

fn cases() -> u32 {
    std::env::var("MEDSCRUB_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(24)
}

/// `MEDSCRUB_FUZZ_TEXT=0` skips OCR and barcodes, for long runs of the container stages
/// (a mutated small fixture takes ~1 ms without text, ~0.5 s with it in a debug build).
fn text_stage() -> medscrub::ocr::Strategy {
    match std::env::var("MEDSCRUB_FUZZ_TEXT").as_deref() {
        Ok("0") => medscrub::ocr::Strategy::Off,
        _ => medscrub::ocr::Strategy::Scene,
    }
}

static RUN: AtomicUsize = AtomicUsize::new(0);

/// Runs analysis and clean on `bytes` in a worker thread with a watchdog, and checks
/// the invariants.
fn check(format: &str, bytes: &[u8]) -> Result<(), TestCaseError> {
    let id = RUN.fetch_add(1, Ordering::Relaxed);
    let work = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
    let ext = match format {
        "jpeg" => "jpg",
        "heif" => "heic",
        f => f,
    };
    let path = work.path().join(format!("mutant-{id}.{ext}"));
    std::fs::write(&path, bytes).unwrap();
    let out_dir = work.path().join("out");
    let (tx, rx) = std::sync::mpsc::channel();
    {
        let (path, out_dir) = (path.clone(), out_dir.clone());
        std::thread::spawn(move || {
            let options = AnalysisOptions { ocr: text_stage(), ..AnalysisOptions::default() };
            let copies = CopyOptions { out_dir: Some(out_dir.clone()), force: false };
            let profile = policy::profile("strictest").unwrap();
            let engine = Engine { options: &options, profile };
            let input = Input { path: path.clone(), relative: PathBuf::from(path.file_name().unwrap()) };
            let report = engine.clean(&input, &out_dir.join(&input.relative), &copies);
            let rescan = report.output.as_ref().map(|o| {
                let copy = Input { path: PathBuf::from(o), relative: PathBuf::from("copy") };
                engine.analyse(&copy).report
            });
            let _ = tx.send((report, rescan));
        });
    }
    let outcome = rx.recv_timeout(WATCHDOG);
    let failed = |why: String| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/fuzz-failures");
        let _ = std::fs::create_dir_all(&dir);
        let saved = dir.join(format!("{format}-{id}.{ext}"));
        let _ = std::fs::write(&saved, bytes);
        TestCaseError::fail(format!("{why} (input saved to {})", saved.display()))
    };
    let (report, rescan): (Report, Option<Report>) = match outcome {
        Ok(r) => r,
        Err(_) => return Err(failed(format!("no verdict within {WATCHDOG:?}: a hang"))),
    };
    let rules: Vec<&str> = report.findings.iter().map(|f| f.rule.as_str()).collect();
    if rules.contains(&"error.internal") {
        return Err(failed(format!("medscrub crashed: {}", report.error.as_deref().unwrap_or_default())));
    }
    if let Some(error) = &report.error {
        if report.verdict != Verdict::Block {
            return Err(failed(format!("an error but verdict {:?}: {error}", report.verdict)));
        }
        if !error.contains(&path.display().to_string()) {
            return Err(failed(format!("the error does not name the file: {error}")));
        }
    }
    if report.verdict == Verdict::Block && report.output.is_some() {
        return Err(failed("a blocked photo was written".into()));
    }
    if let Some(copy) = rescan {
        let left: Vec<&str> = copy
            .findings
            .iter()
            .map(|f| f.rule.as_str())
            .filter(|r| r.starts_with("meta.") || r.starts_with("error."))
            .collect();
        if !left.is_empty() {
            return Err(failed(format!("the cleaned copy still has {left:?}: {:?}", copy.error)));
        }
    }
    if std::fs::read(&path).unwrap() != bytes {
        return Err(failed("the input was modified".into()));
    }
    Ok(())
}

fn fuzz(format: &str) {
    let seeds = seeds(format);
    let config = Config { cases: cases(), failure_persistence: None, ..Config::default() };
    let mut runner = TestRunner::new(config);
    let strategy = (0..seeds.len(), proptest::collection::vec(mutation(), 1..6));
    let ran = AtomicUsize::new(0);
    let result = runner.run(&strategy, |(seed, mutations)| {
        let mut bytes = seeds[seed].clone();
        mutations.iter().for_each(|m| apply(&mut bytes, m));
        ran.fetch_add(1, Ordering::Relaxed);
        check(format, &bytes)
    });
    let ran = ran.into_inner();
    eprintln!("fuzz {format}: {ran} mutated inputs through the whole pipeline");
    if let Err(e) = result {
        panic!("fuzz {format}: {e}");
    }
}

#[test]
fn fuzz_jpeg() {
    fuzz("jpeg");
}

#[test]
fn fuzz_png() {
    fuzz("png");
}

#[test]
fn fuzz_webp() {
    fuzz("webp");
}

#[test]
fn fuzz_gif() {
    fuzz("gif");
}

#[test]
fn fuzz_tiff() {
    fuzz("tiff");
}

#[test]
fn fuzz_heif() {
    fuzz("heif");
}

#[test]
fn mutations_change_bytes_as_described() {
    let base: Vec<u8> = (0..100u8).collect();
    let at = |n: usize| Index::from((((n as u128) << 64) / 100 + 1) as u64);
    let mut b = base.clone();
    apply(&mut b, &Mutation::Truncate(at(10)));
    assert_eq!(b.len(), 10);
    let mut b = base.clone();
    apply(&mut b, &Mutation::Duplicate { from: at(0), len: 5 });
    assert_eq!(&b[..10], &[0, 1, 2, 3, 4, 0, 1, 2, 3, 4]);
    let mut b = base.clone();
    apply(&mut b, &Mutation::Delete { at: at(0), len: 50 });
    assert_eq!(b.len(), 50);
    let mut b = vec![0u8, 0xFF, 0xE1, 0, 0x10, 9];
    apply(&mut b, &Mutation::CorruptLength { at: Index::from(0u64), wide: false, value: 0xFFFF });
    assert_eq!(b, [0, 0xFF, 0xE1, 0xFF, 0xFF, 9]);
}
