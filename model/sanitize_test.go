package model

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
	"unsafe"
)

func TestSanitize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain ascii", "Acme Corp — VP Sales", "Acme Corp — VP Sales"},
		{"accents and emoji", "Zoë Müller 🚀 東京", "Zoë Müller 🚀 東京"},
		{"empty", "", ""},
		{"sgr colour", "\x1b[31mred\x1b[0m", "red"},
		{"csi with private params", "\x1b[?25lhidden cursor\x1b[?25h", "hidden cursor"},
		{"csi clear screen", "a\x1b[2Jb", "ab"},
		{"osc title with bel", "\x1b]0;evil title\x07ok", "ok"},
		{"osc hyperlink with st", "\x1b]8;;http://x.example\x1b\\link\x1b]8;;\x1b\\", "link"},
		{"osc 52 clipboard", "\x1b]52;c;cm0gLXJmIC8=\x07safe", "safe"},
		{"osc unterminated", "before\x1b]0;no end", "before"},
		{"osc cut by new escape", "\x1b]0;t\x1b[1mX", "X"},
		{"dcs", "\x1bP1$r0m\x1b\\x", "x"},
		{"sos pm apc", "\x1bXsos\x1b\\\x1b^pm\x1b\\\x1b_apc\x1b\\y", "y"},
		{"two byte escapes", "\x1b7saved\x1b8\x1bc", "saved"},
		{"charset designation", "\x1b(Bx\x1b)0y", "xy"},
		{"lone esc at end", "tail\x1b", "tail"},
		{"esc esc", "a\x1b\x1b[1mb", "ab"},
		{"unterminated csi", "x\x1b[12;", "x"},
		{"csi broken by text byte", "\x1b[12\x01m", "m"},
		{"c0 controls and del", "a\x00b\x07c\x7fd\x08e", "abcde"},
		{"tabs and newlines", "a\tb\nc\r\nd", "a b c d"},
		{"runs of whitespace controls collapse", "a\n\n\t\r b", "a  b"},
		{"whitespace around dropped escape", "a\n\x1b[0m\nb", "a b"},
		{"invalid utf8", "\xffbad\xc3", "\uFFFDbad\uFFFD"},
		{"overlong encoding", "\xc0\xafx", "\uFFFD\uFFFDx"},
		{"raw 8-bit csi byte", "\x9b31mX", "\uFFFD31mX"},
		{"c1 csi", "\u009b31mX", "X"},
		{"c1 osc with c1 st", "\u009d0;title\u009cY", "Y"},
		{"c1 osc with bel", "\u009d0;title\u0007Y", "Y"},
		{"c1 dcs", "\u0090q#0\u009cZ", "Z"},
		{"c1 next line", "a\u0085b", "ab"},
		{"surrogate half", "\xed\xa0\x80z", "\uFFFD\uFFFD\uFFFDz"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Sanitize(tc.in)
			if got != tc.want {
				t.Errorf("Sanitize(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if again := Sanitize(got); again != got {
				t.Errorf("not idempotent: %q then %q", got, again)
			}
		})
	}
}

func TestSanitizeCleanDoesNotAllocate(t *testing.T) {
	in := strings.Repeat("Müller & Söhne GmbH, VP Sales 🚀 ", 8)
	if got := Sanitize(in); unsafe.StringData(got) != unsafe.StringData(in) {
		t.Fatal("clean input was copied")
	}
	if n := testing.AllocsPerRun(100, func() { _ = Sanitize(in) }); n != 0 {
		t.Fatalf("clean input: %v allocations, want 0", n)
	}
}

func FuzzSanitize(f *testing.F) {
	for _, s := range []string{
		"", "plain", "\x1b[31mred", "\x1b]0;t\x07", "\x1bP\x1b\\", "\u009b1m", "\u009d0;x\u009c",
		"\xff\xfe", "a\tb\r\n", "\x1b", "\xc2", "\xe2\x82", "Zoë 🚀",
		"invoice\u202efdp.exe", "\u2066a\u2069\u202a\u202b\u202c\u202d", "\xe2\x80\xae", "\xe2\x81", "x\u2028y\u0085z",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := Sanitize(in)
		if !utf8.ValidString(out) {
			t.Fatalf("Sanitize(%q) = %q: invalid UTF-8", in, out)
		}
		for i := 0; i < len(out); i++ {
			if b := out[i]; b < 0x20 || b == 0x7f {
				t.Fatalf("Sanitize(%q) = %q: control byte %#x at %d", in, out, b, i)
			}
		}
		for _, r := range out {
			if r >= 0x80 && r <= 0x9f {
				t.Fatalf("Sanitize(%q) = %q: C1 control %U", in, out, r)
			}
		}
		if again := Sanitize(out); again != out {
			t.Fatalf("not idempotent: %q → %q → %q", in, out, again)
		}
		if len(out) > 3*len(in) {
			t.Fatalf("output grew too much: %d bytes from %d", len(out), len(in))
		}
		// Display is Sanitize with the bidi controls gone too.
		d := Display(in)
		if d != Display(d) || Sanitize(d) != d {
			t.Fatalf("Display(%q) = %q: not idempotent or not sanitised", in, d)
		}
		for _, r := range d {
			if IsBidiControl(r) {
				t.Fatalf("Display(%q) = %q: bidi control %U", in, d, r)
			}
		}
		// EscapeJSON keeps the data (the document decodes to the same
		// text) and leaves no C1 or bidi control raw.
		doc, _ := json.Marshal(in)
		esc := EscapeJSON(doc)
		var back, want string
		if err := json.Unmarshal(esc, &back); err != nil {
			t.Fatalf("EscapeJSON(%s) = %s: not JSON: %v", doc, esc, err)
		}
		json.Unmarshal(doc, &want)
		if back != want {
			t.Fatalf("EscapeJSON changed the data: %q, want %q", back, want)
		}
		for _, r := range string(esc) {
			if (r >= 0x80 && r <= 0x9f) || IsBidiControl(r) || r < 0x20 {
				t.Fatalf("EscapeJSON(%s) = %s: raw %U", doc, esc, r)
			}
		}
	})
}

func TestDisplay(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"clean", "Zoë Müller 🚀 東京", "Zoë Müller 🚀 東京"},
		{"right-to-left override", "invoice\u202efdp.exe", "invoicefdp.exe"},
		{"every embedding and override", "a\u202ab\u202bc\u202cd\u202de\u202ef", "abcdef"},
		{"isolates", "\u2066x\u2067y\u2068z\u2069", "xyz"},
		{"marks are not controls", "a\u200eb\u200fc", "a\u200eb\u200fc"},
		{"hebrew and arabic stay", "שלום مرحبا", "שלום مرحبا"},
		{"escapes too", "\x1b[31m\u202ered", "red"},
		{"neighbours kept", "\u2029\u2065\u206a\u2029", "\u2029\u2065\u206a\u2029"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Display(tc.in); got != tc.want {
				t.Errorf("Display(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
	if s := "invoice\u202efdp"; Sanitize(s) != s {
		t.Error("Sanitize drops bidi controls: they are data, kept in the book and in --json")
	}
	in := strings.Repeat("Müller & Söhne GmbH, VP Sales 🚀 ", 8)
	if n := testing.AllocsPerRun(100, func() { _ = Display(in) }); n != 0 {
		t.Fatalf("clean input: %v allocations, want 0", n)
	}
}

func TestEscapeJSON(t *testing.T) {
	doc, _ := json.Marshal(map[string]string{"note": "a\u0085b\u009b2Jc\u202ed\u2066e", "ok": "Zoë 🚀"})
	got := string(EscapeJSON(doc))
	want := `{"note":"a\u0085b\u009b2Jc\u202ed\u2066e","ok":"Zoë 🚀"}`
	if got != want {
		t.Errorf("EscapeJSON = %s\nwant %s", got, want)
	}
	clean := []byte(`{"a":"Zoë"}`)
	if out := EscapeJSON(clean); &out[0] != &clean[0] {
		t.Error("a clean document was copied")
	}
}

func TestShorten(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"eleven char", 10, "eleven ch…"},
		{"Zoë Müller", 4, "Zoë…"},
		{"🚀🚀🚀", 3, "🚀🚀🚀"},
		{"🚀🚀🚀🚀", 3, "🚀🚀…"},
		{"abc", 0, "…"},
	}
	for _, tc := range tests {
		if got := Shorten(tc.in, tc.max); got != tc.want {
			t.Errorf("Shorten(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
	}
	if got := Shorten(strings.Repeat("x", 1<<20), 300); utf8.RuneCountInString(got) != 300 {
		t.Errorf("a 1 MB text shortened to %d characters, want 300", utf8.RuneCountInString(got))
	}
}

func TestListSome(t *testing.T) {
	if got := ListSome([]string{"a", "b"}, 3); got != "a, b" {
		t.Errorf("got %q", got)
	}
	if got := ListSome([]string{"a", "b", "c", "d", "e"}, 3); got != "a, b, c and 2 more" {
		t.Errorf("got %q", got)
	}
}

func BenchmarkSanitize(b *testing.B) {
	clean := "Müller & Söhne GmbH — VP Sales, EMEA"
	dirty := "\x1b[1mMüller\x1b[0m & Söhne\tGmbH\x1b]8;;http://x\x07 — VP\xff"
	b.Run("clean", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = Sanitize(clean)
		}
	})
	b.Run("dirty", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = Sanitize(dirty)
		}
	})
}
