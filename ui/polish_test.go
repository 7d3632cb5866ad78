package ui

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestDemoStatusShowsHomeAsTilde: the demo's status line names the book
// under the home directory as ~/…, never the full home path (a recorded
// demo showed /tmp/tmp.XXXX/.local/share/…).
func TestDemoStatusShowsHomeAsTilde(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	m := root{opts: Options{Demo: true, DBPath: filepath.Join(home, ".local", "share", "shortlist", "demo.db")}, width: 120}
	m.sty = newStyles()
	line := strings.Join(m.statusLines(), "\n")
	if strings.Contains(line, home) || !strings.Contains(line, "~/.local/share/shortlist/demo.db") {
		t.Errorf("status line %q: want the book as ~/.local/share/shortlist/demo.db", line)
	}
	if got := homeTilde("/elsewhere/demo.db"); got != "/elsewhere/demo.db" {
		t.Errorf("a path outside home became %q", got)
	}
	if got := homeTilde(home + "x/demo.db"); got != home+"x/demo.db" {
		t.Errorf("a sibling of home became %q", got)
	}
}

// TestFitBarIsNotASolidBlock: the fit bar is drawn in light glyphs, not
// full blocks, which read as a bright slab in the demo GIF.
func TestFitBarIsNotASolidBlock(t *testing.T) {
	for score, want := range map[int]string{0: "····", 50: "■■··", 100: "■■■■", 88: "■■■■", 70: "■■■·"} {
		if got := fitBar(score); got != want {
			t.Errorf("fitBar(%d) = %q, want %q", score, got, want)
		}
		if strings.ContainsAny(fitBar(score), "█░") {
			t.Errorf("fitBar(%d) uses full blocks", score)
		}
	}
}
