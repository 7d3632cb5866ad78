package csvio

import (
	"bytes"
	"strings"
	"testing"
)

func TestGuard(t *testing.T) {
	for _, tc := range []struct {
		name, in, cell string
	}{
		{"formula", "=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"},
		{"plus", "+1 415 555 0100", "'+1 415 555 0100"},
		{"minus", "-2+3", "'-2+3"},
		{"at", "@SUM(A1)", "'@SUM(A1)"},
		{"tab", "\t=1", "'\t=1"},
		{"cr", "\r=1", "'\r=1"},
		{"plain text", "Acme, Inc", "Acme, Inc"},
		{"empty", "", ""},
		{"an apostrophe alone", "'", "'"},
		{"apostrophe before text", "'quoted'", "'quoted'"},
		{"apostrophe before a formula", "'=1", "''=1"},
		{"apostrophes before a formula", "'''+1", "''''+1"},
		{"trigger later", "a=b", "a=b"},
		{"space first", " =1", " =1"},
		{"digits", "2026-11-01", "2026-11-01"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Guard(tc.in); got != tc.cell {
				t.Errorf("Guard(%q) = %q; want %q", tc.in, got, tc.cell)
			}
			if got := Unguard(tc.cell); got != tc.in {
				t.Errorf("Unguard(%q) = %q; want %q", tc.cell, got, tc.in)
			}
		})
	}
	// A hand-made file's guarded phone imports without its apostrophe; an
	// apostrophe before anything else is the value's own.
	for in, want := range map[string]string{"'+1 415": "+1 415", "'O'Brien": "'O'Brien", "''": "''", "'": "'"} {
		if got := Unguard(in); got != want {
			t.Errorf("Unguard(%q) = %q; want %q", in, got, want)
		}
	}
}

// TestWriterGuardsTextOnly: text cells are guarded, numbers (a negative one
// too) and booleans are not, JSON is unchanged, and Read takes the guard off.
func TestWriterGuardsTextOnly(t *testing.T) {
	n := int64(-42)
	vals := []any{"=cmd|' /C calc'!A0", "+1 415 555 0100", &n, -7, true, []string{"@risk", "Go"}, "'=x", "Acme"}
	header := []string{"name", "phone", "revenue", "delta", "ok", "tech", "note", "plain"}
	var b bytes.Buffer
	w, err := NewWriter(&b, "csv", header)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Row(vals...); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	want := "name,phone,revenue,delta,ok,tech,note,plain\n'=cmd|' /C calc'!A0,'+1 415 555 0100,-42,-7,true,'@risk; Go,''=x,Acme\n"
	if b.String() != want {
		t.Errorf("csv:\n%q\nwant\n%q", b.String(), want)
	}
	tb, err := Read(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	back := []string{"=cmd|' /C calc'!A0", "+1 415 555 0100", "-42", "-7", "true", "@risk; Go", "'=x", "Acme"}
	if strings.Join(tb.Rows[0].Cells, "|") != strings.Join(back, "|") {
		t.Errorf("read back %q; want %q", tb.Rows[0].Cells, back)
	}
	if tb.Header[0] != "name" {
		t.Errorf("header %q", tb.Header)
	}
	b.Reset()
	w, _ = NewWriter(&b, "json", header[:2])
	w.Row(vals[0], vals[1])
	w.Close()
	if !strings.Contains(b.String(), `"name": "=cmd|' /C calc'!A0", "phone": "+1 415 555 0100"`) {
		t.Errorf("json changed: %s", b.String())
	}
}

// FuzzGuard: the guard round-trips every string, and a guarded cell never
// starts with a character a spreadsheet runs as a formula.
func FuzzGuard(f *testing.F) {
	for _, s := range []string{"", "'", "=1", "'=1", "''-", "+1 415", "@", "\t", "\r\n", "a", "'a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		g := Guard(s)
		if Unguard(g) != s {
			t.Fatalf("Unguard(Guard(%q)) = %q", s, Unguard(g))
		}
		if g != "" && formulaStart(g[0]) {
			t.Fatalf("Guard(%q) = %q starts a formula", s, g)
		}
	})
}
