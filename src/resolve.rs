//! Stage 5: resolve references against the endpoint catalog and the registry:
//! the cross-file work the frontends deferred ([`Deferred`]) — which endpoints
//! a Go branch or a Ruby toggle reaches, which flags the `it_behaves_like`
//! sites pass to shared examples, which mentions in config and docs name a
//! known flag — and which registry feature each flag names, directly or by
//! alias.

use crate::catalog::{canonical_flag, Catalog};
use crate::component::Component;
use crate::config::Config;
use crate::frontend::go::{Func, GoFlag, GoName, GoValue};
use crate::frontend::ruby::calls::{CallFact, Method};
use crate::frontend::ruby::Include;
use crate::frontend::Deferred;
use crate::model::{CallForm, Form, Kind, Language, Location, Reference};
use std::collections::{BTreeSet, HashMap, HashSet};

/// The cross-file work of a scan, gathered file by file in (component, path)
/// order.
#[derive(Debug, Default, Clone)]
pub struct CrossFile {
    /// Branches (Go's, Rust toggles) and the calls of their Gitaly side.
    branches: Vec<(Reference, Vec<(String, bool)>)>,
    /// Their functions (component, language, function).
    funcs: Vec<(usize, Language, Func)>,
    /// Ruby toggles and the call facts of their Gitaly branch.
    toggles: Vec<(Reference, Vec<CallFact>)>,
    /// Ruby methods, for endpoint inference.
    methods: Vec<Method>,
    /// References through a shared example's parameter.
    pending: Vec<Pending>,
    /// `it_behaves_like` sites (component, where, site).
    includes: Vec<(usize, Location, Include)>,
    /// Plain mentions in config and docs, kept only for known flags.
    mentions: Vec<Reference>,
    /// Go references through names, and the names (component, file, …).
    go_flags: Vec<(usize, Location, GoFlag)>,
    go_names: Vec<(usize, Location, GoName)>,
}

/// A reference through a shared example's parameter, bound after the scan.
#[derive(Debug, Clone)]
struct Pending {
    reference: Reference,
    example: String,
    index: usize,
}

impl CrossFile {
    /// Adds what a frontend of `language` deferred in the file at `place`
    /// (its span unused) of component number `component`.
    pub fn add(&mut self, d: Deferred, language: Language, component: usize, place: &Location) {
        let placed = |raw: crate::frontend::RawRef| raw.into_reference(language, place.clone());
        match d {
            Deferred::BranchCalls { raw, calls } => self.branches.push((placed(raw), calls)),
            Deferred::Function(f) => self.funcs.push((component, language, f)),
            Deferred::ToggleFacts { raw, facts } => self.toggles.push((placed(raw), facts)),
            Deferred::Method(m) => self.methods.push(m),
            Deferred::SharedParam {
                raw,
                example,
                index,
            } => self.pending.push(Pending {
                reference: placed(raw),
                example,
                index,
            }),
            Deferred::Include(i) => self.includes.push((component, place.clone(), i)),
            Deferred::Mention(raw) => self.mentions.push(placed(raw)),
            Deferred::GoFlag(f) => self.go_flags.push((component, place.clone(), f)),
            Deferred::GoName(n) => self.go_names.push((component, place.clone(), n)),
        }
    }

    /// Appends the work of a later file.
    pub fn append(&mut self, mut other: CrossFile) {
        self.branches.append(&mut other.branches);
        self.funcs.append(&mut other.funcs);
        self.toggles.append(&mut other.toggles);
        self.methods.append(&mut other.methods);
        self.pending.append(&mut other.pending);
        self.includes.append(&mut other.includes);
        self.mentions.append(&mut other.mentions);
        self.go_flags.append(&mut other.go_flags);
        self.go_names.append(&mut other.go_names);
    }

    pub fn is_empty(&self) -> bool {
        self.branches.is_empty()
            && self.funcs.is_empty()
            && self.toggles.is_empty()
            && self.methods.is_empty()
            && self.pending.is_empty()
            && self.includes.is_empty()
            && self.mentions.is_empty()
            && self.go_flags.is_empty()
            && self.go_names.is_empty()
    }
}

/// Finishes the references of a scan: the endpoints of Go branches and Ruby
/// toggles, shared examples bound to their sites, registry features, and the
/// mentions of known flags.
pub fn finish(
    mut references: Vec<Reference>,
    cross: CrossFile,
    components: &[Component],
    config: &Config,
    catalog: &Catalog,
) -> Vec<Reference> {
    let inferred =
        infer_branch_endpoints(cross.branches, &cross.funcs, components, config, catalog);
    references.extend(inferred);
    references.extend(infer_ruby_endpoints(cross.toggles, &cross.methods, catalog));
    let mut mentions = cross.mentions;
    let ignored = config.ignored_env_vars();
    let (go, go_mentions) = resolve_go_names(cross.go_flags, &cross.go_names, &ignored, catalog);
    references.extend(go);
    mentions.extend(go_mentions);
    bind_shared_examples(&mut references, cross.pending, &cross.includes, components);
    resolve(&mut references, config);
    let mentions = known_mentions(mentions, &references, config, catalog);
    references.extend(mentions);
    references
}

/// Gives Go references their flags through the names of their component
/// (`featureflag.X` → `X = FeatureFlag{Name: "x"}`; `CacheFeatureFlagKey` →
/// `"catfile-cache"`, whose definition site becomes a definition reference
/// once a check or setter uses it; `featureflag.XEnvVar` → `"GITALY_X"`) and
/// endpoints through their handler. A name nothing binds drops the
/// reference (a local variable). Env vars not used as switches come back
/// as mentions.
fn resolve_go_names(
    flags: Vec<(usize, Location, GoFlag)>,
    names: &[(usize, Location, GoName)],
    env_ignore: &[String],
    catalog: &Catalog,
) -> (Vec<Reference>, Vec<Reference>) {
    let mut by_name: HashMap<(usize, &str), &(usize, Location, GoName)> = HashMap::new();
    for n in names {
        // The first binding wins (files in path order).
        by_name.entry((n.0, n.2.symbol.as_str())).or_insert(n);
    }
    let mut out = Vec::new();
    let mut mentions = Vec::new();
    let mut defined: HashSet<(String, usize)> = HashSet::new();
    for (component, place, f) in flags {
        let GoFlag {
            mut raw,
            symbol,
            ruby,
            switch,
            handler,
        } = f;
        if let Some(symbol) = &symbol {
            let Some((_, def_place, name)) = by_name.get(&(component, symbol.as_str())).copied()
            else {
                continue;
            };
            // An env var (read or set), or a string that is one.
            let env = raw.call == crate::model::CallForm::Env;
            raw.flag = match &name.value {
                GoValue::Flag(f) => f.replace('-', "_"),
                GoValue::Str(s) if env || s.starts_with("GITALY_") => {
                    match crate::frontend::env_flag(s, env_ignore, false) {
                        Some(f) if env => f,
                        _ => continue,
                    }
                }
                GoValue::Str(s) => s.replace('-', "_"),
            };
            if let (Some(d), GoValue::Str(_)) = (&name.definition, &name.value) {
                if !env && defined.insert((def_place.path.clone(), d.span.start_byte)) {
                    out.push(d.clone().into_reference(Language::Go, def_place.clone()));
                }
            }
        }
        if raw.flag.is_empty() {
            continue;
        }
        if ruby {
            raw.flag = crate::frontend::ruby::gitaly_ruby_flag(&raw.flag);
        }
        if let Some(e) = handler.as_deref().and_then(|h| catalog.by_method(h)) {
            raw.endpoints = vec![e.name()];
        }
        let r = raw.into_reference(Language::Go, place);
        if r.call == crate::model::CallForm::Env && !switch {
            mentions.push(r);
        } else {
            out.push(r);
        }
    }
    (out, mentions)
}

/// Binds shared-example parameters to the `it_behaves_like` sites of the same
/// component: one `test-stub` reference per site and flag, at the site. A
/// parameter no site binds stays a dynamic reference where it is used.
fn bind_shared_examples(
    references: &mut Vec<Reference>,
    pending: Vec<Pending>,
    includes: &[(usize, Location, Include)],
    components: &[Component],
) {
    let mut seen = HashSet::new();
    let mut bound = Vec::new();
    for p in pending {
        let mut any = false;
        for (ci, place, inc) in includes {
            if components[*ci].name != p.reference.location.component || inc.example != p.example {
                continue;
            }
            let Some(Some(flag)) = inc.args.get(p.index) else {
                continue;
            };
            any = true;
            if seen.insert((*ci, place.path.clone(), inc.span.start_byte, flag.clone())) {
                bound.push(Reference {
                    flag: flag.clone(),
                    kind: Kind::TestStub,
                    form: Form::Call(CallForm::SharedExample),
                    location: Location {
                        component: p.reference.location.component.clone(),
                        path: place.path.clone(),
                        abs_path: place.abs_path.clone(),
                        span: inc.span,
                    },
                    enabled_branch: None,
                    legacy_branch: None,
                    ..p.reference.clone()
                });
            }
        }
        if !any {
            references.push(p.reference);
        }
    }
    references.extend(bound);
    references.sort_by(|a, b| {
        let (x, y) = (&a.location, &b.location);
        (&x.component, &x.path, x.span.start_byte, &a.flag).cmp(&(
            &y.component,
            &y.path,
            y.span.start_byte,
            &b.flag,
        ))
    });
}

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
    funcs: &[(usize, Language, Func)],
    components: &[Component],
    config: &Config,
    catalog: &Catalog,
) -> Vec<Reference> {
    let mut index: HashMap<(&str, Language, &str), Vec<&Func>> = HashMap::new();
    for (ci, language, f) in funcs {
        index
            .entry((components[*ci].name.as_str(), *language, f.name.as_str()))
            .or_default()
            .push(f);
    }
    let mut out = Vec::new();
    for (reference, calls) in branches {
        let mut endpoints = BTreeSet::new();
        let mut seen: HashSet<&str> = HashSet::new();
        // A call met again (many definitions of one name make the same
        // calls) is looked at once.
        let mut looked: HashSet<(&str, bool)> = HashSet::new();
        let mut frontier: Vec<&(String, bool)> = calls.iter().collect();
        for _ in 0..MAX_CALL_DEPTH {
            let mut next = Vec::new();
            for (name, on_value) in frontier {
                if !looked.insert((name.as_str(), *on_value)) {
                    continue;
                }
                if let Some((service, method)) = name.split_once('/') {
                    let e = catalog
                        .get(name)
                        .or_else(|| catalog.by_snake(service, method));
                    endpoints.extend(e.map(|e| e.name()));
                } else if *on_value {
                    if let Some(e) = catalog.by_method(name) {
                        endpoints.insert(e.name());
                    }
                }
                if !seen.insert(name.as_str()) {
                    continue;
                }
                let key = (
                    reference.location.component.as_str(),
                    reference.language,
                    name.as_str(),
                );
                if let Some(defs) = index.get(&key) {
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
        if !reference.flag.is_empty() {
            // A toggle that names its flag keeps it: FL001 compares the two.
            out.push(Reference {
                endpoints: endpoints.into_iter().collect(),
                ..reference
            });
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

/// Keeps the plain mentions of config and docs, and the env reads the code
/// does not use as a switch, whose flag is known: a registry name or alias, a
/// flag the code references, the canonical flag of a catalog endpoint, or
/// one of `[env] flags`.
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
        .filter(|c| {
            known.contains(&c.flag)
                || config.feature(&c.flag).is_some()
                || config.env_flags.iter().any(|v| {
                    v.strip_prefix("GITALY_")
                        .is_some_and(|f| f.eq_ignore_ascii_case(&c.flag))
                })
        })
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
