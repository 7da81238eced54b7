package storage

import (
	"fmt"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	"gorm.io/gorm"
)

// UseTracing makes every query a span (GORM callbacks) under the span in
// the query's context, and each transaction (InTx) a span around them. The
// SQL is recorded without its variables (they may be personal data). This
// is GORM's tracing-plugin approach in a few lines: the plugin module
// itself (gorm.io/plugin/opentelemetry) links the ClickHouse and Postgres
// drivers into the binary.
func (db *DB) UseTracing(tp trace.TracerProvider) error {
	tracer := tp.Tracer("github.com/jiuzhu/jiuzhu/storage")
	db.tracer = tracer
	const spanKey = "jiuzhu:span"
	before := func(op string) func(*gorm.DB) {
		return func(tx *gorm.DB) {
			ctx, span := tracer.Start(tx.Statement.Context, "gorm."+op, trace.WithSpanKind(trace.SpanKindClient),
				trace.WithAttributes(attribute.String("db.system", db.dialect), attribute.String("db.sql.table", tx.Statement.Table)))
			tx.Statement.Context = ctx
			tx.InstanceSet(spanKey, span)
		}
	}
	after := func(tx *gorm.DB) {
		v, ok := tx.InstanceGet(spanKey)
		if !ok {
			return
		}
		span := v.(trace.Span)
		span.SetAttributes(attribute.String("db.statement", tx.Statement.SQL.String()), attribute.Int64("db.rows_affected", tx.Statement.RowsAffected))
		if tx.Error != nil && tx.Error != gorm.ErrRecordNotFound {
			span.RecordError(tx.Error)
			span.SetStatus(codes.Error, tx.Error.Error())
		}
		span.End()
	}
	for _, g := range []*gorm.DB{db.gorm, db.reader} {
		if g == nil {
			continue
		}
		cb := g.Callback()
		for _, reg := range []struct {
			op            string
			before, after func(name string, fn func(*gorm.DB)) error
		}{
			{"create", func(n string, f func(*gorm.DB)) error { return cb.Create().Before("gorm:create").Register(n, f) }, func(n string, f func(*gorm.DB)) error { return cb.Create().After("gorm:create").Register(n, f) }},
			{"query", func(n string, f func(*gorm.DB)) error { return cb.Query().Before("gorm:query").Register(n, f) }, func(n string, f func(*gorm.DB)) error { return cb.Query().After("gorm:query").Register(n, f) }},
			{"update", func(n string, f func(*gorm.DB)) error { return cb.Update().Before("gorm:update").Register(n, f) }, func(n string, f func(*gorm.DB)) error { return cb.Update().After("gorm:update").Register(n, f) }},
			{"delete", func(n string, f func(*gorm.DB)) error { return cb.Delete().Before("gorm:delete").Register(n, f) }, func(n string, f func(*gorm.DB)) error { return cb.Delete().After("gorm:delete").Register(n, f) }},
			{"row", func(n string, f func(*gorm.DB)) error { return cb.Row().Before("gorm:row").Register(n, f) }, func(n string, f func(*gorm.DB)) error { return cb.Row().After("gorm:row").Register(n, f) }},
			{"raw", func(n string, f func(*gorm.DB)) error { return cb.Raw().Before("gorm:raw").Register(n, f) }, func(n string, f func(*gorm.DB)) error { return cb.Raw().After("gorm:raw").Register(n, f) }},
		} {
			if err := reg.before("jiuzhu:trace_before_"+reg.op, before(reg.op)); err != nil {
				return fmt.Errorf("gorm tracing: %w", err)
			}
			if err := reg.after("jiuzhu:trace_after_"+reg.op, after); err != nil {
				return fmt.Errorf("gorm tracing: %w", err)
			}
		}
	}
	return nil
}
