package csvio

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/shortlisthq/shortlist/model"
)

// readWhole is Read as it was before Scanner: the whole file in memory. The
// scanner must read every file the same.
func readWhole(r io.Reader) (*Table, error) {
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

func sameRead(t *testing.T, data []byte) {
	t.Helper()
	want, werr := readWhole(bytes.NewReader(data))
	got, gerr := Read(bytes.NewReader(data))
	if fmt.Sprint(werr) != fmt.Sprint(gerr) {
		t.Fatalf("error %v, want %v", gerr, werr)
	}
	if werr != nil {
		return
	}
	if want.Rows == nil {
		want.Rows = []Row{}
	}
	if got.Rows == nil {
		got.Rows = []Row{}
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("streamed read differs:\n got  %+v\n want %+v", got, want)
	}
}

// TestScannerReadsAsWholeFile: the streamed read gives the same header,
// rows, lines, errors, delimiter and encoding as reading the whole file,
// also where a UTF-8 rune or a Windows-1252 byte falls on a buffer's edge.
func TestScannerReadsAsWholeFile(t *testing.T) {
	big := func(cell string, rows int) []byte {
		var b strings.Builder
		b.WriteString("Company Name;Website;City\n")
		for i := range rows {
			fmt.Fprintf(&b, "%s %d;co%d.example;\"Köln\nNord\"\n", cell, i, i)
		}
		return []byte(b.String())
	}
	cases := map[string][]byte{
		"utf-8 across buffers":        big("Café Müller 日本", 6000),
		"windows-1252 across buffers": bytes.ReplaceAll(big("Caf\xe9", 6000), []byte("ö"), []byte{0xf6}),
		"one bad byte at the end":     append(big("Acme", 3000), 0xe9, '\n'),
		"bom and crlf":                []byte("\xef\xbb\xbfName,Website\r\nAcme,acme.com\r\n\r\nBeta,beta.io\r\n"),
		"blank lines before header":   []byte("\n\n,,\nName|Website\nA|a.com\n"),
		"malformed before header":     []byte("a\"b,c\nName,Website\nA,a.com\n"),
		"malformed only":              []byte("a\"b,c\n"),
		"empty":                       nil,
		"utf-16":                      []byte{0xff, 0xfe, 'N', 0},
		"header only":                 []byte("Name,Website"),
		"cut rune at the end":         []byte("Name\nCaf\xc3"),
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) { sameRead(t, data) })
	}
	var many bytes.Buffer
	many.WriteString("Name,Website\n")
	for range maxRowErrors + 5 {
		many.WriteString("x\"y,1\n")
	}
	many.WriteString("Late,late.com\n")
	t.Run("stops after the error cap", func(t *testing.T) { sameRead(t, many.Bytes()) })
	if !utf8.Valid(cases["utf-8 across buffers"]) {
		t.Fatal("the utf-8 case is not utf-8")
	}
}

func FuzzScannerReadsAsWholeFile(f *testing.F) {
	f.Add([]byte("Company Name,Website\nAcme,acme.com\n"))
	f.Add([]byte("\xef\xbb\xbfA;B\r\n\"x\ny\";\xe9\n"))
	f.Add([]byte("a\"b\n\nName\tX\n1\t2\n"))
	f.Fuzz(func(t *testing.T, data []byte) { sameRead(t, data) })
}
