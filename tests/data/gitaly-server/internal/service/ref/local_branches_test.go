package ref

import (
	"testing"

	"gitlab.com/gitlab-org/gitaly/internal/metadata/featureflag"
	"gitlab.com/gitlab-org/gitaly/internal/testhelper"
	"gitlab.com/gitlab-org/gitaly/proto/go/gitalypb"
)

func TestFindLocalBranches(t *testing.T) {
	server, socket := runRefServer(t)
	defer server.Stop()

	client, conn := newRefClient(t, socket)
	defer conn.Close()

	for _, tc := range []struct {
		desc  string
		flags []featureflag.FeatureFlag
	}{
		{
			desc: "ruby",
		},
		{
			desc:  "go",
			flags: []featureflag.FeatureFlag{featureflag.StreamBranches},
		},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			ctx, cancel := testhelper.Context()
			defer cancel()

			for _, flag := range tc.flags {
				ctx = featureflag.OutgoingCtxWithFeatureFlagValue(ctx, flag, "true")
			}

			repo, cleanup := newTestRepo(t)
			defer cleanup()

			stream, err := client.FindLocalBranches(ctx, &gitalypb.FindLocalBranchesRequest{Repository: repo})
			if err != nil {
				t.Fatal(err)
			}
			consume(t, stream)
		})
	}

	ctx, cancel := testhelper.Context()
	defer cancel()
	ctx = featureflag.OutgoingCtxWithFeatureFlags(ctx, featureflag.FastTagLookup)
	checkSorted(t, client, ctx)
}
