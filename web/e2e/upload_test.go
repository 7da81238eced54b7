package e2e

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
)

// bigPhoto writes a camera-sized JPEG over the server's 10 MiB limit (fine
// noise, which JPEG cannot squeeze) and returns its path.
func bigPhoto(t *testing.T) string {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	for h := 3000; ; h += 500 {
		img := image.NewRGBA(image.Rect(0, 0, 4000, h))
		for i := 0; i < len(img.Pix); i += 4 {
			x, y := (i/4)%4000, (i/4)/4000
			img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = uint8(x/16)+uint8(rng.IntN(90)), uint8(y/12)+uint8(rng.IntN(90)), uint8(rng.IntN(200)), 255
		}
		var b bytes.Buffer
		if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 92}); err != nil {
			t.Fatal(err)
		}
		if b.Len() > 11<<20 {
			p := filepath.Join(t.TempDir(), "camera.jpg")
			if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			return p
		}
	}
}

// networkState sets the browser's network: offline, or online with an upload
// limited to upBytes a second (0: unlimited).
func networkState(offline bool, upBytes float64) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if upBytes == 0 {
			upBytes = -1
		}
		_, err := cdp.Call(ctx, tg, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
			MatchedNetworkConditions: []*network.Conditions{{Offline: offline, DownloadThroughput: -1, UploadThroughput: upBytes}},
		})
		return err
	})
}

// draftOfResident registers a resident with a household (by API) and opens
// a 低保 draft: the resident's token and the application's id.
func draftOfResident(t *testing.T, env *apitest.Env, phone string) (token, appID string) {
	t.Helper()
	token, _ = residentWithHousehold(t, env, phone)
	var created struct {
		ID string `json:"id"`
	}
	post(t, env, "/api/v1/applications", token, map[string]string{"program": string(model.ProgramDibao), "reason": "收入低"}, http.StatusCreated).JSON(t, &created)
	return token, created.ID
}

// TestPhotoCompressedUploadedWithProgress: a 12 MB camera photo is shrunk in
// the browser below the server's limit and sent with a progress bar; with
// the network gone the upload fails with 网络不稳定 and keeps the chosen file,
// and 重试 sends it once the network is back; a slow upload can be cancelled
// and retried. The file input is labelled and offers album or camera (no
// bare capture).
func TestPhotoCompressedUploadedWithProgress(t *testing.T) {
	t.Parallel()
	env, srv := serve(t)
	tok, appID := draftOfResident(t, env, "13900008888")
	photo := bigPhoto(t)
	if st, err := os.Stat(photo); err != nil || st.Size() <= 10<<20 {
		t.Fatalf("test photo %v: want over 10 MiB", err)
	}

	ctx := browser(t)
	idCard := fmt.Sprintf(`div[data-kind=%q]`, model.DocIDCard)
	run(t, ctx, "open the application", residentAt(srv.URL, tok, "/applications/"+appID, idCard+` .upload-btn`))
	attrs, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const i = document.querySelector('div[data-kind="id_card"] input[type=file]'); return i.getAttribute('aria-label') + '|' + i.hasAttribute('capture') + '|' + i.accept })()`))
	if err != nil || attrs != "上传身份证|false|image/*,application/pdf" {
		t.Fatalf("file input %q (%v), want a label, no capture, photos and PDFs", attrs, err)
	}

	run(t, ctx, "offline: the upload fails and keeps the file",
		networkState(true, 0),
		chromedp.SetUploadFiles(chromedp.CSS(idCard+` input[type=file]`), []string{photo}),
		chromedp.WaitVisible(chromedp.CSS(idCard+` .upload-retry`)),
	)
	if txt, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(idCard+` .upload-failed`))); !strings.Contains(txt, "网络不稳定") {
		t.Fatalf("offline failure says %q, want 网络不稳定", txt)
	}
	screen(t, ctx, "17-upload-failed")
	run(t, ctx, "retry on a slow uplink shows progress",
		networkState(false, 512<<10),
		press(idCard+` .upload-retry`),
		chromedp.WaitVisible(byText("span", "正在上传")),
	)
	screen(t, ctx, "18-upload-progress")
	run(t, ctx, "uploaded", chromedp.WaitVisible(chromedp.CSS(idCard+` .doc-status`)))

	var got struct {
		Documents []struct {
			Kind        string `json:"kind"`
			Size        int64  `json:"size"`
			ContentType string `json:"content_type"`
		} `json:"documents"`
	}
	r := env.Get("/api/v1/applications/"+appID, tok)
	r.JSON(t, &got)
	if len(got.Documents) != 1 || got.Documents[0].ContentType != "image/jpeg" || got.Documents[0].Size > 10<<20 || got.Documents[0].Size < 100<<10 {
		t.Fatalf("documents %+v, want one compressed JPEG under 10 MiB", got.Documents)
	}

	hukou := fmt.Sprintf(`div[data-kind=%q]`, model.DocHukouBook)
	run(t, ctx, "cancel a slow upload",
		networkState(false, 64<<10),
		chromedp.SetUploadFiles(chromedp.CSS(hukou+` input[type=file]`), []string{photo}),
		chromedp.WaitVisible(byText("span", "正在上传")),
		press(hukou+` .upload-cancel`),
		chromedp.WaitVisible(chromedp.CSS(hukou+` .upload-retry`)),
	)
	if txt, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(hukou+` .upload-failed`))); !strings.Contains(txt, "已取消") {
		t.Fatalf("after cancel %q, want 已取消", txt)
	}
	run(t, ctx, "retry after cancel",
		networkState(false, 0),
		press(hukou+` .upload-retry`),
		chromedp.WaitVisible(chromedp.CSS(hukou+` .doc-status`)),
	)
}
