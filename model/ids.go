package model

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	"sync"
	"time"
)

// Clock is where time comes from; tests inject a fixed or stepping clock.
type Clock interface {
	Now() time.Time
}

// SystemClock is the real clock, in UTC.
type SystemClock struct{}

// Now returns the current time in UTC.
func (SystemClock) Now() time.Time { return time.Now().UTC() }

// crockford is Crockford's base32 alphabet: no I, L, O or U.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// IDs makes sortable 26-character identifiers (48-bit milliseconds + 80
// random bits, Crockford base32), so cursor pagination by id follows
// creation order. Randomness and time are injected.
type IDs struct {
	mu     sync.Mutex
	clock  Clock
	rand   io.Reader
	lastMS uint64
	last   [10]byte
}

// NewIDs returns a generator over the given clock and random source
// (crypto/rand.Reader when nil).
func NewIDs(clock Clock, random io.Reader) *IDs {
	if random == nil {
		random = rand.Reader
	}
	if clock == nil {
		clock = SystemClock{}
	}
	return &IDs{clock: clock, rand: random}
}

// New returns a fresh id. Ids made by one generator are strictly
// increasing: within one millisecond the random part is incremented instead
// of drawn again, so timelines and message lists keep their order even when
// the clock stands still. It panics only if the random source fails, which
// crypto/rand never does on a working system.
func (g *IDs) New() string {
	var b [16]byte
	ms := uint64(g.clock.Now().UnixMilli())
	g.mu.Lock()
	if ms <= g.lastMS && g.lastMS != 0 {
		ms = g.lastMS
		for i := len(g.last) - 1; i >= 0; i-- {
			g.last[i]++
			if g.last[i] != 0 {
				break
			}
		}
	} else if _, err := io.ReadFull(g.rand, g.last[:]); err != nil {
		g.mu.Unlock()
		panic(fmt.Sprintf("random source failed: %v", err))
	}
	g.lastMS = ms
	binary.BigEndian.PutUint64(b[:8], ms<<16)
	copy(b[6:16], g.last[:])
	g.mu.Unlock()
	return encode128(b)
}

// encode128 writes 128 bits as 26 Crockford base32 characters (ULID layout).
func encode128(b [16]byte) string {
	hi := binary.BigEndian.Uint64(b[:8])
	lo := binary.BigEndian.Uint64(b[8:])
	out := make([]byte, 26)
	for i := 25; i >= 0; i-- {
		out[i] = crockford[lo&31]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	return string(out)
}

// RandomToken returns n random bytes from r (crypto/rand when nil).
func RandomToken(r io.Reader, n int) ([]byte, error) {
	if r == nil {
		r = rand.Reader
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, fmt.Errorf("random source: %w", err)
	}
	return b, nil
}
