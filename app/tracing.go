package app

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/extra/redisotel/v9"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/jiuzhu/jiuzhu/config"
	"github.com/jiuzhu/jiuzhu/storage"
)

// Tracing is the process's OpenTelemetry tracer provider: OTLP/HTTP to
// JIUZHU_OTEL_ENDPOINT in batches, or a no-op provider when it is unset.
// Shutdown flushes the batches (serve calls it on the way out).
type Tracing struct {
	Provider trace.TracerProvider
	Shutdown func(context.Context) error
}

// NewTracing builds the provider the configuration asks for.
func NewTracing(ctx context.Context, cfg config.Config, build BuildInfo) (*Tracing, error) {
	if cfg.OTelEndpoint == "" {
		return &Tracing{Provider: noop.NewTracerProvider(), Shutdown: func(context.Context) error { return nil }}, nil
	}
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(cfg.OTelEndpoint))
	if err != nil {
		return nil, fmt.Errorf("JIUZHU_OTEL_ENDPOINT: %w", err)
	}
	res := resource.NewWithAttributes(semconv.SchemaURL,
		semconv.ServiceName("jiuzhu"), semconv.ServiceVersion(build.Version))
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	return &Tracing{Provider: tp, Shutdown: tp.Shutdown}, nil
}

// instrumentBackends adds tracing to the database (GORM plugin) and Redis
// (redisotel) clients.
func instrumentBackends(b *Backends, tp trace.TracerProvider) error {
	if err := b.DB.UseTracing(tp); err != nil {
		return fmt.Errorf("database tracing: %w", err)
	}
	if s3, ok := b.Blobs.(*storage.S3Blobs); ok {
		s3.UseTracing(tp)
	}
	if b.Redis != nil {
		if err := redisotel.InstrumentTracing(b.Redis, redisotel.WithTracerProvider(tp), redisotel.WithDBStatement(false)); err != nil {
			return fmt.Errorf("redis tracing: %w", err)
		}
	}
	return nil
}
