//! The pipeline: runs the stages in order for each photo, and photos in parallel.
//!
//! ```text
//! intake ─► metadata ─► decode ─► rules ─► policy ─► (clean: strip ─► verify ─► write)
//! ```
//!
//! Metadata is read before the pixels are decoded because orientation is a metadata
//! fact: decode applies exactly the orientation that `strip` will write back, so what
//! was analysed and what is shared are the same picture. Any stage error becomes a
//! `block` finding for that photo only; a panic is caught and becomes `error.internal`.

use crate::barcode;
use crate::decode::{self, DisplayImage};
use crate::error::{Error, Stage};
use crate::intake::{self, Format, Input};
use crate::limits::Deadline;
use crate::metadata::{self, MetaFacts};
use crate::ocr;
use crate::options::AnalysisOptions;
use crate::policy::Profile;
use crate::recognize::{self, Document, TextEvidence};
use crate::report::Report;
use crate::rules;
use sha2::{Digest, Sha256};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::Instant;

mod clean;
mod destinations;
mod parallel;

pub use destinations::{destination, destinations, mirrored, name_identifies};
pub use parallel::run_parallel;

/// A photo after analysis, with what `clean` needs to act on it.
pub struct Analysis {
    pub report: Report,
    bytes: Vec<u8>,
    format: Option<Format>,
    facts: Option<MetaFacts>,
    image: Option<DisplayImage>,
    /// The file name itself holds an identifier: the copy gets a neutral name.
    rename: bool,
    /// Some pixel is see-through: the copy is the picture as analysed, flattened.
    flatten: bool,
    /// The photo's time budget, shared by analysis and cleaning.
    deadline: Deadline,
    /// Its share of the run's memory budget, held while its pixels live.
    _memory: Option<crate::limits::Reservation>,
    /// Set by [`Analysis::park`]: the bytes and pixels were let go, and are read and
    /// decoded again (the bytes checked against the report's SHA-256) when cleaning.
    parked: bool,
    /// The file analysed; `None` for bytes handed over ([`Engine::analyse_bytes`]).
    file: Option<PathBuf>,
}

impl Analysis {
    /// The photo as displayed; `None` when it could not be decoded (or was parked).
    pub fn image(&self) -> Option<&DisplayImage> {
        self.image.as_ref()
    }

    /// Lets go of the photo's bytes, pixels and memory reservation, keeping the
    /// judgement (report, metadata facts, what the copy needs). For holding many
    /// analyses while a person decides (drop mode): [`Engine::clean_analysed`] reads the
    /// file again, refuses it unless it is byte for byte what was analysed (its SHA-256),
    /// and decodes it again, which costs a read and a decode, not the analysis.
    /// Only for photos analysed from a file ([`Engine::analyse`]).
    pub fn park(mut self) -> Analysis {
        if self.format.is_some() && self.facts.is_some() && self.file.is_some() {
            self.parked = true;
        }
        self.bytes = Vec::new();
        self.image = None;
        self._memory = None;
        self
    }
}

/// A share-safe copy made in memory ([`Engine::clean_in_memory`]).
#[derive(Debug, Clone)]
pub struct CleanCopy {
    pub bytes: Vec<u8>,
    /// What the bytes are (HEIC comes back as JPEG).
    pub format: Format,
    /// The name the CLI would give the copy: the photo's name with the extension of what
    /// it is, or `photo-<hash>.<ext>` when the name identifies.
    pub name: String,
}

/// How many analyses this process has started (every [`Engine::analyse`],
/// [`Engine::analyse_bytes`] …): tests use it to prove a photo is analysed once.
static ANALYSES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How many photo analyses this process has started. A debugging statistic, for tests.
#[doc(hidden)]
pub fn analyses_started() -> u64 {
    ANALYSES.load(std::sync::atomic::Ordering::Relaxed)
}

/// Bytes handed to the engine instead of a path to read.
struct Source {
    bytes: Vec<u8>,
    /// Their SHA-256, when the caller computed it already.
    sha256: Option<String>,
}

/// The steps of one analysis, as a person waiting on it is told them (`watch`'s status
/// line names the step a slow photo is in).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnalysisStep {
    Metadata,
    Decoding,
    Scene,
    Text,
    Faces,
    Rules,
    /// Making the share-safe copy (announced by whoever asks for one).
    Copying,
}

impl AnalysisStep {
    /// What the step is doing, in a few words.
    pub fn describe(self) -> &'static str {
        match self {
            AnalysisStep::Metadata => "reading metadata",
            AnalysisStep::Decoding => "decoding the picture",
            AnalysisStep::Scene => "looking at the scene",
            AnalysisStep::Text => "reading text",
            AnalysisStep::Faces => "looking for faces",
            AnalysisStep::Rules => "applying the rules",
            AnalysisStep::Copying => "making the share-safe copy",
        }
    }
}

/// Runs analysis and cleaning with one profile and one set of analysis options. Where
/// copies are written to files is not the engine's: see [`crate::options::CopyOptions`].
pub struct Engine<'a> {
    pub options: &'a AnalysisOptions,
    pub profile: &'a Profile,
}

fn ms(since: Instant) -> f64 {
    (since.elapsed().as_secs_f64() * 1e5).round() / 100.0
}

impl Engine<'_> {
    /// Analyses one photo. Never panics and never fails: problems are findings.
    pub fn analyse(&self, input: &Input) -> Analysis {
        self.analyse_from(&input.path, None, &|_| {})
    }

    /// Analyses a photo held in memory (an upload), as [`Engine::analyse`] does a file:
    /// the same limits (`max_file_bytes` included), the same fail-closed findings, the
    /// same report. `name` is the photo's file name: it is evidence (file names are
    /// read by the text rules) and is the report's `path`.
    pub fn analyse_bytes(&self, name: &str, bytes: &[u8]) -> Analysis {
        self.analyse_owned(name, bytes.to_vec())
    }

    /// [`Engine::analyse_bytes`] taking the bytes, so they are not copied.
    pub fn analyse_owned(&self, name: &str, bytes: Vec<u8>) -> Analysis {
        self.analyse_from(Path::new(name), Some(Source { bytes, sha256: None }), &|_| {})
    }

    /// [`Engine::analyse`] of a file whose bytes the caller has read (under the same
    /// size limit) and hashed already (`watch`, which keys its journal by the hash).
    /// `step` is told each [`AnalysisStep`] as it begins, for a person watching the photo.
    pub(crate) fn analyse_read(
        &self,
        input: &Input,
        bytes: Vec<u8>,
        sha256: String,
        step: &dyn Fn(AnalysisStep),
    ) -> Analysis {
        self.analyse_from(&input.path, Some(Source { bytes, sha256: Some(sha256) }), step)
    }

    fn analyse_from(&self, path: &Path, source: Option<Source>, step: &dyn Fn(AnalysisStep)) -> Analysis {
        ANALYSES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        #[cfg(test)]
        tests::ON_THIS_THREAD.with(|n| n.set(n.get() + 1));
        let mut a = Analysis {
            report: Report::for_path(path, &self.profile.id),
            bytes: Vec::new(),
            format: None,
            facts: None,
            image: None,
            rename: false,
            flatten: false,
            deadline: Deadline::starting_now(self.options.limits.max_time),
            _memory: None,
            parked: false,
            file: source.is_none().then(|| path.to_path_buf()),
        };
        let outcome = catch_unwind(AssertUnwindSafe(|| self.run_stages(path, source, &mut a, step)));
        let error = match outcome {
            Ok(Ok(())) => None,
            Ok(Err(e)) => Some(e),
            Err(panic) => Some(Error::new(
                Stage::Internal,
                format!("medscrub crashed on this photo: {}", panic_message(&panic)),
            )),
        };
        if let Some(e) = error {
            self.record_failure(&mut a.report, &e);
            a.image = None;
        }
        a.report.settle_verdict();
        if a.rename && !self.options.show_text {
            // The findings quote the identifier in the name masked; a header that printed
            // the name whole would undo that.
            a.report.shown_path = Some(crate::report::mask::masked_file_name(path));
        }
        a
    }

    fn run_stages(
        &self,
        path: &Path,
        source: Option<Source>,
        a: &mut Analysis,
        step: &dyn Fn(AnalysisStep),
    ) -> crate::error::Result<()> {
        // Fault injection for tests/integration/safety.rs, which proves a panic in one photo stays
        // in that photo. Debug builds only: release binaries ignore the variable.
        #[cfg(debug_assertions)]
        if std::env::var_os("MEDSCRUB_DEBUG_PANIC_ON").is_some_and(|name| path.file_name() == Some(&name)) {
            panic!("fault injected by MEDSCRUB_DEBUG_PANIC_ON");
        }
        let limits = &self.options.limits;
        let t = Instant::now();
        let sha256 = match source {
            None => {
                a.bytes = intake::read_file(path, limits.max_file_bytes)?;
                None
            }
            Some(Source { bytes, sha256 }) => {
                if bytes.len() as u64 > limits.max_file_bytes {
                    return Err(Error::new(
                        Stage::Limits,
                        format!(
                            "file is {} bytes, over the limit of {} bytes (--max-file-mb)",
                            bytes.len(),
                            limits.max_file_bytes
                        ),
                    ));
                }
                a.bytes = bytes;
                sha256
            }
        };
        a.report.bytes = Some(a.bytes.len() as u64);
        a.report.sha256 = Some(sha256.unwrap_or_else(|| hex(&Sha256::digest(&a.bytes))));
        a.report.timings.read_ms = ms(t);
        let format = intake::image_format(&a.bytes)?;
        a.format = Some(format);
        a.report.format = Some(format.as_str());

        step(AnalysisStep::Metadata);
        let t = Instant::now();
        let mut facts = metadata::read_within(&a.bytes, format, &a.deadline)?;
        a.report.capture_time = facts.capture_time();
        a.report.timings.metadata_ms = ms(t);
        if !facts.after_scan.is_empty() {
            a.report.notes.push(format!(
                "metadata hidden after the image data began ({}): tools that stop reading at the first scan miss it",
                facts.after_scan.join(", ")
            ));
        }

        a.deadline.check("reading metadata")?;
        step(AnalysisStep::Decoding);
        let t = Instant::now();
        // One memory budget for the run: with several jobs, a photo whose pixels do not
        // fit beside the others' waits for them (six bombs of 144 MP decoded at once
        // took 5.8 GB).
        let memory = decode::reserve(&a.bytes, format, limits, &a.deadline)?;
        if memory.waited > std::time::Duration::from_millis(500) {
            a.report.notes.push(format!(
                "waited {:.1} s for memory other photos held (--max-memory-mb is one budget for the whole run)",
                memory.waited.as_secs_f64()
            ));
        }
        a._memory = Some(memory);
        // Bytes a WebP bitstream ends with that no decoder reads survive a chunk-level
        // strip; only a decode can tell where the bitstream really ends. Run first, so
        // this photo's reservation covers its buffer as well as the real decode's.
        if format == Format::Webp
            && let Some(tail) = decode::webp_unread_tail(&a.bytes, limits)?
        {
            facts.non_display.push(tail);
            facts.rewrite_pixels = true;
        }
        let (image, alpha) = decode::decode_viewed(&a.bytes, format, facts.orientation, limits)?;
        a.report.width = Some(image.width());
        a.report.height = Some(image.height());
        a.report.timings.decode_ms = ms(t);

        // What a viewer in dark mode sees of a picture with see-through pixels: white
        // text on a transparent background shows only there. The copy is flattened onto
        // white, but the original is what the report is about, so its text is read in
        // both views.
        let dark = alpha
            .as_ref()
            .map(|alpha| DisplayImage { pixels: alpha.over_black(&image), orientation: image.orientation });

        step(AnalysisStep::Scene);
        let t = Instant::now();
        // One reduced copy for the colour statistics and the face search.
        // The scene is judged as most viewers draw it, over white: over black, every
        // cut-out picture (a logo, a sticker, rounded corners) is a bright shape in a dark
        // frame, as a microscope's field or a radiograph is.
        let overview = crate::scene::Overview::of(&image);
        let scene = crate::scene::analyse(&overview);
        a.report.timings.scene_ms = ms(t);

        step(AnalysisStep::Text);
        let t = Instant::now();
        let mut documents = self.picture_text(&image, &a.deadline)?;
        if let Some(dark) = &dark
            && self.options.ocr != ocr::Strategy::Off
        {
            a.deadline.check("reading the picture over black")?;
            documents.extend(self.picture_text(dark, &a.deadline)?);
        }
        if self.options.ocr == ocr::Strategy::Off {
            a.report.notes.push("text in the picture was not read (library option): metadata only".into());
        }
        let file_name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        documents.extend(recognize::metadata_documents(&facts, &file_name));
        let text = TextEvidence::new(documents);
        a.report.timings.text_ms = ms(t);
        // Faces matter only in clinical photos (scene.face), and cost the most to find:
        // they are searched for only when the colours or the words look clinical.
        let faces = if text.mentions_clinical() || scene.looks_clinical() {
            a.deadline.check("looking for faces")?;
            step(AnalysisStep::Faces);
            let t = Instant::now();
            let faces = crate::face::detect(&overview);
            a.report.timings.scene_ms += ms(t);
            Some(faces)
        } else {
            None
        };

        step(AnalysisStep::Rules);
        let t = Instant::now();
        let thumbnails: Vec<_> = facts
            .thumbnails
            .iter()
            .map(|th| th.jpeg.as_deref().map(|j| decode::compare_thumbnail(j, &image)))
            .collect();
        let evidence = rules::Evidence {
            facts: &facts,
            thumbnails: &thumbnails,
            text: Some(&text),
            show_text: self.options.show_text,
            post: Some(&self.options.post),
            today: Some(self.options.today.unwrap_or_else(crate::dates::today)),
            scene: Some(&scene),
            faces: faces.as_deref(),
            marks: &self.profile.marks,
            transparency: alpha.as_ref().map(decode::Alpha::transparency),
        };
        if evidence.says_clinical() && facts.capture_time().is_none() {
            a.report.notes.push(
                "clinical content and no capture time: the one-month hold (time.recent-case) cannot be \
                 checked; make sure the case is over a month old or you have consent"
                    .into(),
            );
        }
        let detections = rules::run(&evidence);
        a.rename = detections.iter().any(|d| d.found_in == recognize::FILE_NAME);
        a.flatten = alpha.is_some();
        a.report.findings.extend(detections.into_iter().filter_map(|d| self.profile.judge(d)));
        self.apply_consent(path, &mut a.report)?;
        self.options.switches.apply(&mut a.report);
        a.report.timings.rules_ms = ms(t);
        if format == Format::Heif && !a.report.findings.is_empty() {
            a.report
                .notes
                .push("HEIC has no lossless strip path: `clean` writes it as a high-quality JPEG".into());
        }
        a.facts = Some(facts);
        a.image = Some(image);
        Ok(())
    }

    /// Lifts the findings a valid consent covers, and records it; a consent that names
    /// the photo but does not hold is an error for the photo.
    fn apply_consent(&self, path: &Path, report: &mut Report) -> crate::error::Result<()> {
        let Some((registry, platform)) = &self.options.consent else { return Ok(()) };
        let Some(entry) = registry.entry_for(path, report.sha256.as_deref()) else { return Ok(()) };
        let today = self.options.today.unwrap_or_else(crate::dates::today);
        entry.holds(platform, today).map_err(|why| Error::new(Stage::Consent, why))?;
        let mut lifted: Vec<String> = report
            .findings
            .iter()
            .filter(|f| entry.covers.contains(&f.rule))
            .map(|f| f.rule.clone())
            .collect();
        lifted.dedup();
        report.findings.retain(|f| !entry.covers.contains(&f.rule));
        report.consent = Some(crate::report::ConsentApplied {
            id: entry.id.clone(),
            platform: platform.clone(),
            signed: crate::dates::date_of(entry.signed),
            expires: crate::dates::date_of(entry.expires),
            lifted,
        });
        Ok(())
    }

    /// Records a failed stage in the report: an `error.*` finding (always `block`) and
    /// the message, naming the file.
    fn record_failure(&self, report: &mut Report, e: &Error) {
        report.findings.push(self.profile.error_finding(e));
        report.error = Some(format!("{}: {}", report.path, e.message));
    }

    /// The text visible in a picture: every OCR pass and every barcode payload.
    fn picture_text(&self, image: &DisplayImage, deadline: &Deadline) -> crate::error::Result<Vec<Document>> {
        if self.options.ocr == ocr::Strategy::Off {
            return Ok(Vec::new());
        }
        // One grey copy for both readers (a 12 MP conversion is not free).
        read_picture(&crate::raster::grey(&image.pixels), self.options.ocr, deadline)
    }
}

/// The text visible in a grey picture: every OCR pass of `strategy` and every barcode
/// payload, as documents for the recognizers (the evaluation's re-read of cleaned copies
/// uses it too).
pub fn read_picture(
    grey: &image::GrayImage,
    strategy: ocr::Strategy,
    deadline: &Deadline,
) -> crate::error::Result<Vec<Document>> {
    let passes = ocr::read_text(grey, strategy, deadline)?;
    let mut documents: Vec<Document> = passes.iter().map(|lines| Document::from_ocr(lines)).collect();
    documents.extend(barcode::read_all(grey, deadline)?.iter().map(Document::from_barcode));
    Ok(documents)
}

/// Lower-case hex of `bytes` (SHA-256 digests in reports and the watch journal).
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::CopyOptions;
    use crate::verdict::Verdict;

    thread_local! {
        /// [`analyses_started`] for this test's thread only (tests run side by side).
        pub(super) static ON_THIS_THREAD: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    }

    fn analyses_here() -> u64 {
        ON_THIS_THREAD.with(|n| n.get())
    }

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/photos").join(name)
    }

    /// Metadata and pixels only: OCR in an unoptimised unit test is slow, and these
    /// tests are about where the bytes come from, not what is read in them.
    fn no_ocr() -> AnalysisOptions {
        AnalysisOptions { ocr: ocr::Strategy::Off, ..AnalysisOptions::default() }
    }

    #[test]
    fn each_step_is_told_as_it_begins_in_order() {
        let options = no_ocr();
        let engine = Engine { options: &options, profile: crate::policy::profile("strictest").unwrap() };
        let path = fixture("gps_only.jpg");
        let bytes = std::fs::read(&path).unwrap();
        let input = Input { path: path.clone(), relative: "gps_only.jpg".into() };
        let told = std::cell::RefCell::new(Vec::new());
        let analysis = engine.analyse_read(&input, bytes, "x".into(), &|step| told.borrow_mut().push(step));
        use AnalysisStep::*;
        // Not clinical: no face search.
        assert_eq!(*told.borrow(), [Metadata, Decoding, Scene, Text, Rules]);
        assert_eq!(analysis.report.verdict, Verdict::Strip);
        // A file that stops at intake tells no step after the one it failed in.
        told.borrow_mut().clear();
        engine
            .analyse_read(&input, b"not a photo".to_vec(), "y".into(), &|step| told.borrow_mut().push(step));
        assert!(told.borrow().is_empty(), "{:?}", told.borrow());
    }

    fn same_report(a: &Report, b: &Report) {
        let plain = |r: &Report| {
            let mut v = serde_json::to_value(r).unwrap();
            v.as_object_mut().unwrap().remove("timings");
            v
        };
        assert_eq!(plain(a), plain(b));
    }

    #[test]
    fn bytes_in_memory_are_analysed_and_cleaned_as_the_file_is() {
        let options = no_ocr();
        let engine = Engine { options: &options, profile: crate::policy::profile("strictest").unwrap() };
        let dir = tempfile::tempdir().unwrap();
        for name in ["gps_only.jpg", "clean.png", "mislabelled_png.jpg", "orientation_6.jpg"] {
            let path = fixture(name);
            let bytes = std::fs::read(&path).unwrap();
            let input = Input { path: PathBuf::from(name), relative: PathBuf::from(name) };
            let from_file = engine.analyse(&Input { path: path.clone(), ..input.clone() });
            let from_memory = engine.analyse_bytes(name, &bytes);
            let mut expected = from_file.report.clone();
            expected.path = name.into();
            same_report(&from_memory.report, &expected);
            // Cleaned in memory: the bytes the file's clean writes, named as it names them.
            let file_report = engine.clean(
                &Input { path, ..input.clone() },
                &dir.path().join(name),
                &CopyOptions::default(),
            );
            let (report, copy) = engine.clean_in_memory(from_memory);
            let copy = copy.unwrap_or_else(|| panic!("{name}: no copy: {report:?}"));
            let written = PathBuf::from(file_report.output.unwrap());
            assert_eq!(copy.bytes, std::fs::read(&written).unwrap(), "{name}");
            assert_eq!(copy.name, written.file_name().unwrap().to_string_lossy(), "{name}");
            assert_eq!(report.output.as_deref(), Some(copy.name.as_str()));
        }
    }

    #[test]
    fn bytes_in_memory_keep_the_limits_and_fail_closed() {
        let mut options = no_ocr();
        options.limits.max_file_bytes = 100;
        let engine = Engine { options: &options, profile: crate::policy::profile("strictest").unwrap() };
        let bytes = std::fs::read(fixture("clean.jpg")).unwrap();
        let a = engine.analyse_bytes("clean.jpg", &bytes);
        assert_eq!(a.report.verdict, Verdict::Block);
        assert_eq!(a.report.findings[0].rule, "error.limits");
        assert!(a.report.error.as_deref().unwrap().starts_with("clean.jpg: file is"), "{:?}", a.report.error);
        let (report, copy) = engine.clean_in_memory(a);
        assert!(copy.is_none() && report.verdict == Verdict::Block);
        let options = no_ocr();
        let engine = Engine { options: &options, profile: crate::policy::profile("strictest").unwrap() };
        let a = engine.analyse_bytes("x.jpg", &bytes[..bytes.len() / 2]);
        assert_eq!(a.report.verdict, Verdict::Block, "a cut-short photo is never share");
        let before = analyses_here();
        let (_, copy) = engine.clean_in_memory(engine.analyse_bytes("DOE_JANE_MRN_12345678.jpg", &bytes));
        assert_eq!(analyses_here(), before + 1, "cleaning does not analyse again");
        let copy = copy.unwrap();
        assert!(copy.name.starts_with("photo-") && copy.name.ends_with(".jpg"), "{}", copy.name);
    }

    #[test]
    fn a_parked_analysis_is_written_only_from_the_bytes_it_judged() {
        let options = no_ocr();
        let engine = Engine { options: &options, profile: crate::policy::profile("strictest").unwrap() };
        let dir = tempfile::tempdir().unwrap();
        let photo = dir.path().join("gps_only.jpg");
        std::fs::copy(fixture("gps_only.jpg"), &photo).unwrap();
        let input = Input { path: photo.clone(), relative: PathBuf::from("gps_only.jpg") };
        std::fs::create_dir(dir.path().join("out")).unwrap();
        let before = analyses_here();
        let parked = engine.analyse(&input).park();
        assert!(parked.image().is_none(), "parked: no pixels held");
        let report =
            engine.clean_analysed(parked, &input, &dir.path().join("out/a.jpg"), &CopyOptions::default());
        assert_eq!(analyses_here(), before + 1);
        assert_eq!(report.verdict, Verdict::Strip);
        let fresh = engine.clean(&input, &dir.path().join("out/b.jpg"), &CopyOptions::default());
        assert_eq!(
            std::fs::read(dir.path().join("out/a.jpg")).unwrap(),
            std::fs::read(fresh.output.unwrap()).unwrap()
        );
        // Changed between the judgement and the answer: nothing is written.
        let parked = engine.analyse(&input).park();
        let mut changed = std::fs::read(&photo).unwrap();
        changed.extend_from_slice(b"more");
        std::fs::write(&photo, changed).unwrap();
        let report =
            engine.clean_analysed(parked, &input, &dir.path().join("out/c.jpg"), &CopyOptions::default());
        assert_eq!(report.verdict, Verdict::Block);
        assert!(report.output.is_none() && !dir.path().join("out/c.jpg").exists());
        assert!(
            report.error.as_deref().unwrap().contains("changed after it was checked"),
            "{:?}",
            report.error
        );
    }
}
