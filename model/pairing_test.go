package model

import (
	"testing"
	"time"
)

func TestPairingStage(t *testing.T) {
	now := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		stage, grade, birth, want string
	}{
		{StageSeniorHigh, "", "2010-01-01", PairingSenior},
		{StageCompulsory, "三年级", "2010-01-01", PairingPrimary},
		{StageCompulsory, "5", "2016-01-01", PairingPrimary},
		{StageCompulsory, "初二", "2016-01-01", PairingJunior},
		{StageCompulsory, "八年级", "2013-01-01", PairingJunior},
		{StageCompulsory, "", "2018-05-01", PairingPrimary}, // 8 years old
		{StageCompulsory, "", "2013-05-01", PairingJunior},  // 13
		{StageCompulsory, "", "not-a-date", PairingJunior},
		{StageSpecial, "", "2018-05-01", PairingPrimary},
		{StageSpecial, "", "2013-05-01", PairingJunior},
		{StageSpecial, "", "2009-05-01", PairingSenior},
	}
	for _, c := range cases {
		if got := PairingStage(c.stage, c.grade, c.birth, now); got != c.want {
			t.Errorf("PairingStage(%q, %q, %q) = %q, want %q", c.stage, c.grade, c.birth, got, c.want)
		}
	}
}

func TestHoursOf(t *testing.T) {
	for minutes, want := range map[int64]float64{0: 0, 30: 0.5, 90: 1.5, 100: 1.66, 150: 2.5} {
		if got := HoursOf(minutes); got != want {
			t.Errorf("HoursOf(%d) = %v, want %v", minutes, got, want)
		}
	}
}
