//! Fingerprints and baselines: adopt flaglint on a repo with years of legacy
//! names without a wall of old findings.
//!
//! A finding's fingerprint is rule + flag + component + path + a hash of the
//! normalized source of its first line (white space collapsed), not its line
//! number: moving a toggle within its file or reindenting it keeps the
//! fingerprint. A baseline counts each fingerprint, so a *new* toggle of the
//! same flag in the same file, written the same way, is still one too many and
//! is reported.

use crate::model::Finding;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// The baseline file format's version.
pub const VERSION: u32 = 1;

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
    let start = f.span.start_byte.min(text.len());
    let end = f.span.end_byte.clamp(start, text.len());
    let head = text.get(start..end).unwrap_or("");
    let head = head.lines().next().unwrap_or("");
    head.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Sets every finding's fingerprint; `sources` gives each file's text.
pub fn fingerprint_all(findings: &mut [Finding], sources: &HashMap<PathBuf, Option<String>>) {
    for f in findings {
        let text = sources.get(&f.abs_path).and_then(|t| t.as_deref());
        let key = format!(
            "{}\0{}\0{}\0{}\0{}",
            f.code,
            f.flag,
            f.component,
            f.path,
            normalized_head(f, text)
        );
        f.fingerprint = format!("{:016x}", fnv1a(key.as_bytes()));
    }
}

/// The texts of the files findings point into, read once each.
pub fn load_sources(findings: &[Finding]) -> HashMap<PathBuf, Option<String>> {
    let mut sources = HashMap::new();
    for f in findings {
        sources.entry(f.abs_path.clone()).or_insert_with(|| {
            std::fs::read(&f.abs_path)
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
pub fn write(path: &Path, findings: &[Finding]) -> Result<usize, String> {
    let mut counts: BTreeMap<(&str, &str, &str, &str, &str), usize> = BTreeMap::new();
    for f in findings {
        *counts
            .entry((&f.path, &f.component, f.code, &f.flag, &f.fingerprint))
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
    .map_err(|e| format!("cannot write baseline: {e}"))?;
    text.push('\n');
    crate::fsutil::write_output(path, text.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(n)
}

/// What applying a baseline did.
#[derive(Debug, Default)]
pub struct Applied {
    /// Findings the baseline covered.
    pub suppressed: usize,
    /// Baseline entries (counted) that no longer occur: they can be dropped.
    pub stale: usize,
}

/// Removes the findings the baseline at `path` covers.
pub fn apply(path: &Path, findings: &mut Vec<Finding>) -> Result<Applied, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read baseline {}: {e}", path.display()))?;
    let file: File = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{}:{}:{}: not a flaglint baseline: {e}",
            path.display(),
            e.line(),
            e.column()
        )
    })?;
    if file.version != VERSION {
        return Err(format!(
            "{}: baseline version {} is not supported (expected {VERSION})",
            path.display(),
            file.version
        ));
    }
    let mut budget: HashMap<String, usize> = HashMap::new();
    for e in file.findings {
        *budget.entry(e.fingerprint).or_default() += e.count;
    }
    let mut applied = Applied::default();
    findings.retain(|f| match budget.get_mut(&f.fingerprint) {
        Some(n) if *n > 0 => {
            *n -= 1;
            applied.suppressed += 1;
            false
        }
        _ => true,
    });
    applied.stale = budget.values().sum();
    Ok(applied)
}
