// Package csvio reads and writes the CSV files a rep brings in from
// marketing, ops or another CRM, and the ones Shortlist exports: delimiter
// detection, byte-order marks, CRLF, quoted newlines, header recognition,
// and turning rows into model records with an error per failing line.
// It imports only model and the standard library.
package csvio

import (
	"bufio"
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
// apostrophe before =, +, -, @, TAB or CR; see Guard) is taken off. Scanner
// reads the same rows one at a time.
func Read(r io.Reader) (*Table, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read csv: %w", err)
	}
	sc, err := NewScanner(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	t := &Table{Header: sc.Header, HeaderLine: sc.HeaderLine, Delimiter: sc.Delimiter, Encoding: sc.Encoding,
		BadLine: sc.BadLine, BadByte: sc.BadByte}
	err = sc.Each(func(row Row, bad *model.ImportError) error {
		if bad != nil {
			t.Errors = append(t.Errors, *bad)
		} else {
			t.Rows = append(t.Rows, row)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// Scanner reads a CSV file as Read does, a row at a time, so a file of a
// million rows is never held whole: the file is read once to tell its
// encoding (a byte that is not UTF-8 anywhere makes it Windows-1252), then
// streamed from its start.
type Scanner struct {
	Header     []string
	HeaderLine int
	Delimiter  rune
	Encoding   string // "utf-8", or "windows-1252" when the bytes were not UTF-8
	// BadLine and BadByte: where the first byte that is not UTF-8 is, and
	// which it is, when Encoding is "windows-1252".
	BadLine int
	BadByte byte

	cr     *csv.Reader
	errs   int                 // malformed records so far
	ahead  []model.ImportError // malformed records read before the header
	header bool
}

// NewScanner reads r's encoding, delimiter and header row, from its start.
func NewScanner(r io.ReadSeeker) (*Scanner, error) {
	sc := &Scanner{Encoding: "utf-8"}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("read csv: %w", err)
	}
	var bom [3]byte
	n, err := io.ReadFull(r, bom[:])
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil, fmt.Errorf("read csv: %w", err)
	}
	skip := int64(0)
	switch {
	case n == 3 && bytes.Equal(bom[:], []byte{0xef, 0xbb, 0xbf}):
		skip = 3
	case n >= 2 && (bytes.Equal(bom[:2], []byte{0xff, 0xfe}) || bytes.Equal(bom[:2], []byte{0xfe, 0xff})):
		return nil, errors.New("the file is UTF-16: save it as CSV UTF-8 and import again")
	}
	if _, err := r.Seek(skip, io.SeekStart); err != nil {
		return nil, fmt.Errorf("read csv: %w", err)
	}
	valid, line, b, err := validUTF8(r)
	sc.BadLine, sc.BadByte = line, b
	if err != nil {
		return nil, fmt.Errorf("read csv: %w", err)
	}
	if _, err := r.Seek(skip, io.SeekStart); err != nil {
		return nil, fmt.Errorf("read csv: %w", err)
	}
	var in io.Reader = bufio.NewReaderSize(r, 64<<10)
	if !valid {
		in, sc.Encoding = &win1252Reader{r: in}, "windows-1252"
	}
	br := bufio.NewReaderSize(in, 64<<10)
	delim, head, err := sniffDelimiter(br)
	if err != nil {
		return nil, fmt.Errorf("read csv: %w", err)
	}
	sc.Delimiter = delim
	sc.cr = csv.NewReader(io.MultiReader(bytes.NewReader(head), br))
	sc.cr.Comma = delim
	sc.cr.FieldsPerRecord = -1
	sc.cr.ReuseRecord = false
	if err := sc.readHeader(); err != nil {
		return nil, err
	}
	return sc, nil
}

// next reads one record: a row, a malformed record (bad), or the end.
func (sc *Scanner) next() (rec []string, line int, bad *model.ImportError, err error) {
	if sc.errs >= maxRowErrors {
		return nil, 0, nil, io.EOF
	}
	rec, err = sc.cr.Read()
	if err != nil {
		var pe *csv.ParseError
		if !errors.As(err, &pe) {
			return nil, 0, nil, err
		}
		sc.errs++
		return nil, 0, &model.ImportError{Line: max(pe.StartLine, 1), Message: parseMessage(pe)}, nil
	}
	line, _ = sc.cr.FieldPos(0)
	return rec, line, nil, nil
}

func (sc *Scanner) readHeader() error {
	for {
		rec, line, bad, err := sc.next()
		if err == io.EOF {
			if len(sc.ahead) > 0 {
				return sc.ahead[0] // the header itself was malformed: say where
			}
			return ErrEmpty
		}
		if err != nil {
			return fmt.Errorf("read csv: %w", err)
		}
		if bad != nil {
			sc.ahead = append(sc.ahead, *bad)
			continue
		}
		if blank(rec) {
			continue
		}
		sc.Header, sc.HeaderLine = trimAll(rec), line
		return nil
	}
}

// Each calls fn with every non-blank data row after the header, in order,
// or with a malformed record's error (bad); after maxRowErrors malformed
// records it stops, as Read does. An error from fn stops it and is
// returned.
func (sc *Scanner) Each(fn func(row Row, bad *model.ImportError) error) error {
	if sc.header {
		return errors.New("read csv: the rows were read already")
	}
	sc.header = true
	for i := range sc.ahead {
		if err := fn(Row{}, &sc.ahead[i]); err != nil {
			return err
		}
	}
	for {
		rec, line, bad, err := sc.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read csv: %w", err)
		}
		if bad != nil {
			if err := fn(Row{}, bad); err != nil {
				return err
			}
			continue
		}
		if blank(rec) {
			continue
		}
		for i, c := range rec {
			rec[i] = Unguard(c) // an export's formula guard (guard.go)
		}
		if err := fn(Row{Line: line, Cells: rec}, nil); err != nil {
			return err
		}
	}
}

// validUTF8 reads r to its end and reports whether it is all UTF-8.
func validUTF8(r io.Reader) (valid bool, line int, bad byte, err error) {
	buf := make([]byte, 64<<10)
	carry := 0 // bytes of a rune cut by the end of the last read
	lines := 0 // newlines in the bytes already checked
	for {
		n, err := r.Read(buf[carry:])
		n += carry
		end := n
		if err == nil {
			// Hold back an incomplete rune at the end for the next read.
			for i := n - 1; i >= 0 && i >= n-utf8.UTFMax; i-- {
				if utf8.RuneStart(buf[i]) {
					if !utf8.FullRune(buf[i:n]) {
						end = i
					}
					break
				}
			}
		}
		if !utf8.Valid(buf[:end]) {
			i := firstInvalid(buf[:end])
			return false, 1 + lines + bytes.Count(buf[:i], []byte{'\n'}), buf[i], nil
		}
		lines += bytes.Count(buf[:end], []byte{'\n'})
		carry = copy(buf, buf[end:n])
		if err == io.EOF {
			if carry == 0 || utf8.Valid(buf[:carry]) {
				return true, 0, 0, nil
			}
			i := firstInvalid(buf[:carry])
			return false, 1 + lines + bytes.Count(buf[:i], []byte{'\n'}), buf[i], nil
		}
		if err != nil {
			return false, 0, 0, err
		}
	}
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

// win1252Reader decodes Windows-1252 to UTF-8 as it reads.
type win1252Reader struct {
	r   io.Reader
	in  []byte
	out []byte
}

func (w *win1252Reader) Read(p []byte) (int, error) {
	for len(w.out) == 0 {
		if w.in == nil {
			w.in = make([]byte, 32<<10)
		}
		n, err := w.r.Read(w.in)
		w.out = fromWindows1252(w.in[:n])
		if n == 0 && err != nil {
			return 0, err
		}
	}
	n := copy(p, w.out)
	w.out = w.out[n:]
	return n, nil
}

// sniffDelimiter reads the first record's bytes (as detectDelimiter reads
// them) and returns the delimiter and the bytes it read.
func sniffDelimiter(br *bufio.Reader) (rune, []byte, error) {
	var head []byte
	quoted, seen := false, false
	for {
		c, err := br.ReadByte()
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, nil, err
		}
		head = append(head, c)
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '\n':
			if seen {
				return detectDelimiter(head), head, nil
			}
		case c == ',' || c == ';' || c == '\t' || c == '|':
			seen = true
		}
	}
	return detectDelimiter(head), head, nil
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
