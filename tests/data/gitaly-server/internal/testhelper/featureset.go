package testhelper

import "gitlab.com/gitlab-org/gitaly/internal/metadata/featureflag"

// DefaultFeatures are on in every test run.
var DefaultFeatures = []featureflag.FeatureFlag{featureflag.StreamBranches}
