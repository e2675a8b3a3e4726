//! Stage 5: resolve references against the endpoint catalog and the registry:
//! which endpoints a Go branch reaches, and which registry feature each flag
//! names, directly or by alias.

use crate::catalog::{canonical_flag, Catalog};
use crate::component::Component;
use crate::config::Config;
use crate::frontend::go::Func;
use crate::model::Reference;
use std::collections::{BTreeSet, HashMap, HashSet};

/// How many calls deep endpoint inference follows a Gitaly branch.
pub const MAX_CALL_DEPTH: usize = 5;

/// Attributes each Go Gitaly-vs-legacy branch to features: follows the calls
/// its Gitaly side makes through the component's own functions (by name, a few
/// levels deep) to the generated gRPC client methods it reaches. Each endpoint
/// reached gives one reference, whose flag is the registry feature with that
/// `endpoint`, or else the endpoint's canonical flag name. A branch that
/// reaches no known endpoint keeps an empty flag and no endpoints: nothing is
/// guessed.
pub fn infer_branch_endpoints(
    branches: Vec<(Reference, Vec<(String, bool)>)>,
    funcs: &[(usize, Func)],
    components: &[Component],
    config: &Config,
    catalog: &Catalog,
) -> Vec<Reference> {
    let mut index: HashMap<(&str, &str), Vec<&Func>> = HashMap::new();
    for (ci, f) in funcs {
        index
            .entry((components[*ci].name.as_str(), f.name.as_str()))
            .or_default()
            .push(f);
    }
    let mut out = Vec::new();
    for (reference, calls) in branches {
        let mut endpoints = BTreeSet::new();
        let mut seen: HashSet<&str> = HashSet::new();
        let mut frontier: Vec<&(String, bool)> = calls.iter().collect();
        for _ in 0..MAX_CALL_DEPTH {
            let mut next = Vec::new();
            for (name, on_value) in frontier {
                if *on_value {
                    if let Some(e) = catalog.by_method(name) {
                        endpoints.insert(e.name());
                    }
                }
                if !seen.insert(name.as_str()) {
                    continue;
                }
                if let Some(defs) = index.get(&(reference.component.as_str(), name.as_str())) {
                    for f in defs {
                        next.extend(f.calls.iter());
                    }
                }
            }
            frontier = next;
        }
        if endpoints.is_empty() {
            out.push(reference);
            continue;
        }
        for endpoint in endpoints {
            out.push(Reference {
                flag: flag_of_endpoint(&endpoint, config),
                endpoints: vec![endpoint],
                ..reference.clone()
            });
        }
    }
    out
}

/// The flag an endpoint's toggle goes by: the registry feature with that
/// `endpoint`, or else the endpoint's canonical flag name.
pub fn flag_of_endpoint(endpoint: &str, config: &Config) -> String {
    config
        .feature_by_endpoint(endpoint)
        .map(|f| f.name.clone())
        .unwrap_or_else(|| canonical_flag(endpoint.split('/').nth(1).unwrap_or_default()))
}

/// Names the flag of references known only by their endpoint, and sets
/// `feature` on every reference whose flag the registry names.
pub fn resolve(references: &mut [Reference], config: &Config) {
    for r in references {
        if r.flag.is_empty() {
            if let [endpoint] = r.endpoints.as_slice() {
                r.flag = flag_of_endpoint(endpoint, config);
            }
        }
        r.feature = config.feature(&r.flag).map(|f| f.name.clone());
    }
}

/// Keeps the plain mentions of config and docs whose flag is known: a registry
/// name or alias, a flag the code references, or the canonical flag of a
/// catalog endpoint.
pub fn known_mentions(
    candidates: Vec<Reference>,
    references: &[Reference],
    config: &Config,
    catalog: &Catalog,
) -> Vec<Reference> {
    if candidates.is_empty() {
        return candidates;
    }
    let mut known: HashSet<String> = references
        .iter()
        .filter(|r| r.is_named())
        .map(|r| r.flag.clone())
        .collect();
    known.extend(
        catalog
            .endpoints()
            .iter()
            .map(|e| canonical_flag(&e.method)),
    );
    let mut kept: Vec<Reference> = candidates
        .into_iter()
        .filter(|c| known.contains(&c.flag) || config.feature(&c.flag).is_some())
        .collect();
    for r in &mut kept {
        r.feature = config.feature(&r.flag).map(|f| f.name.clone());
    }
    kept
}
