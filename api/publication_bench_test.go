package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/service"
)

// countingResponse is an http.ResponseWriter that only counts the body.
type countingResponse struct {
	header http.Header
	status int
	n      int64
}

func (w *countingResponse) Header() http.Header         { return w.header }
func (w *countingResponse) WriteHeader(status int)      { w.status = status }
func (w *countingResponse) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

// BenchmarkPublication50k publishes a list of 50,000 approved recipients
// and downloads it as Excel through the router. Targets: under 10 s and
// under 256 MiB of resident set growth for the whole run.
func BenchmarkPublication50k(b *testing.B) {
	const (
		entries    = 50_000
		households = 200
		timeLimit  = 10 * time.Second
		memLimit   = 256 << 20
	)
	env := apitest.New(b, "embedded")
	ctx := context.Background()
	hh := benchHouseholds(b, env, households, 30000)
	if err := env.InsertApprovedApplications(ctx, hh, model.ProgramDibao, "330502001001", entries-households, 30000); err != nil {
		b.Fatal(err)
	}
	street := model.Principal{Kind: model.PrincipalStaff, ID: "bench-street", Role: model.RoleStreetReviewer, RegionCode: "330502001"}
	period := model.MonthOf(env.Clock.Now())
	var run peakRun
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		run.measure(b, func() int64 {
			pub, err := env.App.Publications.Create(model.WithPrincipal(ctx, street), service.PublicationInput{RegionCode: "330502001", Program: model.ProgramDibao, Period: period})
			if err != nil {
				b.Fatal(err)
			}
			if pub.EntryCount != entries {
				b.Fatalf("publication of %d entries, want %d", pub.EntryCount, entries)
			}
			id := pub.ID
			pub = service.PublicationView{}
			w := &countingResponse{header: http.Header{}, status: http.StatusOK}
			env.Handler.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/api/v1/public/publications/"+id+".xlsx", nil))
			if w.status != http.StatusOK || w.n == 0 {
				b.Fatalf("xlsx: status %d, %d bytes", w.status, w.n)
			}
			return w.n
		})
		b.StartTimer()
	}
	run.report(b, "s/publication", fmt.Sprintf("a publication of %d entries with its Excel", entries), timeLimit, memLimit)
}
