// Package ui is Shortlist's terminal interface: the morning worklist, the
// account view, the outcome log, search, stats, help and sync, as Bubble Tea
// models. It depends on model only; main.go hands it a model.Store.
package ui

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/shortlisthq/shortlist/model"
)

// Options are what the TUI needs from main.go.
type Options struct {
	Store    model.Store
	Settings model.Settings
	Profile  model.Profile
	Syncer   model.Syncer // nil: sync not configured; the key says so in the status line
	Now      func() time.Time
	Demo     bool
	DBPath   string
	Notice   string // shown in the status line at start ("" : none)
	// ReadOnly says why the book opened read-only ("" : writable); the
	// status line says so whenever it has nothing else to say, and each
	// write is refused by the store with the reason.
	ReadOnly string
}

// New builds the root model. A nil Now means time.Now.
func New(opts Options) tea.Model {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return newRoot(opts)
}

// frameRate caps how often the renderer draws while the screen changes.
// Shortlist's copy of Bubble Tea (third_party/bubbletea/PATCHED.md) draws
// only when the view changed: a change that comes after a quiet frame is
// drawn at once, one within a frame of the last is drawn at the end of
// that frame, and nothing wakes while the screen stays the same (upstream
// v1 ticks at this rate for ever, 60 times a second by default). So the
// rate costs nothing idle; at 120, Bubble Tea's most, a burst of keys (a
// held j, a paste) has its last state on screen at most 8.3 ms after its
// last key. Nothing else in the TUI ticks: the cursors are static, the
// search waits on one-shot timers and local times refresh on the next key.
const frameRate = 120

// Run draws the TUI on the alternate screen until the user quits or ctx is
// cancelled. Bubble Tea restores the terminal on every exit path, panics
// included.
func Run(ctx context.Context, opts Options) error {
	lipgloss.SetHasDarkBackground(darkBackground(os.Getenv))
	p := tea.NewProgram(New(opts), tea.WithContext(ctx), tea.WithAltScreen(), tea.WithMouseCellMotion(), tea.WithReportFocus(),
		tea.WithFPS(frameRate))
	if _, err := p.Run(); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("run tui: %w", err)
	}
	return nil
}

// darkBackground says whether the terminal's background is dark, for the
// adaptive palette, without asking the terminal: Bubble Tea's own init used
// to ask in every command and wait 5 s for a pty that never answers
// (patched out: third_party/bubbletea/PATCHED.md), and an answer that comes
// late reaches the program as typed keys. COLORFGBG ("15;0", set by rxvt,
// Konsole, iTerm2 and others) names the background's ANSI colour; 0–6 and
// 8 are dark. Without it the background is taken as dark, as most are.
func darkBackground(getenv func(string) string) bool {
	v := getenv("COLORFGBG")
	if i := strings.LastIndexByte(v, ';'); i >= 0 {
		if n, err := strconv.Atoi(v[i+1:]); err == nil {
			return n < 7 || n == 8
		}
	}
	return true
}
