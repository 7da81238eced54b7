package storage

import (
	"net/http"
	"strings"
	"sync/atomic"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// s3Transport is the S3 client's HTTP transport: each request to the store
// is a span ("s3.PUT", "s3.GET" …) under the span of its context once
// tracing is on (S3Blobs.UseTracing); the object key is not recorded (it
// names the case).
type s3Transport struct {
	base   http.RoundTripper
	bucket string
	tracer atomic.Pointer[trace.Tracer]
}

func (t *s3Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	tp := t.tracer.Load()
	if tp == nil {
		return t.base.RoundTrip(req)
	}
	ctx, span := (*tp).Start(req.Context(), "s3."+req.Method, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("http.request.method", req.Method), attribute.String("server.address", req.URL.Host),
			attribute.String("aws.s3.bucket", t.bucket), attribute.Bool("s3.object", strings.Count(strings.Trim(req.URL.Path, "/"), "/") > 0)))
	defer span.End()
	resp, err := t.base.RoundTrip(req.WithContext(ctx))
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
		return resp, err
	}
	span.SetAttributes(attribute.Int("http.response.status_code", resp.StatusCode))
	if resp.StatusCode >= 500 {
		span.SetStatus(codes.Error, resp.Status)
	}
	return resp, nil
}

// UseTracing makes every request to the store a span.
func (b *S3Blobs) UseTracing(tp trace.TracerProvider) {
	tr := tp.Tracer("github.com/jiuzhu/jiuzhu/storage/s3")
	b.transport.tracer.Store(&tr)
}
