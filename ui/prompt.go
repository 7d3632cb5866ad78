package ui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/shortlisthq/shortlist/model"
)

// promptKind says what a one-line prompt asks for.
type promptKind int

const (
	promptNone promptKind = iota
	promptSnooze
	promptTaskTitle
	promptTaskDue
	promptNote
	promptDue
	promptMeeting
)

// promptDoneMsg carries what was typed into a prompt, with the row (or the
// touch) it is about.
type promptDoneMsg struct {
	kind    promptKind
	value   string
	prior   string // the value the prompt started with
	row     model.Row
	touchID int64
	noteOf  string // promptNote: the touch, named
}

// prompt is a one-line text input under a screen: Enter submits, Esc cancels.
type prompt struct {
	kind    promptKind
	in      editor
	row     model.Row
	touchID int64
	noteOf  string
	label   string
	initial string         // the value it started with: leaving with other text asks first
	confirm bool           // esc was pressed once over typed text
	done    *promptDoneMsg // set by Enter; the owner takes it at once
}

// take returns and clears what Enter submitted.
func (p *prompt) take() (promptDoneMsg, bool) {
	if p.done == nil {
		return promptDoneMsg{}, false
	}
	d := *p.done
	p.done = nil
	return d, true
}

func newPrompt(sty *Styles) prompt {
	in := newEditor(sty)
	return prompt{in: in}
}

func (p prompt) active() bool { return p.kind != promptNone }

func (p *prompt) setWidth(w int) { p.in.width = max(10, w) }

func (p prompt) start(kind promptKind, label, value string, row model.Row) (prompt, tea.Cmd) {
	p.kind, p.row, p.touchID, p.noteOf = kind, row, 0, ""
	p.initial, p.confirm, p.label = value, false, label
	p.in.prompt = label
	p.in.SetValue(value)
	p.in.Focus()
	return p, nil
}

func (p prompt) Update(msg tea.KeyMsg) (prompt, tea.Cmd) {
	switch msg.Type {
	case tea.KeyEnter:
		done := promptDoneMsg{kind: p.kind, value: p.in.Value(), prior: p.initial, row: p.row, touchID: p.touchID, noteOf: p.noteOf}
		p.kind = promptNone
		p.in.Blur()
		p.done = &done
		return p, nil
	case tea.KeyEsc:
		if p.typed() && !p.confirm {
			// What was typed would be lost: the first esc asks.
			p.confirm = true
			p.in.prompt = "esc again drops what you typed, any other key keeps it: "
			return p, nil
		}
		p.kind, p.confirm = promptNone, false
		p.in.Blur()
		return p, nil
	}
	p.confirm, p.in.prompt = false, p.label
	p.in = p.in.Update(msg)
	return p, nil
}

// typed reports text the rep typed that leaving would lose.
func (p prompt) typed() bool {
	v := strings.TrimSpace(p.in.Value())
	return v != "" && v != strings.TrimSpace(p.initial)
}

func (p prompt) View() string { return p.in.View() }

func (p prompt) helpKeys() keyHelp {
	return keyHelp{short: []key.Binding{
		key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "ok")),
		key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
	}}
}
