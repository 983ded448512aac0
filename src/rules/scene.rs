//! Scene rules: places and pictures the policies forbid whatever text they hold —
//! operating rooms, blood and wounds, radiographs, microscope slides, vitals monitors,
//! patient rooms and care areas. Each reads the colour statistics of `scene` and, where
//! a scene announces itself in words, the text the OCR read. They block: nothing can be
//! covered to make an operating room shareable.
//!
//! Every rule documents how it decides and where it fails; the rates on the project's
//! synthetic scenes and on real sample photos are in the README (`score-scenes`).

use super::{Detection, Evidence, FnRule, Rule, RuleDoc};
use crate::report::Source;
use crate::verdict::Verdict;
use regex::Regex;

const fn scene_doc(id: &'static str, summary: &'static str, explain: &'static str) -> RuleDoc {
    RuleDoc { id, source: Source::Scene, default_remedy: Verdict::Block, summary, explain }
}

fn found(rule: &'static str, summary: String, details: Vec<String>, confidence: f32) -> Detection {
    Detection {
        rule,
        source: Source::Scene,
        found_in: "scene".into(),
        summary,
        details,
        bbox: None,
        confidence,
        identifier: None,
    }
}

/// Words the OCR read with confidence in the picture itself (not metadata or the file
/// name): a vitals or ward word read at low confidence off a cat's fur or a swimming
/// pool ("ecg, hr, rr") is not a monitor.
fn picture_words(ev: &Evidence<'_>) -> String {
    ev.text
        .map(|t| {
            t.documents
                .iter()
                .filter(|d| d.source == Source::Ocr)
                .map(|d| d.confident.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

/// Distinct cue words of `re` in `text`, lower-cased.
fn cues(re: &Regex, text: &str) -> Vec<String> {
    // One cue read across a line break or by two OCR passes is still one cue.
    let mut found: Vec<String> =
        re.find_iter(text).map(|m| super::single_spaced(m.as_str()).to_lowercase()).collect();
    found.sort();
    found.dedup();
    found
}

regex!(
    or_words,
    r"(?i)\b(?:operating\s+room|theatre|anaesthe\w+|anesthe\w+|sterile\s+field|scrub\s+nurse|surgeon|time[\s\-]?out|sponge\s+count|cautery|bovie|(?-i:OR)\s+\d{1,2})\b"
);
regex!(
    vitals_words,
    r"(?i)\b(?:HR|SpO2|SpO₂|NIBP|ABP|ECG|EKG|RR|Resp|etCO2|EtCO2|bpm|mmHg|PVC|ST-?II|Pleth)\b"
);
regex!(
    ward_words,
    r"(?i)(?:\bfall\s+risk\b|\bNPO\b|\bnil\s+by\s+mouth\b|\byour\s+nurse\b|\bnurse\s+today\b|\bcall\s+(?:light|bell|button)\b|\bisolation\b|\bcontact\s+precautions\b|\bdroplet\s+precautions\b|\ballerg(?:y|ies)\b|\bDNR\b|\bcode\s+status\b|\bdischarge\s+(?:date|plan|goal)\b|\bpain\s+(?:goal|scale)\b|\bvisiting\s+hours\b|\bbed\s+\d{1,3}\b|\bward\s+\d{1,2}\b)"
);

/// `scene.operating-room`.
pub static OPERATING_ROOM: FnRule = FnRule {
    doc: scene_doc(
        "scene.operating-room",
        "An operating room: surgical drapes and gowns, or theatre vocabulary",
        "## What it finds\nPhotos dominated by surgical-drape blue-green in their centre, or whose text reads like a \
         theatre (operating room, anaesthesia, sterile field, time-out, sponge count).\n\n## Why it matters\nMichigan \
         Medicine: no photos taken in an operating room may be posted; Nottingham: no camera in a healthcare \
         workplace.\n\n## How it decides\nOver 60 % of the central 60 % of the picture in drape colour (hue 168–206°, \
         saturated, not sky-bright), no bright sky across the top, and something in the picture that is not drape \
         (skin of the operative field, white lights, grey steel: a painted wall is uniform), or two theatre words.\n\n## Where it fails\nTeal walls, scrubs worn at a conference and blue-green \
         clothing fill the same hues; green (not blue) drapes are missed, and so is a theatre photographed in warm light or from \
         far enough that drapes fill less than 60 % of the centre.",
    ),
    check: check_operating_room,
};

fn check_operating_room(ev: &Evidence<'_>, out: &mut Vec<Detection>) {
    let words = cues(or_words(), &picture_words(ev));
    if let Some(s) = ev.scene
        && s.looks_like_theatre()
    {
        out.push(found(
            OPERATING_ROOM.doc.id,
            format!("surgical drape colour fills {:.0} % of the centre", s.drape_center * 100.0),
            words,
            s.drape_center.min(1.0),
        ));
    } else if words.len() >= 2 {
        out.push(found(
            OPERATING_ROOM.doc.id,
            format!("theatre words in the picture: {}", words.join(", ")),
            vec![],
            0.8,
        ));
    }
}

/// `scene.blood`.
pub static BLOOD: FnRule = FnRule {
    doc: scene_doc(
        "scene.blood",
        "Blood or an open wound",
        "## What it finds\nDark saturated red in ragged patches beside skin or on white gauze.\n\n## Why it matters\n\
         Michigan Medicine: no blood or wounds may be visible; Minnesota: no patient body parts without written \
         permission.\n\n## How it decides\nBetween 0.8 % and 45 % of the picture blood-red (hue within 18° of red, \
         saturation > 0.55, value 0.18–0.72), with 12–60 % of those pixels on a patch edge (blood is ragged; \
         a sweater or a tomato is one smooth patch, and red ink or thin lines are all edge), patches that fill \
         under 85 % of their convex hull on average (a splash is irregular; a napkin, a stripe or a folder is a \
         shape), and skin or gauze white nearby (over 5 %).\n\n## Where it \
         fails\nRed fabric with folds and a face in the picture, red wine, raw meat and ketchup look the same; \
         a round pool of blood, filling its hull, is missed; dried brown blood and blood in dim light are missed.",
    ),
    check: check_blood,
};

fn check_blood(ev: &Evidence<'_>, out: &mut Vec<Detection>) {
    let Some(s) = ev.scene else { return };
    if s.looks_bloody() {
        out.push(found(
            BLOOD.doc.id,
            format!(
                "blood-red patches over {:.1} % of the picture, beside {}",
                s.blood * 100.0,
                if s.skin >= s.white { "skin" } else { "white gauze or sheets" }
            ),
            vec![],
            (s.blood * 10.0).min(1.0),
        ));
    }
}

/// `scene.radiograph`.
pub static RADIOGRAPH: FnRule = FnRule {
    doc: scene_doc(
        "scene.radiograph",
        "A radiograph, CT or MRI image, on film, a light box or a screen",
        "## What it finds\nGreyscale pictures with a dark field and bright structure: X-ray films, CT and MRI slices, \
         PACS screens photographed.\n\n## Why it matters\nMinnesota: no images of patients, including any body part; \
         radiographs carry burned-in identifiers and are unique to the patient.\n\n## How it decides\nOver 90 % of \
         pixels nearly grey, over 25 % very dark and 3–60 % bright.\n\n## Where it fails\nBlack-and-white photos \
         with dark backgrounds (coins on velvet, the night sky) are flagged; a film held against a window with \
         coloured surroundings is missed.",
    ),
    check: check_radiograph,
};

fn check_radiograph(ev: &Evidence<'_>, out: &mut Vec<Detection>) {
    let Some(s) = ev.scene else { return };
    if s.looks_radiographic() {
        out.push(found(
            RADIOGRAPH.doc.id,
            format!(
                "a greyscale image with a dark field ({:.0} % dark) and bright structure ({:.0} % bright)",
                s.dark * 100.0,
                s.bright * 100.0
            ),
            vec![],
            0.7,
        ));
    }
}

/// `scene.microscopy`.
pub static MICROSCOPY: FnRule = FnRule {
    doc: scene_doc(
        "scene.microscopy",
        "A microscope slide: stained tissue or a round field of view",
        "## What it finds\nPhotos through a microscope (a bright disc in a dark frame) and stained tissue \
         (haematoxylin purple with eosin pink).\n\n## Why it matters\nMinnesota: no images of patients or research \
         subjects, including microscopic images, without written permission.\n\n## How it decides\nDark corners \
         around a bright centre, or over 30 % stain colours with at least 4 % haematoxylin violet.\n\n## Where it \
         fails\nVignetted photos of anything pink or purple, flowers, and lavender fields are flagged; unstained or \
         immunofluorescence slides are missed.",
    ),
    check: check_microscopy,
};

fn check_microscopy(ev: &Evidence<'_>, out: &mut Vec<Detection>) {
    let Some(s) = ev.scene else { return };
    let summary = if s.looks_round_field() {
        "a bright round field of view in a dark frame (through a microscope)".to_string()
    } else if s.looks_stained() {
        format!("stained-tissue colours over {:.0} % of the picture", s.stain * 100.0)
    } else {
        return;
    };
    out.push(found(MICROSCOPY.doc.id, summary, vec![], 0.7));
}

/// `scene.monitor`.
pub static MONITOR: FnRule = FnRule {
    doc: scene_doc(
        "scene.monitor",
        "A vitals monitor: traces and digits on a dark screen, or vitals labels",
        "## What it finds\nPatient monitors: coloured waveforms and large digits on a dark screen, or two vitals \
         labels (HR, SpO2, NIBP, RR, ECG, etCO2, mmHg, bpm) in the text.\n\n## Why it matters\nA monitor shows one \
         patient's live data beside the bed: Michigan Medicine forbids photos in patient care areas and stray \
         patient information.\n\n## How it decides\nOver 45 % of the picture very dark and at least 1 % bright \
         saturated pixels with a dark neighbour, or two vitals labels read with OCR confidence (a label read at \
         low confidence off a texture is not evidence).\n\n## Where it fails\nNight photos with \
         coloured lights and dark-themed dashboards are flagged; a monitor photographed small or in glare is \
         missed unless its labels are read.",
    ),
    check: check_monitor,
};

fn check_monitor(ev: &Evidence<'_>, out: &mut Vec<Detection>) {
    let words = cues(vitals_words(), &picture_words(ev));
    if let Some(s) = ev.scene
        && s.looks_like_monitor()
    {
        out.push(found(
            MONITOR.doc.id,
            format!("bright coloured traces on a dark screen ({:.0} % dark)", s.dark * 100.0),
            words,
            0.7,
        ));
    } else if words.len() >= 2 {
        out.push(found(
            MONITOR.doc.id,
            format!("vitals labels in the picture: {}", words.join(", ")),
            vec![],
            0.8,
        ));
    }
}

/// `scene.patient-area`.
pub static PATIENT_AREA: FnRule = FnRule {
    doc: scene_doc(
        "scene.patient-area",
        "A patient room or care area, from its signs and boards",
        "## What it finds\nWard vocabulary read in the picture: fall risk, NPO / nil by mouth, \"your nurse today\", \
         call light, isolation or contact precautions, allergy, DNR, code status, discharge plan, pain goal, \
         visiting hours, bed and ward numbers.\n\n## Why it matters\nMichigan Medicine: no photos taken in patient \
         rooms or patient care areas; Nottingham: no camera in a healthcare workplace.\n\n## How it decides\nOne \
         such phrase read by OCR in the picture (not in metadata).\n\n## Where it fails\nA room without readable \
         signs is missed (the OCR limits of the text stage apply); a lecture slide about fall risk is flagged.",
    ),
    check: check_patient_area,
};

fn check_patient_area(ev: &Evidence<'_>, out: &mut Vec<Detection>) {
    let words = cues(ward_words(), &picture_words(ev));
    if !words.is_empty() {
        out.push(found(
            PATIENT_AREA.doc.id,
            format!("ward signs in the picture: {}", words.join(", ")),
            vec![],
            0.8,
        ));
    }
}

/// `scene.face`.
pub static FACE: FnRule = FnRule {
    doc: scene_doc(
        "scene.face",
        "A person's face in a clinical scene",
        "## What it finds\nFrontal faces (an LBP cascade: OpenCV's frontal-face model, shipped in scikit-image's \
         PyPI wheel) in a photo that is clinical by its scene or its text.\n\n## Why it matters\nUMMS and \
         Michigan Medicine: patient content needs signed consent naming the platform; Minnesota: no patient images \
         without written permission; Nottingham: never post pictures of patients. A face in a ward, theatre or \
         beside a monitor is presumed a patient's until consent says otherwise (`--consent` lifts it).\n\n## How \
         it decides\nA face found on a grey copy of at most 400 px, and any other scene rule firing or clinical \
         words in the picture or its metadata.\n\n## Where it fails\nProfiles, masked faces, surgical caps, tilted \
         heads and faces smaller than about 1/20 of the photo's longest side are missed; staff faces are flagged \
         like patients' (the tool cannot tell them apart).",
    ),
    check: check_face,
};

fn check_face(ev: &Evidence<'_>, out: &mut Vec<Detection>) {
    let Some(faces) = ev.faces else { return };
    if faces.is_empty() {
        return;
    }
    // Clinical by the other scene rules, or by words in the picture or metadata.
    let mut others = Vec::new();
    for rule in SCENE_RULES.iter().filter(|r| r.doc().id != FACE.doc.id) {
        rule.check(ev, &mut others);
    }
    let clinical_text = ev.text.is_some_and(crate::recognize::TextEvidence::mentions_clinical);
    if others.is_empty() && !clinical_text {
        return;
    }
    let why = others.first().map_or("clinical words in the photo".to_string(), |d| d.rule.to_string());
    for face in faces {
        out.push(Detection {
            rule: FACE.doc.id,
            source: Source::Scene,
            found_in: "scene".into(),
            summary: format!(
                "a face in a clinical scene ({why}): needs the patient's consent for this platform"
            ),
            details: vec![],
            bbox: Some(*face),
            confidence: 0.7,
            identifier: None,
        });
    }
}

/// Every scene rule, in documentation order.
pub static SCENE_RULES: &[&dyn Rule] =
    &[&OPERATING_ROOM, &BLOOD, &RADIOGRAPH, &MICROSCOPY, &MONITOR, &PATIENT_AREA, &FACE];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::MetaFacts;
    use crate::recognize::{Document, TextEvidence};
    use crate::scene::SceneStats;

    fn fires(rule: &dyn Rule, scene: Option<SceneStats>, words: &str) -> bool {
        let facts = MetaFacts::default();
        let text = TextEvidence::new(vec![Document::from_string(Source::Ocr, "OCR", words)]);
        let ev = Evidence { text: Some(&text), scene: scene.as_ref(), ..Evidence::of(&facts) };
        let mut out = Vec::new();
        rule.check(&ev, &mut out);
        !out.is_empty()
    }

    fn stats(f: impl FnOnce(&mut SceneStats)) -> Option<SceneStats> {
        let mut s = SceneStats { grey: 0.2, mean_saturation: 0.3, ..SceneStats::default() };
        f(&mut s);
        Some(s)
    }

    #[test]
    fn operating_room_by_colour_or_words() {
        assert!(fires(
            &OPERATING_ROOM,
            stats(|s| {
                s.drape_center = 0.8;
                s.skin = 0.02
            }),
            ""
        ));
        assert!(fires(&OPERATING_ROOM, None, "Time-out complete. Sponge count correct. Surgeon: Dr A"));
        assert!(
            !fires(
                &OPERATING_ROOM,
                stats(|s| {
                    s.drape_center = 0.9;
                    s.grey = 0.0
                }),
                ""
            ),
            "a blue wall: nothing but drape colour"
        );
        assert!(
            !fires(
                &OPERATING_ROOM,
                stats(|s| {
                    s.drape_center = 0.8;
                    s.sky_top = 0.9
                }),
                ""
            ),
            "a lake under a sky"
        );
        assert!(!fires(&OPERATING_ROOM, stats(|s| s.drape_center = 0.1), "Operating budget 2026"));
    }

    #[test]
    fn blood_needs_ragged_red_beside_skin_or_gauze() {
        // (blood share, share of the blood on an edge, patch solidity, skin, gauze white,
        // fires, what)
        let cases = [
            (0.08, 0.3, 0.6, 0.3, 0.0, true, "a wound on skin"),
            (0.05, 0.4, 0.5, 0.0, 0.4, true, "blood on gauze"),
            (0.3, 0.05, 0.98, 0.2, 0.0, false, "a sweater"),
            (0.6, 0.3, 0.6, 0.2, 0.0, false, "all red"),
            (0.02, 0.95, 0.3, 0.0, 0.6, false, "red ink on white paper: all strokes, no patch"),
            (0.05, 0.4, 0.6, 0.0, 0.0, false, "no skin or gauze"),
            (0.02, 0.25, 0.95, 0.4, 0.1, false, "a red napkin or stripe: ragged enough, but a shape"),
        ];
        for (blood, blood_edges, blood_solidity, skin, white, expected, what) in cases {
            let picture = stats(|s| {
                s.blood = blood;
                s.blood_edges = blood_edges;
                s.blood_solidity = blood_solidity;
                s.skin = skin;
                s.white = white
            });
            assert_eq!(fires(&BLOOD, picture, ""), expected, "{what}");
        }
    }

    #[test]
    fn radiograph_and_microscopy() {
        let xray = stats(|s| {
            s.grey = 0.99;
            s.dark = 0.5;
            s.bright = 0.2
        });
        assert!(fires(&RADIOGRAPH, xray.clone(), ""));
        assert!(
            !fires(
                &MICROSCOPY,
                stats(|s| {
                    s.grey = 0.99;
                    s.dark = 0.5;
                    s.bright = 0.2;
                    s.round_field = true
                }),
                ""
            ),
            "a round X-ray is not a slide"
        );
        assert!(
            !fires(
                &RADIOGRAPH,
                stats(|s| {
                    s.grey = 0.99;
                    s.dark = 0.05;
                    s.bright = 0.5
                }),
                ""
            ),
            "a grey street"
        );
        assert!(fires(&MICROSCOPY, stats(|s| s.round_field = true), ""));
        assert!(fires(
            &MICROSCOPY,
            stats(|s| {
                s.stain = 0.5;
                s.violet = 0.1
            }),
            ""
        ));
        assert!(
            !fires(
                &MICROSCOPY,
                stats(|s| {
                    s.stain = 0.5;
                    s.violet = 0.0
                }),
                ""
            ),
            "pink alone"
        );
    }

    #[test]
    fn monitor_and_patient_area() {
        assert!(fires(
            &MONITOR,
            stats(|s| {
                s.dark = 0.7;
                s.traces_on_dark = 0.02
            }),
            ""
        ));
        assert!(fires(&MONITOR, None, "HR 72  SpO2 98  NIBP 120/80"));
        assert!(
            !fires(
                &MONITOR,
                stats(|s| {
                    s.dark = 0.7;
                    s.traces_on_dark = 0.0
                }),
                ""
            ),
            "a dark room"
        );
        assert!(!fires(&MONITOR, None, "HR department"), "one label");
        // Near miss: the same labels read at low confidence (off fur, a pool's ripples).
        let blurred = |confidence: f32| {
            let words = ["ECG", "HR", "RR"].map(|t| crate::ocr::Word {
                text: t.into(),
                bbox: crate::geometry::Rect { x: 0, y: 0, width: 30, height: 12 },
                confidence,
            });
            let text =
                TextEvidence::new(vec![Document::from_ocr(&[crate::ocr::Line { words: words.to_vec() }])]);
            let facts = MetaFacts::default();
            let ev = Evidence { text: Some(&text), ..Evidence::of(&facts) };
            let mut out = Vec::new();
            MONITOR.check(&ev, &mut out);
            !out.is_empty()
        };
        assert!(blurred(90.0), "vitals labels read clearly");
        assert!(!blurred(15.0), "vitals labels read off a texture");
        assert!(fires(&PATIENT_AREA, None, "FALL RISK\nYour nurse today: Sam"));
        assert!(!fires(&PATIENT_AREA, None, "Soup of the day\nBread basket"));
    }
}
