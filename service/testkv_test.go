package service

import (
	"context"
	"testing"

	"github.com/jiuzhu/jiuzhu/storage"
)

func newTestKV() *storage.MemoryKV { return storage.NewMemoryKV(1000, nil) }

func mustKeys(t *testing.T, kv storage.KV, prefix string) []string {
	t.Helper()
	keys, err := kv.Keys(context.Background(), prefix)
	if err != nil {
		t.Fatal(err)
	}
	return keys
}
