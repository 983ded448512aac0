//! Rules: each one a small unit that reads evidence and reports what it finds.
//!
//! A rule has a stable id, a one-line summary, an explanation, the remedy it asks for
//! by default, and a `check`. Which remedy applies and which policy clauses make a
//! finding a problem is not the rule's business: that is data, in the policy profiles.
//! Rules never write files and never pick the final verdict.

pub mod meta;

use crate::decode::ThumbnailMatch;
use crate::metadata::MetaFacts;
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
    /// One line, identifiers masked unless the user asked to see them.
    pub summary: String,
    pub details: Vec<String>,
    pub confidence: f32,
}

/// What the rules get to look at.
#[derive(Debug, Clone, Copy)]
pub struct Evidence<'a> {
    pub facts: &'a MetaFacts,
    /// For each of `facts.thumbnails`, how it compares with the photo (`None` when it
    /// could not be compared, e.g. the photo was not decoded).
    pub thumbnails: &'a [Option<ThumbnailMatch>],
    /// Show found text unmasked.
    pub show_text: bool,
}

/// A detector.
pub trait Rule: Sync {
    fn doc(&self) -> &'static RuleDoc;
    fn check(&self, evidence: &Evidence<'_>, out: &mut Vec<Detection>);
}

/// Every rule, in documentation order.
pub static RULES: &[&dyn Rule] = &[
    &meta::Gps,
    &meta::DateTime,
    &meta::Device,
    &meta::Serial,
    &meta::Owner,
    &meta::Thumbnail,
    &meta::Xmp,
    &meta::Iptc,
    &meta::Comment,
    &meta::TextChunk,
    &meta::Trailer,
    &meta::Other,
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
    error_doc("error.action", "The share-safe copy could not be written or did not verify."),
    error_doc("error.internal", "medscrub itself failed on this photo (a bug); the rest of the run went on."),
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
    fn every_rule_is_explained() {
        for d in docs() {
            assert!(d.summary.len() > 20, "{}", d.id);
            assert!(d.explain.len() > 80, "{}", d.id);
        }
    }
}
