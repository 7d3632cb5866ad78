package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/shortlisthq/shortlist/model"
)

// screen names the active screen.
type screen int

const (
	scrToday screen = iota
	scrAccount
	scrLog
	scrSearch
	scrStats
	scrSync
	scrHelp
)

// root routes: it handles what is global (size, quit, help, status line,
// undo) and forwards everything else to the active screen.
type root struct {
	opts   Options
	keys   KeyMap
	sty    Styles
	fx     effects
	links  bool
	width  int
	height int

	active screen
	stack  []screen // where Esc goes back to

	today   today
	account account
	log     logScreen
	search  search
	stats   stats
	sync    syncView
	help    help.Model

	status   statusMsg
	undo     []int64 // touches logged this session, newest last
	lastNote string  // the note of the newest of them, for e on Today
	quitting bool

	stamp   bookStamp // the book's files at the last check (freshness.go)
	stamped bool
}

func newRoot(opts Options) root {
	keys := DefaultKeyMap()
	sty := newStyles()
	links := hyperlinksSupported(os.Getenv)
	env := screenEnv{store: opts.Store, settings: opts.Settings, profile: opts.Profile,
		now: opts.Now, keys: keys, sty: sty, links: links}
	h := help.New()
	h.ShortSeparator = " · "
	return root{
		opts: opts, keys: keys, sty: sty, fx: defaultEffects(), links: links,
		width: 80, height: 24,
		today:   newToday(env, opts.Demo),
		account: newAccount(env),
		log:     newLogScreen(env),
		search:  newSearch(env),
		stats:   newStats(env),
		sync:    newSyncView(env, opts.Syncer),
		help:    h,
		status:  statusMsg{text: model.Display(opts.Notice)},
	}
}

// screenEnv is what every screen shares, built once.
type screenEnv struct {
	store    model.Store
	settings model.Settings
	profile  model.Profile
	now      func() time.Time
	keys     KeyMap
	sty      Styles
	links    bool
}

// hyperlinksSupported guesses whether the terminal draws OSC 8 links rather
// than printing them; unknown terminals get plain text.
func hyperlinksSupported(getenv func(string) string) bool {
	if getenv("SHORTLIST_NO_LINKS") != "" {
		return false
	}
	switch getenv("TERM_PROGRAM") {
	case "iTerm.app", "WezTerm", "vscode", "ghostty", "Hyper", "tabby":
		return true
	}
	if getenv("VTE_VERSION") != "" || getenv("WT_SESSION") != "" || getenv("KITTY_WINDOW_ID") != "" {
		return true
	}
	t := getenv("TERM")
	return strings.Contains(t, "kitty") || strings.Contains(t, "foot") || strings.Contains(t, "wezterm")
}

// Init takes the book's first stamp before the first load reads anything
// (bookChecked starts the load), so a commit landing between the two is
// newer than the stamp and the next key reloads for it.
func (m root) Init() tea.Cmd {
	check := checkBook(m.opts.DBPath, m.opts.Store)
	if check == nil {
		return m.today.Init()
	}
	return func() tea.Msg {
		msg := check().(bookCheckedMsg)
		msg.first = true
		return msg
	}
}

func (m root) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.help.Width = msg.Width
		bh := m.bodyHeight()
		m.today.setSize(msg.Width, bh)
		m.account.setSize(msg.Width, bh)
		m.log.setSize(msg.Width, bh)
		m.search.setSize(msg.Width, bh)
		m.stats.setSize(msg.Width, bh)
		m.sync.setSize(msg.Width, bh)
		var cmd tea.Cmd
		m.today, cmd = m.today.fill()
		return m, cmd
	case tea.KeyMsg:
		if msg.Type == tea.KeyRunes && len(msg.Runes) > 1 && !msg.Paste && !msg.Alt && !m.capturing() {
			return m.keysOneByOne(msg)
		}
		nm, cmd := m.key(msg)
		return nm, tea.Batch(cmd, checkBook(m.opts.DBPath, m.opts.Store))
	case tea.FocusMsg:
		return m, checkBook(m.opts.DBPath, m.opts.Store)
	case bookCheckedMsg:
		return m.bookChecked(msg)
	case tea.MouseMsg:
		return m.forward(msg)
	case statusMsg:
		m.status = msg
		return m, nil
	case openAccountMsg:
		m.push(scrAccount)
		var cmd tea.Cmd
		m.account, cmd = m.account.open(msg.id)
		return m, cmd
	case logStateLoadedMsg:
		m.log = m.log.stateLoaded(msg)
		return m, nil
	case openLogMsg:
		lg, cmd, err := m.log.open(msg.row, m.active)
		if err != "" {
			m.status = statusMsg{text: err, err: true}
			return m, nil
		}
		m.log = lg
		m.push(scrLog)
		return m, cmd
	case openSearchMsg:
		m.push(scrSearch)
		var cmd tea.Cmd
		m.search, cmd = m.search.open()
		return m, cmd
	case openStatsMsg:
		m.push(scrStats)
		var cmd tea.Cmd
		m.stats, cmd = m.stats.open()
		return m, cmd
	case startSyncMsg:
		if m.opts.Syncer == nil {
			m.status = statusMsg{text: "sync not configured: see `shortlist help sync` to connect HubSpot", err: true}
			return m, nil
		}
		if m.active != scrSync {
			m.push(scrSync)
		}
		var cmd tea.Cmd
		m.sync, cmd = m.sync.start()
		return m, cmd
	case backMsg:
		m.pop()
		return m, nil
	case touchLoggedMsg:
		return m.touchLogged(msg)
	case touchUndoneMsg:
		if msg.err != nil {
			if errors.Is(msg.err, model.ErrSynced) {
				m.undo = m.undo[:0]
				m.status = statusMsg{text: "that touch is already synced to the CRM: change it there", err: true}
			} else {
				m.status = statusMsg{text: errText("undo", msg.err), err: true}
			}
			return m, nil
		}
		if n := len(m.undo); n > 0 && m.undo[n-1] == msg.touchID {
			m.undo = m.undo[:n-1]
			m.lastNote = ""
		}
		m.status = statusMsg{text: "undone: the touch and its next action are gone"}
		return m, m.reload()
	case actionDoneMsg:
		if msg.err != nil {
			m.status = statusMsg{text: msg.err.Error(), err: true}
		} else if msg.text != "" {
			m.status = statusMsg{text: msg.text}
		}
		if msg.reload {
			return m, m.reload()
		}
		return m, nil
	case syncFinishedMsg:
		var cmd tea.Cmd
		m.sync, cmd = m.sync.Update(msg)
		m.today.syncDone(msg)
		if errors.Is(msg.err, model.ErrOffline) {
			m.status = statusMsg{text: fmt.Sprintf("offline: %d changes queued; keep working and sync later", msg.report.Pending), err: true}
			if m.active == scrSync {
				m.pop()
			}
		}
		return m, tea.Batch(cmd, m.reload())
	}
	// Replies to store calls go to the screen that asked, active or not.
	return m.deliver(msg)
}

// keysOneByOne handles keys that reached the program in one read as the
// keys they are. Bubble Tea v1 reports printable runes read together ("jl"
// when the rep types fast, or a busy machine reads two keys at once) as one
// KeyMsg whose String() matches no binding, so both keys were dropped: the
// two-terminal run's "l that does nothing". Once a key opens a screen that
// takes text ("/acme"), the rest is typed into it as one message.
func (m root) keysOneByOne(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	var cmds []tea.Cmd
	for i, r := range msg.Runes {
		k := tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}}
		if m.capturing() {
			k.Runes = msg.Runes[i:]
		}
		nm, cmd := m.Update(k)
		cmds = append(cmds, cmd)
		m = nm.(root)
		if m.quitting || len(k.Runes) > 1 {
			break
		}
	}
	return m, tea.Batch(cmds...)
}

// key handles the global keys, then forwards the key to the active screen.
func (m root) key(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	if key.Matches(msg, m.keys.ForceQuit) {
		m.sync.cancel()
		m.quitting = true
		return m, tea.Quit
	}
	m.status = statusMsg{}
	if m.active == scrHelp {
		if key.Matches(msg, m.keys.Back, m.keys.Help) {
			m.pop()
		} else if key.Matches(msg, m.keys.Quit) {
			m.quitting = true
			return m, tea.Quit
		}
		return m, nil
	}
	if !m.capturing() {
		switch {
		case key.Matches(msg, m.keys.Quit):
			m.sync.cancel()
			m.quitting = true
			return m, tea.Quit
		case key.Matches(msg, m.keys.Help):
			m.push(scrHelp)
			return m, nil
		case key.Matches(msg, m.keys.Undo) && (m.active == scrToday || m.active == scrAccount):
			return m.undoLast()
		case key.Matches(msg, m.keys.EditNote) && m.active == scrToday:
			if len(m.undo) == 0 {
				m.status = statusMsg{text: "no touch logged in this session: open the account (enter) to edit a note from its timeline", err: true}
				return m, nil
			}
			m.today.prompt, _ = m.today.prompt.start(promptNote, "note for the last touch: ", m.lastNote, model.Row{})
			m.today.prompt.touchID = m.undo[len(m.undo)-1]
			return m, nil
		}
	}
	return m.forward(msg)
}

// capturing reports whether the active screen is taking typed text, so
// letters are text rather than commands.
func (m root) capturing() bool {
	switch m.active {
	case scrToday:
		return m.today.capturing()
	case scrAccount:
		return m.account.capturing()
	case scrLog:
		return m.log.capturing()
	case scrSearch:
		return true
	}
	return false
}

func (m root) undoLast() (tea.Model, tea.Cmd) {
	if len(m.undo) == 0 {
		m.status = statusMsg{text: "nothing to undo: no outcome logged in this session", err: true}
		return m, nil
	}
	id := m.undo[len(m.undo)-1]
	st := m.opts.Store
	return m, withTimeout(func(ctx context.Context) tea.Msg {
		return touchUndoneMsg{touchID: id, err: st.UndoLog(ctx, id)}
	})
}

func (m root) touchLogged(msg touchLoggedMsg) (tea.Model, tea.Cmd) {
	if msg.err != nil {
		m.log.logFailed()
		m.status = statusMsg{text: errText("log "+msg.req.Outcome.Label(), msg.err) + " (nothing was logged)", err: true}
		return m, nil
	}
	m.undo = append(m.undo, msg.res.Touch.ID)
	m.lastNote = msg.req.Note
	text := "logged " + msg.req.Outcome.Label()
	now := m.opts.Now()
	p := msg.res.Plan
	if n := msg.res.Next; n != nil {
		text += " · next: " + string(n.Kind) + " " + dueLabel(*n, now)
	}
	for _, k := range p.Replaces {
		text += " · replaces " + string(k.Kind) + " " + dueLabel(k, now)
	}
	for _, e := range p.Effects(m.log.row.Contact, m.log.row.Account.Status) {
		text += " · " + model.Display(e)
	}
	if p.Held != nil {
		text += " · " + p.Held.Text(untilLabel(p.Held.Until, now))
	}
	m.status = statusMsg{text: text + " · u undoes"}
	if m.active == scrLog {
		m.pop()
	}
	// The logged row leaves the list (its task closed): the cursor stays
	// at its index, on the next row.
	m.today.leaving(m.log.row)
	return m, m.reload()
}

// reload refetches what the screens show after a change.
func (m *root) reload() tea.Cmd {
	var cmds []tea.Cmd
	var c tea.Cmd
	m.today, c = m.today.reload()
	cmds = append(cmds, c)
	if m.account.id != 0 && m.inStack(scrAccount) {
		m.account, c = m.account.open(m.account.id)
		cmds = append(cmds, c)
	}
	return tea.Batch(cmds...)
}

func (m root) inStack(s screen) bool {
	if m.active == s {
		return true
	}
	for _, x := range m.stack {
		if x == s {
			return true
		}
	}
	return false
}

func (m *root) push(s screen) {
	if m.active == s {
		return
	}
	m.stack = append(m.stack, m.active)
	m.active = s
}

func (m *root) pop() {
	if n := len(m.stack); n > 0 {
		m.active = m.stack[n-1]
		m.stack = m.stack[:n-1]
		return
	}
	m.active = scrToday
}

func (m root) forward(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	switch m.active {
	case scrToday:
		m.today, cmd = m.today.Update(msg)
	case scrAccount:
		m.account, cmd = m.account.Update(msg)
	case scrLog:
		m.log, cmd = m.log.Update(msg)
	case scrSearch:
		m.search, cmd = m.search.Update(msg)
	case scrStats:
		m.stats, cmd = m.stats.Update(msg)
	case scrSync:
		m.sync, cmd = m.sync.Update(msg)
	}
	cmd = m.withEffects(msg, cmd)
	// A screen change asked for by this message happens now, before the
	// next key, so fast typing ("/acme", "ln") never lands on the old screen.
	if nav := m.takeNav(); nav != nil {
		nm, navCmd := m.Update(nav)
		return nm, tea.Batch(cmd, navCmd)
	}
	return m, cmd
}

func (m *root) takeNav() tea.Msg {
	var nav tea.Msg
	for _, p := range []*tea.Msg{&m.today.nav, &m.account.nav, &m.log.nav, &m.search.nav, &m.stats.nav, &m.sync.nav} {
		if *p != nil && nav == nil {
			nav = *p
		}
		*p = nil
	}
	return nav
}

// withEffects runs the key actions that leave the program (opener,
// clipboard) for the active screen's selection.
func (m root) withEffects(msg tea.Msg, cmd tea.Cmd) tea.Cmd {
	k, ok := msg.(tea.KeyMsg)
	if !ok || m.capturing() || (m.active != scrToday && m.active != scrAccount) {
		return cmd
	}
	var acct model.Account
	var c model.Contact
	var kind model.TaskKind
	if m.active == scrToday {
		r, ok := m.today.selected()
		if !ok {
			return cmd
		}
		acct, c, kind = r.Account, r.Contact, r.Task.Kind
	} else {
		acct, c = m.account.detail.Account, m.account.selectedContact()
	}
	switch {
	case key.Matches(k, m.keys.OpenCRM):
		return tea.Batch(cmd, openCRM(m.fx, acct))
	case key.Matches(k, m.keys.Copy):
		return tea.Batch(cmd, copyContact(m.fx, c, kind))
	}
	return cmd
}

func (m root) deliver(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	switch msg.(type) {
	case worklistLoadedMsg, countsLoadedMsg, doneTodayMsg:
		m.today, cmd = m.today.Update(msg)
	case detailLoadedMsg:
		m.account, cmd = m.account.Update(msg)
	case searchedMsg, searchDueMsg:
		m.search, cmd = m.search.Update(msg)
	case statsLoadedMsg:
		m.stats, cmd = m.stats.Update(msg)
	case syncProgressMsg:
		m.sync, cmd = m.sync.Update(msg)
	default:
		return m.forward(msg)
	}
	return m, cmd
}

// bodyHeight is what a screen may draw in: the status line and the short
// help take the last two lines.
func (m root) bodyHeight() int { return max(1, m.height-2) }

func (m root) View() string {
	if m.quitting {
		return ""
	}
	var body string
	hk := m.helpKeys()
	switch m.active {
	case scrToday:
		body = m.today.View()
	case scrAccount:
		body = m.account.View()
	case scrLog:
		body = m.log.View()
	case scrSearch:
		body = m.search.View()
	case scrStats:
		body = m.stats.View()
	case scrSync:
		body = m.sync.View()
	case scrHelp:
		body = m.helpView()
	}
	return frame(body, m.width, m.bodyHeight()) + "\n" + m.statusLine() + "\n" + fit(m.help.ShortHelpView(hk.short), m.width)
}

func (m root) statusLine() string {
	if m.status.text == "" {
		if m.opts.Demo {
			return m.sty.Subtle.Render(fit("demo book: changes stay in "+model.Display(m.opts.DBPath), m.width))
		}
		return ""
	}
	// Status text carries store and SQLite errors (a trigger's RAISE
	// message is anyone's text): it is sanitised here, where it is drawn.
	t := fit(model.Display(m.status.text), m.width)
	if m.status.err {
		return m.sty.StatusErr.Render(t)
	}
	return m.sty.Status.Render(t)
}

func (m root) helpKeys() keyHelp {
	switch m.active {
	case scrToday:
		return m.today.helpKeys()
	case scrAccount:
		return m.account.helpKeys()
	case scrLog:
		return m.log.helpKeys()
	case scrSearch:
		return m.search.helpKeys()
	case scrStats, scrSync:
		return keyHelp{short: []key.Binding{m.keys.Back, m.keys.Help, m.keys.Quit}}
	}
	return keyHelp{short: []key.Binding{m.keys.Back, m.keys.Quit}}
}

func (m root) helpView() string {
	k := m.keys
	lines := []string{m.sty.Title.Render("Shortlist keys"), ""}
	groups := []struct {
		name string
		keys []key.Binding
	}{
		{"move", []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, k.Open, k.Back}},
		{"work a row", []key.Binding{k.Log, k.Undo, k.Snooze, k.Done, k.Skip, k.AddTask, k.EditNote, k.OpenCRM, k.Copy}},
		{"filter", []key.Binding{k.Search, k.Tier, k.Overdue, k.Callable, k.Channel, k.Held, k.ClearFilters, k.Refresh}},
		{"screens", []key.Binding{k.Stats, k.Sync, k.Help, k.Quit, k.ForceQuit}},
	}
	colW := max(20, min(26, m.width/len(groups)))
	cols := max(1, min(len(groups), m.width/colW))
	for i := 0; i < len(groups); i += cols {
		end := min(len(groups), i+cols)
		rows := 0
		for _, g := range groups[i:end] {
			rows = max(rows, len(g.keys)+1)
		}
		for r := 0; r < rows; r++ {
			var b strings.Builder
			for _, g := range groups[i:end] {
				cell := ""
				if r == 0 {
					cell = m.sty.Header.Render(fit(g.name, colW-1))
				} else if r-1 < len(g.keys) {
					h := g.keys[r-1].Help()
					cell = m.sty.Accent.Render(fit(h.Key, 7)) + fit(h.Desc, colW-8)
					if colW < 22 {
						cell = m.sty.Accent.Render(fit(h.Key, 6)) + " " + fit(h.Desc, colW-8)
					}
				} else {
					cell = fit("", colW-1)
				}
				b.WriteString(cell + " ")
			}
			lines = append(lines, b.String())
		}
		lines = append(lines, "")
	}
	lines = append(lines,
		"Log outcome (l): a lower-case key logs and accepts the proposed next action,",
		"then moves to the next row — no answer is `l n`. The upper-case key (N, B…)",
		"lets you change the next action: enter accept, t tomorrow, 1–9 business days,",
		"d type a date, s none, e add a note. u undoes the last log until it is synced.",
		"Tab switches the channel first (call, email, LinkedIn, meeting, visit); m asks",
		"when the meeting is (thu 14:00), so the preparation lands the day before.",
	)
	return strings.Join(lines, "\n")
}

// frame pads or cuts body to exactly h lines, each at most w cells.
func frame(body string, w, h int) string {
	lines := strings.Split(body, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		lines[i] = clipANSI(l, w)
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}
