//! Recognizers: find identifiers in text, wherever the text came from.
//!
//! Text reaches the recognizers as [`Document`]s: every OCR line of a photo joined with
//! newlines (so a label and its value split across lines still match), each barcode
//! payload, each metadata string, the file name. Matches map back to the boxes of the
//! words they cover. The rules in `rules::text` decide what a match means.

pub mod lexicon;
pub mod patterns;

use crate::geometry::Rect;
use crate::ocr::Line;
use crate::report::Source;
use std::ops::Range;

/// One piece of text with the box of each word.
#[derive(Debug, Clone)]
pub struct Document {
    pub source: Source,
    /// Where it came from, for the report: `OCR`, `file name`, `EXIF ImageDescription`.
    pub found_in: String,
    pub text: String,
    /// Byte range of each word in `text`, its box (none for metadata) and confidence.
    pub words: Vec<(Range<usize>, Option<Rect>, f32)>,
    /// `text` with the words read under `CONTEXT_CONFIDENCE` blanked (same byte
    /// offsets): where the cues that loosen a pattern are looked for. Made once, here,
    /// for the clinical flag and every text rule.
    pub confident: String,
}

impl Document {
    /// All OCR lines of a photo as one document, one line per text line.
    pub fn from_ocr(lines: &[Line]) -> Document {
        let mut doc = Document {
            source: Source::Ocr,
            found_in: "OCR".into(),
            text: String::new(),
            words: vec![],
            confident: String::new(),
        };
        for line in lines {
            for (i, w) in line.words.iter().enumerate() {
                if i > 0 {
                    doc.text.push(' ');
                }
                let start = doc.text.len();
                // An underscore in OCR output is a stray stroke (an edge, a cursor), and
                // it is a word character to a pattern's `\b`: "_MRN" hid its label.
                // A space in its place keeps every byte offset.
                doc.text.extend(w.text.chars().map(|c| if c == '_' { ' ' } else { c }));
                doc.words.push((start..doc.text.len(), Some(w.bbox), w.confidence));
            }
            doc.text.push('\n');
        }
        doc.confident = doc.confident_text(CONTEXT_CONFIDENCE);
        doc
    }

    /// A decoded barcode: its payload is one word with the code's box.
    pub fn from_barcode(code: &crate::barcode::Barcode) -> Document {
        Document {
            source: Source::Barcode,
            found_in: format!("barcode {}", code.format),
            text: code.payload.clone(),
            words: vec![(0..code.payload.len(), Some(code.bbox), 100.0)],
            confident: code.payload.clone(),
        }
    }

    /// A string without boxes (metadata, file name, caption).
    pub fn from_string(source: Source, found_in: &str, text: &str) -> Document {
        // Read exactly: every word counts as confident.
        let mut doc = Document {
            source,
            found_in: found_in.into(),
            text: text.to_string(),
            words: vec![],
            confident: text.to_string(),
        };
        let mut start = None;
        for (i, c) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
            match (c.is_whitespace(), start) {
                (false, None) => start = Some(i),
                (true, Some(s)) => {
                    doc.words.push((s..i, None, 100.0));
                    start = None;
                }
                _ => {}
            }
        }
        doc
    }

    /// The text with every word read under `min_confidence` blanked out (same byte
    /// offsets): what OCR read with some certainty.
    pub fn confident_text(&self, min_confidence: f32) -> String {
        let mut text = self.text.clone().into_bytes();
        for (range, _, confidence) in &self.words {
            if *confidence < min_confidence {
                text[range.clone()].fill(b' ');
            }
        }
        // Blanking whole words (whole UTF-8 sequences) leaves valid UTF-8.
        String::from_utf8(text).expect("whole words blanked")
    }

    /// The union box of the words a byte range touches (none for text without boxes),
    /// and the lowest confidence among them.
    pub fn locate(&self, range: &Range<usize>) -> (Option<Rect>, f32) {
        let mut bbox: Option<Rect> = None;
        let mut confidence = 100.0f32;
        for (r, b, c) in &self.words {
            if r.start < range.end && range.start < r.end {
                confidence = confidence.min(*c);
                if let Some(b) = b {
                    bbox = Some(match bbox {
                        None => *b,
                        Some(a) => a.union(*b),
                    });
                }
            }
        }
        (bbox, confidence)
    }
}

/// What the rules get: every document, and whether the photo's text as a whole looks
/// clinical (labels like MRN, DOB, Bed, vitals, allergy bands). Ambiguous patterns — an
/// unlabelled number, a date, a "First Last" pair — count only in a clinical context.
#[derive(Debug, Clone, Default)]
pub struct TextEvidence {
    pub documents: Vec<Document>,
    pub clinical: bool,
}

impl TextEvidence {
    /// Clinical by any of its text, metadata strings and the file name included (the
    /// `clinical` flag itself counts OCR only, because it loosens the text patterns).
    /// OCR words count only when read with `CONTEXT_CONFIDENCE`, as for the flag: texture
    /// noise must not make a latte photo a clinical one (metadata strings and the file
    /// name are read exactly, at confidence 100).
    pub fn mentions_clinical(&self) -> bool {
        self.clinical || self.documents.iter().any(|d| patterns::clinical_context(&d.confident))
    }

    /// The clinical flag counts OCR words read with at least `CONTEXT_CONFIDENCE`: noise
    /// read off a texture ("RR MN rit Ae") must not loosen the patterns for the whole photo.
    pub fn new(documents: Vec<Document>) -> TextEvidence {
        let clinical =
            documents.iter().any(|d| d.source == Source::Ocr && patterns::clinical_context(&d.confident));
        TextEvidence { documents, clinical }
    }
}

/// Tesseract's confidence (0–100) a word needs to make a photo's text clinical.
pub const CONTEXT_CONFIDENCE: f32 = 40.0;

/// The `found_in` of the document made from the file name.
pub const FILE_NAME: &str = "file name";

/// Metadata strings people and apps write free text into, plus the file name: the
/// recognizers read them too (an MRN in a caption or a file name is still an MRN).
pub fn metadata_documents(facts: &crate::metadata::MetaFacts, file_name: &str) -> Vec<Document> {
    use crate::metadata::exif::{ExifClass, classify};
    let mut docs = Vec::new();
    let mut add = |found_in: String, text: &str| {
        if !text.trim().is_empty() {
            docs.push(Document::from_string(Source::Metadata, &found_in, text));
        }
    };
    for t in facts.exif.iter().filter(|t| classify(t) == ExifClass::Comment) {
        add(format!("EXIF {}", t.name), &t.value);
    }
    for c in &facts.comments {
        add(c.source.to_string(), &c.text);
    }
    for p in facts
        .xmp
        .iter()
        .filter(|p| matches!(p.name(), "dc:description" | "dc:title" | "dc:subject" | "exif:UserComment"))
    {
        add(format!("XMP {}", p.name()), &p.value);
    }
    for d in facts.iptc.iter().filter(|d| matches!(d.dataset, 5 | 25 | 40 | 105 | 120)) {
        add(format!("IPTC {}", d.name), &d.value);
    }
    for c in &facts.text_chunks {
        if let Some(t) = c.text.as_deref().filter(|_| c.keyword != "XML:com.adobe.xmp") {
            add(format!("PNG {} {}", c.kind, c.keyword), t);
        }
    }
    // A colour profile's name, copyright and device texts are free text like any other.
    for t in &facts.icc.texts {
        add(format!("ICC {}", t.tag), &t.text);
    }
    if let Some(name) = &facts.icc_name {
        add("PNG iCCP name".to_string(), name);
    }
    // File names use _ and - where people would write spaces.
    let spaced: String = file_name.chars().map(|c| if c == '_' || c == '-' { ' ' } else { c }).collect();
    add(FILE_NAME.to_string(), &spaced);
    docs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ocr::Word;

    fn word(t: &str, x: u32) -> Word {
        Word { text: t.into(), bbox: Rect { x, y: 10, width: 40, height: 12 }, confidence: 90.0 }
    }

    #[test]
    fn matches_map_back_to_word_boxes() {
        let lines = vec![
            Line { words: vec![word("MRN:", 0), word("12345678", 50)] },
            Line { words: vec![word("DOE", 0)] },
        ];
        let doc = Document::from_ocr(&lines);
        assert_eq!(doc.text, "MRN: 12345678\nDOE\n");
        let (b, c) = doc.locate(&(5..13));
        assert_eq!(b, Some(Rect { x: 50, y: 10, width: 40, height: 12 }));
        assert_eq!(c, 90.0);
        let (b, _) = doc.locate(&(0..13));
        assert_eq!(b.unwrap().width, 90);
    }

    #[test]
    fn a_stray_underscore_does_not_hide_a_label() {
        // A monitor's "MRN" read with the edge of its panel before it.
        let doc = Document::from_ocr(&[Line { words: vec![word("_MRN", 0), word("7376386", 50)] }]);
        assert_eq!(doc.text, " MRN 7376386\n");
        let found = patterns::find_mrn(&doc.text, false);
        assert_eq!(found.len(), 1, "labelled, outside a clinical context too");
        assert_eq!(doc.locate(&found[0].range).0.unwrap().x, 0, "the box takes in the label");
    }

    #[test]
    fn only_confident_words_make_the_text_clinical() {
        let read = |confidence: f32| {
            let noise = Word { confidence, ..word("RR", 0) };
            Document::from_ocr(&[Line { words: vec![noise, word("18", 50)] }])
        };
        assert!(TextEvidence::new(vec![read(90.0)]).clinical, "RR 18 read clearly");
        assert!(!TextEvidence::new(vec![read(11.0)]).clinical, "RR read off a texture");
        assert_eq!(read(11.0).confident_text(40.0), "   18\n");
        assert_eq!(read(11.0).confident, "   18\n", "made once, when the document is");
        // The wider question (face search, capture-time note) weighs OCR the same way,
        // while a caption, read exactly, still counts.
        assert!(TextEvidence::new(vec![read(90.0)]).mentions_clinical());
        assert!(!TextEvidence::new(vec![read(11.0)]).mentions_clinical());
        let caption = Document::from_string(Source::Metadata, "EXIF ImageDescription", "RR 18 bed 4");
        assert!(TextEvidence::new(vec![read(11.0), caption]).mentions_clinical());
    }

    #[test]
    fn strings_have_words_but_no_boxes() {
        let doc = Document::from_string(Source::Metadata, "file name", "Doe Jane  MRN");
        assert_eq!(doc.words.len(), 3);
        assert_eq!(doc.locate(&(0..3)), (None, 100.0));
    }
}
