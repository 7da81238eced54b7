// Package docs holds the project's documentation; its test keeps the
// repository standalone: no Markdown link or quoted path may point out of
// it (e.g. to a ../shared folder a clone does not have) or to a file that
// does not exist.
package docs

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var (
	mdLink   = regexp.MustCompile(`\]\(([^)\s#]+)(#[^)]*)?\)`)
	quotedUp = regexp.MustCompile("`(\\.\\./[^`\\s]+)`")
)

func TestDocsLinksStayInTheRepository(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == ".git" || d.Name() == "dist" || d.Name() == ".tools") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".md") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		var targets []string
		for _, m := range mdLink.FindAllStringSubmatch(string(b), -1) {
			if !strings.Contains(m[1], "://") && !strings.HasPrefix(m[1], "mailto:") {
				targets = append(targets, m[1])
			}
		}
		for _, m := range quotedUp.FindAllStringSubmatch(string(b), -1) {
			targets = append(targets, m[1])
		}
		for _, target := range targets {
			checked++
			abs := filepath.Clean(filepath.Join(filepath.Dir(path), target))
			if strings.HasPrefix(target, "/") {
				abs = filepath.Join(root, target)
			}
			if abs != root && !strings.HasPrefix(abs, root+string(filepath.Separator)) {
				t.Errorf("%s: %s points out of the repository", rel, target)
				continue
			}
			if _, err := os.Stat(abs); err != nil {
				t.Errorf("%s: %s does not exist", rel, target)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 5 {
		t.Fatalf("checked %d links: the walk reads the wrong files", checked)
	}
}
