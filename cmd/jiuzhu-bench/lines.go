package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/jiuzhu/jiuzhu/model"
)

// programs a household may hold open at once (one draft each).
var programs = []string{"dibao", "tekun", "medical", "education", "housing", "employment", "temporary"}

// residentIP is the i-th simulated resident's address in 198.18.0.0/15.
func residentIP(i int) string {
	n := i + 1
	return fmt.Sprintf("198.%d.%d.%d", 18+(n>>16)&1, (n>>8)&255, n&255)
}

// idNumber builds a valid ID number of Wuxing district, distinct for each
// i below 10,000,000 (a birth day per thousand, the sequence code within).
func idNumber(i int, born time.Time) string {
	d := born.AddDate(0, 0, i/1000)
	first := fmt.Sprintf("330502%s%03d", d.Format("20060102"), i%1000)
	return first + string(model.IDCheckChar(first))
}

// loginResident logs a resident in as the portal does: ask for a code,
// read it from the dev outbox, open a session.
func (b *Bench) loginResident(ctx context.Context, phone, ip string) (string, error) {
	if err := b.cl.JSONCall(ctx, Call{Method: http.MethodPost, Path: "/api/v1/auth/sms-codes", IP: ip, JSON: map[string]string{"phone": phone}}, http.StatusAccepted, nil); err != nil {
		return "", err
	}
	var ob struct {
		Items []struct{ Code string } `json:"items"`
	}
	if err := b.cl.JSONCall(ctx, Call{Method: http.MethodGet, Path: "/api/v1/dev/outbox?phone=" + phone, IP: ip}, http.StatusOK, &ob); err != nil {
		return "", err
	}
	if len(ob.Items) == 0 || ob.Items[0].Code == "" {
		return "", fmt.Errorf("no code for %s in the dev outbox", phone)
	}
	var s struct{ Token string }
	err := b.cl.JSONCall(ctx, Call{Method: http.MethodPost, Path: "/api/v1/auth/sessions", IP: ip, JSON: map[string]string{"phone": phone, "code": ob.Items[0].Code}}, http.StatusCreated, &s)
	return s.Token, err
}

// loginStaff opens a staff session of a demo account.
func (b *Bench) loginStaff(ctx context.Context, username string) (string, error) {
	var s struct{ Token string }
	err := b.cl.JSONCall(ctx, Call{Method: http.MethodPost, Path: "/api/v1/staff/sessions", IP: "198.19.255.1",
		JSON: map[string]string{"username": username, "password": "jiuzhu-demo"}}, http.StatusCreated, &s)
	return s.Token, err
}

// setupResidents registers the residents with a household each (in the
// community of the demo community worker).
func (b *Bench) setupResidents(ctx context.Context) error {
	n := b.opt.Residents
	b.logf("registering %d residents through the API (SMS login, household)", n)
	b.residents = make([]*resident, n)
	born := time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC)
	return parallel(ctx, n, 8, func(ctx context.Context, i int) error {
		r := &resident{phone: fmt.Sprintf("139%08d", 10_000_000+i), ip: residentIP(i)}
		tok, err := b.loginResident(ctx, r.phone, r.ip)
		if err != nil {
			return err
		}
		r.token = tok
		hh := map[string]any{"region_code": "330502001001", "address": "湖州市吴兴区月河街道南门社区3幢201室", "hukou": "urban",
			"members": []map[string]any{{"name": "张三", "id_number": idNumber(i, born), "relation": "self", "monthly_income": 50000}}}
		if err := b.cl.JSONCall(ctx, Call{Method: http.MethodPut, Path: "/api/v1/me/household", Token: tok, IP: r.ip, JSON: hh}, http.StatusOK, nil); err != nil {
			return err
		}
		b.residents[i] = r
		return nil
	})
}

// measureRawInsert measures autocommit single-row INSERTs.
func (b *Bench) rawInsertRound(ctx context.Context) RunResult {
	payload := "失业，收入低；" + randomHex(60)
	return closedLoop(ctx, b.opt.Clients, b.opt.Duration, func(ctx context.Context, _ int) error {
		_, err := b.raw.ExecContext(ctx, "INSERT INTO raw_rows (ref, region_code, status, payload, created_at) VALUES (?, ?, ?, ?, ?)",
			randomHex(13), "330502001001", "draft", payload, time.Now())
		return err
	})
}

func (b *Bench) rawSelectRound(ctx context.Context) RunResult {
	var maxID int64
	_ = b.raw.QueryRowContext(ctx, "SELECT MAX(id) FROM raw_rows").Scan(&maxID)
	return closedLoop(ctx, b.opt.Clients, b.opt.Duration, func(ctx context.Context, _ int) error {
		var ref, payload string
		err := b.raw.QueryRowContext(ctx, "SELECT ref, payload FROM raw_rows WHERE id = ?", 1+rand.Int64N(max(maxID, 1))).Scan(&ref, &payload)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return err
	})
}

// lineCreate: POST /applications against the raw INSERT, round by round.
func (b *Bench) lineCreate(ctx context.Context) error {
	per := len(b.residents) * len(programs) / b.opt.Rounds
	line := Line{Name: "create application", Unit: "req/s", RawName: "autocommit INSERT", Target: Target{RatioAtLeast, 0.5}}
	var cost, rawCost Cost
	for r := range b.opt.Rounds {
		res := b.measured(ctx, &rawCost, func() RunResult { return b.rawInsertRound(ctx) })
		b.logRound("raw INSERT", r, res, "rows/s", res.Rate())
		b.rawInsert = append(b.rawInsert, res.Rate())
		res = b.measured(ctx, &cost, func() RunResult { return b.createRound(ctx, r, per) })
		b.logRound("create application", r, res, "req/s", res.Rate())
		line.Values = append(line.Values, res.Rate())
	}
	line.RawValues = b.rawInsert
	b.rawFsyncs = rawCost.LogWritesPerSecond()
	line.Evidence = append(cost.Evidence(b.cores, b.rawFsyncs), prefixed("raw INSERT: ", rawCost.Evidence(b.cores, 0))...)
	b.report.Lines = append(b.report.Lines, line)
	return nil
}

// createRound creates applications for round r from its own share (per)
// of the resident × program slots, for the round's duration or until the
// share is used up.
func (b *Bench) createRound(ctx context.Context, r, per int) RunResult {
	n := len(b.residents)
	var next atomic.Int64
	lo := int64(r * per)
	next.Store(lo)
	res := closedLoop(ctx, b.opt.Clients, b.opt.Duration, func(ctx context.Context, _ int) error {
		j := next.Add(1) - 1
		if j >= lo+int64(per) {
			return errExhausted
		}
		rs := b.residents[int(j)%n]
		prog := programs[int(j)/n]
		st, body, err := b.cl.Do(ctx, Call{Method: http.MethodPost, Path: "/api/v1/applications", Token: rs.token, IP: rs.ip,
			JSON: map[string]string{"program": prog, "reason": "失业，收入低"}})
		if err != nil {
			return err
		}
		if st != http.StatusCreated {
			return statusError{st, string(body)}
		}
		id, err := jsonID(body)
		if err != nil {
			return err
		}
		b.appendApp(appRef{token: rs.token, id: id, program: prog})
		return nil
	})
	if next.Load() >= lo+int64(per) {
		b.logf("  (round ended early: its %d resident×program slots were used up; raise -residents)", per)
	}
	return res
}

// getApp reads one created application as its resident.
func (b *Bench) getApp(ctx context.Context, a appRef) error {
	st, body, err := b.cl.Do(ctx, Call{Method: http.MethodGet, Path: "/api/v1/applications/" + a.id, Token: a.token})
	if err != nil {
		return err
	}
	if st != http.StatusOK {
		return statusError{st, string(body)}
	}
	return nil
}

func prefixed(p string, xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = p + x
	}
	return out
}

// lineGet: GET /applications/{id} against the raw PK SELECT, then the
// latency at half the measured maximum rate (open loop).
func (b *Bench) lineGet(ctx context.Context) error {
	if len(b.apps) == 0 {
		return errors.New("no applications were created")
	}
	line := Line{Name: "GET application", Unit: "req/s", RawName: "PK SELECT", Target: Target{RatioAtLeast, 0.5}}
	var cost, rawCost Cost
	get := func(ctx context.Context) error { return b.getApp(ctx, b.apps[rand.IntN(len(b.apps))]) }
	for r := range b.opt.Rounds {
		res := b.measured(ctx, &rawCost, func() RunResult { return b.rawSelectRound(ctx) })
		b.logRound("raw PK SELECT", r, res, "rows/s", res.Rate())
		line.RawValues = append(line.RawValues, res.Rate())
		res = b.measured(ctx, &cost, func() RunResult {
			return closedLoop(ctx, b.opt.Clients, b.opt.Duration, func(ctx context.Context, _ int) error { return get(ctx) })
		})
		b.logRound("GET application", r, res, "req/s", res.Rate())
		line.Values = append(line.Values, res.Rate())
	}
	line.Evidence = append(cost.Evidence(b.cores, 0), prefixed("raw PK SELECT: ", rawCost.Evidence(b.cores, 0))...)
	b.report.Lines = append(b.report.Lines, line)

	rate := line.Median() / 2
	p50 := Line{Name: fmt.Sprintf("GET p50 at half max (%s req/s)", trimFloat(rate)), Unit: "ms", Target: Target{Info, 0}}
	p99 := Line{Name: fmt.Sprintf("GET p99 at half max (%s req/s)", trimFloat(rate)), Unit: "ms", Target: Target{Below, 50}}
	for r := range b.opt.Rounds {
		lat, failed := openLoop(ctx, rate, b.opt.Duration, get)
		p50.Values = append(p50.Values, Percentile(lat, 50))
		p99.Values = append(p99.Values, Percentile(lat, 99))
		b.logf("GET open loop round %d: %d requests at %s/s, p50 %s ms, p99 %s ms, %d failed", r+1, len(lat), trimFloat(rate),
			trimFloat(Percentile(lat, 50)), trimFloat(Percentile(lat, 99)), failed)
	}
	b.report.Lines = append(b.report.Lines, p50, p99)
	return nil
}

// uploadBody is a multipart body with kind=id_card and a JPEG-looking
// file of size bytes (the server sniffs the first bytes).
func uploadBody(size int) ([]byte, string) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("kind", "id_card")
	fw, _ := w.CreateFormFile("file", "photo.jpg")
	file := bytes.Repeat([]byte{0x5A}, size)
	copy(file, []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F', 0})
	for i := 16; i < len(file); i += 4096 {
		file[i] = byte(i >> 12) // not one long run: no compressor makes it trivial
	}
	_, _ = fw.Write(file)
	_ = w.Close()
	return buf.Bytes(), w.FormDataContentType()
}

// upload posts one document to an application.
func (b *Bench) upload(ctx context.Context, a appRef, body []byte, ct string) error {
	st, resp, err := b.cl.Do(ctx, Call{Method: http.MethodPost, Path: "/api/v1/applications/" + a.id + "/documents", Token: a.token,
		Body: bytes.NewReader(body), ContentType: ct})
	if err != nil {
		return err
	}
	if st != http.StatusCreated {
		return statusError{st, string(resp)}
	}
	return nil
}

// lineUpload: document uploads (MiB/s of file) against raw S3 PutObject
// of the same size.
func (b *Bench) lineUpload(ctx context.Context) error {
	size := b.opt.UploadKiB << 10
	body, ct := uploadBody(size)
	file := make([]byte, size)
	copy(file, body) // raw puts: same length
	mib := float64(size) / (1 << 20)
	line := Line{Name: fmt.Sprintf("upload %s MiB documents", trimFloat(mib)), Unit: "MiB/s", RawName: "S3 PutObject", Target: Target{RatioAtLeast, 0.8}}
	var cost, rawCost Cost
	// Each upload goes to an application of its own (no replacement);
	// the first ones are kept for the staff line and the RSS line.
	var next atomic.Int64
	next.Store(int64(staffApps + rssUploads))
	for r := range b.opt.Rounds {
		res := b.measured(ctx, &rawCost, func() RunResult {
			return closedLoop(ctx, b.opt.Clients, b.opt.Duration, func(ctx context.Context, _ int) error {
				_, err := b.minio.PutObject(ctx, "bench-raw", "raw/"+randomHex(10), bytes.NewReader(file), int64(size),
					minio.PutObjectOptions{ContentType: "image/jpeg", DisableContentSha256: true, DisableMultipart: true})
				return err
			})
		})
		b.logRound("raw S3 PutObject", r, res, "MiB/s", res.Rate()*mib)
		line.RawValues = append(line.RawValues, res.Rate()*mib)
		res = b.measured(ctx, &cost, func() RunResult {
			return closedLoop(ctx, b.opt.Clients, b.opt.Duration, func(ctx context.Context, _ int) error {
				j := int(next.Add(1) - 1)
				if j >= len(b.apps)-b.opt.Rounds*rssUploads { // the tail is the RSS line's
					return errExhausted
				}
				return b.upload(ctx, b.apps[j], body, ct)
			})
		})
		b.logRound("upload", r, res, "MiB/s", res.Rate()*mib)
		line.Values = append(line.Values, res.Rate()*mib)
	}
	line.Evidence = append(cost.Evidence(b.cores, 0), prefixed("raw PutObject: ", rawCost.Evidence(b.cores, 0))...)
	b.report.Lines = append(b.report.Lines, line)
	return nil
}

const (
	// staffApps are the applications submitted for the staff line.
	staffApps = 48
	// rssUploads are the concurrent 10 MiB uploads of the RSS line.
	rssUploads = 20
)

// lineUploadRSS: the server's resident set growth during 20 concurrent
// uploads of 10 MiB.
func (b *Bench) lineUploadRSS(ctx context.Context) error {
	line := Line{Name: "RSS growth, 20 concurrent 10 MiB uploads", Unit: "MiB", Target: Target{Below, 32}}
	body, ct := uploadBody(10 << 20)
	pid := b.server.Pid()
	for r := range b.opt.Rounds {
		time.Sleep(500 * time.Millisecond)
		if err := resetPeakRSS(pid); err != nil {
			line.Err = "cannot reset the server's peak RSS: " + err.Error()
			break
		}
		before, err := procStatus(pid, "VmRSS")
		if err != nil {
			line.Err = err.Error()
			break
		}
		var wg sync.WaitGroup
		errs := make([]error, rssUploads)
		for i := range rssUploads {
			// Round r uses its own applications (documents are not
			// replaced); the first rounds' come from the reserved range.
			a := b.apps[staffApps+i]
			if r > 0 {
				a = b.apps[len(b.apps)-1-(r-1)*rssUploads-i]
			}
			wg.Go(func() { errs[i] = b.upload(ctx, a, body, ct) })
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return fmt.Errorf("RSS uploads: %w", err)
		}
		peak, err := procStatus(pid, "VmHWM")
		if err != nil {
			line.Err = err.Error()
			break
		}
		growth := float64(peak-before) / (1 << 20)
		b.logf("RSS round %d: VmRSS %s MiB before, peak %s MiB (+%s MiB)", r+1, trimFloat(float64(before)/(1<<20)), trimFloat(float64(peak)/(1<<20)), trimFloat(growth))
		line.Values = append(line.Values, growth)
	}
	b.report.Lines = append(b.report.Lines, line)
	return nil
}
