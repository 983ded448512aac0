//! What a run switches off: rules ignored with a reason, and rules that count only
//! above a confidence, from `--ignore` and a `medscrub.toml`.
//!
//! ```toml
//! policy = "umn"                 # the profile when --policy is not given
//!
//! [ignore]                       # rule = the reason a reviewer reads
//! "scene.monitor" = "our teaching monitors never show patient data"
//!
//! [min_confidence]               # rule = the least confidence that counts, 0–1
//! "text.name" = 0.7
//! ```
//!
//! Every switch is recorded in each report it changes (`switched_off`), so a reviewer
//! sees what was not checked. A photo that could not be analysed stays blocked: the
//! `error.*` rules cannot be switched off.

use crate::error::ConfigError;
use crate::report::{Report, SwitchedOff};
use std::path::Path;

/// The switches of a run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Switches {
    /// (rule, reason, where it was set).
    pub ignored: Vec<(String, String, String)>,
    /// (rule, least confidence that counts, where it was set).
    pub min_confidence: Vec<(String, f32, String)>,
}

/// A `medscrub.toml`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    /// The profile to use when `--policy` is not given.
    pub policy: Option<String>,
    pub switches: Switches,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    policy: Option<String>,
    #[serde(default)]
    ignore: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    min_confidence: std::collections::BTreeMap<String, f32>,
}

impl Config {
    /// Reads a `medscrub.toml`; every problem is an error naming the file.
    pub fn load(file: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(file)
            .map_err(|e| ConfigError::Unreadable { path: file.to_path_buf(), reason: e.to_string() })?;
        Config::parse(&text, &file.display().to_string())
    }

    /// Parses a config's text; `name` says where it came from in messages and reports.
    pub fn parse(text: &str, name: &str) -> Result<Config, ConfigError> {
        let raw: RawConfig =
            toml::from_str(text).map_err(|e| ConfigError::BadToml(e.to_string()).within(name))?;
        let mut switches = Switches::default();
        for (rule, reason) in raw.ignore {
            switches.ignore(&rule, &reason, name).map_err(|e| e.within(name))?;
        }
        for (rule, least) in raw.min_confidence {
            known(&rule).map_err(|e| e.within(name))?;
            if !(0.0..=1.0).contains(&least) {
                return Err(ConfigError::ConfidenceOutOfRange { rule, least }.within(name));
            }
            switches.min_confidence.push((rule, least, name.to_string()));
        }
        Ok(Config { policy: raw.policy, switches })
    }
}

/// A rule id that exists and may be switched off.
fn known(rule: &str) -> Result<(), ConfigError> {
    if rule.starts_with("error.") {
        return Err(ConfigError::ErrorRuleOff(rule.to_string()));
    }
    match crate::rules::doc(rule) {
        Some(_) => Ok(()),
        None => Err(ConfigError::NoSuchRule(rule.to_string())),
    }
}

impl Switches {
    /// Switches `rule` off for the run, for `reason`, set in `by`.
    pub fn ignore(&mut self, rule: &str, reason: &str, by: &str) -> Result<(), ConfigError> {
        known(rule)?;
        let reason = if reason.trim().is_empty() { "no reason given" } else { reason.trim() };
        self.ignored.retain(|(r, _, _)| r != rule);
        self.ignored.push((rule.to_string(), reason.to_string(), by.to_string()));
        Ok(())
    }

    /// Drops the findings the switches turn off from `report` (before its verdict is
    /// settled) and records each switch that dropped one.
    pub fn apply(&self, report: &mut Report) {
        for (rule, reason, by) in &self.ignored {
            let before = report.findings.len();
            report.findings.retain(|f| f.rule != *rule);
            let dropped = before - report.findings.len();
            if dropped > 0 {
                report.switched_off.push(SwitchedOff {
                    rule: rule.clone(),
                    setting: "ignored".into(),
                    reason: reason.clone(),
                    set_in: by.clone(),
                    dropped,
                });
            }
        }
        for (rule, least, by) in &self.min_confidence {
            let before = report.findings.len();
            report.findings.retain(|f| f.rule != *rule || f.confidence >= *least);
            let dropped = before - report.findings.len();
            if dropped > 0 {
                report.switched_off.push(SwitchedOff {
                    rule: rule.clone(),
                    setting: format!("min confidence {least}"),
                    reason: "findings below it do not count".into(),
                    set_in: by.clone(),
                    dropped,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Finding, Source};
    use crate::verdict::Verdict;

    fn finding(rule: &str, confidence: f32) -> Finding {
        Finding {
            rule: rule.into(),
            source: Source::Ocr,
            remedy: Verdict::Redact,
            summary: "s".into(),
            details: vec![],
            bbox: None,
            confidence,
            citations: vec![],
            identifier: None,
        }
    }

    #[test]
    fn a_config_switches_rules_off_and_the_report_says_so() {
        let config = Config::parse(
            "policy = \"umn\"\n[ignore]\n\"scene.monitor\" = \"teaching monitors\"\n[min_confidence]\n\"text.name\" = 0.7\n",
            "medscrub.toml",
        )
        .unwrap();
        assert_eq!(config.policy.as_deref(), Some("umn"));
        let mut r = Report::new("a.jpg".into(), "umn");
        r.findings =
            vec![finding("scene.monitor", 0.9), finding("text.name", 0.5), finding("text.name", 0.8)];
        config.switches.apply(&mut r);
        let left: Vec<_> = r.findings.iter().map(|f| (f.rule.as_str(), f.confidence)).collect();
        assert_eq!(left, [("text.name", 0.8)]);
        let said: Vec<_> =
            r.switched_off.iter().map(|s| (s.rule.as_str(), s.setting.as_str(), s.dropped)).collect();
        assert_eq!(said, [("scene.monitor", "ignored", 1), ("text.name", "min confidence 0.7", 1)]);
        // Near miss: a switch that drops nothing is not recorded on the photo.
        let mut clean = Report::new("b.jpg".into(), "umn");
        config.switches.apply(&mut clean);
        assert!(clean.switched_off.is_empty());
    }

    #[test]
    fn errors_and_unknown_rules_cannot_be_switched_off() {
        let err = Config::parse("[ignore]\n\"error.decode\" = \"x\"\n", "m.toml").unwrap_err();
        let off = ConfigError::ErrorRuleOff("error.decode".into()).within("m.toml");
        assert_eq!(err, off);
        let err = err.to_string();
        assert!(err.contains("never shared"), "{err}");
        let err = Config::parse("[ignore]\n\"scene.monitr\" = \"x\"\n", "m.toml").unwrap_err().to_string();
        assert!(err.contains("no rule \"scene.monitr\""), "{err}");
        let err = Config::parse("[min_confidence]\n\"text.name\" = 7\n", "m.toml").unwrap_err().to_string();
        assert!(err.contains("from 0 to 1"), "{err}");
        let err = Config::parse("polcy = \"umn\"\n", "m.toml").unwrap_err().to_string();
        assert!(err.contains("m.toml") && err.contains("polcy"), "{err}");
    }
}
