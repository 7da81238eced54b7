package storage

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"syscall"

	mysqldrv "github.com/go-sql-driver/mysql"
)

// MySQL server errors that mean the connection or the server is going away
// rather than that the statement was wrong.
var mysqlGoneErrors = map[uint16]bool{
	1040: true, // ER_CON_COUNT_ERROR: too many connections
	1053: true, // ER_SERVER_SHUTDOWN
	1152: true, // ER_ABORTING_CONNECTION
	1927: true, // ER_CONNECTION_KILLED
	2002: true, // CR_CONNECTION_ERROR
	2003: true, // CR_CONN_HOST_ERROR
	2006: true, // CR_SERVER_GONE_ERROR
	2013: true, // CR_SERVER_LOST
}

// SQLite primary result codes that mean the database file cannot be used
// now: disk full, an I/O error, a read-only file or mount, a file that
// cannot be opened.
var sqliteUnusable = map[int]bool{
	8:  true, // SQLITE_READONLY
	10: true, // SQLITE_IOERR
	13: true, // SQLITE_FULL
	14: true, // SQLITE_CANTOPEN
}

// diskErrnos are the file-system errors that mean the local disk cannot
// take writes (full, over quota, read-only, failing, or not ours to write),
// as opposed to a bad key or a client that went away.
var diskErrnos = []syscall.Errno{syscall.ENOSPC, syscall.EDQUOT, syscall.EROFS, syscall.EIO, syscall.EACCES, syscall.EPERM}

// lostConnection reports whether a database error means the server could
// not be reached or the connection broke: a refused or timed-out dial, a
// connection the driver found dead ("invalid connection", "bad
// connection"), an EOF mid-reply, the server shutting down or having gone
// away, or a SQLite file the disk no longer serves. A caller giving up
// (context canceled or past its deadline) is handled by the caller.
func lostConnection(err error) bool {
	var (
		myErr *mysqldrv.MySQLError
		coded interface{ Code() int }
	)
	switch {
	case errors.Is(err, driver.ErrBadConn),
		errors.Is(err, sql.ErrConnDone),
		errors.Is(err, mysqldrv.ErrInvalidConn),
		errors.Is(err, io.EOF),
		errors.Is(err, io.ErrUnexpectedEOF),
		isNetErr(err),
		diskUnusable(err):
		return true
	case errors.As(err, &myErr):
		return mysqlGoneErrors[myErr.Number]
	case errors.As(err, &coded):
		return sqliteUnusable[coded.Code()&0xff]
	}
	return false
}

// diskUnusable reports whether err is a local file system refusing a write
// (see diskErrnos).
func diskUnusable(err error) bool {
	for _, errno := range diskErrnos {
		if errors.Is(err, errno) {
			return true
		}
	}
	return false
}

func isNetErr(err error) bool {
	var ne net.Error
	return errors.As(err, &ne)
}
