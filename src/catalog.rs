//! The endpoint catalog: Gitaly's gRPC endpoints (`Service/Method`) and the flag
//! name each derives to.
//!
//! The embedded default catalog merges Gitaly's endpoints of June 2018 (the
//! era of GitLab-CE 10.x/11.0) and December 2020 (`data/*.tsv`, extracted from
//! Gitaly's service descriptors and protos).

use std::collections::HashMap;
use std::sync::OnceLock;

/// One gRPC endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub service: String,
    pub method: String,
    /// `unary`, `server-stream`, `client-stream`, `bidi` or `stream`.
    pub streaming: String,
}

impl Endpoint {
    /// `Service/Method`.
    pub fn name(&self) -> String {
        format!("{}/{}", self.service, self.method)
    }
}

const EMBEDDED: &[&str] = &[
    include_str!("../data/gitaly-endpoints-2018-06.tsv"),
    include_str!("../data/gitaly-endpoints-2020-12.tsv"),
];

/// The catalog: endpoints by method name.
#[derive(Debug, Default)]
pub struct Catalog {
    endpoints: Vec<Endpoint>,
    by_method: HashMap<String, Vec<usize>>,
    /// `refservice/finddefaultbranchname` → index: lower case without `_`.
    by_normalized: HashMap<String, usize>,
}

/// Lower case without underscores: `ref_service` and `RefService` meet.
fn normalize(s: &str) -> String {
    s.chars()
        .filter(|&c| c != '_')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

impl Catalog {
    /// The embedded default catalog.
    pub fn embedded() -> &'static Catalog {
        static CATALOG: OnceLock<Catalog> = OnceLock::new();
        CATALOG.get_or_init(|| {
            let mut c = Catalog::default();
            for text in EMBEDDED {
                c.add_tsv(text);
            }
            c
        })
    }

    /// Adds `service<TAB>method<TAB>kind` lines (`#` comments).
    pub fn add_tsv(&mut self, text: &str) {
        for line in text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        {
            let mut cols = line.split('\t');
            let (Some(service), Some(method)) = (cols.next(), cols.next()) else {
                continue;
            };
            self.add(Endpoint {
                service: service.trim().to_string(),
                method: method.trim().to_string(),
                streaming: cols.next().unwrap_or("unary").trim().to_string(),
            });
        }
    }

    pub fn add(&mut self, e: Endpoint) {
        let same = |o: &Endpoint| o.service == e.service && o.method == e.method;
        if let Some(ids) = self.by_method.get(&e.method) {
            if ids.iter().any(|&i| same(&self.endpoints[i])) {
                return;
            }
        }
        self.by_method
            .entry(e.method.clone())
            .or_default()
            .push(self.endpoints.len());
        self.by_normalized
            .entry(format!(
                "{}/{}",
                normalize(&e.service),
                normalize(&e.method)
            ))
            .or_insert(self.endpoints.len());
        self.endpoints.push(e);
    }

    /// The endpoint a method name calls. Gitaly's deprecated services (`Commit`,
    /// `SSH`, ...) repeat methods of the `*Service` ones: those win.
    pub fn by_method(&self, method: &str) -> Option<&Endpoint> {
        let ids = self.by_method.get(method)?;
        ids.iter().map(|&i| &self.endpoints[i]).max_by_key(|e| {
            (
                e.service.ends_with("Service"),
                std::cmp::Reverse(e.service.clone()),
            )
        })
    }

    /// The endpoint of a client's snake-case `(:ref_service, :find_default_branch_name)`.
    pub fn by_snake(&self, service: &str, method: &str) -> Option<&Endpoint> {
        let key = format!("{}/{}", normalize(service), normalize(method));
        self.by_normalized.get(&key).map(|&i| &self.endpoints[i])
    }

    pub fn endpoints(&self) -> &[Endpoint] {
        &self.endpoints
    }
}

/// The canonical flag of a method: its snake case, acronyms kept whole
/// (`GetNewLFSPointers` → `get_new_lfs_pointers`, `SSHUploadPack` → `ssh_upload_pack`).
pub fn canonical_flag(method: &str) -> String {
    let chars: Vec<char> = method.chars().collect();
    let mut out = String::with_capacity(method.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower)
            {
                out.push('_');
            }
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_flags_keep_acronyms_whole() {
        assert_eq!(canonical_flag("GetNewLFSPointers"), "get_new_lfs_pointers");
        assert_eq!(canonical_flag("SSHUploadPack"), "ssh_upload_pack");
        assert_eq!(canonical_flag("CommitIsAncestor"), "commit_is_ancestor");
        assert_eq!(canonical_flag("FindCommit"), "find_commit");
        assert_eq!(canonical_flag("PostUploadPack"), "post_upload_pack");
    }

    #[test]
    fn embedded_catalog_prefers_current_services() {
        let c = Catalog::embedded();
        assert_eq!(
            c.by_method("GetBlob").unwrap().name(),
            "BlobService/GetBlob"
        );
        assert_eq!(
            c.by_method("SSHUploadPack").unwrap().name(),
            "SSHService/SSHUploadPack"
        );
        assert_eq!(
            c.by_method("TreeEntry").unwrap().name(),
            "CommitService/TreeEntry"
        );
        assert!(c.by_method("NotAnRpc").is_none());
        assert_eq!(
            c.by_snake("ref_service", "find_default_branch_name")
                .unwrap()
                .name(),
            "RefService/FindDefaultBranchName"
        );
        assert_eq!(
            c.by_snake("ssh_service", "ssh_upload_pack").unwrap().name(),
            "SSHService/SSHUploadPack"
        );
        assert!(c.endpoints().len() > 150);
    }
}
