package ref

import (
	"context"

	"gitlab.com/gitlab-org/gitaly/internal/metadata/featureflag"
	"gitlab.com/gitlab-org/gitaly/proto/go/gitalypb"
)

func (s *server) FindTag(ctx context.Context, in *gitalypb.FindTagRequest) (*gitalypb.FindTagResponse, error) {
	if featureflag.IsEnabled(ctx, featureflag.FastTagLookup) {
		return s.packedTag(ctx, in)
	} else {
		return s.forEachRefTag(ctx, in)
	}
}

func (s *server) FindAllBranches(in *gitalypb.FindAllBranchesRequest, stream gitalypb.RefService_FindAllBranchesServer) error {
	ctx := stream.Context()
	if !featureflag.StreamBranches.IsEnabled(ctx) {
		return s.allAtOnce(in, stream)
	}
	return s.paged(in, stream)
}

func helper(ctx context.Context) bool {
	return featureflag.IsDisabled(ctx, featureflag.StreamBranches) && ready()
}
