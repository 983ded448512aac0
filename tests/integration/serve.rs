//! `medscrub serve` on an ephemeral port, spoken to with a few lines of HTTP/1.1 over a
//! plain TcpStream (no client library needed for what these tests send).

use crate::common::*;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server {
    child: Child,
    addr: String,
    /// What the server wrote on stderr after its first line (the request log).
    log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Server {
    fn start(extra: &[&str]) -> Server {
        Server::start_in(&std::env::temp_dir(), extra)
    }

    /// With `tmp` as the server's temporary folder (where uploads are staged).
    fn start_in(tmp: &std::path::Path, extra: &[&str]) -> Server {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin!("medscrub"))
            .args(["serve", "--bind", "127.0.0.1:0"])
            .args(extra)
            .env("OMP_THREAD_LIMIT", "1")
            .env("TMPDIR", tmp)
            // Debug builds add the process's count of analyses to each request's log line.
            .env("MEDSCRUB_DEBUG_STATS", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("medscrub starts");
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let first = lines.next().expect("a line on stderr").unwrap();
        let addr = first
            .strip_prefix("medscrub: serving on ")
            .and_then(|rest| rest.split(':').take(2).collect::<Vec<_>>().join(":").into())
            .unwrap_or_else(|| panic!("unexpected first line: {first}"));
        // Keep draining stderr so the server never blocks on it.
        let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let kept = std::sync::Arc::clone(&log);
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                kept.lock().unwrap().push(line);
            }
        });
        Server { child, addr, log }
    }

    /// The request log so far, waiting a moment for the line of the last request (the
    /// line is written as the response leaves).
    fn log_lines(&self, at_least: usize) -> Vec<String> {
        let start = Instant::now();
        loop {
            let lines = self.log.lock().unwrap().clone();
            if lines.len() >= at_least || start.elapsed() > Duration::from_secs(5) {
                return lines;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn request(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Response {
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
        let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n", self.addr);
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
        stream.write_all(head.as_bytes()).unwrap();
        // The server may answer (413) before reading all of a large body.
        let _ = stream.write_all(body);
        let mut raw = Vec::new();
        let _ = stream.read_to_end(&mut raw);
        Response::parse(&raw)
    }

    fn post(&self, path: &str, body: &[u8]) -> Response {
        self.request("POST", path, &[("Content-Type", "application/octet-stream")], body)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Response {
    status: u16,
    headers: BTreeMap<String, String>,
    body: Vec<u8>,
}

impl Response {
    fn parse(raw: &[u8]) -> Response {
        let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a complete HTTP response");
        let head = String::from_utf8_lossy(&raw[..split]).into_owned();
        let mut lines = head.lines();
        let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
        let headers: BTreeMap<String, String> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let mut body = raw[split + 4..].to_vec();
        if headers.get("transfer-encoding").is_some_and(|v| v == "chunked") {
            body = dechunk(&body);
        }
        Response { status, headers, body }
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
}

fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = body.windows(2).position(|w| w == b"\r\n").unwrap();
        let size = usize::from_str_radix(std::str::from_utf8(&body[..line_end]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&body[line_end + 2..line_end + 2 + size]);
        body = &body[line_end + 4 + size..];
    }
}

fn photo(name: &str) -> Vec<u8> {
    std::fs::read(fixtures().join(name)).unwrap()
}

#[test]
fn check_returns_the_report_and_clean_the_share_safe_bytes() {
    let s = Server::start(&[]);
    let health = s.request("GET", "/healthz", &[], b"");
    assert_eq!((health.status, health.body.as_slice()), (200, b"ok\n".as_slice()));

    let r = s.post("/v1/check?name=gps_only.jpg", &photo("photos/gps_only.jpg"));
    assert_eq!(r.status, 200);
    assert_eq!(r.headers["content-type"], "application/json");
    let report = r.json();
    assert_eq!(report["verdict"], "strip");
    assert_eq!(report["path"], "gps_only.jpg", "the name sent, not a temporary path");
    assert_eq!(report["findings"][0]["rule"], "meta.gps");

    let r = s.post("/v1/check?policy=umn", &photo("photos/clean.png"));
    assert_eq!(r.status, 200);
    assert_eq!((r.json()["verdict"].as_str(), r.json()["policy"].as_str()), (Some("share"), Some("umn")));

    let r = s.post("/v1/clean?name=gps_only.jpg", &photo("photos/gps_only.jpg"));
    assert_eq!(r.status, 200);
    assert_eq!(r.headers["content-type"], "image/jpeg");
    assert_eq!(r.headers["x-medscrub-verdict"], "strip");
    assert_eq!(r.headers["x-medscrub-rules"], "meta.gps");
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy.jpg");
    std::fs::write(&copy, &r.body).unwrap();
    let tags = exiftool(&copy);
    assert!(!tags.keys().any(|k| k.starts_with("GPS:")), "GPS left: {tags:?}");
    assert_eq!(image::load_from_memory(&r.body).unwrap().width(), 320);

    let r = s.post("/v1/clean", &photo("photos/clean.png"));
    assert_eq!((r.status, r.headers["content-type"].as_str()), (200, "image/png"));
    assert_eq!(r.body, photo("photos/clean.png"), "shareable: the same bytes back");
}

#[test]
fn blocked_photos_are_422_and_bad_requests_are_4xx_with_a_message() {
    let s = Server::start(&["--max-upload-mb", "1"]);
    let r = s.post("/v1/clean?name=IMG_1.jpg", &photo("broken/truncated.jpg"));
    assert_eq!(r.status, 422);
    let report = r.json();
    assert_eq!(report["verdict"], "block");
    assert!(report["error"].as_str().unwrap().starts_with("IMG_1.jpg: truncated JPEG"), "{report}");
    // A blocked photo checked is an answer, not an error.
    assert_eq!(s.post("/v1/check", &photo("broken/not_an_image.jpg")).status, 200);

    let empty = s.post("/v1/check", b"");
    assert_eq!(empty.status, 400);
    assert!(empty.json()["error"].as_str().unwrap().contains("empty body"));
    let policy = s.post("/v1/check?policy=nowhere", &photo("photos/clean.jpg"));
    assert_eq!(policy.status, 400);
    assert!(policy.json()["error"].as_str().unwrap().contains("unknown policy"));
    // A form is read (#19), but it must hold the photo in `image`.
    let form = s.request(
        "POST",
        "/v1/check",
        &[("Content-Type", "multipart/form-data; boundary=x")],
        b"--x\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nabc\r\n--x--\r\n",
    );
    assert_eq!(form.status, 400);
    assert!(form.json()["error"].as_str().unwrap().contains("`image`"), "{}", form.json());
    let mixed = s.request("POST", "/v1/check", &[("Content-Type", "multipart/mixed; boundary=x")], b"--x--");
    assert_eq!(mixed.status, 415);
    assert!(mixed.json()["error"].as_str().unwrap().contains("--data-binary"));
    let big = s.post("/v1/check", &vec![0xFF; 1024 * 1024 + 1]);
    assert_eq!(big.status, 413);
    assert!(big.json()["error"].as_str().unwrap().contains("limit of 1 MiB"), "{}", big.json());
    let long = s.post(&format!("/v1/check?name={}.jpg", "a".repeat(300)), &photo("photos/clean.jpg"));
    assert_eq!(long.status, 400, "{}", String::from_utf8_lossy(&long.body));
    assert!(long.json()["error"].as_str().unwrap().contains("at most 255 bytes"), "{}", long.json());
    // The length is what the memory budget reserves: a chunked upload is asked for one.
    let mut chunked = TcpStream::connect(&s.addr).unwrap();
    chunked
        .write_all(
            b"POST /v1/check HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
        )
        .unwrap();
    let (raw, _) = read_until_closed(&mut chunked, Duration::from_secs(10));
    assert_eq!(Response::parse(&raw).status, 411);
    assert_eq!(s.request("GET", "/v1/check", &[], b"").status, 405);
    assert_eq!(s.request("GET", "/nope", &[], b"").status, 404);
}

/// A photo whose text takes far longer to read than the five-second deadline: a printed
/// prescription twelve times over (4 × 3 pages, 4800 px square, so the detector still
/// sees every line; ~10 s of OCR on one core). Fine-detail texture is not slow enough:
/// the text search skips texture, and the project's own pixel loops are optimised in
/// debug builds too (it took ~2 s).
fn slow_photo() -> Vec<u8> {
    let page = image::load_from_memory(&photo("text/prescription_should_block.jpg")).unwrap().to_rgb8();
    let (w, h) = page.dimensions();
    let mut img = image::RgbImage::new(w * 4, h * 3);
    for (col, row) in (0..4).flat_map(|c| (0..3).map(move |r| (c, r))) {
        image::imageops::replace(&mut img, &page, i64::from(col * w), i64::from(row * h));
    }
    let mut jpeg = Vec::new();
    img.write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90)).unwrap();
    jpeg
}

#[test]
fn a_request_over_its_time_is_504_and_frees_its_slot_and_sigterm_stops_the_server() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = Server::start_in(tmp.path(), &["--timeout", "5", "--max-concurrent", "1"]);
    assert_eq!(s.request("GET", "/readyz", &[], b"").status, 200);
    let slow = slow_photo();
    let addr = s.addr.clone();
    let started = Instant::now();
    let first = std::thread::spawn(move || {
        Server { child: Command::new("true").spawn().unwrap(), addr, log: Default::default() }
            .post("/v1/check", &slow)
    });
    // While the only slot is taken, /readyz says so; /healthz still says the server answers.
    let busy = loop {
        let r = s.request("GET", "/readyz", &[], b"");
        if r.status == 503 || started.elapsed() > Duration::from_secs(5) {
            break r;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(busy.status, 503, "/readyz never said the slot was taken");
    assert!(String::from_utf8_lossy(&busy.body).contains("no analysis slot free"));
    assert_eq!(s.request("GET", "/healthz", &[], b"").status, 200, "still serving");
    // The upload being analysed is held in memory only: nothing of it is on disk.
    std::thread::sleep(Duration::from_millis(300));
    let written: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().flatten().map(|e| e.path()).collect();
    assert!(written.is_empty(), "the upload was written to disk: {written:?}");
    let r = first.join().unwrap();
    assert_eq!(r.status, 504, "{}", String::from_utf8_lossy(&r.body));
    assert!(started.elapsed() < Duration::from_secs(9), "answered at the deadline, not after the work");
    // The request that timed out gave its slot back: the next photo is analysed, not
    // told the server is busy behind an analysis nobody waits for.
    let next = s.post("/v1/check?name=clean.png", &photo("photos/clean.png"));
    assert_eq!(next.status, 200, "{}", String::from_utf8_lossy(&next.body));
    assert_eq!(next.json()["verdict"], "share");
    assert_eq!(s.request("GET", "/readyz", &[], b"").status, 200);

    let ok = Command::new("kill").args(["-TERM", &s.child.id().to_string()]).status().unwrap();
    assert!(ok.success());
    let start = Instant::now();
    let status = loop {
        if let Some(status) = s.child.try_wait().unwrap() {
            break status;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "serve did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0));
    let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert!(left.is_empty(), "uploads left behind: {left:?}");
}

/// Reads what the server sends on `stream` until it closes it or `wait` passes.
fn read_until_closed(stream: &mut TcpStream, wait: Duration) -> (Vec<u8>, bool) {
    stream.set_read_timeout(Some(wait)).unwrap();
    let mut raw = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return (raw, true),
            Ok(n) => raw.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                return (raw, false);
            }
            Err(_) => return (raw, true),
        }
    }
}

#[test]
fn slow_and_idle_clients_are_cut_off_and_connections_are_bounded() {
    let s = Server::start(&["--timeout", "4", "--read-timeout", "2", "--max-connections", "2"]);
    let head = "POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n";

    // A body trickled a byte at a time never pauses for 2 s; the request's 4 s stop it.
    let started = Instant::now();
    let mut trickle = TcpStream::connect(&s.addr).unwrap();
    trickle.write_all(head.as_bytes()).unwrap();
    let mut writer = trickle.try_clone().unwrap();
    let feeder = std::thread::spawn(move || {
        let begun = Instant::now();
        while begun.elapsed() < Duration::from_secs(12) && writer.write_all(b"x").is_ok() {
            std::thread::sleep(Duration::from_millis(250));
        }
    });
    let (raw, _) = read_until_closed(&mut trickle, Duration::from_secs(12));
    assert!(started.elapsed() < Duration::from_secs(8), "a trickled body was never cut off");
    let r = Response::parse(&raw);
    assert_eq!(r.status, 408);
    assert!(r.json()["error"].as_str().unwrap().contains("--timeout"), "{}", r.json());
    drop(trickle);
    feeder.join().unwrap();

    // A body that stops is cut off after 2 s without a byte.
    let started = Instant::now();
    let mut stalled = TcpStream::connect(&s.addr).unwrap();
    stalled.write_all(format!("{head}abc").as_bytes()).unwrap();
    let (raw, _) = read_until_closed(&mut stalled, Duration::from_secs(10));
    assert!(started.elapsed() < Duration::from_secs(5));
    let r = Response::parse(&raw);
    assert_eq!(r.status, 408);
    assert!(r.json()["error"].as_str().unwrap().starts_with("upload: the upload stopped"), "{}", r.json());
    assert!(r.json()["error"].as_str().unwrap().contains("--read-timeout"), "{}", r.json());

    // Two connections that send nothing fill --max-connections: a third waits, unserved,
    // until hyper's header timeout closes them (2 s), and is then answered.
    let mut idle: Vec<TcpStream> = (0..2).map(|_| TcpStream::connect(&s.addr).unwrap()).collect();
    let started = Instant::now();
    let mut third = TcpStream::connect(&s.addr).unwrap();
    third.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
    let (early, _) = read_until_closed(&mut third, Duration::from_millis(1000));
    assert!(early.is_empty(), "a connection past the limit was served at once");
    let (raw, closed) = read_until_closed(&mut third, Duration::from_secs(6));
    assert!(closed, "no answer once the idle connections were closed");
    assert_eq!(Response::parse(&raw).status, 200);
    assert!(started.elapsed() >= Duration::from_millis(1500), "{:?}", started.elapsed());
    for conn in &mut idle {
        let (sent, closed) = read_until_closed(conn, Duration::from_secs(2));
        assert!(closed && sent.is_empty(), "an idle connection was left open");
    }
}

#[test]
fn uploads_wait_unread_while_others_fill_the_memory_budget() {
    let s = Server::start(&["--max-upload-mb", "1", "--max-buffered-mb", "1", "--read-timeout", "30"]);
    // Declares a whole MiB, sends a little, and holds it: the budget is spoken for.
    let mut hog = TcpStream::connect(&s.addr).unwrap();
    hog.write_all(b"POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\n\r\nabc").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let releaser = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(1500));
        // The client gives up: its upload breaks off and its room is free.
        drop(hog);
    });
    let started = Instant::now();
    let r = s.post("/v1/check?name=clean.png", &photo("photos/clean.png"));
    let waited = started.elapsed();
    releaser.join().unwrap();
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert!(waited >= Duration::from_millis(1000), "read while the budget was full ({waited:?})");
}

#[test]
fn upload_folders_left_by_a_killed_server_are_removed_at_start() {
    let tmp = tempfile::tempdir().unwrap();
    // No process has this id (Linux pids stop at 2^22): a server that was killed.
    let stale = tmp.path().join("medscrub-serve-999999999-AbCdEf");
    std::fs::create_dir_all(stale.join("upload-x")).unwrap();
    std::fs::write(stale.join("upload-x/Doe_Jane.jpg"), b"a patient's photo").unwrap();
    // A live process's folder, one without our pattern, and someone else's file stay.
    let live = tmp.path().join(format!("medscrub-serve-{}-AbCdEf", std::process::id()));
    let older = tmp.path().join("medscrub-serve-AbCdEf");
    for keep in [&live, &older] {
        std::fs::create_dir(keep).unwrap();
    }
    std::fs::write(tmp.path().join("medscrub-serve-1-notafolder"), b"x").unwrap();
    let s = Server::start_in(tmp.path(), &[]);
    assert!(!stale.exists(), "the killed server's uploads are still there");
    assert!(live.exists() && older.exists() && tmp.path().join("medscrub-serve-1-notafolder").exists());
    // Uploads are analysed in memory: the server makes no folder of its own.
    let own = format!("medscrub-serve-{}-", s.child.id());
    let made: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(&own))
        .collect();
    assert!(made.is_empty(), "{made:?}");
}

#[test]
fn the_page_is_self_contained_and_its_script_runs_under_its_policy() {
    let s = Server::start(&[]);
    let r = s.request("GET", "/", &[], b"");
    assert_eq!(r.status, 200);
    assert_eq!(r.headers["content-type"], "text/html; charset=utf-8");
    assert!(r.headers["content-security-policy"].starts_with("default-src 'none'"));
    let html = String::from_utf8(r.body).unwrap();
    assert!(!html.contains("http://") && !html.contains("https://") && !html.contains("src=\""));
    assert!(!html.contains("innerHTML"), "untrusted text only through textContent");
    assert!(r.headers["content-security-policy"].contains("img-src blob:"), "the thumbnail is a local blob");
    // The report and the copy come in one answer: the photo is sent (and analysed) once.
    assert_eq!(html.matches("fetch(").count(), 1, "the page sends each photo once");
    assert!(html.contains("\"Accept\": \"application/json\"") && html.contains("/v1/clean"));
    assert!(html.contains("a.download = copy.name"), "the copy is saved under the name the server gave it");
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new("chromium")
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom"])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("http://{}/", s.addr))
        .output()
        .expect(
            "chromium is not installed: run scripts/bootstrap (it installs the Debian package `chromium`)",
        );
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(dom.contains("data-ready=\"yes\""), "the page's script did not run:\n{dom}");
    assert!(dom.contains("Drop photos here"));
}

/// A `multipart/form-data` body as browsers and curl -F send it.
fn form(boundary: &str, fields: &[(&str, &str)], image: Option<(&str, &[u8])>) -> Vec<u8> {
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
        );
    }
    if let Some((file, bytes)) = image {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"{file}\"\r\n\
                 Content-Type: image/jpeg\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    body
}

fn rules_of(report: &serde_json::Value) -> Vec<String> {
    report["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap().to_string()).collect()
}

#[test]
fn forms_and_per_request_caption_handle_and_policy_are_accepted() {
    let s = Server::start(&[]);
    let b = "----medscrubTestBoundary";
    let multipart = format!("multipart/form-data; boundary={b}");
    let caption = "72yo M, yesterday's case in the OR: biggest stone I've ever removed!";
    let body = form(
        b,
        &[("caption", caption), ("handle", "@UMichJohn"), ("policy", "michigan-medicine")],
        Some(("gps_only.jpg", &photo("photos/gps_only.jpg"))),
    );
    let r = s.request("POST", "/v1/check", &[("Content-Type", &multipart)], &body);
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let report = r.json();
    assert_eq!(
        (report["path"].as_str(), report["policy"].as_str()),
        (Some("gps_only.jpg"), Some("michigan-medicine"))
    );
    let rules = rules_of(&report);
    for id in ["meta.gps", "caption.age", "caption.timing", "handle.brand"] {
        assert!(rules.iter().any(|r| r == id), "{id} missing from {rules:?}");
    }
    assert_eq!(report["verdict"], "block");
    // The same through the query, with the raw body; a form field and the query may not
    // disagree about who says what.
    let q = format!(
        "/v1/check?name=a.jpg&handle=%40UMichJohn&caption={}",
        "Day%203%20in%20the%20ICU%2C%20bed%2012"
    );
    let r = s.post(&q, &photo("photos/clean.jpg"));
    assert_eq!(r.status, 200);
    assert!(rules_of(&r.json()).iter().any(|r| r == "handle.brand"), "{}", r.json());
    let twice = form(b, &[("policy", "umn")], Some(("a.jpg", &photo("photos/clean.jpg"))));
    let r = s.request("POST", "/v1/check?policy=wsu", &[("Content-Type", &multipart)], &twice);
    assert_eq!(r.status, 400);
    assert!(r.json()["error"].as_str().unwrap().contains("policy is given both"), "{}", r.json());
    // A platform is for the server's consent registry; this server has none.
    let r = s.post("/v1/check?platform=instagram", &photo("photos/clean.jpg"));
    assert_eq!(r.status, 400);
    assert!(r.json()["error"].as_str().unwrap().contains("--consent"), "{}", r.json());
    // A form's clean: the copy, as from a raw body.
    let body = form(b, &[], Some(("gps_only.jpg", &photo("photos/gps_only.jpg"))));
    let r = s.request("POST", "/v1/clean", &[("Content-Type", &multipart)], &body);
    assert_eq!((r.status, r.headers["content-type"].as_str()), (200, "image/jpeg"));
    assert_eq!(r.body, s.post("/v1/clean?name=gps_only.jpg", &photo("photos/gps_only.jpg")).body);
}

#[test]
fn one_clean_answers_the_report_and_the_neutrally_named_copy_analysing_once() {
    let s = Server::start(&[]);
    let analyses = |s: &Server, n: usize| -> u64 {
        let lines = s.log_lines(n);
        let last = lines.last().unwrap_or_else(|| panic!("no request log: {lines:?}"));
        last.rsplit("analyses=").next().unwrap().parse().unwrap_or_else(|_| panic!("{last}"))
    };
    let name = "Smith_John_MRN55120348.jpg";
    let r = s.post(&format!("/v1/clean?name={name}"), &photo("photos/gps_only.jpg"));
    assert_eq!(r.status, 200);
    let disposition = &r.headers["content-disposition"];
    assert!(disposition.starts_with("attachment; filename=\"photo-"), "{disposition}");
    assert!(disposition.contains(".jpg\"") && !disposition.contains("Smith"), "{disposition}");
    assert_eq!(analyses(&s, 1), 1, "a clean is one analysis");
    let raw = r.body;

    // Accept: application/json: the report and the copy in one answer.
    let r = s.request(
        "POST",
        &format!("/v1/clean?name={name}"),
        &[("Content-Type", "application/octet-stream"), ("Accept", "application/json")],
        &photo("photos/gps_only.jpg"),
    );
    assert_eq!((r.status, r.headers["content-type"].as_str()), (200, "application/json"));
    let both = r.json();
    assert_eq!(analyses(&s, 2), 2, "one analysis for the report and the copy");
    let report = &both["report"];
    assert_eq!(report["verdict"], "strip");
    assert!(rules_of(report).contains(&"text.name".to_string()) || rules_of(report).len() > 1, "{report}");
    let copy = &both["copy"];
    assert_eq!(copy["media_type"], "image/jpeg");
    assert_eq!(
        Some(copy["name"].as_str().unwrap()),
        disposition.split('"').nth(1),
        "the page and the header agree"
    );
    assert_eq!(report["output"], copy["name"]);
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD.decode(copy["base64"].as_str().unwrap()).unwrap();
    assert_eq!(bytes, raw, "the same copy either way");
    assert_eq!(copy["bytes"], bytes.len());
    // Blocked: 422, the report, no copy.
    let r = s.request(
        "POST",
        "/v1/clean",
        &[("Content-Type", "application/octet-stream"), ("Accept", "application/json")],
        &photo("broken/truncated.jpg"),
    );
    assert_eq!(r.status, 422);
    assert_eq!((r.json()["report"]["verdict"].as_str(), r.json()["copy"].is_null()), (Some("block"), true));
    assert_eq!(analyses(&s, 3), 3);

    // One line per request, and nothing in it that came with the photo.
    let _ = s.request("GET", "/healthz", &[], b"");
    let _ = s.request("GET", &format!("/nope/{name}"), &[], b"");
    let lines = s.log_lines(5);
    assert_eq!(lines.len(), 5, "{lines:?}");
    let words: Vec<Vec<&str>> = lines.iter().map(|l| l.split(' ').collect()).collect();
    assert_eq!(words[0][..5], ["medscrub:", "POST", "/v1/clean", "200", "strip"], "{lines:?}");
    assert_eq!(words[2][..5], ["medscrub:", "POST", "/v1/clean", "422", "block"], "{lines:?}");
    assert_eq!(words[3][..5], ["medscrub:", "GET", "/healthz", "200", "-"], "{lines:?}");
    assert_eq!(words[4][..5], ["medscrub:", "GET", "other", "404", "-"], "{lines:?}");
    for (line, w) in lines.iter().zip(&words) {
        assert_eq!(w[6], "ms", "{line}");
        assert!(w[5].parse::<u64>().is_ok(), "{line}");
        assert!(!line.contains("Smith") && !line.contains("MRN") && !line.contains(".jpg"), "{line}");
    }
}

/// docs/openapi.yaml, parsed.
fn openapi() -> serde_json::Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/openapi.yaml");
    serde_norway::from_str(&std::fs::read_to_string(&path).unwrap())
        .unwrap_or_else(|e| panic!("{} does not parse: {e}", path.display()))
}

/// Where `value` breaks `schema` (the subset of OpenAPI 3.0 schemas the document uses:
/// `$ref`, `type`, `nullable`, `enum`, `required`, `properties`,
/// `additionalProperties: false`, `items`, `oneOf`), as `where: what` lines.
fn violations(
    doc: &serde_json::Value,
    schema: &serde_json::Value,
    value: &serde_json::Value,
    at: &str,
) -> Vec<String> {
    use serde_json::Value;
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let target = r.trim_start_matches("#/").split('/').fold(doc, |v, k| &v[k]);
        assert!(!target.is_null(), "{r} points nowhere");
        return violations(doc, target, value, at);
    }
    if let Some(options) = schema.get("oneOf").and_then(Value::as_array) {
        let fitting = options.iter().filter(|s| violations(doc, s, value, at).is_empty()).count();
        return if fitting == 1 { vec![] } else { vec![format!("{at}: fits {fitting} of oneOf")] };
    }
    if value.is_null() {
        let nullable = schema.get("nullable").and_then(Value::as_bool) == Some(true);
        return if nullable { vec![] } else { vec![format!("{at}: null, not nullable")] };
    }
    let mut out = Vec::new();
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.contains(value)
    {
        out.push(format!("{at}: {value} not in {allowed:?}"));
    }
    let fits = match schema.get("type").and_then(Value::as_str) {
        Some("string") => value.is_string(),
        Some("integer") => value.is_u64() || value.is_i64(),
        Some("number") => value.is_number(),
        Some("boolean") => value.is_boolean(),
        Some("array") => value.is_array(),
        Some("object") => value.is_object(),
        Some(other) => panic!("{at}: type {other} not handled by this check"),
        None => true,
    };
    if !fits {
        out.push(format!("{at}: {value} is not {}", schema["type"]));
        return out;
    }
    if let (Some(items), Some(values)) = (schema.get("items"), value.as_array()) {
        for (i, v) in values.iter().enumerate() {
            out.extend(violations(doc, items, v, &format!("{at}[{i}]")));
        }
    }
    if let Some(object) = value.as_object() {
        let properties = schema.get("properties").and_then(Value::as_object);
        for key in schema.get("required").and_then(Value::as_array).into_iter().flatten() {
            if !object.contains_key(key.as_str().unwrap()) {
                out.push(format!("{at}: required {key} missing"));
            }
        }
        for (key, v) in object {
            match properties.and_then(|p| p.get(key)) {
                Some(s) => out.extend(violations(doc, s, v, &format!("{at}.{key}"))),
                None if schema.get("additionalProperties") == Some(&Value::Bool(false)) => {
                    out.push(format!("{at}.{key}: emitted but not described"));
                }
                None => {}
            }
        }
    }
    out
}

/// Checks a real response against what docs/openapi.yaml says `path`'s `status` answers.
fn conforms(doc: &serde_json::Value, path: &str, status: u16, r: &Response) {
    let described = &doc["paths"][path]["post"]["responses"][status.to_string()];
    assert!(!described.is_null(), "{path} {status} is not described");
    let described = match described.get("$ref").and_then(|r| r.as_str()) {
        Some(r) => r.trim_start_matches("#/").split('/').fold(doc, |v, k| &v[k]),
        None => described,
    };
    assert_eq!(r.status, status, "{}", String::from_utf8_lossy(&r.body));
    let media = r.headers["content-type"].split(';').next().unwrap().trim();
    let schema = &described["content"][media]["schema"];
    assert!(!schema.is_null(), "{path} {status}: {media} is not described");
    // The headers described come with the copy's bytes (a JSON answer carries the same
    // facts in its body).
    let headers = described.get("headers").and_then(|h| h.as_object()).into_iter().flatten();
    for header in headers.map(|(k, _)| k).filter(|_| media.starts_with("image/")) {
        assert!(r.headers.contains_key(&header.to_ascii_lowercase()), "{path} {status}: no {header} header");
    }
    if media == "application/json" {
        let bad = violations(doc, schema, &r.json(), "$");
        assert!(bad.is_empty(), "{path} {status} does not match docs/openapi.yaml:\n{}", bad.join("\n"));
    }
}

#[test]
fn real_responses_match_the_openapi_document() {
    use sha2::Digest;
    let doc = openapi();
    assert_eq!(doc["openapi"], "3.0.3");
    // A consent registry on the server, so `consent` is filled in for one photo.
    let dir = tempfile::tempdir().unwrap();
    let dated = photo("photos/phone_full_metadata.jpg");
    let hash: String = sha2::Sha256::digest(&dated).iter().map(|b| format!("{b:02x}")).collect();
    let registry = dir.path().join("consents.toml");
    std::fs::write(
        &registry,
        format!(
            "[[consent]]\nid = \"C-1\"\nsha256 = \"{hash}\"\nplatforms = [\"instagram\"]\nsigned = \"2025-11-21\"\nexpires = \"2026-01-31\"\n"
        ),
    )
    .unwrap();
    let s = Server::start(&[
        "--consent",
        registry.to_str().unwrap(),
        "--platform",
        "facebook",
        "--today",
        "2025-11-25",
        "--max-upload-mb",
        "1",
    ]);
    let mut seen = std::collections::BTreeSet::new();
    let mut check = |query: &str, bytes: &[u8]| {
        let r = s.post(&format!("/v1/check?{query}"), bytes);
        conforms(&doc, "/v1/check", r.status, &r);
        let report = r.json();
        for f in report["findings"].as_array().into_iter().flatten() {
            seen.insert(f["source"].as_str().unwrap().to_string());
        }
        report
    };
    let consented = check("policy=michigan-medicine&platform=instagram", &dated);
    assert_eq!(consented["consent"]["id"], "C-1", "the request's platform is matched: {consented}");
    assert!(consented["capture_time"]["value"].is_string(), "{consented}");
    check("name=gps_only.jpg&caption=72yo%20M%2C%20yesterday%27s%20case", &photo("photos/gps_only.jpg"));
    check("handle=%40UMichJohn", &photo("photos/clean.png"));
    check("name=Doe_Jane_MRN12345678.heic", &photo("photos/phone.heic"));
    check("", &photo("broken/truncated.jpg"));
    check("", &photo("text/wristband_should_redact.jpg"));
    for source in ["metadata", "ocr", "caption", "error"] {
        assert!(seen.contains(source), "no finding from {source} checked: {seen:?}");
    }

    // clean: the copy with its headers, both in one JSON answer, and the blocked report.
    let r = s.post("/v1/clean?name=gps_only.jpg", &photo("photos/gps_only.jpg"));
    conforms(&doc, "/v1/clean", 200, &r);
    let json = [("Content-Type", "application/octet-stream"), ("Accept", "application/json")];
    let r =
        s.request("POST", "/v1/clean?name=Doe_Jane_MRN12345678.jpg", &json, &photo("photos/gps_only.jpg"));
    conforms(&doc, "/v1/clean", 200, &r);
    let r = s.request("POST", "/v1/clean", &json, &photo("broken/truncated.jpg"));
    conforms(&doc, "/v1/clean", 422, &r);
    let r = s.post("/v1/clean", &photo("broken/truncated.jpg"));
    conforms(&doc, "/v1/clean", 422, &r);
    // Errors.
    let r = s.post("/v1/check?policy=nowhere", &photo("photos/clean.jpg"));
    conforms(&doc, "/v1/check", 400, &r);
    let r = s.post("/v1/check", &vec![0xFF; 1024 * 1024 + 1]);
    conforms(&doc, "/v1/check", 413, &r);
    let r = s.request("POST", "/v1/check", &[("Content-Type", "multipart/mixed; boundary=x")], b"--x--");
    conforms(&doc, "/v1/check", 415, &r);
}

/// Just enough of the Chrome DevTools Protocol, over a hand-rolled WebSocket (text
/// frames, masked as a client must), to drive the page as a person would.
struct Devtools {
    stream: TcpStream,
    next: u64,
}

impl Devtools {
    fn connect(port: u16, path: &str) -> Devtools {
        use base64::Engine as _;
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        let key =
            base64::engine::general_purpose::STANDARD.encode(std::process::id().to_be_bytes().repeat(4));
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        .unwrap();
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            stream.read_exact(&mut byte).unwrap();
            head.push(byte[0]);
        }
        assert!(head.starts_with(b"HTTP/1.1 101"), "{}", String::from_utf8_lossy(&head));
        Devtools { stream, next: 0 }
    }

    fn send_frame(&mut self, text: &str) {
        let payload = text.as_bytes();
        let mut frame = vec![0x81u8];
        match payload.len() {
            n if n < 126 => frame.push(0x80 | n as u8),
            n if n < 65536 => {
                frame.push(0x80 | 126);
                frame.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                frame.push(0x80 | 127);
                frame.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        let mask = [0x12u8, 0x34, 0x56, 0x78];
        frame.extend_from_slice(&mask);
        frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        self.stream.write_all(&frame).unwrap();
    }

    fn read_message(&mut self) -> serde_json::Value {
        let mut message = Vec::new();
        loop {
            let mut head = [0u8; 2];
            self.stream.read_exact(&mut head).unwrap();
            let len = match head[1] & 0x7F {
                126 => {
                    let mut n = [0u8; 2];
                    self.stream.read_exact(&mut n).unwrap();
                    u16::from_be_bytes(n) as usize
                }
                127 => {
                    let mut n = [0u8; 8];
                    self.stream.read_exact(&mut n).unwrap();
                    u64::from_be_bytes(n) as usize
                }
                n => n as usize,
            };
            let mut payload = vec![0u8; len];
            self.stream.read_exact(&mut payload).unwrap();
            message.extend_from_slice(&payload);
            if head[0] & 0x80 != 0 {
                return serde_json::from_slice(&message).unwrap();
            }
        }
    }

    /// Sends a command and waits for its answer (events in between are passed over).
    fn call(&mut self, method: &str, params: serde_json::Value) -> serde_json::Value {
        self.next += 1;
        let id = self.next;
        self.send_frame(&serde_json::json!({ "id": id, "method": method, "params": params }).to_string());
        loop {
            let m = self.read_message();
            if m["id"] == id {
                assert!(m.get("error").is_none(), "{method}: {m}");
                return m["result"].clone();
            }
        }
    }

    /// Evaluates `expression` in the page until it gives something truthy.
    fn wait_for(&mut self, expression: &str, what: &str) -> serde_json::Value {
        let start = Instant::now();
        loop {
            let r = self.call(
                "Runtime.evaluate",
                serde_json::json!({ "expression": expression, "returnByValue": true }),
            );
            let v = r["result"]["value"].clone();
            if !(v.is_null() || v == false || v == "") {
                return v;
            }
            assert!(start.elapsed() < Duration::from_secs(90), "the page never showed {what}");
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

/// Chromium's list of targets (its HTTP server keeps the connection open: read what
/// Content-Length says).
fn devtools_targets(port: u16) -> serde_json::Value {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(stream, "GET /json/list HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = stream.read(&mut buf).unwrap();
        assert!(n > 0, "chromium closed the connection");
        raw.extend_from_slice(&buf[..n]);
        if let Some(split) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            let r = Response::parse(&raw);
            let length: usize = r.headers["content-length"].parse().unwrap();
            if raw.len() >= split + 4 + length {
                return r.json();
            }
        }
    }
}

#[test]
fn the_page_checks_a_picked_photo_and_downloads_its_copy_from_the_same_answer() {
    let s = Server::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    let (profile, downloads) = (dir.path().join("profile"), dir.path().join("downloads"));
    std::fs::create_dir_all(&downloads).unwrap();
    // An identifying name: the download must not keep it.
    let picked = dir.path().join("Smith_John_MRN55120348.jpg");
    std::fs::write(&picked, photo("photos/gps_only.jpg")).unwrap();
    let mut browser = Command::new("chromium")
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-port=0"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("about:blank")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect(
            "chromium is not installed: run scripts/bootstrap (it installs the Debian package `chromium`)",
        );
    struct Kill<'a>(&'a mut Child);
    impl Drop for Kill<'_> {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _browser = Kill(&mut browser);
    let start = Instant::now();
    let port: u16 = loop {
        if let Some(port) = std::fs::read_to_string(profile.join("DevToolsActivePort"))
            .ok()
            .and_then(|t| t.lines().next().and_then(|l| l.parse().ok()))
        {
            break port;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "chromium did not open its debugging port");
        std::thread::sleep(Duration::from_millis(100));
    };
    let listing = devtools_targets(port);
    let page =
        listing.as_array().unwrap().iter().find(|t| t["type"] == "page").expect("a page target").clone();
    let ws = page["webSocketDebuggerUrl"].as_str().unwrap();
    let path = &ws[ws.find("/devtools/").unwrap()..];
    let mut cdp = Devtools::connect(port, path);
    cdp.call(
        "Page.setDownloadBehavior",
        serde_json::json!({ "behavior": "allow", "downloadPath": downloads.display().to_string() }),
    );
    cdp.call("Page.navigate", serde_json::json!({ "url": format!("http://{}/", s.addr) }));
    cdp.wait_for("document.body && document.body.dataset.ready === 'yes'", "its script running");
    let root = cdp.call("DOM.getDocument", serde_json::json!({}))["root"]["nodeId"].clone();
    let input =
        cdp.call("DOM.querySelector", serde_json::json!({ "nodeId": root, "selector": "#files" }))["nodeId"]
            .clone();
    cdp.call(
        "DOM.setFileInputFiles",
        serde_json::json!({ "nodeId": input, "files": [picked.display().to_string()] }),
    );
    let verdict = cdp.wait_for(
        "document.querySelector('article button') && document.querySelector('article .badge').textContent",
        "a verdict",
    );
    assert_eq!(verdict, "STRIP");
    let shown = cdp.wait_for("document.querySelector('article').innerText", "the card");
    let shown = shown.as_str().unwrap();
    assert!(shown.contains("location"), "the finding in words: {shown}");
    assert!(shown.contains("the copy is named photo-"), "the notes: {shown}");
    // The picked photo is shown from the browser's own copy of it (CSP img-src blob:).
    let thumb = cdp.wait_for("(() => { const i = document.querySelector('.thumb img'); return i && i.complete && i.naturalWidth; })()", "the thumbnail");
    assert_eq!(thumb, 320);
    let requests = s.log_lines(1).len();
    cdp.call(
        "Runtime.evaluate",
        serde_json::json!({ "expression": "document.querySelector('article button').click()" }),
    );
    let start = Instant::now();
    let saved = loop {
        let done: Vec<_> = std::fs::read_dir(&downloads)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| !p.to_string_lossy().ends_with(".crdownload"))
            .collect();
        if let [one] = done.as_slice() {
            break one.clone();
        }
        assert!(start.elapsed() < Duration::from_secs(30), "nothing downloaded");
        std::thread::sleep(Duration::from_millis(100));
    };
    let name = saved.file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.starts_with("photo-") && name.ends_with(".jpg"), "{name}");
    let expected = s.post("/v1/clean", &photo("photos/gps_only.jpg"));
    assert_eq!(std::fs::read(&saved).unwrap(), expected.body, "the share-safe copy");
    let log = s.log_lines(requests + 1);
    assert_eq!(log.len(), requests + 1, "the download sent nothing: {log:?}");
    assert!(log[..requests].iter().filter(|l| l.contains("POST")).count() == 1, "one upload: {log:?}");
}
