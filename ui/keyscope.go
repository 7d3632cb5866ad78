package ui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// screenNames are the screens as the help and the status line name them.
var screenNames = map[screen]string{
	scrToday: "Today", scrAccount: "Account", scrLog: "Log", scrSearch: "Search",
	scrStats: "Stats", scrSync: "Sync", scrHelp: "Help",
}

// keysOn are the bindings a screen acts on when it takes no typed text: a
// letter outside them does nothing there and the status line says where it
// works instead, so a word typed in the wrong place ("/olivia" before `/`
// was bound on the account screen) never runs as a string of commands.
// The global keys (?, q, ctrl+c, /) are in every list.
func (k KeyMap) keysOn(s screen, logPicking bool) []key.Binding {
	global := []key.Binding{k.Help, k.Quit, k.ForceQuit, k.Search, k.Back}
	move := []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}
	switch s {
	case scrToday:
		return join(global, move, []key.Binding{k.Open, k.Refresh, k.Stats, k.Sync, k.Tier, k.Overdue, k.Callable,
			k.Channel, k.Held, k.ClearFilters, k.Log, k.Snooze, k.Done, k.Skip, k.AddTask, k.Undo, k.EditNote,
			k.OpenCRM, k.Copy, k.Why})
	case scrAccount:
		return join(global, move, []key.Binding{k.Refresh, k.Log, k.EditNote, k.OpenCRM, k.Copy, k.Undo})
	case scrLog:
		if logPicking {
			return join(global, []key.Binding{k.LogChannel, k.ReachedOut, outcomeBinding()})
		}
		return join(global, []key.Binding{k.Accept, k.Tomorrow, k.BusinessDays, k.TypedDate, k.SkipNext, k.Note})
	case scrStats:
		return join(global, []key.Binding{k.Refresh})
	case scrSync:
		return join(global, []key.Binding{k.Sync, k.Accept, k.Up, k.Down}) // j/k choose a change, enter opens it
	}
	return global
}

// outcomeBinding is every outcome key of the log screen, lower and upper case.
func outcomeBinding() key.Binding {
	var ks []string
	for _, r := range outcomeKeys {
		ks = append(ks, string(r), strings.ToUpper(string(r)))
	}
	return key.NewBinding(key.WithKeys(ks...), key.WithHelp("n…s", "log an outcome"))
}

func join(lists ...[]key.Binding) []key.Binding {
	var out []key.Binding
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// allScreens lists the screens in the order the help names them.
var allScreens = []screen{scrToday, scrAccount, scrLog, scrSearch, scrStats, scrSync, scrHelp}

// whereWorks names the screens a binding works on ("Today", "Today,
// Account", "everywhere"), for the help and for a key pressed where it means
// nothing. The log screen counts in either of its steps.
func (k KeyMap) whereWorks(b key.Binding) string {
	var on []string
	for _, s := range allScreens {
		if s == scrSearch || s == scrHelp {
			continue // they take typed text, or show only this list
		}
		if hasBinding(k.keysOn(s, true), b) || (s == scrLog && hasBinding(k.keysOn(s, false), b)) {
			on = append(on, screenNames[s])
		}
	}
	if len(on) >= 5 {
		return "everywhere"
	}
	return strings.Join(on, ", ")
}

func hasBinding(bs []key.Binding, b key.Binding) bool {
	for _, x := range bs {
		for _, want := range b.Keys() {
			for _, have := range x.Keys() {
				if want == have && x.Help().Desc == b.Help().Desc {
					return true
				}
			}
		}
	}
	return false
}

// unboundKey is what the status line says about a letter the active screen
// does not use: where it works, if anywhere ("z: snooze works on Today").
// ok is false when the screen uses the key.
func (m root) unboundKey(msg tea.KeyMsg) (string, bool) {
	if msg.Type != tea.KeyRunes || len(msg.Runes) != 1 || msg.Alt {
		return "", false
	}
	on := m.keys.keysOn(m.active, m.active != scrLog || m.log.picking)
	if key.Matches(msg, on...) {
		return "", false
	}
	name := string(msg.Runes)
	for _, b := range m.keys.all() {
		if !key.Matches(msg, b) {
			continue
		}
		if where := m.keys.whereWorks(b); where != "" {
			return name + ": " + b.Help().Desc + " works on " + where, true
		}
	}
	return name + ": not a key on " + screenNames[m.active] + " (? lists the keys)", true
}

// all is every binding of the rep's screens, in the order of the help.
func (k KeyMap) all() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, k.Open, k.Back,
		k.Log, k.Undo, k.Snooze, k.Done, k.Skip, k.AddTask, k.EditNote, k.OpenCRM, k.Copy, k.Why,
		k.Search, k.Tier, k.Overdue, k.Callable, k.Channel, k.Held, k.ClearFilters, k.Refresh,
		k.Stats, k.Sync, k.Help, k.Quit, k.ForceQuit}
}

// keyGroup is the keys that work on the same screens, for the help.
type keyGroup struct {
	where string
	keys  []key.Binding
}

// helpGroups are every key grouped by where it works, so the help says on
// which screen each key works: computed from keysOn, never written twice.
func (k KeyMap) helpGroups() []keyGroup {
	var groups []keyGroup
	index := map[string]int{}
	add := func(where string, b key.Binding) {
		i, ok := index[where]
		if !ok {
			i = len(groups)
			index[where] = i
			groups = append(groups, keyGroup{where: where})
		}
		groups[i].keys = append(groups[i].keys, b)
	}
	for _, b := range k.all() {
		where := k.whereWorks(b)
		switch where {
		case "everywhere":
			if b.Help().Key == "q" {
				b = key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "back (Today: quit)"))
			}
		case "":
			continue
		default:
			where = "on " + where
		}
		add(where, b)
	}
	for _, b := range []key.Binding{outcomeBinding(), k.LogChannel, k.ReachedOut, k.Accept, k.Tomorrow, k.BusinessDays, k.TypedDate, k.SkipNext, k.Note} {
		if b.Help().Key == "n…s" {
			b = key.NewBinding(key.WithKeys("n"), key.WithHelp("n…s", "log + accept"))
			add("on Log", b)
			add("on Log", key.NewBinding(key.WithKeys("N"), key.WithHelp("N…S", "log, change it")))
			continue
		}
		add("on Log", b)
	}
	return groups
}
