//! Text rules: identifiers in the words of the photo, in barcode payloads, in metadata
//! strings and in the file name. Each rule is one pattern family from
//! `recognize::patterns`; a match keeps the box of the words it covers, so `clean` can
//! cover it. Found text is masked in reports unless `--show-text`.
//!
//! Evidence, not noise: outside a clinical context (no clinical word read with
//! confidence) an OCR match counts only when its words were read with confidence too.
//! In a clinical context every match counts, whatever its confidence, and is covered.

use super::{Detection, Evidence, FnRule, Rule, RuleDoc};
use crate::recognize::patterns::{self, Match};
use crate::report::{Source, mask};
use crate::verdict::Verdict;

/// OCR confidence below which a match is called out as uncertain (and covered anyway).
pub const LOW_CONFIDENCE: f32 = 60.0;

/// A text rule: documentation plus the pattern family it runs.
pub struct TextRule {
    doc: RuleDoc,
    /// Finds the matches in a document's text, given the same text with its words read
    /// under `CONTEXT_CONFIDENCE` blanked (for the cues that loosen a pattern) and
    /// whether the photo's text is clinical.
    find: fn(&str, &str, bool) -> Vec<Match>,
    /// What one match is called in a summary: `MRN`, `name`.
    noun: &'static str,
}

const fn text_doc(id: &'static str, summary: &'static str, explain: &'static str) -> RuleDoc {
    RuleDoc { id, source: Source::Ocr, default_remedy: Verdict::Redact, summary, explain }
}

impl Rule for TextRule {
    fn doc(&self) -> &RuleDoc {
        &self.doc
    }
    fn check(&self, ev: &Evidence<'_>, out: &mut Vec<Detection>) {
        let Some(text) = ev.text else { return };
        for doc in &text.documents {
            // Outside a clinical context, OCR matches count only when read with
            // confidence: an isolated fragment read off fur, grass or waves is noise, not
            // evidence. In a clinical context every match counts, and is covered.
            let confident = if doc.source == Source::Ocr && !text.clinical {
                Some((self.find)(&doc.confident, &doc.confident, false))
            } else {
                None
            };
            for m in (self.find)(&doc.text, &doc.confident, text.clinical) {
                if let Some(sure) = &confident
                    && !sure.iter().any(|s| s.range.start < m.range.end && m.range.start < s.range.end)
                {
                    continue;
                }
                let (bbox, confidence) = doc.locate(&m.range);
                let shown = mask::maybe(&m.value, ev.show_text);
                let mut summary = format!("{} {shown} ({}, {})", self.noun, doc.found_in, m.why);
                if doc.source == Source::Ocr && confidence < LOW_CONFIDENCE {
                    summary.push_str("; low OCR confidence, covered to be safe");
                }
                out.push(Detection {
                    rule: self.doc.id,
                    source: doc.source,
                    found_in: doc.found_in.clone(),
                    summary,
                    details: vec![],
                    bbox,
                    confidence: confidence / 100.0,
                    identifier: Some(super::identifier_key(&m.value)),
                });
            }
        }
    }
}

/// Every text rule, in documentation order.
pub static TEXT_RULES: [TextRule; 10] = [
    TextRule {
        doc: text_doc(
            "text.mrn",
            "Medical record, patient, account, encounter and NHS numbers",
            "## What it finds\nNumbers after MRN, MR#, Med Rec No, Patient ID, Acct, FIN, CSN, Encounter, Hosp No or \
             NHS No labels (also when the label and the value are on different lines), NHS numbers with a valid \
             check digit, and unlabelled 7–10 digit runs when the photo's text is clinical. OCR confusions (O/0, \
             I/l/1, S/5, B/8) are read as digits.\n\n## Why it matters\nA record number identifies the patient \
             outright.\n\n## Where it fails\nNumbers OCR cannot read at all; unlabelled numbers outside a clinical \
             context.",
        ),
        find: |t, _, c| patterns::find_mrn(t, c),
        noun: "MRN",
    },
    TextRule {
        doc: text_doc(
            "text.name",
            "Patient names: labelled, LAST, FIRST, or First Last in a clinical context",
            "## What it finds\nNames after Name:/Patient:/Pt: labels, \"LAST, FIRST\" pairs (and DICOM's \
             LAST^FIRST, with ^ misread as * or \"), and \"First Last\" pairs standing on their own line (at most three other words beside them: a \
             board, a banner, a sign, not prose) in a clinical context or beside a room or bed number (a door \
             sign); every form on one line, never joined across a line break; each checked against US census first-name and surname lists \
             (models/names), so that menus and headings do not fire.\n\n## Why it matters\nA name on a wristband, \
             a board or a label identifies the patient.\n\n## Where it fails\nNames outside the census lists; \
             single names without a label.",
        ),
        find: patterns::find_name_in,
        noun: "name",
    },
    TextRule {
        doc: text_doc(
            "text.dob",
            "Dates of birth (a date after DOB, D.O.B., Date of Birth, Born)",
            "## What it finds\nA date in any common form after a date-of-birth label.\n\n## Why it matters\nA date of \
             birth with almost anything else identifies a patient.",
        ),
        find: |t, _, _| patterns::find_dob(t),
        noun: "date of birth",
    },
    TextRule {
        doc: text_doc(
            "text.date",
            "Other full dates in a clinical context (admission, procedure, study dates)",
            "## What it finds\nFull dates when the photo's text is clinical.\n\n## Why it matters\nA case date \
             reveals the timing of the case, which Michigan Medicine forbids, and narrows down the patient.",
        ),
        find: |t, _, c| patterns::find_date(t, c),
        noun: "date",
    },
    TextRule {
        doc: text_doc(
            "text.age",
            "Ages: 67 yo, 67 y/o, 67-year-old, Age: 67, and 67 F in a clinical context",
            "## What it finds\nAges in the forms clinicians write them, each on one line: digits and an age word \
             read across a line break (\"2\\nyr\" off fur or grass) are not an age.\n\n## Why it matters\n\
             Michigan Medicine: the age of the patient should not be included.\n\n## Where it fails\nAn age \
             whose number and label are on different lines of a form is missed.",
        ),
        find: |t, _, c| patterns::find_age(t, c),
        noun: "age",
    },
    TextRule {
        doc: text_doc(
            "text.phone",
            "Phone numbers, when labelled or in a clinical context",
            "## What it finds\nNorth American and UK phone numbers after a Tel/Phone label, or anywhere in clinical \
             text.\n\n## Why it matters\nA patient's or relative's phone number identifies them.",
        ),
        find: |t, _, c| patterns::find_phone(t, c),
        noun: "phone",
    },
    TextRule {
        doc: text_doc(
            "text.ssn",
            "US social security numbers",
            "## What it finds\nNNN-NN-NNNN with a valid area, or digits after an SSN label.\n\n## Why it matters\nAn \
             SSN identifies a person uniquely.",
        ),
        find: |t, _, _| patterns::find_ssn(t),
        noun: "SSN",
    },
    TextRule {
        doc: text_doc(
            "text.email",
            "E-mail addresses in a clinical context",
            "## What it finds\nE-mail addresses when the photo's text is clinical.\n\n## Why it matters\nAn e-mail \
             address identifies its owner.",
        ),
        find: |t, _, c| patterns::find_email(t, c),
        noun: "e-mail",
    },
    TextRule {
        doc: text_doc(
            "text.room-bed",
            "Room and bed numbers (Bed 4 anywhere; Room 412 in a clinical context or on a door sign)",
            "## What it finds\nBed and bay numbers, and room numbers when the text is clinical or names a \
             person (a door sign: Room 412 over a full name).\n\n## Why it matters\nA room and bed on a given \
             day identify the patient in it.",
        ),
        find: patterns::find_room_bed_in,
        noun: "room/bed",
    },
    TextRule {
        doc: text_doc(
            "text.accession",
            "Accession, specimen, lab and order numbers",
            "## What it finds\nAlphanumeric identifiers after Acc#, Accession, Specimen ID, Lab No or (in a clinical \
             context: every receipt has one) Order # labels.\n\n## Why it matters\nAn accession number leads straight to the patient's record.",
        ),
        find: |t, _, c| patterns::find_accession(t, c),
        noun: "accession",
    },
];

/// `barcode.payload`: a barcode on a clinical object is covered even when its payload
/// means nothing to us: wristband and specimen codes encode the MRN or an accession
/// number in formats only the hospital's system can read.
pub static BARCODE_PAYLOAD: FnRule = FnRule {
    doc: RuleDoc {
        id: "barcode.payload",
        source: Source::Barcode,
        default_remedy: Verdict::Redact,
        summary: "Barcodes and QR codes on clinical objects (wristbands, specimen labels, chart stickers)",
        explain: "## What it finds\nQR, Code 128, Code 39, Data Matrix and PDF417 codes decoded with rxing. Their payload also \
                  goes through every text rule (an MRN in a code is an MRN). A code fires this rule when the photo's \
                  text is clinical, or when its payload matches a text rule.\n\n## Why it matters\nWristbands and \
                  specimen labels encode the MRN; anyone with a phone can read it back.\n\n## Where it fails\nCodes too \
                  small, blurred or tilted for rxing to decode are not found (their text labels usually are).",
    },
    check: check_barcode_payload,
};

fn check_barcode_payload(ev: &Evidence<'_>, out: &mut Vec<Detection>) {
    let Some(text) = ev.text else { return };
    for doc in text.documents.iter().filter(|d| d.source == Source::Barcode) {
        // The first identifier in the payload: the number a label beside the code
        // shows too, reported with it.
        let found =
            TEXT_RULES.iter().find_map(|r| (r.find)(&doc.text, &doc.confident, true).into_iter().next());
        let identifying = found.is_some();
        let key = found.map(|m| super::identifier_key(&m.value));
        if !(text.clinical || identifying) {
            continue;
        }
        let bbox = doc.words.first().and_then(|w| w.1);
        let why = if identifying { "payload is an identifier" } else { "on a clinical object" };
        let summary = format!("{} \"{}\" ({why})", doc.found_in, mask::maybe(&doc.text, ev.show_text));
        out.push(Detection {
            rule: BARCODE_PAYLOAD.doc.id,
            source: Source::Barcode,
            found_in: doc.found_in.clone(),
            summary,
            details: vec![],
            bbox,
            confidence: 1.0,
            identifier: key,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::Rect;
    use crate::metadata::MetaFacts;
    use crate::ocr::{Line, Word};
    use crate::recognize::{Document, TextEvidence};

    fn line(words: &[(&str, f32)]) -> Line {
        Line {
            words: words
                .iter()
                .enumerate()
                .map(|(i, (t, confidence))| Word {
                    text: t.to_string(),
                    bbox: Rect { x: i as u32 * 80, y: 10, width: 70, height: 20 },
                    confidence: *confidence,
                })
                .collect(),
        }
    }

    fn findings(lines: &[Line]) -> Vec<&'static str> {
        let facts = MetaFacts::default();
        let text = TextEvidence::new(vec![Document::from_ocr(lines)]);
        let ev = Evidence { text: Some(&text), ..Evidence::of(&facts) };
        let mut out = Vec::new();
        for rule in &TEXT_RULES {
            rule.check(&ev, &mut out);
        }
        out.iter().map(|d| d.rule).collect()
    }

    #[test]
    fn a_low_confidence_fragment_without_clinical_words_is_not_evidence() {
        // "MRN 12345678" read off a texture: every word under the context confidence.
        assert!(findings(&[line(&[("MRN", 20.0), ("12345678", 25.0)])]).is_empty());
        // Read clearly, the same words are a labelled MRN.
        assert_eq!(findings(&[line(&[("MRN", 90.0), ("12345678", 85.0)])]), vec!["text.mrn"]);
    }

    #[test]
    fn in_a_clinical_context_a_low_confidence_match_is_covered() {
        // A clear vitals label makes the photo clinical; the blurred MRN beside it
        // counts, fail safe.
        let lines = [line(&[("SpO2", 92.0), ("98", 90.0)]), line(&[("MRN", 30.0), ("12345678", 20.0)])];
        assert_eq!(findings(&lines), vec!["text.mrn"]);
    }
}
