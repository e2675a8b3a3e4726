//! Fingerprints and baselines: adopt flaglint on a repo with years of legacy
//! names without a wall of old findings.
//!
//! A finding's fingerprint hashes rule + flag + component + component-relative
//! path + the normalized source of its first line (white space collapsed) —
//! not its line number — and its *occurrence*: the index of the finding among
//! those with the same rule, flag, component, path and normalized line, in
//! source order. So two identical `gitaly_migrate(:branch_names)` sites in one
//! file get different fingerprints (`#0`, `#1`), while moving code, inserting
//! lines or reindenting keeps them. The first occurrence's fingerprint is the
//! hash of the key alone (what flaglint wrote before occurrences counted); the
//! `n`-th is derived from it ([`occurrence`]), so a baseline entry recorded as
//! "fingerprint F, count n" covers F and its next n − 1 occurrences.
use crate::model::Finding;
use crate::rules::codes::RuleCode;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// The baseline file format's version.
pub const VERSION: u32 = 1;

/// A baseline that cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("cannot read baseline {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}:{}:{}: not a flaglint baseline: {source}", .source.line(), .source.column())]
    Parse {
        path: String,
        source: serde_json::Error,
    },
    #[error("{path}: baseline version {version} is not supported (expected {VERSION})")]
    Version { path: String, version: u32 },
    #[error("cannot write baseline: {0}")]
    Serialize(serde_json::Error),
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
}

/// FNV-1a, 64 bits: stable across runs and platforms (std's hasher is not).
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The first line of the finding's span, white space collapsed.
fn normalized_head(f: &Finding, text: Option<&str>) -> String {
    let Some(text) = text else {
        return String::new();
    };
    let start = f.location.span.start_byte.min(text.len());
    let end = f.location.span.end_byte.clamp(start, text.len());
    let head = text.get(start..end).unwrap_or("");
    let head = head.lines().next().unwrap_or("");
    head.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The fingerprint of the `index`-th occurrence (0-based) of the finding
/// whose first occurrence has the fingerprint `first`.
pub fn occurrence(first: &str, index: usize) -> String {
    if index == 0 {
        first.to_string()
    } else {
        format!("{:016x}", fnv1a(format!("{first}\0#{index}").as_bytes()))
    }
}

/// Sets every finding's fingerprint; `sources` gives each file's text.
/// Occurrences are counted in source order (component, path, line, column),
/// whatever order `findings` is in.
pub fn fingerprint_all(findings: &mut [Finding], sources: &HashMap<PathBuf, Option<String>>) {
    let mut order: Vec<usize> = (0..findings.len()).collect();
    order.sort_by(|&a, &b| crate::rules::location_order(&findings[a], &findings[b]));
    let mut seen: HashMap<String, usize> = HashMap::new();
    for i in order {
        let f = &mut findings[i];
        let text = sources.get(&f.location.abs_path).and_then(|t| t.as_deref());
        let key = format!(
            "{}\0{}\0{}\0{}\0{}",
            f.code,
            f.flag,
            f.location.component,
            f.location.path,
            normalized_head(f, text)
        );
        let first = format!("{:016x}", fnv1a(key.as_bytes()));
        let n = seen.entry(first.clone()).or_default();
        f.fingerprint = occurrence(&first, *n);
        *n += 1;
    }
}

/// The texts of the files findings point into, read once each.
pub fn load_sources(findings: &[Finding]) -> HashMap<PathBuf, Option<String>> {
    let mut sources = HashMap::new();
    for f in findings {
        sources
            .entry(f.location.abs_path.clone())
            .or_insert_with(|| {
                std::fs::read(&f.location.abs_path)
                    .ok()
                    .map(|b| crate::report::text_keeping_offsets(&b))
            });
    }
    sources
}

#[derive(Debug, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Clone)]
struct Entry {
    fingerprint: String,
    code: String,
    flag: String,
    component: String,
    path: String,
    count: usize,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: u32,
    findings: Vec<Entry>,
}

/// Writes the findings as a baseline: stable JSON, sorted, one entry per
/// fingerprint with its count.
pub fn write(path: &Path, findings: &[Finding]) -> Result<usize, BaselineError> {
    let mut counts: BTreeMap<(&str, &str, RuleCode, &str, &str), usize> = BTreeMap::new();
    for f in findings {
        *counts
            .entry((
                &f.location.path,
                &f.location.component,
                f.code,
                &f.flag,
                &f.fingerprint,
            ))
            .or_default() += 1;
    }
    let entries: Vec<Entry> = counts
        .into_iter()
        .map(|((path, component, code, flag, fp), count)| Entry {
            fingerprint: fp.to_string(),
            code: code.to_string(),
            flag: flag.to_string(),
            component: component.to_string(),
            path: path.to_string(),
            count,
        })
        .collect();
    let n = entries.len();
    let mut text = serde_json::to_string_pretty(&File {
        version: VERSION,
        findings: entries,
    })
    .map_err(BaselineError::Serialize)?;
    text.push('\n');
    crate::fsutil::write_output(path, text.as_bytes()).map_err(|source| BaselineError::Write {
        path: path.display().to_string(),
        source,
    })?;
    Ok(n)
}

/// What applying a baseline did.
#[derive(Debug, Default)]
pub struct Applied {
    /// Findings the baseline covered.
    pub suppressed: usize,
    /// Findings the baseline records (the sum of its entries' counts).
    pub recorded: usize,
    /// Recorded findings that no longer occur: they can be dropped.
    pub stale: usize,
}

/// A baseline file, read and checked.
#[derive(Debug)]
pub struct Baseline {
    /// Every recorded finding's fingerprint: an entry counted `n` times stands
    /// for its fingerprint's first `n` occurrences.
    fingerprints: Vec<String>,
}

/// Reads and checks the baseline at `path` (before the scan: a missing or
/// broken baseline is an error at once).
pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
    let shown = || path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| BaselineError::Read {
        path: shown(),
        source,
    })?;
    let file: File = serde_json::from_str(&text).map_err(|source| BaselineError::Parse {
        path: shown(),
        source,
    })?;
    if file.version != VERSION {
        return Err(BaselineError::Version {
            path: shown(),
            version: file.version,
        });
    }
    let mut fingerprints = Vec::new();
    for e in file.findings {
        for k in 0..e.count {
            fingerprints.push(occurrence(&e.fingerprint, k));
        }
    }
    Ok(Baseline { fingerprints })
}

/// Removes the findings the baseline covers.
pub fn apply(baseline: &Baseline, findings: &mut Vec<Finding>) -> Applied {
    let mut budget: HashMap<&str, usize> = HashMap::new();
    for fp in &baseline.fingerprints {
        *budget.entry(fp).or_default() += 1;
    }
    let mut applied = Applied {
        recorded: baseline.fingerprints.len(),
        ..Applied::default()
    };
    findings.retain(|f| match budget.get_mut(f.fingerprint.as_str()) {
        Some(n) if *n > 0 => {
            *n -= 1;
            applied.suppressed += 1;
            false
        }
        _ => true,
    });
    applied.stale = budget.values().sum();
    applied
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn occurrences_differ_and_the_first_is_the_key_hash() {
        assert_eq!(occurrence("00000000000000ff", 0), "00000000000000ff");
        let second = occurrence("00000000000000ff", 1);
        assert_eq!(second.len(), 16);
        assert_ne!(second, "00000000000000ff");
        assert_ne!(second, occurrence("00000000000000ff", 2));
    }
}
