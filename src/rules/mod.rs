//! Rules: each one a small unit that reads evidence and reports what it finds.
//!
//! A rule has a stable id, a one-line summary, an explanation, the remedy it asks for
//! by default, and a `check`. Which remedy applies and which policy clauses make a
//! finding a problem is not the rule's business: that is data, in the policy profiles.
//! Rules never write files and never pick the final verdict.

pub mod document;
pub mod meta;
pub mod post;
pub mod scene;
pub mod text;
pub mod time;

use crate::decode::ThumbnailMatch;
use crate::geometry::Rect;
use crate::metadata::MetaFacts;
use crate::recognize::TextEvidence;
use crate::report::Source;
use crate::verdict::Verdict;

/// What a rule is, for `medscrub policies` and the docs.
#[derive(Debug)]
pub struct RuleDoc {
    /// Stable id, never reused: `meta.gps`.
    pub id: &'static str,
    /// Where its evidence comes from.
    pub source: Source,
    /// The remedy when a profile does not say otherwise.
    pub default_remedy: Verdict,
    /// One line.
    pub summary: &'static str,
    /// What it finds, why it matters, how it decides, where it fails.
    pub explain: &'static str,
}

/// One thing a rule found, before policy gives it a remedy and citations.
#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    pub rule: &'static str,
    /// Where the evidence came from.
    pub source: Source,
    /// Which text it was found in (`OCR`, `file name`, `EXIF ImageDescription`), or
    /// `metadata` for metadata facts.
    pub found_in: String,
    /// One line, identifiers masked unless the user asked to see them.
    pub summary: String,
    pub details: Vec<String>,
    /// Where in the displayed image, for visible text.
    pub bbox: Option<Rect>,
    pub confidence: f32,
    /// The identifier found, as letters and digits in upper case (`identifier_key`):
    /// one number read by OCR and decoded from a barcode is one identifier.
    pub identifier: Option<String>,
}

/// An identifier's value as letters and digits in upper case, the form in which the same
/// number read from OCR, a barcode or metadata compares equal.
pub fn identifier_key(value: &str) -> String {
    value.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_uppercase).collect()
}

/// What the rules get to look at.
#[derive(Debug, Clone, Copy)]
pub struct Evidence<'a> {
    pub facts: &'a MetaFacts,
    /// For each of `facts.thumbnails`, how it compares with the photo (`None` when it
    /// could not be compared, e.g. the photo was not decoded).
    pub thumbnails: &'a [Option<ThumbnailMatch>],
    /// Text from OCR, barcodes, metadata strings and the file name; `None` when the
    /// text stage did not run (verifying a stripped copy).
    pub text: Option<&'a TextEvidence>,
    /// Show found text unmasked.
    pub show_text: bool,
    /// The caption and handle the photo will be posted with, when the user gave them.
    pub post: Option<&'a post::Post>,
    /// Today, in days since 1970-01-01, for the one-month hold (`None`: not judged).
    pub today: Option<i64>,
    /// Colour and layout statistics of the picture (`None`: not decoded).
    pub scene: Option<&'a crate::scene::SceneStats>,
    /// Frontal faces in the picture, in displayed pixels (`face::detect` on the scene's
    /// overview). `None` when they were not searched for: the search costs more than
    /// every other statistic together and a face alone is not a finding, so the pipeline
    /// searches only in photos that look clinical by their colours
    /// ([`SceneStats::looks_clinical`](crate::scene::SceneStats::looks_clinical)) or
    /// their words ([`TextEvidence::mentions_clinical`]).
    pub faces: Option<&'a [Rect]>,
    /// The names and marks of the profile's institutions (`brand.logo-text`), from the
    /// policy profile: the one thing a rule is told by policy, because which brand counts
    /// depends on whose policy it is.
    pub marks: &'a [document::Mark],
    /// How much of the picture is see-through (`None`: opaque, or not decoded).
    pub transparency: Option<crate::decode::Transparency>,
}

impl<'a> Evidence<'a> {
    /// Evidence of metadata facts alone; the other fields are set with struct update
    /// syntax (`Evidence { text: Some(&t), ..Evidence::of(&facts) }`).
    pub fn of(facts: &'a MetaFacts) -> Evidence<'a> {
        Evidence {
            facts,
            thumbnails: &[],
            text: None,
            show_text: false,
            post: None,
            today: None,
            scene: None,
            faces: None,
            marks: &[],
            transparency: None,
        }
    }

    /// The photo's words say it is clinical: its text (in the picture, its metadata or
    /// its file name) reads clinical, or its caption is about a case. Colours alone do
    /// not count. The one-month hold (`time.recent-case`) applies to such photos, and
    /// the pipeline notes when one has no capture time to judge it by.
    pub fn says_clinical(&self) -> bool {
        self.text.is_some_and(TextEvidence::mentions_clinical)
            || self.post.is_some_and(post::Post::is_about_a_case)
    }
}

/// Text read across line breaks or OCR passes, as one line with single spaces (for cue
/// words and headers quoted in a summary).
pub fn single_spaced(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A detector.
pub trait Rule: Sync {
    fn doc(&self) -> &RuleDoc;
    fn check(&self, evidence: &Evidence<'_>, out: &mut Vec<Detection>);
}

/// A rule that is its documentation and one check function: every rule but the text
/// patterns (`text::TextRule`, one check shared by ten patterns). Each is a `static`
/// written beside its check function, and the lists below name the statics.
pub struct FnRule {
    pub doc: RuleDoc,
    pub check: fn(&Evidence<'_>, &mut Vec<Detection>),
}

impl Rule for FnRule {
    fn doc(&self) -> &RuleDoc {
        &self.doc
    }
    fn check(&self, evidence: &Evidence<'_>, out: &mut Vec<Detection>) {
        (self.check)(evidence, out)
    }
}

/// Every rule, in documentation order.
pub static RULES: &[&dyn Rule] = &[
    &meta::GPS,
    &meta::DATE_TIME,
    &meta::DEVICE,
    &meta::SERIAL,
    &meta::OWNER,
    &meta::THUMBNAIL,
    &meta::XMP,
    &meta::IPTC,
    &meta::COMMENT,
    &meta::TEXT_CHUNK,
    &meta::TRAILER,
    &meta::OTHER,
    &meta::ICC,
    &meta::CONTAINER,
    &meta::TRANSPARENCY,
    &meta::FRAMES,
    &text::TEXT_RULES[0],
    &text::TEXT_RULES[1],
    &text::TEXT_RULES[2],
    &text::TEXT_RULES[3],
    &text::TEXT_RULES[4],
    &text::TEXT_RULES[5],
    &text::TEXT_RULES[6],
    &text::TEXT_RULES[7],
    &text::TEXT_RULES[8],
    &text::TEXT_RULES[9],
    &text::BARCODE_PAYLOAD,
    &scene::OPERATING_ROOM,
    &scene::BLOOD,
    &scene::RADIOGRAPH,
    &scene::MICROSCOPY,
    &scene::MONITOR,
    &scene::PATIENT_AREA,
    &scene::FACE,
    &post::CAPTION_AGE,
    &post::CAPTION_TIMING,
    &post::CAPTION_TROPHY,
    &post::CAPTION_IDENTIFIER,
    &post::HANDLE_BRAND,
    &time::RECENT_CASE,
    &document::BRAND_TEXT,
    &document::INSTITUTIONAL_DOCUMENT,
    &document::MEDICAL_RECORD,
];

/// The rules a failed analysis produces (fail closed). They are raised by the pipeline,
/// not by a check, but profiles cite them like any other rule.
pub static ERROR_RULES: &[RuleDoc] = &[
    error_doc("error.intake", "The file could not be read, or is not a photo medscrub can analyse."),
    error_doc(
        "error.limits",
        "The file is over a resource limit (size, pixels, allocation): possibly a decompression bomb.",
    ),
    error_doc("error.decode", "The pixels could not be decoded: truncated or corrupt."),
    error_doc(
        "error.metadata",
        "The container structure is corrupt, so its metadata cannot be trusted or removed.",
    ),
    error_doc("error.text", "Text in the photo could not be read (the OCR engine is missing or failed)."),
    error_doc("error.action", "The share-safe copy could not be written or did not verify."),
    error_doc("error.internal", "medscrub itself failed on this photo (a bug); the rest of the run went on."),
    error_doc(
        "error.consent",
        "A consent entry names this photo but does not hold: expired, not yet signed, or for another platform.",
    ),
];

const fn error_doc(id: &'static str, summary: &'static str) -> RuleDoc {
    RuleDoc {
        id,
        source: Source::Error,
        default_remedy: Verdict::Block,
        summary,
        explain: "A photo that could not be fully analysed is never `share`: nobody has checked what it \
                  holds. It is blocked, the report says why and names the file, and `clean` writes nothing \
                  for it. The rest of the run is unaffected.",
    }
}

/// Every rule's documentation, detectors first, then the error rules.
pub fn docs() -> impl Iterator<Item = &'static RuleDoc> {
    RULES.iter().map(|r| r.doc()).chain(ERROR_RULES.iter())
}

/// Looks up a rule's documentation by id.
pub fn doc(id: &str) -> Option<&'static RuleDoc> {
    docs().find(|d| d.id == id)
}

/// Runs every rule over the evidence.
pub fn run(evidence: &Evidence<'_>) -> Vec<Detection> {
    let mut out = Vec::new();
    for rule in RULES {
        rule.check(evidence, &mut out);
    }
    merge(out)
}

/// OCR reads the same words in several passes (straight, tilted, tiles). One identifier
/// found twice is one finding: detections of the same rule whose boxes overlap merge
/// into one with the union box (covering more, never less), and identical findings
/// without a box collapse.
pub fn merge(detections: Vec<Detection>) -> Vec<Detection> {
    let mut out: Vec<Detection> = Vec::with_capacity(detections.len());
    for d in detections {
        let same = out.iter_mut().find(|o| {
            o.rule == d.rule
                && match (o.bbox, d.bbox) {
                    (Some(a), Some(b)) => a.shares_a_third(&b),
                    (None, None) => o.summary == d.summary,
                    _ => false,
                }
        });
        match same {
            Some(o) => {
                if let (Some(a), Some(b)) = (o.bbox, d.bbox) {
                    o.bbox = Some(a.union(b));
                }
                o.confidence = o.confidence.max(d.confidence);
            }
            None => out.push(d),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_well_formed() {
        let ids: Vec<&str> = docs().map(|d| d.id).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), ids.len(), "duplicate rule id");
        for id in ids {
            let (group, name) = id.split_once('.').expect(id);
            assert!(group.chars().all(|c| c.is_ascii_lowercase()), "{id}");
            assert!(
                !name.is_empty()
                    && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{id}"
            );
        }
    }

    #[test]
    fn overlapping_detections_of_one_rule_merge() {
        let d = |rule: &'static str, x: u32| Detection {
            rule,
            source: Source::Ocr,
            found_in: "OCR".into(),
            summary: "s".into(),
            details: vec![],
            bbox: Some(Rect { x, y: 0, width: 100, height: 20 }),
            confidence: 0.5,
            identifier: None,
        };
        let merged = merge(vec![d("text.mrn", 0), d("text.mrn", 40), d("text.name", 40), d("text.mrn", 500)]);
        assert_eq!(merged.len(), 3);
        assert_eq!(merged[0].bbox.unwrap().width, 140);
    }

    #[test]
    fn every_rule_is_explained() {
        for d in docs() {
            assert!(d.summary.len() > 20, "{}", d.id);
            assert!(d.explain.len() > 80, "{}", d.id);
        }
    }
}
