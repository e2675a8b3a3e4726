package ref

import (
	"gitlab.com/gitlab-org/gitaly/internal/metadata/featureflag"
	"gitlab.com/gitlab-org/gitaly/proto/go/gitalypb"
)

func (s *server) FindLocalBranches(in *gitalypb.FindLocalBranchesRequest, stream gitalypb.RefService_FindLocalBranchesServer) error {
	ctx := stream.Context()
	if err := validateRepo(in.GetRepository()); err != nil {
		return err
	}

	sortBy := in.GetSortBy()
	switch sortBy {
	case gitalypb.FindLocalBranchesRequest_NAME:
		names, err := listNames(ctx, in)
		if err != nil {
			return err
		}
		return sendNames(stream, names)
	case gitalypb.FindLocalBranchesRequest_UPDATED_DESC:
		if featureflag.IsEnabled(ctx, featureflag.StreamBranches) {
			return streamUpdated(ctx, in, stream)
		} else {
			return sendUpdated(ctx, in, stream)
		}
	default:
		return sendDefault(ctx, in, stream)
	}
}
