package featureflag

import "testing"

func TestFlagNames(t *testing.T) {
	seen := map[string]bool{}
	t.Log("every flag has a unique name")

	all := []FeatureFlag{
		FastTagLookup,
		StreamBranches,
	}
	for _, flag := range all {
		if seen[flag.Name] {
			t.Errorf("duplicate flag %q", flag.Name)
		}
		seen[flag.Name] = true
	}
}
