package ui

import (
	"fmt"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/shortlisthq/shortlist/model"
)

// TestEveryScreenFits walks every screen of the demo book at sizes from
// cramped to wide, and after resizes, and checks nothing wraps or overflows.
func TestEveryScreenFits(t *testing.T) {
	db := demoBook(t)
	routes := []struct {
		name string
		keys []string
	}{
		{"today", nil},
		{"held", []string{"H", "j", "j", "j"}},
		{"account", []string{"enter", "j", "j"}},
		{"log", []string{"l"}},
		{"log_next", []string{"l", "M", "e", "a note that is long enough to wrap around the narrowest screen we try here"}},
		{"log_date", []string{"l", "N", "d", "2026-12-01"}},
		{"search", []string{"/", "an"}},
		{"stats", []string{"s"}},
		{"help", []string{"?"}},
		{"sync", []string{"S"}},
		{"snooze", []string{"z"}},
	}
	sizes := [][2]int{{40, 12}, {60, 20}, {80, 24}, {100, 30}, {120, 40}, {200, 60}}
	for _, r := range routes {
		t.Run(r.name, func(t *testing.T) {
			opts := testOptions(db)
			opts.Syncer = fakeSyncer{report: model.SyncReport{Pulled: 1}}
			h := newHarness(t, opts)
			for _, k := range r.keys {
				if len(k) > 1 && k != "enter" {
					h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)})
					continue
				}
				h.keys(k)
			}
			for _, sz := range sizes {
				h.send(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
				assertFits(t, fmt.Sprintf("%s at %dx%d", r.name, sz[0], sz[1]), h.view(), sz[0], sz[1])
			}
		})
	}
}

func assertFits(t *testing.T, what, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != h {
		t.Errorf("%s: %d lines, want %d", what, len(lines), h)
	}
	for i, l := range lines {
		if lw := lipgloss.Width(l); lw > w {
			t.Errorf("%s: line %d is %d cells (max %d): %q", what, i+1, lw, w, l)
		}
	}
}
