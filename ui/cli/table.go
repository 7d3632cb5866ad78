package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/shortlisthq/shortlist/model"
)

// defaultWidth is the table width when stdout is not a terminal: wide enough
// for the worklist's main columns, narrow enough for a pasted snippet.
const defaultWidth = 100

// column is one table column. Flexible columns give up width, down to Min,
// when the table is wider than the screen.
type column struct {
	Title string
	Min   int  // 0: fixed at its natural width
	Right bool // right-aligned (numbers)
}

// table collects rows and writes them aligned, truncating the flexible
// columns with "…" to fit width.
type table struct {
	cols []column
	rows [][]string
}

func newTable(cols ...column) *table { return &table{cols: cols} }

// add appends a row; cells are sanitized here, so nothing from the book
// reaches the terminal raw.
func (t *table) add(cells ...string) {
	for i, c := range cells {
		cells[i] = model.Sanitize(c)
	}
	t.rows = append(t.rows, cells)
}

func (t *table) write(w io.Writer, width int) {
	if width <= 0 {
		width = defaultWidth
	}
	n := len(t.cols)
	widths := make([]int, n)
	for i, c := range t.cols {
		widths[i] = lipgloss.Width(c.Title)
	}
	for _, r := range t.rows {
		for i := 0; i < n && i < len(r); i++ {
			widths[i] = max(widths[i], lipgloss.Width(r[i]))
		}
	}
	total := func() int {
		s := 2 * (n - 1)
		for _, w := range widths {
			s += w
		}
		return s
	}
	// Take one column at a time from the widest flexible column until the
	// table fits or nothing can give.
	for total() > width {
		best := -1
		for i, c := range t.cols {
			if c.Min > 0 && widths[i] > c.Min && (best < 0 || widths[i]-t.cols[i].Min > widths[best]-t.cols[best].Min) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		widths[best]--
	}
	line := func(cells []string) {
		var b strings.Builder
		for i := 0; i < n; i++ {
			cell := ""
			if i < len(cells) {
				cell = truncate(cells[i], widths[i])
			}
			pad := strings.Repeat(" ", widths[i]-lipgloss.Width(cell))
			if t.cols[i].Right {
				b.WriteString(pad + cell)
			} else if i < n-1 {
				b.WriteString(cell + pad)
			} else {
				b.WriteString(cell)
			}
			if i < n-1 {
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

// writeJSON writes v indented, with a final newline.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}
