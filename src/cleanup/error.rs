//! Why the fix leaves a site (or a whole file) to a person: one reason per
//! case, its text the one `fix` and `checklist` print.

/// Why `flaglint fix` does not remove a site, or abandons a file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FixError {
    // The file.
    #[error("the file is not valid UTF-8")]
    NotUtf8,
    #[error("cannot read the file: {0}")]
    Unreadable(String),
    #[error("the fixed file would not parse; left as it is")]
    WouldNotParse,
    // Ruby toggles and checks.
    #[error("the toggle has no block")]
    NoBlock,
    #[error("the toggle's block is a `begin … rescue` block")]
    BeginBlock,
    #[error("no `if`/`unless`/ternary on the block parameter")]
    NoBranch,
    #[error("`{0}` is used outside the branch")]
    ParamUsedOutside(String),
    #[error("an `elsif` follows the flag test")]
    Elsif,
    #[error("a `{0}` on the flag")]
    UnknownConditional(String),
    #[error("a multi-line value after `return`")]
    MultiLineReturn,
    #[error("the check is combined in a way flaglint cannot simplify")]
    CheckCombined,
    #[error("the check is not a condition (its value is used)")]
    CheckValueUsed,
    #[error("`{0}` has several definitions that handle errors differently")]
    AmbiguousWrapper(String),
    #[error("the toggle method's `rescue` clauses use its parameter `{0}`, which this call does not pass as a plain value")]
    WrapperParameter(String),
    // Shell's command table.
    #[error("cannot find the conditional")]
    NoConditional,
    #[error("the other commands of the table are not Mandatory ({0})")]
    OtherCommands(String),
    #[error("the condition is not `lookup && check`")]
    NotLookupAndCheck,
    // Go branches (and conditions in general).
    #[error("no condition")]
    NoCondition,
    #[error("the `if` has an initializer statement")]
    Initializer,
    #[error("the condition tests more than the Gitaly address")]
    CombinedAddressTest,
    #[error("no then block")]
    NoThen,
    #[error("an `else if` follows the address test")]
    ElseIf,
    // Configuration entries.
    #[error("`{0}` sets more than the flag; edit it by hand")]
    SetsMore(String),
    #[error("the member shares its line with others; edit it by hand")]
    JsonSharedLine,
    #[error("the member's value spans several lines; edit it by hand")]
    JsonMultiLine,
}

#[cfg(test)]
mod tests {
    use super::FixError;

    #[test]
    fn reasons_read_as_before() {
        assert_eq!(
            FixError::ParamUsedOutside("on".into()).to_string(),
            "`on` is used outside the branch"
        );
        assert_eq!(
            FixError::OtherCommands("a, b".into()).to_string(),
            "the other commands of the table are not Mandatory (a, b)"
        );
        assert_eq!(
            FixError::WouldNotParse.to_string(),
            "the fixed file would not parse; left as it is"
        );
    }
}
