//! Cleaning: the share-safe copy made from an analysis, verified, and written.

use super::destinations::{name_identifies, normal_parts};
use super::{Analysis, CleanCopy, Engine, hex, ms, panic_message};
use crate::action;
use crate::decode::{self, DisplayImage};
use crate::error::{Error, Stage};
use crate::intake::{self, Format, Input};
use crate::limits::Deadline;
use crate::metadata::MetaFacts;
use crate::options::CopyOptions;
use crate::recognize::TextEvidence;
use crate::report::{Action, Report};
use crate::rules;
use crate::verdict::Verdict;
use sha2::{Digest, Sha256};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::Instant;

impl Engine<'_> {
    /// Analyses one photo and, when it may leave, writes its share-safe copy to `dest`
    /// as `copies` says (inside which folder, replacing a file or not).
    pub fn clean(&self, input: &Input, dest: &Path, copies: &CopyOptions) -> Report {
        self.clean_analysed(self.analyse(input), input, dest, copies)
    }

    /// [`Engine::clean`] for a photo already analysed (the HTML report looks at the
    /// pixels in between; drop mode asks the person first): the copy is made from the
    /// analysis, which is not run again.
    pub fn clean_analysed(
        &self,
        mut a: Analysis,
        input: &Input,
        dest: &Path,
        copies: &CopyOptions,
    ) -> Report {
        let outcome = catch_unwind(AssertUnwindSafe(|| self.write_clean(&mut a, input, dest, copies)));
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
            self.record_failure(&mut a.report, &e);
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

    fn write_clean(
        &self,
        a: &mut Analysis,
        input: &Input,
        dest: &Path,
        copies: &CopyOptions,
    ) -> crate::error::Result<Option<()>> {
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
        if let Some(out) = &copies.out_dir {
            refuse_links_inside(out, &dest)?;
        }
        if action::write_atomic(&dest, &cleaned.bytes, copies.force)? == action::Written::AlreadyThere {
            a.report.notes.push("an identical copy was already there (an earlier run wrote it); kept".into());
        }
        a.report.notes.extend(cleaned.notes);
        a.report.action = Some(cleaned.action);
        a.report.set_output(&dest);
        a.report.timings.action_ms = ms(t);
        Ok(Some(()))
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
