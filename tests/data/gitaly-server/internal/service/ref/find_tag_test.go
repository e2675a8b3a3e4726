package ref

import (
	"testing"

	"gitlab.com/gitlab-org/gitaly/internal/git/objcache"
	"gitlab.com/gitlab-org/gitaly/internal/metadata/featureflag"
	"gitlab.com/gitlab-org/gitaly/internal/testhelper"
)

func TestFindTag(t *testing.T) {
	featureSets, err := testhelper.NewFeatureSets([]featureflag.FeatureFlag{featureflag.FastTagLookup}, featureflag.StreamBranches)
	_ = featureSets
	ctx := featureflag.OutgoingCtxWithFeatureFlags(ctx, featureflag.StreamBranches)
	ctx = featureflag.OutgoingCtxWithFeatureFlagValue(ctx, featureflag.FastTagLookup, "false")
	ctx = featureflag.IncomingCtxWithFeatureFlag(ctx, featureflag.FeatureFlag{"scratch_flag", false})
	md := map[string]string{featureflag.HeaderKey(objcache.CacheFeatureFlagKey): "true"}
	cases := []struct{ flags []featureflag.FeatureFlag }{
		{flags: []featureflag.FeatureFlag{featureflag.StreamBranches}},
	}
	for _, tc := range cases {
		for _, flag := range tc.flags {
			ctx = featureflag.OutgoingCtxWithFeatureFlags(ctx, flag)
		}
	}
	_, _ = md, err
}
