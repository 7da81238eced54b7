package storage

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"

	"github.com/jiuzhu/jiuzhu/model"
)

// dataDiskService names the local data disk in model.Unavailable errors and
// in /readyz.
const dataDiskService = "data disk"

// diskProbeBytes is what Ping writes and syncs: enough that a full disk
// refuses it, where creating an empty file may still succeed.
const diskProbeBytes = 4096

// stRdonly is the read-only bit of statfs's flags (ST_RDONLY on Linux,
// MNT_RDONLY on the BSDs).
const stRdonly = 0x1

// DataDisk is the local directory that holds the SQLite file and local
// documents. A full or read-only disk there breaks every write while
// reads still work, so /readyz checks it on its own.
type DataDisk struct {
	Dir string
	// MinFree is the free space, in bytes, below which the disk counts as
	// full; 0 checks only that a small write succeeds.
	MinFree int64
}

// Ping reports the disk as unavailable (model.ErrUnavailable) when its file
// system is mounted read-only, has less than MinFree bytes free for
// unprivileged writers, or refuses to take and sync a small file.
func (d DataDisk) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("ping data disk: %w", err)
	}
	var st syscall.Statfs_t
	if err := syscall.Statfs(d.Dir, &st); err != nil {
		return model.Unavailable(dataDiskService, fmt.Errorf("statfs %s: %w", d.Dir, err))
	}
	if uint64(st.Flags)&stRdonly != 0 {
		return model.Unavailable(dataDiskService, fmt.Errorf("%s: %w", d.Dir, syscall.EROFS))
	}
	free := uint64(st.Bavail) * uint64(st.Bsize)
	if d.MinFree > 0 && free < uint64(d.MinFree) {
		return model.Unavailable(dataDiskService, fmt.Errorf("%s: %d bytes free, want at least %d: %w", d.Dir, free, d.MinFree, syscall.ENOSPC))
	}
	return d.probe()
}

// probe writes, syncs and removes a small file in the directory.
func (d DataDisk) probe() error {
	f, err := os.CreateTemp(d.Dir, ".ready-*")
	if err != nil {
		return model.Unavailable(dataDiskService, fmt.Errorf("create probe file: %w", err))
	}
	_, werr := f.Write(make([]byte, diskProbeBytes))
	serr := f.Sync()
	cerr := f.Close()
	rerr := os.Remove(f.Name())
	if err := errors.Join(werr, serr, cerr, rerr); err != nil {
		return model.Unavailable(dataDiskService, fmt.Errorf("write probe file: %w", err))
	}
	return nil
}
