package model

import "testing"

func TestCheckLetterRefusesWhatLocatesTheChild(t *testing.T) {
	cases := []struct {
		body string
		want error
	}{
		{"祝你学习进步，天天开心！", nil},
		{"谢谢叔叔的帮助，我这学期数学考了95分。", nil},
		{"祝你一路平安，走在回家的路上注意安全。", nil},
		{"12月3号考试，我们第3组得了第一名。", nil},
		{"", ErrLetterEmpty},
		{"看看我的主页 https://example.com", ErrLetterPhone},
		{"我家在南门街3弄", ErrLetterAddress},
		{"有事打我电话 138 0013 8000", ErrLetterPhone},
		{"号码是13800138000", ErrLetterPhone},
		{"一三八零零一三八零零零", ErrLetterPhone},
		{"加我微信吧", ErrLetterPhone},
		{"我的身份证是33050220100101123X", ErrLetterID},
		{"我家住在幸福路12号", ErrLetterAddress},
		{"我们住3幢201室", ErrLetterAddress},
		{"在阳光小区门口见", ErrLetterAddress},
	}
	for _, c := range cases {
		_, err := CheckLetter(c.body)
		if err != c.want {
			t.Errorf("%q: %v, want %v", c.body, err, c.want)
		}
	}
}
