//! XMP: an RDF/XML packet, flattened into (path, value) properties.
//!
//! XMP writes the same property either as an attribute of `rdf:Description` or as a
//! child element (with `rdf:Seq`/`rdf:Bag`/`rdf:Alt`/`rdf:li` wrappers). Flattening to
//! paths of non-RDF names (`mwg-rs:Regions/mwg-rs:RegionList/mwg-rs:Name`) lets the
//! rules ask simple questions of either form.

use super::{CaptureTime, MetaFacts, XmpProperty};
use quick_xml::Reader;
use quick_xml::events::Event;

/// Most properties kept from one packet: a hostile packet can hold millions.
const MAX_PROPERTIES: usize = 4096;

/// Parses an XMP packet into `facts.xmp`. A packet that is not well-formed XML still
/// counts as a packet (`clean` removes it); the properties read before the error stay.
pub fn read(packet: &[u8], facts: &mut MetaFacts) {
    facts.xmp.extend(properties(packet));
}

/// The properties of one packet.
pub fn properties(packet: &[u8]) -> Vec<XmpProperty> {
    let mut reader = Reader::from_reader(packet);
    reader.config_mut().trim_text(false);
    let mut out = Vec::new();
    let mut path: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut buf = Vec::new();
    while out.len() < MAX_PROPERTIES {
        let event = match reader.read_event_into(&mut buf) {
            Ok(Event::Eof) | Err(_) => break,
            Ok(e) => e,
        };
        match event {
            Event::Start(start) => {
                let name = attributes(&start, &path, &mut out);
                path.push(if is_rdf_structure(&name) { String::new() } else { name });
                text.clear();
            }
            Event::Empty(start) => {
                attributes(&start, &path, &mut out);
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
                let p = path.iter().filter(|s| !s.is_empty()).cloned().collect::<Vec<_>>().join("/");
                if !value.trim().is_empty() && !p.is_empty() {
                    out.push(XmpProperty { path: p, value: value.trim().to_string() });
                }
                path.pop();
            }
            _ => {}
        }
        buf.clear();
    }
    out
}

/// Records the attributes of an element as properties and returns its name.
fn attributes(
    start: &quick_xml::events::BytesStart<'_>,
    path: &[String],
    out: &mut Vec<XmpProperty>,
) -> String {
    let name = String::from_utf8_lossy(start.name().as_ref()).into_owned();
    let mut element_path: Vec<&str> = path.iter().filter(|s| !s.is_empty()).map(String::as_str).collect();
    if !is_rdf_structure(&name) {
        element_path.push(&name);
    }
    for attr in start.attributes().flatten() {
        let key = String::from_utf8_lossy(attr.key.as_ref()).into_owned();
        let structural = key.starts_with("xmlns")
            || key.starts_with("rdf:")
            || key.starts_with("xml:")
            || key == "x:xmptk";
        if structural {
            continue;
        }
        let value = attr.unescape_value().map(|v| v.into_owned()).unwrap_or_default();
        let mut p = element_path.clone();
        p.push(&key);
        out.push(XmpProperty { path: p.join("/"), value });
    }
    name
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

    #[test]
    fn broken_xml_yields_what_was_read() {
        let props =
            properties(b"<x:xmpmeta><rdf:Description xmp:Rating=\"5\"><dc:title>ok</dc:title><broken");
        assert!(props.iter().any(|p| p.path == "xmp:Rating"));
        assert!(properties(b"\xFF\xFE garbage").is_empty());
    }
}
