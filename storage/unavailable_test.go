package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	mysqldrv "github.com/go-sql-driver/mysql"

	"github.com/jiuzhu/jiuzhu/model"
)

// sqliteErr stands for the SQLite driver's error type, which carries the
// result code behind Code().
type sqliteErr int

func (e sqliteErr) Error() string { return fmt.Sprintf("sqlite error %d", int(e)) }
func (e sqliteErr) Code() int     { return int(e) }

// TestTranslateLostConnection: every way a database connection is lost, or
// the SQLite file stops taking writes, is the 503 kind; statement errors
// are not.
func TestTranslateLostConnection(t *testing.T) {
	t.Parallel()
	unavailable := map[string]error{
		"invalid connection":  mysqldrv.ErrInvalidConn,
		"server gone":         &mysqldrv.MySQLError{Number: 2006, Message: "MySQL server has gone away"},
		"server shutdown":     &mysqldrv.MySQLError{Number: 1053, Message: "Server shutdown in progress"},
		"connection killed":   &mysqldrv.MySQLError{Number: 1927, Message: "Connection was killed"},
		"unexpected eof":      io.ErrUnexpectedEOF,
		"connection refused":  &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED},
		"deadline":            fmt.Errorf("query: %w", context.DeadlineExceeded),
		"sqlite disk full":    sqliteErr(13),
		"sqlite ioerr write":  sqliteErr(10 | 3<<8),
		"sqlite read-only":    sqliteErr(8),
		"disk full (errno)":   fmt.Errorf("write: %w", syscall.ENOSPC),
		"read-only fs":        fmt.Errorf("open: %w", syscall.EROFS),
		"wrapped bad conn":    fmt.Errorf("begin: %w", errors.Join(errors.New("x"), mysqldrv.ErrInvalidConn)),
		"sqlite cannot open":  sqliteErr(14),
		"mysql too many conn": &mysqldrv.MySQLError{Number: 1040, Message: "Too many connections"},
	}
	for name, err := range unavailable {
		if got := translate("op", err); !errors.Is(got, model.ErrUnavailable) {
			t.Errorf("%s: translate = %v (kind %s), want unavailable", name, got, model.KindOf(got))
		}
	}
	for name, err := range map[string]error{
		"syntax":            &mysqldrv.MySQLError{Number: 1064, Message: "syntax"},
		"sqlite constraint": sqliteErr(19),
		"plain":             errors.New("something else"),
	} {
		if got := translate("op", err); model.KindOf(got) == model.KindUnavailable {
			t.Errorf("%s: translate = %v, want not unavailable", name, got)
		}
	}
}
