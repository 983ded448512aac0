//! Policy: which remedy each rule gets under an institution's profile, and the
//! clauses that make a finding a problem there.
//!
//! Profiles are data: TOML files in `src/policy/profiles/`, embedded at build time.
//! Each maps every rule id to a remedy (or `off`) and cites clauses of the institution's
//! own policy text (the seeds). `strictest` is computed: for each rule, the most severe
//! remedy any profile gives, with all of their citations. This module never sees pixels.

pub mod consent;
pub mod switches;

use crate::error::ConfigError;
use crate::report::{Citation, Finding, Source};
use crate::rules::document::Mark;
use crate::rules::{self, Detection};
use crate::verdict::Verdict;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The embedded profile files. Adding an institution is adding a file here.
const PROFILE_FILES: &[(&str, &str)] = &[
    ("umms.toml", include_str!("profiles/umms.toml")),
    ("umn.toml", include_str!("profiles/umn.toml")),
    ("wsu.toml", include_str!("profiles/wsu.toml")),
    ("michigan-medicine.toml", include_str!("profiles/michigan-medicine.toml")),
    ("nottingham.toml", include_str!("profiles/nottingham.toml")),
    ("strictest.toml", include_str!("profiles/strictest.toml")),
];

/// The profile used when none is named.
pub const DEFAULT_PROFILE: &str = "strictest";

/// What one profile says about one rule.
#[derive(Debug, Clone, PartialEq)]
pub struct RulePolicy {
    /// `None` when the profile turns the rule off.
    pub remedy: Option<Verdict>,
    pub citations: Vec<Citation>,
}

/// An institution's profile.
#[derive(Debug, Clone)]
pub struct Profile {
    pub id: String,
    pub name: String,
    /// The seed file its clauses come from (empty for `strictest`).
    pub source: String,
    pub rules: BTreeMap<String, RulePolicy>,
    /// The institution's names and marks (`brand.logo-text`, and headers for
    /// `doc.institutional`); a union profile has every profile's.
    pub marks: Vec<Mark>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileFile {
    id: String,
    name: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    audience: String,
    #[serde(default)]
    union: bool,
    /// The institution's names and marks as they appear on signs and letterheads.
    #[serde(default)]
    marks: Vec<String>,
    #[serde(default)]
    clauses: BTreeMap<String, ClauseFile>,
    #[serde(default)]
    rules: BTreeMap<String, RuleFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClauseFile {
    clause: String,
    paraphrase: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    remedy: String,
    #[serde(default)]
    cite: Vec<String>,
}

/// Parses one profile file; errors name the file and the problem.
fn parse(file: &str, text: &str) -> Result<(Profile, bool), ConfigError> {
    parse_profile(text).map_err(|e| e.within(file))
}

/// One profile file's text, checked; errors say what is wrong (`parse` says in which file).
fn parse_profile(text: &str) -> Result<(Profile, bool), ConfigError> {
    let raw: ProfileFile = toml::from_str(text).map_err(|e| ConfigError::BadToml(e.to_string()))?;
    let _ = raw.audience;
    let mut rules = BTreeMap::new();
    for (id, rule) in raw.rules {
        if rules::doc(&id).is_none() {
            return Err(ConfigError::UnknownRuleId(id));
        }
        let remedy = match rule.remedy.as_str() {
            "off" => None,
            r => Some(
                Verdict::parse(r)
                    .ok_or_else(|| ConfigError::UnknownRemedy { rule: id.clone(), remedy: r.to_string() })?,
            ),
        };
        let citations = rule
            .cite
            .iter()
            .map(|key| {
                let c = raw
                    .clauses
                    .get(key)
                    .ok_or_else(|| ConfigError::UnknownClause { rule: id.clone(), clause: key.clone() })?;
                Ok(Citation {
                    policy: raw.id.clone(),
                    source: raw.source.clone(),
                    clause: c.clause.clone(),
                    paraphrase: c.paraphrase.clone(),
                })
            })
            .collect::<Result<Vec<_>, ConfigError>>()?;
        if remedy.is_some() && citations.is_empty() {
            return Err(ConfigError::Uncited(id));
        }
        rules.insert(id, RulePolicy { remedy, citations });
    }
    let marks = raw.marks.iter().map(|m| Mark::new(&raw.name, m)).collect::<Result<Vec<_>, _>>()?;
    Ok((Profile { id: raw.id, name: raw.name, source: raw.source, rules, marks }, raw.union))
}

/// The union of `profiles`: the most severe remedy for each rule, every citation.
fn union(id: String, name: String, profiles: &[Profile]) -> Profile {
    let mut rules: BTreeMap<String, RulePolicy> = BTreeMap::new();
    for p in profiles {
        for (rule, policy) in &p.rules {
            let entry = rules.entry(rule.clone()).or_insert(RulePolicy { remedy: None, citations: vec![] });
            entry.remedy = entry.remedy.max(policy.remedy);
            if policy.remedy.is_some() {
                entry.citations.extend(policy.citations.iter().cloned());
            }
        }
    }
    // Institutions share marks (UMMS and Michigan Medicine both say "University of
    // Michigan"): each is looked for once, credited to every institution that lists it.
    let mut marks: Vec<Mark> = Vec::new();
    for m in profiles.iter().flat_map(|p| &p.marks) {
        match marks.iter_mut().find(|k| k.text == m.text) {
            Some(k) => k.institution = format!("{} and {}", k.institution, m.institution),
            None => marks.push(m.clone()),
        }
    }
    Profile { id, name, source: String::new(), rules, marks }
}

/// Loads and checks every embedded profile.
pub fn load(files: &[(&str, &str)]) -> Result<Vec<Profile>, ConfigError> {
    let mut plain = Vec::new();
    let mut unions = Vec::new();
    for (file, text) in files {
        let (profile, is_union) = parse(file, text)?;
        if is_union { unions.push(profile) } else { plain.push(profile) }
    }
    let unions: Vec<Profile> = unions.into_iter().map(|u| union(u.id, u.name, &plain)).collect();
    Ok(unions.into_iter().chain(plain).collect())
}

/// Every profile, `strictest` first.
pub fn profiles() -> &'static [Profile] {
    static PROFILES: OnceLock<Vec<Profile>> = OnceLock::new();
    PROFILES.get_or_init(|| load(PROFILE_FILES).expect("embedded policy profiles are checked by tests"))
}

/// Looks up a profile by id.
pub fn profile(id: &str) -> Option<&'static Profile> {
    profiles().iter().find(|p| p.id == id)
}

/// The profile a user named: [`profile`], or the mistake with the ids there are (the
/// command line, `serve` and the Python package say it in the same words).
pub fn named(id: &str) -> Result<&'static Profile, ConfigError> {
    profile(id).ok_or_else(|| ConfigError::UnknownPolicy {
        id: id.to_string(),
        known: profiles().iter().map(|p| p.id.clone()).collect(),
    })
}

impl Profile {
    /// Turns a detection into a finding: the profile's remedy and citations, or nothing
    /// when the profile turns the rule off. A rule the profile does not mention gets
    /// the rule's default remedy and no citation (tests make sure that never happens).
    pub fn judge(&self, d: Detection) -> Option<Finding> {
        let (mut remedy, citations) = match self.rules.get(d.rule) {
            Some(p) => (p.remedy?, p.citations.clone()),
            None => (rules::doc(d.rule).map_or(Verdict::Block, |r| r.default_remedy), Vec::new()),
        };
        // An identifier with nothing visible to cover sits in metadata or the file name,
        // which `clean` removes or renames: stripping is enough.
        if remedy == Verdict::Redact && d.bbox.is_none() && d.source != Source::Ocr {
            remedy = Verdict::Strip;
        }
        Some(Finding {
            rule: d.rule.to_string(),
            source: d.source,
            remedy,
            summary: d.summary,
            details: d.details,
            bbox: d.bbox,
            confidence: d.confidence,
            citations,
            identifier: d.identifier,
        })
    }

    /// The finding for a failed stage: always `block`, whatever the profile says,
    /// because a photo that was not fully analysed must never be shared.
    pub fn error_finding(&self, err: &crate::Error) -> Finding {
        let rule = err.stage.rule_id();
        let citations = self.rules.get(rule).map(|p| p.citations.clone()).unwrap_or_default();
        Finding {
            rule: rule.to_string(),
            source: Source::Error,
            remedy: Verdict::Block,
            summary: err.message.clone(),
            details: vec![],
            bbox: None,
            confidence: 1.0,
            citations,
            identifier: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_profiles_load_and_cover_every_rule() {
        let all = load(PROFILE_FILES).unwrap();
        assert_eq!(all[0].id, "strictest");
        for p in &all {
            for doc in rules::docs() {
                let rule =
                    p.rules.get(doc.id).unwrap_or_else(|| panic!("{} does not mention {}", p.id, doc.id));
                if rule.remedy.is_some() {
                    assert!(!rule.citations.is_empty(), "{} {}", p.id, doc.id);
                }
            }
        }
    }

    #[test]
    fn an_unknown_policy_names_the_ones_there_are() {
        assert_eq!(named("umms").unwrap().id, "umms");
        let e = named("nope").unwrap_err().to_string();
        assert!(e.starts_with("unknown policy \"nope\"; choose one of: strictest, "), "{e}");
        assert!(profiles().iter().all(|p| e.contains(p.id.as_str())), "{e}");
    }

    #[test]
    fn citations_name_real_seed_files() {
        for p in profiles().iter().filter(|p| p.id != "strictest") {
            assert!(p.source.ends_with(".txt"), "{}", p.id);
            for c in p.rules.values().flat_map(|r| &r.citations) {
                assert_eq!(c.source, p.source);
                assert!(c.paraphrase.len() > 30);
            }
        }
    }

    #[test]
    fn strictest_takes_the_most_severe_remedy_and_all_citations() {
        let a = "id = \"a\"\nname = \"A\"\nsource = \"a.txt\"\n[clauses.x]\nclause = \"1\"\nparaphrase = \"p\"\n[rules]\n\"meta.gps\" = { remedy = \"strip\", cite = [\"x\"] }\n\"meta.device\" = { remedy = \"off\" }\n";
        let b = "id = \"b\"\nname = \"B\"\nsource = \"b.txt\"\n[clauses.y]\nclause = \"2\"\nparaphrase = \"q\"\n[rules]\n\"meta.gps\" = { remedy = \"block\", cite = [\"y\"] }\n\"meta.device\" = { remedy = \"off\" }\n";
        let u = "id = \"u\"\nname = \"U\"\nunion = true\n";
        let all = load(&[("a", a), ("b", b), ("u", u)]).unwrap();
        let u = &all[0];
        assert_eq!(u.rules["meta.gps"].remedy, Some(Verdict::Block));
        assert_eq!(u.rules["meta.gps"].citations.len(), 2);
        assert_eq!(u.rules["meta.device"].remedy, None);
    }

    #[test]
    fn each_profile_lists_its_marks_and_strictest_has_all_of_them_once() {
        let wsu = profile("wsu").unwrap();
        assert!(wsu.marks.iter().any(|m| m.text == "Wayne State University"));
        assert!(!wsu.marks.iter().any(|m| m.text == "University of Nottingham"));
        let all = profile("strictest").unwrap();
        for p in profiles().iter().filter(|p| p.id != "strictest") {
            assert!(!p.marks.is_empty(), "{} lists no marks", p.id);
            for m in &p.marks {
                assert_eq!(all.marks.iter().filter(|k| k.text == m.text).count(), 1, "{}", m.text);
            }
        }
        let bad = "id = \"a\"\nname = \"A\"\nmarks = [\" \"]\n";
        assert!(load(&[("a.toml", bad)]).unwrap_err().to_string().starts_with("a.toml: A: an empty mark"));
    }

    #[test]
    fn bad_profiles_are_rejected_with_the_file_name() {
        let unknown_rule = "id = \"a\"\nname = \"A\"\n[rules]\n\"meta.nope\" = { remedy = \"strip\" }\n";
        assert!(
            load(&[("a.toml", unknown_rule)]).unwrap_err().to_string().starts_with("a.toml: unknown rule id")
        );
        let uncited = "id = \"a\"\nname = \"A\"\n[rules]\n\"meta.gps\" = { remedy = \"strip\" }\n";
        assert!(load(&[("a.toml", uncited)]).unwrap_err().to_string().contains("cites nothing"));
    }

    #[test]
    fn off_rules_produce_no_finding_and_errors_always_block() {
        let a = "id = \"a\"\nname = \"A\"\n[rules]\n\"meta.gps\" = { remedy = \"off\" }\n";
        let p = &load(&[("a", a)]).unwrap()[0];
        let d = Detection {
            rule: "meta.gps",
            source: Source::Metadata,
            found_in: "metadata".into(),
            summary: "x".into(),
            details: vec![],
            bbox: None,
            confidence: 1.0,
            identifier: None,
        };
        assert!(p.judge(d).is_none());
        let f = p.error_finding(&crate::Error::new(crate::Stage::Decode, "truncated"));
        assert_eq!((f.rule.as_str(), f.remedy), ("error.decode", Verdict::Block));
    }
}
