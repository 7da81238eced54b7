package api_test

import (
	"net/http"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/jiuzhu/jiuzhu/apitest"
)

// TestOneTraceAcrossLayers: with a tracer provider (an in-memory recorder
// here, OTLP in production), a request that carries a W3C traceparent
// continues that trace through gin (otelgin), the transaction the service
// opens and every GORM query (and Redis command on the real backends); the
// access-log line names the trace.
func TestOneTraceAcrossLayers(t *testing.T) {
	t.Parallel()
	for _, backend := range apitest.Backends() {
		t.Run(backend, func(t *testing.T) {
			rec := tracetest.NewSpanRecorder()
			tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
			env := apitest.New(t, backend, apitest.WithTracerProvider(tp))
			tok := login(t, env, newPhone())

			const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
			r := env.Do(apitest.Request{
				Method: http.MethodPut, Path: "/api/v1/me/household", Token: tok, Body: household(makeID("19800101", true)),
				Header: map[string]string{"traceparent": "00-" + traceID + "-00f067aa0ba902b7-01"},
			})
			apitest.Want(t, r, http.StatusOK)

			byID := map[string]sdktrace.ReadOnlySpan{}
			var server sdktrace.ReadOnlySpan
			var queries, txs, redis int
			for _, s := range rec.Ended() {
				if s.SpanContext().TraceID().String() != traceID {
					continue
				}
				byID[s.SpanContext().SpanID().String()] = s
				switch name := s.Name(); {
				case name == "/api/v1/me/household" || strings.HasSuffix(name, " /api/v1/me/household"):
					server = s
				case strings.HasPrefix(name, "gorm."):
					queries++
				case name == "db.transaction":
					txs++
				default:
					redis++
				}
			}
			if server == nil {
				var names []string
				for _, s := range rec.Ended() {
					names = append(names, s.Name()+"@"+s.SpanContext().TraceID().String())
				}
				t.Fatalf("no server span in trace %s; spans: %v", traceID, names)
			}
			if server.Parent().SpanID().String() != "00f067aa0ba902b7" {
				t.Errorf("server span's parent = %s, want the caller's span from traceparent", server.Parent().SpanID())
			}
			if txs == 0 || queries == 0 {
				t.Errorf("trace has %d transaction and %d query spans, want both", txs, queries)
			}
			if backend == "real" && redis == 0 {
				t.Error("no Redis span in the trace (the session lookup)")
			}
			// Every span of the trace descends from the server span.
			for _, s := range byID {
				p := s
				for p != server {
					parent, ok := byID[p.Parent().SpanID().String()]
					if !ok {
						t.Errorf("span %s does not descend from the request's span", s.Name())
						break
					}
					p = parent
				}
			}
			if !strings.Contains(env.Logs.String(), `"trace_id":"`+traceID+`"`) {
				t.Error("the access log line does not name the trace")
			}
		})
	}
}

// TestUploadTracedToTheObjectStore: on the real backends an upload's trace
// reaches the S3 request that stores the file (the object key unrecorded).
func TestUploadTracedToTheObjectStore(t *testing.T) {
	t.Parallel()
	for _, backend := range apitest.Backends() {
		if backend != "real" {
			continue // the embedded set keeps files on local disk
		}
		t.Run(backend, func(t *testing.T) {
			rec := tracetest.NewSpanRecorder()
			tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
			env := apitest.New(t, backend, apitest.WithTracerProvider(tp))
			tok := login(t, env, newPhone())
			apitest.Want(t, env.Put("/api/v1/me/household", tok, household(makeID("19800101", true))), http.StatusOK)
			app := createApp(t, env, tok, "dibao")
			const traceID = "5bf92f3577b34da6a3ce929d0e0e4737"
			body, ct := apitest.Multipart(t, map[string]string{"kind": "id_card"}, "id.jpg", jpegFile)
			r := env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/v1/applications/" + app + "/documents", Token: tok, Body: body,
				Header: map[string]string{"Content-Type": ct, "traceparent": "00-" + traceID + "-00f067aa0ba902b8-01"}})
			apitest.Want(t, r, http.StatusCreated)
			var puts []string
			for _, s := range rec.Ended() {
				if s.SpanContext().TraceID().String() == traceID && s.Name() == "s3.PUT" {
					for _, a := range s.Attributes() {
						if strings.Contains(a.Value.String(), "documents/") {
							t.Errorf("the span records the object key: %v", a)
						}
					}
					puts = append(puts, s.Name())
				}
			}
			if len(puts) == 0 {
				t.Fatal("no s3.PUT span in the upload's trace")
			}
		})
	}
}
