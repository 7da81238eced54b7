package main

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jiuzhu/jiuzhu/apitest"
)

// TestScheduleSweepsDocuments: the periodic schedule runs the document
// sweep (here seen removing the spool file of a killed upload).
func TestScheduleSweepsDocuments(t *testing.T) {
	spool := t.TempDir()
	env := apitest.New(t, "embedded", apitest.WithEnv("JIUZHU_UPLOAD_SPOOL_DIR", spool))
	killed := filepath.Join(spool, "jiuzhu-upload-1")
	if err := os.WriteFile(killed, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(48 * time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		runSchedule(ctx, env.App, nil, slog.New(slog.DiscardHandler), time.Hour)
		close(done)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(killed); errors.Is(err, os.ErrNotExist) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the schedule did not sweep the spool file")
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	<-done
}
