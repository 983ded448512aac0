//! Post rules: what will be said next to the photo (its caption) and who says it (the
//! account's handle). The seed policies forbid things no pixel shows: the patient's age,
//! when the case happened, bragging about a case as a trophy, identifiers typed into the
//! caption, and a university brand inside a personal username.
//!
//! These rules see only the text the user passed with `--caption`/`--caption-file` and
//! `--handle`; without them they stay silent. A caption problem cannot be covered with a
//! box, so profiles give them `block`: the post must be rewritten, and the finding says
//! what to take out.

use super::{Detection, Evidence, FnRule, Rule, RuleDoc};
use crate::recognize::patterns::{self, Match};
use crate::report::{Source, mask};
use crate::verdict::Verdict;

/// The caption and handle a photo will be posted with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Post {
    pub caption: Option<String>,
    pub handle: Option<String>,
}

impl Post {
    /// The caption speaks of a clinical case ([`about_a_case`]); `false` without one.
    pub fn is_about_a_case(&self) -> bool {
        self.caption.as_deref().is_some_and(about_a_case)
    }
}

// Words that make a caption about a clinical case rather than a brunch or a talk.
regex!(
    case_re,
    r"(?i)\b(?:case|cases|patient|pt|surgery|surgical|operat\w*|OR|theatre|theater|ward|ED|ER|A&E|ICU|clinic|shift|on[\s\-]?call|rounds|consult|trauma|resus|code\s+blue|admission|admitted|procedure|removed|extracted|excised|specimen|biopsy|x-?ray|scan|CT|MRI|fracture|wound|tumou?r|stone|delivery|delivered|intubat\w*|bedside)\b"
);
// Relative times that date a case to the day.
regex!(
    timing_re,
    r"(?i)\b(?:today|tonight|this\s+(?:morning|afternoon|evening|week|weekend)|yesterday(?:'s)?|last\s+(?:night|week|shift)|earlier\s+today|just\s+(?:now|finished|got\s+out)|an?\s+hour\s+ago|\d{1,2}\s+(?:hours?|hrs?|days?)\s+ago|on\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)|overnight)\b"
);
// Showing a case off.
regex!(
    trophy_re,
    r"(?i)\b(?:troph(?:y|ies)|biggest|largest|craziest|wildest|gnarl(?:y|iest)|insane|epic|record[\s\-]breaking|monster|souvenir|keepsake|prize|bragging|show\s+and\s+tell|look\s+(?:at|what)\s+(?:this|that|we|I)|check\s+(?:this|that)\s+out|check\s+out\s+(?:this|that|what)|(?:can't|cannot|won't)\s+believe|never\s+seen\s+(?:anything|one|a\s+\w+)\s+like|took\s+(?:it|this|one)\s+home)\b"
);

/// Institution brands and their derivatives, as they appear inside handles (lower
/// case, separators removed). Distinctive enough to match anywhere in a handle.
const BRANDS: &[(&str, &str)] = &[
    ("umich", "University of Michigan"),
    ("uofm", "University of Michigan"),
    ("michmed", "Michigan Medicine"),
    ("michiganmed", "Michigan Medicine"),
    ("umichmed", "Michigan Medicine"),
    ("umms", "University of Michigan Medical School"),
    ("waynestate", "Wayne State University"),
    ("waynemed", "Wayne State University School of Medicine"),
    ("wsumed", "Wayne State University School of Medicine"),
    ("umnmed", "University of Minnesota Medical School"),
    ("uofmn", "University of Minnesota"),
    ("nottsuni", "University of Nottingham"),
    ("uninottingham", "University of Nottingham"),
    ("uniofnottingham", "University of Nottingham"),
    ("nottinghamuni", "University of Nottingham"),
];
/// Short brand marks that only count as a whole word of the handle (`@dr_wsu_jane`,
/// `@JaneUMN`), so `@autumnrose` is not the University of Minnesota.
const BRAND_WORDS: &[(&str, &str)] = &[
    ("um", "University of Michigan"),
    ("umn", "University of Minnesota"),
    ("wsu", "Wayne State University"),
    ("uon", "University of Nottingham"),
];

const fn caption_doc(id: &'static str, summary: &'static str, explain: &'static str) -> RuleDoc {
    RuleDoc { id, source: Source::Caption, default_remedy: Verdict::Block, summary, explain }
}

fn detection(rule: &'static str, found_in: &str, summary: String) -> Detection {
    Detection {
        rule,
        source: Source::Caption,
        found_in: found_in.into(),
        summary,
        details: vec![],
        bbox: None,
        confidence: 1.0,
        identifier: None,
    }
}

/// Does the caption speak of a clinical case?
pub fn about_a_case(caption: &str) -> bool {
    case_re().is_match(caption)
}

fn caption_of<'a>(ev: &Evidence<'a>) -> Option<&'a str> {
    ev.post.and_then(|p| p.caption.as_deref()).filter(|c| !c.trim().is_empty())
}

fn quoted(m: &str, show: bool) -> String {
    mask::maybe(m.trim(), show)
}

/// `caption.age`: the patient's age in the caption.
pub static CAPTION_AGE: FnRule = FnRule {
    doc: caption_doc(
        "caption.age",
        "The patient's age in the caption",
        "## What it finds\n\"72-year-old\", \"72 yo\", \"72 y/o\", \"Age: 72\", \"72M\"/\"72F\" in the caption.\n\n\
                     ## Why it matters\nMichigan Medicine: the age of the patient should not be included; with a \
                     date and a place an age narrows a patient down to one person.\n\n## How it decides\nThe same \
                     age patterns as `text.age`, with age-and-sex forms (\"72M\") always on, since a caption that \
                     gives an age is about a person.\n\n## Where it fails\nAges in words (\"seventy-two\") and \
                     vague ranges (\"in her seventies\") are not caught; a \"5 year old laptop\" is.",
    ),
    check: check_caption_age,
};

fn check_caption_age(ev: &Evidence<'_>, out: &mut Vec<Detection>) {
    let Some(caption) = caption_of(ev) else { return };
    for m in patterns::find_age(caption, true) {
        let shown = quoted(&caption[m.range.clone()], ev.show_text);
        out.push(detection(
            "caption.age",
            "caption",
            format!("the caption gives an age ({shown}): take it out"),
        ));
    }
}

/// `caption.timing`: when the case happened, in a caption about a case.
pub static CAPTION_TIMING: FnRule = FnRule {
    doc: caption_doc(
        "caption.timing",
        "When the case happened, in a caption about a case",
        "## What it finds\nRelative times (\"this morning\", \"yesterday's case\", \"last night on \
                     call\", \"3 hours ago\") and dates in a caption that is about a clinical case.\n\n## Why it \
                     matters\nMichigan Medicine: no reference to the timing of the case. Minnesota: a time stamp \
                     alone can identify a patient to someone who was there.\n\n## How it decides\nA time word or a \
                     date counts only when the caption also speaks of a case (case, patient, OR, surgery, ward, \
                     shift, on call, removed, specimen, …), so \"great talk today\" is not flagged.\n\n## Where it \
                     fails\nTimes written around the vocabulary (\"after lunch we …\") are missed; a non-clinical \
                     caption that happens to use \"case\" and \"today\" is flagged.",
    ),
    check: check_caption_timing,
};

fn check_caption_timing(ev: &Evidence<'_>, out: &mut Vec<Detection>) {
    let Some(caption) = caption_of(ev) else { return };
    if !case_re().is_match(caption) {
        return;
    }
    let mut found: Vec<String> = timing_re().find_iter(caption).map(|m| m.as_str().to_string()).collect();
    found.extend(patterns::find_date(caption, true).into_iter().map(|m| caption[m.range].to_string()));
    for f in found {
        out.push(detection(
            "caption.timing",
            "caption",
            format!("the caption dates the case (\"{}\"): take the timing out", quoted(&f, true)),
        ));
    }
}

/// `caption.trophy`: a case shown off as a trophy.
pub static CAPTION_TROPHY: FnRule = FnRule {
    doc: caption_doc(
        "caption.trophy",
        "A treatment or case shown off as a trophy",
        "## What it finds\nBragging words (\"trophy\", \"biggest\", \"craziest\", \"look at this\", \
                     \"can't believe\", \"took it home\") in a caption about a case.\n\n## Why it matters\nMichigan \
                     Medicine: do not refer to patient treatments or cases as trophies to display; Nottingham: no \
                     text that may distress a patient or their relatives; UMMS: the Honor Code's professional \
                     behaviour.\n\n## How it decides\nA bragging phrase counts only together with case vocabulary, \
                     so \"biggest pizza ever\" is not flagged.\n\n## Where it fails\nIrony, emoji and new slang are \
                     not understood; sober teaching captions that say \"largest\" about a case are flagged (read \
                     the finding and decide).",
    ),
    check: check_caption_trophy,
};

fn check_caption_trophy(ev: &Evidence<'_>, out: &mut Vec<Detection>) {
    let Some(caption) = caption_of(ev) else { return };
    if !case_re().is_match(caption) {
        return;
    }
    if let Some(m) = trophy_re().find(caption) {
        out.push(detection(
            "caption.trophy",
            "caption",
            format!(
                "the caption shows the case off (\"{}\"): rewrite it as teaching, or do not post",
                m.as_str()
            ),
        ));
    }
}

/// `caption.identifier`: MRNs, names, dates of birth, rooms and contact details typed into the caption.
pub static CAPTION_IDENTIFIER: FnRule = FnRule {
    doc: caption_doc(
        "caption.identifier",
        "MRNs, names, dates of birth, rooms and contact details in the caption",
        "## What it finds\nThe identifiers the text rules look for in pictures (`text.mrn`, \
                     `text.name`, `text.dob`, `text.room-bed`, `text.phone`, `text.email`, `text.ssn`, \
                     `text.accession`), typed into the caption.\n\n## Why it matters\nEvery policy forbids text \
                     that directly or indirectly identifies a patient, and a caption is text.\n\n## How it \
                     decides\nThe same patterns; names need a cue (\"Pt:\", \"Mr\", \"LAST, FIRST\") unless the \
                     caption is about a case, so a thank-you to a speaker is not flagged.\n\n## Where it fails\nAs \
                     the text rules: names outside the census lists, identifiers spelled out in words.",
    ),
    check: check_caption_identifier,
};

fn check_caption_identifier(ev: &Evidence<'_>, out: &mut Vec<Detection>) {
    let Some(caption) = caption_of(ev) else { return };
    let clinical = case_re().is_match(caption) || patterns::clinical_context(caption);
    let kinds: [(&str, Vec<Match>); 8] = [
        ("MRN", patterns::find_mrn(caption, clinical)),
        ("name", patterns::find_name(caption, about_a_case(caption))),
        ("date of birth", patterns::find_dob(caption)),
        ("room/bed", patterns::find_room_bed(caption, clinical)),
        ("phone", patterns::find_phone(caption, clinical)),
        ("email", patterns::find_email(caption, clinical)),
        ("SSN", patterns::find_ssn(caption)),
        ("accession", patterns::find_accession(caption, clinical)),
    ];
    for (kind, matches) in kinds {
        for m in matches {
            let shown = quoted(&m.value, ev.show_text);
            out.push(detection(
                "caption.identifier",
                "caption",
                format!("the caption holds a {kind} ({shown}): take it out"),
            ));
        }
    }
}

/// `handle.brand`: a university brand inside a personal username.
pub static HANDLE_BRAND: FnRule = FnRule {
    doc: RuleDoc {
        id: "handle.brand",
        source: Source::Caption,
        default_remedy: Verdict::Block,
        summary: "A university brand inside a personal username",
        explain: "## What it finds\nInstitution names and their derivatives in the `--handle` the photo \
                          will be posted from: @UMichJohn, @JohnUofM, @John_UMich, MichMedJohn, @WayneStateJane.\
                          \n\n## Why it matters\nMichigan Medicine restricts the university brand or any \
                          derivative within a personal username; Wayne State forbids implying you speak for the \
                          institution with its marks.\n\n## How it decides\nThe handle is lower-cased and its \
                          separators dropped; distinctive marks (umich, uofm, michmed, waynestate, …) count \
                          anywhere, short ones (um, umn, wsu, uon) only as a whole word of the handle.\n\n## \
                          Where it fails\nOfficial institutional accounts are flagged too (they are allowed: \
                          ignore the finding); misspelt marks are missed.",
    },
    check: check_handle_brand,
};

fn check_handle_brand(ev: &Evidence<'_>, out: &mut Vec<Detection>) {
    let Some(handle) = ev.post.and_then(|p| p.handle.as_deref()) else { return };
    for (mark, institution) in brand_marks(handle) {
        out.push(detection(
            "handle.brand",
            "handle",
            format!(
                "the handle {handle} carries the {institution} brand (\"{mark}\"): post from a personal name"
            ),
        ));
    }
}

/// The brand marks inside a handle, each once.
pub fn brand_marks(handle: &str) -> Vec<(&'static str, &'static str)> {
    let flat: String = handle.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_lowercase();
    let words = handle_words(handle);
    let mut found: Vec<(&str, &str)> = BRANDS.iter().filter(|(m, _)| flat.contains(m)).copied().collect();
    for (mark, inst) in BRAND_WORDS {
        if words.iter().any(|w| w == mark) && !found.iter().any(|(_, i)| i == inst) {
            found.push((mark, inst));
        }
    }
    found.dedup_by_key(|(_, inst)| *inst);
    found
}

/// A handle's words: split at separators, digits and lower-to-upper case changes, and
/// before the last capital of a capital run (`JaneUMN` → jane, umn; `UMNJane` → umn, jane).
fn handle_words(handle: &str) -> Vec<String> {
    let chars: Vec<char> = handle.chars().collect();
    let mut words = Vec::new();
    let mut word = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphabetic() {
            if !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            continue;
        }
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1);
        let boundary = c.is_ascii_uppercase()
            && (prev.is_some_and(|p| p.is_ascii_lowercase())
                || (prev.is_some_and(|p| p.is_ascii_uppercase())
                    && next.is_some_and(|n| n.is_ascii_lowercase())));
        if boundary && !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        word.push(c.to_ascii_lowercase());
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// Every post rule, in documentation order.
pub static POST_RULES: &[&dyn Rule] =
    &[&CAPTION_AGE, &CAPTION_TIMING, &CAPTION_TROPHY, &CAPTION_IDENTIFIER, &HANDLE_BRAND];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::MetaFacts;

    fn run(rule: &dyn Rule, caption: Option<&str>, handle: Option<&str>) -> Vec<Detection> {
        let facts = MetaFacts::default();
        let post = Post { caption: caption.map(String::from), handle: handle.map(String::from) };
        let ev = Evidence { show_text: true, post: Some(&post), ..Evidence::of(&facts) };
        let mut out = Vec::new();
        rule.check(&ev, &mut out);
        out
    }

    fn fires(rule: &dyn Rule, caption: &str) -> bool {
        !run(rule, Some(caption), None).is_empty()
    }

    #[test]
    fn age_in_a_caption() {
        for c in [
            "72-year-old with a classic presentation",
            "72yo M, chest pain",
            "Pt is 72 y/o",
            "Age: 72",
            "45F on the ward",
        ] {
            assert!(fires(&CAPTION_AGE, c), "{c}");
        }
        for c in ["Happy 30th birthday to me!", "Route 72 closed", "Room for 72 guests", "Grand rounds at 7"]
        {
            assert!(!fires(&CAPTION_AGE, c), "{c}");
        }
    }

    #[test]
    fn timing_only_in_a_caption_about_a_case() {
        for c in [
            "This morning in the OR: a textbook appendix",
            "Yesterday's case was one for the books",
            "Last night on call we saw this fracture",
            "Removed 3 hours ago, still can't believe the size",
            "Case from 11/20/2026, teaching file",
        ] {
            assert!(fires(&CAPTION_TIMING, c), "{c}");
        }
        for c in [
            "Great talk today at the conference",
            "Yesterday's brunch was amazing",
            "Case study club meets monthly",
            "Last night's sunset",
        ] {
            assert!(!fires(&CAPTION_TIMING, c), "{c}");
        }
    }

    #[test]
    fn trophies_only_about_a_case() {
        for c in [
            "Biggest kidney stone I've ever removed!",
            "Trophy of the day from the OR",
            "Look at this tumour we excised",
            "Took it home as a souvenir after surgery",
        ] {
            assert!(fires(&CAPTION_TROPHY, c), "{c}");
        }
        for c in [
            "Biggest pizza ever",
            "Look at this view from the hotel",
            "Won a trophy at the hospital 5k!",
            "Classic case of appendicitis: teaching points below",
        ] {
            assert!(!fires(&CAPTION_TROPHY, c), "{c}");
        }
    }

    #[test]
    fn identifiers_typed_into_a_caption() {
        for c in [
            "Pt: Doe, John MRN 12345678",
            "Interesting case in Room 412 Bed B",
            "DOB 03/04/1951 and still going",
            "Call me at 734-555-0182 about the patient",
        ] {
            assert!(fires(&CAPTION_IDENTIFIER, c), "{c}");
        }
        for c in [
            "Thanks to our speaker for a great talk",
            "Page 412 of the textbook",
            "Conference hashtag #SoMe2026",
            "Lecture hall 12, 9am",
        ] {
            assert!(!fires(&CAPTION_IDENTIFIER, c), "{c}: {:?}", run(&CAPTION_IDENTIFIER, Some(c), None));
        }
    }

    #[test]
    fn brand_in_a_handle() {
        for h in [
            "@UMichJohn",
            "@JohnUofM",
            "@John_UMich",
            "@JohnMichMed",
            "MichMedJohn",
            "@WayneStateJane",
            "@dr_wsu_jane",
            "@JaneUMN",
            "@UMNJane",
        ] {
            assert!(!run(&HANDLE_BRAND, None, Some(h)).is_empty(), "{h}");
        }
        for h in ["@autumnrose", "@drjane", "@summertime", "@plumcake", "@umbrella_fan", "@wsunshine"] {
            assert!(run(&HANDLE_BRAND, None, Some(h)).is_empty(), "{h}: {:?}", brand_marks(h));
        }
    }

    #[test]
    fn silent_without_a_caption_or_handle() {
        let facts = MetaFacts::default();
        let ev = Evidence::of(&facts);
        for rule in POST_RULES {
            let mut out = Vec::new();
            rule.check(&ev, &mut out);
            assert!(out.is_empty(), "{}", rule.doc().id);
        }
    }
}
