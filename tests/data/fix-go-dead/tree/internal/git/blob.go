package git

import (
	"fmt"
	"io"
	"net/http"
	"strings"

	"gitlab.com/gitlab-org/gitlab-workhorse/internal/gitaly"
	"gitlab.com/gitlab-org/gitlab-workhorse/internal/helper"
)

type blobParams struct {
	RepoPath     string
	BlobId       string
	GitalyServer gitaly.Server
}

func SendBlob(w http.ResponseWriter, r *http.Request, params *blobParams) {
	if params.GitalyServer.Address != "" {
		sendBlobWithGitaly(w, r, params)
	} else {
		sendBlobLocally(w, r, params)
	}
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

// sendBlobLocally streams the blob from the repository on disk.
func sendBlobLocally(w http.ResponseWriter, r *http.Request, params *blobParams) {
	size, err := blobSize(params)
	if err != nil {
		helper.Fail500(w, r, fmt.Errorf("SendBlob: size: %v", err))
		return
	}
	w.Header().Set("Content-Length", strings.TrimSpace(size))
	cmd := gitCommand("git", "--git-dir="+params.RepoPath, "cat-file", "blob", params.BlobId)
	stdout, _ := cmd.StdoutPipe()
	io.Copy(w, stdout)
	LegacyBlobStats(params.BlobId)
}

func blobSize(params *blobParams) (string, error) {
	out, err := gitCommand("git", "--git-dir="+params.RepoPath, "cat-file", "-s", params.BlobId).Output()
	return string(out), err
}

// LegacyBlobStats counts blobs served from disk.
func LegacyBlobStats(id string) {
	fmt.Println(id)
}
