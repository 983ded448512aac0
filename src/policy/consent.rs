//! Consent: the patient's signed permission, recorded in a registry the user keeps.
//!
//! UMMS and Michigan Medicine allow patient content only with signed consent naming the
//! platform; Michigan Medicine's one-month hold is lifted by consent too. A registry entry
//! names a photo (by SHA-256 or a path glob), the platforms the patient agreed to, when
//! it was signed and when it expires. Consent lifts only the patient-content rules in
//! `LIFTABLE` (narrowed by the entry's `covers`), only for the platform given with
//! `--platform`, only between signing and expiry; never the metadata, identifier,
//! trophy, brand or error rules. An entry that names the photo but does not hold (expired,
//! not yet signed, another platform) is an error for that photo, not a pass.
//!
//! TOML:
//! ```toml
//! [[consent]]
//! id = "C-2026-014"
//! sha256 = "1b12d0e6…"            # or: path = "rounds/IMG_04*.jpg"
//! platforms = ["instagram"]
//! signed = "2026-11-01"
//! expires = "2027-11-01"
//! covers = ["scene.blood"]        # optional: default every rule in LIFTABLE
//! ```
//! CSV: a header row `id,sha256,path,platforms,signed,expires,covers`, lists separated by
//! `;`, no commas inside fields.

use crate::dates::{date_of, days_from_date};
use crate::error::ConfigError;
use std::path::Path;

/// Rules a patient's consent can lift: what shows or dates the patient's case. Not the
/// metadata rules (consent to a photo is not consent to its GPS), not identifiers such as
/// MRNs and dates of birth, not trophies, brands or errors.
pub const LIFTABLE: &[&str] = &[
    "scene.operating-room",
    "scene.blood",
    "scene.radiograph",
    "scene.microscopy",
    "scene.monitor",
    "scene.patient-area",
    "scene.face",
    "time.recent-case",
    "caption.age",
    "caption.timing",
    "text.name",
    "text.age",
];

/// One signed consent.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub id: String,
    pub sha256: Option<String>,
    pub path: Option<glob::Pattern>,
    pub platforms: Vec<String>,
    pub signed: i64,
    pub expires: i64,
    pub covers: Vec<String>,
}

/// A loaded registry.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    pub entries: Vec<Entry>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    id: String,
    sha256: Option<String>,
    path: Option<String>,
    platforms: Vec<String>,
    signed: String,
    expires: String,
    covers: Option<Vec<String>>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    consent: Vec<RawEntry>,
}

impl Registry {
    /// Reads a TOML or CSV registry. Every problem is an error naming the file and entry.
    pub fn load(file: &Path) -> Result<Registry, ConfigError> {
        let text = std::fs::read_to_string(file)
            .map_err(|e| ConfigError::Unreadable { path: file.to_path_buf(), reason: e.to_string() })?;
        let place = || format!("consent registry {}", file.display());
        let is_csv = file.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
        let raw = if is_csv { parse_csv(&text) } else { parse_toml(&text) }.map_err(|e| e.within(place()))?;
        let entries =
            raw.into_iter().map(validate).collect::<Result<Vec<_>, _>>().map_err(|e| e.within(place()))?;
        Ok(Registry { entries })
    }

    /// The entry that names this photo, if any.
    pub fn entry_for(&self, path: &Path, sha256: Option<&str>) -> Option<&Entry> {
        self.entries.iter().find(|e| e.names(path, sha256))
    }

    /// The entries that name none of `photos` (path and SHA-256 of each photo of a
    /// run): a registry written with another spelling of a path would otherwise be
    /// ignored without a word.
    pub fn unmatched<'a>(&'a self, photos: &[(std::path::PathBuf, Option<String>)]) -> Vec<&'a Entry> {
        self.entries.iter().filter(|e| !photos.iter().any(|(p, h)| e.names(p, h.as_deref()))).collect()
    }
}

impl Entry {
    /// Whether this entry names the photo: by content hash, or by its path pattern
    /// matched against as many of the path's last components as the pattern has
    /// (`rounds/IMG_04*.jpg` names `./rounds/IMG_0412.jpg` and
    /// `/home/me/rounds/IMG_0412.jpg`; `IMG_0412.jpg` names that file in any folder).
    pub fn names(&self, path: &Path, sha256: Option<&str>) -> bool {
        if self.sha256.as_deref().is_some_and(|h| Some(h) == sha256) {
            return true;
        }
        let Some(pattern) = &self.path else { return false };
        if pattern.matches_path(path) {
            return true;
        }
        let depth = Path::new(pattern.as_str()).components().count();
        let parts: Vec<_> = path.components().collect();
        let tail: std::path::PathBuf = parts[parts.len().saturating_sub(depth)..].iter().collect();
        pattern.matches_path(&tail)
    }

    /// How the entry names its photo, for a message.
    pub fn naming(&self) -> String {
        match (&self.sha256, &self.path) {
            (_, Some(p)) => format!("path {}", p.as_str()),
            (Some(h), None) => format!("sha256 {}…", &h[..h.len().min(12)]),
            (None, None) => "no photo".into(),
        }
    }
}

impl Entry {
    /// Whether this consent holds for `platform` on `today`; the reason when it does not.
    pub fn holds(&self, platform: &str, today: i64) -> Result<(), String> {
        if today < self.signed {
            return Err(format!("consent {} is dated {}, in the future", self.id, date_of(self.signed)));
        }
        if today > self.expires {
            return Err(format!("consent {} expired on {}", self.id, date_of(self.expires)));
        }
        if !self.platforms.iter().any(|p| p.eq_ignore_ascii_case(platform)) {
            return Err(format!("consent {} covers {}, not {platform}", self.id, self.platforms.join(", ")));
        }
        Ok(())
    }
}

fn parse_toml(text: &str) -> Result<Vec<RawEntry>, ConfigError> {
    toml::from_str::<RawFile>(text).map(|f| f.consent).map_err(|e| ConfigError::BadToml(e.to_string()))
}

fn parse_csv(text: &str) -> Result<Vec<RawEntry>, ConfigError> {
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'));
    let (_, header) = lines.next().ok_or(ConfigError::EmptyFile)?;
    let columns: Vec<String> = header.split(',').map(|c| c.trim().to_lowercase()).collect();
    let list =
        |s: &str| s.split(';').map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect::<Vec<_>>();
    lines
        .map(|(n, line)| {
            let cells: Vec<&str> = line.split(',').map(str::trim).collect();
            if cells.len() != columns.len() {
                return Err(ConfigError::FieldCount {
                    line: n + 1,
                    fields: cells.len(),
                    header: columns.len(),
                });
            }
            let get = |name: &str| {
                columns.iter().position(|c| c == name).map(|i| cells[i]).filter(|v| !v.is_empty())
            };
            let need = |name: &str| {
                get(name).ok_or_else(|| ConfigError::MissingField { line: n + 1, column: name.to_string() })
            };
            Ok(RawEntry {
                id: need("id")?.to_string(),
                sha256: get("sha256").map(String::from),
                path: get("path").map(String::from),
                platforms: list(need("platforms")?),
                signed: need("signed")?.to_string(),
                expires: need("expires")?.to_string(),
                covers: get("covers").map(list),
            })
        })
        .collect()
}

fn validate(raw: RawEntry) -> Result<Entry, ConfigError> {
    let id = raw.id.clone();
    check_entry(raw).map_err(|e| e.within(format!("consent {id}")))
}

/// One registry entry, checked; errors say what is wrong with it (`validate` says which).
fn check_entry(raw: RawEntry) -> Result<Entry, ConfigError> {
    let id = raw.id;
    let date = |what: &'static str, v: &str| {
        days_from_date(v).ok_or_else(|| ConfigError::NotADate { what, value: v.to_string() })
    };
    let (signed, expires) = (date("signed", &raw.signed)?, date("expires", &raw.expires)?);
    if expires < signed {
        return Err(ConfigError::ExpiresBeforeSigned);
    }
    if raw.sha256.is_none() && raw.path.is_none() {
        return Err(ConfigError::NamesNoPhoto);
    }
    if let Some(h) = &raw.sha256
        && (h.len() != 64 || !h.chars().all(|c| c.is_ascii_hexdigit()))
    {
        return Err(ConfigError::BadSha256(h.clone()));
    }
    let path = raw
        .path
        .as_deref()
        .map(glob::Pattern::new)
        .transpose()
        .map_err(|e| ConfigError::BadPathPattern(e.to_string()))?;
    if raw.platforms.is_empty() {
        return Err(ConfigError::NamesNoPlatform);
    }
    let covers = raw.covers.unwrap_or_else(|| LIFTABLE.iter().map(|s| s.to_string()).collect());
    if let Some(bad) = covers.iter().find(|r| !LIFTABLE.contains(&r.as_str())) {
        return Err(ConfigError::NotLiftable { rule: bad.clone(), liftable: LIFTABLE.join(", ") });
    }
    Ok(Entry {
        id,
        sha256: raw.sha256.map(|h| h.to_lowercase()),
        path,
        platforms: raw.platforms,
        signed,
        expires,
        covers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(name: &str, text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        (dir, p)
    }

    const HASH: &str = "1b12d0e6b7f6f2fb58de4b38730586dc8e9397d69646a1e952ce5ebdf3597baa";

    #[test]
    fn toml_and_csv_registries_load_the_same() {
        let (_a, toml) = write(
            "c.toml",
            &format!(
                "[[consent]]\nid = \"C-1\"\nsha256 = \"{HASH}\"\nplatforms = [\"instagram\"]\nsigned = \"2026-11-01\"\nexpires = \"2027-11-01\"\n"
            ),
        );
        let (_b, csv) = write(
            "c.csv",
            &format!(
                "id,sha256,path,platforms,signed,expires,covers\nC-1,{HASH},,instagram,2026-11-01,2027-11-01,\n"
            ),
        );
        let (t, c) = (Registry::load(&toml).unwrap(), Registry::load(&csv).unwrap());
        assert_eq!(t.entries, c.entries);
        assert_eq!(t.entries[0].covers.len(), LIFTABLE.len());
        assert!(t.entry_for(Path::new("x.jpg"), Some(HASH)).is_some());
        assert!(t.entry_for(Path::new("x.jpg"), Some(&"0".repeat(64))).is_none());
    }

    #[test]
    fn consent_holds_only_for_its_platform_and_dates() {
        let (_d, p) = write(
            "c.toml",
            "[[consent]]\nid = \"C-2\"\npath = \"rounds/*.jpg\"\nplatforms = [\"Instagram\"]\nsigned = \"2026-11-01\"\nexpires = \"2026-12-01\"\ncovers = [\"scene.blood\"]\n",
        );
        let r = Registry::load(&p).unwrap();
        let e = r.entry_for(Path::new("rounds/IMG_1.jpg"), None).unwrap();
        let day = |s: &str| days_from_date(s).unwrap();
        assert!(e.holds("instagram", day("2026-11-25")).is_ok());
        assert!(e.holds("x", day("2026-11-25")).unwrap_err().contains("not x"));
        assert!(e.holds("instagram", day("2026-12-02")).unwrap_err().contains("expired on 2026-12-01"));
        assert!(e.holds("instagram", day("2026-10-30")).unwrap_err().contains("future"));
        assert!(r.entry_for(Path::new("other/IMG_1.jpg"), None).is_none());
    }

    #[test]
    fn a_path_names_its_photo_however_the_folders_above_are_spelt() {
        let (_d, p) = write(
            "c.toml",
            &format!(
                "[[consent]]\nid = \"C-5\"\npath = \"rounds/IMG_04*.jpg\"\nplatforms = [\"x\"]\nsigned = \"2026-11-01\"\nexpires = \"2027-11-01\"\n\
                 [[consent]]\nid = \"C-6\"\npath = \"IMG_0500.jpg\"\nplatforms = [\"x\"]\nsigned = \"2026-11-01\"\nexpires = \"2027-11-01\"\n\
                 [[consent]]\nid = \"C-7\"\nsha256 = \"{HASH}\"\nplatforms = [\"x\"]\nsigned = \"2026-11-01\"\nexpires = \"2027-11-01\"\n"
            ),
        );
        let r = Registry::load(&p).unwrap();
        let id = |path: &str| r.entry_for(Path::new(path), None).map(|e| e.id.as_str());
        assert_eq!(id("rounds/IMG_0412.jpg"), Some("C-5"));
        assert_eq!(id("./rounds/IMG_0412.jpg"), Some("C-5"));
        assert_eq!(id("/home/me/Pictures/rounds/IMG_0412.jpg"), Some("C-5"));
        assert_eq!(id("/home/me/sync/IMG_0500.jpg"), Some("C-6"));
        // Near misses: another folder, another file.
        assert_eq!(id("/home/me/other/IMG_0412.jpg"), None);
        assert_eq!(id("rounds/IMG_0512.jpg"), None);
        // A run of two photos names C-5 and C-6; C-7's photo was not among them.
        let run = [("a/rounds/IMG_0401.jpg".into(), None), ("IMG_0500.jpg".into(), Some("0".repeat(64)))];
        let left: Vec<_> = r.unmatched(&run).iter().map(|e| (e.id.clone(), e.naming())).collect();
        assert_eq!(left, [("C-7".to_string(), format!("sha256 {}…", &HASH[..12]))]);
    }

    #[test]
    fn invalid_registries_are_errors_naming_the_entry() {
        let bad = [
            (
                "[[consent]]\nid = \"C-3\"\nplatforms = [\"x\"]\nsigned = \"2026-11-01\"\nexpires = \"2027-11-01\"\n",
                "names no photo",
            ),
            (
                &*format!(
                    "[[consent]]\nid = \"C-4\"\nsha256 = \"{HASH}\"\nplatforms = [\"x\"]\nsigned = \"2026-11-01\"\nexpires = \"2025-11-01\"\n"
                ),
                "expires before",
            ),
            (
                &*format!(
                    "[[consent]]\nid = \"C-5\"\nsha256 = \"{HASH}\"\nplatforms = [\"x\"]\nsigned = \"2026-11-01\"\nexpires = \"2027-11-01\"\ncovers = [\"meta.gps\"]\n"
                ),
                "meta.gps cannot be lifted",
            ),
            (
                &*format!(
                    "[[consent]]\nid = \"C-6\"\nsha256 = \"{HASH}\"\nplatforms = [\"x\"]\nsigned = \"someday\"\nexpires = \"2027-11-01\"\n"
                ),
                "not a date",
            ),
        ];
        for (text, want) in bad {
            let (_d, p) = write("c.toml", text);
            let e = Registry::load(&p).unwrap_err().to_string();
            assert!(e.contains(want) && e.contains("c.toml"), "{e}");
        }
    }
}
