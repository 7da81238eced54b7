package service

import (
	"strconv"
	"unicode/utf8"

	"github.com/jiuzhu/jiuzhu/model"
)

// maxNoteRunes caps free-text reasons and notes, in characters.
const maxNoteRunes = 2000

// checkText is the one check of a free text (a reason or a note): counted
// in characters, never bytes, so a Chinese text has the same limit.
func checkText(field, v string, required bool) error {
	if required && v == "" {
		return model.Invalid(field, "请填写")
	}
	if utf8.RuneCountInString(v) > maxNoteRunes {
		return model.Invalid(field, "不能超过 "+strconv.Itoa(maxNoteRunes)+" 个字")
	}
	return nil
}
