package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/shortlisthq/shortlist/model"
)

// detailLoadedMsg is an account's detail.
type detailLoadedMsg struct {
	seq int
	id  int64
	d   model.AccountDetail
	err error
}

// acctLine is one line of the account screen; contact and touch lines can be
// selected (-1: not selectable).
type acctLine struct {
	text    string
	contact int
	touch   int
}

// account shows one account: firmographics, the fit explanation, the
// buying committee, the touch timeline and open tasks.
type account struct {
	env           screenEnv
	width, height int

	id      int64
	seq     int
	loading bool
	detail  model.AccountDetail
	loaded  bool
	lines   []acctLine
	sel     int // index into lines of the selected line; -1: none
	top     int
	prompt  prompt
	nav     tea.Msg
}

func newAccount(env screenEnv) account {
	return account{env: env, width: 80, height: 22, sel: -1, prompt: newPrompt(env.sty)}
}

func (m *account) setSize(w, h int) {
	m.width, m.height = w, h
	m.prompt.setWidth(w)
	if m.loaded {
		m.build()
	}
}

func (m account) capturing() bool { return m.prompt.active() }

func (m account) open(id int64) (account, tea.Cmd) {
	if id != m.id {
		m.loaded, m.lines, m.sel, m.top = false, nil, -1, 0
	}
	m.id = id
	m.seq++
	m.loading = true
	seq, st := m.seq, m.env.store
	return m, withTimeout(func(ctx context.Context) tea.Msg {
		d, err := st.AccountDetail(ctx, id)
		if err == nil {
			d = cleanDetail(d)
		}
		return detailLoadedMsg{seq: seq, id: id, d: d, err: err}
	})
}

func (m account) Update(msg tea.Msg) (account, tea.Cmd) {
	switch msg := msg.(type) {
	case detailLoadedMsg:
		if msg.seq != m.seq {
			return m, nil
		}
		m.loading = false
		if msg.err != nil {
			return m, statusCmd(errText("open the account", msg.err), true)
		}
		// The selected contact or touch is what the rep is looking at: a
		// reload that added a touch or a contact above it keeps it
		// selected; one that removed it selects the line that took its
		// place.
		keep, keepTop := m.sel, m.top
		was, had := m.selectedLine()
		m.detail, m.loaded = msg.d, true
		m.build()
		m.sel = -1
		if had {
			m.sel = m.reselect(was, keep)
			if m.sel >= 0 {
				m.top = keepTop + m.sel - keep
			}
		}
		m.scroll()
		return m, nil
	case tea.MouseMsg:
		switch msg.Button {
		case tea.MouseButtonWheelUp:
			m.top = max(0, m.top-3)
		case tea.MouseButtonWheelDown:
			m.top = max(0, min(len(m.lines)-m.viewHeight(), m.top+3))
		}
		return m, nil
	case tea.KeyMsg:
		if m.prompt.active() {
			m.prompt, _ = m.prompt.Update(msg)
			if d, ok := m.prompt.take(); ok {
				return m.noteDone(d)
			}
			return m, nil
		}
		return m.key(msg)
	}
	return m, nil
}

func (m account) noteDone(d promptDoneMsg) (account, tea.Cmd) {
	return m, editNote(m.env.store, d.touchID, d.value, d.prior, d.noteOf)
}

func (m account) key(msg tea.KeyMsg) (account, tea.Cmd) {
	k := m.env.keys
	switch {
	case key.Matches(msg, k.Back):
		m.nav = backMsg{}
		return m, nil
	case key.Matches(msg, k.Down):
		m.selectNext(1)
	case key.Matches(msg, k.Up):
		m.selectNext(-1)
	case key.Matches(msg, k.PageDown):
		m.top = max(0, min(len(m.lines)-m.viewHeight(), m.top+m.viewHeight()))
	case key.Matches(msg, k.PageUp):
		m.top = max(0, m.top-m.viewHeight())
	case key.Matches(msg, k.Top):
		m.top = 0
	case key.Matches(msg, k.Bottom):
		m.top = max(0, len(m.lines)-m.viewHeight())
	case key.Matches(msg, k.Refresh):
		return m.open(m.id)
	case key.Matches(msg, k.Log):
		c := m.selectedContact()
		if c.ID == 0 {
			return m, statusCmd("select a contact (j/k) to log an outcome with", true)
		}
		row := model.Row{Kind: model.RowTask, Account: m.detail.Account, Contact: c}
		for _, t := range m.detail.Tasks {
			if t.ContactID == c.ID {
				row.Task = t
				break
			}
		}
		if row.Task.ID == 0 {
			row.Kind, row.Task.Kind = model.RowSuggested, model.TaskCall
		}
		m.nav = openLogMsg{row: row}
		return m, nil
	case key.Matches(msg, k.EditNote):
		t, ok := m.selectedTouch()
		if !ok {
			return m, statusCmd("select a touch in the timeline (j/k) to edit its note", true)
		}
		var cmd tea.Cmd
		name := m.touchName(t)
		m.prompt, cmd = m.prompt.start(promptNote, "note for "+name+": ", t.Note, model.Row{})
		m.prompt.touchID, m.prompt.noteOf = t.ID, name
		return m, cmd
	}
	return m, nil
}

// lineKey is a selectable line's identity across reloads.
type lineKey struct {
	contact, touch int64
}

// selectedLine is the identity of the selected line, if one is selected.
func (m account) selectedLine() (lineKey, bool) {
	if !m.selectable(m.sel) {
		return lineKey{}, false
	}
	l := m.lines[m.sel]
	if l.contact >= 0 {
		return lineKey{contact: m.detail.Contacts[l.contact].ID}, true
	}
	return lineKey{touch: m.detail.Touches[l.touch].ID}, true
}

// reselect finds the line for k in freshly built lines; when it is gone,
// the selectable line at index at (or the nearest one after, then before)
// takes its place; -1 when nothing is selectable.
func (m account) reselect(k lineKey, at int) int {
	for i, l := range m.lines {
		if (l.contact >= 0 && k.contact != 0 && m.detail.Contacts[l.contact].ID == k.contact) ||
			(l.touch >= 0 && k.touch != 0 && m.detail.Touches[l.touch].ID == k.touch) {
			return i
		}
	}
	for i := max(0, at); i < len(m.lines); i++ {
		if m.selectable(i) {
			return i
		}
	}
	for i := min(at, len(m.lines)-1); i >= 0; i-- {
		if m.selectable(i) {
			return i
		}
	}
	return -1
}

func (m account) selectable(i int) bool {
	return i >= 0 && i < len(m.lines) && (m.lines[i].contact >= 0 || m.lines[i].touch >= 0)
}

func (m *account) selectNext(d int) {
	i := m.sel
	if i < 0 {
		i = m.top - d
		if d < 0 {
			i = m.top + m.viewHeight()
		}
	}
	for j := i + d; j >= 0 && j < len(m.lines); j += d {
		if m.selectable(j) {
			m.sel = j
			m.scroll()
			return
		}
	}
	// Nothing more to select that way: scroll instead.
	m.top = max(0, min(len(m.lines)-m.viewHeight(), m.top+d))
}

func (m *account) scroll() {
	vh := m.viewHeight()
	if m.sel >= 0 {
		if m.sel < m.top {
			m.top = m.sel
		}
		if m.sel >= m.top+vh {
			m.top = m.sel - vh + 1
		}
	}
	m.top = max(0, min(m.top, len(m.lines)-vh))
}

func (m account) viewHeight() int {
	h := m.height
	if m.prompt.active() {
		h--
	}
	return max(1, h)
}

func (m account) selectedContact() model.Contact {
	if m.sel < 0 || m.sel >= len(m.lines) {
		return model.Contact{}
	}
	l := m.lines[m.sel]
	if l.contact >= 0 {
		return m.detail.Contacts[l.contact]
	}
	if l.touch >= 0 {
		id := m.detail.Touches[l.touch].ContactID
		for _, c := range m.detail.Contacts {
			if c.ID == id {
				return c
			}
		}
	}
	return model.Contact{}
}

func (m account) selectedTouch() (model.Touch, bool) {
	if m.sel < 0 || m.sel >= len(m.lines) || m.lines[m.sel].touch < 0 {
		return model.Touch{}, false
	}
	return m.detail.Touches[m.lines[m.sel].touch], true
}

// build lays the account out as lines, once per load or resize, so View
// only slices.
func (m *account) build() {
	s := m.env.sty
	d := m.detail
	a := d.Account
	w := m.width
	now := m.env.now()
	var ls []acctLine
	add := func(t string) { ls = append(ls, acctLine{text: clipANSI(t, w), contact: -1, touch: -1}) }
	status := string(a.Status)
	if a.DoNotContact {
		status += " · do not contact"
	}
	add(s.Title.Render(clip(a.Name, w/2)) + " " + fmt.Sprintf("tier %s · fit %d %s · %s",
		s.tier(d.Fit.Tier), d.Fit.Score, fitBar(d.Fit.Score), status))
	var firmo []string
	if a.Industry != "" {
		firmo = append(firmo, a.Industry)
	}
	if a.Employees != nil {
		firmo = append(firmo, fmt.Sprintf("%d employees", *a.Employees))
	}
	if a.AnnualRevenue != nil {
		firmo = append(firmo, "revenue "+money(*a.AnnualRevenue))
	}
	place := strings.Join(nonEmpty(a.City, a.Region, a.Country), ", ")
	if place != "" {
		firmo = append(firmo, place)
	}
	add(clip(strings.Join(firmo, " · "), w))
	if len(a.Technologies) > 0 {
		add(s.Subtle.Render(clip("tech: "+strings.Join(a.Technologies, ", "), w)))
	}
	if a.Domain != "" || a.CRMURL != "" {
		add(s.Subtle.Render(clip(strings.Join(nonEmpty(a.Domain, a.CRMURL), " · "), w)))
	}
	add("")
	head := fmt.Sprintf("ICP fit %d/100 (known weight %d of %d)", d.Fit.Score, d.Fit.Known, d.Fit.Total)
	add(s.Header.Render(clip(head, w)))
	if d.Fit.Excluded {
		add(s.Bad.Render(clip("✗ excluded: "+d.Fit.ExcludedBy+" → tier D", w)))
	}
	for _, c := range d.Fit.Criteria {
		mark, st := "?", s.Subtle
		switch c.Status {
		case model.CriterionMet:
			mark, st = "✓", s.Good
		case model.CriterionPartial:
			mark, st = "~", s.Warn
		case model.CriterionMissed:
			mark, st = "✗", s.Bad
		}
		pts := fmt.Sprintf("%3d/%-3d", c.Earned, c.Possible)
		if c.Status == model.CriterionUnknown {
			pts = fmt.Sprintf("  –/%-3d", c.Possible)
		}
		add(st.Render(mark+" "+fit(string(c.Status), 7)) + " " + pts + " " + fit(c.Name, 18) + " " + s.Subtle.Render(clip(c.Detail, max(0, w-37))))
	}
	add("")
	add(s.Header.Render(fmt.Sprintf("Buying committee (%d)", len(d.Contacts))))
	if len(d.Gaps) > 0 {
		gaps := make([]string, len(d.Gaps))
		for i, g := range d.Gaps {
			gaps[i] = string(g)
		}
		add(s.Warn.Render(clip("not yet reached: "+strings.Join(gaps, ", "), w)))
	}
	// Narrow screens keep every column by cutting the long ones.
	nameW, titleW, roleW := 16, 14, 16
	if w >= 100 {
		nameW, titleW, roleW = 24, 24, 22
	}
	for i, c := range d.Contacts {
		consent := consentMarks(c)
		text := fmt.Sprintf("%s %s %s %s last %s", fit(c.Name(), nameW), fit(c.Title, titleW),
			fit(string(c.Persona)+"/"+string(c.Seniority), roleW), consent, ago(c.LastTouched, now))
		ls = append(ls, acctLine{text: clip(text, w-2), contact: i, touch: -1})
	}
	add("")
	add(s.Header.Render(fmt.Sprintf("Open tasks (%d)", len(d.Tasks))))
	for _, t := range d.Tasks {
		add(clip(fmt.Sprintf("%s %s · %s", fit(dueLabel(t, now), 9), t.Kind, t.Title), w))
	}
	add("")
	head = fmt.Sprintf("Timeline (%d touches, newest first)", len(d.Touches))
	if len(d.Signals) > 0 {
		head = fmt.Sprintf("Timeline (%d touches, %s, newest first)", len(d.Touches), signalCount(len(d.Signals)))
	}
	add(s.Header.Render(head))
	names := map[int64]string{}
	for _, c := range d.Contacts {
		names[c.ID] = c.Name()
	}
	// Signals (what the buyers did) sit between the touches by time.
	sigs := d.Signals
	signalLine := func(g model.Signal) {
		state := s.Warn.Render("waiting")
		if g.Answered() {
			state = "answered in " + model.Minutes(int(g.AnsweredAt.Sub(g.At)/time.Minute))
		}
		who := names[g.ContactID]
		if g.ContactID == 0 {
			who = "(someone)"
		}
		text := fmt.Sprintf("  %s %s %s %s", g.At.In(now.Location()).Format("Jan 02 15:04"), fit("↩ signal", 8),
			fit(string(g.Kind), 15), who)
		if g.Detail != "" {
			text += " — " + model.Display(g.Detail)
		}
		add(clipANSI(s.Accent.Render(clip(text, max(w-2-3-widthOf(state), 20)))+" · "+state, w-2))
	}
	for i, t := range d.Touches {
		for len(sigs) > 0 && !sigs[0].At.Before(t.At) {
			signalLine(sigs[0])
			sigs = sigs[1:]
		}
		text := fmt.Sprintf("%s %s %s %s", t.At.In(now.Location()).Format("Jan 02 15:04"), fit(string(t.Channel), 8),
			fit(t.Outcome.Label(), 15), names[t.ContactID])
		switch {
		case t.Outcome == model.OutcomeMeetingBooked && t.MeetingCancelled:
			text += " · cancelled " + t.MeetingAt.In(now.Location()).Format("Mon 2 Jan 15:04") // in the CRM (the sync summary named it)
		case t.Outcome == model.OutcomeMeetingBooked && !t.MeetingAt.IsZero():
			text += " · meets " + t.MeetingAt.In(now.Location()).Format("Mon 2 Jan 15:04")
		}
		if t.Note != "" {
			text += " — " + t.Note
		}
		if !t.Synced {
			text += " ·"
		}
		ls = append(ls, acctLine{text: clip(text, w-2), contact: -1, touch: i})
	}
	for _, g := range sigs {
		signalLine(g)
	}
	m.lines = ls
	if m.sel >= len(ls) {
		m.sel = -1
	}
}

// touchName names a touch of the timeline as undo and the status line do:
// "connected · Liam Clarke · Lyraworks · Nov 24 10:02".
func (m account) touchName(t model.Touch) string {
	who := ""
	for _, c := range m.detail.Contacts {
		if c.ID == t.ContactID {
			who = c.Name()
		}
	}
	return strings.Join(nonEmpty(t.Outcome.Label(), who, m.detail.Account.Name,
		t.At.In(m.env.now().Location()).Format("Jan 2 15:04")), " · ")
}

func consentMarks(c model.Contact) string {
	mark := func(name string, ch model.Channel) string {
		if c.Consent.For(ch).OptedOut() {
			return name + "✗"
		}
		return name + "✓"
	}
	return mark("call", model.ChannelCall) + " " + mark("mail", model.ChannelEmail) + " " + mark("li", model.ChannelLinkedIn)
}

func money(v int64) string {
	switch {
	case v >= 1_000_000_000:
		return fmt.Sprintf("%.1fB", float64(v)/1e9)
	case v >= 1_000_000:
		return fmt.Sprintf("%.1fM", float64(v)/1e6)
	case v >= 1_000:
		return fmt.Sprintf("%.0fk", float64(v)/1e3)
	}
	return fmt.Sprint(v)
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func (m account) View() string {
	if !m.loaded {
		return m.env.sty.Subtle.Render("loading the account…")
	}
	vh := m.viewHeight()
	out := make([]string, 0, vh+1)
	for i := m.top; i < len(m.lines) && len(out) < vh; i++ {
		l := m.lines[i]
		switch {
		case i == m.sel:
			out = append(out, m.env.sty.Selected.Render(fit("> "+l.text, m.width)))
		case l.contact >= 0 || l.touch >= 0:
			out = append(out, "  "+l.text)
		default:
			out = append(out, l.text)
		}
	}
	for len(out) < vh {
		out = append(out, "")
	}
	if m.prompt.active() {
		out = append(out, m.prompt.View())
	}
	return strings.Join(out, "\n")
}

func (m account) helpKeys() keyHelp {
	if m.prompt.active() {
		return m.prompt.helpKeys()
	}
	k := m.env.keys
	return keyHelp{short: []key.Binding{k.Log, k.Down, k.EditNote, k.Undo, k.Search, k.OpenCRM, k.Copy, k.Back}}
}

func signalCount(n int) string {
	if n == 1 {
		return "1 signal"
	}
	return fmt.Sprintf("%d signals", n)
}
