package api

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/xuri/excelize/v2"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/service"
)

const xlsxContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// sheetWriter writes rows one by one through excelize's StreamWriter, so a
// long list never sits whole in memory; money cells are yuan as #,##0.00,
// times are Excel dates.
type sheetWriter struct {
	sw          *excelize.StreamWriter
	row         int
	money, date int
}

// xlsxSheet is one printable sheet: its name (the content, ≤ 31
// characters), the title rows above the column header, the header, a width
// for every column, the orientation on A4, and the data rows (with totals).
type xlsxSheet struct {
	name      string
	landscape bool
	titles    [][]any
	footer    [][]any // after the rows and a blank row: the 落款 of a printed list
	header    []string
	widths    []float64
	rows      func(w *sheetWriter) error
}

func itoa(n int) string { return strconv.Itoa(n) }

// yuan is a money cell: fen shown as yuan.
func (w *sheetWriter) yuan(fen int64) excelize.Cell {
	return excelize.Cell{StyleID: w.money, Value: float64(fen) / 100}
}

// when is a date-and-time cell showing t's China wall clock.
func (w *sheetWriter) when(t time.Time) excelize.Cell {
	c := t.In(chinaTime)
	return excelize.Cell{StyleID: w.date, Value: time.Date(c.Year(), c.Month(), c.Day(), c.Hour(), c.Minute(), c.Second(), 0, time.UTC)}
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

// sheetNameCleaner drops the characters Excel refuses in a sheet name.
var sheetNameCleaner = strings.NewReplacer("[", "", "]", "", ":", "", "*", "", "?", "", "/", "", "\\", "")

// sendXLSX builds a one-sheet workbook and sends it as an attachment: A4 in
// the sheet's orientation, fitted to the page width, the title and header
// rows frozen and repeated on every printed page. Errors before the first
// byte is sent go to the client as usual; a failed write afterwards can
// only be logged.
func (s *Server) sendXLSX(c *gin.Context, filename string, sh xlsxSheet) error {
	f := excelize.NewFile()
	defer func() { _ = f.Close() }()
	name := []rune(sheetNameCleaner.Replace(sh.name))
	if len(name) > 31 {
		name = name[:31]
	}
	sheet := string(name)
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	orientation, a4, fitWidth, fitHeight := "portrait", 9, 1, 0
	if sh.landscape {
		orientation = "landscape"
	}
	// Page setup before the stream writer: it keeps the worksheet's settings.
	if err := f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Size: &a4, Orientation: &orientation, FitToWidth: &fitWidth, FitToHeight: &fitHeight}); err != nil {
		return fmt.Errorf("xlsx page: %w", err)
	}
	fit := true
	if err := f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return fmt.Errorf("xlsx page: %w", err)
	}
	headerRow := len(sh.titles) + 1
	if err := f.SetDefinedName(&excelize.DefinedName{
		Name: "_xlnm.Print_Titles", Scope: sheet, RefersTo: fmt.Sprintf("'%s'!$1:$%d", sheet, headerRow),
	}); err != nil {
		return fmt.Errorf("xlsx print titles: %w", err)
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	moneyFmt, dateFmt := "#,##0.00", "yyyy-mm-dd hh:mm"
	money, err := f.NewStyle(&excelize.Style{CustomNumFmt: &moneyFmt})
	if err != nil {
		return fmt.Errorf("xlsx style: %w", err)
	}
	date, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	if err != nil {
		return fmt.Errorf("xlsx style: %w", err)
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return fmt.Errorf("xlsx style: %w", err)
	}
	head, err := f.NewStyle(&excelize.Style{
		Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{Horizontal: "center", WrapText: true},
		Border: []excelize.Border{{Type: "bottom", Color: "000000", Style: 1}},
		Fill:   excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E8EEF7"}},
	})
	if err != nil {
		return fmt.Errorf("xlsx style: %w", err)
	}
	if err := sw.SetPanes(&excelize.Panes{
		Freeze: true, YSplit: headerRow, TopLeftCell: "A" + itoa(headerRow+1), ActivePane: "bottomLeft",
	}); err != nil {
		return fmt.Errorf("xlsx panes: %w", err)
	}
	for i, width := range sh.widths {
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return fmt.Errorf("xlsx: %w", err)
		}
	}
	w := &sheetWriter{sw: sw, money: money, date: date}
	for i, r := range sh.titles {
		if i == 0 && len(r) > 0 {
			r = append([]any{excelize.Cell{StyleID: bold, Value: r[0]}}, r[1:]...)
		}
		if err := w.add(r...); err != nil {
			return fmt.Errorf("xlsx: %w", err)
		}
	}
	cells := make([]any, len(sh.header))
	for i, h := range sh.header {
		cells[i] = excelize.Cell{StyleID: head, Value: h}
	}
	if err := w.add(cells...); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	if err := sh.rows(w); err != nil {
		return err
	}
	if len(sh.footer) > 0 {
		w.row++ // a blank row before the 落款
		for _, r := range sh.footer {
			if err := w.add(r...); err != nil {
				return fmt.Errorf("xlsx: %w", err)
			}
		}
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

// itemColumns are the per-item money columns: a header and a width each.
func itemColumns(header []string, widths []float64) ([]string, []float64) {
	for _, it := range itemNames {
		header = append(header, it.name+"(元)")
		widths = append(widths, 12)
	}
	return header, widths
}

func schoolStatementSheet(bureau string, st service.SchoolStatement) xlsxSheet {
	header, widths := itemColumns([]string{"券号", "兑付时间"}, []float64{22, 18})
	term := model.TermWords(st.Term)
	return xlsxSheet{
		name: "兑付明细 " + term, landscape: true,
		titles: [][]any{{bureau}, {st.SchoolName + " 教育券兑付明细", term}},
		header: append(header, "合计(元)"), widths: append(widths, 14),
		rows: func(w *sheetWriter) error {
			sums := make([]int64, len(itemNames))
			for _, it := range st.Items {
				row := []any{it.Code, w.when(it.RedeemedAt)}
				for i, name := range itemNames {
					row = append(row, w.yuan(it.Items[name.code]))
					sums[i] += it.Items[name.code]
				}
				row = append(row, w.yuan(it.Total))
				if err := w.add(row...); err != nil {
					return err
				}
			}
			total := []any{"合计", len(st.Items)}
			for _, v := range sums {
				total = append(total, w.yuan(v))
			}
			return w.add(append(total, w.yuan(st.Total))...)
		},
	}
}

func regionStatementSheet(bureau string, st service.RegionStatement) xlsxSheet {
	header, widths := itemColumns([]string{"学校编号", "学校", "兑付张数"}, []float64{16, 28, 10})
	term := model.TermWords(st.Term)
	return xlsxSheet{
		name: "报销汇总 " + term, landscape: true,
		titles: [][]any{{bureau}, {"教育券报销汇总表", term, st.RegionCode}},
		header: append(header, "应报销(元)"), widths: append(widths, 14),
		rows: func(w *sheetWriter) error {
			sums := make([]int64, len(itemNames))
			for _, sc := range st.Schools {
				row := []any{sc.SchoolID, sc.SchoolName, sc.Count}
				for i, name := range itemNames {
					row = append(row, w.yuan(sc.Items[name.code]))
					sums[i] += sc.Items[name.code]
				}
				row = append(row, w.yuan(sc.Total))
				if err := w.add(row...); err != nil {
					return err
				}
			}
			total := []any{"合计", "", st.Count}
			for _, v := range sums {
				total = append(total, w.yuan(v))
			}
			return w.add(append(total, w.yuan(st.Total))...)
		},
	}
}

var basisNames = map[string]string{string(model.ProgramDibao): "低保", string(model.ProgramTekun): "特困", service.BasisDisability: "特困残疾人"}

func medicalListSheet(bureau string, l service.MedicalList) xlsxSheet {
	return xlsxSheet{
		name:   fmt.Sprintf("医保资助名单 %d 年", l.Year),
		titles: [][]any{{bureau}, {"城乡合作医疗个人缴费资助名单", l.RegionCode, fmt.Sprintf("%d 年", l.Year)}},
		header: []string{"序号", "姓名", "身份证号", "社区", "资助依据", "资助金额(元)"},
		widths: []float64{8, 12, 22, 14, 16, 14},
		rows: func(w *sheetWriter) error {
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
		},
	}
}
