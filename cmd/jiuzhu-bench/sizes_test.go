package main

import (
	"bufio"
	"strings"
	"testing"
)

func TestParseGauges(t *testing.T) {
	text := `# HELP go_sql_open_connections The number of established connections.
# TYPE go_sql_open_connections gauge
go_sql_open_connections{db_name="jiuzhu"} 7
go_sql_open_connections_extra 99
go_sql_in_use_connections{db_name="a"} 2
go_sql_in_use_connections{db_name="b"} 3
go_sql_wait_count_total 1.5e+01
`
	got, err := parseGauges(bufio.NewScanner(strings.NewReader(text)), "go_sql_open_connections", "go_sql_in_use_connections", "go_sql_wait_count_total", "absent")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"go_sql_open_connections": 7, "go_sql_in_use_connections": 5, "go_sql_wait_count_total": 15}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	if s := (tableSize{rows: 4, bytes: 1000}).perRow(); s != 250 {
		t.Errorf("per row %v", s)
	}
}
