package featureflag

// FeatureFlag is a flag Gitaly reads from the gitaly-feature-* headers.
type FeatureFlag struct {
	Name        string
	OnByDefault bool
}

var (
	// FastTagLookup is checked here and sent by the client: nothing to report.
	FastTagLookup = FeatureFlag{Name: "fast_tag_lookup", OnByDefault: false}
	// PagedBranches is checked here, but no client sends it (FL015).
	PagedBranches = FeatureFlag{Name: "paged_branches", OnByDefault: false}
	// OldCache is sent by the client, but nothing here checks it (FL012).
	OldCache = FeatureFlag{Name: "old_cache", OnByDefault: true}
)
