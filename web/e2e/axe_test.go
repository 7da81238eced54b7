package e2e

import (
	"context"
	_ "embed"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// axeSource is axe-core, vendored from npm (web/package.json pins the
// version; `cp web/node_modules/axe-core/axe.min.js web/e2e/testdata/`
// after an update). It is injected through the DevTools protocol, so the
// page's CSP (no inline or foreign script) stays as it is.
//
//go:embed testdata/axe.min.js
var axeSource string

// axeViolation is one rule axe found broken, with a few of its elements.
type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// axeResult is what axeCheck reads back: how many rules passed (a sign axe
// looked at a real page) and the critical or serious violations.
type axeResult struct {
	Passes     int            `json:"passes"`
	Violations []axeViolation `json:"violations"`
}

// axeCheck runs axe-core on the page as it is now and fails the test on
// any critical or serious violation (WCAG 2.1 A and AA rules).
func axeCheck(t *testing.T, ctx context.Context, screen string) {
	t.Helper()
	// Let Vant's fades end: a half-faded dialog is not what a person reads.
	if err := chromedp.Do(ctx, settle()); err != nil {
		t.Fatalf("%s: %v", screen, err)
	}
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof window.axe === 'object'`))
	if err == nil && !loaded {
		err = chromedp.Do(ctx, js(axeSource))
	}
	if err != nil {
		t.Fatalf("%s: inject axe-core: %v", screen, err)
	}
	res, err := chromedp.Run(ctx, chromedp.Evaluate[axeResult](`axe.run(document, {
		runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},
	}).then((r) => ({passes: r.passes.length, violations: r.violations
		.filter((v) => v.impact === 'critical' || v.impact === 'serious')
		.map((v) => ({id: v.id, impact: v.impact, help: v.help,
			nodes: v.nodes.slice(0, 4).map((n) => n.target.join(' ') + ' — ' + (n.failureSummary || '').replace(/\s+/g, ' '))}))}))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: run axe-core: %v", screen, err)
	}
	if res.Passes < 5 {
		t.Fatalf("%s: axe-core passed only %d rules; it did not look at the page", screen, res.Passes)
	}
	vs := res.Violations
	if len(vs) == 0 {
		return
	}
	var b strings.Builder
	for _, v := range vs {
		fmt.Fprintf(&b, "\n  [%s] %s: %s", v.Impact, v.ID, v.Help)
		for _, n := range v.Nodes {
			fmt.Fprintf(&b, "\n      %s", n)
		}
	}
	shot(t, ctx, "axe-"+screen)
	t.Errorf("%s: %d critical or serious accessibility violations:%s", screen, len(vs), b.String())
}

// screen records a main screen of a flow: a screenshot, and axe-core's
// accessibility check on it.
func screen(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	shot(t, ctx, name)
	axeCheck(t, ctx, name)
}
