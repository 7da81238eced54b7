package storage

import (
	"strings"
	"testing"
)

func TestMySQLDSNInterpolatesParams(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want, not string }{
		{"u:p@tcp(db:3306)/j", "?parseTime=true&charset=utf8mb4&loc=UTC&clientFoundRows=true&interpolateParams=true&", ""},
		{"u:p@tcp(db:3306)/j?charset=utf8mb4", "charset=utf8mb4&parseTime=true", "charset=utf8mb4&charset"},
		{"u:p@tcp(db:3306)/j?interpolateParams=false", "interpolateParams=false", "interpolateParams=true"},
	} {
		got := MySQLDSN(tc.in)
		if !strings.Contains(got, tc.want) || (tc.not != "" && strings.Contains(got, tc.not)) {
			t.Errorf("MySQLDSN(%q) = %q; want it to contain %q and not %q", tc.in, got, tc.want, tc.not)
		}
	}
}
