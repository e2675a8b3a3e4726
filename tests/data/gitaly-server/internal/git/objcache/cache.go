package objcache

import (
	"context"

	"gitlab.com/gitlab-org/gitaly/internal/metadata/featureflag"
)

const (
	// CacheFeatureFlagKey enables the object reader cache.
	CacheFeatureFlagKey = "objcache-reuse"
	// Unused is a string constant no check uses: not a flag.
	Unused = "objcache-other"
)

func reader(ctx context.Context) bool {
	return featureflag.IsEnabled(ctx, CacheFeatureFlagKey)
}
