package ref

import (
	"context"

	"gitlab.com/gitlab-org/gitaly/internal/metadata/featureflag"
	"gitlab.com/gitlab-org/gitaly/proto/go/gitalypb"
)

func (s *server) FindTag(ctx context.Context, in *gitalypb.FindTagRequest) (*gitalypb.FindTagResponse, error) {
	if featureflag.IsEnabled(ctx, featureflag.FastTagLookup) {
		return s.packedTag(ctx, in)
	}
	return s.forEachRefTag(ctx, in)
}

func (s *server) FindAllBranches(in *gitalypb.FindAllBranchesRequest, stream gitalypb.RefService_FindAllBranchesServer) error {
	if featureflag.PagedBranches.IsEnabled(stream.Context()) {
		return s.paged(in, stream)
	}
	// A typo: nothing defines "fast_tag_lookups" (FL013).
	if featureflag.IsEnabled(stream.Context(), "fast_tag_lookups") {
		return s.cached(in, stream)
	}
	return s.allAtOnce(in, stream)
}
