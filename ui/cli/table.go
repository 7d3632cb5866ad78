package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/shortlisthq/shortlist/model"
)

// column is one table column. Flexible columns give up width, down to Min,
// when the table is wider than the screen; after that, columns with a Drop
// rank are left out, highest rank first.
type column struct {
	Title string
	Min   int  // 0: fixed at its natural width
	Right bool // right-aligned (numbers)
	Drop  int  // 0: always shown; else left out on narrow screens, highest first
}

// table collects rows and writes them aligned, truncating the flexible
// columns with "…" to fit width.
type table struct {
	cols []column
	rows [][]string
}

func newTable(cols ...column) *table { return &table{cols: cols} }

// add appends a row; cells are sanitized here (model.Display: controls
// and bidi overrides too), so nothing from the book reaches the terminal
// raw or reordered.
func (t *table) add(cells ...string) {
	for i, c := range cells {
		cells[i] = model.Display(c)
	}
	t.rows = append(t.rows, cells)
}

// write prints the table. width is the terminal's; 0 (not a terminal: a
// pipe or a file) means nothing is cut, so grep and less see every word.
func (t *table) write(w io.Writer, width int) {
	n := len(t.cols)
	natural := make([]int, n)
	for i, c := range t.cols {
		natural[i] = lipgloss.Width(c.Title)
	}
	for _, r := range t.rows {
		for i := 0; i < n && i < len(r); i++ {
			natural[i] = max(natural[i], lipgloss.Width(r[i]))
		}
	}
	shown := make([]bool, n)
	for i := range shown {
		shown[i] = true
	}
	var widths []int
	for {
		widths = t.fit(natural, shown, width)
		if widths != nil {
			break
		}
		drop := -1
		for i, c := range t.cols {
			if shown[i] && c.Drop > 0 && (drop < 0 || c.Drop > t.cols[drop].Drop) {
				drop = i
			}
		}
		if drop < 0 {
			widths = t.fit(natural, shown, 0) // nothing left to drop: overflow
			break
		}
		shown[drop] = false
	}
	var idx []int
	for i := range t.cols {
		if shown[i] {
			idx = append(idx, i)
		}
	}
	line := func(cells []string) {
		var b strings.Builder
		for k, i := range idx {
			cell := ""
			if i < len(cells) {
				cell = truncate(cells[i], widths[i])
			}
			pad := strings.Repeat(" ", max(0, widths[i]-lipgloss.Width(cell)))
			if t.cols[i].Right {
				b.WriteString(pad + cell)
			} else {
				b.WriteString(cell + pad)
			}
			if k < len(idx)-1 {
				b.WriteString("  ")
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
	titles := make([]string, n)
	for i, c := range t.cols {
		titles[i] = strings.ToUpper(c.Title)
	}
	line(titles)
	for _, r := range t.rows {
		line(r)
	}
}

// fit shrinks the shown columns' widths to fit width, taking one column at
// a time from the flexible column with the most to give; nil if they cannot.
func (t *table) fit(natural []int, shown []bool, width int) []int {
	widths := append([]int(nil), natural...)
	total := func() int {
		s, cols := 0, 0
		for i, w := range widths {
			if shown[i] {
				s += w
				cols++
			}
		}
		return s + 2*max(0, cols-1)
	}
	for width > 0 && total() > width {
		best := -1
		for i, c := range t.cols {
			if shown[i] && c.Min > 0 && widths[i] > c.Min && (best < 0 || widths[i]-c.Min > widths[best]-t.cols[best].Min) {
				best = i
			}
		}
		if best < 0 {
			return nil
		}
		widths[best]--
	}
	return widths
}

// truncate cuts s to at most w columns, ending in "…" when cut.
func truncate(s string, w int) string {
	if lipgloss.Width(s) <= w {
		return s
	}
	if w <= 0 {
		return ""
	}
	var b strings.Builder
	used := 0
	for _, r := range s {
		rw := lipgloss.Width(string(r))
		if used+rw > w-1 {
			break
		}
		b.WriteRune(r)
		used += rw
	}
	return b.String() + "…"
}

// writeJSON writes v indented, with a final newline. C1 and bidi controls
// are written as \u escapes (model.EscapeJSON): encoding/json leaves them
// raw, and a terminal acts on them.
func writeJSON(w io.Writer, v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	if _, err := w.Write(model.EscapeJSON(b.Bytes())); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}
