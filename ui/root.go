package ui

import (
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
	keys   *KeyMap // shared, as every screen's env: the model is copied on every Update
	sty    *Styles
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

	status    statusMsg
	undo      []change // every change the rep made this session, newest last (undo.go)
	changeSeq int
	quitting  bool

	stamp   bookStamp // the book's files at the last check (freshness.go)
	stamped bool
	// checking: a key's or focus event's book check is on its way;
	// recheck: another key came meanwhile, so one more is due when it lands.
	checking, recheck bool
}

func newRoot(opts Options) root {
	km := DefaultKeyMap()
	keys, sty := &km, newStyles()
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
	// keys and sty are shared, never changed after New: each Update copies
	// the whole root model (every screen, each with its env), and by value
	// they made it 98 KB, most of a key press's cost in copies and GC.
	keys  *KeyMap
	sty   *Styles
	links bool
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

// askCheck is checkBook with at most one check on its way: a key or focus
// event while one is out asks for one more when it lands, so the last key
// of a burst is still followed by a check that started after it. A burst
// of 20 keys costs two checks, not 20 queries and 20 redraws.
func (m *root) askCheck() tea.Cmd {
	if m.checking {
		m.recheck = true
		return nil
	}
	cmd := checkBook(m.opts.DBPath, m.opts.Store)
	m.checking = cmd != nil
	return cmd
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
		r := nm.(root)
		return r, tea.Batch(cmd, r.askCheck())
	case tea.FocusMsg:
		return m, m.askCheck()
	case bookCheckedMsg:
		var again tea.Cmd
		if !msg.first {
			m.checking = false
			if m.recheck {
				m.recheck = false
				again = m.askCheck()
			}
		}
		nm, cmd := m.bookChecked(msg)
		return nm, tea.Batch(cmd, again)
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
		if m.opts.ReadOnly != "" {
			m.status = m.readOnlyStatus("log a touch")
			return m, nil
		}
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
		if m.opts.ReadOnly != "" {
			m.status = m.readOnlyStatus("sync")
			return m, nil
		}
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
	case changeUndoneMsg:
		return m.changeUndone(msg)
	case changeDoneMsg:
		return m.changeDone(msg)
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
		switch {
		case key.Matches(msg, m.keys.Back, m.keys.Help, m.keys.Quit):
			m.pop()
		case key.Matches(msg, m.keys.Search):
			return m.Update(openSearchMsg{})
		}
		return m, nil
	}
	if !m.capturing() {
		switch {
		case key.Matches(msg, m.keys.Quit) && m.active == scrToday:
			m.sync.cancel()
			m.quitting = true
			return m, tea.Quit
		case key.Matches(msg, m.keys.Quit):
			// q goes back on every other screen, as esc does (and asks
			// first where esc asks: a typed note).
			msg = tea.KeyMsg{Type: tea.KeyEsc}
		case key.Matches(msg, m.keys.Help):
			m.push(scrHelp)
			return m, nil
		case key.Matches(msg, m.keys.Search) && m.active != scrToday && m.active != scrSearch:
			if m.active == scrLog && m.log.hasTyped() {
				m.status = statusMsg{text: "a note is typed: log it (enter) or leave with esc before searching", err: true}
				return m, nil
			}
			return m.Update(openSearchMsg{})
		case key.Matches(msg, m.keys.Undo) && (m.active == scrToday || m.active == scrAccount):
			return m.undoLast()
		case key.Matches(msg, m.keys.EditNote) && m.active == scrToday:
			return m.editLastNote()
		}
		if text, unbound := m.unboundKey(msg); unbound {
			m.status = statusMsg{text: text}
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

func (m root) touchLogged(msg touchLoggedMsg) (tea.Model, tea.Cmd) {
	if msg.err != nil {
		m.log.logFailed()
		text := errText("log "+msg.req.Outcome.Label(), msg.err)
		if errors.Is(msg.err, model.ErrNotFound) || errors.Is(msg.err, model.ErrConflict) {
			// r on this screen logs "wrong number": the way to fresh rows
			// is back on Today.
			text = "log " + msg.req.Outcome.Label() + ": the row changed meanwhile (a sync?): esc, then r on Today refreshes"
		}
		m.status = statusMsg{text: text + " (nothing was logged)", err: true}
		return m, nil
	}
	lg := m.log.row
	m.pushChange(change{kind: changeLog, touchID: msg.res.Touch.ID, taskID: msg.req.TaskID, note: msg.req.Note,
		what: model.LogChangeName(msg.req.Outcome, lg.Account.Name, lg.Contact.Name())})
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
// help take the last two lines. A longer status (an error, the full why)
// wraps onto more lines and takes them from the bottom of the body.
func (m root) bodyHeight() int { return max(1, m.height-2) }

// maxStatusLines bounds a wrapped status line, so the screen stays readable.
const maxStatusLines = 4

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
	status := m.statusLines()
	bh := max(1, m.height-1-len(status))
	return frame(body, m.width, bh) + "\n" + strings.Join(status, "\n") + "\n" + m.footer(hk.short)
}

// readOnlyStatus refuses a change to a read-only book up front, with the
// reason; the store refuses every other write the same way.
func (m root) readOnlyStatus(what string) statusMsg {
	return statusMsg{text: "cannot " + what + ": the book is read-only (" + m.opts.ReadOnly + "): " + m.opts.DBPath, err: true}
}

// statusLines are the status line, wrapped at spaces: an error or the
// full why is read whole, never cut mid-sentence.
func (m root) statusLines() []string {
	if m.status.text == "" {
		if m.opts.ReadOnly != "" {
			return []string{m.sty.StatusErr.Render(fit(model.Display("read-only ("+m.opts.ReadOnly+"): changes are refused; "+homeTilde(m.opts.DBPath)), m.width))}
		}
		if m.opts.Demo {
			return []string{m.sty.Subtle.Render(fit("demo book: changes stay in "+model.Display(homeTilde(m.opts.DBPath)), m.width))}
		}
		return []string{""}
	}
	// Status text carries store and SQLite errors (a trigger's RAISE
	// message is anyone's text): it is sanitised here, where it is drawn,
	// and a line break in it is a space.
	text := strings.Join(strings.Fields(model.Display(m.status.text)), " ")
	lines := wrap(text, m.width)
	if len(lines) > maxStatusLines {
		lines = lines[:maxStatusLines]
		lines[maxStatusLines-1] = clip(lines[maxStatusLines-1]+" …", m.width)
	}
	st := m.sty.Status
	if m.status.err {
		st = m.sty.StatusErr
	}
	for i, l := range lines {
		lines[i] = st.Render(fit(l, m.width))
	}
	if len(lines) == 0 {
		return []string{""}
	}
	return lines
}

// footer is the short help: the active screen's keys, most important
// first, as many as fit, and always "? help" and q (quit on Today, back
// elsewhere) at the end.
func (m root) footer(keys []key.Binding) string {
	q := key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "back"))
	if m.active == scrToday {
		q = m.keys.Quit
	}
	// Where letters are typed text, ? and q are text too: ctrl+c quits.
	tail := []key.Binding{m.keys.ForceQuit}
	if !m.capturing() {
		tail = []key.Binding{m.keys.Help, q}
	}
	var screenKeys []key.Binding
	for _, k := range keys {
		if h := k.Help(); h.Key != "?" && h.Key != "q" && h.Key != "ctrl+c" {
			screenKeys = append(screenKeys, k)
		}
	}
	item := func(k key.Binding) string {
		return m.sty.Accent.Render(k.Help().Key) + " " + m.sty.Subtle.Render(k.Help().Desc)
	}
	for n := len(screenKeys); n >= 0; n-- {
		var parts []string
		for _, k := range append(screenKeys[:n:n], tail...) {
			parts = append(parts, item(k))
		}
		line := strings.Join(parts, m.sty.Subtle.Render(" · "))
		if widthOf(line) <= m.width || n == 0 {
			return clipANSI(line, m.width)
		}
	}
	return ""
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
	case scrStats:
		return keyHelp{short: []key.Binding{m.keys.Back, m.keys.Refresh, m.keys.Search}}
	case scrSync:
		return keyHelp{short: []key.Binding{m.keys.Back, m.keys.Sync, m.keys.Search}}
	}
	return keyHelp{short: []key.Binding{m.keys.Back, m.keys.Search}}
}

func (m root) helpView() string {
	lines := []string{m.sty.Title.Render("Shortlist keys") + m.sty.Subtle.Render(" · grouped by the screens they work on"), ""}
	colW := 26
	if m.width < 3*colW {
		colW = max(20, m.width/2)
	}
	cols := max(1, m.width/colW)
	groups := m.keys.helpGroups()
	header := func(t string) string { return m.sty.Header.Render(fit(t, colW-1)) }
	cell := func(b key.Binding) string {
		h := b.Help()
		return m.sty.Accent.Render(fit(h.Key, 7)) + fit(h.Desc, colW-8)
	}
	// Flow the groups down the columns, a group continued in the next
	// column under its name again; the shortest height that fits wins.
	var colsOut [][]string
	// A group is split only when the screen is too short for it whole.
	total, largest := 0, 0
	for _, g := range groups {
		total += len(g.keys) + 2
		largest = max(largest, len(g.keys)+1)
	}
	for h := max(4, total/cols, min(largest, m.bodyHeight()-2)); ; h++ {
		colsOut = [][]string{nil}
		for _, g := range groups {
			cur := &colsOut[len(colsOut)-1]
			if len(*cur) > 0 {
				if len(*cur)+2 >= h {
					colsOut = append(colsOut, nil)
					cur = &colsOut[len(colsOut)-1]
				} else {
					*cur = append(*cur, "")
				}
			}
			*cur = append(*cur, header(g.where))
			for _, b := range g.keys {
				if len(*cur) >= h {
					colsOut = append(colsOut, []string{header(g.where + " (more)")})
					cur = &colsOut[len(colsOut)-1]
				}
				*cur = append(*cur, cell(b))
			}
		}
		if len(colsOut) <= cols || h > 200 {
			break
		}
	}
	rows := 0
	for _, c := range colsOut {
		rows = max(rows, len(c))
	}
	for r := 0; r < rows; r++ {
		var b strings.Builder
		for _, c := range colsOut {
			text := fit("", colW-1)
			if r < len(c) && c[r] != "" {
				text = c[r]
			}
			b.WriteString(text + " ")
		}
		lines = append(lines, strings.TrimRight(b.String(), " "))
	}
	about := []string{"",
		"Log outcome (l): a lower-case key logs and accepts the proposed next action,",
		"then moves to the next row — no answer is `l n`. The upper-case key (N, B…)",
		"lets you change the next action: enter accept, t tomorrow, 1–9 business days,",
		"d type a date, s none, e add a note. u undoes your newest change until synced.",
		"A key a screen does not use does nothing there and says where it works.",
	}
	if len(lines)+len(about) <= m.bodyHeight() {
		lines = append(lines, about...)
	}
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

// homeTilde shows a path under the home directory as ~/…, as a shell does:
// shorter on the status line, and no user name or long temporary path on
// a screen shared or recorded.
func homeTilde(p string) string {
	home, err := os.UserHomeDir()
	if err != nil || home == "" || home == "/" {
		return p
	}
	home = strings.TrimRight(home, "/")
	if p == home {
		return "~"
	}
	if strings.HasPrefix(p, home+"/") {
		return "~" + p[len(home):]
	}
	return p
}
