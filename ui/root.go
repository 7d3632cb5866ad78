package ui

import (
	tea "github.com/charmbracelet/bubbletea"
)

type root struct {
	opts          Options
	width, height int
}

func newRoot(opts Options) root { return root{opts: opts} }

func (m root) Init() tea.Cmd { return nil }

func (m root) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
	case tea.KeyMsg:
		if msg.String() == "ctrl+c" || msg.String() == "q" {
			return m, tea.Quit
		}
	}
	return m, nil
}

func (m root) View() string { return "shortlist: loading…" }
