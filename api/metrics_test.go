package api_test

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
)

// TestMetricsFamiliesAfterAFlow scrapes /metrics after a resident logs in
// (an SMS), applies, is refused a second code within the minute (a rate
// limit) and someone asks for a publication's Excel file, and finds every
// family the operations dashboard (docker/grafana-dashboard.json) reads.
func TestMetricsFamiliesAfterAFlow(t *testing.T) {
	t.Parallel()
	const token = "m3tr1cs-Token-4f9c2a7b1e8d6053a9c7"
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		phone := newPhone()
		tok := login(t, env, phone)
		apitest.Want(t, env.Put("/api/v1/me/household", tok, household(makeID("19800101", true))), http.StatusOK)
		createApp(t, env, tok, model.ProgramDibao)
		r := env.Post("/api/v1/auth/sms-codes", "", map[string]string{"phone": phone})
		apitest.Want(t, r, http.StatusTooManyRequests)
		r = env.Do(apitest.Request{Method: http.MethodGet, Path: "/api/v1/public/publications/01J00000000000000000000000.xlsx", NoCheck: true})
		if r.Status != http.StatusNotFound {
			t.Fatalf("missing publication: %d", r.Status)
		}

		r = env.Get("/metrics", token)
		apitest.Want(t, r, http.StatusOK)
		body := string(r.Body)
		want := []string{
			`jiuzhu_build_info{build_time=`,
			`go_sql_open_connections{db_name="jiuzhu"}`,
			`go_sql_wait_count_total{db_name="jiuzhu"}`,
			`jiuzhu_sms_sent_total{driver="outbox"}`,
			`jiuzhu_applications{program="dibao",status="draft"}`,
			`jiuzhu_decisions_total{decision="approved",program=`,
			`jiuzhu_vouchers_issued_total `,
			`jiuzhu_voucher_redemptions_total `,
			`jiuzhu_business_metrics_up 1`,
			`jiuzhu_payment_amount_fen{program="dibao",status="paid"} 0`,
			`jiuzhu_payment_rolls{status="approved"} 0`,
			`jiuzhu_rate_limit_refusals_total{limiter="sms:phone:min"} 1`,
			`jiuzhu_http_requests_total{method="GET",route="/api/v1/public/publications/:id.xlsx",status="404"} 1`,
		}
		if env.Backend == "real" {
			want = append(want, `jiuzhu_redis_pool_connections{state="total"}`, `jiuzhu_redis_pool_hits_total `)
		}
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("/metrics lacks %s", w)
			}
		}
		if t.Failed() {
			t.Logf("metrics:\n%s", grepJiuzhu(body))
		}
	}, apitest.WithEnv("JIUZHU_METRICS_TOKEN", token))
}

func grepJiuzhu(body string) string {
	var out []string
	for _, l := range strings.Split(body, "\n") {
		if strings.HasPrefix(l, "jiuzhu_") || strings.HasPrefix(l, "go_sql_") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestGrafanaDashboardReadsTheFamilies: docker/grafana-dashboard.json is
// valid JSON and has a panel query for every family the application exports.
func TestGrafanaDashboardReadsTheFamilies(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../docker/grafana-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("dashboard: %v", err)
	}
	var exprs strings.Builder
	for _, p := range d.Panels {
		for _, tg := range p.Targets {
			exprs.WriteString(tg.Expr + "\n")
		}
	}
	for _, family := range []string{
		"jiuzhu_http_requests_total", "jiuzhu_http_request_duration_seconds_bucket", "go_sql_in_use_connections", "go_sql_wait_count_total",
		"jiuzhu_redis_pool_connections", "jiuzhu_build_info", "jiuzhu_sms_sent_total", "jiuzhu_sms_failures_total",
		"jiuzhu_rate_limit_refusals_total", "jiuzhu_applications", "jiuzhu_decisions_total", "jiuzhu_vouchers_issued_total",
		"jiuzhu_voucher_redemptions_total", "jiuzhu_job_last_success_timestamp_seconds", "jiuzhu_payment_amount_fen", "jiuzhu_payment_rolls",
	} {
		if !strings.Contains(exprs.String(), family) {
			t.Errorf("no dashboard panel reads %s", family)
		}
	}
}
