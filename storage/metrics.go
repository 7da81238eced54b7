package storage

import (
	"context"
	"database/sql"
)

// Counts of the business objects for the Prometheus metrics, aggregated
// in SQL at scrape time (the metrics collector caches them).

// KeyCount is one group of a GROUP BY: up to two label values and a count.
type KeyCount struct {
	A, B string
	N    int64
}

// BusinessCounts are the totals the metrics export.
type BusinessCounts struct {
	// Applications by program (A) and current status (B).
	Applications []KeyCount
	// Decisions by program (A) and decision (B: approved or rejected):
	// every approval or rejection step recorded, so a case decided again
	// after an upheld objection counts twice.
	Decisions []KeyCount
	// Vouchers issued (every row, voided ones too) and redemptions.
	VouchersIssued, VoucherRedemptions int64
	// PaymentAmounts sums the lines of approved payment rolls in fen by
	// program (A) and line status (B: scheduled, held, paid, failed).
	PaymentAmounts []KeyCount
	// PaymentRolls counts rolls by status (A: draft, approved).
	PaymentRolls []KeyCount
}

// BusinessCounts reads the totals in six aggregate queries.
func (db *DB) BusinessCounts(ctx context.Context) (BusinessCounts, error) {
	var out BusinessCounts
	c := db.conn(ctx)
	if err := c.Raw(`SELECT program AS a, status AS b, COUNT(*) AS n FROM applications GROUP BY program, status`).
		Scan(&out.Applications).Error; err != nil {
		return out, translate("count applications", err)
	}
	if err := c.Raw(`SELECT a.program AS a, e.status AS b, COUNT(*) AS n FROM application_events e
		JOIN applications a ON a.id = e.application_id
		WHERE e.status IN ('approved', 'rejected') GROUP BY a.program, e.status`).
		Scan(&out.Decisions).Error; err != nil {
		return out, translate("count decisions", err)
	}
	if err := c.Raw(`SELECT COUNT(*) FROM vouchers`).Scan(&out.VouchersIssued).Error; err != nil {
		return out, translate("count vouchers", err)
	}
	if err := c.Raw(`SELECT COUNT(*) FROM redemptions`).Scan(&out.VoucherRedemptions).Error; err != nil {
		return out, translate("count redemptions", err)
	}
	if err := c.Raw(`SELECT r.program AS a, l.status AS b, COALESCE(SUM(l.amount), 0) AS n FROM payment_lines l
		JOIN payment_rolls r ON r.id = l.roll_id WHERE r.status = 'approved' GROUP BY r.program, l.status`).
		Scan(&out.PaymentAmounts).Error; err != nil {
		return out, translate("sum payment lines", err)
	}
	if err := c.Raw(`SELECT status AS a, COUNT(*) AS n FROM payment_rolls GROUP BY status`).Scan(&out.PaymentRolls).Error; err != nil {
		return out, translate("count payment rolls", err)
	}
	return out, nil
}

// SQLDB is the connection pool, for its statistics (sql.DBStats).
func (db *DB) SQLDB() *sql.DB { return db.sql }
