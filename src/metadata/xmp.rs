//! XMP: an RDF/XML packet, flattened into (path, value) properties.
//!
//! XMP writes the same property either as an attribute of `rdf:Description` or as a
//! child element (with `rdf:Seq`/`rdf:Bag`/`rdf:Alt`/`rdf:li` wrappers). Flattening to
//! paths of non-RDF names (`mwg-rs:Regions/mwg-rs:RegionList/mwg-rs:Name`) lets the
//! rules ask simple questions of either form.

use super::{CaptureTime, MetaFacts, XmpProperty};
use crate::error::{Error, Result, Stage};
use crate::limits::Deadline;
use quick_xml::Reader;
use quick_xml::events::Event;

/// Most properties kept from one packet: a hostile packet can hold millions.
/// (Photoshop's DocumentAncestors lists run to thousands of entries in real files, so
/// properties past this are not read, but the packet is removed whole by `clean`.)
const MAX_PROPERTIES: usize = 4096;

/// Deepest element nesting read. Real packets nest a dozen levels (x:xmpmeta, rdf:RDF,
/// rdf:Description, a structure, rdf:Bag, rdf:li, …); a packet nested deeper is built
/// to hurt a parser (40 000 levels took 114 s when every end tag copied its path), and
/// what it holds past the cap would go unread: the photo is blocked (`error.limits`).
pub const MAX_DEPTH: usize = 64;

/// Longest property path, in bytes: a few hundred in real packets. Past it, each
/// property would copy a path as long as the packet itself.
pub const MAX_PATH_BYTES: usize = 2048;

/// How many XML events are read between two looks at the clock.
const EVENTS_PER_DEADLINE_CHECK: usize = 4096;

/// Parses an XMP packet into `facts.xmp`. A packet that is not well-formed XML still
/// counts as a packet (`clean` removes it); the properties read before the error stay.
///
/// Fails (closed) when the packet is nested past [`MAX_DEPTH`] or its paths grow past
/// [`MAX_PATH_BYTES`] (`error.limits`: what lies deeper was not read), or when the
/// photo's time budget runs out while reading it.
pub fn read(packet: &[u8], facts: &mut MetaFacts, deadline: &Deadline) -> Result<()> {
    let (props, result) = parse(packet, deadline);
    facts.xmp.extend(props);
    result
}

/// The properties of one packet, ignoring the caps' errors (what was read before them).
pub fn properties(packet: &[u8]) -> Vec<XmpProperty> {
    parse(packet, &Deadline::unlimited()).0
}

/// One pass over the packet, linear in its size: the current path is one string that
/// grows and shrinks with the element stack (`ends` holds its length before each
/// element), so an end tag costs the length of its own name, not of the whole path.
fn parse(packet: &[u8], deadline: &Deadline) -> (Vec<XmpProperty>, Result<()>) {
    let mut reader = Reader::from_reader(packet);
    reader.config_mut().trim_text(false);
    let mut out = Vec::new();
    let mut path = String::new();
    let mut ends: Vec<usize> = Vec::new();
    let mut text = String::new();
    let mut buf = Vec::new();
    let too_big = |what: String| {
        Error::new(
            Stage::Limits,
            format!("an XMP packet {what}: built to hurt a parser, and what it holds was not all read"),
        )
    };
    let mut events = 0usize;
    while out.len() < MAX_PROPERTIES {
        events += 1;
        if events.is_multiple_of(EVENTS_PER_DEADLINE_CHECK)
            && let Err(e) = deadline.check("reading an XMP packet")
        {
            return (out, Err(e));
        }
        let event = match reader.read_event_into(&mut buf) {
            Ok(Event::Eof) | Err(_) => break,
            Ok(e) => e,
        };
        match event {
            Event::Start(start) => {
                if ends.len() >= MAX_DEPTH {
                    return (out, Err(too_big(format!("nested deeper than {MAX_DEPTH} elements"))));
                }
                let name = match attributes(&start, &path, &mut out) {
                    Ok(name) => name,
                    Err(what) => return (out, Err(too_big(what))),
                };
                ends.push(path.len());
                if !is_rdf_structure(&name) {
                    if !path.is_empty() {
                        path.push('/');
                    }
                    path.push_str(&name);
                }
                text.clear();
            }
            Event::Empty(start) => {
                if let Err(what) = attributes(&start, &path, &mut out) {
                    return (out, Err(too_big(what)));
                }
            }
            Event::Text(t) => text.push_str(&t.decode().unwrap_or_default()),
            Event::CData(t) => text.push_str(&String::from_utf8_lossy(&t)),
            Event::GeneralRef(r) => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    text.push(c);
                } else {
                    text.push_str(match &r[..] {
                        b"amp" => "&",
                        b"lt" => "<",
                        b"gt" => ">",
                        b"quot" => "\"",
                        b"apos" => "'",
                        _ => "",
                    });
                }
            }
            Event::End(_) => {
                let value = std::mem::take(&mut text);
                if !value.trim().is_empty() && !path.is_empty() {
                    out.push(XmpProperty { path: path.clone(), value: value.trim().to_string() });
                }
                path.truncate(ends.pop().unwrap_or(0));
            }
            _ => {}
        }
        buf.clear();
    }
    (out, Ok(()))
}

/// Records the attributes of an element as properties and returns its name, or why
/// the element is past the caps (its path longer than [`MAX_PATH_BYTES`]).
fn attributes(
    start: &quick_xml::events::BytesStart<'_>,
    path: &str,
    out: &mut Vec<XmpProperty>,
) -> std::result::Result<String, String> {
    let name = String::from_utf8_lossy(start.name().as_ref()).into_owned();
    let mut element_path = path.to_string();
    if !is_rdf_structure(&name) {
        if !element_path.is_empty() {
            element_path.push('/');
        }
        element_path.push_str(&name);
    }
    let too_long = || format!("with a property path over {MAX_PATH_BYTES} bytes");
    if element_path.len() > MAX_PATH_BYTES {
        return Err(too_long());
    }
    for attr in start.attributes().flatten() {
        if out.len() >= MAX_PROPERTIES {
            break;
        }
        let key = String::from_utf8_lossy(attr.key.as_ref()).into_owned();
        let structural = key.starts_with("xmlns")
            || key.starts_with("rdf:")
            || key.starts_with("xml:")
            || key == "x:xmptk";
        if structural {
            continue;
        }
        let value = attr.unescape_value().map(|v| v.into_owned()).unwrap_or_default();
        let p = if element_path.is_empty() { key } else { format!("{element_path}/{key}") };
        if p.len() > MAX_PATH_BYTES {
            return Err(too_long());
        }
        out.push(XmpProperty { path: p, value });
    }
    Ok(name)
}

/// RDF and packet wrappers that carry structure, not meaning.
fn is_rdf_structure(name: &str) -> bool {
    name.starts_with("rdf:") || name == "x:xmpmeta" || name == "x:xapmeta"
}

/// The capture time from XMP date properties, most specific first.
pub fn capture_time(props: &[XmpProperty]) -> Option<CaptureTime> {
    for name in ["exif:DateTimeOriginal", "photoshop:DateCreated", "xmp:CreateDate", "xmp:ModifyDate"] {
        if let Some(p) = props.iter().find(|p| p.name() == name)
            && let Some(value) = super::exif::normalise_datetime(&p.value)
        {
            return Some(CaptureTime { value, source: format!("XMP {name}") });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const PACKET: &str = r#"<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
      <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:CreateDate="2026-11-20T08:15:00"
          xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" photoshop:City="Ann Arbor">
        <dc:creator><rdf:Seq><rdf:li>Jane &amp; Co</rdf:li></rdf:Seq></dc:creator>
        <mwg-rs:Regions rdf:parseType="Resource"><mwg-rs:RegionList><rdf:Bag>
          <rdf:li rdf:parseType="Resource"><mwg-rs:Name>Patient Doe</mwg-rs:Name><mwg-rs:Type>Face</mwg-rs:Type></rdf:li>
        </rdf:Bag></mwg-rs:RegionList></mwg-rs:Regions>
        <xmpMM:Empty/>
      </rdf:Description></rdf:RDF></x:xmpmeta>"#;

    #[test]
    fn flattens_attributes_and_elements() {
        let props = properties(PACKET.as_bytes());
        let get = |path: &str| props.iter().find(|p| p.path == path).map(|p| p.value.as_str());
        assert_eq!(get("xmp:CreateDate"), Some("2026-11-20T08:15:00"));
        assert_eq!(get("photoshop:City"), Some("Ann Arbor"));
        assert_eq!(get("dc:creator"), Some("Jane & Co"));
        assert_eq!(get("mwg-rs:Regions/mwg-rs:RegionList/mwg-rs:Name"), Some("Patient Doe"));
        assert_eq!(get("mwg-rs:Regions/mwg-rs:RegionList/mwg-rs:Type"), Some("Face"));
        assert_eq!(capture_time(&props).unwrap().value, "2026-11-20T08:15:00");
    }

    /// `depth` nested elements around a dc:title.
    fn nested(depth: usize) -> String {
        let mut x = String::from("<x:xmpmeta><rdf:RDF><rdf:Description>");
        x.push_str(&"<a:b>".repeat(depth));
        x.push_str("<dc:title>ok</dc:title>");
        x.push_str(&"</a:b>".repeat(depth));
        x.push_str("</rdf:Description></rdf:RDF></x:xmpmeta>");
        x
    }

    #[test]
    fn deep_nesting_is_refused_quickly_and_ordinary_nesting_is_read() {
        // Near miss: 50 levels (deeper than any real packet) still reads.
        let mut facts = MetaFacts::default();
        read(nested(50).as_bytes(), &mut facts, &Deadline::unlimited()).unwrap();
        assert!(facts.xmp.iter().any(|p| p.name() == "dc:title" && p.value == "ok"));
        // 200 000 levels: refused at the cap, at once (it took minutes when every end
        // tag copied its path).
        let started = std::time::Instant::now();
        let mut facts = MetaFacts::default();
        let e = read(nested(200_000).as_bytes(), &mut facts, &Deadline::unlimited()).unwrap_err();
        assert_eq!(e.stage, Stage::Limits);
        assert!(e.message.contains("nested deeper than 64"), "{}", e.message);
        assert!(started.elapsed() < std::time::Duration::from_secs(2), "{:?}", started.elapsed());
    }

    #[test]
    fn long_paths_and_spent_deadlines_stop_the_parser() {
        let long = format!(
            "<x:xmpmeta><rdf:Description><{0}><{0}/></{0}></rdf:Description></x:xmpmeta>",
            "n".repeat(1500)
        );
        let e = read(long.as_bytes(), &mut MetaFacts::default(), &Deadline::unlimited()).unwrap_err();
        assert!(e.message.contains("path over"), "{}", e.message);
        let spent = Deadline::starting_now(std::time::Duration::ZERO);
        std::thread::sleep(std::time::Duration::from_millis(2));
        let many = "<dc:title>x</dc:title>".repeat(5000);
        let e = read(many.as_bytes(), &mut MetaFacts::default(), &spent).unwrap_err();
        assert!(e.message.contains("while reading an XMP packet"), "{}", e.message);
    }

    #[test]
    fn broken_xml_yields_what_was_read() {
        let props =
            properties(b"<x:xmpmeta><rdf:Description xmp:Rating=\"5\"><dc:title>ok</dc:title><broken");
        assert!(props.iter().any(|p| p.path == "xmp:Rating"));
        assert!(properties(b"\xFF\xFE garbage").is_empty());
    }
}
