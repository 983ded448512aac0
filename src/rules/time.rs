//! `time.recent-case`: Michigan Medicine asks that no case be posted within a month of
//! its completion without consent. The capture time is read from the metadata before
//! `clean` strips it, so the hold is judged on the original.

use super::{Detection, Evidence, FnRule, RuleDoc};
use crate::dates::{date_of, days_from_date};
use crate::report::Source;
use crate::verdict::Verdict;

/// Days a clinical photo is held after it was taken.
pub const HOLD_DAYS: i64 = 30;

/// `time.recent-case`.
pub static RECENT_CASE: FnRule = FnRule {
    doc: RuleDoc {
        id: "time.recent-case",
        source: Source::Time,
        default_remedy: Verdict::Block,
        summary: "A clinical photo taken less than a month ago",
        explain: "## What it finds\nA photo whose text shows a clinical setting (ward vocabulary, MRN labels, \
                  vitals, or a caption about a case) and whose capture time, read from its metadata before \
                  anything is stripped, is less than 30 days before today.\n\n## Why it matters\nMichigan \
                  Medicine: without the patient's consent, no case may be posted within a month of its \
                  completion; the date alone lets colleagues and family recognise the patient.\n\n## How it \
                  decides\nThe capture time (EXIF DateTimeOriginal, then XMP, then IPTC) is compared with \
                  today's date; the finding says from which day the photo may be posted. Consent lifts it.\n\n\
                  ## Where it fails\nA photo without any capture time cannot be held: the report says so in a \
                  note (a cleaned copy never has one, so a rescan of it cannot apply the hold). Clinical \
                  scenes without readable text are not recognised as clinical.",
    },
    check: check_recent_case,
};

fn check_recent_case(ev: &Evidence<'_>, out: &mut Vec<Detection>) {
    let Some(today) = ev.today else { return };
    if !ev.says_clinical() {
        return;
    }
    let Some(taken) = ev.facts.capture_time() else { return };
    let Some(day) = days_from_date(&taken.value) else { return };
    let age = today - day;
    if (0..HOLD_DAYS).contains(&age) {
        out.push(Detection {
            rule: RECENT_CASE.doc.id,
            source: Source::Time,
            found_in: taken.source.clone(),
            summary: format!(
                "taken {} ({age} day{} ago), a clinical photo: hold it until {} or post it only with consent",
                date_of(day),
                if age == 1 { "" } else { "s" },
                date_of(day + HOLD_DAYS)
            ),
            details: vec![],
            bbox: None,
            confidence: 1.0,
            identifier: None,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::{ExifTag, MetaFacts};
    use crate::recognize::TextEvidence;
    use crate::rules::Rule;
    use crate::rules::post::Post;

    fn facts_taken(when: &str) -> MetaFacts {
        MetaFacts {
            exif: vec![ExifTag {
                ifd: "ExifIFD",
                number: 0x9003,
                name: "DateTimeOriginal".into(),
                value: when.into(),
            }],
            ..MetaFacts::default()
        }
    }

    fn check(facts: &MetaFacts, clinical: bool, caption: Option<&str>, today: &str) -> Vec<Detection> {
        let text = TextEvidence { documents: vec![], clinical };
        let post = Post { caption: caption.map(String::from), handle: None };
        let ev = Evidence {
            text: Some(&text),
            post: Some(&post),
            today: days_from_date(today),
            ..Evidence::of(facts)
        };
        let mut out = Vec::new();
        RECENT_CASE.check(&ev, &mut out);
        out
    }

    #[test]
    fn a_clinical_photo_from_last_week_is_held_with_its_release_date() {
        let facts = facts_taken("2026:11:20 08:15:00");
        let found = check(&facts, true, None, "2026-11-25");
        assert_eq!(found.len(), 1);
        assert!(found[0].summary.contains("2026-11-20 (5 days ago)"), "{}", found[0].summary);
        assert!(found[0].summary.contains("until 2026-12-20"), "{}", found[0].summary);
        // A caption about a case makes it clinical too.
        assert_eq!(check(&facts, false, Some("Yesterday's case in the OR"), "2026-11-25").len(), 1);
    }

    #[test]
    fn near_misses_are_not_held() {
        let recent = facts_taken("2026:11:20 08:15:00");
        assert!(check(&recent, false, None, "2026-11-25").is_empty(), "not clinical");
        assert!(check(&recent, false, Some("Sunset over the lake"), "2026-11-25").is_empty());
        let old = facts_taken("2026:10:20 08:15:00");
        assert!(check(&old, true, None, "2026-11-25").is_empty(), "36 days old");
        assert!(check(&MetaFacts::default(), true, None, "2026-11-25").is_empty(), "no capture time");
        let future = facts_taken("2027:01:01 00:00:00");
        assert!(
            check(&future, true, None, "2026-11-25").is_empty(),
            "a camera clock in the future is not a case date"
        );
    }
}
