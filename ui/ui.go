// Package ui is Shortlist's terminal interface: the morning worklist, the
// account view, the outcome log, search, stats, help and sync, as Bubble Tea
// models. It depends on model only; main.go hands it a model.Store.
package ui

import (
	"context"
	"fmt"
	"time"

	tea "github.com/charmbracelet/bubbletea"

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
}

// New builds the root model. A nil Now means time.Now.
func New(opts Options) tea.Model {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return newRoot(opts)
}

// frameRate is how often Bubble Tea's renderer wakes to draw what changed.
// Its ticker runs whether or not anything changed (nothing else in the TUI
// ticks: the cursors are static and the search waits on one-shot timers),
// so this sets how often an idle screen wakes: the default 60 a second
// cost an idle TUI 1.4–1.9% of a core. At 20 a changed screen is on the
// terminal within 50 ms (25 ms on average).
const frameRate = 20

// Run draws the TUI on the alternate screen until the user quits or ctx is
// cancelled. Bubble Tea restores the terminal on every exit path, panics
// included.
func Run(ctx context.Context, opts Options) error {
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
