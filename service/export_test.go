package service

import (
	"context"

	"github.com/jiuzhu/jiuzhu/storage"
)

// SetDocumentsTx replaces the transaction runner of uploads, so a test can
// lose the answer of a commit.
func SetDocumentsTx(d *Documents, tx func(ctx context.Context, fn func(ctx context.Context) error) error) {
	d.inTx = tx
}

// SetDocumentsBlobs replaces the blob store of the documents service, so a
// test can make its deletes fail.
func SetDocumentsBlobs(d *Documents, b storage.Blobs) {
	d.d.Blobs = b
}
