//! `multipart/form-data` bodies (RFC 7578), as HTML forms and upload libraries send a
//! file: the photo in the field `image`, and the request's other parameters as text
//! fields. The body is whole in memory already (its `Content-Length` was reserved and
//! checked against the upload limit), so this is a plain split at the boundary.

use super::Params;
use axum::body::Bytes;

/// A parsed form: the photo, the name its part gave it, and the text fields.
pub(super) struct Form {
    pub image: Bytes,
    pub file_name: Option<String>,
    pub fields: Params,
}

/// The fields a form may have besides `image`.
const FIELDS: [&str; 5] = ["policy", "name", "caption", "handle", "platform"];

/// The boundary from a `multipart/form-data; boundary=…` content type.
pub(super) fn boundary(content_type: &str) -> Result<String, String> {
    let found = content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim().eq_ignore_ascii_case("boundary").then(|| v.trim().trim_matches('"').to_string())
    });
    match found {
        Some(b) if !b.is_empty() && b.len() <= 70 => Ok(b),
        _ => {
            Err("a multipart/form-data body needs a boundary (1 to 70 characters) in its Content-Type".into())
        }
    }
}

/// The first `needle` in `hay` at or after `from`.
fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    memchr::memmem::find(hay.get(from..)?, needle).map(|i| i + from)
}

/// Splits `body` into its parts and picks out the photo and the fields.
pub(super) fn parse(body: &Bytes, boundary: &str) -> Result<Form, String> {
    let bad = |why: &str| format!("the multipart form is malformed: {why}");
    let dash = format!("--{boundary}");
    let delimiter = format!("\r\n--{boundary}");
    // The first boundary may follow a preamble; it starts the body or a line.
    let mut at = if body.starts_with(dash.as_bytes()) {
        dash.len()
    } else {
        find(body, delimiter.as_bytes(), 0).ok_or_else(|| bad("no boundary in the body"))? + delimiter.len()
    };
    let mut image: Option<Bytes> = None;
    let mut file_name = None;
    let mut fields = Params::default();
    loop {
        if body[at..].starts_with(b"--") {
            break;
        }
        // Transport padding, then the line break that starts the part.
        while body.get(at).is_some_and(|b| *b == b' ' || *b == b'\t') {
            at += 1;
        }
        if !body[at..].starts_with(b"\r\n") {
            return Err(bad("a boundary is not followed by a line break"));
        }
        at += 2;
        let head_end = find(body, b"\r\n\r\n", at).ok_or_else(|| bad("a part's headers do not end"))?;
        let head =
            std::str::from_utf8(&body[at..head_end]).map_err(|_| bad("a part's headers are not UTF-8"))?;
        let content_start = head_end + 4;
        let end = find(body, delimiter.as_bytes(), content_start - 2)
            .filter(|e| *e >= content_start - 2)
            .ok_or_else(|| bad("the last part is not closed by its boundary"))?;
        let content = body.slice(content_start.min(end)..end);
        at = end + delimiter.len();
        let (name, filename) = disposition(head).ok_or_else(|| bad("a part has no form-data name"))?;
        if name == "image" {
            if image.is_some() {
                return Err("one photo per request: the form has two `image` fields".into());
            }
            image = Some(content);
            file_name = filename;
            continue;
        }
        if !FIELDS.contains(&name.as_str()) {
            return Err(format!(
                "the form has a field {name:?}; it may have `image` (the photo) and {}",
                FIELDS.map(|f| format!("`{f}`")).join(", ")
            ));
        }
        let value =
            String::from_utf8(content.to_vec()).map_err(|_| format!("the form field {name} is not UTF-8"))?;
        let slot = match name.as_str() {
            "policy" => &mut fields.policy,
            "name" => &mut fields.name,
            "caption" => &mut fields.caption,
            "handle" => &mut fields.handle,
            _ => &mut fields.platform,
        };
        if slot.replace(value).is_some() {
            return Err(format!("the form has two {name} fields"));
        }
    }
    let image = image
        .ok_or("the multipart form has no `image` field: send the photo in it (curl -F image=@photo.jpg)")?;
    Ok(Form { image, file_name, fields })
}

/// The `name` and `filename` of a part's `Content-Disposition: form-data` header.
fn disposition(head: &str) -> Option<(String, Option<String>)> {
    let line = head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim().eq_ignore_ascii_case("content-disposition").then_some(v)
    })?;
    let mut params = split_params(line);
    let kind = params.next()?;
    if !kind.0.trim().eq_ignore_ascii_case("form-data") {
        return None;
    }
    let (mut name, mut filename) = (None, None);
    for (k, v) in params {
        match k.trim().to_ascii_lowercase().as_str() {
            "name" => name = v,
            "filename" => filename = v,
            _ => {}
        }
    }
    Some((name?, filename))
}

/// `a; k="v"; k2=v2` as (key, value) pairs, quoted values unescaped (`\"`, `\\`).
fn split_params(s: &str) -> impl Iterator<Item = (String, Option<String>)> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    let mut key = String::new();
    let mut value: Option<String> = None;
    while let Some(c) = chars.next() {
        match c {
            ';' => {
                out.push((std::mem::take(&mut key), value.take()));
            }
            '=' if value.is_none() => {
                let mut v = String::new();
                while chars.peek().is_some_and(|c| *c == ' ') {
                    chars.next();
                }
                if chars.peek() == Some(&'"') {
                    chars.next();
                    while let Some(c) = chars.next() {
                        match c {
                            '"' => break,
                            '\\' => v.extend(chars.next()),
                            c => v.push(c),
                        }
                    }
                } else {
                    while let Some(c) = chars.peek().copied().filter(|c| *c != ';') {
                        v.push(c);
                        chars.next();
                    }
                    v = v.trim().to_string();
                }
                value = Some(v);
            }
            c if value.is_none() => key.push(c),
            _ => {}
        }
    }
    out.push((key, value));
    out.into_iter().map(|(k, v)| (k.trim().to_string(), v))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(parts: &[(&str, Option<&str>, &[u8])]) -> Bytes {
        let mut body = b"preamble\r\n".to_vec();
        for (name, file, content) in parts {
            body.extend_from_slice(b"--XyZ\r\nContent-Disposition: form-data; name=\"");
            body.extend_from_slice(name.as_bytes());
            body.push(b'"');
            if let Some(f) = file {
                body.extend_from_slice(format!("; filename=\"{f}\"\r\nContent-Type: image/jpeg").as_bytes());
            }
            body.extend_from_slice(b"\r\n\r\n");
            body.extend_from_slice(content);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(b"--XyZ--\r\n");
        Bytes::from(body)
    }

    #[test]
    fn the_photo_and_the_fields_are_picked_out() {
        // Bytes that begin like the delimiter, and blank lines, stay in the photo.
        let photo: &[u8] = b"\xFF\xD8\r\n--XY\r\n--Xy\r\n\r\n\x00\xFF\xD9";
        let body = form(&[
            ("caption", None, b"Day 3 post-op"),
            ("image", Some("IMG \\\"1\\\".jpg"), photo),
            ("policy", None, b"umn"),
        ]);
        let f = parse(&body, "XyZ").unwrap();
        assert_eq!(&f.image[..], photo);
        assert_eq!(f.file_name.as_deref(), Some("IMG \"1\".jpg"));
        assert_eq!(f.fields.caption.as_deref(), Some("Day 3 post-op"));
        assert_eq!(f.fields.policy.as_deref(), Some("umn"));
        assert_eq!(f.fields.handle, None);
        assert_eq!(boundary("multipart/form-data; charset=utf-8; boundary=\"XyZ\"").unwrap(), "XyZ");
        assert!(boundary("multipart/form-data").is_err());
    }

    #[test]
    fn malformed_forms_say_what_is_wrong() {
        let err = |body: Bytes| parse(&body, "XyZ").err().unwrap();
        assert!(err(form(&[("caption", None, b"x")])).contains("no `image` field"));
        assert!(err(form(&[("image", None, b"a"), ("image", None, b"b")])).contains("two `image`"));
        assert!(err(form(&[("image", None, b"a"), ("patient", None, b"b")])).contains("\"patient\""));
        assert!(
            err(Bytes::from_static(b"--XyZ\r\nContent-Disposition: form-data; name=\"image\"\r\n\r\nabc"))
                .contains("not closed")
        );
        assert!(err(Bytes::from_static(b"nothing here")).contains("no boundary"));
    }
}
