package model

import (
	"bytes"
	"testing"
)

func TestGoodsSharesSumToTheValue(t *testing.T) {
	for _, c := range []struct{ value, quantity int64 }{{100001, 10}, {10000, 3}, {1, 7}, {0, 5}, {999999999, 13}} {
		for _, steps := range [][]int64{{1, 1, 1}, {2, 5}, {c.quantity}} {
			var allocated, sum int64
			for _, take := range steps {
				if allocated+take > c.quantity {
					take = c.quantity - allocated
				}
				sum += GoodsShare(c.value, c.quantity, allocated, take)
				allocated += take
			}
			// The rest, taken at once, completes the value exactly.
			sum += GoodsShare(c.value, c.quantity, allocated, c.quantity-allocated)
			if sum != c.value {
				t.Errorf("value %d of %d items in steps %v: shares sum to %d", c.value, c.quantity, steps, sum)
			}
		}
	}
}

func TestTraceCodeRoundTrip(t *testing.T) {
	code, err := NewTraceCode(bytes.NewReader(bytes.Repeat([]byte{0xA5}, 10)))
	if err != nil {
		t.Fatal(err)
	}
	if len(code) != 19 || CanonicalTraceCode(code) != code {
		t.Fatalf("code %q", code)
	}
	for in, want := range map[string]string{
		"abcd efgh jkmn pqrs": "ABCD-EFGH-JKMN-PQRS",
		"oooo-iiii-llll-0000": "0000-1111-1111-0000",
		"ABCD-EFGH-JKMN-PQR":  "",
		"ABCD-EFGH-JKMN-PQRU": "",
		"ABCD-EFGH-JKMN-PQR张": "",
	} {
		if got := CanonicalTraceCode(in); got != want {
			t.Errorf("CanonicalTraceCode(%q) = %q, want %q", in, got, want)
		}
	}
	if YuanWords(50000) != "500 元" || YuanWords(12345) != "123.45 元" || YuanWords(5) != "0.05 元" {
		t.Error("YuanWords")
	}
}
