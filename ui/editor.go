package ui

import (
	"strings"
	"unicode"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textarea"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

// noteLimit is the most characters a touch note takes.
const noteLimit = 4000

// newNoteArea is the bubbles textarea for a touch note, set up so an idle
// screen costs nothing and the screen's own keys keep their meaning:
//   - the cursor is static: a blinking one schedules a tick every 530 ms
//     while the note is open, even when nobody types;
//   - enter belongs to the log screen (it logs), so a new line is ctrl+j;
//   - ctrl+v (read the system clipboard) is off: a terminal paste already
//     arrives as typed runes, and reading the clipboard needs xclip or
//     xsel and a reply message routed back through the root for nothing.
//
// The textarea drops control characters (ESC, C0, DEL, C1) from typed and
// pasted runes and turns a tab into spaces; what is left is stored as typed.
func newNoteArea(sty *Styles) textarea.Model {
	ta := textarea.New()
	ta.Prompt = "│ "
	ta.ShowLineNumbers = false
	ta.CharLimit = noteLimit
	ta.EndOfBufferCharacter = ' '
	ta.KeyMap.InsertNewline = key.NewBinding(key.WithKeys("ctrl+j"), key.WithHelp("ctrl+j", "new line"))
	ta.KeyMap.Paste.SetEnabled(false)
	plain := lipgloss.NewStyle()
	st := textarea.Style{Base: plain, CursorLine: plain, CursorLineNumber: plain, EndOfBuffer: plain,
		LineNumber: plain, Placeholder: sty.Subtle.Style, Prompt: plain, Text: plain}
	ta.FocusedStyle, ta.BlurredStyle = st, st
	ta.Cursor.Style = sty.Cursor.Style
	// SetMode returns a Cmd only for CursorBlink; static returns nil.
	_ = ta.Cursor.SetMode(cursor.CursorStatic)
	ta.SetHeight(3)
	ta.SetWidth(40)
	return ta
}

// noteKey prepares a key for the note: a pasted Windows line end (CR LF)
// is one new line, not two, since the textarea turns each of CR and LF
// into a line break.
func noteKey(msg tea.KeyMsg) tea.KeyMsg {
	if msg.Type == tea.KeyRunes && strings.Contains(string(msg.Runes), "\r\n") {
		msg.Runes = []rune(strings.ReplaceAll(string(msg.Runes), "\r\n", "\n"))
	}
	return msg
}

// editor is a one-line text field for prompts and search. bubbles'
// textinput would do, but its cursor blinks by default and this one is
// already small and tick-free; notes use textarea (newNoteArea).
type editor struct {
	prompt      string
	placeholder string
	value       []rune
	pos         int
	focused     bool
	width       int
	limit       int
	cursorStyle lipgloss.Style
	subtle      lipgloss.Style
}

func newEditor(sty *Styles) editor {
	return editor{width: 40, limit: 500, cursorStyle: sty.Cursor.Style, subtle: sty.Subtle.Style}
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
		case r == '\n' || r == '\r' || r == '\t':
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
// (ctrl+a/ctrl+e), ctrl+u (clear to start), ctrl+w (delete word).
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
		for i > 0 && e.value[i-1] != ' ' {
			i--
		}
		e.value = append(e.value[:i:i], e.value[e.pos:]...)
		e.pos = i
	}
	return e
}

// View draws the prompt and the text, scrolled so the cursor shows.
func (e editor) View() string {
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

func (e editor) render(text []rune, cur int) string {
	if !e.focused || cur < 0 {
		return string(text)
	}
	if cur >= len(text) {
		return string(text) + e.cursorStyle.Render(" ")
	}
	return string(text[:cur]) + e.cursorStyle.Render(string(text[cur])) + string(text[cur+1:])
}
