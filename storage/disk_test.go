package storage_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/storage"
	"github.com/jiuzhu/jiuzhu/storage/storagetest"
)

func TestDataDiskMinFree(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	if err := (storage.DataDisk{Dir: dir, MinFree: 1}).Ping(ctx); err != nil {
		t.Fatalf("Ping on a disk with room: %v", err)
	}
	err := storage.DataDisk{Dir: dir, MinFree: 1 << 62}.Ping(ctx)
	if !errors.Is(err, model.ErrUnavailable) {
		t.Fatalf("Ping below MinFree = %v, want ErrUnavailable", err)
	}
	if err := (storage.DataDisk{Dir: filepath.Join(dir, "gone")}).Ping(ctx); !errors.Is(err, model.ErrUnavailable) {
		t.Fatalf("Ping on a missing directory = %v, want ErrUnavailable", err)
	}
}

// fillDisk writes into dir until the file system is full.
func fillDisk(t testing.TB, dir string) {
	t.Helper()
	f, err := os.Create(filepath.Join(dir, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 64<<10)
	for {
		if _, err := f.Write(chunk); err != nil {
			return
		}
	}
}

// TestLocalDiskFullOrReadOnly: a full or read-only data disk fails the
// readiness check, and a document write on it is the 503 kind, not an
// internal error.
func TestLocalDiskFullOrReadOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name      string
		breakDisk func(t testing.TB, dir string)
	}{
		{"full", fillDisk},
		{"read-only", storagetest.RemountReadOnly},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := storagetest.TmpfsDir(t, 1<<20)
			blobs, err := storage.NewLocalBlobs(filepath.Join(dir, "blobs"))
			if err != nil {
				t.Fatal(err)
			}
			disk := storage.DataDisk{Dir: dir}
			if err := disk.Ping(ctx); err != nil {
				t.Fatalf("Ping before: %v", err)
			}
			tc.breakDisk(t, dir)
			if err := disk.Ping(ctx); !errors.Is(err, model.ErrUnavailable) {
				t.Errorf("Ping on a %s disk = %v, want ErrUnavailable", tc.name, err)
			}
			_, err = blobs.Put(ctx, "doc/a", bytes.NewReader(make([]byte, 256<<10)), storage.PutOptions{Size: -1})
			if !errors.Is(err, model.ErrUnavailable) {
				t.Errorf("Put on a %s disk = %v (kind %s), want ErrUnavailable", tc.name, err, model.KindOf(err))
			}
		})
	}
}
