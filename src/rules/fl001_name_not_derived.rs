use super::{Context, Rule};
use crate::catalog::Endpoint;
use crate::naming::{base_names, derives_from};
use crate::model::{Finding, Kind, Reference, Related};
use std::collections::{BTreeMap, BTreeSet};

declare_rule! {
    /// ## What it does
    /// Checks that every flag's name derives from the gRPC endpoint it guards.
    /// The canonical flag of `Service/Method` is the snake case of `Method`,
    /// acronyms kept whole (`GetNewLFSPointers` → `get_new_lfs_pointers`, env var
    /// `GITALY_GET_NEW_LFS_POINTERS`, Flipper name `gitaly_get_new_lfs_pointers`).
    /// Accepted variants (`[naming]` in flaglint.toml): the service without
    /// `Service` as a prefix (`ref_find_branch`, on by default), a one-word
    /// qualifier naming a split of one endpoint (`ref_exists_tags`; on by default,
    /// or limited to `qualifiers`), and component prefixes such as `workhorse_`
    /// (`component_prefixes`, none by default).
    ///
    /// When flaglint knows the endpoints a flag's toggles guard (inferred from
    /// their Gitaly branches), the name must derive from one of them; otherwise
    /// from some endpoint of the catalog. One finding per flag, at its first
    /// toggle, with its other sites as related locations.
    ///
    /// Gitaly's own flags are not checked: a flag Gitaly defines, or one seen
    /// only in Gitaly trees, names a change of behaviour inside an endpoint
    /// (`go_fetch_source_branch`, `linguist_file_count_stats`), not the
    /// migration of one.
    ///
    /// A name the registry records deliberately is not reported: an `aliases`
    /// entry, or a feature `name` with an explicit `endpoint`.
    ///
    /// ## Why
    /// The process finds a feature's toggles, configuration and docs by its
    /// name, and derives the name from the endpoint. A flag named otherwise is
    /// missed when its endpoint goes Mandatory, and two teams end up with two
    /// names for one feature.
    ///
    /// ## Example
    /// ```ruby
    /// def root_ref
    ///   gitaly_migrate(:root_ref) do |is_enabled|   # guards RefService/FindDefaultBranchName
    ///     is_enabled ? gitaly_ref_client.default_branch_name : discover_default_branch
    ///   end
    /// end
    /// ```
    ///
    /// ## How to fix
    /// Rename the flag to the expected name (`find_default_branch_name`, or
    /// `ref_find_default_branch_name`) in every client, configuration and doc —
    /// `flaglint list` shows them all — or, to keep a legacy name deliberately,
    /// record it in the registry:
    /// ```toml
    /// [[feature]]
    /// name = "find_default_branch_name"
    /// stage = "opt-in"
    /// endpoint = "RefService/FindDefaultBranchName"
    /// aliases = ["root_ref"]
    /// ```
    NameNotDerived {
        code: FL001,
        severity: Warning,
        summary: "a flag name that does not derive from the endpoint it guards",
    }
}

impl Rule for NameNotDerived {
    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        let naming = &cx.config.naming;
        let mut by_flag: BTreeMap<&str, Vec<&Reference>> = BTreeMap::new();
        for r in cx.named() {
            by_flag.entry(&r.flag).or_default().push(r);
        }
        for (flag, sites) in by_flag {
            // A name seen only in tests and docs is not a flag of the code.
            if sites
                .iter()
                .all(|r| matches!(r.kind, Kind::TestStub | Kind::Doc))
            {
                continue;
            }
            // Gitaly's own flags (defined or only seen in a Gitaly tree) name a
            // change of behaviour inside an endpoint, not the migration of one.
            if sites
                .iter()
                .all(|r| cx.sides.is_server(r))
                || sites
                    .iter()
                    .any(|r| r.kind == Kind::Definition && cx.sides.is_server(r))
            {
                continue;
            }
            if let Some(f) = cx.config.feature(flag) {
                if f.name != flag || f.endpoint.is_some() {
                    continue;
                }
            }
            let guarded: BTreeSet<&str> = sites
                .iter()
                .flat_map(|r| r.endpoints.iter().map(String::as_str))
                .collect();
            let endpoints: Vec<&Endpoint> =
                guarded.iter().filter_map(|e| cx.catalog.get(e)).collect();
            let derived = if endpoints.is_empty() {
                cx.catalog
                    .endpoints()
                    .iter()
                    .any(|e| derives_from(flag, e, naming))
            } else {
                endpoints.iter().any(|e| derives_from(flag, e, naming))
            };
            if derived {
                continue;
            }
            let anchor = sites
                .iter()
                .find(|r| matches!(r.kind, Kind::Toggle | Kind::Check))
                .unwrap_or(&sites[0]);
            let (message, help) = message_and_help(flag, &endpoints, cx);
            let mut finding = Self::INFO.at(
                anchor,
                message,
                "flag name not derived from its endpoint".to_string(),
                help,
            );
            finding.related = sites
                .iter()
                .filter(|r| !std::ptr::eq(**r, *anchor))
                .map(|r| Related {
                    location: r.location.clone(),
                    message: format!("`{flag}` also here"),
                })
                .collect();
            out.push(finding);
        }
    }
}

/// The message and help of a flag whose name does not derive: from the
/// endpoints it guards, or, when none is known, the nearest catalog endpoints.
fn message_and_help(flag: &str, endpoints: &[&Endpoint], cx: &Context) -> (String, String) {
    let naming = &cx.config.naming;
    if endpoints.is_empty() {
        let nearest = nearest(flag, cx.catalog.endpoints(), naming);
        (
            format!("`{flag}` does not derive from any Gitaly endpoint, and the endpoint it guards is unknown"),
            if nearest.is_empty() {
                "name the flag after the endpoint it guards (snake case of the RPC method)".to_string()
            } else {
                format!(
                    "name the flag after the endpoint it guards; nearest endpoints: {}",
                    nearest.join(", ")
                )
            },
        )
    } else {
        let guards: Vec<String> = endpoints.iter().map(|e| e.name()).collect();
        let expected: Vec<String> = endpoints
            .iter()
            .flat_map(|e| base_names(e, naming))
            .map(|n| format!("`{n}`"))
            .collect();
        (
            format!("`{flag}` guards {} but its name does not derive from it", guards.join(" and ")),
            format!(
                "rename it to {} (env `GITALY_{}`), or record `{flag}` as an alias in flaglint.toml",
                expected.join(" or "),
                base_names(endpoints[0], naming)[0].to_ascii_uppercase()
            ),
        )
    }
}

/// Up to three catalog endpoints whose canonical flag is closest to `flag`.
fn nearest(flag: &str, endpoints: &[Endpoint], naming: &crate::config::Naming) -> Vec<String> {
    let mut scored: Vec<(f64, String)> = endpoints
        .iter()
        .filter(|e| e.service.ends_with("Service"))
        .map(|e| {
            let best = base_names(e, naming)
                .iter()
                .map(|n| strsim::jaro_winkler(flag, n))
                .fold(0.0, f64::max);
            (
                best,
                format!("{} (`{}`)", e.name(), base_names(e, naming)[0]),
            )
        })
        .filter(|(s, _)| *s >= 0.75)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(3).map(|(_, n)| n).collect()
}
