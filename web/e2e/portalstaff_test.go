package e2e

import (
	"bufio"
	"fmt"
	"image"
	"image/draw"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
)

// fakeCameraY4M writes a Y4M video (Chromium's --use-file-for-fake-video-capture
// format: YUV 4:2:0, full range) of a few identical frames showing text as
// a QR code on white, as a phone held to another phone's screen would
// see it, and returns its path.
func fakeCameraY4M(t *testing.T, text string) string {
	t.Helper()
	const w, h = 640, 480
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		t.Fatal(err)
	}
	code := q.Image(360)
	frame := image.NewGray(image.Rect(0, 0, w, h))
	draw.Draw(frame, frame.Bounds(), image.White, image.Point{}, draw.Src)
	off := image.Pt((w-code.Bounds().Dx())/2, (h-code.Bounds().Dy())/2)
	draw.Draw(frame, code.Bounds().Add(off), code, code.Bounds().Min, draw.Src)

	p := filepath.Join(t.TempDir(), "camera.y4m")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	b := bufio.NewWriter(f)
	fmt.Fprintf(b, "YUV4MPEG2 W%d H%d F10:1 Ip A1:1 C420jpeg\n", w, h)
	chroma := make([]byte, (w/2)*(h/2))
	for i := range chroma {
		chroma[i] = 128 // no colour
	}
	for range 10 {
		b.WriteString("FRAME\n")
		b.Write(frame.Pix) // Y: the grey levels as they are (stride = width)
		b.Write(chroma)    // U
		b.Write(chroma)    // V
	}
	if err := b.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestSchoolScansVoucherQR: the school clerk's phone camera (Chromium's fake
// camera, fed a video of the resident's voucher QR) reads the code, the
// page looks it up, and the redemption goes through; looking the used
// voucher up again shows when, by which school and how much.
func TestSchoolScansVoucherQR(t *testing.T) {
	t.Parallel()
	env, srv := serve(t)
	residentID := approvedWithSchoolchild(t, env)
	resident := env.SessionFor(model.Principal{Kind: model.PrincipalResident, ID: residentID})
	r := env.Get("/api/v1/me/vouchers", resident)
	apitest.Want(t, r, http.StatusOK)
	var mine struct {
		Items []struct {
			Code string `json:"code"`
		} `json:"items"`
	}
	r.JSON(t, &mine)
	if len(mine.Items) != 1 {
		t.Fatalf("vouchers %+v", mine.Items)
	}
	code := mine.Items[0].Code
	// The QR the resident's phone shows encodes the code (GET …/qr.png).
	video := fakeCameraY4M(t, code)

	ctx := browserWith(t,
		chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-file-for-fake-video-capture", video),
	)
	run(t, ctx, "school login",
		chromedp.Navigate(srv.URL+"/staff/login"),
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "school"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), demoPassword),
		press(`.staff-login-btn`),
		chromedp.WaitVisible(chromedp.CSS(`.scan-btn`)),
	)
	screen(t, ctx, "ps-1-school-scan")
	run(t, ctx, "scan",
		press(`.scan-btn`),
		// The camera opens, a frame is decoded and the code looked up.
		chromedp.WaitVisible(chromedp.CSS(`input[name=amount_misc_fee]`)),
	)
	typed, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(`input[name=voucher_code]`)))
	if err != nil || typed != code {
		t.Fatalf("the scan put %q (%v) in the code field, want %q", typed, err, code)
	}
	if live, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!!document.querySelector('.scan-video').srcObject`)); err != nil || live {
		t.Fatalf("the camera is still on after the code was read (%v)", err)
	}
	run(t, ctx, "redeem",
		chromedp.SendKeys(chromedp.CSS(`input[name=amount_misc_fee]`), "150"),
		press(`.redeem-btn`),
		settle(),
		press(`.van-dialog__confirm`),
		chromedp.WaitVisible(chromedp.CSS(`.redeemed`)),
	)
	var red []map[string]any
	r = env.Get("/api/v1/school/statements?term="+model.TermOf(env.Clock.Now()), staffToken(t, env, "school"))
	apitest.Want(t, r, http.StatusOK)
	for _, it := range r.Map(t)["items"].([]any) {
		red = append(red, it.(map[string]any))
	}
	if len(red) != 1 || red[0]["code"] != code || red[0]["total"] != float64(15000) {
		t.Fatalf("statement after the scanned redemption: %v", red)
	}

	// The used voucher, looked up again by scanning: its redemption.
	run(t, ctx, "scan the used voucher",
		settle(),
		chromedp.Navigate(srv.URL+"/school"),
		press(`.scan-btn`),
		chromedp.WaitVisible(chromedp.CSS(`.used-voucher`)),
	)
	used, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.used-voucher`)))
	if err != nil || !strings.Contains(used, "¥150.00") || !strings.Contains(used, "核销学校") || !strings.Contains(used, "使用时间") {
		t.Fatalf("used voucher details %q (%v)", used, err)
	}
	screen(t, ctx, "ps-2-school-used-voucher")
}

// TestStaffEnrolsTOTP: a community worker opens 动态口令 from the queue's
// menu (the queue names communities and shows each case's deadline),
// enrols with the secret shown in groups beside the QR and a code, and the
// next login asks for the code before letting them in.
func TestStaffEnrolsTOTP(t *testing.T) {
	t.Parallel()
	env, srv := serve(t)
	_, appID, _ := submittedWithSchoolchild(t, env, "13900006661")
	post(t, env, "/api/v1/staff/applications/"+appID+"/actions", staffToken(t, env, "community"), map[string]string{"action": "accept"}, http.StatusOK)

	ctx := browser(t)
	run(t, ctx, "login page",
		chromedp.Navigate(srv.URL+"/staff/login"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=username]`)),
	)
	// No code is asked for before the server says the account has one.
	if has, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!!document.querySelector('input[name=totp_code]')`)); err != nil || has {
		t.Fatalf("the login form asks for a code up front (%v)", err)
	}
	run(t, ctx, "login",
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "community"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), demoPassword),
		press(`.staff-login-btn`),
		chromedp.WaitVisible(chromedp.CSS(`.van-tabs`)),
	)
	// The accepted case: its community by name and its first deadline.
	run(t, ctx, "queue",
		press(`.van-tab:nth-child(2)`),
		chromedp.WaitVisible(fmt.Sprintf(`//*[@data-id=%q]//div[contains(@class,"queue-deadline")]`, appID)),
	)
	row, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(fmt.Sprintf(`[data-id=%q]`, appID))))
	if err != nil || !strings.Contains(row, "月河街道 南门社区") || !strings.Contains(row, "入户调查启动") || strings.Contains(row, "330502001001") {
		t.Fatalf("queue row %q (%v): want the community's name and the investigation deadline", row, err)
	}
	screen(t, ctx, "ps-3-queue-names-deadlines")

	run(t, ctx, "enrol",
		press(`.totp-link`),
		press(`.totp-begin`),
		chromedp.WaitVisible(chromedp.CSS(`.totp-qr svg path`)),
		chromedp.WaitVisible(chromedp.CSS(`.totp-group`)),
	)
	screen(t, ctx, "ps-4-totp-enrol")
	groups, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('.totp-group')].map(e => e.textContent.trim())`))
	if err != nil || len(groups) < 4 {
		t.Fatalf("secret groups %v (%v)", groups, err)
	}
	for _, g := range groups[:len(groups)-1] {
		if len(g) != 4 {
			t.Fatalf("secret groups %v: want groups of 4", groups)
		}
	}
	secret := strings.Join(groups, "")
	qrPath, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('.totp-qr svg path').getAttribute('d')`))
	if err != nil || strings.Count(qrPath, "M") < 200 {
		t.Fatalf("the QR drawn has %d modules (%v)", strings.Count(qrPath, "M"), err)
	}
	code, err := totp.GenerateCode(secret, env.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	run(t, ctx, "confirm",
		chromedp.SendKeys(chromedp.CSS(`input[name=totp_confirm_code]`), code),
		press(`.totp-confirm`),
		chromedp.WaitVisible(chromedp.CSS(`.totp-done`)),
	)
	r := env.Get("/api/v1/staff/me", staffTokenWithCode(t, env, "community", secret))
	apitest.Want(t, r, http.StatusOK)
	if r.Map(t)["totp_enabled"] != true {
		t.Fatal("TOTP not on after the enrolment screen")
	}

	// The next login asks for the code, then lets the worker in.
	env.Clock.Advance(time.Minute) // a new code: each is accepted once
	run(t, ctx, "login asks for the code",
		js(`sessionStorage.clear()`),
		chromedp.Navigate(srv.URL+"/staff/login"),
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "community"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), demoPassword),
		press(`.staff-login-btn`),
		chromedp.WaitVisible(chromedp.CSS(`input[name=totp_code]`)),
		chromedp.WaitVisible(byText("div", "动态验证码")),
	)
	screen(t, ctx, "ps-5-login-code")
	code, err = totp.GenerateCode(secret, env.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	run(t, ctx, "login with the code",
		chromedp.SendKeys(chromedp.CSS(`input[name=totp_code]`), code),
		press(`.staff-login-btn`),
		chromedp.WaitVisible(chromedp.CSS(`.van-tabs`)),
	)
}

// staffTokenWithCode logs a demo account with TOTP in through the API.
func staffTokenWithCode(t *testing.T, env *apitest.Env, username, secret string) string {
	t.Helper()
	env.Clock.Advance(30 * time.Second) // the browser used the current code
	code, err := totp.GenerateCode(secret, env.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Token string `json:"token"`
	}
	post(t, env, "/api/v1/staff/sessions", "", map[string]string{"username": username, "password": demoPassword, "totp_code": code}, http.StatusCreated).JSON(t, &out)
	return out.Token
}

// TestEnrolmentOnlySessionGoesToEnrol: when the role requires TOTP and the
// account has none, the login lands on the enrolment screen (the session
// can do nothing else); after enrolling the worker logs in again with the
// code and reaches the queue.
func TestEnrolmentOnlySessionGoesToEnrol(t *testing.T) {
	t.Parallel()
	env, srv := serve(t)
	apitest.Want(t, env.Put("/api/v1/staff/roles/street_reviewer/settings", staffToken(t, env, "admin"), map[string]bool{"require_totp": true}), http.StatusOK)

	ctx := browser(t)
	run(t, ctx, "login lands on enrolment",
		chromedp.Navigate(srv.URL+"/staff/login"),
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "street"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), demoPassword),
		press(`.staff-login-btn`),
		chromedp.WaitVisible(byText("span", "您的岗位要求使用动态口令")),
		press(`.totp-begin`),
		chromedp.WaitVisible(chromedp.CSS(`.totp-group`)),
	)
	groups, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('.totp-group')].map(e => e.textContent.trim())`))
	if err != nil {
		t.Fatal(err)
	}
	secret := strings.Join(groups, "")
	code, err := totp.GenerateCode(secret, env.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	run(t, ctx, "confirm and log in again",
		chromedp.SendKeys(chromedp.CSS(`input[name=totp_confirm_code]`), code),
		press(`.totp-confirm`),
		press(`.relogin-btn`),
		chromedp.WaitVisible(chromedp.CSS(`input[name=username]`)),
	)
	env.Clock.Advance(time.Minute)
	code, err = totp.GenerateCode(secret, env.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	run(t, ctx, "login with the code",
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "street"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), demoPassword),
		press(`.staff-login-btn`),
		chromedp.WaitVisible(chromedp.CSS(`input[name=totp_code]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=totp_code]`), code),
		press(`.staff-login-btn`),
		chromedp.WaitVisible(chromedp.CSS(`.van-tabs`)),
	)
}
