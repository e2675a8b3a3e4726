package gitaly

import "context"

// SendBlob asks Gitaly for the blob.
func (c *BlobClient) SendBlob(ctx context.Context, w interface{}, id string) error {
	_, err := c.GetBlob(ctx, id)
	return err
}
