package ui

import (
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
)

// KeyMap is every key binding of the TUI. Screens match with key.Matches and
// list the bindings that apply to them in their help.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
	Open, Back, Quit, ForceQuit, Help       key.Binding

	Log, Undo, Snooze, Done, Skip, AddTask, EditNote key.Binding
	Search, Tier, Overdue, Callable, Channel         key.Binding
	Held, ClearFilters, Refresh                      key.Binding
	Stats, Sync, OpenCRM, Copy, Why                  key.Binding

	// The outcome picker: a lower-case key logs the outcome and accepts the
	// proposed next action; the upper-case key lets the user change it.
	Accept, Tomorrow, BusinessDays, TypedDate, SkipNext, Note key.Binding
	// LogChannel switches the channel a touch is logged on (the task's,
	// or a call, to start with).
	LogChannel key.Binding
	// ReachedOut records on the log screen that the contact reached out
	// (a signal: they called, wrote, asked for a meeting).
	ReachedOut key.Binding
}

// DefaultKeyMap returns Shortlist's bindings: vim keys and arrows.
func DefaultKeyMap() KeyMap {
	b := func(keys []string, k, h string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, h))
	}
	return KeyMap{
		Up:           b([]string{"k", "up"}, "↑/k", "up"),
		Down:         b([]string{"j", "down"}, "↓/j", "down"),
		PageUp:       b([]string{"pgup", "ctrl+u"}, "pgup", "page up"),
		PageDown:     b([]string{"pgdown", "ctrl+d", " "}, "pgdn", "page down"),
		Top:          b([]string{"g", "home"}, "g", "top"),
		Bottom:       b([]string{"G", "end"}, "G", "bottom"),
		Open:         b([]string{"enter"}, "enter", "open account"),
		Back:         b([]string{"esc"}, "esc", "back"),
		Quit:         b([]string{"q"}, "q", "quit"),
		ForceQuit:    b([]string{"ctrl+c"}, "ctrl+c", "quit"),
		Help:         b([]string{"?"}, "?", "help"),
		Log:          b([]string{"l"}, "l", "log outcome"),
		Undo:         b([]string{"u"}, "u", "undo"),
		Snooze:       b([]string{"z"}, "z", "snooze"),
		Done:         b([]string{"D"}, "D", "task done"),
		Skip:         b([]string{"X"}, "X", "skip task"),
		AddTask:      b([]string{"a"}, "a", "add task"),
		EditNote:     b([]string{"e"}, "e", "edit note"),
		Search:       b([]string{"/"}, "/", "search"),
		Tier:         b([]string{"t"}, "t", "tier filter"),
		Overdue:      b([]string{"O"}, "O", "overdue only"),
		Callable:     b([]string{"C"}, "C", "callable now"),
		Channel:      b([]string{"w"}, "w", "by channel"),
		Held:         b([]string{"H"}, "H", "show held"),
		ClearFilters: b([]string{"x"}, "x", "no filters"),
		Refresh:      b([]string{"r", "ctrl+r"}, "r", "refresh"),
		Stats:        b([]string{"s"}, "s", "stats"),
		Sync:         b([]string{"S"}, "S", "sync"),
		OpenCRM:      b([]string{"o"}, "o", "open in CRM"),
		Copy:         b([]string{"c"}, "c", "copy contact"),
		Why:          b([]string{"y"}, "y", "why this row"),
		Accept:       b([]string{"enter"}, "enter", "log it"),
		Tomorrow:     b([]string{"t"}, "t", "due tomorrow"),
		BusinessDays: b([]string{"1", "2", "3", "4", "5", "6", "7", "8", "9"}, "1–9", "due in N business days"),
		TypedDate:    b([]string{"d"}, "d", "type a due date"),
		SkipNext:     b([]string{"s"}, "s", "no next action"),
		Note:         b([]string{"e", "tab"}, "e/tab", "note"),
		LogChannel:   b([]string{"tab", "shift+tab"}, "tab", "channel"),
		ReachedOut:   b([]string{"i"}, "i", "they reached out"),
	}
}

// keyHelp adapts a screen's bindings to bubbles/help.
type keyHelp struct {
	short []key.Binding
	full  [][]key.Binding
}

var _ help.KeyMap = keyHelp{}

func (h keyHelp) ShortHelp() []key.Binding  { return h.short }
func (h keyHelp) FullHelp() [][]key.Binding { return h.full }
