//! Benign scenes (text that must not be flagged; near misses on purpose), and the
//! institutional scenes (brand.logo-text, doc.institutional) with their near misses.

use crate::clinical::INK;
use crate::paint::{Face, Layer, Style, jitter, rgba, style};
use crate::rng::Lcg;
use crate::scene::Ctx;

/// One line of a `text_card`: size relative to the card's cap height, an indent in caps, and
/// optionally the identifier it carries.
pub(crate) struct Line {
    text: String,
    size: f32,
    face: Face,
    color: [u8; 3],
    pub(crate) indent: f32,
    item: Option<(&'static str, String)>,
}

impl Line {
    pub(crate) fn new(text: &str, size: f32, face: Face, color: [u8; 3]) -> Line {
        Line { text: text.to_string(), size, face, color, indent: 0.0, item: None }
    }
    pub(crate) fn item(mut self, kind: &'static str, value: &str) -> Line {
        self.item = Some((kind, value.to_string()));
        self
    }
}

/// A card (poster, board) with `lines` drawn top-down on `paper`. With `board` it gets a
/// whiteboard's aluminium frame and marker tray. Shared by the whiteboard, poster and lecture.
pub(crate) fn text_card(ctx: &Ctx<'_>, cap: f32, paper: [u8; 3], board: bool, lines: &[Line]) -> Layer {
    let f = ctx.fonts;
    let frame = if board { cap * 0.5 } else { 0.0 };
    let pad = cap * 1.3 + frame;
    let styled: Vec<Style> =
        lines.iter().map(|l| style(l.face, cap * l.size, ctx.look.ink(l.color, paper))).collect();
    let w = lines.iter().zip(&styled).map(|(l, s)| l.indent * cap + f.width(*s, &l.text)).fold(0.0, f32::max)
        + 2.0 * pad;
    let h = 2.0 * pad + styled.iter().map(|s| s.cap * 2.1).sum::<f32>();
    let mut layer = Layer::new(w, h + if board { cap } else { 0.0 });
    if board {
        layer.round_rect([0.0, 0.0, w, h], frame * 0.6, rgba([172, 174, 178]));
        layer.round_rect(
            [w * 0.1, h - frame * 0.5, w * 0.9, h + cap * 0.8],
            cap * 0.2,
            rgba([150, 152, 156]),
        );
    }
    layer.round_rect([frame, frame, w - frame, h - frame], cap * 0.3, rgba(paper));
    let mut b = pad;
    for (l, s) in lines.iter().zip(&styled) {
        b += s.cap * 2.1;
        let (x, baseline) = (pad + l.indent * cap, b - s.cap * 0.7);
        match &l.item {
            Some((kind, value)) => layer.item(f, *s, x, baseline, &l.text, kind, value),
            None => layer.text(f, *s, x, baseline, &l.text),
        };
    }
    layer.core = [0.0, 0.0, w, h];
    layer
}

/// Restaurant menu: dishes with prices (some dish names are also surnames).
pub(crate) fn menu(rng: &mut Lcg, ctx: &Ctx<'_>, cap: f32) -> Layer {
    let f = ctx.fonts;
    let paper = jitter(rng, [246, 238, 218], 5.0);
    let ink = ctx.look.ink(*rng.pick(&[[40, 30, 24], [20, 40, 60]]), paper);
    let dishes = [
        ("Caesar Salad", "12.50"),
        ("Brown sugar oatmeal", "6.75"),
        ("Tomato basil soup", "7.25"),
        ("Grilled salmon", "21.00"),
        ("Young greens & feta", "9.50"),
        ("Fish and chips", "16.95"),
        ("Baker's dozen bagels", "18.00"),
        ("King prawn curry", "19.40"),
        ("Green tea", "3.25"),
        ("Catering tray (serves 40)", "1,555.01"),
        ("Private room, per event", "555.00"),
    ];
    let start = rng.int(0, dishes.len() as u32 - 1) as usize;
    let count = rng.int(6, 9) as usize;
    let chosen: Vec<_> = (0..count).map(|i| dishes[(start + i) % dishes.len()]).collect();
    let title = *rng.pick(&["The Corner Bistro", "Harbor Grill", "Maple Street Cafe", "Golden Spoon"]);
    let sub = format!("Est. {}  ·  Lunch {}:00–{}:00", rng.int(1952, 2019), rng.int(11, 12), rng.int(14, 15));
    let (tst, sst, st) =
        (style(Face::Bold, cap * 1.6, ink), style(Face::Sans, cap * 0.8, ink), style(Face::Sans, cap, ink));
    let pad = cap * 1.5;
    let gap = cap * 1.9;
    let col = chosen.iter().map(|d| f.width(st, d.0) + cap * 3.0 + f.width(st, d.1)).fold(0.0, f32::max);
    let w = col.max(f.width(tst, title)).max(f.width(sst, &sub)) + 2.0 * pad;
    let h = 2.0 * pad + cap * 1.6 + gap * (1.5 + count as f32) + cap * 2.0;
    let mut layer = Layer::new(w, h);
    layer.round_rect([0.0, 0.0, w, h], cap * 0.3, rgba(paper));
    let mut b = pad + cap * 1.6;
    layer.text(f, tst, (w - f.width(tst, title)) / 2.0, b, title);
    b += gap * 0.9;
    layer.text(f, sst, (w - f.width(sst, &sub)) / 2.0, b, &sub);
    b += gap * 0.6;
    for (dish, price) in &chosen {
        b += gap;
        let r = layer.text(f, st, pad, b, dish);
        let px = w - pad - f.width(st, price);
        layer.text(f, st, px, b, price);
        // Dotted leader.
        let mut x = r[2] + cap * 0.6;
        while x < px - cap * 0.6 {
            layer.ellipse(x, b - cap * 0.1, (cap * 0.08).max(0.8), (cap * 0.08).max(0.8), ink);
            x += cap * 0.5;
        }
    }
    b += gap * 1.2;
    layer.text(f, sst, pad, b, &format!("Prices include tax  ·  Table {}", rng.int(1, 30)));
    layer
}

/// Street signs on a pole: green name blades ("Main St", "Young St") and a speed limit sign.
pub(crate) const STREETS: [&str; 9] =
    ["Main St", "Young St", "Brown Ave", "Oak St", "Elm Ave", "Park Rd", "King Blvd", "Hill St", "Green Ln"];

/// Streets named like the institutions whose marks `brand.logo-text` looks for: near misses.
pub(crate) const INSTITUTION_STREETS: [&str; 8] = [
    "Michigan Ave",
    "Wayne St",
    "State St",
    "Minnesota Ave",
    "Nottingham Rd",
    "University Ave",
    "Medicine Lake Rd",
    "Wayne County Library",
];

pub(crate) fn street_sign(rng: &mut Lcg, ctx: &Ctx<'_>, cap: f32, names: &[&str]) -> Layer {
    let f = ctx.fonts;
    let a = rng.int(0, names.len() as u32 - 1) as usize;
    let b_ = (a + 1 + rng.int(0, names.len() as u32 - 2) as usize) % names.len();
    let green = [22, 110, 62];
    let white = ctx.look.ink([248, 248, 248], green);
    let blade_st = style(Face::Bold, cap * 1.4, white);
    let num_st = style(Face::Bold, cap * 0.6, white);
    let pad = cap * 0.9;
    let blade_w = |s: &str| f.width(blade_st, s) + f.width(num_st, "1000") + pad * 3.0;
    let bw = blade_w(names[a]).max(blade_w(names[b_]));
    let bh = cap * 1.4 + 2.0 * pad;
    let limit = rng.int(2, 7) * 5;
    let speed = rng.chance(0.7);
    let sign_w = cap * 9.0;
    let sign_h = cap * 11.0;
    let w = bw.max(sign_w) + cap * 2.0;
    let h = bh * 2.2 + if speed { sign_h + cap * 2.0 } else { 0.0 } + cap * 12.0;
    let mut layer = Layer::new(w, h);
    let pole_x = w / 2.0;
    layer.round_rect([pole_x - cap * 0.5, bh * 0.5, pole_x + cap * 0.5, h], cap * 0.2, rgba([140, 144, 150]));
    let mut y = 0.0;
    for (i, n) in [names[a], names[b_]].iter().enumerate() {
        let x = (w - bw) / 2.0 + if i == 1 { cap * 0.5 } else { 0.0 };
        let blade = [x, y, x + bw, y + bh];
        layer.round_rect(blade, cap * 0.3, rgba([240, 240, 240]));
        layer.round_rect([x + 2.0, y + 2.0, x + bw - 2.0, y + bh - 2.0], cap * 0.25, rgba(green));
        let r = layer.text(f, blade_st, x + pad, y + pad + cap * 1.4, n);
        layer.text(f, num_st, r[2] + pad, y + pad + cap * 0.6, &format!("{}", rng.int(1, 49) * 100));
        y += bh * 1.1;
    }
    if speed {
        let (x, y) = ((w - sign_w) / 2.0, y + cap * 1.5);
        let plate = [248, 248, 246];
        layer.round_rect([x, y, x + sign_w, y + sign_h], cap * 0.6, rgba(plate));
        let black = ctx.look.ink([20, 20, 20], plate);
        layer.round_rect(
            [x + cap * 0.3, y + cap * 0.3, x + sign_w - cap * 0.3, y + sign_h - cap * 0.3],
            cap * 0.4,
            black,
        );
        layer.round_rect(
            [x + cap * 0.5, y + cap * 0.5, x + sign_w - cap * 0.5, y + sign_h - cap * 0.5],
            cap * 0.3,
            rgba(plate),
        );
        let st = style(Face::Bold, cap * 1.2, black);
        for (k, s) in ["SPEED", "LIMIT"].iter().enumerate() {
            layer.text(f, st, x + (sign_w - f.width(st, s)) / 2.0, y + cap * (2.6 + k as f32 * 2.0), s);
        }
        let big = style(Face::Bold, cap * 3.6, black);
        let n = limit.to_string();
        layer.text(f, big, x + (sign_w - f.width(big, &n)) / 2.0, y + sign_h - cap * 1.4, &n);
    }
    layer.core = [0.0, 0.0, w, y + if speed { sign_h + cap * 2.0 } else { 0.0 }];
    layer
}

/// Conference poster: year, room number, opening hours, a keynote title.
pub(crate) fn poster(rng: &mut Lcg, ctx: &Ctx<'_>, cap: f32) -> Layer {
    let bg = *rng.pick(&[[250, 250, 250], [232, 242, 250], [252, 240, 222]]);
    let ink = *rng.pick(&[[20, 40, 90], [30, 30, 30], [120, 30, 40]]);
    let topics = [
        "Young adults and sleep",
        "Brown fat and metabolism",
        "Green chemistry in practice",
        "White matter imaging",
    ];
    let lines = [
        Line::new("ACME Conference 2026", 1.8, Face::Bold, ink),
        Line::new(&format!("November {}–{}, 2026", rng.int(2, 20), rng.int(21, 27)), 1.0, Face::Sans, ink),
        Line::new(&format!("Keynote: {}", rng.pick(&topics)), 1.0, Face::Sans, ink),
        Line::new(
            &format!("Room {}  ·  {}:00–17:00", rng.int(101, 120), rng.int(8, 10)),
            1.0,
            Face::Bold,
            ink,
        ),
        Line::new(
            &format!(
                "Session {}{}  ·  Hall {}",
                rng.int(1, 9),
                rng.pick(&["A", "B", "C"]),
                rng.pick(&["C", "D", "E"])
            ),
            0.9,
            Face::Sans,
            ink,
        ),
        Line::new("Register at acme-conf.example.org", 0.8, Face::Sans, ink),
    ];
    text_card(ctx, cap, bg, false, &lines)
}

/// Book page: prose with ordinary capitalised words that are also surnames, page number, ISBN.
pub(crate) fn book(rng: &mut Lcg, ctx: &Ctx<'_>, cap: f32) -> Layer {
    let f = ctx.fonts;
    let paper = jitter(rng, [247, 243, 230], 4.0);
    let ink = ctx.look.ink([34, 32, 30], paper);
    let prose = [
        "Brown sugar gives the dough its colour and a faint taste of molasses.",
        "Young adults in the survey slept less on weekdays than on weekends.",
        "White bread keeps for two days; rye keeps for nearly a week.",
        "Hill country farms grow wheat on the slopes and barley in the valleys.",
        "Green tea was served after the meal, with honey on the side.",
        "King salmon run upriver in late summer when the water cools.",
        "The baker rose at four and the miller had the flour ready by five.",
        "Rain had fallen all morning, and the market square was nearly empty.",
        "A good loaf needs time more than it needs skill.",
    ];
    let st = style(Face::Sans, cap, ink);
    let measure = cap * rng.range(26.0, 34.0);
    // Greedy word wrap of a run of sentences.
    let start = rng.int(0, prose.len() as u32 - 1) as usize;
    let text: Vec<&str> = (0..5).map(|i| prose[(start + i) % prose.len()]).collect();
    let mut lines = vec![String::new()];
    for word in text.join(" ").split(' ') {
        let cur = lines.last_mut().unwrap();
        let candidate = if cur.is_empty() { word.to_string() } else { format!("{cur} {word}") };
        if f.width(st, &candidate) > measure && !cur.is_empty() {
            lines.push(word.to_string());
        } else {
            *cur = candidate;
        }
    }
    let pad = cap * 2.5;
    let gap = cap * 1.8;
    let isbn = rng.chance(0.6);
    let w = measure + 2.0 * pad;
    let h = 2.0 * pad + (lines.len() as f32 + 4.0 + if isbn { 1.5 } else { 0.0 }) * gap;
    let mut layer = Layer::new(w, h);
    layer.round_rect([0.0, 0.0, w, h], 1.0, rgba(paper));
    let small = style(Face::Sans, cap * 0.75, ink);
    let head = format!("CHAPTER {}", rng.int(2, 14));
    layer.text(f, small, (w - f.width(small, &head)) / 2.0, pad, &head);
    let mut b = pad + gap * 1.5;
    for l in &lines {
        layer.text(f, st, pad, b, l);
        b += gap;
    }
    if isbn {
        b += gap * 0.5;
        layer.text(f, small, pad, b, "ISBN 978-0-306-40615-7");
    }
    let page = rng.int(12, 480).to_string();
    layer.text(f, small, (w - f.width(small, &page)) / 2.0, h - pad * 0.8, &page);
    layer
}

/// Lecture whiteboard: biochemistry notes, numbers and equations.
pub(crate) fn lecture(rng: &mut Lcg, ctx: &Ctx<'_>, cap: f32) -> Layer {
    let ink = *rng.pick(&[[30, 60, 170], [25, 25, 30], [20, 110, 60]]);
    let lines = [
        Line::new(&format!("Lecture {}", rng.int(2, 24)), 1.4, Face::Bold, ink),
        Line::new("Krebs cycle", 1.2, Face::Bold, ink),
        Line::new("Acetyl-CoA + oxaloacetate → citrate", 1.0, Face::Sans, ink),
        Line::new(&format!("ATP yield: {}–38 per glucose", rng.int(30, 32)), 1.0, Face::Sans, ink),
        Line::new("ΔG°′ = −30.5 kJ/mol", 1.0, Face::Sans, ink),
        Line::new("C6H12O6 + 6 O2 → 6 CO2 + 6 H2O", 1.0, Face::Sans, ink),
        Line::new(&format!("Reading: pp. {}–{}", rng.int(300, 420), rng.int(421, 480)), 1.0, Face::Sans, ink),
    ];
    text_card(ctx, cap, [246, 248, 248], true, &lines)
}

/// Shelf price tags: product, price, unit price and an 8-digit item number.
pub(crate) fn price_tag(rng: &mut Lcg, ctx: &Ctx<'_>, cap: f32) -> Layer {
    let f = ctx.fonts;
    let products = [
        ("Brown sugar 2 lb", "$3.49"),
        ("Young coconut water", "$2.99"),
        ("Green tea 20 ct", "$4.29"),
        ("King Arthur flour 5 lb", "$6.79"),
        ("White rice 10 lb", "$11.49"),
        ("55-inch TV", "$1,555.01"),
    ];
    let n = rng.int(2, 3) as usize;
    let start = rng.int(0, products.len() as u32 - 1) as usize;
    let tag = *rng.pick(&[[252, 236, 90], [250, 250, 250]]);
    let tag = jitter(rng, tag, 4.0);
    let ink = ctx.look.ink(INK, tag);
    let st = style(Face::Sans, cap, ink);
    let big = style(Face::Bold, cap * 2.4, ink);
    let small = style(Face::Sans, cap * 0.7, ink);
    let pad = cap * 0.8;
    let items: Vec<(&str, &str, String, String)> = (0..n)
        .map(|i| {
            let (name, price) = products[(start + i) % products.len()];
            (
                name,
                price,
                format!("Unit price {}.{}¢/oz", rng.int(3, 40), rng.int(0, 9)),
                format!("Item {}", rng.digits(8)),
            )
        })
        .collect();
    let tag_w = items
        .iter()
        .map(|t| {
            f.width(st, t.0).max(f.width(big, t.1)).max(f.width(small, &t.2) + cap + f.width(small, &t.3))
        })
        .fold(0.0, f32::max)
        + 2.0 * pad;
    let tag_h = 2.0 * pad + cap * 6.0;
    let w = n as f32 * (tag_w + cap) + cap;
    let h = tag_h + cap * 2.0;
    let mut layer = Layer::new(w, h);
    layer.round_rect([0.0, 0.0, w, h], 0.0, rgba([90, 94, 100]));
    for (i, t) in items.iter().enumerate() {
        let x = cap + i as f32 * (tag_w + cap);
        let y = cap;
        layer.round_rect([x, y, x + tag_w, y + tag_h], cap * 0.2, rgba(tag));
        layer.text(f, st, x + pad, y + pad + cap, t.0);
        layer.text(f, big, x + pad, y + pad + cap * 4.0, t.1);
        let r = layer.text(f, small, x + pad, y + tag_h - pad, &t.2);
        layer.text(f, small, r[2] + cap, y + tag_h - pad, &t.3);
    }
    layer
}

// ---------------------------------------------------------------------------------------------
// Institutional scenes (brand.logo-text, doc.institutional) and their near misses
// ---------------------------------------------------------------------------------------------

/// An institution's mark (what `brand.logo-text` must find) and a unit under it.
const INSTITUTIONS: [(&str, &str); 6] = [
    ("Wayne State University", "School of Medicine"),
    ("University of Michigan", "Medical School"),
    ("Michigan Medicine", "Department of Surgery"),
    ("University of Minnesota", "Medical School"),
    ("University of Nottingham", "School of Medicine"),
    ("Detroit Medical Center", "Graduate Medical Education"),
];

/// Words the bodies of handouts are made of (no identifiers, no cue words).
const ACADEMIC_WORDS: [&str; 40] = [
    "students",
    "will",
    "review",
    "the",
    "cardiac",
    "cycle",
    "and",
    "present",
    "one",
    "case",
    "each",
    "week",
    "during",
    "small",
    "group",
    "sessions",
    "on",
    "ward",
    "rounds",
    "with",
    "their",
    "tutor",
    "reading",
    "before",
    "class",
    "is",
    "expected",
    "assessment",
    "includes",
    "a",
    "short",
    "written",
    "reflection",
    "history",
    "taking",
    "examination",
    "skills",
    "attendance",
    "required",
    "feedback",
];

/// A photographed institutional document: letterhead, what it is, a page of body text.
pub(crate) fn handout(rng: &mut Lcg, ctx: &Ctx<'_>, cap: f32) -> Layer {
    let (mark, unit) = *rng.pick(&INSTITUTIONS);
    let ink = *rng.pick(&[[20, 30, 60], [30, 30, 30], [90, 20, 30]]);
    let kind = match rng.int(0, 5) {
        0 => format!("Course handout: {} block", rng.pick(&["Cardiology", "Renal", "Neurology", "Anatomy"])),
        1 => format!(
            "Minutes of the {} Committee",
            rng.pick(&["Curriculum", "Assessment", "Student Progress"])
        ),
        2 => "Clinical skills logbook".to_string(),
        3 => "CONFIDENTIAL - internal use only".to_string(),
        4 => format!("Course guide {}-{}", 2026, 27),
        _ => "Year 3 student handbook".to_string(),
    };
    let mut lines = vec![
        Line::new(mark, 1.5, Face::Bold, ink).item("brand", mark),
        Line::new(unit, 1.0, Face::Sans, ink),
        Line::new(&kind, 1.2, Face::Bold, ink),
    ];
    for _ in 0..rng.int(6, 9) {
        let n = rng.int(6, 9);
        let words: Vec<&str> = (0..n).map(|_| *rng.pick(&ACADEMIC_WORDS)).collect();
        lines.push(Line::new(&words.join(" "), 0.8, Face::Sans, [30, 30, 30]));
    }
    if rng.chance(0.4) {
        lines.push(Line::new("Do not distribute", 0.8, Face::Bold, ink));
    }
    text_card(ctx, cap, jitter(rng, [250, 250, 247], 3.0), false, &lines)
}

/// A building or department sign carrying an institution's name.
pub(crate) fn institution_sign(rng: &mut Lcg, ctx: &Ctx<'_>, cap: f32) -> Layer {
    let (mark, unit) = *rng.pick(&INSTITUTIONS);
    let (plate, ink) = *rng.pick(&[
        ([20, 40, 90], [245, 245, 240]),
        ([12, 70, 50], [240, 240, 236]),
        ([235, 235, 230], [20, 30, 60]),
    ]);
    let lines = [
        Line::new(mark, 1.4, Face::Bold, ink).item("brand", mark),
        Line::new(unit, 1.0, Face::Sans, ink),
        Line::new(&format!("Building {}", rng.int(1, 9)), 0.8, Face::Sans, ink),
    ];
    text_card(ctx, cap, plate, false, &lines)
}

/// A recipe card: a page of text with "minutes" in it that is no meeting's minutes.
pub(crate) fn recipe(rng: &mut Lcg, ctx: &Ctx<'_>, cap: f32) -> Layer {
    let ink = *rng.pick(&[[40, 30, 24], [20, 40, 60]]);
    let dish = *rng.pick(&["Banana bread", "Lemon drizzle cake", "Oat cookies", "Corn muffins"]);
    let lines = [
        Line::new(dish, 1.4, Face::Bold, ink),
        Line::new(
            &format!("Bake at {} F for {} minutes", rng.int(325, 375), rng.int(20, 60)),
            1.0,
            Face::Sans,
            ink,
        ),
        Line::new("2 cups flour, 1 tsp baking soda, a pinch of salt", 1.0, Face::Sans, ink),
        Line::new(&format!("Cool for {} minutes before slicing", rng.int(5, 15)), 1.0, Face::Sans, ink),
        Line::new(&format!("Serves {}", rng.int(4, 12)), 1.0, Face::Sans, ink),
    ];
    text_card(ctx, cap, jitter(rng, [248, 242, 226], 5.0), false, &lines)
}
