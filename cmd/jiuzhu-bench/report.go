package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
)

// TargetKind says how a line's median is judged.
type TargetKind int

const (
	// Info lines have no target: they are shown for comparison.
	Info TargetKind = iota
	// RatioAtLeast: median / raw median ≥ Bound.
	RatioAtLeast
	// Below: median < Bound (in the line's unit).
	Below
	// EveryRound: every round's value equals Bound exactly.
	EveryRound
	// AtLeast: median ≥ Bound (a score).
	AtLeast
	// AtMost: median ≤ Bound (a budget).
	AtMost
)

// Target is a line's goal.
type Target struct {
	Kind  TargetKind
	Bound float64
}

// String says the target in words for the table.
func (t Target) String() string {
	switch t.Kind {
	case RatioAtLeast:
		return fmt.Sprintf("≥ %s×", trimFloat(t.Bound))
	case Below:
		return fmt.Sprintf("< %s", trimFloat(t.Bound))
	case EveryRound:
		return fmt.Sprintf("= %s each round", trimFloat(t.Bound))
	case AtLeast:
		return fmt.Sprintf("≥ %s", trimFloat(t.Bound))
	case AtMost:
		return fmt.Sprintf("≤ %s", trimFloat(t.Bound))
	}
	return "information"
}

// Verdict is the outcome of a line.
type Verdict string

const (
	Met         Verdict = "met"
	NotMet      Verdict = "NOT met"
	Information Verdict = "info"
	NotMeasured Verdict = "not measured"
)

// Line is one measurement of the report: the value of each round, and
// (for ratio targets) the raw limit measured in the same run.
type Line struct {
	Name   string
	Unit   string
	Values []float64
	// RawName and RawValues are the paired limit (same unit), measured
	// in the same rounds.
	RawName   string
	RawValues []float64
	Target    Target
	// Evidence: what the line costs per request and what was busy
	// (statements, commits, fsyncs, CPU), one sentence each.
	Evidence []string
	// Err is why the line could not be measured.
	Err string
}

// Median of xs (the mean of the middle two for an even count); NaN when
// xs is empty.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// Percentile of sorted xs by nearest rank (p in 0..100); NaN when empty.
func Percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return math.NaN()
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

// Median is the line's median over its rounds.
func (l Line) Median() float64 { return Median(l.Values) }

// RawMedian is the median of the paired limit.
func (l Line) RawMedian() float64 { return Median(l.RawValues) }

// Ratio is median / raw median; NaN without a raw limit.
func (l Line) Ratio() float64 {
	raw := l.RawMedian()
	if math.IsNaN(raw) || raw == 0 {
		return math.NaN()
	}
	return l.Median() / raw
}

// Verdict judges the line against its target.
func (l Line) Verdict() Verdict {
	if l.Err != "" || len(l.Values) == 0 {
		return NotMeasured
	}
	switch l.Target.Kind {
	case RatioAtLeast:
		r := l.Ratio()
		if math.IsNaN(r) {
			return NotMeasured
		}
		return verdict(r >= l.Target.Bound)
	case Below:
		return verdict(l.Median() < l.Target.Bound)
	case AtLeast:
		return verdict(l.Median() >= l.Target.Bound)
	case AtMost:
		return verdict(l.Median() <= l.Target.Bound)
	case EveryRound:
		for _, v := range l.Values {
			if v != l.Target.Bound {
				return NotMet
			}
		}
		return Met
	}
	return Information
}

func verdict(ok bool) Verdict {
	if ok {
		return Met
	}
	return NotMet
}

// trimFloat prints a number with up to 3 significant decimals, no
// trailing zeros.
func trimFloat(v float64) string {
	if math.IsNaN(v) {
		return "—"
	}
	var s string
	switch a := math.Abs(v); {
	case a >= 100:
		s = fmt.Sprintf("%.0f", v)
	case a >= 10:
		s = fmt.Sprintf("%.1f", v)
	case a >= 1:
		s = fmt.Sprintf("%.2f", v)
	default:
		s = fmt.Sprintf("%.3f", v)
	}
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// ratioText is the line's ratio column.
func (l Line) ratioText() string {
	r := l.Ratio()
	if math.IsNaN(r) {
		return "—"
	}
	return trimFloat(r) + "×"
}

// valuesText lists the rounds.
func valuesText(xs []float64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = trimFloat(x)
	}
	return strings.Join(parts, ", ")
}

// Summary is one printed line: name, median, raw, ratio, target, verdict.
func (l Line) Summary() string {
	if l.Err != "" {
		return fmt.Sprintf("%-44s not measured: %s", l.Name, l.Err)
	}
	s := fmt.Sprintf("%-44s %10s %-8s", l.Name, trimFloat(l.Median()), l.Unit)
	if len(l.RawValues) > 0 {
		s += fmt.Sprintf(" raw %s %s (%s) ratio %s", trimFloat(l.RawMedian()), l.Unit, l.RawName, l.ratioText())
	}
	if l.Target.Kind != Info {
		s += fmt.Sprintf("  target %s: %s", l.Target, l.Verdict())
	} else {
		s += "  (information)"
	}
	return s
}

// Report is what docs/BENCHMARKS.md shows.
type Report struct {
	Date     string
	Machine  []string // cores, memory, load, kernel
	Versions []string // Go, MariaDB, Redis, versitygw, commit
	Setup    []string // how the services were started and what config was changed
	Lines    []Line
	// Sizes are what "Running at scale" in the README scales on paper:
	// bytes per row, per session, per stored document, pool peaks.
	Sizes []string
	Notes []string // analysis written by hand, kept between runs
}

// Failed reports whether any line with a target missed it or was not
// measured.
func (r Report) Failed() []string {
	var out []string
	for _, l := range r.Lines {
		if v := l.Verdict(); v == NotMet || (v == NotMeasured && l.Target.Kind != Info) {
			out = append(out, l.Name)
		}
	}
	return out
}

// mdCell escapes a table cell.
func mdCell(s string) string { return strings.ReplaceAll(s, "|", "\\|") }

// WriteMarkdown writes the report as docs/BENCHMARKS.md.
func WriteMarkdown(w io.Writer, r Report) error {
	var b strings.Builder
	b.WriteString("# Benchmarks\n\n")
	b.WriteString("Written by `make bench` (`go run ./cmd/jiuzhu-bench`); do not edit by hand except the\n")
	b.WriteString("\"Reading the numbers\" section, which the next run keeps. Each line is the median of its rounds,\n")
	b.WriteString("paired with its raw limit measured in the same run on the same private services.\n\n")
	fmt.Fprintf(&b, "Run: %s\n\n", r.Date)
	for _, sec := range []struct {
		title string
		items []string
	}{{"Machine", r.Machine}, {"Versions", r.Versions}, {"Setup", r.Setup}} {
		if len(sec.items) == 0 {
			continue
		}
		fmt.Fprintf(&b, "## %s\n", sec.title)
		for _, it := range sec.items {
			fmt.Fprintf(&b, "- %s\n", it)
		}
		b.WriteString("\n")
	}
	b.WriteString("## Lines\n")
	b.WriteString("| line | median | rounds | raw limit (median) | ratio | target | verdict |\n")
	b.WriteString("|---|---|---|---|---|---|---|\n")
	for _, l := range r.Lines {
		b.WriteString(l.row())
	}
	b.WriteString("\n## What bounds each line (measured)\n")
	b.WriteString("Counted over the line's measured rounds: MariaDB `SHOW GLOBAL STATUS` (`Questions`, `Com_*`,\n")
	b.WriteString("`Innodb_log_writes`, `Innodb_data_fsyncs`, row-lock waits) and Redis `total_commands_processed` before and\n")
	b.WriteString("after, divided by the requests that succeeded; CPU from `/proc/PID/stat` of each process and `/proc/stat`\n")
	b.WriteString("for the whole machine over the round (cores busy; the machine may be shared with other work).\n\n")
	for _, l := range r.Lines {
		b.WriteString(l.evidence())
	}
	if len(r.Sizes) > 0 {
		b.WriteString("## Sizes (what README.md's \"Running at scale\" scales)\n")
		for _, s := range r.Sizes {
			fmt.Fprintf(&b, "- %s\n", s)
		}
		b.WriteString("\n")
	}
	b.WriteString(notesHeading + "\n")
	if len(r.Notes) == 0 {
		b.WriteString("(none yet)\n")
	}
	for _, n := range r.Notes {
		b.WriteString(n)
		if !strings.HasSuffix(n, "\n") {
			b.WriteString("\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// row is the line's row of the Lines table.
func (l Line) row() string {
	if l.Err != "" {
		return fmt.Sprintf("| %s | — | — | — | — | %s | not measured: %s |\n", mdCell(l.Name), mdCell(l.Target.String()), mdCell(l.Err))
	}
	raw := "—"
	if len(l.RawValues) > 0 {
		raw = fmt.Sprintf("%s %s (%s; rounds %s)", trimFloat(l.RawMedian()), l.Unit, l.RawName, valuesText(l.RawValues))
	}
	return fmt.Sprintf("| %s | %s %s | %s | %s | %s | %s | %s |\n", mdCell(l.Name), trimFloat(l.Median()), mdCell(l.Unit),
		valuesText(l.Values), mdCell(raw), l.ratioText(), mdCell(l.Target.String()), l.Verdict())
}

// evidence is the line's block under "What bounds each line" ("" without
// evidence).
func (l Line) evidence() string {
	if len(l.Evidence) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "### %s — %s\n", l.Name, l.Verdict())
	for _, e := range l.Evidence {
		fmt.Fprintf(&b, "- %s\n", e)
	}
	b.WriteString("\n")
	return b.String()
}

// MergeLines puts lines into an earlier BENCHMARKS.md (a run of part of
// the bench, `-only`): each line's table row and evidence block replace
// those of the same name, or are added at the end of the table and before
// the hand-written notes; every other line, the machine and the notes stay
// as they were, and runNote is added to the Machine list. It reports false
// when old is not a report this driver wrote.
func MergeLines(old string, lines []Line, runNote string) (string, bool) {
	if !strings.Contains(old, "## Lines\n") || !strings.Contains(old, notesHeading) {
		return "", false
	}
	names := map[string]bool{}
	for _, l := range lines {
		names[l.Name] = true
	}
	var out []string
	in := strings.Split(old, "\n")
	section := ""
	skipping := false
	for i := 0; i < len(in); i++ {
		ln := in[i]
		if strings.HasPrefix(ln, "## ") {
			section = ln
		}
		if skipping {
			if ln == "" {
				skipping = false
			}
			continue
		}
		switch {
		case section == "## Machine" && runNote != "" && (i+1 >= len(in) || in[i+1] == "") && strings.HasPrefix(ln, "- "):
			out = append(out, ln, "- "+runNote)
			continue
		case section == "## Lines" && strings.HasPrefix(ln, "| "):
			name, _, _ := strings.Cut(strings.TrimPrefix(ln, "| "), " | ")
			if names[strings.ReplaceAll(name, "\\|", "|")] {
				continue
			}
			out = append(out, ln)
			if i+1 < len(in) && !strings.HasPrefix(in[i+1], "|") {
				for _, l := range lines {
					out = append(out, strings.TrimSuffix(l.row(), "\n"))
				}
			}
			continue
		case strings.HasPrefix(ln, "### "):
			name, _, _ := strings.Cut(strings.TrimPrefix(ln, "### "), " — ")
			if names[name] {
				skipping = true
				continue
			}
		case ln == notesHeading:
			for _, l := range lines {
				if e := l.evidence(); e != "" {
					out = append(out, strings.Split(strings.TrimSuffix(e, "\n"), "\n")...)
				}
			}
		}
		out = append(out, ln)
	}
	return strings.Join(out, "\n"), true
}

// notesHeading starts the hand-written section of BENCHMARKS.md, which a
// new run carries over.
const notesHeading = "## Reading the numbers"

// KeptNotes returns the hand-written section of an earlier BENCHMARKS.md
// (everything after notesHeading), or nil.
func KeptNotes(old string) []string {
	_, after, ok := strings.Cut(old, notesHeading+"\n")
	if !ok {
		return nil
	}
	after = strings.TrimSpace(after)
	if after == "" || after == "(none yet)" {
		return nil
	}
	return []string{after}
}
