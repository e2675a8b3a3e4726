//! The naming policy (FL001's): which flag names derive from an endpoint.
//! The canonical flag of `Service/Method` is the snake case of `Method`
//! ([`crate::catalog::canonical_flag`]); `[naming]` in flaglint.toml
//! ([`Naming`]) adds the accepted variants. Between the catalog and the rules:
//! it reads the catalog's endpoints and the configuration's settings.

use crate::catalog::{canonical_flag, Endpoint};
use crate::config::Naming;

/// The names a flag guarding `endpoint` may have before qualifiers and
/// component prefixes: the canonical name, and with `service_prefix` the
/// service (without `Service`) in snake case before it.
pub fn base_names(e: &Endpoint, naming: &Naming) -> Vec<String> {
    let canonical = canonical_flag(&e.method);
    let mut names = vec![canonical.clone()];
    if naming.service_prefix {
        let service = e.service.strip_suffix("Service").unwrap_or(&e.service);
        if !service.is_empty() {
            let prefix = canonical_flag(service);
            if !canonical.starts_with(&format!("{prefix}_")) {
                names.push(format!("{prefix}_{canonical}"));
            }
        }
    }
    names
}

/// Whether `flag` derives from `e` under the naming settings.
pub fn derives_from(flag: &str, e: &Endpoint, naming: &Naming) -> bool {
    let unprefixed = naming
        .component_prefixes
        .iter()
        .filter_map(|p| flag.strip_prefix(&format!("{}_", p.trim_end_matches('_'))))
        .chain(std::iter::once(flag));
    for f in unprefixed {
        for base in base_names(e, naming) {
            if f == base {
                return true;
            }
            if let Some(q) = f.strip_prefix(&format!("{base}_")) {
                let listed = naming.qualifiers.iter().any(|w| w == q);
                let one_word = naming.qualifier_any_word && !q.is_empty() && !q.contains('_');
                if listed || one_word {
                    return true;
                }
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Checks that each `(flag, "Service/Method", derives)` case derives, or
    /// not, under `n`.
    fn check(n: &Naming, cases: &[(&str, &str, bool)]) {
        let got: Vec<_> = cases
            .iter()
            .map(|&(flag, endpoint, _)| {
                let (service, method) = endpoint.split_once('/').unwrap();
                let e = Endpoint {
                    service: service.into(),
                    method: method.into(),
                    streaming: "unary".into(),
                    sources: Vec::new(),
                };
                (flag, endpoint, derives_from(flag, &e, n))
            })
            .collect();
        assert_eq!(got, cases);
    }

    #[test]
    fn derivation_accepts_the_configured_variants() {
        let mut n = Naming::default();
        let cases = [
            ("find_branch", "RefService/FindBranch", true),
            ("ref_find_branch", "RefService/FindBranch", true),
            ("ref_exists_tags", "RefService/RefExists", true),
            (
                "operation_user_merge_branch",
                "OperationService/UserMergeBranch",
                true,
            ),
            ("wiki_write_page", "WikiService/WikiWritePage", true),
            ("root_ref", "RefService/FindDefaultBranchName", false),
            ("workhorse_archive", "RepositoryService/GetArchive", false),
            ("ref_exists_all_tags", "RefService/RefExists", false),
        ];
        check(&n, &cases);
        n.component_prefixes = vec!["workhorse".into()];
        check(
            &n,
            &[(
                "workhorse_get_archive",
                "RepositoryService/GetArchive",
                true,
            )],
        );
        n.qualifier_any_word = false;
        n.service_prefix = false;
        check(
            &n,
            &[
                ("ref_exists_tags", "RefService/RefExists", false),
                ("ref_find_branch", "RefService/FindBranch", false),
            ],
        );
        n.qualifiers = vec!["tags".into()];
        check(&n, &[("ref_exists_tags", "RefService/RefExists", true)]);
    }
}
