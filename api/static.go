package api

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/jiuzhu/jiuzhu/web"
)

// portalFile is one file of the built portal: its validator and which
// precompressed copies the build wrote beside it (NAME.br, NAME.gz).
type portalFile struct {
	etag   string // quoted; the copies add "-br" / "-gz" inside the quotes
	brotli bool
	gzip   bool
}

// portalFiles indexes the embedded portal once: every file but the
// precompressed copies, each with a hash of its content as its ETag.
type portalFiles struct {
	fsys  fs.FS
	files map[string]portalFile
}

func newPortalFiles(fsys fs.FS) (*portalFiles, error) {
	p := &portalFiles{fsys: fsys, files: map[string]portalFile{}}
	all := map[string]bool{}
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		all[name] = true
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("index the portal: %w", err)
	}
	for name := range all {
		if base, ok := precompressedOf(name); ok && all[base] {
			continue
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("index the portal: %w", err)
		}
		sum := sha256.Sum256(b)
		p.files[name] = portalFile{
			etag:   `"` + hex.EncodeToString(sum[:12]) + `"`,
			brotli: all[name+".br"],
			gzip:   all[name+".gz"],
		}
	}
	return p, nil
}

// precompressedOf returns the file a precompressed copy was made from.
func precompressedOf(name string) (string, bool) {
	for _, ext := range []string{".br", ".gz"} {
		if base, ok := strings.CutSuffix(name, ext); ok {
			return base, true
		}
	}
	return "", false
}

// serve sends name (which must be indexed) in the coding the request
// prefers among the copies there are: Content-Type of the file itself,
// Content-Encoding, Content-Length and ETag of what is sent, Vary when
// copies exist. http.ServeContent answers HEAD, If-None-Match (304) and
// ranges. A range, and the preconditions whose failure is an error page
// (If-Match, If-Unmodified-Since, If-Range), are answered from the plain
// file: ServeContent's error pages would otherwise go out under the copy's
// Content-Encoding.
func (p *portalFiles) serve(w http.ResponseWriter, r *http.Request, name string, f portalFile) error {
	h := w.Header()
	send, etag := name, f.etag
	if f.brotli || f.gzip {
		addVary(h, "Accept-Encoding")
		var offers []string
		if f.brotli {
			offers = append(offers, encBrotli)
		}
		if f.gzip {
			offers = append(offers, encGzip)
		}
		enc := ""
		if !plainOnly(r) {
			enc = negotiateEncoding(r.Header.Get("Accept-Encoding"), offers...)
		}
		switch enc {
		case encBrotli:
			send, etag = name+".br", strings.TrimSuffix(f.etag, `"`)+`-br"`
			h.Set("Content-Encoding", encBrotli)
		case encGzip:
			send, etag = name+".gz", strings.TrimSuffix(f.etag, `"`)+`-gz"`
			h.Set("Content-Encoding", encGzip)
		}
	}
	file, err := p.fsys.Open(send)
	if err != nil {
		return fmt.Errorf("open portal file %s: %w", send, err)
	}
	defer file.Close()
	content, ok := file.(io.ReadSeeker)
	if !ok {
		return fmt.Errorf("portal file %s cannot seek", send)
	}
	h.Set("ETag", etag)
	if h.Get("Content-Encoding") != "" {
		// ServeContent leaves Content-Length out under a Content-Encoding
		// (it expects a coder downstream); this copy is the exact body.
		info, err := file.Stat()
		if err != nil {
			return fmt.Errorf("stat portal file %s: %w", send, err)
		}
		h.Set("Content-Length", strconv.FormatInt(info.Size(), 10))
	}
	// ServeContent takes the type from the plain file's name, never from
	// the copy's .br or .gz.
	http.ServeContent(w, r, path.Base(name), time.Time{}, content)
	return nil
}

// plainOnly reports whether a request must be answered from the plain
// file: ranges and the error-page preconditions.
func plainOnly(r *http.Request) bool {
	for _, h := range []string{"Range", "If-Range", "If-Match", "If-Unmodified-Since"} {
		if r.Header.Get(h) != "" {
			return true
		}
	}
	return false
}

// portal serves the embedded H5 portal for GET and HEAD requests outside
// /api/ and the ops endpoints, falling back to index.html for client-side
// routes; everything else, and a missing file under assets/, is the API's
// 404. Hashed assets are cached for a year; index.html and sw.js (the
// service worker, which must see a new build at once) are revalidated by
// their ETag. Each file goes as the build's brotli or gzip copy when the
// client accepts one (compressResponses leaves a response with a
// Content-Encoding alone), plain otherwise.
func (s *Server) portal() gin.HandlerFunc {
	var (
		once  sync.Once
		files *portalFiles
		ierr  error
	)
	return s.handle(func(c *gin.Context) error {
		p := c.Request.URL.Path
		if (c.Request.Method != http.MethodGet && c.Request.Method != http.MethodHead) || strings.HasPrefix(p, "/api/") {
			return errNoRoute
		}
		// Indexed at the first page request, not at start: most test
		// servers never serve the portal.
		once.Do(func() { files, ierr = newPortalFiles(web.Dist()) })
		if ierr != nil {
			return ierr
		}
		name := strings.TrimPrefix(path.Clean(p), "/")
		if name == "" {
			name = "index.html"
		}
		f, ok := files.files[name]
		if !ok {
			if strings.HasPrefix(name, "assets/") {
				// A missing hashed asset (an old build) is a 404, not the page.
				return errNoRoute
			}
			name = "index.html"
			if f, ok = files.files[name]; !ok {
				return errNoRoute
			}
		}
		if strings.HasPrefix(name, "assets/") {
			// Vite puts a content hash in every asset name.
			c.Header("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			// index.html names the current assets: always revalidate it.
			c.Header("Cache-Control", "no-cache")
		}
		return files.serve(c.Writer, c.Request, name, f)
	})
}
