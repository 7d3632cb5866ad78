package csvio

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/shortlisthq/shortlist/model"
)

// Writer writes rows under a header as CSV (RFC 4180, CRLF-free, comma
// delimited, UTF-8 without a byte-order mark) or as a JSON array of
// objects keyed by the header. Cell values are string, int, int64, *int64
// (nil: empty / null), bool or []string ("; "-joined in CSV, an array in
// JSON). In CSV, text (string and []string) that a spreadsheet would run as
// a formula is guarded with a leading apostrophe (see Guard); numbers and
// booleans are written as they are, and JSON is never changed (C1 and bidi
// controls are written as \u escapes, which decode to the same text).
type Writer struct {
	header []string
	json   bool
	buf    *bufio.Writer
	csv    *csv.Writer
	rows   int
}

// NewWriter starts a CSV ("csv" or "") or JSON ("json") document on w; the
// CSV header is written at once.
func NewWriter(w io.Writer, format string, header []string) (*Writer, error) {
	wr := &Writer{header: header, buf: bufio.NewWriterSize(w, 64<<10)}
	switch strings.ToLower(format) {
	case "", "csv":
		wr.csv = csv.NewWriter(wr.buf)
		if err := wr.csv.Write(header); err != nil {
			return nil, fmt.Errorf("write csv header: %w", err)
		}
	case "json":
		wr.json = true
		if _, err := wr.buf.WriteString("["); err != nil {
			return nil, fmt.Errorf("write json: %w", err)
		}
	default:
		return nil, fmt.Errorf("unknown format %q: use csv or json", format)
	}
	return wr, nil
}

// Row writes one row; it must have a value per header column.
func (w *Writer) Row(vals ...any) error {
	if len(vals) != len(w.header) {
		return fmt.Errorf("write row: %d values for %d columns", len(vals), len(w.header))
	}
	w.rows++
	if w.csv != nil {
		cells := make([]string, len(vals))
		for i, v := range vals {
			cells[i] = cellText(v)
			switch v.(type) {
			case string, []string: // text: guarded against formula injection (guard.go)
				cells[i] = Guard(cells[i])
			}
		}
		if err := w.csv.Write(cells); err != nil {
			return fmt.Errorf("write csv: %w", err)
		}
		return nil
	}
	sep := ",\n  {"
	if w.rows == 1 {
		sep = "\n  {"
	}
	w.buf.WriteString(sep)
	for i, v := range vals {
		if i > 0 {
			w.buf.WriteString(", ")
		}
		k, _ := json.Marshal(w.header[i])
		w.buf.Write(k)
		w.buf.WriteString(": ")
		b, err := json.Marshal(jsonValue(v))
		if err != nil {
			return fmt.Errorf("write json %s: %w", w.header[i], err)
		}
		w.buf.Write(model.EscapeJSON(b)) // C1 and bidi controls as \u escapes: same data, inert on a terminal
	}
	_, err := w.buf.WriteString("}")
	return err
}

// Close ends the document and flushes it.
func (w *Writer) Close() error {
	if w.csv != nil {
		w.csv.Flush()
		if err := w.csv.Error(); err != nil {
			return fmt.Errorf("write csv: %w", err)
		}
	} else {
		end := "\n]\n"
		if w.rows == 0 {
			end = "]\n"
		}
		w.buf.WriteString(end)
	}
	if err := w.buf.Flush(); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

func cellText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case *int64:
		if x == nil {
			return ""
		}
		return strconv.FormatInt(*x, 10)
	case bool:
		return strconv.FormatBool(x)
	case []string:
		return strings.Join(x, "; ")
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

func jsonValue(v any) any {
	switch x := v.(type) {
	case *int64:
		if x == nil {
			return nil
		}
		return *x
	case []string:
		if x == nil {
			return []string{}
		}
	}
	return v
}
