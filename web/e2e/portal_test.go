package e2e

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
)

// chromiumPath is the browser the tests drive; no test downloads its own.
const chromiumPath = "/usr/bin/chromium"

// browser starts a fresh headless Chromium (own profile directory) sized
// like a phone and returns its context. Without Chromium the test is
// skipped locally and fails under CI=true.
func browser(t *testing.T) context.Context {
	t.Helper()
	return browserWith(t)
}

// browserWith is browser with more Chromium options (a fake camera).
func browserWith(t *testing.T, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing (scripts/test-services.sh installs it): %v", chromiumPath, err)
		}
		t.Skipf("%s is missing; install chromium to run the browser tests", chromiumPath)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(375, 812),
	}
	opts = append(opts, extra...)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile)); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// run executes browser actions under a step name, with a screenshot of the
// page in the failure message's directory when a step fails.
func run(t *testing.T, ctx context.Context, step string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		body, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
		shot(t, ctx, "failed-"+step)
		t.Fatalf("%s: %v\npage text: %.600s", step, err, body)
	}
}

// shot saves a full-page PNG into the test's temporary directory, or into
// $JIUZHU_E2E_SCREENSHOTS when set (to look at them after the run).
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("JIUZHU_E2E_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	p := filepath.Join(dir, name+".png")
	if err := os.WriteFile(p, png, 0o644); err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	t.Logf("screenshot %s", p)
}

// makeID returns a valid GB 11643 ID number (Wuxing district) born on birth
// (YYYYMMDD).
func makeID(birth string, seq int, male bool) string {
	sex := 2 * (seq % 5)
	if male {
		sex++
	}
	first := fmt.Sprintf("330502%s%02d%d", birth, seq%100, sex)
	return first + string(model.IDCheckChar(first))
}

// jpegFile writes a small real JPEG and returns its path.
func jpegFile(t *testing.T, name string) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 16, 16))
	for x := range 16 {
		for y := range 16 {
			img.Set(x, y, color.RGBA{uint8(x * 16), uint8(y * 16), 128, 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// smsCode waits for the login code the server sent to phone.
func smsCode(t *testing.T, env *apitest.Env, phone string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for _, it := range env.App.Outbox().List(phone) {
			if it.Code != "" {
				return it.Code
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("no SMS code was sent")
	return ""
}

// settle waits for Vant's popup and tab animations (300 ms) to end, so a
// click lands where the element comes to rest.
func settle() chromedp.Action[chromedp.Void] {
	return chromedp.Sleep(400 * time.Millisecond)
}

// press scrolls the element matching css to the middle of the screen (clear
// of the fixed tab bar) and clicks it, as a thumb would.
func press(css string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.WaitVisible(chromedp.CSS(css)),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Evaluate[any](fmt.Sprintf(`document.querySelector(%q).scrollIntoView({block: "center"})`, css))(ctx, tg)
			return err
		}),
		chromedp.Click(chromedp.CSS(css)),
	)
}

// addIncome declares one income of kind for the household form's member
// (index) through the 添加一项收入 sheet and types its amount in 元.
func addIncome(member int, kind, amount string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		press(fmt.Sprintf(`div[data-member="%d"] .add-income`, member)),
		settle(),
		press(`.income-kind-`+kind),
		settle(),
		chromedp.SendKeys(chromedp.CSS(fmt.Sprintf(`input[name=income%d-%s]`, member, kind)), amount),
	)
}

// byText is an XPath for an element of the given tag whose text contains s.
func byText(tag, s string) string {
	return fmt.Sprintf(`//%s[contains(normalize-space(.), %q)]`, tag, s)
}

// TestResidentAppliesForDibao drives the resident's whole path on a phone-sized
// screen: SMS login, household with one member, a 低保 application, three
// photographed documents, submit; the page and the API both say 已提交.
func TestResidentAppliesForDibao(t *testing.T) {
	t.Parallel()
	env, srv := serve(t)
	ctx := browser(t)
	const phone = "13900001111"

	run(t, ctx, "open login",
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=phone]`)),
		chromedp.WaitVisible(byText("div", "/api/v1/dev/outbox")),
		chromedp.SendKeys(chromedp.CSS(`input[name=phone]`), phone),
		chromedp.Click(chromedp.CSS(`.send-code`)),
	)
	code := smsCode(t, env, phone)
	screen(t, ctx, "1-login")
	run(t, ctx, "log in",
		chromedp.SendKeys(chromedp.CSS(`input[name=code]`), code),
		press(`.login-btn`),
		chromedp.WaitVisible(byText("button", "填写家庭信息")),
	)
	token := sessionCookie(t, ctx, srv.URL).Value

	run(t, ctx, "household: 家庭基本情况",
		chromedp.Click(byText("button", "填写家庭信息")),
		press(`.task-basics`),
		pickCommunity(),
		chromedp.SendKeys(chromedp.CSS(`input[name=address]`), "人民路12号3幢201室"),
		nextStep(),
	)
	run(t, ctx, "household: the member",
		chromedp.WaitVisible(chromedp.CSS(`input[name=name0]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=name0]`), "张三"),
		chromedp.SendKeys(chromedp.CSS(`input[name=id_number0]`), makeID("19800101", 1, true)),
		press(`.work-none`),
		nextStep(),
	)
	run(t, ctx, "household: incomes",
		chromedp.WaitVisible(chromedp.CSS(`div[data-member="0"] .add-income`)),
		addIncome(0, "wage", "300.5"),
		nextStep(),
		chromedp.WaitVisible(chromedp.CSS(`input[name=bank]`)),
		nextStep(),
		chromedp.WaitVisible(chromedp.CSS(`.save-household`)),
	)
	screen(t, ctx, "2-household")
	run(t, ctx, "household: save",
		press(`.save-household`),
		chromedp.WaitVisible(chromedp.CSS(`.new-app`)),
	)
	hh := env.Get("/api/v1/me/household", token)
	apitest.Want(t, hh, http.StatusOK)
	var household struct {
		RegionCode string `json:"region_code"`
		Members    []struct {
			MonthlyIncome int64 `json:"monthly_income"`
		} `json:"members"`
	}
	hh.JSON(t, &household)
	if household.RegionCode != "330502001001" || len(household.Members) != 1 || household.Members[0].MonthlyIncome != 30050 {
		t.Fatalf("household = %+v, want 南门社区 with one member earning 30050 fen", household)
	}

	run(t, ctx, "new application",
		chromedp.WaitNotVisible(chromedp.CSS(`.van-toast`)),
		press(`.new-app`),
		// Before starting: what to have at hand.
		chromedp.WaitVisible(`//div[contains(@class,"before-start")][contains(.,"开始前请准备")][contains(.,"身份证号")]`),
		press(`.program-dibao`),
		chromedp.SendKeys(chromedp.CSS(`textarea[name=reason]`), "下岗无收入"),
		press(`.create-app`),
		chromedp.WaitVisible(byText("span", "草稿")),
	)
	for _, kind := range []string{model.DocIDCard, model.DocHukouBook, model.DocIncomeProof, model.DocConsent} {
		sel := fmt.Sprintf(`div[data-kind=%q]`, kind)
		run(t, ctx, "upload "+kind,
			chromedp.SetUploadFiles(chromedp.CSS(sel+` input[type=file]`), []string{jpegFile(t, kind+".jpg")}),
			chromedp.WaitVisible(chromedp.CSS(sel+` .doc-status`)),
		)
	}
	screen(t, ctx, "3-documents")
	run(t, ctx, "submit",
		chromedp.WaitNotVisible(chromedp.CSS(`.van-toast`)),
		press(`.submit-app`),
		chromedp.WaitVisible(`//span[contains(@class,"app-status")][normalize-space(.)="已提交"]`),
		// The confirmation: the number and what happens next, by when.
		chromedp.WaitVisible(`//div[contains(@class,"next-steps")][contains(.,"申请已提交")][contains(.,"接下来")]`),
		chromedp.WaitVisible(`//div[contains(@class,"next-steps")]//li[@data-step="decision"][contains(.,"前")]`),
	)
	where, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatalf("location: %v", err)
	}
	screen(t, ctx, "4-submitted")

	id := where[strings.LastIndex(where, "/")+1:]
	r := env.Get("/api/v1/applications/"+id, token)
	apitest.Want(t, r, http.StatusOK)
	var app struct {
		Program   string `json:"program"`
		Status    string `json:"status"`
		Documents []struct {
			Kind        string `json:"kind"`
			ContentType string `json:"content_type"`
		} `json:"documents"`
	}
	r.JSON(t, &app)
	if app.Program != string(model.ProgramDibao) || app.Status != "submitted" || len(app.Documents) != 4 {
		t.Fatalf("application = %+v, want a submitted dibao with 4 documents", app)
	}
	for _, d := range app.Documents {
		if d.ContentType != "image/jpeg" {
			t.Errorf("document %s stored as %s, want image/jpeg", d.Kind, d.ContentType)
		}
	}
}
