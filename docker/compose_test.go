// Package docker holds the container files; its test validates them as
// `docker compose config` would (compose-go is Compose v2's own loader), since
// no Docker engine runs in CI.
package docker

import (
	"context"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

// pinned is NAME:TAG@sha256:DIGEST.
var pinned = regexp.MustCompile(`^[a-z0-9./_-]+:[A-Za-z0-9._-]+@sha256:[0-9a-f]{64}$`)

// composeEnv is every variable compose.yaml requires, with throwaway values.
func composeEnv(skip string) []string {
	var env []string
	for k, v := range map[string]string{
		"JIUZHU_SECRET_KEY": "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "JIUZHU_DB_PASSWORD": "db-password",
		"MARIADB_ROOT_PASSWORD": "root-password", "JIUZHU_S3_ACCESS_KEY": "jiuzhu", "JIUZHU_S3_SECRET_KEY": "s3-secret-key",
	} {
		if k != skip {
			env = append(env, k+"="+v)
		}
	}
	return env
}

func load(t *testing.T, env []string) (*types.Project, error) {
	t.Helper()
	opts, err := cli.NewProjectOptions([]string{"compose.yaml"}, cli.WithWorkingDirectory("."), cli.WithEnv(env), cli.WithName("jiuzhu"))
	if err != nil {
		t.Fatal(err)
	}
	return opts.LoadProject(context.Background())
}

// TestComposeConfig: compose.yaml loads and validates as Compose v2 reads
// it; every image that is pulled is pinned by tag and digest (the app's own
// image is built); the app keeps its data on a volume at /data; a missing
// secret stops compose instead of running with a default.
func TestComposeConfig(t *testing.T) {
	t.Parallel()
	p, err := load(t, composeEnv(""))
	if err != nil {
		t.Fatalf("docker/compose.yaml: %v", err)
	}
	for _, want := range []string{"app", "migrate", "mariadb", "redis", "s3"} {
		if _, err := p.GetService(want); err != nil {
			t.Errorf("service %s: %v", want, err)
		}
	}
	for name, s := range p.Services {
		if s.Build != nil {
			continue
		}
		if !pinned.MatchString(s.Image) {
			t.Errorf("service %s: image %q is not pinned as NAME:TAG@sha256:DIGEST", name, s.Image)
		}
		if strings.Contains(s.Image, "minio") {
			t.Errorf("service %s: %s is no longer published as maintained images", name, s.Image)
		}
	}
	app, err := p.GetService("app")
	if err != nil {
		t.Fatal(err)
	}
	onData := false
	for _, v := range app.Volumes {
		onData = onData || (v.Type == types.VolumeTypeVolume && v.Target == "/data")
	}
	if !onData {
		t.Errorf("app: no named volume on /data: %+v", app.Volumes)
	}
	if _, err := load(t, composeEnv("JIUZHU_SECRET_KEY")); err == nil || !strings.Contains(err.Error(), "JIUZHU_SECRET_KEY") {
		t.Errorf("without JIUZHU_SECRET_KEY compose loads (%v); want it refused", err)
	}
}

// TestDockerfilePinned: every base image of the Dockerfile is pinned by tag
// and digest, Node is not an end-of-life release, and the image sets
// JIUZHU_DATA_DIR to its volume.
func TestDockerfilePinned(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	args := map[string]string{}
	stages := map[string]bool{}
	froms := 0
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) >= 2 && f[0] == "ARG" && strings.Contains(f[1], "="):
			k, v, _ := strings.Cut(f[1], "=")
			args[k] = v
		case len(f) >= 2 && f[0] == "FROM":
			froms++
			img := f[1]
			if strings.HasPrefix(img, "--platform") {
				img = f[2]
			}
			if strings.HasPrefix(img, "${") {
				img = args[strings.Trim(img, "${}")]
			}
			if !stages[img] && !pinned.MatchString(img) {
				t.Errorf("%s: base image %q is not pinned as NAME:TAG@sha256:DIGEST", line, img)
			}
			if strings.HasPrefix(img, "node:") && !regexp.MustCompile(`^node:(22|24)[.-]`).MatchString(img) {
				t.Errorf("%s: want a Node release in support (22 or 24 LTS)", img)
			}
			if i := len(f) - 1; len(f) >= 4 && strings.EqualFold(f[i-1], "AS") {
				stages[f[i]] = true
			}
		}
	}
	if froms < 3 {
		t.Errorf("read %d FROM lines, want the web, build and runtime stages", froms)
	}
	if !strings.Contains(string(b), "ENV JIUZHU_DATA_DIR=/data") {
		t.Error("the image does not set JIUZHU_DATA_DIR=/data: data would stay in the container layer")
	}
}
