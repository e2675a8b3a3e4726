package featureflag

// FeatureFlag is a flag Gitaly reads from the gitaly-feature-* headers.
type FeatureFlag struct {
	Name        string
	OnByDefault bool
}

var (
	// FastTagLookup makes FindTag read packed refs directly.
	FastTagLookup = FeatureFlag{Name: "fast_tag_lookup", OnByDefault: false}
	// StreamBranches streams FindAllBranches in pages.
	StreamBranches = FeatureFlag{Name: "stream_branches", OnByDefault: true}
	// NeverChecked is defined and nothing reads it.
	NeverChecked = FeatureFlag{Name: "never_checked", OnByDefault: false}
)

const (
	// GoHooksEnvVar tells the hooks binary to run the Go implementation.
	GoHooksEnvVar = "GITALY_GO_HOOKS"
	headerPrefix   = "gitaly-feature-"
	rubyPrefix     = "gitaly-feature-ruby-"
)
