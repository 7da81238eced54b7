package service

import "context"

// SetDocumentsTx replaces the transaction runner of uploads, so a test can
// lose the answer of a commit.
func SetDocumentsTx(d *Documents, tx func(ctx context.Context, fn func(ctx context.Context) error) error) {
	d.inTx = tx
}
