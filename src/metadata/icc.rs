//! ICC colour profiles: which tags they hold, the text in them, and a canonical copy
//! with the colour data alone.
//!
//! A profile is a header, a tag table and tag data (ICC.1:2022, sections 7.2–7.3). Only
//! some tags say how the pixels look (colorants, tone curves, white point, lookup
//! tables); the rest are text (`desc`, `cprt`, `dmnd`, `dmdd`, `vued`, in `desc`, `text`
//! or `mluc` form) or private tags, and private tags can hold anything (one held a whole
//! JPEG). Bytes that no tag points at can hold anything too. So a profile is read, its
//! text goes through the text rules like any other metadata string, and anything besides
//! colour data and a plain description is reported (`meta.icc`); `clean` then writes a
//! canonical profile: the same colour tags, byte for byte, a neutral description, and a
//! header without its creator, device and date fields.

use super::be32;

/// Most tags read from one profile. Display and camera profiles carry 10–30; a profile
/// with more is treated as not being a colour profile at all (dropped by `clean`).
pub const MAX_TAGS: usize = 200;

/// Tags that describe colour: how pixel values map to colours (ICC.1 section 9.2).
/// `clean` keeps exactly these.
pub const COLOUR_TAGS: [&[u8; 4]; 31] = [
    b"wtpt", b"bkpt", b"rXYZ", b"gXYZ", b"bXYZ", b"rTRC", b"gTRC", b"bTRC", b"kTRC", b"chad", b"chrm",
    b"A2B0", b"A2B1", b"A2B2", b"B2A0", b"B2A1", b"B2A2", b"D2B0", b"D2B1", b"D2B2", b"D2B3", b"B2D0",
    b"B2D1", b"B2D2", b"B2D3", b"gamt", b"pre0", b"pre1", b"pre2", b"cicp", b"lumi",
];

/// Text tags that describe a profile: its name and copyright, and the descriptions of
/// its device and viewing conditions the ICC registers (`dmnd`, `dmdd`, `vued`), which the
/// standard sRGB profile in most camera and web JPEGs carries, and Apple's localised
/// names (`dscm`). Their text is read by the text rules like any metadata string; they
/// are not "beyond colour data" unless they hide more than short text.
const DESCRIPTION_TAGS: [&[u8; 4]; 6] = [b"desc", b"cprt", b"dmnd", b"dmdd", b"vued", b"dscm"];

/// Tags without text that common profiles carry, with the most bytes their data takes:
/// viewing conditions, measurement and technology (registered, fixed layouts, in the
/// standard sRGB profile), and the calibration and display data of Apple's display
/// profiles (`vcgt` video-card gamma, `ndin` native display, `mmod` make and model IDs,
/// `aarg`/`aagg`/`aabg` parametric curves). Larger, they could carry anything.
const KNOWN_DATA_TAGS: [(&[u8; 4], usize); 9] = [
    (b"view", 36),
    (b"meas", 36),
    (b"tech", 12),
    (b"vcgt", 4096),
    (b"ndin", 4096),
    (b"mmod", 64),
    (b"aarg", 64),
    (b"aagg", 64),
    (b"aabg", 64),
];

/// Longest profile name or copyright line that still reads as one (real ones: "sRGB
/// IEC61966-2.1", "Display P3", "Copyright Apple Inc., 2017").
const MAX_NAME_CHARS: usize = 200;

/// One text found in a profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IccText {
    /// The tag it came from: `desc`, `cprt`, `dmnd`, …
    pub tag: String,
    pub text: String,
}

/// What a profile holds besides its colour data.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IccFacts {
    /// Every text in the profile, for the text rules.
    pub texts: Vec<IccText>,
    /// What the profile holds beyond colour data and a plain name, described: private
    /// or non-colour tags, long text, bytes outside any tag or after a tag's data.
    pub extra: Vec<String>,
}

/// One entry of the tag table.
#[derive(Debug, Clone, Copy)]
struct Tag {
    sig: [u8; 4],
    offset: usize,
    size: usize,
}

/// The tag table, or `None` when it does not fit the profile (then it is not a colour
/// profile medscrub can vouch for, and it is dropped).
fn tags(icc: &[u8]) -> Option<Vec<Tag>> {
    let count = be32(icc, 128)? as usize;
    if count > MAX_TAGS || 132 + 12 * count > icc.len() {
        return None;
    }
    (0..count)
        .map(|i| {
            let at = 132 + 12 * i;
            let sig: [u8; 4] = icc.get(at..at + 4)?.try_into().ok()?;
            let (offset, size) = (be32(icc, at + 4)? as usize, be32(icc, at + 8)? as usize);
            let end = offset.checked_add(size)?;
            (offset >= 132 + 12 * count && end <= icc.len() && size >= 8).then_some(Tag { sig, offset, size })
        })
        .collect()
}

/// Reads a profile that passed [`super::icc_is_valid`]. `None`: its tag table is not
/// readable (too many tags, entries past the end).
pub fn read(icc: &[u8]) -> Option<IccFacts> {
    let tags = tags(icc)?;
    let mut facts = IccFacts::default();
    let mut covered = vec![false; icc.len()];
    covered[..132 + 12 * tags.len()].iter_mut().for_each(|c| *c = true);
    for t in &tags {
        let data = &icc[t.offset..t.offset + t.size];
        covered[t.offset..t.offset + t.size].iter_mut().for_each(|c| *c = true);
        let name = String::from_utf8_lossy(&t.sig).into_owned();
        let (texts, used) = text_of(data);
        let is_text = !texts.is_empty() || matches!(&data[..4], b"desc" | b"text" | b"mluc");
        for text in &texts {
            facts.texts.push(IccText { tag: name.clone(), text: text.clone() });
        }
        let colour = COLOUR_TAGS.contains(&&t.sig);
        let known_data = KNOWN_DATA_TAGS.iter().find(|(sig, _)| *sig == &t.sig).map(|&(_, most)| most);
        if DESCRIPTION_TAGS.contains(&&t.sig) && is_text {
            if texts.iter().any(|s| s.chars().count() > MAX_NAME_CHARS) {
                facts.extra.push(format!("a {name} text over {MAX_NAME_CHARS} characters"));
            }
        } else if let Some(most) = known_data.filter(|_| !is_text) {
            if t.size > most {
                facts.extra.push(format!("tag {name:?} of {} bytes (its data takes at most {most})", t.size));
            }
            continue;
        } else if !colour {
            let what = if is_text { "text tag" } else { "tag that is not colour data" };
            facts.extra.push(format!("{what} {name:?} ({} bytes)", t.size));
            continue;
        }
        // Bytes inside the tag after what its type needs: room for anything.
        let needed = used.or_else(|| needed_bytes(data));
        if let Some(n) = needed
            && data.get(n..).is_some_and(|rest| rest.iter().any(|&b| b != 0))
        {
            facts.extra.push(format!("{} bytes after the data of tag {name:?}", t.size - n));
        }
    }
    let hidden = icc.iter().zip(&covered).filter(|&(&b, &c)| !c && b != 0).count();
    if hidden > 0 {
        facts.extra.push(format!("{hidden} bytes that no tag points at"));
    }
    Some(facts)
}

/// How many bytes a colour tag's type needs, when it is a type with a fixed layout
/// (XYZ, curve, parametric curve, s15Fixed16 array). Lookup tables are taken as they are.
fn needed_bytes(data: &[u8]) -> Option<usize> {
    match &data[..4] {
        b"XYZ " => Some(8 + (data.len() - 8) / 12 * 12),
        b"curv" => Some(12 + 2 * be32(data, 8)? as usize),
        b"para" => {
            let params = [1, 3, 4, 5, 7].get(usize::from(super::be16(data, 8)?)).copied()?;
            Some(12 + 4 * params)
        }
        b"sf32" => Some(8 + (data.len() - 8) / 4 * 4),
        _ => None,
    }
}

/// The texts of a `text`, `desc` or `mluc` tag, and how many bytes its structure uses
/// (`None` for other types).
fn text_of(data: &[u8]) -> (Vec<String>, Option<usize>) {
    let clean = |s: String| s.trim_matches(|c: char| c == '\0' || c.is_whitespace()).to_string();
    let utf16 = |b: &[u8]| {
        let units: Vec<u16> = b.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
        clean(String::from_utf16_lossy(&units))
    };
    let mut out = Vec::new();
    let used = match &data[..4] {
        b"text" => {
            let body = &data[8..];
            let end = body.iter().position(|&b| b == 0).map_or(body.len(), |n| n + 1);
            out.push(clean(String::from_utf8_lossy(&body[..end]).into_owned()));
            Some(8 + end)
        }
        b"desc" => (|| {
            // textDescriptionType (ICC v2): ASCII, then Unicode, then ScriptCode parts.
            let ascii = be32(data, 8)? as usize;
            let a = data.get(12..12usize.checked_add(ascii)?)?;
            out.push(clean(String::from_utf8_lossy(a).into_owned()));
            let at = 12 + ascii;
            let units = be32(data, at + 4)? as usize;
            let u = data.get(at + 8..(at + 8).checked_add(units.checked_mul(2)?)?)?;
            out.push(utf16(u));
            let script = at + 8 + 2 * units;
            let count = usize::from(*data.get(script + 2)?);
            let s = data.get(script + 3..script + 3 + count.min(67))?;
            out.push(clean(String::from_utf8_lossy(s).into_owned()));
            Some(script + 3 + 67)
        })(),
        b"mluc" => (|| {
            // multiLocalizedUnicodeType (ICC v4): records of (language, country,
            // length, offset), each a UTF-16BE string.
            let (records, size) = (be32(data, 8)? as usize, be32(data, 12)? as usize);
            if size < 12 || records > MAX_TAGS {
                return None;
            }
            let mut end = 16 + records * size;
            for r in 0..records {
                let at = 16 + r * size;
                let (len, off) = (be32(data, at + 4)? as usize, be32(data, at + 8)? as usize);
                out.push(utf16(data.get(off..off.checked_add(len)?)?));
                end = end.max(off + len);
            }
            Some(end)
        })(),
        _ => None,
    };
    out.retain(|s| !s.is_empty());
    out.dedup();
    (out, used)
}

/// The profile with its colour data alone: the same colour tags (data copied byte for
/// byte, tags that shared data still share it), a neutral `desc` and `cprt` in the form
/// its version expects, and a header whose creator, device, platform, date and profile
/// id fields are zeroed (they describe where the profile came from, not the colours).
/// A `multiLocalizedUnicodeType` tag holding `text` as its one (en-US) record: the
/// text type of v4 profiles.
fn mluc(text: &str) -> Vec<u8> {
    let utf16: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    let mut t = b"mluc\0\0\0\0".to_vec();
    t.extend(1u32.to_be_bytes()); // one record
    t.extend(12u32.to_be_bytes()); // of 12 bytes
    t.extend(b"enUS");
    t.extend((utf16.len() as u32).to_be_bytes());
    t.extend(28u32.to_be_bytes()); // the text's offset from the tag's start
    t.extend(utf16);
    t
}

/// `None` when the tag table cannot be read.
pub fn canonical(icc: &[u8]) -> Option<Vec<u8>> {
    let tags = tags(icc)?;
    let v4 = icc[8] >= 4;
    let text_tag = |text: &str, description: bool| -> Vec<u8> {
        if v4 {
            mluc(text)
        } else if description {
            let mut t = b"desc\0\0\0\0".to_vec();
            t.extend((text.len() as u32 + 1).to_be_bytes());
            t.extend(text.as_bytes());
            t.push(0);
            t.extend([0u8; 8]); // no Unicode part
            t.extend([0u8; 70]); // no ScriptCode part
            t
        } else {
            let mut t = b"text\0\0\0\0".to_vec();
            t.extend(text.as_bytes());
            t.push(0);
            t
        }
    };
    // (signature, data); colour tags keep their original data.
    let mut entries: Vec<([u8; 4], Vec<u8>)> = vec![
        (*b"desc", text_tag("Colour profile (cleaned by medscrub)", true)),
        (*b"cprt", text_tag("No copyright information", false)),
    ];
    for t in tags.iter().filter(|t| COLOUR_TAGS.contains(&&t.sig)) {
        let data = &icc[t.offset..t.offset + t.size];
        let n = needed_bytes(data).unwrap_or(data.len()).min(data.len());
        entries.push((t.sig, data[..n].to_vec()));
    }
    let table_len = 4 + 12 * entries.len();
    let mut table = (entries.len() as u32).to_be_bytes().to_vec();
    let mut body: Vec<u8> = Vec::new();
    let mut stored: Vec<(&[u8], usize)> = Vec::new();
    for (sig, data) in &entries {
        let offset = match stored.iter().find(|(d, _)| *d == data.as_slice()) {
            Some(&(_, off)) => off,
            None => {
                body.resize(body.len().next_multiple_of(4), 0);
                let off = 128 + table_len + body.len();
                body.extend_from_slice(data);
                stored.push((data, off));
                off
            }
        };
        table.extend_from_slice(sig);
        table.extend((offset as u32).to_be_bytes());
        table.extend((data.len() as u32).to_be_bytes());
    }
    body.resize(body.len().next_multiple_of(4), 0);
    let mut out = icc[..128].to_vec();
    for range in [4..8, 24..36, 40..44, 48..56, 80..100, 100..128] {
        out[range].iter_mut().for_each(|b| *b = 0);
    }
    out.extend(table);
    out.extend(body);
    let size = out.len() as u32;
    out[..4].copy_from_slice(&size.to_be_bytes());
    Some(out)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn xyz() -> Vec<u8> {
        [b"XYZ \0\0\0\0".as_slice(), &[0, 0, 0xF6, 0xD6, 0, 1, 0, 0, 0, 0, 0xD3, 0x2D]].concat()
    }

    fn curve() -> Vec<u8> {
        [b"curv\0\0\0\0".as_slice(), &[0, 0, 0, 1, 2, 0x33]].concat()
    }

    fn desc(text: &str) -> Vec<u8> {
        let mut t = b"desc\0\0\0\0".to_vec();
        t.extend((text.len() as u32 + 1).to_be_bytes());
        t.extend(text.as_bytes());
        t.push(0);
        t.extend([0u8; 78]);
        t
    }

    /// A v2 profile made of `tags` (data padded to 4 bytes), then `tail` bytes.
    pub(crate) fn profile(tags: &[(&[u8; 4], Vec<u8>)], tail: &[u8]) -> Vec<u8> {
        let table_len = 4 + 12 * tags.len();
        let mut table = (tags.len() as u32).to_be_bytes().to_vec();
        let mut body = Vec::new();
        for (sig, data) in tags {
            body.resize(body.len().next_multiple_of(4), 0);
            table.extend_from_slice(*sig);
            table.extend(((128 + table_len + body.len()) as u32).to_be_bytes());
            table.extend((data.len() as u32).to_be_bytes());
            body.extend_from_slice(data);
        }
        body.resize(body.len().next_multiple_of(4), 0);
        body.extend_from_slice(tail);
        let mut h = vec![0u8; 128];
        h[8] = 2;
        h[12..16].copy_from_slice(b"mntr");
        h[16..20].copy_from_slice(b"RGB ");
        h[20..24].copy_from_slice(b"XYZ ");
        h[24..36].copy_from_slice(&[0x07, 0xEA, 0, 11, 0, 20, 0, 8, 0, 15, 0, 0]); // 2026-11-20 08:15
        h[36..40].copy_from_slice(b"acsp");
        h[48..52].copy_from_slice(b"ACME");
        h.extend(table);
        h.extend(body);
        let size = h.len() as u32;
        h[..4].copy_from_slice(&size.to_be_bytes());
        h
    }

    fn plain() -> Vec<(&'static [u8; 4], Vec<u8>)> {
        vec![
            (b"desc", desc("sRGB IEC61966-2.1")),
            (b"wtpt", xyz()),
            (b"rXYZ", xyz()),
            (b"gXYZ", xyz()),
            (b"bXYZ", xyz()),
            (b"rTRC", curve()),
            (b"gTRC", curve()),
            (b"bTRC", curve()),
        ]
    }

    #[test]
    fn a_plain_display_profile_is_colour_data_and_a_name() {
        let p = profile(&plain(), &[]);
        assert!(super::super::icc_is_valid(&p));
        let f = read(&p).unwrap();
        assert!(f.extra.is_empty(), "{:?}", f.extra);
        assert_eq!(f.texts, vec![IccText { tag: "desc".into(), text: "sRGB IEC61966-2.1".into() }]);
    }

    #[test]
    fn private_tags_device_text_and_hidden_bytes_are_beyond_colour_data() {
        let mut tags = plain();
        tags.push((b"dmnd", desc("Dr Jane Example, Ward 4B")));
        tags.push((b"vcgt", vec![7; 5000]));
        tags.push((b"Priv", [b"\xFF\xD8\xFF\xE0".as_slice(), &[7; 60]].concat()));
        let mut padded = curve();
        padded.extend(b"MRN 12345678");
        tags[5] = (b"rTRC", padded);
        let p = profile(&tags, b"hidden text after the tags");
        let f = read(&p).unwrap();
        let all = f.extra.join("; ");
        // A device description is text for the text rules, not a hiding place.
        assert!(!all.contains("dmnd"), "{all}");
        assert!(all.contains("tag \"vcgt\" of 5000 bytes"), "{all}");
        assert!(all.contains("\"Priv\""), "{all}");
        assert!(all.contains("after the data of tag \"rTRC\""), "{all}");
        assert!(all.contains("no tag points at"), "{all}");
        assert!(f.texts.iter().any(|t| t.tag == "dmnd" && t.text.contains("Jane Example")));
    }

    /// The sRGB IEC61966-2.1 profile most camera and web JPEGs carry: its device and
    /// viewing descriptions and its fixed-layout tags are part of a plain profile.
    #[test]
    fn the_standard_srgb_profile_is_plain() {
        let mut tags = plain();
        tags.push((b"dmnd", desc("IEC http://www.iec.ch")));
        tags.push((b"dmdd", desc("IEC 61966-2.1 Default RGB colour space - sRGB")));
        tags.push((b"vued", desc("Reference Viewing Condition in IEC61966-2.1")));
        tags.push((b"view", [b"view\0\0\0\0".as_slice(), &[1; 28]].concat()));
        tags.push((b"meas", [b"meas\0\0\0\0".as_slice(), &[1; 28]].concat()));
        tags.push((b"tech", b"sig \0\0\0\0CRT ".to_vec()));
        let f = read(&profile(&tags, &[])).unwrap();
        assert!(f.extra.is_empty(), "{:?}", f.extra);
        assert_eq!(f.texts.len(), 4, "every description still goes to the text rules: {:?}", f.texts);
    }

    #[test]
    fn mluc_text_is_read() {
        let mut tags = plain();
        tags[0] = (b"desc", mluc("Patient DOE"));
        let f = read(&profile(&tags, &[])).unwrap();
        assert_eq!(f.texts[0].text, "Patient DOE");
        assert!(f.extra.is_empty(), "a v4 name is a name: {:?}", f.extra);
    }

    #[test]
    fn the_canonical_profile_keeps_colour_tags_byte_for_byte_and_nothing_else() {
        let mut list = plain();
        list.push((b"dmdd", desc("iPhone of Jane Example")));
        list.push((b"Priv", vec![b'x'; 100]));
        let p = profile(&list, b"junk");
        let c = canonical(&p).unwrap();
        assert!(super::super::icc_is_valid(&c));
        let f = read(&c).unwrap();
        assert!(f.extra.is_empty(), "{:?}", f.extra);
        assert!(
            f.texts.iter().all(|t| !t.text.contains("Jane") && !t.text.contains("sRGB")),
            "{:?}",
            f.texts
        );
        let tag_data = |icc: &[u8], sig: &[u8; 4]| {
            let t = tags(icc).unwrap().into_iter().find(|t| &t.sig == sig).unwrap();
            icc[t.offset..t.offset + t.size].to_vec()
        };
        for sig in [b"wtpt", b"rXYZ", b"rTRC", b"bTRC"] {
            assert_eq!(tag_data(&p, sig), tag_data(&c, sig));
        }
        assert_eq!(&c[12..24], &p[12..24], "class, colour space and connection space kept");
        assert_eq!(&c[24..36], &[0; 12], "the date is gone");
        assert_eq!(&c[48..52], &[0; 4], "the device maker is gone");
        // Canonical is a fixed point.
        assert_eq!(canonical(&c).unwrap(), c);
    }

    #[test]
    fn unreadable_tag_tables_are_refused() {
        let mut p = profile(&plain(), &[]);
        p[131] = 250; // 250 tags: past the cap and past the end
        assert!(read(&p).is_none());
        let mut p = profile(&plain(), &[]);
        p[132 + 4..132 + 8].copy_from_slice(&0xFFFF_FF00u32.to_be_bytes()); // offset past the end
        assert!(read(&p).is_none());
    }
}
