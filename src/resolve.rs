//! Stage 5: resolve references against the endpoint catalog and the registry:
//! which endpoints a Go branch reaches, and which registry feature each flag
//! names, directly or by alias.

use crate::catalog::{canonical_flag, Catalog};
use crate::component::Component;
use crate::config::Config;
use crate::frontend::go::Func;
use crate::frontend::ruby_calls::{CallFact, Method};
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

/// Records the endpoints each Ruby toggle guards: follows the call facts of its
/// Gitaly branch — request messages, `GitalyClient.call(_, :service, :rpc)`,
/// calls on the wrapper clients and on methods of the same class — through the
/// methods of every scanned Ruby file, up to [`MAX_CALL_DEPTH`] levels. Where
/// nothing leads to a catalog endpoint the list stays empty.
pub fn infer_ruby_endpoints(
    pending: Vec<(Reference, Vec<CallFact>)>,
    methods: &[Method],
    catalog: &Catalog,
) -> Vec<Reference> {
    let mut by_class: HashMap<(&str, &str), Vec<&Method>> = HashMap::new();
    let mut by_last: HashMap<(&str, &str), Vec<&Method>> = HashMap::new();
    let mut getters: HashMap<&str, &str> = HashMap::new();
    for m in methods {
        by_class
            .entry((m.class.as_str(), m.name.as_str()))
            .or_default()
            .push(m);
        let last = m.class.rsplit("::").next().unwrap_or(&m.class);
        by_last.entry((last, m.name.as_str())).or_default().push(m);
        if let Some(c) = &m.returns_client {
            getters.insert(m.name.as_str(), c.as_str());
        }
    }
    let mut out = Vec::with_capacity(pending.len());
    for (mut reference, facts) in pending {
        // What the frontend already knew (Shell's command table names its
        // endpoints) stays; inference adds to it.
        let mut endpoints: BTreeSet<String> = std::mem::take(&mut reference.endpoints)
            .into_iter()
            .collect();
        let mut seen: HashSet<(String, String)> = HashSet::new();
        let mut frontier = facts;
        for _ in 0..MAX_CALL_DEPTH {
            let mut next = Vec::new();
            for fact in &frontier {
                let targets: Vec<&Method> = match fact {
                    CallFact::Request(m) => {
                        endpoints.extend(catalog.by_method(m).map(|e| e.name()));
                        continue;
                    }
                    CallFact::Rpc(service, rpc) => {
                        endpoints.extend(catalog.by_snake(service, rpc).map(|e| e.name()));
                        continue;
                    }
                    CallFact::Client(class, name) => by_last
                        .get(&(class.as_str(), name.as_str()))
                        .cloned()
                        .unwrap_or_default(),
                    CallFact::Local(class, name) => by_class
                        .get(&(class.as_str(), name.as_str()))
                        .cloned()
                        .unwrap_or_default(),
                    CallFact::Via(getter, name) => {
                        let class = getters
                            .get(getter.as_str())
                            .map(|c| c.to_string())
                            .unwrap_or_else(|| client_of_getter(getter));
                        by_last
                            .get(&(class.as_str(), name.as_str()))
                            .cloned()
                            .unwrap_or_default()
                    }
                };
                for m in targets {
                    if seen.insert((m.class.clone(), m.name.clone())) {
                        next.extend(m.facts.iter().cloned());
                    }
                }
            }
            if next.is_empty() {
                break;
            }
            frontier = next;
        }
        reference.endpoints = endpoints.into_iter().collect();
        out.push(reference);
    }
    out
}

/// `gitaly_ref_client` → `RefService`, `gitaly_operations_client` → `OperationService`.
fn client_of_getter(getter: &str) -> String {
    let inner = getter
        .trim_start_matches("gitaly_")
        .trim_end_matches("_client");
    let inner = inner
        .strip_suffix('s')
        .filter(|i| !i.ends_with('s'))
        .unwrap_or(inner);
    let mut class: String = inner
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect();
    class.push_str("Service");
    class
}
