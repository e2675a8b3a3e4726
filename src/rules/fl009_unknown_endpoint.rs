use super::{Context, Rule};
use crate::model::Finding;

declare_rule! {
    /// ## What it does
    /// Reports a registry feature whose `endpoint` is not in the endpoint
    /// catalog (the embedded one, plus `--catalog` sources and the protos,
    /// generated Go and Ruby found in the scanned trees).
    ///
    /// ## Why
    /// The registry's `endpoint` attributes Workhorse and Shell branches to the
    /// feature and tells FL001 what the flag guards. An endpoint that does not
    /// exist — a typo, a renamed or removed RPC — silently breaks both.
    ///
    /// ## Example
    /// ```toml
    /// [[feature]]
    /// name = "find_commit"
    /// stage = "opt-in"
    /// endpoint = "CommitService/FindCommmit"
    /// ```
    ///
    /// ## How to fix
    /// Write the endpoint as Gitaly defines it (`flaglint endpoints` lists the
    /// catalog), or add the proto that defines it with `--catalog`.
    UnknownEndpoint {
        code: FL009,
        severity: Error,
        summary: "a registry endpoint the catalog does not hold",
    }
}

impl Rule for UnknownEndpoint {
    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        for f in &cx.config.features {
            let (Some(endpoint), Some((start, len))) = (f.endpoint.as_deref(), f.endpoint_span)
            else {
                continue;
            };
            if cx.catalog.get(endpoint).is_some() {
                continue;
            }
            let method = endpoint.split('/').nth(1).unwrap_or_default();
            let suggestion = cx
                .catalog
                .endpoints()
                .iter()
                .filter(|e| e.service.ends_with("Service"))
                .map(|e| (strsim::jaro_winkler(endpoint, &e.name()), e.name()))
                .filter(|(s, _)| *s >= 0.9)
                .max_by(|a, b| a.0.total_cmp(&b.0))
                .map(|(_, n)| n)
                .or_else(|| cx.catalog.by_method(method).map(|e| e.name()));
            out.extend(Self::INFO.at_registry(
                cx.config,
                &f.name,
                (start, len),
                format!("`{endpoint}` (endpoint of `{}`) is not a known Gitaly endpoint", f.name),
                "unknown endpoint",
                match suggestion {
                    Some(s) => format!("did you mean `{s}`? `flaglint endpoints` lists the catalog"),
                    None => "`flaglint endpoints` lists the catalog; add the defining proto with --catalog".to_string(),
                },
            ));
        }
    }
}
