//! `medscrub policies [ID]`: the profiles, the rules, and the clauses behind them.

use super::OutputFormat;
use crate::exit::ExitStatus;
use crate::{policy, rules};
use serde_json::json;

pub fn show(id: Option<&str>, format: OutputFormat) -> std::io::Result<ExitStatus> {
    let text = match id {
        None => list(format),
        Some(id) if rules::doc(id).is_some() => rule(id, format),
        Some(id) if policy::profile(id).is_some() => profile(id, format),
        Some(id) => {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("{id:?} is neither a rule nor a profile; run `medscrub policies` to list them"),
            ));
        }
    };
    println!("{text}");
    Ok(ExitStatus::Ok)
}

fn list(format: OutputFormat) -> String {
    if format == OutputFormat::Json {
        let profiles: Vec<_> = policy::profiles()
            .iter()
            .map(|p| json!({"id": p.id, "name": p.name, "source": p.source}))
            .collect();
        let rules: Vec<_> = rules::docs()
            .map(|d| json!({"id": d.id, "source": d.source, "default_remedy": d.default_remedy, "summary": d.summary}))
            .collect();
        return json!({"profiles": profiles, "rules": rules}).to_string();
    }
    let mut s = String::from("Profiles (--policy):\n");
    for p in policy::profiles() {
        s.push_str(&format!("  {:<18} {}\n", p.id, p.name));
    }
    s.push_str("\nRules (remedy under strictest):\n");
    let strictest = policy::profile(policy::DEFAULT_PROFILE);
    // The id column as wide as the longest id, so every remedy and summary lines up.
    let width = rules::docs().map(|d| d.id.len()).max().unwrap_or(0);
    for d in rules::docs() {
        let remedy = strictest
            .and_then(|p| p.rules.get(d.id))
            .map_or("off".to_string(), |r| r.remedy.map_or("off".into(), |v| v.to_string()));
        s.push_str(&format!("  {:<width$} {:<6} {}\n", d.id, remedy, d.summary));
    }
    s.push_str("\n`medscrub policies RULE` explains a rule with every clause behind it.");
    s
}

fn rule(id: &str, format: OutputFormat) -> String {
    let d = rules::doc(id).expect("checked by caller");
    let per_profile: Vec<_> =
        policy::profiles().iter().filter_map(|p| p.rules.get(id).map(|r| (p, r))).collect();
    if format == OutputFormat::Json {
        let profiles: Vec<_> = per_profile
            .iter()
            .map(|(p, r)| json!({"profile": p.id, "remedy": r.remedy.map_or("off".to_string(), |v| v.to_string()), "citations": r.citations}))
            .collect();
        return json!({"id": d.id, "summary": d.summary, "explain": d.explain, "profiles": profiles})
            .to_string();
    }
    let mut s = format!("{} — {}\n\n{}\n\n## Under each profile\n", d.id, d.summary, d.explain);
    for (p, r) in per_profile.iter().filter(|(p, _)| p.id != policy::DEFAULT_PROFILE) {
        let remedy = r.remedy.map_or("off".to_string(), |v| v.to_string());
        s.push_str(&format!("\n{} ({}): {remedy}\n", p.name, p.source));
        for c in &r.citations {
            s.push_str(&format!("  · {}: {}\n", c.clause, c.paraphrase));
        }
    }
    s
}

fn profile(id: &str, format: OutputFormat) -> String {
    let p = policy::profile(id).expect("checked by caller");
    if format == OutputFormat::Json {
        let rules: Vec<_> = p
            .rules
            .iter()
            .map(|(rule, r)| json!({"rule": rule, "remedy": r.remedy.map_or("off".to_string(), |v| v.to_string()), "citations": r.citations}))
            .collect();
        let marks: Vec<&str> = p.marks.iter().map(|m| m.text.as_str()).collect();
        return json!({"id": p.id, "name": p.name, "source": p.source, "marks": marks, "rules": rules})
            .to_string();
    }
    let mut s = format!("{} — {}\n", p.id, p.name);
    if !p.source.is_empty() {
        s.push_str(&format!("policy text: {}\n", p.source));
    }
    if !p.marks.is_empty() {
        let marks: Vec<String> = p.marks.iter().map(|m| format!("\"{}\"", m.text)).collect();
        s.push_str(&format!("marks (brand.logo-text): {}\n", marks.join(", ")));
    }
    for (rule, r) in &p.rules {
        let remedy = r.remedy.map_or("off".to_string(), |v| v.to_string());
        let clauses: Vec<String> = r.citations.iter().map(|c| format!("{} {}", c.policy, c.clause)).collect();
        s.push_str(&format!("  {rule:<16} {remedy:<6} {}\n", clauses.join("; ")));
    }
    s
}
