//! Caption and handle rules, measured on a deterministic synthetic set.
//!
//! ```sh
//! cargo run --release --example score-captions          # SCORE_VERBOSE=1 lists the misses
//! ```
//!
//! Captions are built from templates: clauses that carry one problem each (an age, the
//! timing of a case, a trophy, an identifier) are combined with neutral clinical and
//! everyday sentences, and benign captions (conferences, food, travel, teaching points,
//! sport, birthdays) that share their vocabulary are the near misses. The templates
//! were written to be varied, not to match the rules' patterns; phrasings the rules are
//! known to miss (ages in words, "after lunch") are in the set on purpose.

use medscrub::metadata::MetaFacts;
use medscrub::rules::post::{
    CAPTION_AGE, CAPTION_IDENTIFIER, CAPTION_TIMING, CAPTION_TROPHY, HANDLE_BRAND, Post,
};
use medscrub::rules::{Evidence, Rule};

const CASE: &[&str] = &[
    "in the OR",
    "on the ward",
    "in the ED",
    "on call",
    "in clinic",
    "during rounds",
    "in theatre",
    "at the bedside",
];
const AGE: &[&str] = &[
    "72-year-old man",
    "67 yo F",
    "45M",
    "a 9 y/o",
    "Age: 81",
    "34 year old woman",
    "seventy-two year old gentleman",
    "58F",
];
const TIMING: &[&str] = &[
    "this morning",
    "yesterday",
    "last night",
    "3 hours ago",
    "earlier today",
    "on Tuesday",
    "on 11/20/2026",
    "after lunch",
];
const TROPHY: &[&str] = &[
    "Biggest stone I've ever pulled out",
    "Trophy from today's case",
    "Look at this monster we removed",
    "Can't believe the size of this tumour we excised",
    "Kept it as a souvenir after the surgery",
    "Craziest foreign body extraction of my career",
    "Proud of this one, hanging it on the wall",
    "Check out what came out of this patient",
];
const IDENTIFIER: &[&str] = &[
    "Pt: Doe, Jane",
    "MRN 40412345",
    "DOB 04/12/1950",
    "Room 412 Bed B",
    "patient Maria Garcia",
    "call 734-555-0199 for the family",
    "Mr Smith in bed 7",
    "acct #88412093",
];
const NEUTRAL: &[&str] = &[
    "Great teamwork",
    "Learning every day",
    "Grateful for my mentors",
    "#MedTwitter",
    "Teaching point below",
    "Amazing nurses",
];
const BENIGN: &[&str] = &[
    "Great talk today at the cardiology conference",
    "Biggest pizza ever after a long week",
    "Look at this view from the hotel in Chicago",
    "Happy 30th birthday to my co-resident!",
    "Won a trophy at the hospital 5k this weekend",
    "Classic case of appendicitis: teaching points in the thread",
    "Thanks to Dr. Patel for an inspiring grand rounds",
    "Room 101 of the library is the best study spot",
    "Match Day 2026! Headed to internal medicine",
    "Yesterday's brunch with the anatomy group",
    "Can't believe residency is half over",
    "Our new simulation lab opened this morning",
    "Page 412 of Robbins, still going",
    "Coffee count today: 4",
    "Journal club tonight: the ISCHEMIA trial",
    "Case-based learning session slides are up",
    "White coat ceremony with my family",
    "Sunset after a 28-hour shift",
    "New scrubs, who dis",
    "Record turnout for the charity run",
];
const BRANDED: &[&str] = &[
    "@UMichJohn",
    "@JohnUofM",
    "@John_UMich",
    "@JohnMichMed",
    "MichMedJohn",
    "@WayneStateJane",
    "@jane_umn_md",
    "@DrKimUoN",
    "@umichsurgeon",
    "@michiganmedjen",
];
const PERSONAL: &[&str] = &[
    "@drjane",
    "@autumnrose",
    "@summertime_md",
    "@plumcake",
    "@umbrella_fan",
    "@wsunshine",
    "@johnsmithmd",
    "@the_surgeon",
    "@maizeandbluefan",
    "@gopherit",
];

struct Tally {
    name: &'static str,
    hit: usize,
    total: usize,
    false_hits: usize,
    benign: usize,
    misses: Vec<String>,
    false_alarms: Vec<String>,
}

fn fires(rule: &dyn Rule, caption: Option<&str>, handle: Option<&str>) -> bool {
    let facts = MetaFacts::default();
    let post = Post { caption: caption.map(String::from), handle: handle.map(String::from) };
    let ev = Evidence { post: Some(&post), ..Evidence::of(&facts) };
    let mut out = Vec::new();
    rule.check(&ev, &mut out);
    !out.is_empty()
}

/// Positives: each problem clause in a sentence with a case setting and a neutral tail.
fn positives(problem: &[&str], shape: fn(&str, &str, &str) -> String) -> Vec<String> {
    let mut out = Vec::new();
    for (i, p) in problem.iter().enumerate() {
        for (j, case) in CASE.iter().enumerate().filter(|(j, _)| (i + j) % 2 == 0) {
            out.push(shape(p, case, NEUTRAL[(i + j) % NEUTRAL.len()]));
        }
    }
    out
}

fn score(name: &'static str, rule: &dyn Rule, pos: &[String], benign: &[String], handle: bool) -> Tally {
    let run = |s: &str| if handle { fires(rule, None, Some(s)) } else { fires(rule, Some(s), None) };
    let misses: Vec<String> = pos.iter().filter(|s| !run(s)).cloned().collect();
    let false_alarms: Vec<String> = benign.iter().filter(|s| run(s)).cloned().collect();
    Tally {
        name,
        hit: pos.len() - misses.len(),
        total: pos.len(),
        false_hits: false_alarms.len(),
        benign: benign.len(),
        misses,
        false_alarms,
    }
}

fn main() {
    let benign: Vec<String> = BENIGN.iter().map(|s| s.to_string()).collect();
    // Benign captions for the caption rules also include positives of the *other* rules'
    // vocabulary without the problem: a case with no age is not a caption.age hit, etc.
    let neutral_cases: Vec<String> = CASE
        .iter()
        .zip(NEUTRAL.iter().cycle())
        .map(|(c, n)| format!("Interesting presentation {c}. {n}"))
        .collect();
    let benign_all: Vec<String> = benign.iter().chain(&neutral_cases).cloned().collect();

    let age = positives(AGE, |p, c, n| format!("{p} {c} with a classic rash. {n}"));
    let timing = positives(TIMING, |p, c, n| format!("Saw this case {c} {p}. {n}"));
    let trophy = positives(TROPHY, |p, c, n| format!("{p} {c}! {n}"));
    let identifier = positives(IDENTIFIER, |p, c, n| format!("Interesting case {c}, {p}. {n}"));
    let branded: Vec<String> = BRANDED.iter().map(|s| s.to_string()).collect();
    let personal: Vec<String> = PERSONAL.iter().map(|s| s.to_string()).collect();

    let tallies = [
        score("caption.age", &CAPTION_AGE, &age, &benign_all, false),
        score("caption.timing", &CAPTION_TIMING, &timing, &benign_all, false),
        score("caption.trophy", &CAPTION_TROPHY, &trophy, &benign_all, false),
        score("caption.identifier", &CAPTION_IDENTIFIER, &identifier, &benign_all, false),
        score("handle.brand", &HANDLE_BRAND, &branded, &personal, true),
    ];
    let verbose = std::env::var_os("SCORE_VERBOSE").is_some();
    println!("| rule | recall | false-positive rate (benign) |");
    println!("|---|---|---|");
    for t in &tallies {
        println!(
            "| {} | {:.2} ({}/{}) | {:.2} ({}/{}) |",
            t.name,
            t.hit as f64 / t.total as f64,
            t.hit,
            t.total,
            t.false_hits as f64 / t.benign as f64,
            t.false_hits,
            t.benign
        );
        if verbose {
            t.misses.iter().for_each(|m| println!("    missed: {m}"));
            t.false_alarms.iter().for_each(|m| println!("    false alarm: {m}"));
        }
    }
}
