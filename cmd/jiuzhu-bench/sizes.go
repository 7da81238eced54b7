package main

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/minio/minio-go/v7"
)

// poolSampler reads the server's database-pool gauges from its metrics
// listener while the lines run, and keeps the peaks: the connections one
// instance actually opens under the bench's load, which "Running at scale"
// multiplies by the number of instances.
type poolSampler struct {
	url  string
	stop chan struct{}
	done chan struct{}

	mu                 sync.Mutex
	peakOpen, peakUsed float64
	maxOpen, waits     float64
	samples            int
}

func startPoolSampler(metricsAddr string, every time.Duration) *poolSampler {
	s := &poolSampler{url: "http://" + metricsAddr + "/metrics", stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		client := &http.Client{Timeout: 2 * time.Second}
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-t.C:
				if fams, err := scrapeGauges(client, s.url, "go_sql_open_connections", "go_sql_in_use_connections", "go_sql_max_open_connections", "go_sql_wait_count_total"); err == nil {
					s.mu.Lock()
					s.samples++
					s.peakOpen = max(s.peakOpen, fams["go_sql_open_connections"])
					s.peakUsed = max(s.peakUsed, fams["go_sql_in_use_connections"])
					s.maxOpen = fams["go_sql_max_open_connections"]
					s.waits = fams["go_sql_wait_count_total"]
					s.mu.Unlock()
				}
			}
		}
	}()
	return s
}

// Stop ends the sampling and returns what it saw.
func (s *poolSampler) Stop() (peakOpen, peakUsed, maxOpen, waits float64, samples int) {
	close(s.stop)
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peakOpen, s.peakUsed, s.maxOpen, s.waits, s.samples
}

// scrapeGauges reads the named metric families (unlabelled or summed over
// their labels) from a Prometheus text exposition.
func scrapeGauges(client *http.Client, url string, names ...string) (map[string]float64, error) {
	resp, err := client.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("metrics: status %d", resp.StatusCode)
	}
	return parseGauges(bufio.NewScanner(resp.Body), names...)
}

func parseGauges(sc *bufio.Scanner, names ...string) (map[string]float64, error) {
	out := make(map[string]float64, len(names))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		for _, n := range names {
			rest, ok := strings.CutPrefix(line, n)
			if !ok || (rest != "" && rest[0] != ' ' && rest[0] != '{') {
				continue
			}
			fields := strings.Fields(rest)
			if len(fields) == 0 {
				continue
			}
			if v, err := strconv.ParseFloat(fields[len(fields)-1], 64); err == nil {
				out[n] += v
			}
		}
	}
	return out, sc.Err()
}

// tableSize is one table's rows and bytes on disk (data and indexes).
type tableSize struct {
	name  string
	rows  int64
	bytes int64
}

func (t tableSize) perRow() float64 { return float64(t.bytes) / float64(t.rows) }

// sizeTables are the tables whose growth "Running at scale" scales: the
// audit trail, the cases and what hangs off them, the money.
var sizeTables = []string{"audit_log", "applications", "application_events", "documents", "messages", "households", "members", "vouchers", "redemptions"}

// lineSizes measures, on what the lines above left in the private
// services: bytes per row of the growing tables (InnoDB, after ANALYZE),
// Redis bytes per session (MEMORY USAGE of every session key), object
// storage per stored document byte (versitygw listing against the
// documents' plaintext sizes), and the pool peaks. The numbers go to the
// report's Sizes section, which the README's "Running at scale" quotes.
func (b *Bench) lineSizes(ctx context.Context) error {
	b.logf("measuring sizes for \"Running at scale\"")
	var sizes []string
	if b.pool != nil {
		peakOpen, peakUsed, maxOpen, waits, n := b.pool.Stop()
		b.pool = nil
		sizes = append(sizes, fmt.Sprintf("database connections of one instance: at most %.0f open and %.0f in use at once (sampled %d times every 50 ms over every line above, up to %d concurrent clients); pool limit %.0f (`JIUZHU_DB_MAX_OPEN_CONNS`), %.0f waits for a free connection in the whole run",
			peakOpen, peakUsed, n, b.opt.Clients, maxOpen, waits))
	}
	tables := make(map[string]tableSize, len(sizeTables))
	for _, name := range sizeTables {
		if _, err := b.status.ExecContext(ctx, "ANALYZE TABLE jiuzhu."+name); err != nil {
			return fmt.Errorf("analyze %s: %w", name, err)
		}
		t := tableSize{name: name}
		if err := b.status.QueryRowContext(ctx, "SELECT COUNT(*) FROM jiuzhu."+name).Scan(&t.rows); err != nil {
			return fmt.Errorf("count %s: %w", name, err)
		}
		if err := b.status.QueryRowContext(ctx, "SELECT data_length + index_length FROM information_schema.tables WHERE table_schema = 'jiuzhu' AND table_name = ?", name).Scan(&t.bytes); err != nil {
			return fmt.Errorf("size of %s: %w", name, err)
		}
		tables[name] = t
		if t.rows < 1000 {
			sizes = append(sizes, fmt.Sprintf("table `%s`: %d rows (too few for a per-row size; InnoDB allocates 16 KiB pages)", name, t.rows))
			continue
		}
		sizes = append(sizes, fmt.Sprintf("table `%s`: %d rows, %.1f MiB with indexes, %.0f bytes per row", name, t.rows, float64(t.bytes)/(1<<20), t.perRow()))
	}

	var sessions, keys, bytes int64
	iter := b.rdb.Scan(ctx, 0, "jiuzhu:sess:*", 1000).Iterator()
	for iter.Next(ctx) {
		k := iter.Val()
		keys++
		if strings.HasPrefix(k, "jiuzhu:sess:tok:") {
			sessions++
		}
		n, err := b.rdb.MemoryUsage(ctx, k).Result()
		if err != nil {
			return fmt.Errorf("memory usage of a session key: %w", err)
		}
		bytes += n
	}
	if err := iter.Err(); err != nil {
		return fmt.Errorf("scan sessions: %w", err)
	}
	if sessions > 0 {
		per := float64(bytes) / float64(sessions)
		sizes = append(sizes, fmt.Sprintf("Redis: %d sessions in %d keys take %d bytes (MEMORY USAGE), %.0f bytes per session: %.1f MiB per 100,000 sessions (each session is its record and one index key per principal; rate-limit windows and SMS codes expire within minutes)",
			sessions, keys, bytes, per, per*100_000/(1<<20)))
	}

	var objects, stored int64
	for obj := range b.minio.ListObjects(ctx, "jiuzhu-documents", minio.ListObjectsOptions{Recursive: true}) {
		if obj.Err != nil {
			return fmt.Errorf("list documents: %w", obj.Err)
		}
		objects++
		stored += obj.Size
	}
	var docs, plain int64
	if err := b.status.QueryRowContext(ctx, "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM jiuzhu.documents").Scan(&docs, &plain); err != nil {
		return fmt.Errorf("document sizes: %w", err)
	}
	if docs > 0 && plain > 0 {
		sizes = append(sizes, fmt.Sprintf("object storage: %d objects, %.1f MiB stored for %d documents of %.1f MiB uploaded: %.4f bytes stored per byte uploaded (encryption framing); each document also takes %.0f bytes of database (its row)",
			objects, float64(stored)/(1<<20), docs, float64(plain)/(1<<20), float64(stored)/float64(plain), tables["documents"].perRow()))
	}
	b.report.Sizes = append(b.report.Sizes, sizes...)
	for _, s := range sizes {
		b.logf("size: %s", s)
	}
	return nil
}
