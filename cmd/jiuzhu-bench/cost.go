package main

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// dbCounters are the MariaDB status counters read before and after a
// measured round.
// Innodb_log_writes counts writes of the redo log (a group commit is one
// write: what a commit waits for), Innodb_data_fsyncs the fsyncs.
var dbCounters = []string{"Questions", "Com_select", "Com_insert", "Com_update", "Com_delete", "Com_begin", "Com_commit",
	"Com_rollback", "Com_stmt_prepare", "Innodb_log_writes", "Innodb_data_fsyncs", "Innodb_row_lock_waits", "Innodb_row_lock_time"}

// Snapshot is the state of the counters at one instant.
type Snapshot struct {
	At        time.Time
	DB        map[string]float64
	RedisCmds float64
	CPU       map[string]float64 // seconds of CPU per process name
	// MachineBusy is the CPU seconds every process on the machine (not
	// only ours: it is shared) has used, from /proc/stat.
	MachineBusy float64
}

// Cost accumulates what measured rounds consumed: counter deltas, CPU
// seconds per process, wall time and successful requests.
type Cost struct {
	Requests  float64
	Elapsed   time.Duration
	DB        map[string]float64
	RedisCmds float64
	CPU       map[string]float64
	// MachineBusy is CPU seconds used by everything on the machine.
	MachineBusy float64
}

// Add adds the difference between two snapshots and the round's requests.
func (c *Cost) Add(before, after Snapshot, requests int) {
	if c.DB == nil {
		c.DB, c.CPU = map[string]float64{}, map[string]float64{}
	}
	c.Requests += float64(requests)
	c.Elapsed += after.At.Sub(before.At)
	for k, v := range after.DB {
		c.DB[k] += v - before.DB[k]
	}
	c.RedisCmds += after.RedisCmds - before.RedisCmds
	c.MachineBusy += after.MachineBusy - before.MachineBusy
	for k, v := range after.CPU {
		c.CPU[k] += v - before.CPU[k]
	}
}

// perRequest is a counter divided by the requests.
func (c Cost) perRequest(name string) float64 {
	if c.Requests == 0 {
		return 0
	}
	return c.DB[name] / c.Requests
}

// Cores is how many cores a process kept busy on average.
func (c Cost) Cores(proc string) float64 {
	if c.Elapsed <= 0 {
		return 0
	}
	return c.CPU[proc] / c.Elapsed.Seconds()
}

// BusyCores is the sum over every process measured.
func (c Cost) BusyCores() float64 {
	var s float64
	for p := range c.CPU {
		s += c.Cores(p)
	}
	return s
}

// MachineCores is how many cores the whole machine kept busy.
func (c Cost) MachineCores() float64 {
	if c.Elapsed <= 0 {
		return 0
	}
	return c.MachineBusy / c.Elapsed.Seconds()
}

// LogWritesPerSecond is the redo log's write rate during the rounds (a
// group commit is one write).
func (c Cost) LogWritesPerSecond() float64 {
	if c.Elapsed <= 0 {
		return 0
	}
	return c.DB["Innodb_log_writes"] / c.Elapsed.Seconds()
}

// Evidence says, in sentences, what the rounds cost per request and what
// was busy, and names the likely bound: CPU when the machine's cores were
// nearly all busy, commits when the log fsync rate reached the raw
// INSERT's (rawFsyncs, 0 when not known), otherwise waiting (round trips
// and locks) with the machine partly idle.
func (c Cost) Evidence(cores, rawFsyncs float64) []string {
	if c.Requests == 0 {
		return nil
	}
	var out []string
	if len(c.DB) > 0 {
		out = append(out, fmt.Sprintf("per request: %s statements to MariaDB (%s SELECT, %s INSERT, %s UPDATE, %s DELETE, %s BEGIN, %s COMMIT, %s ROLLBACK, %s prepared), %s redo-log writes, %s fsyncs, %s row-lock waits (%s ms waited); %s Redis commands",
			trimFloat(c.perRequest("Questions")), trimFloat(c.perRequest("Com_select")), trimFloat(c.perRequest("Com_insert")),
			trimFloat(c.perRequest("Com_update")), trimFloat(c.perRequest("Com_delete")), trimFloat(c.perRequest("Com_begin")),
			trimFloat(c.perRequest("Com_commit")), trimFloat(c.perRequest("Com_rollback")), trimFloat(c.perRequest("Com_stmt_prepare")),
			trimFloat(c.perRequest("Innodb_log_writes")), trimFloat(c.perRequest("Innodb_data_fsyncs")),
			trimFloat(c.perRequest("Innodb_row_lock_waits")), trimFloat(c.perRequest("Innodb_row_lock_time")), trimFloat(c.RedisCmds/c.Requests)))
	}
	procs := make([]string, 0, len(c.CPU))
	for p := range c.CPU {
		procs = append(procs, p)
	}
	sort.Strings(procs)
	var busy []string
	for _, p := range procs {
		busy = append(busy, fmt.Sprintf("%s %s", p, trimFloat(c.Cores(p))))
	}
	line := fmt.Sprintf("CPU busy (cores, of %s): %s; ours %s, the whole machine %s", trimFloat(cores), strings.Join(busy, ", "), trimFloat(c.BusyCores()), trimFloat(c.MachineCores()))
	if len(c.DB) > 0 {
		line += fmt.Sprintf("; %s redo-log writes/s", trimFloat(c.LogWritesPerSecond()))
		if rawFsyncs > 0 {
			line += fmt.Sprintf(" (raw INSERT: %s/s)", trimFloat(rawFsyncs))
		}
	}
	out = append(out, line)
	out = append(out, "bound: "+c.Bound(cores, rawFsyncs))
	return out
}

// Bound names what most likely limits the rate: the CPU when the machine's
// cores were nearly all busy (ours, or other work on a shared machine),
// commits when the redo log was written as often as under the raw INSERT
// (rawFsyncs: its log writes per second, 0 when unknown), otherwise
// waiting on round trips and locks.
func (c Cost) Bound(cores, rawFsyncs float64) string {
	busy := max(c.BusyCores(), c.MachineCores())
	switch {
	case busy >= 0.85*cores:
		top, topCores := "", 0.0
		for p := range c.CPU {
			if v := c.Cores(p); v > topCores {
				top, topCores = p, v
			}
		}
		return fmt.Sprintf("CPU: %s of %s cores busy (ours %s, most in %s: %s; the rest is other work on the machine)",
			trimFloat(busy), trimFloat(cores), trimFloat(c.BusyCores()), top, trimFloat(topCores))
	case rawFsyncs > 0 && c.LogWritesPerSecond() >= 0.8*rawFsyncs:
		return fmt.Sprintf("commits: %s redo-log writes/s, as many as the raw INSERT reaches (%s/s)", trimFloat(c.LogWritesPerSecond()), trimFloat(rawFsyncs))
	}
	return fmt.Sprintf("waiting, not CPU (%s of %s cores busy): round trips per request and lock waits", trimFloat(busy), trimFloat(cores))
}
