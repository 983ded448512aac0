//! Institutional rules: an institution's name or mark read in the picture
//! (`brand.logo-text`), a photographed institutional document (`doc.institutional`),
//! and a photographed medical record (`doc.medical-record`).
//!
//! Which marks count is data: each policy profile lists its institution's names and
//! marks (`marks = [...]` in its TOML), `strictest` all of them, and the pipeline hands
//! the profile's marks to the rules as [`Evidence::marks`]. Both rules read only the
//! words OCR found in the picture: a name in the metadata is removed by `strip` anyway.

use super::{Detection, Evidence, FnRule, RuleDoc};
use crate::error::ConfigError;
use crate::recognize::Document;
use crate::report::Source;
use crate::verdict::Verdict;
use regex::Regex;

/// One institution's name or mark, as OCR would read it.
#[derive(Debug, Clone)]
pub struct Mark {
    /// The institution's display name (`Wayne State University School of Medicine, GME`).
    pub institution: String,
    /// The mark as the profile spells it (`Wayne State University`, `WSU`).
    pub text: String,
    pattern: Regex,
}

impl Mark {
    /// A mark of `institution`. Short all-capital marks (`WSU`, `UMN`) match only as that
    /// capitalised word, because lower-case `wsu` or `umn` inside other words and OCR noise
    /// would otherwise fire; longer marks match in any case, with any whitespace (line
    /// breaks included) between their words.
    pub fn new(institution: &str, text: &str) -> Result<Mark, ConfigError> {
        let words: Vec<&str> = text.split_whitespace().collect();
        if words.is_empty() {
            return Err(ConfigError::EmptyMark.within(institution));
        }
        let body = words.iter().map(|w| regex::escape(w)).collect::<Vec<_>>().join(r"\s+");
        let acronym = words.len() == 1
            && text.len() <= 5
            && text.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
        let pattern = if acronym { format!(r"\b{body}\b") } else { format!(r"(?i)\b{body}\b") };
        let pattern = Regex::new(&pattern).map_err(|e| {
            ConfigError::BadMark { text: text.to_string(), reason: e.to_string() }.within(institution)
        })?;
        Ok(Mark { institution: institution.to_string(), text: text.to_string(), pattern })
    }

    /// Byte ranges of the mark in `text`.
    pub fn occurrences<'t>(&'t self, text: &'t str) -> impl Iterator<Item = std::ops::Range<usize>> + 't {
        self.pattern.find_iter(text).map(|m| m.range())
    }
}

/// What makes a page a medical record, by kind. Each is matched in the words OCR read
/// with confidence, so noise read off a texture cannot assemble a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum RecordCue {
    /// A field of the patient's identity: "Patient Name", "DOB", "MRN", "Hospital No".
    PatientField,
    /// What kind of record it says it is: "Discharge Summary", "Laboratory Report".
    Kind,
    /// Lab results: "Reference Range", units such as mmol/L, analytes.
    LabResult,
    /// Prescribing: "Rx", "Sig", "Dispense", "Refills", dose schedules.
    Prescribing,
}

regex!(
    patient_field,
    r"(?i)\b(?:patient(?:'s)?\s*(?:name|id|no\.?|number|details)|name\s+of\s+(?:the\s+)?patient|date\s+of\s+birth|D\.?O\.?B\b|MRN|M\.R\.N|medical\s+record\s+(?:no|number|#)|hospital\s+(?:no|number)|NHS\s+(?:no|number)|UHID|CR\s+no|IP\s+no|OP\s+no|admission\s+date|date\s+of\s+admission|discharge\s+date|date\s+of\s+discharge|age\s*/\s*sex|sex\s*/\s*age|referred\s+by|referring\s+(?:physician|doctor|clinician)|attending\s+(?:physician|doctor)|consultant\s*:|ward\s*:|bed\s+no)"
);
regex!(
    record_kind,
    r"(?i)\b(?:discharge\s+summary|lab(?:oratory)?\s+(?:report|results?|investigation)|pathology\s+report|radiology\s+report|histopathology|haematology|hematology|biochemistry|microbiology\s+report|medical\s+record|case\s+(?:sheet|notes)|clinical\s+notes|progress\s+notes?|operative\s+(?:note|report)|history\s+of\s+present(?:ing)?\s+illness|presenting\s+complaint|chief\s+complaint|final\s+diagnosis|provisional\s+diagnosis|diagnosis\s*:|prescription|medications?\s+on\s+discharge|discharge\s+medications?)"
);
regex!(
    lab_result,
    r"(?i)(?:\b(?:reference\s+(?:range|interval|values?)|ref\.?\s+range|normal\s+range|biological\s+ref|specimen|sample\s+(?:type|collected)|collected\s+(?:on|at|date)|reported\s+(?:on|at|date)|haemoglobin|hemoglobin|creatinine|platelets?|HbA1c|bilirubin|potassium|sodium|cholesterol|triglycerides|TSH|WBC|RBC|MCV|MCHC|ESR|INR|urea)\b|\b(?:mg|g|mmol|µmol|umol|mEq|ng|pg|IU|U)\s*/\s*(?:dl|l|ml)\b|x\s*10\^?\s*(?:9|12|3)\s*/\s*[lµu])"
);
regex!(
    prescribing,
    r"(?i)\b(?:Rx|sig\s*:|dispense|refills?|prescriber|prescribed\s+by|tab(?:let)?s?\s+\d|\d+\s*(?:mg|mcg)\s+(?:tab(?:let)?s?|cap(?:sule)?s?)|(?:once|twice|three\s+times|four\s+times)\s+(?:a\s+)?daily|every\s+\d+\s+hours|(?:OD|BD|BID|TID|TDS|QID|QDS|PRN)\s*(?:x\s*\d|for|$))"
);

/// The distinct record cues in `text`, each with its kind, lower-cased and on one line.
fn record_cues(text: &str) -> Vec<(RecordCue, String)> {
    let kinds: [(RecordCue, &Regex); 4] = [
        (RecordCue::PatientField, patient_field()),
        (RecordCue::Kind, record_kind()),
        (RecordCue::LabResult, lab_result()),
        (RecordCue::Prescribing, prescribing()),
    ];
    let mut cues: Vec<(RecordCue, String)> = kinds
        .iter()
        .flat_map(|(kind, re)| {
            re.find_iter(text).map(|m| (*kind, super::single_spaced(m.as_str()).to_lowercase()))
        })
        .collect();
    cues.sort();
    cues.dedup();
    cues
}

/// Whether these cues make a page a record: three different phrases, of two kinds or
/// more, one of them naming a patient field or the kind of record (a nutrition label's
/// "mg/dl" and "sodium" are lab words, but no patient's).
fn is_record(cues: &[(RecordCue, String)]) -> bool {
    let mut kinds: Vec<RecordCue> = cues.iter().map(|(k, _)| *k).collect();
    kinds.dedup();
    cues.len() >= 3
        && kinds.len() >= 2
        && kinds.iter().any(|k| matches!(k, RecordCue::PatientField | RecordCue::Kind))
}

regex!(
    document_kind,
    r"(?im)\b(?:hand-?outs?|course\s+(?:guide|handbook|notes)|student\s+handbook|log\s?book|minutes\s+of\s+(?:the\s+)?\w+|meeting\s+minutes|^\s*minutes\b|syllabus|standard\s+operating\s+procedure|policy\s+and\s+procedure)"
);
regex!(
    document_marking,
    r"(?i)\b(?:confidential|internal\s+use\s+only|for\s+internal\s+use|do\s+not\s+(?:distribute|circulate|copy)|not\s+for\s+(?:distribution|circulation)|proprietary)\b"
);
regex!(
    institutional_header,
    r"(?i)\b(?:university|school\s+of\s+medicine|medical\s+school|hospitals?|NHS\s+(?:foundation\s+)?trust|faculty\s+of|department\s+of|college\s+of\s+medicine)\b"
);

/// Words read on a page before it counts as a document by density alone.
pub const DENSE_PAGE_WORDS: usize = 40;

/// The OCR documents of the picture (one per OCR pass).
fn ocr_documents<'e>(ev: &Evidence<'e>) -> impl Iterator<Item = &'e Document> {
    ev.text.into_iter().flat_map(|t| t.documents.iter()).filter(|d| d.source == Source::Ocr)
}

/// Words OCR is sure of: confident, with at least three letters or digits (texture and
/// noise read as text are mostly short fragments).
fn solid_words(doc: &Document) -> usize {
    doc.words
        .iter()
        .filter(|(range, _, confidence)| {
            *confidence >= 50.0
                && doc.text[range.clone()].chars().filter(|c| c.is_alphanumeric()).count() >= 3
        })
        .count()
}

/// The header a generic institutional word starts, to the end of its line (at most 48
/// characters): "University of Minnesota", not "University".
fn header_line(text: &str, start: usize) -> String {
    let line = text[start..].lines().next().unwrap_or_default();
    line.chars().take(48).collect::<String>().trim().to_string()
}

/// `brand.logo-text`.
pub static BRAND_TEXT: FnRule = FnRule {
    doc: RuleDoc {
        id: "brand.logo-text",
        source: Source::Ocr,
        default_remedy: Verdict::Redact,
        summary: "An institution's name or mark read in the picture (a logo, a sign, a letterhead)",
        explain: "## What it finds\nThe names and marks of the profile's institution (`strictest`: of every \
                  profile's institution) read by OCR in the picture: Wayne State University, WSU, Michigan \
                  Medicine, University of Michigan, University of Minnesota, University of Nottingham, and the \
                  like, on signs, badges, letterheads, slides and lanyards.\n\n## Why it matters\nWayne State: \
                  residents must not imply they speak for the institution by using its logos or trademarks \
                  without written permission; Michigan Medicine: the university brand (logo) may not be used for \
                  personal representation; Minnesota: follow the University's branding policy.\n\n## How it \
                  decides\nEach mark is matched as whole words, in any case and across line breaks; short \
                  all-capital marks (WSU, UMN) only in capitals. The words are covered in the cleaned copy.\n\n\
                  ## Where it fails\nA graphic logo without words (the block M, a crest) is not recognised, and \
                  the graphic beside a covered name stays visible: look at the copy. Names the OCR misreads are \
                  missed; an institution's name in an innocent sentence (\"I studied at the University of \
                  Michigan\") is covered too.",
    },
    check: check_brand_text,
};

fn check_brand_text(ev: &Evidence<'_>, out: &mut Vec<Detection>) {
    for doc in ocr_documents(ev) {
        for mark in ev.marks {
            for range in mark.occurrences(&doc.text) {
                let (bbox, confidence) = doc.locate(&range);
                out.push(Detection {
                    rule: BRAND_TEXT.doc.id,
                    source: Source::Ocr,
                    found_in: doc.found_in.clone(),
                    summary: format!(
                        "\"{}\", a mark of {}, read in the picture: covered; a graphic logo beside it is \
                         not recognised, check the copy",
                        mark.text, mark.institution
                    ),
                    details: vec![],
                    bbox,
                    confidence: confidence / 100.0,
                    identifier: None,
                });
            }
        }
    }
}

/// `doc.institutional`.
pub static INSTITUTIONAL_DOCUMENT: FnRule = FnRule {
    doc: RuleDoc {
        id: "doc.institutional",
        source: Source::Ocr,
        default_remedy: Verdict::Block,
        summary: "A photographed institutional document: a handout, course guide, logbook, minutes, a confidential page",
        explain: "## What it finds\nA page of text photographed whole whose words say what it is: a handout, a \
                  course guide or handbook, a logbook, minutes of a meeting, a syllabus, a standard operating \
                  procedure, or a page marked confidential, internal use only, not for distribution or \
                  proprietary.\n\n## Why it matters\nNottingham: no university documents (handouts, course \
                  guides, logbooks, minutes of meetings) without permission; UMMS: no confidential or \
                  proprietary information; Wayne State: medical records and proprietary information are never \
                  to be posted.\n\n## How it decides\nOne of those words, and either a dense page (at least 40 \
                  words read) or an institutional header on it (one of the profile's marks, University, \
                  School of Medicine, Hospital, NHS Trust, Department of). A stamp alone, or \"10 minutes\" on a \
                  recipe, is not a document.\n\n## Where it fails\nDocuments that never say what they are are \
                  missed (a photographed page of an internal report without a marking); a public flyer that \
                  calls itself a handout is flagged. It blocks: a document cannot be made shareable by covering \
                  a few words.",
    },
    check: check_institutional_document,
};

fn check_institutional_document(ev: &Evidence<'_>, out: &mut Vec<Detection>) {
    let docs: Vec<&Document> = ocr_documents(ev).collect();
    let mut cues: Vec<String> = docs
        .iter()
        .flat_map(|d| document_kind().find_iter(&d.text).chain(document_marking().find_iter(&d.text)))
        .map(|m| super::single_spaced(m.as_str()).to_lowercase())
        .collect();
    cues.sort();
    cues.dedup();
    if cues.is_empty() {
        return;
    }
    // OCR passes read the same page several times: the densest pass is the page.
    let words = docs.iter().map(|d| solid_words(d)).max().unwrap_or(0);
    let header = docs.iter().find_map(|d| {
        ev.marks
            .iter()
            .find_map(|m| m.occurrences(&d.text).next().map(|r| d.text[r].to_string()))
            .or_else(|| institutional_header().find(&d.text).map(|m| header_line(&d.text, m.start())))
    });
    if words < DENSE_PAGE_WORDS && header.is_none() {
        return;
    }
    let why = match &header {
        Some(h) => format!("under the header \"{}\"", super::single_spaced(h)),
        None => format!("a page of {words} words"),
    };
    out.push(Detection {
        rule: INSTITUTIONAL_DOCUMENT.doc.id,
        source: Source::Ocr,
        found_in: "OCR".into(),
        summary: format!("a photographed institutional document ({}), {why}", cues.join(", ")),
        details: vec![],
        bbox: None,
        confidence: 0.8,
        identifier: None,
    });
}

/// `doc.medical-record`.
pub static MEDICAL_RECORD: FnRule = FnRule {
    doc: RuleDoc {
        id: "doc.medical-record",
        source: Source::Ocr,
        default_remedy: Verdict::Block,
        summary: "A photographed medical record: a lab report, a prescription, a discharge summary, a chart",
        explain: "## What it finds\nA page whose printed words make it a patient's record: a laboratory report \
                  (reference ranges, units, specimen collected and reported), a prescription (Rx, sig, dispense, \
                  refills, prescriber), a discharge summary, clinic letter or chart (patient name, date of birth, \
                  MRN or hospital number fields, admission and discharge dates, diagnosis).\n\n## Why it \
                  matters\nWayne State: medical records are never to be transmitted by social media; every \
                  profile: a record identifies its patient, by name and number, and by what it says.\n\n## How \
                  it decides\nThree different cue phrases read with confidence, from at least two of the four \
                  kinds (patient fields, the kind of record, lab results, prescribing), one of them a patient \
                  field or the kind of record. The cues are the page's printed headings, so a record is found \
                  even when its identifiers are handwritten or in a script the OCR cannot read, and its \
                  identifiers need not be read at all.\n\n## Where it fails\nA record photographed too small \
                  or blurred for its headings to be read is missed, as is one in a language other than English; a \
                  textbook page or a lecture slide about lab reports that reads like one is flagged. It blocks: \
                  covering a few words does not make a record shareable.",
    },
    check: check_medical_record,
};

fn check_medical_record(ev: &Evidence<'_>, out: &mut Vec<Detection>) {
    // Every OCR pass of the picture together: a page's header and its table may be
    // read as different groups of lines. Only words read with confidence count.
    let confident: String = ocr_documents(ev).map(|d| d.confident.as_str()).collect::<Vec<_>>().join("\n");
    let cues = record_cues(&confident);
    if !is_record(&cues) {
        return;
    }
    let shown: Vec<&str> = cues.iter().map(|(_, c)| c.as_str()).take(6).collect();
    out.push(Detection {
        rule: MEDICAL_RECORD.doc.id,
        source: Source::Ocr,
        found_in: "OCR".into(),
        summary: format!("a photographed medical record: {}", shown.join(", ")),
        details: vec![],
        bbox: None,
        confidence: 0.8,
        identifier: None,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::MetaFacts;
    use crate::recognize::TextEvidence;
    use crate::rules::Rule;

    fn marks() -> Vec<Mark> {
        [
            ("Wayne State", "Wayne State University"),
            ("Wayne State", "WSU"),
            ("Michigan Medicine", "Michigan Medicine"),
            ("Michigan Medicine", "University of Michigan"),
        ]
        .iter()
        .map(|(i, t)| Mark::new(i, t).unwrap())
        .collect()
    }

    fn run(rule: &dyn Rule, picture: &str, marks: &[Mark]) -> Vec<Detection> {
        let facts = MetaFacts::default();
        let text = TextEvidence::new(vec![Document::from_string(Source::Ocr, "OCR", picture)]);
        let ev = Evidence { text: Some(&text), marks, ..Evidence::of(&facts) };
        let mut out = Vec::new();
        rule.check(&ev, &mut out);
        out
    }

    #[test]
    fn marks_are_found_across_case_and_line_breaks() {
        let m = marks();
        for text in [
            "WAYNE STATE UNIVERSITY\nSchool of Medicine",
            "Welcome to Wayne State\nUniversity",
            "Department of Surgery, WSU",
            "michigan medicine",
            "The University of Michigan Health System",
        ] {
            assert_eq!(run(&BRAND_TEXT, text, &m).len(), 1, "{text}");
        }
    }

    #[test]
    fn near_misses_of_marks_do_not_fire() {
        let m = marks();
        for text in [
            "Wayne County Library",
            "State Street and Wayne Ave",
            "Lake Michigan beach",
            "Michigan Ave 600",
            "medicine cabinet",
            "wsu", // lower case: not the acronym
            "University of Minnesota",
            "WSUX results",
        ] {
            assert!(run(&BRAND_TEXT, text, &m).is_empty(), "{text}");
        }
        // No marks from the profile: nothing to look for.
        assert!(run(&BRAND_TEXT, "Wayne State University", &[]).is_empty());
    }

    #[test]
    fn the_brand_finding_has_the_box_of_the_words() {
        use crate::geometry::Rect;
        use crate::ocr::{Line, Word};
        let w = |t: &str, x: u32| Word {
            text: t.into(),
            bbox: Rect { x, y: 5, width: 50, height: 10 },
            confidence: 90.0,
        };
        let lines = vec![Line { words: vec![w("Michigan", 0), w("Medicine", 60), w("Lobby", 120)] }];
        let facts = MetaFacts::default();
        let text = TextEvidence::new(vec![Document::from_ocr(&lines)]);
        let m = marks();
        let ev = Evidence { text: Some(&text), marks: &m, ..Evidence::of(&facts) };
        let mut out = Vec::new();
        BRAND_TEXT.check(&ev, &mut out);
        assert_eq!(out[0].bbox, Some(Rect { x: 0, y: 5, width: 110, height: 10 }));
    }

    #[test]
    fn medical_records_are_found_by_their_printed_headings() {
        for page in [
            // A lab report, its patient's name handwritten and not read.
            "CITY GENERAL HOSPITAL\nLaboratory Report\nPatient Name: ~~~ Age/Sex: 54/F\n\
             Test Result Units Reference Range\nHaemoglobin 11.2 g/dL 12.0-15.5\nSodium 138 mmol/L 135-145",
            // A prescription.
            "Riverside Clinic\nPatient: ~~~ DOB: ~~~\nRx\nAmoxicillin 500 mg capsules\n\
             Sig: 1 cap three times daily\nDispense: 21 Refills: 0",
            // A discharge summary.
            "DISCHARGE SUMMARY\nMRN: ~~~\nAdmission Date: ~~~ Discharge Date: ~~~\n\
             Diagnosis: community acquired pneumonia\nMedications on discharge",
        ] {
            let found = run(&MEDICAL_RECORD, page, &[]);
            assert_eq!(found.len(), 1, "{page}");
            assert_eq!(found[0].rule, "doc.medical-record");
        }
    }

    #[test]
    fn near_misses_of_medical_records_do_not_fire() {
        for page in [
            // A nutrition label: lab words, no patient and no record kind.
            "Nutrition Facts\nSodium 140mg 6%\nCholesterol 0mg\nPotassium 200 mg/dL",
            // A receipt with a pharmacy's name.
            "WALGREENS PHARMACY\nTOTAL 12.99\nTHANK YOU",
            // A magazine page with one clinical word.
            "The diagnosis of a city: how traffic shapes the way we live, work and play in summer",
            // A poster: one patient field alone.
            "Blood drive Saturday! Bring your date of birth and a photo ID",
        ] {
            assert!(run(&MEDICAL_RECORD, page, &[]).is_empty(), "{page}");
        }
    }

    #[test]
    fn record_cues_count_only_words_read_with_confidence() {
        use crate::geometry::Rect;
        use crate::ocr::{Line, Word};
        let line = |words: &[&str], confidence: f32| Line {
            words: words
                .iter()
                .enumerate()
                .map(|(i, t)| Word {
                    text: t.to_string(),
                    bbox: Rect { x: i as u32 * 60, y: 5, width: 50, height: 10 },
                    confidence,
                })
                .collect(),
        };
        let read = |confidence: f32| {
            let lines = vec![
                line(&["Laboratory", "Report"], confidence),
                line(&["Patient", "Name:"], confidence),
                line(&["Reference", "Range"], confidence),
            ];
            let facts = MetaFacts::default();
            let text = TextEvidence::new(vec![Document::from_ocr(&lines)]);
            let ev = Evidence { text: Some(&text), ..Evidence::of(&facts) };
            let mut out = Vec::new();
            MEDICAL_RECORD.check(&ev, &mut out);
            out.len()
        };
        assert_eq!(read(85.0), 1);
        assert_eq!(read(20.0), 0, "the same words read off a texture");
    }

    const BODY: &str = "The block covers the physiology of the heart and the circulation with weekly \
                        readings and small group sessions on the wards where students present one case \
                        each week and write a short reflection on what they learned about history taking \
                        examination and the plan of care agreed with the team";

    #[test]
    fn documents_with_a_kind_and_a_header_or_a_dense_page_fire() {
        let m = marks();
        for text in [
            "Wayne State University\nCourse handout: cardiology".to_string(),
            "Minutes of the Curriculum Committee\nSchool of Medicine".to_string(),
            "CONFIDENTIAL - internal use only\nDepartment of Surgery".to_string(),
            format!("Clinical skills logbook\n{BODY}"),
            format!("Do not distribute\n{BODY}"),
        ] {
            assert_eq!(run(&INSTITUTIONAL_DOCUMENT, &text, &m).len(), 1, "{text}");
        }
    }

    #[test]
    fn pages_without_a_kind_and_kinds_without_a_page_do_not_fire() {
        let m = marks();
        for text in [
            BODY.to_string(),                                           // a book page
            "Bake at 350 F for 55 minutes\nCool for 10 minutes".into(), // a recipe
            "CONFIDENTIAL".into(),                                      // a stamp alone
            "Grab a handout at the door".into(),                        // a flyer line
            format!("University of Michigan\n{BODY}"),                  // a header, no kind
        ] {
            assert!(run(&INSTITUTIONAL_DOCUMENT, &text, &m).is_empty(), "{text}");
        }
    }

    #[test]
    fn short_marks_must_be_capitalised_words() {
        let m = Mark::new("Minnesota", "UMN").unwrap();
        assert_eq!(m.occurrences("UMN Medical School").count(), 1);
        assert_eq!(m.occurrences("umn medical").count(), 0);
        assert_eq!(m.occurrences("COLUMNS").count(), 0);
        assert!(Mark::new("x", "  ").is_err());
    }
}
