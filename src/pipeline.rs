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

use crate::action;
use crate::barcode;
use crate::decode::{self, DisplayImage};
use crate::error::{Error, Stage};
use crate::intake::{self, Format, Input};
use crate::limits::Deadline;
use crate::metadata::{self, MetaFacts};
use crate::ocr;
use crate::options::Options;
use crate::policy::Profile;
use crate::recognize::{self, Document, TextEvidence};
use crate::report::{Action, Report};
use crate::rules;
use crate::verdict::Verdict;
use sha2::{Digest, Sha256};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::Instant;

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

/// Runs analysis and cleaning with one profile and one set of options.
pub struct Engine<'a> {
    pub options: &'a Options,
    pub profile: &'a Profile,
}

fn ms(since: Instant) -> f64 {
    (since.elapsed().as_secs_f64() * 1e5).round() / 100.0
}

impl Engine<'_> {
    /// Analyses one photo. Never panics and never fails: problems are findings.
    pub fn analyse(&self, input: &Input) -> Analysis {
        self.analyse_from(&input.path, None)
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
        self.analyse_from(Path::new(name), Some(Source { bytes, sha256: None }))
    }

    /// [`Engine::analyse`] of a file whose bytes the caller has read (under the same
    /// size limit) and hashed already (`watch`, which keys its journal by the hash).
    pub(crate) fn analyse_read(&self, input: &Input, bytes: Vec<u8>, sha256: String) -> Analysis {
        self.analyse_from(&input.path, Some(Source { bytes, sha256: Some(sha256) }))
    }

    fn analyse_from(&self, path: &Path, source: Option<Source>) -> Analysis {
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
        let outcome = catch_unwind(AssertUnwindSafe(|| self.run_stages(path, source, &mut a)));
        let error = match outcome {
            Ok(Ok(())) => None,
            Ok(Err(e)) => Some(e),
            Err(panic) => Some(Error::new(
                Stage::Internal,
                format!("medscrub crashed on this photo: {}", panic_message(&panic)),
            )),
        };
        if let Some(e) = error {
            self.fail(&mut a.report, &e);
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

    fn run_stages(&self, path: &Path, source: Option<Source>, a: &mut Analysis) -> crate::error::Result<()> {
        // Fault injection for tests/safety.rs, which proves a panic in one photo stays
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

        let t = Instant::now();
        let facts = metadata::read_within(&a.bytes, format, &a.deadline)?;
        a.report.capture_time = facts.capture_time();
        a.report.timings.metadata_ms = ms(t);
        if !facts.after_scan.is_empty() {
            a.report.notes.push(format!(
                "metadata hidden after the image data began ({}): tools that stop reading at the first scan miss it",
                facts.after_scan.join(", ")
            ));
        }

        a.deadline.check("reading metadata")?;
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

        let t = Instant::now();
        // One reduced copy for the colour statistics and the face search.
        // The scene is judged as most viewers draw it, over white: over black, every
        // cut-out picture (a logo, a sticker, rounded corners) is a bright shape in a dark
        // frame, as a microscope's field or a radiograph is.
        let overview = crate::scene::Overview::of(&image);
        let mut scene = crate::scene::analyse(&overview);
        a.report.timings.scene_ms = ms(t);

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
        // Faces matter only in clinical photos (scene.face), and cost the most to find.
        if text.mentions_clinical() || rules::scene::looks_clinical(&scene) {
            a.deadline.check("looking for faces")?;
            let t = Instant::now();
            scene.faces = crate::face::find(&overview);
            a.report.timings.scene_ms += ms(t);
        }

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
            marks: &self.profile.marks,
            transparency: alpha.as_ref().map(decode::Alpha::transparency),
        };
        if rules::time::is_clinical(&evidence) && facts.capture_time().is_none() {
            a.report.notes.push(
                "clinical content and no capture time: the one-month hold (time.recent-case) cannot be \
                 checked; make sure the case is over a month old or you have consent"
                    .into(),
            );
        }
        let detections = rules::run(&evidence);
        a.rename = detections.iter().any(|d| d.origin == recognize::FILE_NAME);
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
        let Some(entry) = registry.find(path, report.sha256.as_deref()) else { return Ok(()) };
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

    fn fail(&self, report: &mut Report, e: &Error) {
        report.findings.push(self.profile.error_finding(e));
        report.error = Some(format!("{}: {}", report.path, e.message));
    }

    /// Analyses one photo and, when it may leave, writes its share-safe copy to `dest`.
    pub fn clean(&self, input: &Input, dest: &Path) -> Report {
        self.clean_analysed(self.analyse(input), input, dest)
    }

    /// [`Engine::clean`] for a photo already analysed (the HTML report looks at the
    /// pixels in between; drop mode asks the person first): the copy is made from the
    /// analysis, which is not run again.
    pub fn clean_analysed(&self, mut a: Analysis, input: &Input, dest: &Path) -> Report {
        let outcome = catch_unwind(AssertUnwindSafe(|| self.write_clean(&mut a, input, dest)));
        self.settle_clean(a, outcome).0
    }

    /// Makes the share-safe copy of a photo already analysed, in memory (`serve`):
    /// the same copy, checks and report as [`Engine::clean_analysed`], with `output` the
    /// copy's name. No copy when the photo is blocked or the copy fails its checks.
    pub fn clean_in_memory(&self, mut a: Analysis) -> (Report, Option<CleanCopy>) {
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let t = Instant::now();
            let Some(cleaned) = self.make_copy(&mut a)? else { return Ok(None) };
            let path = PathBuf::from(&a.report.path);
            let name = self.copy_name(&mut a, &path, &cleaned)?;
            let name = name.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            a.report.notes.extend(cleaned.notes);
            a.report.action = Some(cleaned.action);
            a.report.output = Some(name.clone());
            a.report.timings.action_ms = ms(t);
            Ok(Some(CleanCopy { bytes: cleaned.bytes, format: cleaned.format, name }))
        }));
        self.settle_clean(a, outcome)
    }

    /// A cleaning's outcome folded into the report: an error or a panic is a finding,
    /// and no copy.
    fn settle_clean<T>(
        &self,
        mut a: Analysis,
        outcome: std::thread::Result<crate::error::Result<Option<T>>>,
    ) -> (Report, Option<T>) {
        let (copy, error) = match outcome {
            Ok(Ok(copy)) => (copy, None),
            Ok(Err(e)) => (None, Some(e)),
            Err(panic) => (
                None,
                Some(Error::new(
                    Stage::Internal,
                    format!("medscrub crashed while cleaning: {}", panic_message(&panic)),
                )),
            ),
        };
        if let Some(e) = error {
            self.fail(&mut a.report, &e);
            a.report.settle_verdict();
            a.report.action = Some(Action::NotWritten);
            a.report.output = None;
            return (a.report, None);
        }
        (a.report, copy)
    }

    /// The share-safe copy of an analysed photo, checked (metadata read back, pixels
    /// decoded again, a redaction read again); `None` when it may not leave.
    fn make_copy(&self, a: &mut Analysis) -> crate::error::Result<Option<action::Cleaned>> {
        let Some(format) = a.format.filter(|_| a.report.verdict != Verdict::Block) else {
            a.report.action = Some(Action::NotWritten);
            return Ok(None);
        };
        if a.parked {
            self.unpark(a, format)?;
        }
        let facts =
            a.facts.as_ref().ok_or_else(|| Error::new(Stage::Internal, "analysis left no metadata"))?;
        let cleaned = match a.report.verdict {
            Verdict::Share => action::Cleaned {
                bytes: std::mem::take(&mut a.bytes),
                format,
                action: Action::Copied,
                orientation: facts.orientation,
                notes: vec![],
            },
            Verdict::Strip if a.flatten => {
                let image =
                    a.image.as_ref().ok_or_else(|| Error::new(Stage::Internal, "analysis left no pixels"))?;
                action::flatten(format, facts, image)?
            }
            Verdict::Strip => action::strip(&a.bytes, format, facts, a.image.as_ref())?,
            _ => {
                let image =
                    a.image.as_ref().ok_or_else(|| Error::new(Stage::Internal, "analysis left no pixels"))?;
                let boxes: Vec<_> = a.report.findings.iter().filter_map(|f| f.bbox).collect();
                // Never below 70: a low-quality source would smear the box edges.
                let quality = facts.jpeg_quality.unwrap_or(action::strip::REENCODE_JPEG_QUALITY).max(70);
                action::redact(image, &boxes, format, quality)?
            }
        };
        action::verify(&cleaned)?;
        if cleaned.action != Action::Copied {
            // One decode of the copy serves both checks.
            let copy = self.verify_pixels(&cleaned, a.image.as_ref())?;
            if cleaned.action == Action::Redacted {
                self.verify_redaction(&copy, &a.deadline)?;
            }
        }
        Ok(Some(cleaned))
    }

    /// Brings back what [`Analysis::park`] let go: the file's bytes, refused unless they
    /// are the ones analysed, and its pixels. Cleaning gets a time budget of its own (a
    /// person may have taken minutes to answer).
    fn unpark(&self, a: &mut Analysis, format: Format) -> crate::error::Result<()> {
        let limits = &self.options.limits;
        a.deadline = Deadline::starting_now(limits.max_time);
        let path =
            a.file.as_deref().ok_or_else(|| Error::new(Stage::Internal, "a parked analysis has no file"))?;
        let bytes = intake::read_file(path, limits.max_file_bytes).map_err(|e| {
            Error::new(Stage::Action, format!("cannot read it again to copy it: {}", e.message))
        })?;
        if a.report.sha256.as_deref() != Some(hex(&Sha256::digest(&bytes)).as_str()) {
            return Err(Error::new(
                Stage::Action,
                "the file changed after it was checked; not written: check it again",
            ));
        }
        let orientation = a.facts.as_ref().map_or(1, |f| f.orientation);
        a._memory = Some(decode::reserve(&bytes, format, limits, &a.deadline)?);
        a.image = Some(decode::decode_viewed(&bytes, format, orientation, limits)?.0);
        a.bytes = bytes;
        a.parked = false;
        Ok(())
    }

    /// The copy's name: `dest` with the extension of what the copy is (a converted
    /// copy's new format; a file whose name said another format corrected, since upload
    /// forms and viewers go by the name), or `photo-<hash>.<ext>` when the photo's own
    /// name identifies. Notes say which.
    fn copy_name(
        &self,
        a: &mut Analysis,
        dest: &Path,
        cleaned: &action::Cleaned,
    ) -> crate::error::Result<PathBuf> {
        let format = a.format.ok_or_else(|| Error::new(Stage::Internal, "analysis left no format"))?;
        let named = dest.extension().map(|e| e.to_string_lossy().to_lowercase());
        let mut dest = if named.as_deref().is_some_and(|e| cleaned.format.extensions().contains(&e)) {
            dest.to_path_buf()
        } else {
            let usual = cleaned.format.extensions()[0];
            if cleaned.format == format {
                a.report.notes.push(format!(
                    "the file is a {} named otherwise: the copy is named .{usual}",
                    format.as_str()
                ));
            }
            dest.with_extension(usual)
        };
        if a.rename {
            // The file name itself identifies: name the copy after its content instead.
            let ext = dest.extension().map(|e| e.to_string_lossy().into_owned()).unwrap_or_default();
            let id = a.report.sha256.as_deref().map_or("copy", |s| &s[..12]).to_string();
            dest.set_file_name(format!("photo-{id}.{ext}"));
            a.report
                .notes
                .push(format!("the file name holds an identifier: the copy is named {}", dest.display()));
        }
        Ok(dest)
    }

    fn write_clean(&self, a: &mut Analysis, input: &Input, dest: &Path) -> crate::error::Result<Option<()>> {
        let t = Instant::now();
        let Some(cleaned) = self.make_copy(a)? else { return Ok(None) };
        let dest = self.copy_name(a, dest, &cleaned)?;
        let folders = normal_parts(&input.relative);
        let renamed = folders.iter().rev().skip(1).filter(|f| name_identifies(&f.to_string_lossy())).count();
        if renamed > 0 {
            a.report.notes.push(format!(
                "{renamed} folder name(s) on the way hold an identifier: the copy's folder is named after a \
                 hash instead ({})",
                dest.parent().map(|p| p.display().to_string()).unwrap_or_default()
            ));
        }
        refuse_input_as_output(&input.path, &dest)?;
        if let Some(out) = &self.options.out_dir {
            refuse_links_inside(out, &dest)?;
        }
        if action::write_atomic(&dest, &cleaned.bytes, self.options.force)? == action::Written::AlreadyThere {
            a.report.notes.push("an identical copy was already there (an earlier run wrote it); kept".into());
        }
        a.report.notes.extend(cleaned.notes);
        a.report.action = Some(cleaned.action);
        a.report.output = Some(dest.display().to_string());
        a.report.timings.action_ms = ms(t);
        Ok(Some(()))
    }

    /// The text visible in a picture: every OCR pass and every barcode payload.
    fn picture_text(&self, image: &DisplayImage, deadline: &Deadline) -> crate::error::Result<Vec<Document>> {
        if self.options.ocr == ocr::Strategy::Off {
            return Ok(Vec::new());
        }
        // One grey copy for both readers (a 12 MP conversion is not free).
        read_picture(&crate::raster::grey(&image.pixels), self.options.ocr, deadline)
    }

    /// Decodes a rewritten copy: it must show the picture that was analysed, at the same
    /// displayed size. (Found by fuzzing: a file with a duplicated frame header decoded,
    /// but its stripped copy did not.)
    fn verify_pixels(
        &self,
        cleaned: &action::Cleaned,
        analysed: Option<&DisplayImage>,
    ) -> crate::error::Result<DisplayImage> {
        let (copy, alpha) =
            decode::decode_viewed(&cleaned.bytes, cleaned.format, cleaned.orientation, &self.options.limits)
                .map_err(|e| {
                    Error::new(
                        Stage::Action,
                        format!("the cleaned copy does not decode ({}); not written", e.message),
                    )
                })?;
        if alpha.is_some() {
            // A viewer would draw it over its own background, not as it was checked.
            return Err(Error::new(
                Stage::Action,
                "the cleaned copy still has see-through pixels; not written",
            ));
        }
        if let Some(image) = analysed
            && (copy.width(), copy.height()) != (image.width(), image.height())
        {
            return Err(Error::new(
                Stage::Action,
                format!(
                    "the cleaned copy shows {}×{} instead of {}×{}; not written",
                    copy.width(),
                    copy.height(),
                    image.width(),
                    image.height()
                ),
            ));
        }
        Ok(copy)
    }

    /// Reads a redacted copy again, pixels and all: if any text rule still finds an
    /// identifier anywhere in it, the photo is blocked rather than shared half-covered.
    fn verify_redaction(&self, image: &DisplayImage, deadline: &Deadline) -> crate::error::Result<()> {
        // Judge the copy as strictly as the original: assume a clinical context.
        let text = TextEvidence { documents: self.picture_text(image, deadline)?, clinical: true };
        let facts = MetaFacts::default();
        let evidence =
            rules::Evidence { text: Some(&text), marks: &self.profile.marks, ..rules::Evidence::of(&facts) };
        let left: Vec<&str> =
            rules::run(&evidence).iter().filter(|d| d.bbox.is_some()).map(|d| d.rule).collect();
        if left.is_empty() {
            Ok(())
        } else {
            Err(Error::new(
                Stage::Action,
                format!(
                    "redaction did not hold: {} still readable in the covered copy; not written",
                    left.join(", ")
                ),
            ))
        }
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
    documents.extend(barcode::find(grey, deadline)?.iter().map(Document::from_barcode));
    Ok(documents)
}

/// The output must never be the input, whatever `--out` and `--force` say.
fn refuse_input_as_output(input: &Path, dest: &Path) -> crate::error::Result<()> {
    let same = match (input.canonicalize(), dest.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if same {
        return Err(Error::new(
            Stage::Action,
            format!("refusing to write over the original {}", input.display()),
        ));
    }
    Ok(())
}

/// A copy must land inside `--out`: refuse to write through a symbolic link in the
/// folders between `out` and `dest` (one could point anywhere on the machine).
fn refuse_links_inside(out: &Path, dest: &Path) -> crate::error::Result<()> {
    let Ok(inside) = dest.strip_prefix(out) else {
        return Err(Error::new(Stage::Action, format!("{} is outside the output folder", dest.display())));
    };
    let mut at = out.to_path_buf();
    let folders: Vec<_> = inside.parent().map(|p| p.components().collect()).unwrap_or_default();
    for part in folders {
        at.push(part);
        if std::fs::symlink_metadata(&at).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(Error::new(
                Stage::Action,
                format!(
                    "refusing to write through the symbolic link {} inside the output folder",
                    at.display()
                ),
            ));
        }
    }
    Ok(())
}

/// Where `clean` puts each copy: `destination` for every input, with names that would
/// collide on a case-insensitive or normalising file system (macOS, Windows, most SD
/// cards: `IMG_1.JPG` and `img_1.jpg`, `é` composed and decomposed) told apart by a
/// ` (2)`, ` (3)` suffix, so no copy replaces another wherever the folder is synced.
/// Names are told apart without their extension: a copy's extension can change
/// (`IMG_1.HEIC` is written as `IMG_1.jpg`, a redacted TIFF as `.png` or `.jpg`), and
/// phones export `IMG_1.HEIC` beside `IMG_1.JPG`.
pub fn destinations(out: &Path, inputs: &[Input]) -> Vec<PathBuf> {
    use unicode_normalization::UnicodeNormalization;
    let key = |p: &Path| p.with_extension("").to_string_lossy().nfc().collect::<String>().to_lowercase();
    let mut taken = std::collections::HashSet::new();
    let mut by_path = std::collections::HashMap::new();
    inputs
        .iter()
        .map(|input| {
            // The same file named twice goes to the same place.
            if let Some(dest) = by_path.get(&input.path) {
                return PathBuf::clone(dest);
            }
            let first = destination(out, input);
            let mut dest = first.clone();
            let mut n = 1;
            while !taken.insert(key(&dest)) {
                n += 1;
                let stem = first.file_stem().unwrap_or_default().to_string_lossy();
                let name = match first.extension() {
                    Some(ext) => format!("{stem} ({n}).{}", ext.to_string_lossy()),
                    None => format!("{stem} ({n})"),
                };
                dest = first.with_file_name(name);
            }
            by_path.insert(input.path.clone(), dest.clone());
            dest
        })
        .collect()
}

/// Where `clean` and `watch` put the share-safe copy of `input`: the same relative path
/// under `out`, with every folder whose name identifies (judged by the same text rules
/// as a file name, see [`name_identifies`]) renamed `folder-<hash>`. The file name is
/// judged with the photo, in [`Engine::clean`].
///
/// Every name is made plain first ([`action::safe_name`]): no controls, bidi marks or
/// invisible characters, valid UTF-8.
pub fn destination(out: &Path, input: &Input) -> PathBuf {
    let parts = normal_parts(&input.relative);
    let mut dest = out.to_path_buf();
    for (i, part) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        let name = plain_name(part, last);
        if !last && name_identifies(&name) {
            // Named after the folder's path, so every photo of one folder (and a rerun,
            // or a restarted `watch`) lands in the same place.
            let path = parts[..=i].iter().map(|p| p.to_string_lossy()).collect::<Vec<_>>().join("/");
            let digest = Sha256::digest(format!("medscrub folder\0{path}").as_bytes());
            dest.push(format!("folder-{}", &hex(&digest)[..12]));
        } else {
            dest.push(name);
        }
    }
    dest
}

/// `input`'s relative path with its names as they are, for copies that stay private
/// (`watch --blocked`): normal components only, so `..` cannot escape `out`, and made
/// plain as in [`destination`] (a name that shows other than it reads is no more
/// welcome in a private folder).
pub fn mirrored(out: &Path, input: &Input) -> PathBuf {
    let parts = normal_parts(&input.relative);
    let last = parts.len().saturating_sub(1);
    out.join(parts.iter().enumerate().map(|(i, p)| plain_name(p, i == last)).collect::<PathBuf>())
}

/// An input name as an output name ([`action::safe_name`]); a name with nothing
/// printable in it becomes `photo` (a file) or `folder`.
fn plain_name(part: &std::ffi::OsStr, file: bool) -> String {
    action::safe_name(part).unwrap_or_else(|| if file { "photo" } else { "folder" }.to_string())
}

fn normal_parts(relative: &Path) -> Vec<&std::ffi::OsStr> {
    relative
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(p) => Some(p),
            _ => None,
        })
        .collect()
}

/// Whether a folder name holds an identifier, read by every text rule the way a file
/// name is (`recognize::metadata_documents`). The folder's photos are not analysed yet
/// and one name covers them all, so it is judged as clinical text, the strict reading
/// the redaction check uses: a dated or named folder of clinical photos identifies.
pub fn name_identifies(name: &str) -> bool {
    let facts = MetaFacts::default();
    let documents = recognize::metadata_documents(&facts, name);
    let text = TextEvidence { documents, clinical: true };
    let evidence = rules::Evidence { text: Some(&text), ..rules::Evidence::of(&facts) };
    rules::run(&evidence).iter().any(|d| d.origin == recognize::FILE_NAME)
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

/// Runs `work` over `inputs` on `jobs` threads and hands each report to `sink` in input
/// order, as soon as it and every report before it are done.
pub fn run_parallel<W, S>(inputs: &[Input], jobs: Option<usize>, work: W, mut sink: S) -> std::io::Result<()>
where
    W: Fn(&Input) -> Report + Sync,
    S: FnMut(Report),
{
    use rayon::prelude::*;
    let mut builder = rayon::ThreadPoolBuilder::new().thread_name(|i| format!("medscrub-{i}"));
    if let Some(n) = jobs {
        builder = builder.num_threads(n.max(1));
    }
    let pool = builder.build().map_err(std::io::Error::other)?;
    let (tx, rx) = std::sync::mpsc::channel::<(usize, Report)>();
    std::thread::scope(|scope| {
        let work = &work;
        scope.spawn(move || {
            pool.install(|| {
                inputs.par_iter().enumerate().for_each_with(tx, |tx, (i, input)| {
                    let _ = tx.send((i, work(input)));
                });
            });
        });
        let mut pending = std::collections::BTreeMap::new();
        let mut next = 0;
        for (i, report) in rx {
            pending.insert(i, report);
            while let Some(r) = pending.remove(&next) {
                sink(r);
                next += 1;
            }
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    thread_local! {
        /// [`analyses_started`] for this test's thread only (tests run side by side).
        pub(super) static ON_THIS_THREAD: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    }

    fn analyses_here() -> u64 {
        ON_THIS_THREAD.with(|n| n.get())
    }

    #[test]
    fn destination_mirrors_folders_and_never_escapes() {
        let input = |rel: &str| Input { path: PathBuf::from("x"), relative: PathBuf::from(rel) };
        assert_eq!(destination(Path::new("/out"), &input("a/b.jpg")), PathBuf::from("/out/a/b.jpg"));
        assert_eq!(
            destination(Path::new("/out"), &input("../../etc/x.jpg")),
            PathBuf::from("/out/etc/x.jpg")
        );
        assert_eq!(destination(Path::new("/out"), &input("/abs/x.jpg")), PathBuf::from("/out/abs/x.jpg"));
    }

    #[test]
    fn identifying_folders_get_neutral_names() {
        let input = |rel: &str| Input { path: PathBuf::from("x"), relative: PathBuf::from(rel) };
        let dest = destination(Path::new("/out"), &input("ward/DOE, JANE MRN 12345678/IMG_1.jpg"));
        let parts: Vec<String> = dest.iter().map(|p| p.to_string_lossy().into_owned()).collect();
        assert_eq!(parts[..3], ["/", "out", "ward"]);
        assert!(parts[3].starts_with("folder-") && parts[3].len() == 19, "{dest:?}");
        assert_eq!(parts[4], "IMG_1.jpg", "the file name is judged with the photo, not here");
        // The same folder always gets the same name; a plain one keeps its own.
        assert_eq!(dest, destination(Path::new("/out"), &input("ward/DOE, JANE MRN 12345678/IMG_1.jpg")));
        assert_eq!(destination(Path::new("/out"), &input("knee/a.jpg")), PathBuf::from("/out/knee/a.jpg"));
        // Private copies (watch --blocked) keep the original names.
        assert_eq!(mirrored(Path::new("/h"), &input("DOE, JANE/a.jpg")), PathBuf::from("/h/DOE, JANE/a.jpg"));
    }

    #[test]
    fn colliding_names_are_told_apart_and_repeats_share_one() {
        let input = |p: &str| Input { path: PathBuf::from(format!("/in/{p}")), relative: PathBuf::from(p) };
        let inputs = [
            input("IMG_1.JPG"),
            input("img_1.jpg"),
            input("caf\u{e9}.jpg"),
            input("cafe\u{301}.jpg"),
            input("a/x.jpg"),
            input("A/x.jpg"),
            input("IMG_1.JPG"),
            input("scan.tiff"),
            input("scan.png"),
            input("IMG_2.HEIC"),
            input("IMG_2.JPG"),
        ];
        let dests = destinations(Path::new("/out"), &inputs);
        let names: Vec<String> = dests.iter().map(|d| d.display().to_string()).collect();
        assert_eq!(
            names,
            [
                "/out/IMG_1.JPG",
                "/out/img_1 (2).jpg",
                "/out/caf\u{e9}.jpg",
                "/out/cafe\u{301} (2).jpg",
                "/out/a/x.jpg",
                "/out/A/x (2).jpg",
                "/out/IMG_1.JPG",
                // Either copy may be written with the other's extension.
                "/out/scan.tiff",
                "/out/scan (2).png",
                "/out/IMG_2.HEIC",
                "/out/IMG_2 (2).JPG",
            ]
        );
    }

    #[test]
    fn links_inside_the_output_folder_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        std::fs::create_dir_all(out.join("real")).unwrap();
        std::os::unix::fs::symlink("/tmp", out.join("link")).unwrap();
        assert!(refuse_links_inside(&out, &out.join("real/a.jpg")).is_ok());
        assert!(refuse_links_inside(&out, &out.join("new/a.jpg")).is_ok());
        let e = refuse_links_inside(&out, &out.join("link/a.jpg")).unwrap_err();
        assert!(e.message.contains("symbolic link"), "{}", e.message);
    }

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/photos").join(name)
    }

    /// Metadata and pixels only: OCR in an unoptimised unit test is slow, and these
    /// tests are about where the bytes come from, not what is read in them.
    fn no_ocr() -> Options {
        Options { ocr: ocr::Strategy::Off, ..Options::default() }
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
            let file_report = engine.clean(&Input { path, ..input.clone() }, &dir.path().join(name));
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
        let report = engine.clean_analysed(parked, &input, &dir.path().join("out/a.jpg"));
        assert_eq!(analyses_here(), before + 1);
        assert_eq!(report.verdict, Verdict::Strip);
        let fresh = engine.clean(&input, &dir.path().join("out/b.jpg"));
        assert_eq!(
            std::fs::read(dir.path().join("out/a.jpg")).unwrap(),
            std::fs::read(fresh.output.unwrap()).unwrap()
        );
        // Changed between the judgement and the answer: nothing is written.
        let parked = engine.analyse(&input).park();
        let mut changed = std::fs::read(&photo).unwrap();
        changed.extend_from_slice(b"more");
        std::fs::write(&photo, changed).unwrap();
        let report = engine.clean_analysed(parked, &input, &dir.path().join("out/c.jpg"));
        assert_eq!(report.verdict, Verdict::Block);
        assert!(report.output.is_none() && !dir.path().join("out/c.jpg").exists());
        assert!(
            report.error.as_deref().unwrap().contains("changed after it was checked"),
            "{:?}",
            report.error
        );
    }

    #[test]
    fn parallel_runs_report_in_input_order() {
        let inputs: Vec<Input> = (0..50)
            .map(|i| Input { path: PathBuf::from(format!("{i}")), relative: PathBuf::new() })
            .collect();
        let mut seen = Vec::new();
        run_parallel(
            &inputs,
            Some(4),
            |inp| {
                let n: u64 = inp.path.to_str().unwrap().parse().unwrap();
                std::thread::sleep(std::time::Duration::from_micros((50 - n) * 100));
                Report::new(inp.path.display().to_string(), "strictest")
            },
            |r| seen.push(r.path),
        )
        .unwrap();
        let expected: Vec<String> = (0..50).map(|i| i.to_string()).collect();
        assert_eq!(seen, expected);
    }
}
