package ui

import (
	"strings"
	"unicode"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

// editor is a small text field for prompts and notes. It stands in for
// bubbles textinput/textarea, which import github.com/atotto/clipboard, a
// module outside this project's go.sum; it has no cursor blink, so an idle
// screen never ticks.
type editor struct {
	prompt      string
	placeholder string
	value       []rune
	pos         int
	focused     bool
	width       int
	height      int // lines shown; 1 for a prompt
	multiline   bool
	limit       int
	cursorStyle lipgloss.Style
	subtle      lipgloss.Style
}

func newEditor(sty Styles, height int, multiline bool) editor {
	return editor{height: max(1, height), multiline: multiline, width: 40, limit: 4000,
		cursorStyle: sty.Cursor, subtle: sty.Subtle}
}

func (e editor) Value() string { return string(e.value) }

func (e *editor) SetValue(s string) {
	e.value = []rune(s)
	e.pos = len(e.value)
}

func (e *editor) Reset()       { e.value, e.pos = nil, 0 }
func (e *editor) Focus()       { e.focused = true }
func (e *editor) Blur()        { e.focused = false }
func (e editor) Focused() bool { return e.focused }

func (e editor) insert(rs []rune) editor {
	var clean []rune
	for _, r := range rs {
		switch {
		case r == '\n' || r == '\r':
			if e.multiline {
				clean = append(clean, '\n')
			} else {
				clean = append(clean, ' ')
			}
		case r == '\t':
			clean = append(clean, ' ')
		case unicode.IsControl(r):
			// pasted control characters never reach the screen
		default:
			clean = append(clean, r)
		}
	}
	if room := e.limit - len(e.value); len(clean) > room {
		clean = clean[:max(0, room)]
	}
	v := make([]rune, 0, len(e.value)+len(clean))
	v = append(v, e.value[:e.pos]...)
	v = append(v, clean...)
	v = append(v, e.value[e.pos:]...)
	e.value, e.pos = v, e.pos+len(clean)
	return e
}

// Update edits on a key: runes, backspace/delete, arrows, home/end
// (ctrl+a/ctrl+e), ctrl+u (clear to start), ctrl+w (delete word), ctrl+j (new
// line in a note).
func (e editor) Update(msg tea.KeyMsg) editor {
	if !e.focused {
		return e
	}
	switch msg.Type {
	case tea.KeyRunes, tea.KeySpace:
		rs := msg.Runes
		if msg.Type == tea.KeySpace {
			rs = []rune{' '}
		}
		return e.insert(rs)
	case tea.KeyCtrlJ:
		if e.multiline {
			return e.insert([]rune{'\n'})
		}
	case tea.KeyBackspace:
		if e.pos > 0 {
			e.value = append(e.value[:e.pos-1:e.pos-1], e.value[e.pos:]...)
			e.pos--
		}
	case tea.KeyDelete:
		if e.pos < len(e.value) {
			e.value = append(e.value[:e.pos:e.pos], e.value[e.pos+1:]...)
		}
	case tea.KeyLeft:
		e.pos = max(0, e.pos-1)
	case tea.KeyRight:
		e.pos = min(len(e.value), e.pos+1)
	case tea.KeyHome, tea.KeyCtrlA:
		e.pos = 0
	case tea.KeyEnd, tea.KeyCtrlE:
		e.pos = len(e.value)
	case tea.KeyCtrlU:
		e.value = append([]rune{}, e.value[e.pos:]...)
		e.pos = 0
	case tea.KeyCtrlW:
		i := e.pos
		for i > 0 && e.value[i-1] == ' ' {
			i--
		}
		for i > 0 && e.value[i-1] != ' ' && e.value[i-1] != '\n' {
			i--
		}
		e.value = append(e.value[:i:i], e.value[e.pos:]...)
		e.pos = i
	}
	return e
}

// View draws the prompt and the text, scrolled so the cursor shows.
func (e editor) View() string {
	if !e.multiline {
		w := max(1, e.width-widthOf(e.prompt))
		if len(e.value) == 0 && !e.focused {
			return e.prompt + e.subtle.Render(clip(e.placeholder, w))
		}
		start := 0
		if e.pos >= w {
			start = e.pos - w + 1
		}
		end := min(len(e.value), start+w)
		return e.prompt + e.render(e.value[start:end], e.pos-start)
	}
	// A note: wrap each line hard at the width, keep the cursor's line in view.
	w := max(1, e.width)
	type seg struct {
		text []rune
		cur  int // -1: no cursor here
	}
	var segs []seg
	lineStart := 0
	flush := func(end int) {
		l := e.value[lineStart:end]
		for off := 0; ; off += w {
			part := l[off:min(len(l), off+w)]
			cur := -1
			if e.pos >= lineStart+off && (e.pos < lineStart+off+w || (e.pos == end && off+w >= len(l))) && e.pos <= end {
				cur = e.pos - lineStart - off
			}
			segs = append(segs, seg{text: part, cur: cur})
			if off+w >= len(l) {
				break
			}
		}
	}
	for i, r := range e.value {
		if r == '\n' {
			flush(i)
			lineStart = i + 1
		}
	}
	flush(len(e.value))
	if len(e.value) == 0 && !e.focused {
		segs = []seg{{text: []rune(e.placeholder), cur: -1}}
	}
	first := 0
	for i, s := range segs {
		if s.cur >= 0 && i >= e.height {
			first = i - e.height + 1
		}
	}
	out := make([]string, 0, e.height)
	for i := first; i < len(segs) && len(out) < e.height; i++ {
		s := segs[i]
		if len(e.value) == 0 && !e.focused {
			out = append(out, "│ "+e.subtle.Render(clip(string(s.text), w)))
			continue
		}
		out = append(out, "│ "+e.render(s.text, s.cur))
	}
	for len(out) < e.height {
		out = append(out, "│")
	}
	return strings.Join(out, "\n")
}

func (e editor) render(text []rune, cur int) string {
	if !e.focused || cur < 0 {
		return string(text)
	}
	if cur >= len(text) {
		return string(text) + e.cursorStyle.Render(" ")
	}
	return string(text[:cur]) + e.cursorStyle.Render(string(text[cur])) + string(text[cur+1:])
}
