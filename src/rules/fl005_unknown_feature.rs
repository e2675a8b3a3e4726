use super::{Context, Rule};
use crate::model::Finding;

declare_rule! {
    /// ## What it does
    /// With a registry (`flaglint.toml`), reports every reference to a flag that
    /// no `[[feature]]` entry names, neither as `name` nor among its `aliases`.
    ///
    /// ## Why
    /// A flag the registry does not know has no stage: nobody tracks when it
    /// becomes Mandatory, so its toggle is never cleaned up. A typo in a flag name
    /// looks the same, and silently evaluates a feature that does not exist (off).
    ///
    /// ## Example
    /// ```ruby
    /// # flaglint.toml has find_commit, but not find_comit
    /// repo.gitaly_migrate(:find_comit) { |is_enabled| ... }
    /// ```
    ///
    /// ## How to fix
    /// Fix the name, or add the feature to the registry:
    /// ```toml
    /// [[feature]]
    /// name = "find_comit"
    /// stage = "opt-in"
    /// ```
    /// If it is another name of a known feature, add it to that entry's `aliases`.
    UnknownFeature {
        code: FL005,
        severity: Warning,
        summary: "a flag no registry entry or alias names",
    }
}

impl Rule for UnknownFeature {
    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        if !cx.config.has_registry() {
            return;
        }
        for r in cx
            .references
            .iter()
            .filter(|r| r.is_named() && r.feature.is_none())
        {
            let closest = cx
                .config
                .features
                .iter()
                .flat_map(|f| std::iter::once(&f.name).chain(&f.aliases))
                .map(|n| (strsim::damerau_levenshtein(&r.flag, n), n))
                .filter(|(distance, _)| *distance <= (r.flag.len() / 6).max(1))
                .min_by_key(|(distance, n)| (*distance, n.as_str()));
            let help = match closest {
                Some((_, n)) => format!("did you mean `{n}`? Otherwise add a [[feature]] entry for `{}` to flaglint.toml", r.flag),
                None => format!("add a [[feature]] entry for `{}` to flaglint.toml, or an alias to an existing one", r.flag),
            };
            out.push(Self::INFO.at(
                r,
                format!("`{}` is not in the registry", r.flag),
                "unknown flag".to_string(),
                help,
            ));
        }
    }
}
