//! Synthetic identities: fixed lists of common US names and a patient with every
//! identifier a scene may print (numbers from the LCG, phones in the fictional 555-01xx range).

use crate::rng::Lcg;

/// Common US first names, alternating male (even index) and female (odd index).
pub(crate) const FIRST_NAMES: [&str; 50] = [
    "JAMES",
    "MARY",
    "ROBERT",
    "PATRICIA",
    "JOHN",
    "JENNIFER",
    "MICHAEL",
    "LINDA",
    "DAVID",
    "ELIZABETH",
    "WILLIAM",
    "BARBARA",
    "RICHARD",
    "SUSAN",
    "JOSEPH",
    "JESSICA",
    "THOMAS",
    "SARAH",
    "CHARLES",
    "KAREN",
    "CHRISTOPHER",
    "LISA",
    "DANIEL",
    "NANCY",
    "MATTHEW",
    "BETTY",
    "ANTHONY",
    "MARGARET",
    "MARK",
    "SANDRA",
    "DONALD",
    "ASHLEY",
    "STEVEN",
    "KIMBERLY",
    "PAUL",
    "EMILY",
    "ANDREW",
    "DONNA",
    "JOSHUA",
    "MICHELLE",
    "KENNETH",
    "CAROL",
    "KEVIN",
    "AMANDA",
    "BRIAN",
    "DOROTHY",
    "GEORGE",
    "MELISSA",
    "TIMOTHY",
    "MARIA",
];

/// Common US surnames.
pub(crate) const SURNAMES: [&str; 50] = [
    "SMITH",
    "JOHNSON",
    "WILLIAMS",
    "BROWN",
    "JONES",
    "GARCIA",
    "MILLER",
    "DAVIS",
    "RODRIGUEZ",
    "MARTINEZ",
    "HERNANDEZ",
    "LOPEZ",
    "GONZALEZ",
    "WILSON",
    "ANDERSON",
    "THOMAS",
    "TAYLOR",
    "MOORE",
    "JACKSON",
    "MARTIN",
    "LEE",
    "PEREZ",
    "THOMPSON",
    "WHITE",
    "HARRIS",
    "SANCHEZ",
    "CLARK",
    "RAMIREZ",
    "LEWIS",
    "ROBINSON",
    "WALKER",
    "YOUNG",
    "ALLEN",
    "KING",
    "WRIGHT",
    "SCOTT",
    "TORRES",
    "NGUYEN",
    "HILL",
    "FLORES",
    "GREEN",
    "ADAMS",
    "NELSON",
    "BAKER",
    "HALL",
    "RIVERA",
    "CAMPBELL",
    "MITCHELL",
    "CARTER",
    "ROBERTS",
];

pub(crate) fn title_case(word: &str) -> String {
    let lower = word.to_lowercase();
    let mut chars = lower.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// One synthetic patient: every identifier a scene may print.
pub(crate) struct Patient {
    first: &'static str,
    pub(crate) last: &'static str,
    pub(crate) sex: char,
    pub(crate) dob: (u32, u32, u32),
    pub(crate) age: u32,
    pub(crate) mrn: String,
    pub(crate) phone: String,
    pub(crate) account: String,
    pub(crate) accession: String,
    pub(crate) room: u32,
    pub(crate) bed: char,
    /// The day the photo's paperwork is dated.
    pub(crate) date: (u32, u32, u32),
    pub(crate) time: (u32, u32),
    /// A staff member's first name (printed on whiteboards; not a patient identifier).
    pub(crate) nurse: &'static str,
}

impl Patient {
    pub(crate) fn new(rng: &mut Lcg) -> Patient {
        let fi = rng.int(0, FIRST_NAMES.len() as u32 - 1) as usize;
        let date = (2026, rng.int(1, 12), rng.int(1, 28));
        let dob = (rng.int(1930, 2008), rng.int(1, 12), rng.int(1, 28));
        let age = date.0 - dob.0 - u32::from((date.1, date.2) < (dob.1, dob.2));
        let mrn_len = rng.int(7, 10) as usize;
        let mrn =
            if rng.chance(0.2) { format!("00{}", rng.digits(mrn_len - 2)) } else { rng.digits(mrn_len) };
        let area = *rng.pick(&[734, 313, 248, 612, 206, 415, 617, 312, 503, 919]);
        Patient {
            first: FIRST_NAMES[fi],
            last: SURNAMES[rng.int(0, SURNAMES.len() as u32 - 1) as usize],
            sex: if fi.is_multiple_of(2) { 'M' } else { 'F' },
            dob,
            age,
            phone: format!("({area}) 555-01{:02}", rng.int(0, 99)),
            account: {
                let n = rng.int(9, 10) as usize;
                rng.digits(n)
            },
            accession: format!(
                "{}{:02}-{:06}",
                rng.pick(&["S", "H", "M", "C"]),
                date.0 % 100,
                rng.int(0, 999_999)
            ),
            mrn,
            room: rng.int(101, 5899),
            bed: *rng.pick(&['A', 'B', 'C', 'D']),
            date,
            time: (rng.int(0, 23), rng.int(0, 59)),
            nurse: FIRST_NAMES[rng.int(0, FIRST_NAMES.len() as u32 - 1) as usize],
        }
    }
    /// "SMITH, JANE"
    pub(crate) fn upper_name(&self) -> String {
        format!("{}, {}", self.last, self.first)
    }
    /// "Jane Smith"
    pub(crate) fn title_name(&self) -> String {
        format!("{} {}", title_case(self.first), title_case(self.last))
    }
    /// "Smith, Jane"
    pub(crate) fn title_last_first(&self) -> String {
        format!("{}, {}", title_case(self.last), title_case(self.first))
    }
    /// "SMITH^JANE", as DICOM burns it in.
    pub(crate) fn dicom_name(&self) -> String {
        format!("{}^{}", self.last, self.first)
    }
    pub(crate) fn us(d: (u32, u32, u32)) -> String {
        format!("{:02}/{:02}/{}", d.1, d.2, d.0)
    }
    pub(crate) fn iso(d: (u32, u32, u32)) -> String {
        format!("{}-{:02}-{:02}", d.0, d.1, d.2)
    }
    pub(crate) fn clock(&self) -> String {
        format!("{:02}:{:02}", self.time.0, self.time.1)
    }
}
