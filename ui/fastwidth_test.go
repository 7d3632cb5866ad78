package ui

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"
)

// refFit and refClip are fit and clip as x/ansi alone computes them.
func refFit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	s = ansi.Truncate(s, w, "…")
	if n := ansi.StringWidth(s); n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}

func refClip(s string, w int) string {
	if w <= 0 {
		return ""
	}
	return ansi.Truncate(s, w, "…")
}

// TestFastWidths: the worklist's fast widths give x/ansi's answers, so
// columns line up whatever the names hold: every rune taken as one cell,
// then random mixes with runes that are not (combining marks, wide and
// emoji runes, bidi controls), bare and styled.
func TestFastWidths(t *testing.T) {
	lipgloss.SetColorProfile(termenv.TrueColor)
	defer lipgloss.SetColorProfile(termenv.Ascii)
	var one []rune
	for r := rune(0); r < 0x3000; r++ {
		if oneCell(r) {
			one = append(one, r)
			if got := ansi.StringWidth(string(r)); got != 1 {
				t.Errorf("oneCell(%U %q) but x/ansi says %d cells", r, r, got)
			}
			// Next to every other kind of oneCell rune it stays a cluster
			// of its own: the pair is two cells.
			for _, b := range []rune{'a', 'é', '·', '■'} {
				if got := ansi.StringWidth(string(r) + string(b)); got != 2 {
					t.Errorf("%q+%q: x/ansi says %d cells, want 2", r, b, got)
				}
			}
		}
	}
	other := []rune{'\u0301', '\u200d', '\u00ad', '日', '本', '😀', '\u202e', '\u2066', '\t', 'ｱ', '\u0e33', '☎', '\ufe0f'}
	rng := rand.New(rand.NewPCG(1, 2))
	st := lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("#A48BFF"))
	for i := 0; i < 20000; i++ {
		var b strings.Builder
		for n := rng.IntN(30); n > 0; n-- {
			switch k := rng.IntN(10); {
			case k < 6:
				b.WriteByte(byte(0x20 + rng.IntN(0x5f)))
			case k < 9:
				b.WriteRune(one[rng.IntN(len(one))])
			default:
				b.WriteRune(other[rng.IntN(len(other))])
			}
		}
		s := b.String()
		for _, w := range []int{0, 1, 2, 5, 12, 40} {
			if got, want := fit(s, w), refFit(s, w); got != want {
				t.Fatalf("fit(%q, %d) = %q, x/ansi %q", s, w, got, want)
			}
			if got, want := clip(s, w), refClip(s, w); got != want {
				t.Fatalf("clip(%q, %d) = %q, x/ansi %q", s, w, got, want)
			}
		}
		styled := []string{s, st.Render(s), "  " + st.Render(s) + osc8(true, "mailto:a@b.c", s) + "x",
			"\x1b[1m" + s + "\x1b]8;;http://x\x1b\\" + s + "\x1b]8;;\x07"}
		for _, v := range styled {
			if got, want := widthOf(v), ansi.StringWidth(v); got != want {
				t.Fatalf("widthOf(%q) = %d, x/ansi %d", v, got, want)
			}
			for _, w := range []int{3, 20, 60} {
				if got, want := fit(v, w), refFit(v, w); got != want {
					t.Fatalf("fit(%q, %d) = %q, x/ansi %q", v, w, got, want)
				}
				if got, want := clip(v, w), refClip(v, w); got != want {
					t.Fatalf("clip(%q, %d) = %q, x/ansi %q", v, w, got, want)
				}
				want := v
				if ansi.StringWidth(v) > w {
					want = ansi.Truncate(v, w, "")
				}
				if got := clipANSI(v, w); got != want {
					t.Fatalf("clipANSI(%q, %d) = %q, x/ansi %q", v, w, got, want)
				}
			}
		}
	}
}

// TestPaintMatchesLipgloss: a Paint draws exactly what its lipgloss style
// would, in every colour profile and on either background.
func TestPaintMatchesLipgloss(t *testing.T) {
	defer lipgloss.SetColorProfile(termenv.Ascii)
	defer lipgloss.SetHasDarkBackground(lipgloss.HasDarkBackground())
	texts := []string{"", "x", "due 12", "  a  b ", "tab\there", "two\nlines", "cr\r", "é · ■ …", "日本", "a\u0301",
		lipgloss.NewStyle().Foreground(lipgloss.Color("1")).Render("inner") + " outer"}
	for _, prof := range []termenv.Profile{termenv.TrueColor, termenv.ANSI256, termenv.ANSI, termenv.Ascii} {
		for _, dark := range []bool{true, false} {
			lipgloss.SetColorProfile(prof)
			lipgloss.SetHasDarkBackground(dark)
			sty := newStyles()
			paints := map[string]Paint{"Title": sty.Title, "Subtle": sty.Subtle, "Accent": sty.Accent, "Warn": sty.Warn,
				"Bad": sty.Bad, "Good": sty.Good, "Selected": sty.Selected, "Header": sty.Header, "ColHead": sty.ColHead,
				"Status": sty.Status, "StatusErr": sty.StatusErr, "Cursor": sty.Cursor}
			for tier, p := range sty.Tier {
				paints["tier "+string(tier)] = p
			}
			for name, p := range paints {
				for _, s := range texts {
					if got, want := p.Render(s), p.Style.Render(s); got != want {
						t.Errorf("profile %v dark %v: %s.Render(%q) = %q, lipgloss %q", prof, dark, name, s, got, want)
					}
				}
			}
		}
	}
}
