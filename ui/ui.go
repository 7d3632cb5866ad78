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

// Run draws the TUI on the alternate screen until the user quits or ctx is
// cancelled. Bubble Tea restores the terminal on every exit path, panics
// included.
func Run(ctx context.Context, opts Options) error {
	p := tea.NewProgram(New(opts), tea.WithContext(ctx), tea.WithAltScreen(), tea.WithMouseCellMotion(), tea.WithReportFocus())
	if _, err := p.Run(); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("run tui: %w", err)
	}
	return nil
}
