package git

import (
	"fmt"
	"net/http"

	"gitlab.com/gitlab-org/gitlab-workhorse/internal/gitaly"
	"gitlab.com/gitlab-org/gitlab-workhorse/internal/helper"
)

type blobParams struct {
	RepoPath     string
	BlobId       string
	GitalyServer gitaly.Server
}

func SendBlob(w http.ResponseWriter, r *http.Request, params *blobParams) {
	sendBlobWithGitaly(w, r, params)
}

func sendBlobWithGitaly(w http.ResponseWriter, r *http.Request, params *blobParams) {
	blobClient, err := gitaly.NewBlobClient(params.GitalyServer)
	if err != nil {
		helper.Fail500(w, r, fmt.Errorf("SendBlob: %v", err))
		return
	}
	if err := blobClient.SendBlob(r.Context(), w, params.BlobId); err != nil {
		helper.Fail500(w, r, fmt.Errorf("SendBlob: %v", err))
	}
}

// LegacyBlobStats counts blobs served from disk.
func LegacyBlobStats(id string) {
	fmt.Println(id)
}
