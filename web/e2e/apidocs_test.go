package e2e

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestAPIDocsPage: /api/docs renders the served OpenAPI document with the
// embedded Redoc under the page's Content-Security-Policy (no inline script,
// nothing from another origin): the title and the operations' summaries show.
func TestAPIDocsPage(t *testing.T) {
	t.Parallel()
	_, srv := serve(t)
	res, err := http.Get(srv.URL + "/api/docs")
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("/api/docs: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self';") {
		t.Errorf("/api/docs CSP = %q, want scripts from 'self' only", csp)
	}
	if r, err := http.Get(srv.URL + "/api/docs/nothing.js"); err != nil || r.StatusCode != http.StatusNotFound {
		t.Errorf("/api/docs/nothing.js: %v %v, want 404", err, r)
	} else {
		r.Body.Close()
	}
	if strings.Contains(string(b), "http://") || strings.Contains(string(b), "https://") {
		t.Errorf("the docs page names another origin: %s", b)
	}
	ctx := browser(t)
	run(t, ctx, "open the API docs",
		chromedp.Navigate(srv.URL+"/api/docs"),
		chromedp.WaitVisible(`//h1[contains(normalize-space(.), "救助通 Jiuzhu API")]`),
		chromedp.WaitReady(`//*[contains(normalize-space(.), "The region tree")]`),
	)
	text := pageText(t, ctx)
	for _, want := range []string{"Liveness", "Readiness", "staffBearer", "schoolBearer"} {
		if !strings.Contains(text, want) {
			t.Errorf("docs page text lacks %q", want)
		}
	}
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-section-id^="operation/"]').length`))
	if err != nil {
		t.Fatal(err)
	}
	if n < 70 {
		t.Errorf("the docs page shows %d operations, want every one (≥ 70)", n)
	}
}
