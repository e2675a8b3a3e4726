//! The checklist's "keep the Gitaly branch, lines X–Y" is what the fix's edit
//! keeps: for every site fixed on the fixtures, the range the edit keeps is
//! the Gitaly branch the frontend found.

use flaglint::cleanup::Outcome;
use flaglint::engine::{self, ScanRequest};

fn check(features: &[String]) -> usize {
    let req = ScanRequest {
        config: Some(std::path::PathBuf::from("fixtures/flaglint.toml")),
        ..ScanRequest::default()
    };
    let p = engine::prepare(&req, &mut |_| {}).expect("scan the fixtures");
    let (_, plan) = engine::plan_fix(&p, features).expect("plan the fix");
    let mut compared = 0;
    for r in &p.result.references {
        if !matches!(plan.outcome(r), Some(Outcome::Fixed)) {
            continue;
        }
        let Some(kept) = plan.kept(r) else {
            // An edit that keeps no branch (a configuration entry, `a && check`):
            // the checklist names none either.
            assert!(
                r.enabled_branch.is_none(),
                "{}:{}: the checklist names a Gitaly branch the fix does not keep",
                r.location.path,
                r.location.span.line
            );
            continue;
        };
        let branch = r.enabled_branch.unwrap_or_else(|| {
            panic!(
                "{}:{}: the fix keeps {} but the frontend found no Gitaly branch",
                r.location.path,
                r.location.span.line,
                kept.describe()
            )
        });
        assert_eq!(
            (kept.start_byte, kept.end_byte),
            (branch.start_byte, branch.end_byte),
            "{}:{}: the fix keeps {}, the checklist's branch is {}",
            r.location.path,
            r.location.span.line,
            kept.describe(),
            branch.describe()
        );
        compared += 1;
    }
    compared
}

#[test]
fn the_kept_range_is_the_gitaly_branch_for_every_fixed_site() {
    let mandatory = check(&[]);
    let workhorse: Vec<String> = [
        "workhorse_send_blob",
        "raw_patch",
        "workhorse_diff",
        "workhorse_archive",
        "info_refs_upload_pack",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let go = check(&workhorse);
    assert!(mandatory >= 3, "only {mandatory} fixed Ruby sites compared");
    assert!(go >= 6, "only {go} fixed Go sites compared");
}
