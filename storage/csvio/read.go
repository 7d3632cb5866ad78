// Package csvio reads and writes the CSV files a rep brings in from
// marketing, ops or another CRM, and the ones Shortlist exports: delimiter
// detection, byte-order marks, CRLF, quoted newlines, header recognition,
// and turning rows into model records with an error per failing line.
// It imports only model and the standard library.
package csvio

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/shortlisthq/shortlist/model"
)

// Table is a CSV file read whole: its header, its non-blank data rows, and
// the lines that could not be read as CSV.
type Table struct {
	Header     []string
	HeaderLine int
	Rows       []Row
	Delimiter  rune
	Encoding   string // "utf-8", or "windows-1252" when the bytes were not UTF-8
	// BadLine is the line holding the first byte that is not UTF-8, and
	// BadByte that byte, when Encoding is "windows-1252"; 0 otherwise.
	BadLine int
	BadByte byte
	Errors  []model.ImportError
}

// Row is one data record and the line it starts on.
type Row struct {
	Line  int
	Cells []string
}

// ErrEmpty: the file holds no header row.
var ErrEmpty = errors.New("the file is empty: it needs a header row and data rows")

// maxRowErrors stops a reader that is fed something that is not CSV at all
// from collecting an error for every line of it.
const maxRowErrors = 10000

// Read reads a whole CSV file. It takes UTF-8 with or without a byte-order
// mark (other bytes are read as Windows-1252, what Excel writes), CRLF or LF
// line ends, quoted fields holding newlines, and a comma, semicolon, tab or
// pipe delimiter, detected from the header. A malformed record is reported
// by line and reading goes on at the next one; the error return is kept for
// input that cannot be read at all. A data cell's formula guard (an
// apostrophe before =, +, -, @, TAB or CR; see Guard) is taken off.
func Read(r io.Reader) (*Table, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read csv: %w", err)
	}
	t := &Table{Encoding: "utf-8"}
	switch {
	case bytes.HasPrefix(data, []byte{0xef, 0xbb, 0xbf}):
		data = data[3:]
	case bytes.HasPrefix(data, []byte{0xff, 0xfe}), bytes.HasPrefix(data, []byte{0xfe, 0xff}):
		return nil, errors.New("the file is UTF-16: save it as CSV UTF-8 and import again")
	}
	if !utf8.Valid(data) {
		i := firstInvalid(data)
		t.BadLine, t.BadByte = 1+bytes.Count(data[:i], []byte{'\n'}), data[i]
		data = fromWindows1252(data)
		t.Encoding = "windows-1252"
	}
	t.Delimiter = detectDelimiter(data)
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = t.Delimiter
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return nil, fmt.Errorf("read csv: %w", err)
			}
			t.Errors = append(t.Errors, model.ImportError{Line: max(pe.StartLine, 1), Message: parseMessage(pe)})
			if len(t.Errors) >= maxRowErrors {
				break
			}
			continue
		}
		line, _ := cr.FieldPos(0)
		if t.Header == nil {
			if blank(rec) {
				continue
			}
			t.Header, t.HeaderLine = trimAll(rec), line
			continue
		}
		if blank(rec) {
			continue
		}
		for i, c := range rec {
			rec[i] = Unguard(c) // an export's formula guard (guard.go)
		}
		t.Rows = append(t.Rows, Row{Line: line, Cells: rec})
	}
	if t.Header == nil {
		if len(t.Errors) > 0 {
			return nil, t.Errors[0] // the header itself was malformed: say where
		}
		return nil, ErrEmpty
	}
	return t, nil
}

// parseMessage says what was wrong with a record in words a person acts on.
func parseMessage(pe *csv.ParseError) string {
	switch {
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return fmt.Sprintf(`a " inside an unquoted value (column %d): quote the value and double the "`, pe.Column)
	case errors.Is(pe.Err, csv.ErrQuote):
		if pe.Line != pe.StartLine {
			return fmt.Sprintf(`a quoted value opened here is not closed properly (by line %d): check its quotes`, pe.Line)
		}
		return fmt.Sprintf(`a quoted value is not closed properly (column %d): check its quotes`, pe.Column)
	}
	return "malformed CSV: " + pe.Err.Error()
}

func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func trimAll(rec []string) []string {
	out := make([]string, len(rec))
	for i, c := range rec {
		out[i] = strings.TrimSpace(c)
	}
	return out
}

// detectDelimiter picks the delimiter from the first record: whichever of
// comma, semicolon, tab and pipe occurs most often outside quotes (a comma
// on a tie or when none does).
func detectDelimiter(data []byte) rune {
	counts := map[byte]int{}
	quoted := false
	for _, c := range data {
		if c == '"' {
			quoted = !quoted
			continue
		}
		if quoted {
			continue
		}
		if c == '\n' {
			if len(counts) > 0 {
				break
			}
			continue // a blank first line: look at the next
		}
		switch c {
		case ',', ';', '\t', '|':
			counts[c]++
		}
	}
	best, n := byte(','), counts[',']
	for _, c := range []byte{';', '\t', '|'} {
		if counts[c] > n {
			best, n = c, counts[c]
		}
	}
	return rune(best)
}

// firstInvalid is the offset of the first byte of data that does not start
// valid UTF-8; data must hold one.
func firstInvalid(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(data) - 1
}

// cp1252 maps the bytes 0x80–0x9F of Windows-1252 to Unicode; the rest of
// the byte range is Latin-1.
var cp1252 = [32]rune{
	'€', '\u0081', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u008d', 'Ž', '\u008f',
	'\u0090', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u009d', 'ž', 'Ÿ',
}

func fromWindows1252(data []byte) []byte {
	var b bytes.Buffer
	b.Grow(len(data) + len(data)/8)
	for _, c := range data {
		switch {
		case c < 0x80:
			b.WriteByte(c)
		case c < 0xa0:
			b.WriteRune(cp1252[c-0x80])
		default:
			b.WriteRune(rune(c))
		}
	}
	return b.Bytes()
}
