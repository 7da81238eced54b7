package model

import (
	"reflect"
	"testing"
	"time"
)

func TestToBring(t *testing.T) {
	t.Parallel()
	why := " 照片模糊 "
	doc := func(kind, status string, reason *string) Document {
		return Document{Kind: kind, Status: status, ReviewReason: reason}
	}
	dibao, _ := ProgramOf(ProgramDibao)
	for _, tc := range []struct {
		name string
		docs []Document
		want []ToBring
	}{
		{"nothing uploaded: every required document", nil, []ToBring{
			{Kind: DocIDCard, Name: "身份证"}, {Kind: DocHukouBook, Name: "户口本"}, {Kind: DocIncomeProof, Name: "收入证明"}, {Kind: DocConsent, Name: "家庭经济状况核对授权书"}}},
		{"a rejected one first, with its reason; the missing required after", []Document{
			doc(DocIDCard, DocumentAccepted, nil), doc(DocHukouBook, DocumentPending, nil), doc(DocIncomeProof, DocumentRejected, &why),
		}, []ToBring{{Kind: DocIncomeProof, Name: "收入证明", Reason: "照片模糊"}, {Kind: DocConsent, Name: "家庭经济状况核对授权书"}}},
		{"a replacement after a rejection stands; replaced rows are skipped", []Document{
			doc(DocIDCard, DocumentAccepted, nil), doc(DocHukouBook, DocumentAccepted, nil), doc(DocConsent, DocumentAccepted, nil),
			doc(DocIncomeProof, DocumentRejected, &why), doc(DocIncomeProof, DocumentReplaced, nil), doc(DocIncomeProof, DocumentPending, nil),
		}, nil},
		{"a rejected optional document is listed too", []Document{
			doc(DocIDCard, DocumentAccepted, nil), doc(DocHukouBook, DocumentAccepted, nil), doc(DocIncomeProof, DocumentAccepted, nil),
			doc(DocConsent, DocumentAccepted, nil), doc(DocOther, DocumentRejected, nil),
		}, []ToBring{{Kind: DocOther, Name: "其他材料"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := dibao.ToBring(tc.docs); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("ToBring = %+v, want %+v", got, tc.want)
			}
		})
	}
	if s := ToBringText([]ToBring{{Name: "收入证明", Reason: "照片模糊"}, {Name: "户口本"}}); s != "收入证明（照片模糊）、户口本" {
		t.Fatalf("ToBringText = %q", s)
	}
}

func TestFirstOpenDeadline(t *testing.T) {
	t.Parallel()
	at := func(d int) time.Time { return time.Date(2026, 9, d, 16, 0, 0, 0, time.UTC) }
	met := at(1)
	ds := []Deadline{{Step: StepInvestigation, DueAt: at(3), MetAt: &met}, {Step: StepCase, DueAt: at(30)}, {Step: StepDecision, DueAt: at(20)}}
	if d := FirstOpenDeadline(ds); d == nil || d.Step != StepDecision {
		t.Fatalf("first open = %+v, want the decision", d)
	}
	if d := FirstOpenDeadline(ds[:1]); d != nil {
		t.Fatalf("every clock met, got %+v", d)
	}
	if s := LastDayBefore(time.Date(2026, 10, 15, 0, 0, 0, 0, ChinaZone)); s != "2026年10月14日" {
		t.Fatalf("LastDayBefore = %q", s)
	}
}
