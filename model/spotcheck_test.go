package model

import (
	"math/rand/v2"
	"testing"
)

func TestSampleSize(t *testing.T) {
	for _, c := range []struct {
		n    int
		p    int64
		want int
	}{{0, 100, 0}, {1, 100, 1}, {10, 100, 1}, {11, 100, 2}, {100, 100, 10}, {7, 0, 0}, {7, 1000, 7}} {
		if got := SampleSize(c.n, c.p); got != c.want {
			t.Errorf("SampleSize(%d, %d) = %d, want %d", c.n, c.p, got, c.want)
		}
	}
}

// TestDrawSample: distinct indexes in range, every index drawn about
// equally often.
func TestDrawSample(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	intn := func(k int) (int, error) { return rng.IntN(k), nil }
	counts := make([]int, 10)
	for range 10000 {
		got, err := DrawSample(10, 3, intn)
		if err != nil || len(got) != 3 {
			t.Fatalf("%v %v", got, err)
		}
		seen := map[int]bool{}
		for _, i := range got {
			if i < 0 || i >= 10 || seen[i] {
				t.Fatalf("draw %v", got)
			}
			seen[i] = true
			counts[i]++
		}
	}
	for i, c := range counts { // expected 3,000 each
		if c < 2700 || c > 3300 {
			t.Errorf("index %d drawn %d times of 10,000 draws of 3", i, c)
		}
	}
	if got, _ := DrawSample(2, 5, intn); len(got) != 2 {
		t.Fatalf("a sample larger than the population: %v", got)
	}
}

func TestReviewMeetingVotes(t *testing.T) {
	m := ReviewMeeting{Attendees: 9, Agree: 5, Disagree: 3, Abstain: 1}
	if err := m.CheckVotes(); err != nil || !m.Passed {
		t.Fatalf("%+v %v", m, err)
	}
	m = ReviewMeeting{Attendees: 10, Agree: 5, Disagree: 5}
	if err := m.CheckVotes(); err != nil || m.Passed {
		t.Fatalf("half is not a majority: %+v %v", m, err)
	}
	if err := (&ReviewMeeting{Attendees: 3, Agree: 3, Disagree: 1}).CheckVotes(); KindOf(err) != KindInvalid {
		t.Fatalf("more votes than attendees: %v", err)
	}
}
