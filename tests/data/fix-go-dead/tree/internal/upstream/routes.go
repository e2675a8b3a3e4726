package upstream

import "gitlab.com/gitlab-org/gitlab-workhorse/internal/git"

func report() {
	git.LegacyBlobStats("x")
}
