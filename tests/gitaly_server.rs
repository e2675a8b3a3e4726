//! Gitaly's own repository (issue 13): flag definitions (`FeatureFlag{…}`
//! vars and the 2019 era's string constants once a check uses them), checks
//! (`featureflag.IsEnabled(ctx, featureflag.X)`, `IsDisabled`, the method
//! form `featureflag.X.IsEnabled(ctx)`) with their branches and the endpoint
//! of the gRPC handler around them, test setters (`OutgoingCtxWithFeatureFlags`,
//! `NewFeatureSets` — Go flags, then Ruby ones as `ruby_<name>` —,
//! `[]featureflag.FeatureFlag{…}` tables, `HeaderKey(X)`, `testhelper`
//! packages as test code), env vars named through a constant; and what is
//! not a flag: env settings read as values (`GITALY_SOCKET`,
//! `GITALY_LOG_LEVEL`), header-prefix constants, a string constant no check
//! uses, a loop variable; gitaly-ruby's `feature_enabled?` on any receiver
//! and its stubs (flag `ruby_<name>`), Ruby env switches and settings. The tree is tests/data/gitaly-server (own code,
//! modeled on Gitaly's 2019 and 2020 shapes; its go.mod makes it Gitaly's tree, so
//! the server prefilter and the parse of only the declarations and statements
//! that hold a flag token are what this checks).

use std::process::Command;

mod common;
use common::*;

#[test]
fn gitaly_server_references_with_their_kinds_lines_and_endpoints() {
    let tree = root().join("tests/data/gitaly-server");
    let o = Command::new(env!("CARGO_BIN_EXE_flaglint"))
        .args(["list", "--format", "json", "."])
        .current_dir(&tree)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let got: Vec<String> = v["references"]
        .as_array()
        .unwrap()
        .iter()
        .map(reference_line)
        .collect();
    assert_eq!(
        got,
        [
            "go_hooks env env cmd/hooks/main.go:15 [] on:- off:-",
            "hooks_debug env env cmd/hooks/main.go:18 [] on:- off:-",
            "go_hooks env env cmd/hooks/main.go:19 [] on:- off:-",
            "objcache_reuse definition definition internal/git/objcache/cache.go:11 [] on:- off:-",
            "objcache_reuse check featureflag-check internal/git/objcache/cache.go:17 [] on:- off:-",
            "fast_tag_lookup definition definition internal/metadata/featureflag/flags.go:11 [] on:- off:-",
            "stream_branches definition definition internal/metadata/featureflag/flags.go:13 [] on:- off:-",
            "never_checked definition definition internal/metadata/featureflag/flags.go:15 [] on:- off:-",
            // A table of bare flag names in the featureflag package's own test:
            // its elements hold no flag token and are parsed all the same.
            "fast_tag_lookup test-stub featureflag-test internal/metadata/featureflag/flags_test.go:10 [] on:- off:-",
            "stream_branches test-stub featureflag-test internal/metadata/featureflag/flags_test.go:11 [] on:- off:-",
            "fast_tag_lookup check featureflag-check internal/service/ref/find_tag.go:11 [RefService/FindTag] on:11 off:13",
            "stream_branches check featureflag-check internal/service/ref/find_tag.go:20 [RefService/FindAllBranches] on:- off:20",
            "stream_branches check featureflag-check internal/service/ref/find_tag.go:27 [] on:- off:-",
            "fast_tag_lookup test-stub featureflag-test internal/service/ref/find_tag_test.go:12 [] on:- off:-",
            "ruby_stream_branches test-stub featureflag-test internal/service/ref/find_tag_test.go:12 [] on:- off:-",
            "stream_branches test-stub featureflag-test internal/service/ref/find_tag_test.go:14 [] on:- off:-",
            "fast_tag_lookup test-stub featureflag-test internal/service/ref/find_tag_test.go:15 [] on:- off:-",
            "scratch_flag test-stub featureflag-test internal/service/ref/find_tag_test.go:16 [] on:- off:-",
            "objcache_reuse test-stub featureflag-test internal/service/ref/find_tag_test.go:17 [] on:- off:-",
            "stream_branches test-stub featureflag-test internal/service/ref/find_tag_test.go:19 [] on:- off:-",
            // Real-shaped (2020): a check in one case of a handler's `switch`,
            // a table-driven test whose `t.Run` closure sets the table's flags,
            // statements without a flag token around them (not parsed).
            "stream_branches check featureflag-check internal/service/ref/local_branches.go:23 [RefService/FindLocalBranches] on:23 off:25",
            "stream_branches test-stub featureflag-test internal/service/ref/local_branches_test.go:27 [] on:- off:-",
            "fast_tag_lookup test-stub featureflag-test internal/service/ref/local_branches_test.go:51 [] on:- off:-",
            "stream_branches test-stub featureflag-test internal/testhelper/featureset.go:6 [] on:- off:-",
            // gitaly-ruby: feature_enabled? on any receiver, flag ruby_<name>
            // with `-` read as `_`; its rspec stub; an env switch, and not
            // the two env settings beside it.
            "ruby_fast_mirror check feature_enabled ruby/lib/gitlab/git/mirror.rb:10 [] on:11 off:13",
            "use_go_hooks env env ruby/lib/gitlab/git/mirror.rb:20 [] on:- off:-",
            "ruby_fast_mirror test-stub rspec_stub ruby/spec/lib/mirror_spec.rb:5 [] on:- off:-",
        ]
    );
}
