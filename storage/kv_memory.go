package storage

import (
	"bytes"
	"container/heap"
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jiuzhu/jiuzhu/model"
)

// kvService names the KV store in model.Unavailable errors.
const kvService = "session store"

// DefaultMemoryKVMaxKeys is the bound NewMemoryKV uses when given none.
const DefaultMemoryKVMaxKeys = 100_000

// errKVClosed is the cause behind model.ErrUnavailable once a MemoryKV is closed.
var errKVClosed = errors.New("memory kv is closed")

var _ KV = (*MemoryKV)(nil)

// MemoryKV is the in-process KV for embedded mode: one process, no Redis.
// It is safe for concurrent use. Expired entries are dropped when they are
// read and swept on every write; the store never holds more than its
// maxKeys entries: a write that needs room evicts expired entries first,
// then the ones closest to expiry, then the oldest without an expiry.
type MemoryKV struct {
	now func() time.Time
	max int

	mu     sync.Mutex
	items  map[string]*memEntry
	order  memEvictionOrder
	seq    uint64
	closed bool
}

// memEntry is one stored key. expires is zero for "never".
type memEntry struct {
	key     string
	value   []byte
	expires time.Time
	seq     uint64 // bumped on every write; orders entries without expiry
	index   int    // position in memEvictionOrder
}

// NewMemoryKV returns an empty store holding at most maxKeys keys
// (DefaultMemoryKVMaxKeys when maxKeys < 1). now is the clock used for
// expiry; nil means time.Now.
func NewMemoryKV(maxKeys int, now func() time.Time) *MemoryKV {
	if maxKeys < 1 {
		maxKeys = DefaultMemoryKVMaxKeys
	}
	if now == nil {
		now = time.Now
	}
	return &MemoryKV{now: now, max: maxKeys, items: make(map[string]*memEntry)}
}

// Get returns a copy of the value at key: model.ErrNotFound when the key is
// absent or expired, model.ErrUnavailable after Close.
func (m *MemoryKV) Get(_ context.Context, key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, memKVClosed("get")
	}
	e := m.live(key, m.now())
	if e == nil {
		return nil, fmt.Errorf("storage: kv get: %w", model.ErrNotFound)
	}
	return bytes.Clone(e.value), nil
}

// Set stores a copy of value at key for ttl (0: no expiry), evicting other
// entries when the store is full. It fails on a negative ttl and with
// model.ErrUnavailable after Close.
func (m *MemoryKV) Set(_ context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < 0 {
		return fmt.Errorf("storage: kv set: negative ttl %v", ttl)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return memKVClosed("set")
	}
	now := m.now()
	m.put(key, bytes.Clone(value), ttlExpiry(now, ttl), now)
	return nil
}

// SetNX stores a copy of value at key for ttl only when key is absent or
// expired, and reports whether it did. It fails on a negative ttl and with
// model.ErrUnavailable after Close.
func (m *MemoryKV) SetNX(_ context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	if ttl < 0 {
		return false, fmt.Errorf("storage: kv setnx: negative ttl %v", ttl)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return false, memKVClosed("setnx")
	}
	now := m.now()
	if m.live(key, now) != nil {
		return false, nil
	}
	m.put(key, bytes.Clone(value), ttlExpiry(now, ttl), now)
	return true, nil
}

// IncrWindow increments the decimal counter at key. A new counter, or one
// stored without an expiry, gets a window of length window; the count and the
// time left in it are returned. It fails when window is not positive, when
// the stored value is not an integer, and with model.ErrUnavailable after
// Close.
func (m *MemoryKV) IncrWindow(_ context.Context, key string, window time.Duration) (int64, time.Duration, error) {
	if window <= 0 {
		return 0, 0, fmt.Errorf("storage: kv incr: window %v is not positive", window)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return 0, 0, memKVClosed("incr")
	}
	now := m.now()
	e := m.live(key, now)
	if e == nil {
		m.put(key, []byte("1"), now.Add(window), now)
		return 1, window, nil
	}
	n, err := strconv.ParseInt(string(e.value), 10, 64)
	if err != nil {
		return 0, 0, fmt.Errorf("storage: kv incr: stored value is not an integer: %w", err)
	}
	n++
	expires := e.expires
	if expires.IsZero() {
		expires = now.Add(window)
	}
	m.put(key, strconv.AppendInt(nil, n, 10), expires, now)
	return n, expires.Sub(now), nil
}

// Expire gives an existing key a new ttl (0: no expiry). It returns
// model.ErrNotFound when the key is absent or expired, fails on a negative
// ttl and with model.ErrUnavailable after Close.
func (m *MemoryKV) Expire(_ context.Context, key string, ttl time.Duration) error {
	if ttl < 0 {
		return fmt.Errorf("storage: kv expire: negative ttl %v", ttl)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return memKVClosed("expire")
	}
	now := m.now()
	e := m.live(key, now)
	if e == nil {
		return fmt.Errorf("storage: kv expire: %w", model.ErrNotFound)
	}
	e.expires = ttlExpiry(now, ttl)
	heap.Fix(&m.order, e.index)
	return nil
}

// Delete removes the keys; absent keys are skipped. It fails only with
// model.ErrUnavailable after Close.
func (m *MemoryKV) Delete(_ context.Context, keys ...string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return memKVClosed("delete")
	}
	for _, k := range keys {
		if e := m.items[k]; e != nil {
			m.remove(e)
		}
	}
	return nil
}

// Keys returns the live keys starting with prefix, sorted. It walks the
// whole store, so it is meant for the small sets KV.Keys documents. It fails
// only with model.ErrUnavailable after Close.
func (m *MemoryKV) Keys(_ context.Context, prefix string) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, memKVClosed("keys")
	}
	now := m.now()
	var keys []string
	for k, e := range m.items {
		if !strings.HasPrefix(k, prefix) {
			continue
		}
		if e.expiredAt(now) {
			m.remove(e)
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys, nil
}

// Ping reports model.ErrUnavailable after Close and nil before.
func (m *MemoryKV) Ping(context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return memKVClosed("ping")
	}
	return nil
}

// Close drops every entry; later calls fail with model.ErrUnavailable.
// Closing twice is not an error.
func (m *MemoryKV) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	m.items = nil
	m.order = nil
	return nil
}

// live returns the entry at key, dropping it and returning nil when it has
// expired. The caller holds m.mu.
func (m *MemoryKV) live(key string, now time.Time) *memEntry {
	e := m.items[key]
	if e == nil {
		return nil
	}
	if e.expiredAt(now) {
		m.remove(e)
		return nil
	}
	return e
}

// put stores value at key, first sweeping expired entries and, for a new
// key in a full store, evicting until there is room. The caller holds m.mu
// and owns value.
func (m *MemoryKV) put(key string, value []byte, expires, now time.Time) {
	m.sweep(now)
	m.seq++
	if e := m.items[key]; e != nil {
		e.value, e.expires, e.seq = value, expires, m.seq
		heap.Fix(&m.order, e.index)
		return
	}
	for len(m.items) >= m.max {
		m.remove(m.order[0])
	}
	e := &memEntry{key: key, value: value, expires: expires, seq: m.seq}
	m.items[key] = e
	heap.Push(&m.order, e)
}

// sweep drops the expired entries, which sit at the front of the eviction
// order, so it costs nothing when none has expired. The caller holds m.mu.
func (m *MemoryKV) sweep(now time.Time) {
	for len(m.order) > 0 && m.order[0].expiredAt(now) {
		m.remove(m.order[0])
	}
}

// remove drops e from the map and the eviction order. The caller holds m.mu.
func (m *MemoryKV) remove(e *memEntry) {
	heap.Remove(&m.order, e.index)
	delete(m.items, e.key)
}

func (e *memEntry) expiredAt(now time.Time) bool {
	return !e.expires.IsZero() && !now.Before(e.expires)
}

// memEvictionOrder is a min-heap of entries: those with an expiry first,
// soonest first, then those without, least recently written first.
type memEvictionOrder []*memEntry

func (o memEvictionOrder) Len() int { return len(o) }

func (o memEvictionOrder) Less(i, j int) bool {
	a, b := o[i], o[j]
	switch {
	case a.expires.IsZero() != b.expires.IsZero():
		return !a.expires.IsZero()
	case !a.expires.Equal(b.expires):
		return a.expires.Before(b.expires)
	default:
		return a.seq < b.seq
	}
}

func (o memEvictionOrder) Swap(i, j int) {
	o[i], o[j] = o[j], o[i]
	o[i].index = i
	o[j].index = j
}

func (o *memEvictionOrder) Push(x any) {
	e := x.(*memEntry)
	e.index = len(*o)
	*o = append(*o, e)
}

func (o *memEvictionOrder) Pop() any {
	old := *o
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*o = old[:len(old)-1]
	e.index = -1
	return e
}

// ttlExpiry turns a ttl into an expiry time; zero means never.
func ttlExpiry(now time.Time, ttl time.Duration) time.Time {
	if ttl == 0 {
		return time.Time{}
	}
	return now.Add(ttl)
}

func memKVClosed(op string) error {
	return fmt.Errorf("storage: kv %s: %w", op, model.Unavailable(kvService, errKVClosed))
}
