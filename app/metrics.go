package app

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/redis/go-redis/v9"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/service"
	"github.com/jiuzhu/jiuzhu/storage"
)

// The application's Prometheus families beyond the HTTP ones (api.Metrics):
// the database and Redis pools, the build, and the business counters. The
// business totals come from SQL at scrape time (cached businessCacheTTL), so
// every instance reports the same city-wide numbers; SMS sends and
// rate-limit refusals are counted by the instance that did them.

const businessCacheTTL = 30 * time.Second

// registerMetrics registers the pool, build and business collectors on reg.
func registerMetrics(reg prometheus.Registerer, b *Backends, build BuildInfo, log *slog.Logger) error {
	cs := []prometheus.Collector{
		collectors.NewDBStatsCollector(b.DB.SQLDB(), "jiuzhu"),
		newBuildInfo(build),
		&businessCollector{db: b.DB, log: log, ttl: businessCacheTTL},
	}
	if b.Redis != nil {
		cs = append(cs, &redisPoolCollector{client: b.Redis})
	}
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return fmt.Errorf("metrics: %w", err)
		}
	}
	return nil
}

func newBuildInfo(b BuildInfo) prometheus.Collector {
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "jiuzhu_build_info", Help: "The running binary: always 1, labelled with its version, commit, build time and Go release.",
	}, []string{"version", "commit", "build_time", "goversion"})
	g.WithLabelValues(b.Version, b.Commit, b.Time, b.GoVersion).Set(1)
	return g
}

var (
	descApplications = prometheus.NewDesc("jiuzhu_applications", "Applications by program and current status.", []string{"program", "status"}, nil)
	descDecisions    = prometheus.NewDesc("jiuzhu_decisions_total", "Approval and rejection steps recorded, by program and decision.", []string{"program", "decision"}, nil)
	descVouchers     = prometheus.NewDesc("jiuzhu_vouchers_issued_total", "Education vouchers issued (voided ones included).", nil, nil)
	descRedemptions  = prometheus.NewDesc("jiuzhu_voucher_redemptions_total", "Voucher redemptions recorded by schools.", nil, nil)
	descPayments     = prometheus.NewDesc("jiuzhu_payment_amount_fen", "The lines of approved payment rolls, summed in fen, by program and line status (scheduled, held, paid, failed).", []string{"program", "status"}, nil)
	descRolls        = prometheus.NewDesc("jiuzhu_payment_rolls", "Payment rolls by status (draft, approved).", []string{"status"}, nil)
	descScrapeErrors = prometheus.NewDesc("jiuzhu_business_metrics_up", "1 when the business totals could be read at the last scrape, 0 otherwise.", nil, nil)
)

// businessCollector reads storage.BusinessCounts at most once per ttl.
type businessCollector struct {
	db  *storage.DB
	log *slog.Logger
	ttl time.Duration

	mu   sync.Mutex
	at   time.Time
	last storage.BusinessCounts
	ok   bool
}

func (c *businessCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descApplications, descDecisions, descVouchers, descRedemptions, descPayments, descRolls, descScrapeErrors} {
		ch <- d
	}
}

func (c *businessCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	if time.Since(c.at) >= c.ttl || !c.ok {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		counts, err := c.db.BusinessCounts(ctx)
		cancel()
		c.at, c.ok = time.Now(), err == nil
		if err != nil {
			c.log.Warn("business metrics", "error", err.Error())
		} else {
			c.last = counts
		}
	}
	counts, ok := c.last, c.ok
	c.mu.Unlock()
	up := 0.0
	if ok {
		up = 1
	}
	ch <- prometheus.MustNewConstMetric(descScrapeErrors, prometheus.GaugeValue, up)
	if !ok {
		return
	}
	for _, k := range counts.Applications {
		ch <- prometheus.MustNewConstMetric(descApplications, prometheus.GaugeValue, float64(k.N), k.A, k.B)
	}
	// Every program and decision is exported, 0 until one happens, so the
	// dashboard's rates start from a value.
	decisions := map[[2]string]int64{}
	for _, p := range model.Programs {
		for _, d := range []model.Status{model.StatusApproved, model.StatusRejected} {
			decisions[[2]string{string(p.Code), string(d)}] = 0
		}
	}
	for _, k := range counts.Decisions {
		decisions[[2]string{k.A, k.B}] += k.N
	}
	for k, n := range decisions {
		ch <- prometheus.MustNewConstMetric(descDecisions, prometheus.CounterValue, float64(n), k[0], k[1])
	}
	ch <- prometheus.MustNewConstMetric(descVouchers, prometheus.CounterValue, float64(counts.VouchersIssued))
	ch <- prometheus.MustNewConstMetric(descRedemptions, prometheus.CounterValue, float64(counts.VoucherRedemptions))
	// Every cash program and line status, and both roll statuses, 0 until
	// there is money or a roll.
	payments := map[[2]string]int64{}
	for _, p := range model.Programs {
		if k := p.Policy.Kind(); k.IsMonthly() || k.IsOneOff() {
			for _, st := range []string{model.LineScheduled, model.LineHeld, model.LinePaid, model.LineFailed} {
				payments[[2]string{string(p.Code), st}] = 0
			}
		}
	}
	for _, k := range counts.PaymentAmounts {
		payments[[2]string{k.A, k.B}] += k.N
	}
	for k, n := range payments {
		ch <- prometheus.MustNewConstMetric(descPayments, prometheus.GaugeValue, float64(n), k[0], k[1])
	}
	rolls := map[string]int64{model.RollDraft: 0, model.RollApproved: 0}
	for _, k := range counts.PaymentRolls {
		rolls[k.A] += k.N
	}
	for st, n := range rolls {
		ch <- prometheus.MustNewConstMetric(descRolls, prometheus.GaugeValue, float64(n), st)
	}
}

var (
	descRedisHits     = prometheus.NewDesc("jiuzhu_redis_pool_hits_total", "Times a free connection was found in the Redis pool.", nil, nil)
	descRedisMisses   = prometheus.NewDesc("jiuzhu_redis_pool_misses_total", "Times no free connection was found in the Redis pool.", nil, nil)
	descRedisTimeouts = prometheus.NewDesc("jiuzhu_redis_pool_timeouts_total", "Times a wait for a Redis pool connection timed out.", nil, nil)
	descRedisConns    = prometheus.NewDesc("jiuzhu_redis_pool_connections", "Redis pool connections by state (idle, total).", []string{"state"}, nil)
	descRedisStale    = prometheus.NewDesc("jiuzhu_redis_pool_stale_connections_total", "Stale connections removed from the Redis pool.", nil, nil)
)

// redisPoolCollector exports go-redis PoolStats (summed over the nodes of
// a cluster client).
type redisPoolCollector struct{ client redis.UniversalClient }

func (c *redisPoolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descRedisHits, descRedisMisses, descRedisTimeouts, descRedisConns, descRedisStale} {
		ch <- d
	}
}

func (c *redisPoolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.client.PoolStats()
	ch <- prometheus.MustNewConstMetric(descRedisHits, prometheus.CounterValue, float64(s.Hits))
	ch <- prometheus.MustNewConstMetric(descRedisMisses, prometheus.CounterValue, float64(s.Misses))
	ch <- prometheus.MustNewConstMetric(descRedisTimeouts, prometheus.CounterValue, float64(s.Timeouts))
	ch <- prometheus.MustNewConstMetric(descRedisStale, prometheus.CounterValue, float64(s.StaleConns))
	ch <- prometheus.MustNewConstMetric(descRedisConns, prometheus.GaugeValue, float64(s.IdleConns), "idle")
	ch <- prometheus.MustNewConstMetric(descRedisConns, prometheus.GaugeValue, float64(s.TotalConns), "total")
}

// countingSMS counts the sends and failures of one SMS driver.
type countingSMS struct {
	next         service.SMSSender
	sent, failed prometheus.Counter
}

func (s countingSMS) Send(ctx context.Context, phone, text, code string) error {
	err := s.next.Send(ctx, phone, text, code)
	if err != nil {
		s.failed.Inc()
		return err
	}
	s.sent.Inc()
	return nil
}

// smsCounters are the SMS families; wrap returns a sender counting under
// driver.
type smsCounters struct{ sent, failed *prometheus.CounterVec }

func newSMSCounters(reg prometheus.Registerer) (*smsCounters, error) {
	c := &smsCounters{
		sent:   prometheus.NewCounterVec(prometheus.CounterOpts{Name: "jiuzhu_sms_sent_total", Help: "Status messages and login codes handed to a driver (SMS drivers, and wechat for subscription messages), by driver."}, []string{"driver"}),
		failed: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "jiuzhu_sms_failures_total", Help: "Messages a driver (SMS drivers, and wechat) failed to send, by driver."}, []string{"driver"}),
	}
	for _, col := range []prometheus.Collector{c.sent, c.failed} {
		if err := reg.Register(col); err != nil {
			return nil, fmt.Errorf("metrics: %w", err)
		}
	}
	return c, nil
}

func (c *smsCounters) wrap(s service.SMSSender, driver string) service.SMSSender {
	if s == nil {
		return nil
	}
	sent, failed := c.sent.WithLabelValues(driver), c.failed.WithLabelValues(driver)
	return countingSMS{next: s, sent: sent, failed: failed}
}

// countingWeChat counts the subscription messages of the WeChat driver in
// the SMS families (driver "wechat"): both are status messages beside the
// portal's own.
type countingWeChat struct {
	next         service.WeChatMessenger
	sent, failed prometheus.Counter
}

func (w countingWeChat) SendSubscribe(ctx context.Context, m service.SubscribeMessage) error {
	if err := w.next.SendSubscribe(ctx, m); err != nil {
		w.failed.Inc()
		return err
	}
	w.sent.Inc()
	return nil
}

func (c *smsCounters) wrapWeChat(m service.WeChatMessenger) service.WeChatMessenger {
	return countingWeChat{next: m, sent: c.sent.WithLabelValues("wechat"), failed: c.failed.WithLabelValues("wechat")}
}

// countingLimiter counts refusals by limiter: the key's leading words
// ("sms:phone:min", "staff-login:ip"), never the address or id after them.
type countingLimiter struct {
	next    storage.Limiter
	refused *prometheus.CounterVec
}

func newCountingLimiter(reg prometheus.Registerer, next storage.Limiter) (*countingLimiter, error) {
	c := &countingLimiter{next: next, refused: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "jiuzhu_rate_limit_refusals_total", Help: "Requests refused by a rate limit, by limiter.",
	}, []string{"limiter"})}
	if err := reg.Register(c.refused); err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	return c, nil
}

var limiterWord = regexp.MustCompile(`^[a-z][a-z-]*$`)

// limiterName is the key's first words (lower-case letters and hyphens),
// at most three: the variable part (an IP, an id, a hash) never becomes a label.
func limiterName(key string) string {
	var words []string
	for _, w := range strings.Split(key, ":") {
		if len(words) == 3 || !limiterWord.MatchString(w) {
			break
		}
		words = append(words, w)
	}
	if len(words) == 0 {
		return "other"
	}
	return strings.Join(words, ":")
}

func (c *countingLimiter) Allow(ctx context.Context, key string, limit storage.Limit) (storage.LimitResult, error) {
	res, err := c.next.Allow(ctx, key, limit)
	if err == nil && !res.Allowed {
		c.refused.WithLabelValues(limiterName(key)).Inc()
	}
	return res, err
}

// Jobs records when each scheduled job last succeeded.
type Jobs struct{ lastSuccess *prometheus.GaugeVec }

func newJobs(reg prometheus.Registerer) (*Jobs, error) {
	j := &Jobs{lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "jiuzhu_job_last_success_timestamp_seconds", Help: "Unix time of the last successful run of a scheduled job on this instance.",
	}, []string{"job"})}
	if err := reg.Register(j.lastSuccess); err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	return j, nil
}

// Succeeded records a successful run of job at t (nothing on a nil Jobs,
// e.g. a one-shot command or a test without metrics).
func (j *Jobs) Succeeded(job string, t time.Time) {
	if j == nil {
		return
	}
	j.lastSuccess.WithLabelValues(job).Set(float64(t.UnixNano()) / 1e9)
}
