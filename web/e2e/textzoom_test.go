package e2e

import (
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
)

// zoomText emulates WeChat's font-size setting (its WebView's text zoom) at
// factor: every element's computed font size, and a line height given in
// pixels, is multiplied once (elements already zoomed are marked), as
// inline styles that win over the stylesheets.
func zoomText(factor float64) chromedp.Action[chromedp.Void] {
	return js(fmt.Sprintf(`(() => {
		const els = [...document.querySelectorAll('body, body *')].filter((e) => !e.dataset.zoomed && !(e instanceof SVGElement))
		const was = els.map((e) => { const s = getComputedStyle(e); return [parseFloat(s.fontSize), s.lineHeight] })
		els.forEach((e, i) => {
			const [size, lh] = was[i]
			e.style.setProperty('font-size', (size * %[1]g) + 'px', 'important')
			if (lh.endsWith('px')) e.style.setProperty('line-height', (parseFloat(lh) * %[1]g) + 'px', 'important')
			e.dataset.zoomed = '1'
		})
	})()`, factor))
}

// textProblems lists the text on the page that a zoomed font breaks: an
// element that hides its overflow while its content is wider than its box
// (clipped, across or below), a button whose words spill out of it, words
// drawn over other words, and an element whose own text has 4 or more CJK characters in
// a box narrower than two of them (one character per line).
const textProblems = `(() => {
	const out = []
	// Visually hidden text (sr-only: a 1 px box) is for screen readers.
	const visible = (e) => { const r = e.getBoundingClientRect(); const s = getComputedStyle(e)
		return r.width > 1 && r.height > 1 && s.visibility !== 'hidden' && s.opacity !== '0' && !e.closest('[aria-hidden=true]') }
	const name = (e) => e.tagName.toLowerCase() + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : '')
	for (const e of document.querySelectorAll('body *')) {
		if (!visible(e) || e.tagName === 'INPUT' || e.tagName === 'TEXTAREA' || e.tagName === 'IMG') continue
		const s = getComputedStyle(e)
		const text = (e.innerText || '').trim()
		if (text && ['hidden', 'clip'].includes(s.overflowX) && e.scrollWidth > e.clientWidth + 1) {
			out.push('clipped ' + name(e) + ' (' + e.scrollWidth + ' > ' + e.clientWidth + '): ' + text.slice(0, 30))
		}
		if (text && ['hidden', 'clip'].includes(s.overflowY) && e.scrollHeight > e.clientHeight + 2) {
			out.push('clipped below ' + name(e) + ' (' + e.scrollHeight + ' > ' + e.clientHeight + '): ' + text.slice(0, 30))
		}
		// A control's words spilling out of its box read as broken too.
		if (text && (e.tagName === 'BUTTON' || e.classList.contains('van-button')) && e.scrollHeight > e.clientHeight + 2) {
			out.push('spills out of ' + name(e) + ' (' + e.scrollHeight + ' > ' + e.clientHeight + '): ' + text.slice(0, 30))
		}
		const own = [...e.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join('')
		const cjk = (own.match(/[\u3400-\u9fff\uf900-\ufaff]/g) || []).length
		if (cjk >= 4 && e.getBoundingClientRect().width < 2 * parseFloat(s.fontSize)) {
			out.push('one character per line ' + name(e) + ' (' + Math.round(e.getBoundingClientRect().width) + ' px): ' + own.trim().slice(0, 30))
		}
	}
	// Words drawn over other words: the line boxes of different text nodes
	// that cross by more than a few pixels each way.
	const boxes = []
	const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT)
	for (let n = walk.nextNode(); n; n = walk.nextNode()) {
		if (!n.textContent.trim() || !visible(n.parentElement)) continue
		const r = document.createRange()
		r.selectNodeContents(n)
		let layer = n.parentElement
		while (layer && getComputedStyle(layer).position !== 'fixed') layer = layer.parentElement
		for (const b of r.getClientRects()) if (b.width > 0 && b.height > 0) boxes.push([n, b, layer])
	}
	for (let i = 0; i < boxes.length; i++) {
		for (let j = i + 1; j < boxes.length; j++) {
			const [n1, a, l1] = boxes[i], [n2, b, l2] = boxes[j]
			// The page scrolls under a fixed bar: only words of one layer count.
			if (n1 === n2 || l1 !== l2) continue
			const w = Math.min(a.right, b.right) - Math.max(a.left, b.left), h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top)
			if (w > 4 && h > 4) out.push('overlap ' + name(n1.parentElement) + ' "' + n1.textContent.trim().slice(0, 20) + '" and ' + name(n2.parentElement) + ' "' + n2.textContent.trim().slice(0, 20) + '"')
		}
	}
	return [...new Set(out)]
})()`

// TestTextZoomKeepsTextReadable: at 150 % text (WeChat's 字体大小 set large)
// on a phone, in 长辈版 and in the standard mode, the login, home, case and
// household screens (the task list, a question group, a member, 核对信息) clip no text and squeeze none to one character per
// line.
func TestTextZoomKeepsTextReadable(t *testing.T) {
	t.Parallel()
	env, srv := serve(t)
	tok, appID := draftOfResident(t, env, "13900006666")
	for _, kind := range []string{model.DocIDCard, model.DocIDCard, model.DocHukouBook} {
		body, ct := apitest.Multipart(t, map[string]string{"kind": kind}, "page.jpg", jpegBytes(t))
		r := env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/v1/applications/" + appID + "/documents", Token: tok, Body: body, Header: map[string]string{"Content-Type": ct}})
		apitest.Want(t, r, http.StatusCreated)
	}
	ctx := browser(t)
	screens := []struct{ name, path, css string }{
		{"login", "/login", `input[name=phone]`},
		{"home", "/home", `.elder-toggle`},
		{"case", "/applications/" + appID, `div[data-kind="id_card"] .doc-page img`},
		{"household", "/household", `.task-list`},
		{"household-basics", "/household/basics", `form`},
		{"household-member", "/household/member/1", `input[name=id_number0]`},
		{"household-check", "/household/check", `.check-answers`},
	}
	var problems []string
	for _, elder := range []bool{true, false} {
		mode := "标准版"
		if elder {
			mode = "长辈版"
		}
		for i, s := range screens {
			steps := []chromedp.Action[chromedp.Void]{}
			if i == 0 {
				steps = append(steps, chromedp.Navigate(srv.URL+"/login"), chromedp.WaitVisible(chromedp.CSS(`input[name=phone]`)),
					js(fmt.Sprintf(`localStorage.setItem('jz_elder', %q)`, map[bool]string{true: "1", false: "0"}[elder])))
			}
			if s.path != "/login" {
				steps = append(steps, residentSession(srv.URL, tok))
			}
			steps = append(steps, chromedp.Navigate(srv.URL+s.path), chromedp.WaitVisible(chromedp.CSS(s.css)), settle(), zoomText(1.5), settle())
			run(t, ctx, mode+" "+s.name, steps...)
			got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](textProblems))
			if err != nil {
				t.Fatalf("%s %s: %v", mode, s.name, err)
			}
			for _, p := range got {
				problems = append(problems, mode+" "+s.name+": "+p)
			}
			if len(got) > 0 || os.Getenv("JIUZHU_E2E_SCREENSHOTS") != "" {
				shot(t, ctx, "textzoom-"+s.name+map[bool]string{true: "-elder", false: ""}[elder])
			}
		}
	}
	if len(problems) > 0 {
		t.Fatalf("at 150 %% text:\n  %s", strings.Join(problems, "\n  "))
	}
}

// jpegBytes is a small real JPEG.
func jpegBytes(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(jpegFile(t, "page.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
