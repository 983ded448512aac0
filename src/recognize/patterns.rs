//! The patterns behind each text rule. Each `find_*` returns the byte ranges of what it
//! found in a document's text (the whole "MRN: 12345678", label included, so the box
//! covers both) and the value, for masking.

use super::lexicon;
use std::ops::Range;

/// One thing found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    pub range: Range<usize>,
    pub value: String,
    /// Why it counts (`labelled`, `check digit`, `clinical context`), for the report.
    pub why: &'static str,
}

const DATE: &str = r"(?:\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})|\d{4}-\d{2}-\d{2}|\d{1,2}[\s\-]?(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?[\s\-,]*\d{2,4}|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4})";

regex!(
    clinical_re,
    // Two- and three-letter labels count only in capitals as written on bands and screens
    // (HR, RR, FIN), and only as labels: a vital sign before its value ("HR 72", "HR59"
    // as the recogniser runs them together), an identifier's before a colon or #; "Pt"
    // only as a label (Pt:, Pt. ID). OCR noise on textures and receipts reads as short
    // fragments like these ("A RR ae", "TAX(RN(").
    r"(?i)\b(?:MRN|MR\s?#|DOB|D\.O\.B|patient|(?-i:Pt|PT)(?:\s*[:.#]|\s+(?:name|id|no)\b)|bed\b|allerg|fall\s*risk|(?-i:NPO)|nurse|(?-i:HR|BP|RR)\s*[:=]?\s*\d|(?-i:RN|FIN|CSN)\s*[:#]|SpO2|accession|specimen|ward\b|admit|attending|physician|NHS\s*No|hosp(?:ital)?\s*no|encounter)"
);
regex!(
    mrn_labelled_re,
    r"(?i)\b(?:MRN|MR\s?#|MR\s?No\.?|Med(?:ical)?\.?\s*Rec(?:ord)?\.?\s*(?:No\.?|Number|#)?|Patient\s*(?:ID|No\.?|Number|#)|Pt\.?\s*(?:ID|#)|Acct\.?\s*(?:No\.?|#)?|Account\s*(?:No\.?|Number|#)?|FIN|CSN|Enc(?:ounter)?\.?\s*(?:No\.?|#)|Hosp(?:ital)?\.?\s*(?:No\.?|Number|#)|NHS\s*(?:No\.?|Number)?|Unit\s*No\.?)\s*[:#.\-]?\s*([A-Z]{0,2}[0-9OIlSB][0-9OIlSB \-]{3,16}[0-9OIlSB])"
);
regex!(digit_run_re, r"\b\d(?:[ \-]?\d){6,11}\b");
regex!(dob_re, &format!(r"(?i)\b(?:DOB|D\.O\.B\.?|Date\s*of\s*Birth|Birth\s*Date|Born)\s*[:\-]?\s*({DATE})"));
// A time after the date is part of it: "Drawn: 06/04/2026 02:37" is a draw's moment,
// and a box around the date alone leaves the time beside it.
regex!(date_re, &format!(r"(?i)\b({DATE})\b(?:,?\s+\d{{1,2}}:\d{{2}}(?::\d{{2}})?\b(?:\s?[ap]\.?m\b\.?)?)?"));
regex!(
    age_re,
    r"(?i)(?:\bAge[ \t]*[:\-]?[ \t]*(\d{1,3})\b|\b(\d{1,3})[ \t]*(?:-[ \t]*)?(?:yo\b|y/o\b|y\.o\.|yrs?\b|years?[ \t\-]*old\b|-?year-old\b|y(?:[ \t]*[MF])\b))"
);
regex!(age_sex_re, r"\b(\d{1,3})[ \t]?([MF])\b");
regex!(phone_re, r"(?:\+?1[\s.\-]?)?\(?\b\d{3}\)?[\s.\-]?\d{3}[\s.\-]\d{4}\b|\b0\d{3,4}\s?\d{3}\s?\d{3,4}\b");
regex!(phone_label_re, r"(?i)\b(?:tel|ph|phone|mobile|cell|contact)\b\.?\s*[:#]?\s*$");
regex!(ssn_re, r"(?i)(?:\bSSN\s*[:#]?\s*\d{3}[\s\-]?\d{2}[\s\-]?\d{4}\b|\b\d{3}-\d{2}-\d{4}\b)");
regex!(email_re, r"(?i)\b[A-Z0-9._%+\-]+@[A-Z0-9.\-]+\.[A-Z]{2,}\b");
regex!(
    room_bed_re,
    r"(?i)\b(?:(?:Room|Rm\.?)\s*#?\s*\d{1,5}[A-Z]?(?:\s*[,/\-]?\s*(?:Bed|Bd)\s*#?\s*[A-Z0-9]{1,2}\b)?|(?:Bed|Bay)\s*#?\s*\d{1,3}[A-Z]?\b)"
);
regex!(
    accession_re,
    r"(?i)\b(?:Acc(?:ession)?\.?\s*(?:No\.?|#)?|Specimen\s*(?:ID|No\.?|#)|Lab\s*(?:No\.?|#)|Order\s*(?:No\.?|#))\s*[:#]?\s*([A-Z0-9][A-Z0-9\-]{4,16})"
);
// The name itself stays on the label's line (or the next line, when the label ends
// one): "Patient: Joshua Williams" then "DOB" below is a name, not three words.
regex!(name_label_re, r"(?i)\b(?:Name|Patient|Pt|Pat)\s*[:\-]\s*((?:[A-Z][A-Za-z'\-]+,?[ \t]*){1,3})");
// DICOM's `^` separator is often read by OCR as `*`, `"` or a curly double quote (a
// radiograph's "HERNANDEZ “MATTHEW"), and a comma on a sign or screen as `;`, `:` or a
// curly quote.
// Names stand on one line: two words joined across a line break ("WAY\n\"ROYAL") are
// two lines of a sign, not a name.
regex!(last_first_re, r#"\b([A-Z][A-Za-z'\-]+)[ \t]*[,^*";:’‘“”][ \t]*([A-Z][A-Za-z'\-]+)\b"#);
regex!(first_last_re, r"\b([A-Z][A-Za-z'\-]+)[ \t]+([A-Z][A-Za-z'\-]+)\b");
regex!(nhs_grouping_re, r"^\d{3} \d{3} \d{4}$");
// OCR splits a word at a wide letter gap ("Eliza beth Carter", "John Car ter"): a
// capitalised word, a lower-case fragment, and the other name.
regex!(split_first_re, r"\b([A-Z][a-z]+) ([a-z]{2,}) +([A-Z][A-Za-z'\-]+)\b");
regex!(split_last_re, r"\b([A-Z][A-Za-z'\-]+) +([A-Z][a-z]+) ([a-z]{2,})\b");

/// Does the text read like a clinical label, band, board or screen?
pub fn clinical_context(text: &str) -> bool {
    clinical_re().is_match(text)
}

/// OCR confuses letters and digits in numbers; read a digit-like token as digits.
pub fn as_digits(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            '0'..='9' => Some(c),
            'O' | 'o' | 'D' => Some('0'),
            'I' | 'l' | '|' => Some('1'),
            'S' => Some('5'),
            'B' => Some('8'),
            'Z' => Some('2'),
            _ => None,
        })
        .collect()
}

/// The NHS number check digit (modulus 11).
pub fn nhs_valid(digits: &str) -> bool {
    let d: Vec<u32> = digits.chars().filter_map(|c| c.to_digit(10)).collect();
    if d.len() != 10 {
        return false;
    }
    let sum: u32 = d[..9].iter().zip((2..=10).rev()).map(|(x, w)| x * w).sum();
    let check = (11 - sum % 11) % 11;
    check != 10 && check == d[9]
}

fn whole(m: regex::Match<'_>, why: &'static str) -> Match {
    Match { range: m.range(), value: m.as_str().to_string(), why }
}

/// Medical record, patient, account, encounter and NHS numbers.
pub fn find_mrn(text: &str, clinical: bool) -> Vec<Match> {
    let mut out: Vec<Match> = Vec::new();
    for c in mrn_labelled_re().captures_iter(text) {
        let (all, value) = (c.get(0).expect("match"), c.get(1).expect("group"));
        let digits = as_digits(value.as_str());
        if (5..=14).contains(&digits.len()) {
            out.push(Match { range: all.range(), value: value.as_str().to_string(), why: "labelled" });
        }
    }
    for m in digit_run_re().find_iter(text) {
        if out.iter().any(|o| o.range.start <= m.start() && m.end() <= o.range.end) {
            continue;
        }
        let digits = as_digits(m.as_str());
        let looks_like_phone = m.as_str().contains('-') && digits.len() == 10 && !nhs_valid(&digits);
        // A valid check digit alone is one chance in eleven for any ten digits (a
        // receipt's phone number "03-6205 5386"): written 3-3-4 as NHS numbers are, or
        // in a clinical context.
        if digits.len() == 10 && nhs_valid(&digits) && (clinical || nhs_grouping_re().is_match(m.as_str())) {
            out.push(whole(m, "NHS check digit"));
        } else if clinical
            && !looks_like_phone
            && (7..=10).contains(&digits.len())
            && !is_date_like(m.as_str())
        {
            out.push(whole(m, "number in a clinical context"));
        }
    }
    out
}

fn is_date_like(s: &str) -> bool {
    date_re().is_match(s)
}

/// Dates of birth: a date after a DOB label.
pub fn find_dob(text: &str) -> Vec<Match> {
    dob_re()
        .captures_iter(text)
        .map(|c| Match { range: c.get(0).expect("match").range(), value: c[1].to_string(), why: "labelled" })
        .collect()
}

/// Other full dates (admission, study, procedure), in a clinical context only: a date on
/// a poster is not a case date.
pub fn find_date(text: &str, clinical: bool) -> Vec<Match> {
    if !clinical {
        return vec![];
    }
    let dobs = find_dob(text);
    date_re()
        .captures_iter(text)
        .filter(|c| plausible_date(&c[1]))
        .map(|c| c.get(0).expect("match"))
        .filter(|m| !dobs.iter().any(|d| d.range.start <= m.start() && m.end() <= d.range.end))
        .map(|m| whole(m, "date in a clinical context"))
        .collect()
}

/// A numeric date whose day and month could be a day and a month, either way round
/// ("26.4¢/oz" read as "26.40/02" is not a date), or that ends in a year of the last or
/// this century: OCR reads a blurred 0 as 6 or 8 ("63/06/2026"), and a date with a
/// full year is still a date with one digit misread. Dates with a month name pass.
fn plausible_date(s: &str) -> bool {
    let numbers: Vec<u32> = s.split(['/', '.', '-']).map_while(|p| p.trim().parse().ok()).collect();
    match numbers[..] {
        [_, _, y] if (1900..=2099).contains(&y) => true,
        [y, m, d] if y >= 1000 => (1..=12).contains(&m) && (1..=31).contains(&d),
        [a, b, _] => {
            let (day, month) = (1..=31, 1..=12);
            (month.contains(&a) && day.contains(&b)) || (day.contains(&a) && month.contains(&b))
        }
        _ => true,
    }
}

/// Ages: "67 yo", "67 y/o", "67-year-old", "Age: 67", and "67 F" in a clinical context,
/// each on one line: digits and letters joined across a line break ("2\nyr", "7\nyo",
/// read off fur, grass or waves on real photos) are not an age.
pub fn find_age(text: &str, clinical: bool) -> Vec<Match> {
    let plausible = |s: &str| s.parse::<u32>().is_ok_and(|a| a <= 120);
    let mut out: Vec<Match> = age_re()
        .captures_iter(text)
        .filter(|c| c.get(1).or(c.get(2)).is_some_and(|a| plausible(a.as_str())))
        .map(|c| whole(c.get(0).expect("match"), "age"))
        .collect();
    if clinical {
        for c in age_sex_re().captures_iter(text) {
            let m = c.get(0).expect("match");
            if plausible(&c[1]) && !out.iter().any(|o| o.range.start <= m.start() && m.end() <= o.range.end) {
                out.push(whole(m, "age and sex in a clinical context"));
            }
        }
    }
    out
}

/// Phone numbers, when labelled or in a clinical context (a restaurant's number on a
/// menu is not a patient's).
pub fn find_phone(text: &str, clinical: bool) -> Vec<Match> {
    phone_re()
        .find_iter(text)
        .filter(|m| clinical || phone_label_re().is_match(&text[..m.start()]))
        .map(|m| whole(m, if clinical { "phone in a clinical context" } else { "labelled" }))
        .collect()
}

/// US social security numbers (area 000, 666 and 9xx are never issued).
pub fn find_ssn(text: &str) -> Vec<Match> {
    ssn_re()
        .find_iter(text)
        .filter(|m| {
            let d = as_digits(m.as_str());
            let area = d.get(..3).unwrap_or("000");
            area != "000" && area != "666" && !area.starts_with('9')
        })
        .map(|m| whole(m, "SSN format"))
        .collect()
}

/// E-mail addresses, in a clinical context.
pub fn find_email(text: &str, clinical: bool) -> Vec<Match> {
    if !clinical {
        return vec![];
    }
    email_re().find_iter(text).map(|m| whole(m, "e-mail in a clinical context")).collect()
}

/// Room and bed numbers: "Bed 4" anywhere; "Room 412" in a clinical context or beside a
/// full name (a conference room is not a patient's room; a door sign is).
pub fn find_room_bed(text: &str, clinical: bool) -> Vec<Match> {
    find_room_bed_in(text, text, clinical)
}

/// `find_room_bed`, with the name that makes a room number a door sign looked for in
/// `context` (the text read with confidence, same byte offsets): noise read as a name
/// must not turn a menu's "Maple Street" into a patient's door.
pub fn find_room_bed_in(text: &str, context: &str, clinical: bool) -> Vec<Match> {
    // A room number alone is a conference room; beside a person's full name it is the
    // door sign of that person's room. (Looked for only once a bare room number is seen.)
    let named = std::cell::OnceCell::new();
    room_bed_re()
        .find_iter(text)
        .filter(|m| {
            let s = m.as_str().to_ascii_lowercase();
            clinical
                || s.contains("bed")
                || s.contains("bay")
                || *named.get_or_init(|| {
                    full_names(context).next().is_some() || last_first_names(context).next().is_some()
                })
        })
        .map(|m| whole(m, "room or bed"))
        .collect()
}

/// Accession, specimen, lab and order numbers (labelled).
/// Order numbers count in a clinical context only: every receipt has an "Order No".
pub fn find_accession(text: &str, clinical: bool) -> Vec<Match> {
    accession_re()
        .captures_iter(text)
        .filter(|c| c[1].chars().any(|ch| ch.is_ascii_digit()))
        .filter(|c| clinical || !c[0].trim_start().to_ascii_lowercase().starts_with("order"))
        .map(|c| Match { range: c.get(0).expect("match").range(), value: c[1].to_string(), why: "labelled" })
        .collect()
}

/// "First Last" pairs whose words are a census first name and surname, as byte ranges;
/// either name may be read split in two, if its halves joined are the census name.
fn full_names(text: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let whole = first_last_re()
        .captures_iter(text)
        .filter(|c| lexicon::is_first_name(&c[1]) && lexicon::is_surname(&c[2]));
    let split_first = split_first_re()
        .captures_iter(text)
        .filter(|c| lexicon::is_first_name(&format!("{}{}", &c[1], &c[2])) && lexicon::is_surname(&c[3]));
    let split_last = split_last_re()
        .captures_iter(text)
        .filter(|c| lexicon::is_first_name(&c[1]) && lexicon::is_surname(&format!("{}{}", &c[2], &c[3])));
    whole.chain(split_first).chain(split_last).map(|c| c.get(0).expect("match").range())
}

/// "LAST, FIRST" pairs (and the separators OCR reads for the comma) whose words are a
/// census surname and first name, as byte ranges.
fn last_first_names(text: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    last_first_re()
        .captures_iter(text)
        .filter(|c| lexicon::is_surname(&c[1]) && lexicon::is_first_name(&c[2]))
        .map(|c| c.get(0).expect("match").range())
}

/// Person names: after a Name/Patient label, in "LAST, FIRST" form, or as "First Last"
/// in a clinical context or beside a room or bed number (a door sign) — each checked
/// against the census lexicons, so that ordinary capitalised words ("Caesar Salad",
/// "Brown sugar") do not fire.
pub fn find_name(text: &str, clinical: bool) -> Vec<Match> {
    find_name_in(text, text, clinical)
}

/// `find_name`, with the room number that makes "First Last" a door sign's name looked
/// for in `context` (the text read with confidence, same byte offsets): "bay 9S" read
/// off a menu's texture must not make its street names patients.
pub fn find_name_in(text: &str, context: &str, clinical: bool) -> Vec<Match> {
    let mut out: Vec<Match> = Vec::new();
    // `value`: the name alone; `range`: what is covered (a label with its name).
    let push_value = |out: &mut Vec<Match>, range: Range<usize>, value: &str, why: &'static str| {
        if !out.iter().any(|o| o.range.start < range.end && range.start < o.range.end) {
            out.push(Match { value: value.trim_end_matches([' ', '\t', ',']).to_string(), range, why });
        }
    };
    let push = |out: &mut Vec<Match>, range: Range<usize>, why: &'static str| {
        push_value(out, range.clone(), &text[range], why);
    };
    for c in name_label_re().captures_iter(text) {
        let g = c.get(1).expect("group");
        let names = g.as_str().split([' ', ',', '\t']).filter(|w| !w.is_empty());
        if names.clone().any(|w| lexicon::is_first_name(w) || lexicon::is_surname(w)) {
            push_value(&mut out, c.get(0).expect("match").range(), g.as_str(), "labelled");
        }
    }
    for range in last_first_names(text) {
        push(&mut out, range, "LAST, FIRST");
    }
    if clinical || room_bed_re().is_match(context) {
        let why = if clinical { "name in a clinical context" } else { "name beside a room number" };
        // A name standing on its own line, as on a board, a banner or a sign; in prose
        // (a magazine's bylines and quotes beside a clinical word) it is not a patient's.
        for range in full_names(text).filter(|r| words_beside(text, r) <= MAX_WORDS_BESIDE_NAME) {
            push(&mut out, range, why);
        }
    }
    out
}

/// Most other words on the line of an unlabelled "First Last" name.
const MAX_WORDS_BESIDE_NAME: usize = 3;

/// How many words the line holding `range` has besides it.
fn words_beside(text: &str, range: &Range<usize>) -> usize {
    let start = text[..range.start].rfind('\n').map_or(0, |i| i + 1);
    let end = text[range.end..].find('\n').map_or(text.len(), |i| range.end + i);
    text[start..range.start].split_whitespace().count() + text[range.end..end].split_whitespace().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(v: Vec<Match>) -> Vec<String> {
        v.into_iter().map(|m| m.value).collect()
    }

    #[test]
    fn mrn_labelled_confused_and_split() {
        assert_eq!(values(find_mrn("MRN: 12345678", false)), vec!["12345678"]);
        assert_eq!(values(find_mrn("MR# 0O12S4B7", false)), vec!["0O12S4B7"]);
        assert_eq!(find_mrn("Med Rec No\n4455667", false).len(), 1, "label and value on two lines");
        assert_eq!(find_mrn("Patient ID 7766554", false).len(), 1);
        assert_eq!(find_mrn("Acct 998877665", false).len(), 1);
        // NHS number with a valid check digit, unlabelled.
        assert_eq!(find_mrn("943 476 5919", false)[0].why, "NHS check digit");
        // Near miss: ten digits with a valid check digit, written as a phone number.
        assert!(find_mrn("Tel 03-6205 5386", false).is_empty());
        assert_eq!(find_mrn("03-6205 5386", true).len(), 1, "in a clinical context it counts");
        // Unlabelled runs only in a clinical context.
        assert_eq!(find_mrn("ref 4455667", true).len(), 1);
        // Near misses: ISBN, a price, a year, a phone-like number outside a clinic.
        assert!(find_mrn("ISBN 978-0-306-40615-7", false).is_empty());
        assert!(find_mrn("Total 1299.50 in 2026", false).is_empty());
        assert!(find_mrn("call 734-555-0142", true).is_empty());
        assert!(find_mrn("MRN: 12", false).is_empty());
    }

    #[test]
    fn dob_date_age() {
        assert_eq!(values(find_dob("DOB: 03/14/1957")), vec!["03/14/1957"]);
        assert_eq!(find_dob("Date of Birth 14 Mar 1957").len(), 1);
        assert!(find_dob("Printed 03/14/1957").is_empty());
        assert_eq!(find_date("Adm 11/20/2026 DOB 01/02/1950", true).len(), 1);
        assert!(find_date("Conference 11/20/2026", false).is_empty());
        assert_eq!(find_date("Adm 20.11.2026 and 2026-11-20", true).len(), 2);
        assert!(find_date("Unit price 26.40/02", true).is_empty(), "no month 40");
        assert!(find_date("2026-13-02", true).is_empty());
        // A time after the date is covered with it; the date is still checked alone.
        assert_eq!(values(find_date("Drawn: 06/04/2026 02:37", true)), vec!["06/04/2026 02:37"]);
        assert_eq!(values(find_date("Adm 11/20/26, 9:05 pm", true)), vec!["11/20/26, 9:05 pm"]);
        assert!(find_date("Prepared 08/69/2626 15:17", true).is_empty(), "no month 69, no year 2626");
        assert_eq!(find_date("Study: 63/06/2026 09:52", true).len(), 1, "a 0 read as 6, a full year");
        assert_eq!(values(find_date("Seen 11/20/2026 12345", true)), vec!["11/20/2026"], "no time");
        assert_eq!(find_age("67 yo F", false).len(), 1);
        assert_eq!(find_age("a 67-year-old man", false).len(), 1);
        assert_eq!(find_age("Age: 67", false).len(), 1);
        assert_eq!(find_age("67 F", true).len(), 1);
        assert!(find_age("67 F", false).is_empty());
        assert!(find_age("Lecture 12 years of data: 250 yrs", false).len() <= 1);
        assert!(find_age("Speed Limit 25", true).is_empty());
        // Near misses: the number and the age word on different lines.
        assert!(find_age("2\nyr", false).is_empty());
        assert!(find_age("7\nyo", false).is_empty());
        assert!(find_age("2\nF", true).is_empty());
        assert!(find_age("Age:\n67", false).is_empty());
    }

    #[test]
    fn phone_ssn_email_room_accession() {
        assert_eq!(find_phone("(734) 555-0142", true).len(), 1);
        assert_eq!(find_phone("Tel: 734-555-0142", false).len(), 1);
        assert!(find_phone("Pizza 734-555-0142", false).is_empty());
        assert_eq!(find_ssn("SSN 123-45-6789").len(), 1);
        assert!(find_ssn("666-12-3456").is_empty());
        assert_eq!(find_email("jane.doe@example.org", true).len(), 1);
        assert!(find_email("info@conference.org", false).is_empty());
        assert_eq!(find_room_bed("Room 412 Bed B", false).len(), 1);
        assert_eq!(find_room_bed("Bed 4", false).len(), 1);
        assert!(find_room_bed("Room 101", false).is_empty());
        assert_eq!(find_room_bed("Room 101", true).len(), 1);
        assert_eq!(find_room_bed("Room 3708\nMichelle Scott", false).len(), 1, "a door sign");
        assert_eq!(find_room_bed("Room 284\nWilson, Barbara", false).len(), 1, "a door sign, LAST, FIRST");
        assert!(find_room_bed("Room 101 Keynote: Green chemistry", false).is_empty());
        assert_eq!(values(find_accession("Acc# S26-004512", false)), vec!["S26-004512"]);
        assert!(find_accession("Account settings", false).is_empty());
        // A receipt's order number is not an accession; a lab order's is.
        assert!(find_accession("Grande Meal Order No: 113533", false).is_empty());
        assert_eq!(find_accession("Order # 4455667", true).len(), 1);
    }

    #[test]
    fn names_need_a_label_a_comma_form_or_context() {
        assert_eq!(find_name("Patient: Jane Smith", false).len(), 1);
        // The name is what follows the label on its line; the label is covered with it.
        let m = find_name("Patient: Joshua williams\nDOB: 11/12/1965", false);
        assert_eq!((m.len(), m[0].value.as_str(), m[0].range.clone()), (1, "Joshua williams", 0..24));
        assert_eq!(find_name("DOE, JANE", false).len(), 1);
        assert_eq!(find_name("SMITH, MARY", false).len(), 1);
        assert_eq!(find_name("CAMPBELL^BARBARA", false).len(), 1, "DICOM person name");
        assert_eq!(find_name("Mary Johnson", true).len(), 1);
        assert!(find_name("Mary Johnson", false).is_empty());
        assert!(find_name("Caesar Salad 12.50", true).is_empty());
        assert!(find_name("Brown sugar, Young adults", true).is_empty());
        // Near misses: two lines of a sign are not "LAST, FIRST" or "First Last", and a
        // name inside prose beside a clinical word is a byline, not a patient's.
        assert!(find_name("WAY\n\"ROYAL", false).is_empty());
        assert!(find_name("Mary\nJohnson", true).is_empty());
        assert!(
            find_name("said Kathleen Kilpatrick, who has written about the hospital for years", true)
                .is_empty()
        );
        assert_eq!(find_name("Bed 4\nMary Johnson", true).len(), 1, "a name on its own line");
        assert!(find_name("Patient: stable", false).is_empty());
        assert_eq!(find_name("SCOTT*EMILY", false).len(), 1, "DICOM ^ read as *");
        for misread in ["Wilson’Barbara", "Nelson; Dorothy", "Nelson: Dorothy", "HERNANDEZ “MATTHEW"] {
            assert_eq!(find_name(misread, false).len(), 1, "{misread}: a comma misread");
        }
        assert!(find_name("Speaker: Young adults", false).is_empty(), "not a surname");
        assert_eq!(find_name("Room 3708\nMichelle Scott", false).len(), 1, "a door sign");
        assert!(find_name("Room 101 · Keynote: Young adults and sleep", false).is_empty());
        assert!(find_name("Mary Johnson Hall, 9:00", false).is_empty(), "no room number, no context");
        // OCR splits a name at a wide letter gap; the halves joined are the census name.
        assert_eq!(values(find_name("Room 199\nEliza beth Carter", false)), vec!["Eliza beth Carter"]);
        assert_eq!(find_name("Room 199\nJohn Car ter", false).len(), 1);
        assert_eq!(
            find_room_bed("Room 199\nEliza beth Carter", false).len(),
            1,
            "a door sign, split name and all"
        );
        // Near misses: the joined halves are no census name, or the fragment is a word.
        assert!(find_name("Room 12\nMary had Johnson", false).is_empty(), "Maryhad is no name");
        assert!(find_name("Room 12\nSoup of Day", false).is_empty());
        // The door-sign cue counts only where it was read with confidence.
        let (text, noise_blanked) = ("bay 9S\nMaple Street", "      \nMaple Street");
        assert_eq!(find_name(text, false).len(), 1);
        assert!(find_name_in(text, noise_blanked, false).is_empty(), "bay 9S read off a texture");
        let door = "Room 199\nMary Johnson";
        assert!(find_room_bed_in(door, "Room 199\n            ", false).is_empty());
        assert_eq!(find_room_bed_in(door, door, false).len(), 1);
    }

    #[test]
    fn clinical_context_is_recognised() {
        assert!(clinical_context("Fall risk\nNPO after midnight"));
        assert!(clinical_context("HR 72 SpO2 98"));
        assert!(!clinical_context("Caesar Salad 12.50\nSoup of the day"));
        assert!(!clinical_context("Krebs cycle ATP Lecture 12"));
        // Short labels only in capitals: OCR noise reads "rr", "Hr", "pt" in textures.
        assert!(clinical_context("Pt: DOE, JANE") && clinical_context("RR 18"));
        assert!(clinical_context("HR59") && clinical_context("BP: 120/80") && clinical_context("RN: Sarah"));
        // Short labels without their value are receipt and texture noise.
        assert!(!clinical_context("GST Summary TAX(RN(") && !clinical_context("A RR ae"));
        assert!(!clinical_context("Wor rr a Hr 04 3 pt"));
        assert!(!clinical_context("Pt oc\ning prawn"), "Pt without a colon is noise");
        assert!(clinical_context("Pt. ID 4455") && clinical_context("Pt name"));
        // An account number is on every card receipt and bank statement: no clinical cue
        // (an "Acct" label still makes its number an identifier, `find_mrn`).
        assert!(!clinical_context("MasterCard Acct: xxxxxxxx8425\n7/30/2012"));
    }
}
