package service

import (
	"bytes"
	"testing"
)

func TestDataKeySealing(t *testing.T) {
	k, err := NewKeys("0123456789abcdef-test-key-material-7Q9x", nil)
	if err != nil {
		t.Fatal(err)
	}
	other, err := NewKeys("fedcba9876543210-other-key-material-Z4w", nil)
	if err != nil {
		t.Fatal(err)
	}
	dataKey := bytes.Repeat([]byte{0xA5}, dataKeyLen)
	sealed, err := k.SealDataKey(dataKey, "documents/a/1")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := k.OpenDataKey(sealed, "documents/a/1"); err != nil || !bytes.Equal(got, dataKey) {
		t.Fatalf("open: %x, %v", got, err)
	}
	for name, open := range map[string]func() ([]byte, error){
		"another object":     func() ([]byte, error) { return k.OpenDataKey(sealed, "documents/a/2") },
		"another master key": func() ([]byte, error) { return other.OpenDataKey(sealed, "documents/a/1") },
		"altered":            func() ([]byte, error) { return k.OpenDataKey(sealed[:len(sealed)-2]+"AA", "documents/a/1") },
		"unknown format":     func() ([]byte, error) { return k.OpenDataKey("x"+sealed, "documents/a/1") },
	} {
		if _, err := open(); err == nil {
			t.Errorf("%s: opened", name)
		}
	}
}
