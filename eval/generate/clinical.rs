//! Scenes with patient identifiers: wristband, whiteboard, monitor, label, sticker, door,
//! radiograph.

use crate::benign::{Line, text_card};
use crate::degrade::hash3;
use crate::paint::{
    Face, Layer, barcode_module, code128_width, jitter, mix, qr_modules, rgba, sd_round_rect, style,
};
use crate::people::{Patient, title_case};
use crate::rng::Lcg;
use crate::scene::Ctx;
use image::Rgba;

const PASTELS: [[u8; 3]; 5] =
    [[250, 250, 250], [255, 226, 234], [224, 236, 255], [255, 247, 212], [228, 248, 228]];
const SKIN: [[u8; 3]; 5] = [[241, 194, 167], [224, 172, 125], [198, 134, 86], [141, 85, 46], [255, 219, 182]];
pub(crate) const INK: [u8; 3] = [22, 22, 28];

/// Patient wristband on a forearm: name, MRN, DOB (+ age/sex), Code 128 of the MRN, some a QR.
pub(crate) fn wristband(rng: &mut Lcg, ctx: &Ctx<'_>, cap: f32) -> Layer {
    let (f, p) = (ctx.fonts, ctx.patient);
    let band = *rng.pick(&PASTELS);
    let ink = ctx.look.ink(INK, band);
    let body = if rng.chance(0.35) { Face::Mono } else { Face::Sans };
    let (name_st, st) = (style(Face::Bold, cap * 1.1, ink), style(body, cap, ink));
    let name = p.upper_name();
    let mrn = format!("{} {}", rng.pick(&["MRN:", "MRN", "MR#"]), p.mrn);
    let dob = format!("DOB: {}", Patient::us(p.dob));
    let age = rng.chance(0.6).then(|| format!("{} y {}", p.age, p.sex));
    let gap = cap * 1.75;
    let pad = cap * 0.9;
    let space = f.width(st, "  ");
    let line3 = f.width(st, &dob) + age.as_ref().map_or(0.0, |a| space + f.width(st, a));
    let text_w = f.width(name_st, &name).max(f.width(st, &mrn)).max(line3);
    let module = barcode_module(cap);
    let (bar_w, bar_h) = (code128_width(&p.mrn, module), cap * 2.8);
    let band_h = pad * 1.9 + cap * 1.1 + 2.0 * gap;
    let with_qr = rng.chance(0.25);
    let qr_n = qr_modules(&p.mrn).len() as f32;
    let qr_module = ((band_h * 0.72) / qr_n).floor().max(1.0);
    let label_w = pad
        + text_w
        + module * 10.0
        + bar_w
        + module * 10.0
        + if with_qr { qr_n * qr_module + pad } else { 0.0 };
    let strap = band_h * 1.3;
    let (lw, lh) = (label_w + 2.0 * strap, band_h * 6.0);
    let mut layer = Layer::new(lw, lh);
    // Forearm: perpendicular to the band, shaded towards its edges.
    let skin = *rng.pick(&SKIN);
    let arm = [strap * 0.6, 0.0, lw - strap * 0.6, lh];
    let (ax0, ax1) = (arm[0], arm[2]);
    layer.paint_with(arm, sd_round_rect(arm, 0.0), |x, y| {
        let t = ((x - ax0) / (ax1 - ax0) * 2.0 - 1.0).abs();
        // Fade out towards the layer's top and bottom so the arm has no hard cut ends.
        let end = ((y.min(lh - y) / (lh * 0.25)).min(1.0) * 255.0) as u8;
        let c = mix(skin, [40, 25, 20], 0.35 * t * t);
        Rgba([c[0], c[1], c[2], end])
    });
    let by = (lh - band_h) / 2.0;
    let band_r = [0.0, by, lw, by + band_h];
    layer.round_rect(band_r, band_h * 0.3, rgba(band));
    // Snaps on the straps.
    for cx in [strap * 0.4, lw - strap * 0.4] {
        layer.ellipse(
            cx,
            by + band_h / 2.0,
            band_h * 0.12,
            band_h * 0.12,
            rgba(mix(band, [90, 90, 90], 0.4)),
        );
    }
    let x = strap + pad;
    let b1 = by + pad + cap * 1.1;
    layer.item(f, name_st, x, b1, &name, "name", &name);
    layer.item(f, st, x, b1 + gap, &mrn, "mrn", &p.mrn);
    let r = layer.item(f, st, x, b1 + 2.0 * gap, &dob, "dob", &Patient::us(p.dob));
    if let Some(age) = &age {
        layer.item(f, st, r[2] + space, b1 + 2.0 * gap, age, "age", &p.age.to_string());
    }
    let bx = strap + pad + text_w + module * 10.0;
    layer.code128(bx, by + (band_h - bar_h) / 2.0, module, bar_h, &p.mrn, ink);
    if with_qr {
        let qx = bx + bar_w + module * 10.0;
        layer.qr(qx, by + (band_h - qr_n * qr_module) / 2.0, qr_module, &p.mrn, ink);
    }
    layer.core = [strap, by, strap + label_w, by + band_h];
    layer
}

/// Patient-room whiteboard in marker colours.
pub(crate) fn whiteboard(rng: &mut Lcg, ctx: &Ctx<'_>, cap: f32) -> Layer {
    let p = ctx.patient;
    let board = jitter(rng, [246, 248, 248], 4.0);
    let markers = [[30, 60, 170], [25, 25, 30], [20, 120, 60]];
    let room = format!("Room {} Bed {}", p.room, p.bed);
    let date = Patient::us(p.date);
    let name = p.title_name();
    let mut lines = vec![
        Line::new(&room, 1.3, Face::Bold, *rng.pick(&markers)).item("room-bed", &room),
        Line::new(&format!("Date: {date}"), 1.0, Face::Sans, *rng.pick(&markers)).item("date", &date),
        Line::new(&format!("Patient: {name}"), 1.0, Face::Sans, *rng.pick(&markers)).item("name", &name),
        Line::new(
            &format!("Your nurse today: {}", title_case(p.nurse)),
            1.0,
            Face::Sans,
            *rng.pick(&markers),
        ),
    ];
    if rng.chance(0.7) {
        lines.push(Line::new("Fall risk", 1.1, Face::Bold, [200, 30, 30]));
    }
    if rng.chance(0.5) {
        lines.push(Line::new(
            &format!("Goal: walk {} times today", rng.int(2, 4)),
            1.0,
            Face::Sans,
            *rng.pick(&markers),
        ));
    }
    if rng.chance(0.5) {
        lines.push(Line::new(&format!("Pain: {}/10", rng.int(0, 6)), 1.0, Face::Sans, *rng.pick(&markers)));
    }
    // Handwriting does not line up: indent each line a little.
    for l in &mut lines {
        l.indent = rng.range(0.0, 1.5);
    }
    text_card(ctx, cap, board, true, &lines)
}

/// Bedside vitals monitor: patient banner (name, MRN) over waveforms and large vital signs.
pub(crate) fn monitor(rng: &mut Lcg, ctx: &Ctx<'_>, cap: f32) -> Layer {
    let (f, p) = (ctx.fonts, ctx.patient);
    let screen = [8, 10, 16];
    let name = if rng.chance(0.5) { p.upper_name() } else { p.title_last_first() };
    let mrn = format!("MRN {}", p.mrn);
    let white = ctx.look.ink([235, 238, 240], screen);
    let grey = ctx.look.ink([190, 196, 200], screen);
    let name_st = style(Face::Bold, cap, white);
    let mrn_st = style(Face::Sans, cap, grey);
    let bezel = cap * 1.4;
    let pad = cap;
    let banner_w = f.width(name_st, &name) + cap * 3.0 + f.width(mrn_st, &mrn);
    let sw = (cap * 30.0).max(banner_w + 2.0 * pad);
    let sh = cap * 19.0;
    let (w, h) = (sw + 2.0 * bezel, sh + 2.0 * bezel + cap);
    let mut layer = Layer::new(w, h);
    layer.round_rect([0.0, 0.0, w, h], bezel, rgba([44, 46, 52]));
    let (sx, sy) = (bezel, bezel);
    layer.round_rect([sx, sy, sx + sw, sy + sh], 3.0, rgba(screen));
    // Banner.
    let b = sy + pad + cap;
    layer.round_rect([sx, sy, sx + sw, b + pad * 0.8], 0.0, rgba([24, 34, 52]));
    layer.item(f, name_st, sx + pad, b, &name, "name", &name);
    let mrn_x = sx + sw - pad - f.width(mrn_st, &mrn);
    layer.item(f, mrn_st, mrn_x, b, &mrn, "mrn", &p.mrn);
    // Vitals (not identifiers): label small, value large, in the usual colours.
    let vitals = [
        ("HR", rng.int(55, 110).to_string(), [60, 230, 90]),
        ("SpO2", rng.int(90, 100).to_string(), [70, 200, 240]),
        ("BP", format!("{}/{}", rng.int(95, 150), rng.int(55, 95)), [240, 90, 90]),
        ("RR", rng.int(10, 24).to_string(), [240, 220, 80]),
    ];
    let col_x = sx + sw * 0.6;
    let row_h = (sh - (b - sy) - pad * 2.0) / 4.0;
    let wave_w = col_x - sx - pad * 2.0;
    let shown: Vec<String> = vitals.iter().map(|(label, value, _)| format!("{label} {value}")).collect();
    // Large digits, as big as the row height and the column width allow.
    let big_cap = {
        let probe = style(Face::Bold, cap, rgba(screen));
        let widest = shown.iter().map(|s| f.width(probe, s)).fold(0.0, f32::max);
        (row_h * 0.55).min(cap * (sx + sw - pad - col_x) / widest)
    };
    for (i, (_, _, color)) in vitals.iter().enumerate() {
        let top = b + pad + i as f32 * row_h;
        let c = ctx.look.ink(*color, screen);
        layer.text(f, style(Face::Bold, big_cap, c), col_x, top + row_h * 0.5 + big_cap * 0.5, &shown[i]);
        // A waveform for the first three rows.
        if i < 3 {
            let mid = top + row_h * 0.55;
            let amp = row_h * 0.3;
            let period = cap * rng.range(4.0, 7.0);
            let pts: Vec<(f32, f32)> = (0..=(wave_w / 3.0) as usize)
                .map(|k| {
                    let x = k as f32 * 3.0;
                    let ph = (x / period).fract();
                    let y = match i {
                        0 if ph < 0.06 => -amp * (1.0 - (ph / 0.03 - 1.0).abs()),
                        0 => amp * 0.08 * (ph * 12.0).sin(),
                        1 => -amp * 0.7 * (ph * std::f32::consts::TAU).sin().max(-0.3),
                        _ => amp * 0.4 * (ph * std::f32::consts::TAU).sin(),
                    };
                    (sx + pad + x, mid + y)
                })
                .collect();
            layer.polyline(&pts, (cap / 8.0).max(1.5), c);
        }
    }
    layer
}

/// Specimen tube label or IV bag label: name, MRN, DOB, accession, drawn/prepared time, barcode.
pub(crate) fn label(rng: &mut Lcg, ctx: &Ctx<'_>, cap: f32) -> Layer {
    let (f, p) = (ctx.fonts, ctx.patient);
    let iv = rng.chance(0.4);
    let paper = jitter(rng, [252, 252, 249], 3.0);
    let ink = ctx.look.ink(INK, paper);
    let face = if rng.chance(0.5) { Face::Mono } else { Face::Sans };
    let st = style(face, cap, ink);
    let bold = style(Face::Bold, cap, ink);
    let name = p.upper_name();
    let mrn = format!("MRN: {}", p.mrn);
    let dob = format!("DOB: {}", Patient::us(p.dob));
    let acc = format!("Acc# {}", p.accession);
    let when = format!("{} {}", Patient::us(p.date), p.clock());
    let when_shown = format!("{} {when}", if iv { "Prepared:" } else { "Drawn:" });
    let header = if iv { "PHARMACY" } else { "LAB SPECIMEN" };
    let extra: Vec<String> = if iv {
        vec![
            format!(
                "{} {} in NS {} mL",
                rng.pick(&["Vancomycin", "Cefazolin", "Heparin", "Piperacillin"]),
                rng.pick(&["1 g", "2 g", "500 mg"]),
                rng.pick(&[100, 250, 500])
            ),
            format!("Infuse over {} h", rng.int(1, 4)),
        ]
    } else {
        vec![format!(
            "{} {} mL  {}",
            rng.pick(&["Lav EDTA", "SST", "Lt blue"]),
            rng.int(2, 6),
            rng.pick(&["CBC w/diff", "BMP", "PT/INR", "Lipid panel"])
        )]
    };
    let gap = cap * 1.7;
    let pad = cap;
    let module = barcode_module(cap);
    let bar_w = code128_width(&p.mrn, module);
    let with_qr = rng.chance(0.3);
    let qr_n = qr_modules(&p.mrn).len() as f32;
    let qr_module = (cap * 5.0 / qr_n).floor().max(2.0);
    let lines = [&name, &mrn, &dob, &acc, &when_shown];
    let text_w = lines
        .iter()
        .map(|s| f.width(st, s))
        .chain(extra.iter().map(|s| f.width(st, s)))
        .fold(f.width(bold, &name), f32::max);
    let qr_w = if with_qr { qr_n * qr_module + pad } else { 0.0 };
    let card_w = (text_w + qr_w).max(bar_w + module * 20.0) + 2.0 * pad;
    let n_lines = 1 + lines.len() + extra.len();
    // Lines, then the barcode 1.2 caps below the last baseline and 2.6 caps tall.
    let card_h = pad * 2.0 + (n_lines - 1) as f32 * gap + cap * 4.8;
    let (margin_x, margin_y) = if iv { (card_w * 0.25, card_h * 0.35) } else { (0.0, 0.0) };
    let mut layer = Layer::new(card_w + 2.0 * margin_x, card_h + 2.0 * margin_y);
    if iv {
        // Translucent bag with a hanger hole and a port.
        let (w, h) = (layer.img.width() as f32, layer.img.height() as f32);
        let bag = [0.0, h * 0.06, w, h * 0.94];
        layer.round_rect(bag, w * 0.08, Rgba([214, 228, 238, 150]));
        layer.ellipse(w / 2.0, h * 0.1, w * 0.05, h * 0.025, Rgba([120, 130, 140, 200]));
        layer.round_rect([w * 0.45, h * 0.94 - 2.0, w * 0.55, h], 2.0, Rgba([230, 236, 240, 230]));
    }
    let (x0, y0) = (margin_x, margin_y);
    let card = [x0, y0, x0 + card_w, y0 + card_h];
    layer.round_rect(card, cap * 0.4, rgba(paper));
    let x = x0 + pad;
    let mut b = y0 + pad + cap;
    layer.text(f, bold, x, b, header);
    b += gap;
    layer.item(f, bold, x, b, &name, "name", &name);
    b += gap;
    layer.item(f, st, x, b, &mrn, "mrn", &p.mrn);
    b += gap;
    layer.item(f, st, x, b, &dob, "dob", &Patient::us(p.dob));
    b += gap;
    layer.item(f, st, x, b, &acc, "accession", &p.accession);
    b += gap;
    layer.item(f, st, x, b, &when_shown, "date", &when);
    for e in &extra {
        b += gap;
        layer.text(f, st, x, b, e);
    }
    layer.code128(x + module * 10.0, b + cap * 1.2, module, cap * 2.6, &p.mrn, ink);
    if with_qr {
        layer.qr(x0 + card_w - pad - qr_n * qr_module, y0 + pad + gap, qr_module, &p.mrn, ink);
    }
    layer.core = card;
    layer
}

/// Chart addressograph sticker (dot-matrix style, monospaced).
pub(crate) fn sticker(rng: &mut Lcg, ctx: &Ctx<'_>, cap: f32) -> Layer {
    let (f, p) = (ctx.fonts, ctx.patient);
    let paper = *rng.pick(&[[252, 250, 238], [250, 250, 250], [236, 244, 252]]);
    let paper = jitter(rng, paper, 3.0);
    let ink = ctx.look.ink(*rng.pick(&[INK, [30, 40, 110]]), paper);
    let st = style(Face::Mono, cap, ink);
    let name = p.upper_name();
    let mrn = format!("MRN: {}", p.mrn);
    let dob = format!("DOB: {}", Patient::us(p.dob));
    let age = format!("Age: {}", p.age);
    let sex = format!("Sex: {}", p.sex);
    let phone = format!("Ph: {}", p.phone);
    let acct = format!("Acct {}", p.account);
    let space = f.width(st, "  ");
    let gap = cap * 1.6;
    let pad = cap * 0.9;
    let with_bar = rng.chance(0.5);
    let module = barcode_module(cap);
    let rows = [
        f.width(st, &name),
        f.width(st, &mrn) + space + f.width(st, &dob),
        f.width(st, &age) + space + f.width(st, &sex),
        f.width(st, &phone),
        f.width(st, &acct),
    ];
    let bar_w = code128_width(&p.mrn, module) + module * 20.0;
    let w = rows.iter().copied().fold(if with_bar { bar_w } else { 0.0 }, f32::max) + 2.0 * pad;
    let h = 2.0 * pad + 5.0 * gap + if with_bar { cap * 3.2 } else { 0.0 };
    let mut layer = Layer::new(w, h);
    layer.round_rect([0.0, 0.0, w, h], cap * 0.5, rgba(paper));
    let x = pad;
    let mut b = pad + cap;
    layer.item(f, st, x, b, &name, "name", &name);
    b += gap;
    let r = layer.item(f, st, x, b, &mrn, "mrn", &p.mrn);
    layer.item(f, st, r[2] + space, b, &dob, "dob", &Patient::us(p.dob));
    b += gap;
    let r = layer.item(f, st, x, b, &age, "age", &p.age.to_string());
    layer.text(f, st, r[2] + space, b, &sex);
    b += gap;
    layer.item(f, st, x, b, &phone, "phone", &p.phone);
    b += gap;
    // An account number is a record identifier too: labelled `mrn` (see eval/README.md).
    layer.item(f, st, x, b, &acct, "mrn", &p.account);
    if with_bar {
        layer.code128(x + module * 10.0, b + cap * 0.8, module, cap * 2.4, &p.mrn, ink);
    }
    layer
}

/// Room door with a sign plate: "Room 5214" and the patient's name in a slide-in holder.
pub(crate) fn door(rng: &mut Lcg, ctx: &Ctx<'_>, cap: f32) -> Layer {
    let (f, p) = (ctx.fonts, ctx.patient);
    let (plate, text_c) = *rng.pick(&[
        ([32, 52, 92], [245, 245, 240]),
        ([92, 62, 42], [240, 230, 210]),
        ([222, 222, 216], [30, 30, 36]),
    ]);
    let room = format!("Room {}", p.room);
    let name = match rng.int(0, 2) {
        0 => p.title_name(),
        1 => p.title_last_first(),
        _ => p.upper_name(),
    };
    let room_st = style(Face::Bold, cap * 1.5, ctx.look.ink(text_c, plate));
    let insert = [250, 250, 248];
    let name_st = style(Face::Sans, cap, ctx.look.ink(INK, insert));
    let pad = cap * 1.1;
    let sign_w = f.width(room_st, &room).max(f.width(name_st, &name) + pad) + 2.0 * pad;
    let sign_h = pad * 3.0 + cap * 1.5 + cap * 2.6;
    let (dw, dh) = (sign_w * 2.6, sign_h * 7.0);
    let mut layer = Layer::new(dw, dh);
    // Wood door with grain and panel grooves.
    let wood = *rng.pick(&[[168, 124, 82], [120, 84, 52], [200, 170, 130], [226, 224, 218]]);
    let wood = jitter(rng, wood, 8.0);
    let grain_seed = rng.next_u32();
    layer.paint_with([0.0, 0.0, dw, dh], sd_round_rect([0.0, 0.0, dw, dh], 0.0), |x, _| {
        let g = (hash3((x / 3.0) as u32, 0, grain_seed) % 100) as f32 / 100.0;
        rgba(mix(wood, [60, 40, 25], 0.08 * g))
    });
    let groove = rgba(mix(wood, [40, 28, 18], 0.25));
    for gx in [dw * 0.1, dw * 0.9] {
        layer.segment((gx, dh * 0.05), (gx, dh * 0.95), (cap * 0.15).max(2.0), groove);
    }
    let (sx, sy) = ((dw - sign_w) / 2.0, dh * 0.3);
    let sign = [sx, sy, sx + sign_w, sy + sign_h];
    layer.round_rect(sign, cap * 0.4, rgba(plate));
    layer.item(f, room_st, sx + pad, sy + pad + cap * 1.5, &room, "room-bed", &room);
    let ins = [sx + pad * 0.6, sy + pad * 2.0 + cap * 1.5, sx + sign_w - pad * 0.6, sy + sign_h - pad * 0.6];
    layer.round_rect(ins, 2.0, rgba(insert));
    layer.item(f, name_st, ins[0] + pad * 0.5, (ins[1] + ins[3]) / 2.0 + cap / 2.0, &name, "name", &name);
    layer.core = sign;
    layer
}

/// Radiograph with burned-in demographics (white text on a dark, noisy chest film).
pub(crate) fn radiograph(rng: &mut Lcg, ctx: &Ctx<'_>, cap: f32) -> Layer {
    let (f, p) = (ctx.fonts, ctx.patient);
    let (w, h) = (cap * 36.0, cap * 30.0);
    let mut layer = Layer::new(w, h);
    let base = [18, 18, 20];
    layer.round_rect([0.0, 0.0, w, h], 0.0, rgba(base));
    // Chest anatomy in greys: soft tissue, lungs, spine, ribs, clavicles.
    let grey = |v: u8, a: u8| Rgba([v, v, v, a]);
    layer.ellipse(w * 0.5, h * 0.6, w * 0.42, h * 0.48, grey(70, 255));
    for side in [-1.0f32, 1.0] {
        layer.ellipse(w * (0.5 + side * 0.17), h * 0.56, w * 0.14, h * 0.34, grey(34, 255));
    }
    layer.round_rect([w * 0.47, h * 0.1, w * 0.53, h], w * 0.02, grey(120, 230));
    for k in 0..8 {
        let y = h * (0.3 + k as f32 * 0.075);
        for side in [-1.0f32, 1.0] {
            let pts: Vec<(f32, f32)> = (0..=12)
                .map(|i| {
                    let t = i as f32 / 12.0;
                    (w * (0.5 + side * (0.03 + 0.3 * t)), y + h * 0.06 * (t * 3.0).sin())
                })
                .collect();
            layer.polyline(&pts, h * 0.018, grey(96, 255));
        }
    }
    for side in [-1.0f32, 1.0] {
        layer.segment(
            (w * (0.5 + side * 0.05), h * 0.2),
            (w * (0.5 + side * 0.3), h * 0.16),
            h * 0.025,
            grey(140, 220),
        );
    }
    // Film noise.
    let seed = rng.next_u32();
    for (x, y, px) in layer.img.enumerate_pixels_mut() {
        let n = (hash3(x, y, seed) % 25) as i32 - 12;
        for i in 0..3 {
            px[i] = (i32::from(px[i]) + n).clamp(0, 255) as u8;
        }
    }
    let white = ctx.look.ink([236, 236, 236], base);
    let face = if rng.chance(0.5) { Face::Mono } else { Face::Sans };
    let st = style(face, cap, white);
    let name = if rng.chance(0.6) { p.dicom_name() } else { p.upper_name() };
    let mrn = format!("{} {}", rng.pick(&["ID:", "Patient ID:", "MRN"]), p.mrn);
    let (dob_v, study_v) = if rng.chance(0.5) {
        (Patient::iso(p.dob), format!("{} {}", Patient::iso(p.date), p.clock()))
    } else {
        (Patient::us(p.dob), format!("{} {}", Patient::us(p.date), p.clock()))
    };
    let dob = format!("DOB: {dob_v}");
    let study = format!("Study: {study_v}");
    let pad = cap;
    let gap = cap * 1.6;
    layer.item(f, st, pad, pad + cap, &name, "name", &name);
    layer.item(f, st, pad, pad + cap + gap, &mrn, "mrn", &p.mrn);
    layer.item(f, st, pad, pad + cap + 2.0 * gap, &dob, "dob", &dob_v);
    let right = |s: &str| w - pad - f.width(st, s);
    let view = *rng.pick(&["CHEST PA", "CHEST AP PORTABLE", "CR CHEST 2V"]);
    layer.text(f, st, right(view), pad + cap, view);
    layer.item(f, st, right(&study), pad + cap + gap, &study, "date", &study_v);
    let tech = format!("kVp {}  mAs {:.1}", rng.int(90, 125), rng.range(1.0, 4.0));
    layer.text(f, st, pad, h - pad, &tech);
    layer.text(
        f,
        style(Face::Bold, cap * 2.0, white),
        w - pad - f.width(style(Face::Bold, cap * 2.0, white), "R"),
        h - pad,
        "R",
    );
    layer
}
