//! Photographed medical documents (class `documents`): lab report, prescription, discharge
//! summary.

use crate::paint::{Face, Fonts, Item, Layer, Look, Rect, Style, jitter, mix, rgba, sd_round_rect, style};
use crate::people::{FIRST_NAMES, Patient, SURNAMES, title_case};
use crate::rng::Lcg;
use crate::scene::Ctx;
use image::Rgba;

const DOC_INK: [u8; 3] = [24, 24, 30];
const DOC_GREY: [u8; 3] = [84, 84, 92];
/// Ballpoint inks for the handwritten parts: blue, dark blue, black.
const PEN_INKS: [[u8; 3]; 3] = [[26, 48, 156], [18, 32, 112], [34, 34, 44]];
/// Letterhead colours.
const ACCENTS: [[u8; 3]; 5] = [[20, 50, 110], [0, 94, 108], [118, 22, 44], [22, 90, 52], [52, 52, 64]];

/// Fictional hospitals (letterheads of lab reports and discharge summaries) and a department.
const HOSPITALS: [(&str, &str); 6] = [
    ("Riverside General Hospital", "Department of Laboratory Medicine"),
    ("Lakeview Regional Medical Center", "Pathology and Laboratory Services"),
    ("St. Aldric Hospital", "Clinical Biochemistry and Haematology"),
    ("Meadowbrook Community Hospital", "Laboratory Services"),
    ("Northgate Medical Center", "Clinical Laboratory"),
    ("Harbor View Hospital", "Division of Laboratory Medicine"),
];
/// Fictional practices (prescription pads).
const CLINICS: [&str; 6] = [
    "Maple Grove Family Practice",
    "Oakridge Medical Group",
    "Cedar Lane Clinic",
    "Parkside Internal Medicine",
    "Willow Creek Health Center",
    "Brookfield Primary Care",
];
const STREET_NAMES: [&str; 10] =
    ["Oak", "Maple", "Cedar", "Elm", "Pine", "Lakeshore", "Hillcrest", "Park", "Washington", "Lincoln"];
const STREET_TYPES: [&str; 6] = ["St", "Ave", "Rd", "Dr", "Blvd", "Ln"];
const CITIES: [(&str, &str); 8] = [
    ("Springfield", "IL"),
    ("Riverton", "MI"),
    ("Fairview", "OH"),
    ("Greenville", "SC"),
    ("Madison", "WI"),
    ("Franklin", "TN"),
    ("Clinton", "IA"),
    ("Georgetown", "KY"),
];

/// A street address from the LCG: ("4821 Hillcrest Ave", "Georgetown, KY 40324").
fn street_address(rng: &mut Lcg) -> (String, String) {
    let street = format!("{} {} {}", rng.int(10, 9899), rng.pick(&STREET_NAMES), rng.pick(&STREET_TYPES));
    let (city, state) = *rng.pick(&CITIES);
    (street, format!("{city}, {state} {:05}", rng.int(10_000, 99_899)))
}

/// A clinician: "Dr. Karen Lopez" (not a patient identifier, like the nurse on whiteboards).
fn doctor(rng: &mut Lcg) -> String {
    let first = FIRST_NAMES[rng.int(0, FIRST_NAMES.len() as u32 - 1) as usize];
    let last = SURNAMES[rng.int(0, SURNAMES.len() as u32 - 1) as usize];
    format!("Dr. {} {}", title_case(first), title_case(last))
}

fn clinic_phone(rng: &mut Lcg) -> String {
    format!("({}) 555-01{:02}", rng.pick(&[734, 313, 248, 612, 206, 415]), rng.int(0, 99))
}

/// `d` moved by `n` days (proleptic Gregorian calendar).
fn add_days(d: (u32, u32, u32), n: i32) -> (u32, u32, u32) {
    let month_len = |y: u32, m: u32| match m {
        2 if (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    let (mut y, mut m, mut day) = (d.0, d.1, d.2 as i32 + n);
    while day < 1 {
        (y, m) = if m == 1 { (y - 1, 12) } else { (y, m - 1) };
        day += month_len(y, m);
    }
    while day > month_len(y, m) {
        day -= month_len(y, m);
        (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    }
    (y, m, day as u32)
}

/// How a document prints dates: "03/14/1957" (US) or "14-Mar-1957".
#[derive(Clone, Copy)]
enum DateStyle {
    Us,
    DayMonth,
}

impl DateStyle {
    fn fmt(self, d: (u32, u32, u32)) -> String {
        const MONTHS: [&str; 12] =
            ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
        match self {
            DateStyle::Us => Patient::us(d),
            DateStyle::DayMonth => format!("{:02}-{}-{}", d.2, MONTHS[d.1 as usize - 1], d.0),
        }
    }
}

/// One drawing step of a page. Steps are recorded first and drawn by `Page::finish`, once the
/// page's height (which depends on how much was written) is known and the paper is down.
enum Op {
    Text { st: Style, x: f32, baseline: f32, text: String, item: Option<(&'static str, String)> },
    Hand { st: Style, x: f32, baseline: f32, text: String, seed: u64, item: Option<(&'static str, String)> },
    Fill { r: Rect, color: Rgba<u8> },
    Stroke { points: Vec<(f32, f32)>, width: f32, color: Rgba<u8> },
}

/// A label and its value on a document ("MRN:" and "12345678"). `kind` makes the value an
/// identifier: its box covers the value alone, since the label stands in its own column.
struct Field {
    label: String,
    value: String,
    kind: Option<&'static str>,
    /// Written by hand (in the page's pen) rather than printed.
    hand: bool,
}

fn field(label: &str, value: &str, kind: Option<&'static str>) -> Field {
    Field { label: label.to_string(), value: value.to_string(), kind, hand: false }
}

/// How a block of fields is laid out.
#[derive(Clone, Copy, PartialEq)]
enum Block {
    /// One column: labels left, values aligned right of the widest label.
    Single,
    /// Two such columns side by side; the first `n` fields go left.
    Columns(usize),
    /// A ruled grid, two cells a row: a small label over its value in each cell.
    Grid,
}

/// A word of running text, optionally an identifier (kind, value).
type Tok = (String, Option<(&'static str, String)>);

pub(crate) fn words(s: &str) -> Vec<Tok> {
    s.split_whitespace().map(|w| (w.to_string(), None)).collect()
}

/// A document page under construction. Lengths are in pixels; `c` is the body cap height.
struct Page<'a> {
    f: &'a Fonts,
    look: Look,
    paper: [u8; 3],
    c: f32,
    /// Page width (set once the widest content is known) and margin.
    w: f32,
    m: f32,
    /// The pen of the handwritten parts and the randomness of the hand and the signatures.
    pen: [u8; 3],
    pen_face: Face,
    hand_rng: Lcg,
    ops: Vec<Op>,
    /// Lowest ink so far: the page's content ends here.
    bottom: f32,
}

impl<'a> Page<'a> {
    fn new(rng: &mut Lcg, ctx: &Ctx<'a>, c: f32) -> Page<'a> {
        let paper = *rng.pick(&[[250, 250, 248], [246, 244, 236], [252, 251, 246], [241, 241, 237]]);
        Page {
            f: ctx.fonts,
            look: ctx.look,
            paper: jitter(rng, paper, 3.0),
            c,
            w: 0.0,
            m: c * 3.2,
            pen: *rng.pick(&PEN_INKS),
            pen_face: if rng.chance(0.7) { Face::Sans } else { Face::Bold },
            hand_rng: Lcg::new(u64::from(rng.next_u32())),
            ops: Vec::new(),
            bottom: 0.0,
        }
    }

    /// A style `size` body caps tall in `ink` printed on the paper.
    fn st(&self, face: Face, size: f32, ink: [u8; 3]) -> Style {
        style(face, self.c * size, self.look.ink(ink, self.paper))
    }

    /// Sets the page width: `caps` body caps, widened to hold `needed` (content widths) inside
    /// the margins.
    fn set_width(&mut self, caps: f32, needed: &[f32]) {
        self.w = (caps * self.c).max(needed.iter().copied().fold(0.0, f32::max) + 2.0 * self.m);
    }

    fn width(&self, st: Style, text: &str) -> f32 {
        self.f.width(st, text)
    }

    /// The handwriting style for printed style `st`: the page's pen, a little larger.
    fn hand_style(&self, st: Style) -> Style {
        style(self.pen_face, st.cap * 1.1, self.look.ink(self.pen, self.paper))
    }

    /// Advance width of handwriting in `st` (the hand style), with room for its slant.
    fn hand_width(&self, st: Style, text: &str) -> f32 {
        self.f.width(st, text) * 1.06 + st.cap * 0.4
    }

    /// Printed text; returns the x where it ends.
    fn text(&mut self, st: Style, x: f32, baseline: f32, text: &str) -> f32 {
        self.put(st, x, baseline, text, None)
    }

    fn put(
        &mut self,
        st: Style,
        x: f32,
        baseline: f32,
        text: &str,
        item: Option<(&'static str, String)>,
    ) -> f32 {
        self.bottom = self.bottom.max(baseline + st.cap * 0.35);
        self.ops.push(Op::Text { st, x, baseline, text: text.to_string(), item });
        x + self.f.width(st, text)
    }

    /// Handwriting in the hand style `st`; returns the x where it ends.
    fn hand(
        &mut self,
        st: Style,
        x: f32,
        baseline: f32,
        text: &str,
        item: Option<(&'static str, String)>,
    ) -> f32 {
        self.bottom = self.bottom.max(baseline + st.cap * 0.5);
        let seed = u64::from(self.hand_rng.next_u32());
        self.ops.push(Op::Hand { st, x, baseline, text: text.to_string(), seed, item });
        x + self.hand_width(st, text)
    }

    /// Printed text right-aligned at the right margin.
    fn text_right(&mut self, st: Style, baseline: f32, text: &str) {
        let x = self.w - self.m - self.width(st, text);
        self.text(st, x, baseline, text);
    }

    fn fill(&mut self, r: Rect, color: Rgba<u8>) {
        self.bottom = self.bottom.max(r[3]);
        self.ops.push(Op::Fill { r, color });
    }

    /// A horizontal rule `t` pixels thick (at least one) centred on `y`.
    fn hrule(&mut self, x0: f32, x1: f32, y: f32, t: f32, ink: [u8; 3]) {
        let t = t.max(1.0);
        let color = self.look.ink(ink, self.paper);
        self.fill([x0, y - t / 2.0, x1, y + t / 2.0], color);
    }

    fn vrule(&mut self, x: f32, y0: f32, y1: f32, t: f32, ink: [u8; 3]) {
        let t = t.max(1.0);
        let color = self.look.ink(ink, self.paper);
        self.fill([x - t / 2.0, y0, x + t / 2.0, y1], color);
    }

    /// A signature: a pen scribble `len` wide sitting on `baseline`.
    fn signature(&mut self, x: f32, baseline: f32, len: f32) {
        let c = self.c;
        let r = &mut self.hand_rng;
        let n = r.int(10, 18);
        let mut points = Vec::new();
        for i in 0..=n {
            let t = i as f32 / n as f32;
            let up = if i % 2 == 0 { -r.range(0.6, 1.8) } else { r.range(-0.1, 0.5) };
            points.push((x + t * len + r.range(-0.3, 0.3) * c, baseline + up * c));
        }
        // A flourish back under the name.
        points.push((x + len * r.range(0.2, 0.5), baseline + c * r.range(0.3, 0.7)));
        let color = self.look.ink(self.pen, self.paper);
        self.bottom = self.bottom.max(baseline + c);
        self.ops.push(Op::Stroke { points, width: (c * 0.12).max(1.5), color });
    }

    /// A field's value: printed in `st` or handwritten, and recorded as an identifier.
    fn value(&mut self, st: Style, x: f32, baseline: f32, fl: &Field) -> f32 {
        let item = fl.kind.map(|k| (k, fl.value.clone()));
        if fl.hand {
            let hs = self.hand_style(st);
            self.hand(hs, x, baseline, &fl.value, item)
        } else {
            self.put(st, x, baseline, &fl.value, item)
        }
    }

    fn value_width(&self, st: Style, fl: &Field) -> f32 {
        if fl.hand { self.hand_width(self.hand_style(st), &fl.value) } else { self.width(st, &fl.value) }
    }

    /// Widest label and widest value of a column of fields.
    fn column_widths(&self, lab: Style, val: Style, fields: &[Field]) -> (f32, f32) {
        fields.iter().fold((0.0, 0.0), |(l, v), fl| {
            (f32::max(l, self.width(lab, &fl.label)), f32::max(v, self.value_width(val, fl)))
        })
    }

    fn grid_widths(&self, small: Style, val: Style, fields: &[Field]) -> [f32; 2] {
        let mut w = [0.0f32; 2];
        for (i, fl) in fields.iter().enumerate() {
            let cell = self.width(small, &fl.label).max(self.value_width(val, fl)) + self.c * 1.6;
            w[i % 2] = w[i % 2].max(cell);
        }
        w
    }

    fn block_width(&self, lab: Style, val: Style, small: Style, fields: &[Field], block: Block) -> f32 {
        let gap = self.c * 1.2;
        match block {
            Block::Single => {
                let (l, v) = self.column_widths(lab, val, fields);
                l + gap + v
            }
            Block::Columns(n) => {
                let (a, b) = fields.split_at(n.min(fields.len()));
                let (la, va) = self.column_widths(lab, val, a);
                let (lb, vb) = self.column_widths(lab, val, b);
                la + va + lb + vb + 2.0 * gap + self.c * 3.0
            }
            Block::Grid => self.grid_widths(small, val, fields).iter().sum(),
        }
    }

    /// Draws a block of fields from the top `y` at the left margin; returns the y below it.
    #[allow(clippy::too_many_arguments)]
    fn block(
        &mut self,
        y: f32,
        lab: Style,
        val: Style,
        small: Style,
        fields: &[Field],
        block: Block,
        rule: [u8; 3],
    ) -> f32 {
        let (c, m, gap) = (self.c, self.m, self.c * 1.2);
        // Handwriting is larger and wanders: give it more room.
        let pitch = if fields.iter().any(|fl| fl.hand) { c * 2.5 } else { c * 2.0 };
        let column = |pg: &mut Page<'_>, x: f32, fields: &[Field]| -> f32 {
            let (l, _) = pg.column_widths(lab, val, fields);
            for (i, fl) in fields.iter().enumerate() {
                let b = y + pitch * i as f32 + c * 1.4;
                pg.text(lab, x, b, &fl.label);
                let vx = x + l + gap;
                let end = pg.value(val, vx, b, fl);
                if fl.hand {
                    // The dotted line of a form the value was written on.
                    pg.hrule(vx - c * 0.2, end + c * 0.5, b + c * 0.4, c * 0.06, DOC_GREY);
                }
            }
            x + l + gap + pg.column_widths(lab, val, fields).1
        };
        match block {
            Block::Single => {
                column(self, m, fields);
                y + pitch * fields.len() as f32 + c * 0.6
            }
            Block::Columns(n) => {
                let (a, b) = fields.split_at(n.min(fields.len()));
                let end = column(self, m, a);
                column(self, end + c * 3.0, b);
                y + pitch * a.len().max(b.len()) as f32 + c * 0.6
            }
            Block::Grid => {
                let widths = self.grid_widths(small, val, fields);
                let cell_h = c * 3.3;
                let rows = fields.len().div_ceil(2);
                let t = (c * 0.1).max(1.4);
                let x1 = m + widths[0] + widths[1];
                for r in 0..=rows {
                    self.hrule(m, x1, y + cell_h * r as f32, t, rule);
                }
                let y1 = y + cell_h * rows as f32;
                for x in [m, m + widths[0], x1] {
                    self.vrule(x, y, y1, t, rule);
                }
                for (i, fl) in fields.iter().enumerate() {
                    let (cx, cy) =
                        (m + if i % 2 == 0 { 0.0 } else { widths[0] } + c * 0.8, y + cell_h * (i / 2) as f32);
                    self.text(small, cx, cy + c * 1.25, &fl.label);
                    self.value(val, cx, cy + c * 2.7, fl);
                }
                y1 + c * 1.2
            }
        }
    }

    /// Column widths of a table (cell padding included); a one-cell row is a section heading.
    fn table_widths(&self, head: Style, cell: Style, header: &[&str], rows: &[Vec<String>]) -> Vec<f32> {
        let mut w: Vec<f32> = header.iter().map(|h| self.width(head, h)).collect();
        for row in rows.iter().filter(|r| r.len() == header.len()) {
            for (i, s) in row.iter().enumerate() {
                w[i] = w[i].max(self.width(cell, s));
            }
        }
        w.iter().map(|v| v + self.c * 1.6).collect()
    }

    /// A results table from the top `y` at the left margin, ruled as a grid or with rules under
    /// the header and at the end (then with shaded alternate rows if `shade`); returns the y
    /// below it.
    #[allow(clippy::too_many_arguments)]
    fn table(
        &mut self,
        y: f32,
        head: Style,
        cell: Style,
        header: &[&str],
        rows: &[Vec<String>],
        grid: bool,
        shade: Option<[u8; 3]>,
        rule: [u8; 3],
    ) -> f32 {
        let c = self.c;
        let widths = self.table_widths(head, cell, header, rows);
        let (x0, pitch, t) = (self.m, c * 2.0, (c * 0.1).max(1.4));
        let x1 = x0 + widths.iter().sum::<f32>();
        let xs: Vec<f32> = widths.iter().scan(x0, |x, w| Some(std::mem::replace(x, *x + w))).collect();
        let row_y = |i: usize| y + c * 2.3 + pitch * i as f32;
        let end = row_y(rows.len());
        if let Some(s) = shade {
            let color = rgba(mix(self.paper, s, 0.1));
            self.fill([x0, y, x1, y + c * 2.3], color);
            for i in (1..rows.len()).step_by(2) {
                self.fill([x0, row_y(i), x1, row_y(i + 1)], color);
            }
        }
        for (i, h) in header.iter().enumerate() {
            self.text(head, xs[i] + c * 0.7, y + c * 1.65, h);
        }
        for (r, row) in rows.iter().enumerate() {
            let b = row_y(r) + c * 1.5;
            if row.len() == header.len() {
                for (i, s) in row.iter().enumerate() {
                    self.text(cell, xs[i] + c * 0.7, b, s);
                }
            } else {
                self.text(head, xs[0] + c * 0.7, b, &row[0]);
            }
        }
        if grid {
            for i in 0..=rows.len() {
                self.hrule(x0, x1, row_y(i), t, rule);
            }
            self.hrule(x0, x1, y, t, rule);
            for x in xs.iter().copied().chain([x1]) {
                self.vrule(x, y, end, t, rule);
            }
        } else {
            self.hrule(x0, x1, y, t * 1.5, rule);
            self.hrule(x0, x1, row_y(0), t, rule);
            self.hrule(x0, x1, end, t * 1.5, rule);
        }
        end + c * 1.2
    }

    /// Running text wrapped between the margins from the top `y`; returns the y below it.
    fn paragraph(&mut self, y: f32, st: Style, toks: &[Tok]) -> f32 {
        let (c, pitch) = (self.c, st.cap * 1.85);
        let space = self.width(st, " ");
        let (x0, x1) = (self.m, self.w - self.m);
        let (mut x, mut b) = (x0, y + c * 1.4);
        for (word, item) in toks {
            let w = self.width(st, word);
            if x > x0 && x + w > x1 {
                x = x0;
                b += pitch;
            }
            self.put(st, x, b, word, item.clone());
            x += w + space;
        }
        b + pitch - c * 1.4 + c * 0.5
    }

    /// A letterhead: 0, a coloured band across the top with the name reversed out; 1, the name
    /// centred over a rule; 2, the name left and `right` right-aligned, over a rule. A round mark
    /// stands before the name. Returns the y below it.
    #[allow(clippy::too_many_arguments)]
    fn letterhead(
        &mut self,
        kind: u32,
        accent: [u8; 3],
        bold: Face,
        body: Face,
        name: &str,
        sub: &[String],
        right: &[String],
    ) -> f32 {
        let c = self.c;
        let surface = if kind == 0 { accent } else { self.paper };
        let name_ink = if kind == 0 { [250, 250, 250] } else { accent };
        let sub_ink = if kind == 0 { mix([250, 250, 250], accent, 0.2) } else { DOC_GREY };
        let name_st = style(bold, c * 1.45, self.look.ink(name_ink, surface));
        let sub_st = style(body, c * 0.9, self.look.ink(sub_ink, surface));
        let logo = c * 2.2;
        let top = if kind == 0 { c * 1.6 } else { self.m * 0.8 };
        let name_b = top + c * 1.45;
        let lines: Vec<&String> =
            if kind == 2 { sub.iter().collect() } else { sub.iter().chain(right).collect() };
        let last_b = name_b + c * 1.6 * lines.len() as f32;
        let bottom = last_b.max(name_b + c * 1.6 * right.len() as f32) + c * 0.9;
        if kind == 0 {
            self.fill([0.0, 0.0, self.w, bottom + c * 0.4], rgba(accent));
        }
        let left_w = self.width(name_st, name) + logo;
        let x = if kind == 1 { (self.w - left_w) / 2.0 } else { self.m };
        // The mark: a disc with a cross in it.
        let (mx, my, r) = (x + c * 0.85, name_b - c * 0.72, c * 0.85);
        let (disc, cross) = if kind == 0 { ([250, 250, 250], accent) } else { (accent, self.paper) };
        self.ops.push(Op::Stroke {
            points: vec![(mx, my), (mx, my)],
            width: r * 2.0,
            color: self.look.ink(disc, surface),
        });
        self.ops.push(Op::Stroke {
            points: vec![(mx - r * 0.55, my), (mx + r * 0.55, my)],
            width: r * 0.4,
            color: rgba(cross),
        });
        self.ops.push(Op::Stroke {
            points: vec![(mx, my - r * 0.55), (mx, my + r * 0.55)],
            width: r * 0.4,
            color: rgba(cross),
        });
        self.text(name_st, x + logo, name_b, name);
        for (i, s) in lines.iter().enumerate() {
            let b = name_b + c * 1.6 * (i + 1) as f32;
            if kind == 1 {
                let lx = (self.w - self.width(sub_st, s)) / 2.0;
                self.text(sub_st, lx, b, s);
            } else {
                self.text(sub_st, x + logo, b, s);
            }
        }
        if kind == 2 {
            for (i, s) in right.iter().enumerate() {
                self.text_right(sub_st, name_b + c * 1.6 * i as f32, s);
            }
        }
        if kind != 0 {
            self.hrule(self.m, self.w - self.m, bottom, c * 0.15, accent);
        }
        bottom + c * 1.6
    }

    fn letterhead_width(
        &self,
        kind: u32,
        bold: Face,
        body: Face,
        name: &str,
        sub: &[String],
        right: &[String],
    ) -> f32 {
        let c = self.c;
        let name_st = style(bold, c * 1.45, rgba(DOC_INK));
        let sub_st = style(body, c * 0.9, rgba(DOC_INK));
        let widest = |lines: &[String]| lines.iter().map(|s| self.width(sub_st, s)).fold(0.0, f32::max);
        let left = (self.width(name_st, name)).max(widest(sub)) + c * 2.2;
        if kind == 2 { left + c * 3.0 + widest(right) } else { left.max(widest(right) + c * 2.2) }
    }

    /// Paints the paper (with fold creases on some pages) and draws the recorded steps. The page
    /// is `ratio` times as tall as wide, or taller if its content needs it; the layer's core
    /// is the part with content, so the blank foot of a page may run out of the frame.
    fn finish(self, rng: &mut Lcg, ratio: f32) -> Layer {
        let (c, w) = (self.c, self.w);
        let content = self.bottom + self.m * 0.7;
        let h = (w * ratio).max(content);
        let mut layer = Layer::new(w, h);
        let page = [0.0, 0.0, w, h];
        layer.paint(page, rgba(self.paper), sd_round_rect(page, c * 0.1));
        if rng.chance(0.35) {
            // Letter folded in three: a faint shadow above each crease, a highlight below.
            for k in [1.0, 2.0] {
                let (cy, band) = (h * k / 3.0, c * 0.9);
                let r = [0.0, cy - band, w, cy + band];
                layer.paint_with(r, sd_round_rect(r, 0.0), |_, y| {
                    let t = (y - cy) / band;
                    if t < 0.0 {
                        Rgba([0, 0, 0, (16.0 * (1.0 + t)) as u8])
                    } else {
                        Rgba([255, 255, 255, (22.0 * (1.0 - t)) as u8])
                    }
                });
            }
        }
        let f = self.f;
        for op in self.ops {
            match op {
                Op::Text { st, x, baseline, text, item } => {
                    let rect = layer.text(f, st, x, baseline, &text);
                    if let Some((kind, text)) = item {
                        layer.items.push(Item { kind, text, rect });
                    }
                }
                Op::Hand { st, x, baseline, text, seed, item } => {
                    let rect = layer.hand_text(f, st, x, baseline, &text, &mut Lcg::new(seed));
                    if let Some((kind, text)) = item {
                        layer.items.push(Item { kind, text, rect });
                    }
                }
                Op::Fill { r, color } => layer.paint(r, color, sd_round_rect(r, 0.0)),
                Op::Stroke { points, width, color } => layer.polyline(&points, width, color),
            }
        }
        layer.core = [0.0, 0.0, w, content.min(h)];
        layer
    }
}

/// A laboratory test: US and UK name, units, reference range, decimals printed.
struct LabTest {
    us: &'static str,
    uk: &'static str,
    unit: &'static str,
    lo: f32,
    hi: f32,
    dec: usize,
}

const fn lab_test(
    us: &'static str,
    uk: &'static str,
    unit: &'static str,
    lo: f32,
    hi: f32,
    dec: usize,
) -> LabTest {
    LabTest { us, uk, unit, lo, hi, dec }
}

const HAEMATOLOGY: [LabTest; 5] = [
    lab_test("Hemoglobin", "Haemoglobin", "g/dL", 12.0, 16.0, 1),
    lab_test("WBC", "WBC", "x10^9/L", 4.0, 11.0, 1),
    lab_test("RBC", "RBC", "x10^12/L", 4.2, 5.9, 2),
    lab_test("Hematocrit", "Haematocrit", "%", 36.0, 48.0, 1),
    lab_test("Platelets", "Platelets", "x10^9/L", 150.0, 400.0, 0),
];
const CHEMISTRY: [LabTest; 7] = [
    lab_test("Sodium", "Sodium", "mmol/L", 135.0, 145.0, 0),
    lab_test("Potassium", "Potassium", "mmol/L", 3.5, 5.1, 1),
    lab_test("Chloride", "Chloride", "mmol/L", 98.0, 107.0, 0),
    lab_test("BUN", "Urea", "mg/dL", 7.0, 20.0, 0),
    lab_test("Creatinine", "Creatinine", "mg/dL", 0.6, 1.2, 2),
    lab_test("Glucose", "Glucose", "mg/dL", 70.0, 99.0, 0),
    lab_test("HbA1c", "HbA1c", "%", 4.0, 5.6, 1),
];
const LIVER: [LabTest; 4] = [
    lab_test("ALT", "ALT", "U/L", 7.0, 56.0, 0),
    lab_test("AST", "AST", "U/L", 10.0, 40.0, 0),
    lab_test("Alkaline Phosphatase", "Alkaline Phosphatase", "U/L", 44.0, 147.0, 0),
    lab_test("CRP", "CRP", "mg/L", 0.0, 5.0, 1),
];

/// Drugs for prescriptions and discharge medication lists: line, directions, quantity.
const DRUGS: [(&str, &str, u32); 10] = [
    ("Amoxicillin 500 mg capsules", "1 cap three times daily for 7 days", 21),
    ("Lisinopril 10 mg tablets", "1 tab by mouth once daily", 30),
    ("Metformin 500 mg tablets", "1 tab twice daily with meals", 60),
    ("Atorvastatin 20 mg tablets", "1 tab at bedtime", 30),
    ("Ibuprofen 400 mg tablets", "1 tab every 8 hours as needed for pain", 20),
    ("Omeprazole 20 mg capsules", "1 cap daily before breakfast", 28),
    ("Salbutamol 100 mcg inhaler", "2 puffs every 4-6 hours as needed", 1),
    ("Prednisolone 5 mg tablets", "6 tabs once daily for 5 days", 30),
    ("Cephalexin 500 mg capsules", "1 cap four times daily for 10 days", 40),
    ("Furosemide 40 mg tablets", "1 tab every morning", 30),
];

/// Cases for discharge summaries: diagnosis, history, complaint, findings, hospital course,
/// discharge drugs (indices into `DRUGS`). `{He}`, `{he}`, `{his}` are replaced by pronouns.
type Case = (&'static str, &'static str, &'static str, &'static str, &'static str, [usize; 3]);
const CASES: [Case; 6] = [
    (
        "Community-acquired pneumonia",
        "hypertension and type 2 diabetes",
        "three days of fever, productive cough and shortness of breath",
        "febrile to 38.9 C with crackles at the right base, and a chest X-ray showed right lower lobe consolidation",
        "was treated with intravenous ceftriaxone and azithromycin and switched to oral amoxicillin once afebrile for 48 hours",
        [0, 2, 1],
    ),
    (
        "Acute exacerbation of COPD",
        "COPD and a 40 pack-year smoking history",
        "four days of worsening wheeze and breathlessness",
        "saturating 86% on room air with diffuse expiratory wheeze",
        "received nebulised bronchodilators and oral prednisolone and improved steadily",
        [7, 6, 5],
    ),
    (
        "Cellulitis of the left lower leg",
        "obesity and venous insufficiency",
        "two days of a red, painful and swollen left shin",
        "found to have spreading erythema without an abscess on ultrasound",
        "was treated with intravenous cefazolin and then oral cephalexin as the redness receded",
        [8, 4, 3],
    ),
    (
        "Acute appendicitis, status post laparoscopic appendectomy",
        "no significant past medical history",
        "one day of periumbilical pain migrating to the right lower quadrant",
        "tender at McBurney's point with a raised white cell count, and CT confirmed appendicitis",
        "underwent an uncomplicated laparoscopic appendectomy and tolerated a regular diet on the first postoperative day",
        [4, 5, 0],
    ),
    (
        "Congestive heart failure exacerbation",
        "ischemic cardiomyopathy and atrial fibrillation",
        "a week of increasing leg swelling and orthopnea",
        "hypoxic with bibasal crackles and pitting edema to the knees",
        "was diuresed with intravenous furosemide, losing 4 kg, and {his} home medications were optimised",
        [9, 1, 3],
    ),
    (
        "Urinary tract infection with acute kidney injury",
        "chronic kidney disease stage 3",
        "dysuria, fever and new confusion",
        "febrile with a creatinine of 2.1 mg/dL, above {his} baseline of 1.3",
        "was treated with intravenous fluids and ceftriaxone, and {his} creatinine returned to baseline",
        [8, 2, 5],
    ),
];

/// The styles most pages use: (bold face, body face); a quarter of lab reports are printed by a
/// laboratory system in monospace throughout.
fn doc_faces(mono: bool) -> (Face, Face) {
    if mono { (Face::Mono, Face::Mono) } else { (Face::Bold, Face::Sans) }
}

/// A photographed laboratory report: letterhead, patient fields, a results table.
pub(crate) fn lab_report(rng: &mut Lcg, ctx: &Ctx<'_>, cap: f32) -> Layer {
    let (p, c) = (ctx.patient, cap);
    let mut pg = Page::new(rng, ctx, c);
    let mono = rng.chance(0.25);
    let (bold, body) = doc_faces(mono);
    let uk = rng.chance(0.4);
    let (org, dept) = *rng.pick(&HOSPITALS);
    let accent = *rng.pick(&ACCENTS);
    let head = rng.int(0, 2);
    let block = *rng.pick(&[Block::Single, Block::Columns(4), Block::Columns(4), Block::Grid]);
    let grid = rng.chance(0.5);
    let shade = (!grid && rng.chance(0.5)).then_some(accent);
    let dates = if uk && rng.chance(0.5) { DateStyle::DayMonth } else { DateStyle::Us };
    let (street, city) = street_address(rng);
    let sub = vec![dept.to_string(), format!("{street}, {city}")];
    let right = vec![format!("Tel {}", clinic_phone(rng)), format!("Fax {}", clinic_phone(rng))];
    let name = if rng.chance(0.6) { p.upper_name() } else { p.title_last_first() };
    let collected = format!("{} {}", dates.fmt(p.date), p.clock());
    let (rh, rm) = (p.time.0 + rng.int(1, 6), rng.int(0, 59));
    let reported = if rh < 24 {
        format!("{} {rh:02}:{rm:02}", dates.fmt(p.date))
    } else {
        format!("{} {:02}:{rm:02}", dates.fmt(add_days(p.date, 1)), rh - 24)
    };
    let sex = if rng.chance(0.5) {
        p.sex.to_string()
    } else if p.sex == 'F' {
        "Female".into()
    } else {
        "Male".into()
    };
    let mrn_label = *rng.pick(&["MRN:", "Hospital No:", "Patient ID:"]);
    let dob_label = *rng.pick(&["DOB:", "Date of Birth:"]);
    let mut fields = vec![
        field("Patient Name:", &name, Some("name")),
        field(mrn_label, &p.mrn, Some("mrn")),
        field(dob_label, &dates.fmt(p.dob), Some("dob")),
    ];
    if rng.chance(0.5) {
        fields.push(field("Age:", &p.age.to_string(), Some("age")));
    }
    fields.push(field("Sex:", &sex, None));
    let left = fields.len();
    let lab_label = *rng.pick(&["Lab No:", "Accession:", "Specimen No:"]);
    fields.extend([
        field(lab_label, &p.accession, Some("accession")),
        field("Collected:", &collected, Some("date")),
        field("Reported:", &reported, Some("date")),
        field("Requested by:", &doctor(rng), None),
    ]);
    let block = if let Block::Columns(_) = block { Block::Columns(left) } else { block };
    // Results: a blood count and/or chemistry, sometimes liver tests, with section headings.
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut panel = |rng: &mut Lcg, title: &str, tests: &[LabTest], n: u32| {
        rows.push(vec![title.to_string()]);
        let start = rng.int(0, tests.len() as u32 - n) as usize;
        for t in &tests[start..start + n as usize] {
            let v = (t.lo + (t.hi - t.lo) * rng.range(-0.3, 1.3)).max(0.0);
            let v: f32 = format!("{v:.*}", t.dec).parse().unwrap_or(v);
            let flag = if v > t.hi {
                "H"
            } else if v < t.lo {
                "L"
            } else {
                ""
            };
            rows.push(vec![
                (if uk { t.uk } else { t.us }).to_string(),
                format!("{v:.*}", t.dec),
                flag.to_string(),
                t.unit.to_string(),
                format!("{:.*} - {:.*}", t.dec, t.lo, t.dec, t.hi),
            ]);
        }
    };
    let (haem, chem) = match rng.int(0, 2) {
        0 => (true, false),
        1 => (false, true),
        _ => (true, true),
    };
    if haem {
        let n = rng.int(3, 5);
        panel(rng, if uk { "HAEMATOLOGY" } else { "HEMATOLOGY" }, &HAEMATOLOGY, n);
    }
    if chem {
        let n = rng.int(4, 7);
        panel(rng, if uk { "CLINICAL BIOCHEMISTRY" } else { "CHEMISTRY" }, &CHEMISTRY, n);
    }
    if !(haem && chem) || rng.chance(0.3) {
        let n = rng.int(2, 4);
        panel(rng, "LIVER FUNCTION", &LIVER, n);
    }
    let header = ["Test", "Result", "Flag", "Units", "Reference Range"];
    let title = *rng.pick(&[
        "LABORATORY REPORT",
        "Laboratory Report",
        "FINAL REPORT",
        "Cumulative Laboratory Report",
    ]);
    let lab = pg.st(bold, 1.0, DOC_INK);
    let val = pg.st(body, 1.0, DOC_INK);
    let small = pg.st(body, 0.8, DOC_GREY);
    let title_st = pg.st(bold, 1.3, DOC_INK);
    let needed = [
        pg.letterhead_width(head, bold, body, org, &sub, &right),
        pg.block_width(lab, val, small, &fields, block),
        pg.table_widths(lab, val, &header, &rows).iter().sum(),
        pg.width(title_st, title),
    ];
    pg.set_width(rng.range(44.0, 50.0), &needed);
    let mut y = pg.letterhead(head, accent, bold, body, org, &sub, &right);
    pg.text(title_st, pg.m, y + c * 1.3, title);
    y += c * 3.0;
    y = pg.block(y, lab, val, small, &fields, block, DOC_GREY);
    y += c * 0.8;
    y = pg.table(y, lab, val, &header, &rows, grid, shade, DOC_GREY);
    let foot = pg.st(body, 0.9, DOC_INK);
    if rng.chance(0.6) {
        let comment = *rng.pick(&[
            "Comments: Specimen received in good condition.",
            "Comments: Results telephoned to the ward.",
            "Comments: Mildly haemolysed sample.",
        ]);
        pg.text(foot, pg.m, y + c * 1.2, comment);
        y += c * 2.0;
    }
    pg.text(foot, pg.m, y + c * 1.2, &format!("Verified by: {}", doctor(rng)));
    y += c * 2.4;
    let end = "*** End of Report ***";
    let ex = (pg.w - pg.width(foot, end)) / 2.0;
    pg.text(foot, ex, y + c * 1.2, end);
    pg.text_right(foot, y + c * 1.2, "Page 1 of 1");
    let ratio = *rng.pick(&[1.294, 1.414]);
    pg.finish(rng, ratio)
}

/// A photographed prescription: practice header, patient fields (often handwritten), "Rx", one
/// or two drugs with directions, quantity and refills, the prescriber's signature.
pub(crate) fn prescription(rng: &mut Lcg, ctx: &Ctx<'_>, cap: f32) -> Layer {
    let (p, c) = (ctx.patient, cap);
    let mut pg = Page::new(rng, ctx, c);
    let hand = rng.chance(0.6);
    let (bold, body) = doc_faces(false);
    let clinic = *rng.pick(&CLINICS);
    let prescriber = format!("{}, MD", doctor(rng));
    let specialty = *rng.pick(&["Family Medicine", "Internal Medicine", "General Practice", "Pediatrics"]);
    let accent = *rng.pick(&ACCENTS);
    let head = rng.int(0, 2);
    let (street, city) = street_address(rng);
    let sub = vec![format!("{prescriber} - {specialty}"), format!("{street}, {city}")];
    let right = vec![format!("Tel {}", clinic_phone(rng)), format!("Lic. No. {}", rng.digits(7))];
    let name = if hand || rng.chance(0.5) { p.title_name() } else { p.upper_name() };
    let (pstreet, pcity) = street_address(rng);
    let mut fields = vec![field("Patient:", &name, Some("name"))];
    fields.push(field("DOB:", &Patient::us(p.dob), Some("dob")));
    fields.push(field("Address:", &pstreet, Some("address")));
    fields.push(field("", &pcity, Some("address")));
    let left = fields.len();
    fields.push(field("Date:", &Patient::us(p.date), Some("date")));
    match rng.int(0, 2) {
        0 => fields.push(field("Phone:", &p.phone, Some("phone"))),
        1 => fields.push(field("MRN:", &p.mrn, Some("mrn"))),
        _ => fields.push(field("Age:", &p.age.to_string(), Some("age"))),
    }
    for fl in &mut fields {
        fl.hand = hand && fl.label != "MRN:";
    }
    let block = if rng.chance(0.5) { Block::Single } else { Block::Columns(left) };
    let n_drugs = if rng.chance(0.35) { 2 } else { 1 };
    let first = rng.int(0, DRUGS.len() as u32 - 1) as usize;
    let drugs: Vec<(&str, &str, u32)> = (0..n_drugs).map(|i| DRUGS[(first + i * 3) % DRUGS.len()]).collect();
    let refills = rng.int(0, 3);
    let lab = pg.st(bold, 1.0, DOC_INK);
    let val = pg.st(body, 1.0, DOC_INK);
    let drug_st = pg.st(body, 1.1, DOC_INK);
    let rx_st = pg.st(bold, 2.4, DOC_INK);
    let indent = pg.width(rx_st, "Rx") + c * 1.5;
    let drug_w = drugs
        .iter()
        .map(|d| {
            let sig = format!("Sig: {}", d.1);
            let w = pg.width(drug_st, d.0).max(pg.width(drug_st, &sig));
            if hand { w * 1.15 + c } else { w }
        })
        .fold(0.0, f32::max);
    let needed = [
        pg.letterhead_width(head, bold, body, clinic, &sub, &right),
        pg.block_width(lab, val, val, &fields, block),
        indent + drug_w,
    ];
    pg.set_width(rng.range(36.0, 42.0), &needed);
    let mut y = pg.letterhead(head, accent, bold, body, clinic, &sub, &right);
    y = pg.block(y, lab, val, val, &fields, block, DOC_GREY);
    y += c * 0.8;
    pg.text(rx_st, pg.m, y + c * 2.6, "Rx");
    y += c * 0.6;
    for (drug, sig, qty) in &drugs {
        let lines = [
            drug.to_string(),
            format!("Sig: {sig}"),
            format!("Dispense: {qty}"),
            format!("Refills: {refills}"),
        ];
        for l in &lines {
            let b = y + c * 1.6;
            if hand {
                let hs = pg.hand_style(drug_st);
                pg.hand(hs, pg.m + indent, b, l, None);
                y += c * 2.4;
            } else {
                pg.text(drug_st, pg.m + indent, b, l);
                y += c * 2.1;
            }
        }
        y += c * 0.8;
    }
    let small = pg.st(body, 0.85, DOC_GREY);
    if rng.chance(0.5) {
        pg.text(small, pg.m, y + c * 1.2, "[ ] Dispense as written    [X] Substitution permitted");
        y += c * 2.2;
    }
    // Signature over a line, the prescriber's printed name under it.
    y += c * 2.2;
    let sig_x = pg.w - pg.m - c * 16.0;
    let sig_b = y + c * 1.2;
    pg.signature(sig_x + c, sig_b - c * 0.2, c * rng.range(9.0, 13.0));
    pg.hrule(sig_x, pg.w - pg.m, sig_b + c * 0.3, c * 0.07, DOC_INK);
    pg.text(small, sig_x, sig_b + c * 1.7, "Prescriber signature");
    pg.text(val, sig_x, sig_b + c * 3.5, &prescriber);
    let ratio = *rng.pick(&[1.294, 1.414]);
    pg.finish(rng, ratio)
}

/// A photographed discharge summary: letterhead, patient fields, diagnosis, history of present
/// illness and hospital course in prose, discharge medications, follow-up, attending physician.
pub(crate) fn discharge_summary(rng: &mut Lcg, ctx: &Ctx<'_>, cap: f32) -> Layer {
    let (p, c) = (ctx.patient, cap);
    let mut pg = Page::new(rng, ctx, c);
    let (bold, body) = doc_faces(false);
    let (org, _) = *rng.pick(&HOSPITALS);
    let accent = *rng.pick(&ACCENTS);
    let head = rng.int(0, 2);
    let block = *rng.pick(&[Block::Single, Block::Columns(4), Block::Grid, Block::Grid]);
    let dates = if rng.chance(0.3) { DateStyle::DayMonth } else { DateStyle::Us };
    let (street, city) = street_address(rng);
    let sub = vec![format!("{street}, {city}")];
    let right = vec![format!("Tel {}", clinic_phone(rng)), "Health Information Management".to_string()];
    let attending = format!("{}, MD", doctor(rng));
    let admitted = add_days(p.date, -(rng.int(2, 9) as i32));
    let name = if rng.chance(0.5) { p.upper_name() } else { p.title_name() };
    let sex = if p.sex == 'F' { "Female" } else { "Male" };
    let mut fields = vec![
        field("Patient Name:", &name, Some("name")),
        field("MRN:", &p.mrn, Some("mrn")),
        field("DOB:", &dates.fmt(p.dob), Some("dob")),
        field("Sex:", sex, None),
    ];
    let left = fields.len();
    fields.push(field("Admission Date:", &dates.fmt(admitted), Some("date")));
    fields.push(field("Discharge Date:", &dates.fmt(p.date), Some("date")));
    if rng.chance(0.4) {
        fields.push(field("Location:", &format!("Room {} Bed {}", p.room, p.bed), Some("room-bed")));
    }
    fields.push(field("Attending:", &attending, None));
    let block = if let Block::Columns(_) = block { Block::Columns(left) } else { block };
    let case = *rng.pick(&CASES);
    let (he, his) = if p.sex == 'F' { ("she", "her") } else { ("he", "his") };
    let pron = |s: &str| s.replace("{his}", his).replace("{He}", &title_case(he)).replace("{he}", he);
    // History of present illness: the surname and the age are identifiers in running text.
    let mut hpi: Vec<Tok> = vec![(if p.sex == 'F' { "Ms." } else { "Mr." }.to_string(), None)];
    let last = title_case(p.last);
    hpi.push((last.clone(), Some(("name", last.clone()))));
    hpi.extend(words("is a"));
    hpi.push((format!("{}-year-old", p.age), Some(("age", p.age.to_string()))));
    hpi.extend(words(&format!(
        "{} with a history of {} who presented to the emergency department with {}. On arrival {he} was {}. {} was admitted for further management.",
        if p.sex == 'F' { "woman" } else { "man" },
        case.1,
        case.2,
        pron(case.3),
        title_case(he),
    )));
    let mut course: Vec<Tok> = words(&format!(
        "{} {}. {} was discharged home in stable condition on",
        title_case(he),
        pron(case.4),
        title_case(he)
    ));
    let discharged = dates.fmt(p.date);
    course.push((format!("{discharged}."), Some(("date", discharged.clone()))));
    let follow_date = dates.fmt(add_days(p.date, rng.int(7, 21) as i32));
    let mut follow: Vec<Tok> = words(&format!("Follow up with {} in clinic on", doctor(rng)));
    follow.push((format!("{follow_date}."), Some(("date", follow_date.clone()))));
    follow.extend(words("Return to the emergency department if symptoms worsen."));
    let upper = rng.chance(0.5);
    let heading = |s: &str| if upper { s.to_uppercase() } else { s.to_string() };
    let lab = pg.st(bold, 1.0, DOC_INK);
    let val = pg.st(body, 1.0, DOC_INK);
    let small = pg.st(body, 0.8, DOC_GREY);
    let title_st = pg.st(bold, 1.5, if rng.chance(0.5) { accent } else { DOC_INK });
    let head_st = pg.st(bold, 1.1, DOC_INK);
    let needed = [
        pg.letterhead_width(head, bold, body, org, &sub, &right),
        pg.block_width(lab, val, small, &fields, block),
        pg.width(title_st, "DISCHARGE SUMMARY"),
    ];
    pg.set_width(rng.range(50.0, 56.0), &needed);
    let mut y = pg.letterhead(head, accent, bold, body, org, &sub, &right);
    let tx = if rng.chance(0.5) { (pg.w - pg.width(title_st, "DISCHARGE SUMMARY")) / 2.0 } else { pg.m };
    pg.text(title_st, tx, y + c * 1.5, "DISCHARGE SUMMARY");
    y += c * 3.8;
    y = pg.block(y, lab, val, small, &fields, block, DOC_GREY);
    let section = |pg: &mut Page<'_>, y: &mut f32, title: &str| {
        pg.text(head_st, pg.m, *y + c * 2.1, title);
        *y += c * 2.8;
    };
    section(&mut pg, &mut y, &heading("Diagnosis"));
    y = pg.paragraph(y, val, &words(&format!("Principal: {}", case.0)));
    section(&mut pg, &mut y, &heading("History of Present Illness"));
    y = pg.paragraph(y, val, &hpi);
    section(&mut pg, &mut y, &heading("Hospital Course"));
    y = pg.paragraph(y, val, &course);
    section(&mut pg, &mut y, &heading("Medications on discharge"));
    let n_meds = rng.int(2, 3) as usize;
    for (i, &d) in case.5.iter().take(n_meds).enumerate() {
        let (drug, sig, _) = DRUGS[d];
        y = pg.paragraph(y, val, &words(&format!("{}. {drug}, {sig}", i + 1)));
    }
    section(&mut pg, &mut y, &heading("Follow-up"));
    y = pg.paragraph(y, val, &follow);
    // Attending physician, signed by hand over the name on half.
    let signed_by_hand = rng.chance(0.5);
    y += if signed_by_hand { c * 2.6 } else { c * 1.0 };
    let end = pg.text(lab, pg.m, y + c * 1.4, "Attending Physician:");
    pg.text(val, end + c, y + c * 1.4, &attending);
    if signed_by_hand {
        pg.signature(end + c * 2.0, y + c * 0.6, c * rng.range(8.0, 12.0));
    }
    y += c * 2.2;
    let signed = dates.fmt(p.date);
    let end = pg.text(small, pg.m, y + c * 1.2, "Electronically signed:");
    pg.put(
        small,
        end + c * 0.5,
        y + c * 1.2,
        &format!("{signed} {}", p.clock()),
        Some(("date", format!("{signed} {}", p.clock()))),
    );
    pg.text_right(small, y + c * 1.2, "CONFIDENTIAL - Page 1 of 1");
    let ratio = *rng.pick(&[1.294, 1.414]);
    pg.finish(rng, ratio)
}
