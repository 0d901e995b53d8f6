// Package sheet lays out the counter's A4 sheets as PDF: the 交接单 the
// courier signs at pickup and the end-of-day sheet. Text is set in the
// embedded CJK font (assets.CJKFont), subset into each file, so a sheet
// prints the same on any office printer. It knows nothing of the store:
// package shipping fills the sheets' plain structs.
package sheet

import (
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/signintech/gopdf"

	"shipdesk/assets"
	"shipdesk/assets/i18n"
)

// A4 in points, and the margin kept on every side.
const (
	pageW, pageH = 595.28, 841.89
	margin       = 40.0
	rowH         = 18.0
	fontName     = "cjk"
)

// Column is one column of a table: its heading, width in points and
// whether its cells are right-aligned (numbers).
type Column struct {
	Title string
	Width float64
	Right bool
}

// doc is one PDF being written: the current y position and the page
// furniture repeated on every page.
type doc struct {
	pdf    *gopdf.GoPdf
	y      float64
	page   int
	footer string
}

func newDoc(title string, at time.Time, footer string) (*doc, error) {
	p := &gopdf.GoPdf{}
	p.Start(gopdf.Config{PageSize: gopdf.Rect{W: pageW, H: pageH}, Unit: gopdf.UnitPT})
	p.SetInfo(gopdf.PdfInfo{Title: title, Creator: "Shipdesk 发货台", CreationDate: at})
	if err := p.AddTTFFontData(fontName, assets.CJKFont); err != nil {
		return nil, fmt.Errorf("sheet: load font: %w", err)
	}
	d := &doc{pdf: p, footer: footer}
	if err := d.newPage(); err != nil {
		return nil, err
	}
	return d, nil
}

func (d *doc) newPage() error {
	if d.page > 0 {
		if err := d.pageFooter(); err != nil {
			return err
		}
	}
	d.pdf.AddPage()
	d.page++
	d.y = margin
	return nil
}

func (d *doc) pageFooter() error {
	if err := d.font(9); err != nil {
		return err
	}
	d.pdf.SetTextColor(90, 90, 90)
	defer d.pdf.SetTextColor(0, 0, 0)
	return d.textAt(margin, pageH-margin+10, i18n.F("%s · page %d", d.footer, d.page))
}

func (d *doc) font(size float64) error {
	if err := d.pdf.SetFont(fontName, "", size); err != nil {
		return fmt.Errorf("sheet: font: %w", err)
	}
	return nil
}

func (d *doc) textAt(x, y float64, s string) error {
	d.pdf.SetXY(x, y)
	if err := d.pdf.Cell(nil, s); err != nil {
		return fmt.Errorf("sheet: text %q: %w", s, err)
	}
	return nil
}

// need starts a new page when h more points do not fit.
func (d *doc) need(h float64) error {
	if d.y+h > pageH-margin-10 {
		return d.newPage()
	}
	return nil
}

// line writes one line of text at size and moves down.
func (d *doc) line(size float64, s string) error {
	if err := d.need(size + 8); err != nil {
		return err
	}
	if err := d.font(size); err != nil {
		return err
	}
	if err := d.textAt(margin, d.y, s); err != nil {
		return err
	}
	d.y += size + 8
	return nil
}

// title writes a centred heading.
func (d *doc) title(s string) error {
	if err := d.font(20); err != nil {
		return err
	}
	w, err := d.pdf.MeasureTextWidth(s)
	if err != nil {
		return fmt.Errorf("sheet: measure: %w", err)
	}
	if err := d.textAt((pageW-w)/2, d.y, s); err != nil {
		return err
	}
	d.y += 34
	return nil
}

// fit shortens s with "…" until it fits width at the current font.
func (d *doc) fit(s string, width float64) string {
	r := []rune(s)
	for len(r) > 0 {
		w, err := d.pdf.MeasureTextWidth(string(r))
		if err == nil && w <= width {
			return string(r)
		}
		r = r[:len(r)-1]
		if len(r) > 0 {
			if w, err := d.pdf.MeasureTextWidth(string(r) + "…"); err == nil && w <= width {
				return string(r) + "…"
			}
		}
	}
	return ""
}

func (d *doc) row(cols []Column, cells []string, bold bool) error {
	if err := d.font(10); err != nil {
		return err
	}
	x := margin
	if bold {
		d.pdf.SetFillColor(230, 230, 230)
		d.pdf.RectFromUpperLeftWithStyle(margin, d.y, tableWidth(cols), rowH, "F")
		// PDF fills text with the fill colour: back to black for the text.
		d.pdf.SetFillColor(0, 0, 0)
		d.pdf.SetTextColor(0, 0, 0)
	}
	for i, c := range cols {
		s := ""
		if i < len(cells) {
			s = d.fit(cells[i], c.Width-6)
		}
		tx := x + 3
		if c.Right {
			if w, err := d.pdf.MeasureTextWidth(s); err == nil {
				tx = x + c.Width - 3 - w
			}
		}
		if err := d.textAt(tx, d.y+4, s); err != nil {
			return err
		}
		x += c.Width
	}
	d.y += rowH
	d.pdf.SetLineWidth(0.4)
	d.pdf.Line(margin, d.y, margin+tableWidth(cols), d.y)
	return nil
}

func tableWidth(cols []Column) float64 {
	w := 0.0
	for _, c := range cols {
		w += c.Width
	}
	return w
}

// table writes a table, repeating the heading on each new page.
func (d *doc) table(cols []Column, rows [][]string) error {
	if err := d.need(2 * rowH); err != nil {
		return err
	}
	cols, err := d.fitHeadings(cols)
	if err != nil {
		return err
	}
	if err := d.row(cols, titles(cols), true); err != nil {
		return err
	}
	for _, r := range rows {
		if d.y+rowH > pageH-margin-10 {
			if err := d.newPage(); err != nil {
				return err
			}
			if err := d.row(cols, titles(cols), true); err != nil {
				return err
			}
		}
		if err := d.row(cols, r, false); err != nil {
			return err
		}
	}
	d.y += 10
	return nil
}

// fitHeadings widens the columns whose heading is wider than the column
// (English headings are longer than Chinese ones), taking the room from
// the first column as long as the table would leave the page; a heading
// that fits keeps its column as it is.
func (d *doc) fitHeadings(cols []Column) ([]Column, error) {
	if err := d.font(10); err != nil {
		return nil, err
	}
	out := slices.Clone(cols)
	for i, c := range out {
		w, err := d.pdf.MeasureTextWidth(c.Title)
		if err != nil {
			return nil, fmt.Errorf("sheet: measure: %w", err)
		}
		out[i].Width = max(c.Width, w+6)
	}
	if over := tableWidth(out) - (pageW - 2*margin); over > 0 && len(out) > 0 {
		w, _ := d.pdf.MeasureTextWidth(out[0].Title)
		out[0].Width = max(w+6, out[0].Width-over)
	}
	return out, nil
}

func titles(cols []Column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Title
	}
	return out
}

// signatures draws labelled lines to sign on, side by side.
func (d *doc) signatures(labels ...string) error {
	if err := d.need(60); err != nil {
		return err
	}
	d.y += 24
	if err := d.font(11); err != nil {
		return err
	}
	w := (pageW - 2*margin) / float64(len(labels))
	for i, l := range labels {
		x := margin + float64(i)*w
		if err := d.textAt(x, d.y, l); err != nil {
			return err
		}
		lw, _ := d.pdf.MeasureTextWidth(l)
		d.pdf.SetLineWidth(0.8)
		d.pdf.Line(x+lw+6, d.y+14, x+w-16, d.y+14)
	}
	d.y += 36
	return nil
}

func (d *doc) write(w io.Writer) error {
	if err := d.pageFooter(); err != nil {
		return err
	}
	if _, err := d.pdf.WriteTo(w); err != nil {
		return fmt.Errorf("sheet: write pdf: %w", err)
	}
	return nil
}
