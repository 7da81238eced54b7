package api

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/xuri/excelize/v2"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/service"
)

const xlsxContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// sheetWriter writes rows one by one through excelize's StreamWriter, so a
// long list never sits whole in memory; money cells are yuan with two
// decimals.
type sheetWriter struct {
	f     *excelize.File
	sw    *excelize.StreamWriter
	row   int
	money int
}

// sheetFunc fills a sheet.
type sheetFunc func(w *sheetWriter) error

func itoa(n int) string { return strconv.Itoa(n) }

// yuan is a money cell: fen shown as yuan.
func (w *sheetWriter) yuan(fen int64) excelize.Cell {
	return excelize.Cell{StyleID: w.money, Value: float64(fen) / 100}
}

// add appends one row.
func (w *sheetWriter) add(values ...any) error {
	w.row++
	cell, err := excelize.CoordinatesToCellName(1, w.row)
	if err != nil {
		return err
	}
	return w.sw.SetRow(cell, values)
}

// sendXLSX builds a one-sheet workbook with fill and sends it as an
// attachment. Errors before the first byte is sent go to the client as
// usual; a failed write afterwards can only be logged.
func (s *Server) sendXLSX(c *gin.Context, filename string, fill sheetFunc) error {
	f := excelize.NewFile()
	defer func() { _ = f.Close() }()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	money, err := f.NewStyle(&excelize.Style{NumFmt: 2})
	if err != nil {
		return fmt.Errorf("xlsx style: %w", err)
	}
	if err := sw.SetColWidth(1, 8, 18); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	w := &sheetWriter{f: f, sw: sw, money: money}
	if err := fill(w); err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("xlsx flush: %w", err)
	}
	c.Header("Content-Type", xlsxContentType)
	c.Header("Content-Disposition", `attachment; filename="`+filename+`"`)
	c.Status(http.StatusOK)
	if _, err := f.WriteTo(c.Writer); err != nil {
		s.log.Warn("xlsx not sent", "request_id", requestID(c), "error", err.Error())
	}
	return nil
}

// itemNames is the fixed column order of fee items.
var itemNames = []struct{ code, name string }{
	{model.ItemMiscFee, "杂费"}, {model.ItemCustodyFee, "代管费"}, {model.ItemBoardingFee, "住宿费"},
	{model.ItemTransferFee, "借读费"}, {model.ItemTuition, "学费"}, {model.ItemNurseryFee, "保育费"},
}

func schoolStatementSheet(bureau string, st service.SchoolStatement) sheetFunc {
	return func(w *sheetWriter) error {
		head := []any{"券号", "兑付时间"}
		for _, it := range itemNames {
			head = append(head, it.name+"(元)")
		}
		head = append(head, "合计(元)")
		for _, r := range [][]any{{bureau}, {st.SchoolName + " 教育券兑付明细", st.Term}, head} {
			if err := w.add(r...); err != nil {
				return err
			}
		}
		for _, it := range st.Items {
			row := []any{it.Code, it.RedeemedAt.In(chinaTime).Format("2006-01-02 15:04")}
			for _, name := range itemNames {
				row = append(row, w.yuan(it.Items[name.code]))
			}
			row = append(row, w.yuan(it.Total))
			if err := w.add(row...); err != nil {
				return err
			}
		}
		total := []any{"合计", len(st.Items)}
		for range itemNames {
			total = append(total, nil)
		}
		return w.add(append(total, w.yuan(st.Total))...)
	}
}

func regionStatementSheet(bureau string, st service.RegionStatement) sheetFunc {
	return func(w *sheetWriter) error {
		head := []any{"学校编号", "学校", "兑付张数"}
		for _, it := range itemNames {
			head = append(head, it.name+"(元)")
		}
		head = append(head, "应报销(元)")
		for _, r := range [][]any{{bureau}, {"教育券报销汇总表", st.Term, st.RegionCode}, head} {
			if err := w.add(r...); err != nil {
				return err
			}
		}
		for _, sc := range st.Schools {
			row := []any{sc.SchoolID, sc.SchoolName, sc.Count}
			for _, name := range itemNames {
				row = append(row, w.yuan(sc.Items[name.code]))
			}
			row = append(row, w.yuan(sc.Total))
			if err := w.add(row...); err != nil {
				return err
			}
		}
		total := []any{"合计", "", st.Count}
		for range itemNames {
			total = append(total, nil)
		}
		return w.add(append(total, w.yuan(st.Total))...)
	}
}

var basisNames = map[string]string{string(model.ProgramDibao): "低保", string(model.ProgramTekun): "特困", service.BasisDisability: "特困残疾人"}

func medicalListSheet(bureau string, l service.MedicalList) sheetFunc {
	return func(w *sheetWriter) error {
		for _, r := range [][]any{{bureau}, {"城乡合作医疗个人缴费资助名单", l.RegionCode, l.Year}, {"序号", "姓名", "身份证号", "社区", "资助依据", "资助金额(元)"}} {
			if err := w.add(r...); err != nil {
				return err
			}
		}
		for i, e := range l.Items {
			basis := make([]string, 0, len(e.Basis))
			for _, b := range e.Basis {
				basis = append(basis, basisNames[b])
			}
			sort.Strings(basis)
			if err := w.add(i+1, e.Name, e.IDNumber, e.RegionCode, strings.Join(basis, "、"), w.yuan(e.Contribution)); err != nil {
				return err
			}
		}
		return w.add("合计", len(l.Items), "", "", "", w.yuan(l.Total))
	}
}
