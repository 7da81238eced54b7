package service

import (
	"bytes"
	"testing"
)

// FuzzSniffContentType: the sniffer names one of the accepted types or
// none, decides from the first sniffLen bytes only, and keeps its verdict
// when more of the file arrives.
func FuzzSniffContentType(f *testing.F) {
	for _, s := range [][]byte{
		{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F', 0},
		[]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
		[]byte("%PDF-1.7\n"),
		[]byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"),
		[]byte("MZ\x90\x00"), {}, {0xFF, 0xD8}, []byte("%PDF"), []byte("<html><script>"),
	} {
		f.Add(s)
	}
	allowed := map[string]bool{"": true, "image/jpeg": true, "image/png": true, "application/pdf": true, "image/heic": true}
	f.Fuzz(func(t *testing.T, data []byte) {
		got := SniffContentType(data)
		if !allowed[got] {
			t.Fatalf("SniffContentType(% x) = %q, not an accepted type", data, got)
		}
		if head := data[:min(len(data), sniffLen)]; SniffContentType(head) != got {
			t.Fatalf("the verdict on % x depends on bytes after the first %d", data, sniffLen)
		}
		if got != "" && SniffContentType(append(bytes.Clone(data), 0, 1, 2)) != got {
			t.Fatalf("the verdict %q on % x changes when more bytes follow", got, data)
		}
	})
}
