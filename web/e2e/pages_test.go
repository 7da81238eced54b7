package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/jiuzhu/jiuzhu/model"
)

// thumbnails describes the page thumbnails of a document kind's row: for
// each, "img:<alt>" when its photo is drawn from an object URL, else
// "file:<label>:<text>".
func thumbnails(t *testing.T, ctx context.Context, kind string) []string {
	t.Helper()
	got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](fmt.Sprintf(`[...document.querySelectorAll('div[data-kind=%q] .doc-page')].map((p) => {
		const img = p.querySelector('img')
		if (img) return img.complete && img.naturalWidth > 0 && img.src.startsWith('blob:') ? 'img:' + img.alt : 'broken:' + img.alt
		const f = p.querySelector('.doc-thumb-file')
		return 'file:' + f.getAttribute('aria-label') + ':' + f.textContent.trim()
	})`, kind)))
	if err != nil {
		t.Fatalf("thumbnails of %s: %v", kind, err)
	}
	return got
}

// uploadLabel is the text of a kind's upload button.
func uploadLabel(t *testing.T, ctx context.Context, kind string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(fmt.Sprintf(`div[data-kind=%q] .upload-btn span`, kind))))
	if err != nil {
		t.Fatalf("upload button of %s: %v", kind, err)
	}
	return strings.TrimSpace(s)
}

// TestDocumentPagesThumbnailsAndDelete: two pages of the ID card show as
// photo thumbnails (fetched through the API, with alt text), a PDF as an
// icon; the button offers 添加一页 once a kind has pages; 删除 asks first
// (不删了 keeps the page), then deletes one page and the other remains, in
// the browser and on the server. axe looks at the pages and the dialog.
func TestDocumentPagesThumbnailsAndDelete(t *testing.T) {
	t.Parallel()
	env, srv := serve(t)
	tok, appID := draftOfResident(t, env, "13900007777")
	pdf := filepath.Join(t.TempDir(), "hukou.pdf")
	if err := os.WriteFile(pdf, []byte("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	ctx := browser(t)
	idCard := fmt.Sprintf(`div[data-kind=%q]`, model.DocIDCard)
	hukou := fmt.Sprintf(`div[data-kind=%q]`, model.DocHukouBook)
	pagesOf := func(kind string, n int) chromedp.Action[chromedp.Void] {
		return chromedp.WaitVisible(fmt.Sprintf(`//div[@data-kind=%q]//li[contains(@class,"doc-page")][%d]//*[contains(normalize-space(.),"第%d页")]`, kind, n, n))
	}
	run(t, ctx, "open the application", residentAt(srv.URL, tok, "/applications/"+appID, idCard+` .upload-btn`))
	if l := uploadLabel(t, ctx, model.DocIDCard); l != "拍照或从相册选择" {
		t.Fatalf("upload button with no pages says %q", l)
	}
	run(t, ctx, "two pages of the ID card and a PDF of the hukou book",
		chromedp.SetUploadFiles(chromedp.CSS(idCard+` input[type=file]`), []string{jpegFile(t, "front.jpg")}),
		pagesOf(model.DocIDCard, 1),
		chromedp.WaitNotPresent(chromedp.CSS(idCard+` .upload-progress`)),
		chromedp.SetUploadFiles(chromedp.CSS(idCard+` input[type=file]`), []string{jpegFile(t, "back.jpg")}),
		pagesOf(model.DocIDCard, 2),
		chromedp.SetUploadFiles(chromedp.CSS(hukou+` input[type=file]`), []string{pdf}),
		pagesOf(model.DocHukouBook, 1),
		chromedp.Poll[chromedp.Void](fmt.Sprintf(`[...document.querySelectorAll('div[data-kind=%q] .doc-page img')].filter((i) => i.complete && i.naturalWidth > 0).length === 2`, model.DocIDCard)),
	)
	if got := strings.Join(thumbnails(t, ctx, model.DocIDCard), "|"); got != "img:身份证第1页|img:身份证第2页" {
		t.Fatalf("ID card thumbnails %q, want two drawn photos with alt text", got)
	}
	if got := strings.Join(thumbnails(t, ctx, model.DocHukouBook), "|"); got != "file:户口本第1页（PDF）:PDF" {
		t.Fatalf("hukou book thumbnails %q, want a PDF icon", got)
	}
	if l := uploadLabel(t, ctx, model.DocIDCard); l != "添加一页" {
		t.Fatalf("upload button with pages says %q, want 添加一页", l)
	}
	screen(t, ctx, "pages-two-thumbnails")

	second := idCard + ` li.doc-page:nth-child(2) .doc-delete`
	run(t, ctx, "删除 asks; 不删了 keeps the page",
		noToast(), // 已上传 sits over the middle of the screen for a while
		press(second),
		chromedp.WaitVisible(byText("div", "确定删除身份证的第2页吗")),
	)
	screen(t, ctx, "pages-delete-confirm")
	run(t, ctx, "keep", press(`.van-dialog__cancel`), chromedp.WaitNotVisible(chromedp.CSS(`.van-dialog`)))
	if n := len(thumbnails(t, ctx, model.DocIDCard)); n != 2 {
		t.Fatalf("%d pages after 不删了, want 2", n)
	}
	run(t, ctx, "delete the second page",
		press(second),
		chromedp.WaitVisible(chromedp.CSS(`.van-dialog__confirm`)),
		settle(),
		press(`.van-dialog__confirm`),
		chromedp.Poll[chromedp.Void](fmt.Sprintf(`document.querySelectorAll('div[data-kind=%q] .doc-page').length === 1`, model.DocIDCard)),
	)
	if got := strings.Join(thumbnails(t, ctx, model.DocIDCard), "|"); got != "img:身份证第1页" {
		t.Fatalf("after the delete the ID card shows %q, want its first page", got)
	}
	if l := uploadLabel(t, ctx, model.DocIDCard); l != "添加一页" {
		t.Fatalf("upload button with one page says %q, want 添加一页", l)
	}
	screen(t, ctx, "pages-one-left")

	var got struct {
		Documents []struct {
			Kind string `json:"kind"`
		} `json:"documents"`
	}
	env.Get("/api/v1/applications/"+appID, tok).JSON(t, &got)
	kinds := map[string]int{}
	for _, d := range got.Documents {
		kinds[d.Kind]++
	}
	if kinds[model.DocIDCard] != 1 || kinds[model.DocHukouBook] != 1 || len(got.Documents) != 2 {
		t.Fatalf("server keeps %v, want one ID card page and the hukou book", kinds)
	}
}
