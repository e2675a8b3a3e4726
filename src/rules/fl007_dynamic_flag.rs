use super::{Context, Rule};
use crate::model::Finding;

declare_rule! {
    /// ## What it does
    /// Reports a toggle, check, env lookup or stub whose flag name is built at run
    /// time (string interpolation, a method parameter, a value flaglint cannot
    /// trace back to a literal or a constant table in the same file).
    ///
    /// ## Why
    /// flaglint, `grep` and the people cleaning up a Mandatory feature all find a
    /// flag by its name. A name assembled at run time hides the toggle from all of
    /// them, so it survives the cleanup.
    ///
    /// ## Example
    /// ```ruby
    /// def wiki_toggle(action)
    ///   Gitlab::GitalyClient.feature_enabled?("wiki_#{action}")
    /// end
    /// ```
    ///
    /// ## How to fix
    /// Name the flag with a literal symbol, or look it up in a constant table in
    /// the same file, which flaglint reads (one reference per entry):
    /// ```ruby
    /// WIKI_FEATURES = { find_page: :wiki_find_page, write_page: :wiki_write_page }.freeze
    /// Gitlab::GitalyClient.feature_enabled?(WIKI_FEATURES[action])
    /// ```
    /// A method that only passes its parameter on is a wrapper: list it in
    /// `[ruby] toggle_methods` and its callers are checked instead.
    DynamicFlag {
        code: FL007,
        severity: Warning,
        summary: "a flag name that cannot be resolved statically",
    }
}

impl Rule for DynamicFlag {
    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        for r in cx.references.iter().filter(|r| r.is_dynamic()) {
            out.push(Self::INFO.at(
                r,
                format!("the flag name `{}` is built at run time", r.flag),
                "not a static flag name".to_string(),
                "name the flag with a literal symbol, or look it up in a constant table in this file".to_string(),
            ));
        }
    }
}
