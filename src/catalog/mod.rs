//! The endpoint catalog: Gitaly's gRPC endpoints (`Service/Method`) and the flag
//! name each derives to.
//!
//! The embedded default catalog merges Gitaly's endpoints of June 2018 (the
//! era of GitLab-CE 10.x/11.0) and December 2020 (`data/*.tsv`, extracted from
//! Gitaly's service descriptors and protos).

pub mod sources;

use std::collections::HashMap;
use std::sync::OnceLock;

/// One gRPC endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub service: String,
    pub method: String,
    /// `unary`, `server-stream`, `client-stream`, `bidi` or `stream`.
    pub streaming: String,
    /// Where it was found: `embedded (2018-06)`, a proto's path, ...
    pub sources: Vec<String>,
}

impl Endpoint {
    /// `Service/Method`.
    pub fn name(&self) -> String {
        format!("{}/{}", self.service, self.method)
    }
}

const EMBEDDED: &[(&str, &str)] = &[
    (
        "embedded (2018-06)",
        include_str!("../../data/gitaly-endpoints-2018-06.tsv"),
    ),
    (
        "embedded (2020-12)",
        include_str!("../../data/gitaly-endpoints-2020-12.tsv"),
    ),
];

/// The catalog: endpoints by method name.
#[derive(Debug, Default, Clone)]
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
            for (source, text) in EMBEDDED {
                c.add_tsv(text, source);
            }
            c
        })
    }

    /// Adds `service<TAB>method<TAB>kind` lines (`#` comments).
    pub fn add_tsv(&mut self, text: &str, source: &str) {
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
                sources: vec![source.to_string()],
            });
        }
    }

    /// Adds an endpoint; one already known gains the new sources.
    pub fn add(&mut self, e: Endpoint) {
        if let Some(ids) = self.by_method.get(&e.method) {
            let known = ids
                .iter()
                .copied()
                .find(|&i| self.endpoints[i].service == e.service);
            if let Some(i) = known {
                // 2018's descriptors say only `stream`; a proto says which way.
                if self.endpoints[i].streaming == "stream" && e.streaming != "stream" {
                    self.endpoints[i].streaming = e.streaming.clone();
                }
                let have = &mut self.endpoints[i].sources;
                for s in e.sources {
                    if !have.contains(&s) {
                        have.push(s);
                    }
                }
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

    /// The endpoint named `Service/Method`.
    pub fn get(&self, name: &str) -> Option<&Endpoint> {
        let (service, method) = name.split_once('/')?;
        self.by_method
            .get(method)?
            .iter()
            .map(|&i| &self.endpoints[i])
            .find(|e| e.service == service)
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

impl Catalog {
    /// The catalog a run starts from: the embedded one (unless `default` is
    /// false) plus the `--catalog` paths, files or directories of `.proto`,
    /// `*.pb.go` and `*_services_pb.rb` (walked as the scan walks, with
    /// `walk`). Returns the warnings of broken sources.
    pub fn load(
        default: bool,
        paths: &[std::path::PathBuf],
        walk: &crate::discover::WalkOptions,
    ) -> Result<(Catalog, Vec<String>), CatalogError> {
        let mut c = if default {
            Catalog::embedded().clone()
        } else {
            Catalog::default()
        };
        let mut warnings = Vec::new();
        for p in paths {
            let files: Vec<std::path::PathBuf> = if p.is_dir() {
                let select = |name: &str| crate::discover::Wanted {
                    read: false,
                    catalog_source: sources::is_catalog_source(name),
                };
                let found = crate::discover::walk(p, 0, walk, None, &select)?;
                let mut v: Vec<_> = found.files.into_iter().map(|f| f.path).collect();
                v.sort();
                v
            } else if p.is_file() {
                vec![p.clone()]
            } else {
                return Err(CatalogError::NoSuchPath(p.clone()));
            };
            for f in files {
                let text = std::fs::read(&f).map_err(|source| CatalogError::Read {
                    path: f.clone(),
                    source,
                })?;
                let name = f
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned();
                let shown = f.display().to_string();
                let (endpoints, warns) = sources::read(&name, &String::from_utf8_lossy(&text));
                if endpoints.is_empty() && warns.is_empty() && !sources::is_catalog_source(&name) {
                    return Err(CatalogError::NotASource(shown));
                }
                for mut e in endpoints {
                    e.sources = vec![shown.clone()];
                    c.add(e);
                }
                warnings.extend(
                    warns
                        .into_iter()
                        .map(|(l, col, m)| format!("{shown}:{l}:{col}: catalog: {m}")),
                );
            }
        }
        Ok((c, warnings))
    }
}

/// Why the `--catalog` paths cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("--catalog {}: no such file or directory", .0.display())]
    NoSuchPath(std::path::PathBuf),
    #[error("--catalog {}: {source}", .path.display())]
    Read {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("--catalog {0}: not a .proto, *.pb.go or *_services_pb.rb file")]
    NotASource(String),
    #[error(transparent)]
    Walk(#[from] crate::discover::DiscoverError),
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
    fn no_two_endpoints_of_a_service_share_a_flag() {
        let c = Catalog::embedded();
        let mut seen = std::collections::HashMap::new();
        for e in c.endpoints() {
            let key = (e.service.clone(), canonical_flag(&e.method));
            if let Some(other) = seen.insert(key, e.method.clone()) {
                panic!(
                    "{} and {} of {} map to one flag",
                    other, e.method, e.service
                );
            }
            // Every method round-trips: its flag, camel-cased back, is the method
            // up to the case of acronyms.
            let back: String = canonical_flag(&e.method)
                .split('_')
                .map(|w| w.to_string())
                .collect();
            assert_eq!(back, e.method.to_ascii_lowercase(), "{}", e.method);
        }
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
