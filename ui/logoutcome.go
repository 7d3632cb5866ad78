package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textarea"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/shortlisthq/shortlist/model"
)

// outcomeKeys are the log screen's keys, one per outcome, in model.Outcomes
// order. The upper-case key of each opens the next-action step instead of
// accepting the proposal.
var outcomeKeys = map[model.Outcome]rune{
	model.OutcomeNoAnswer:      'n',
	model.OutcomeBusy:          'b',
	model.OutcomeLeftVoicemail: 'v',
	model.OutcomeConnected:     'c',
	model.OutcomeMeetingBooked: 'm',
	model.OutcomeNotInterested: 'x',
	model.OutcomeBadTiming:     't',
	model.OutcomeWrongPerson:   'w',
	model.OutcomeWrongNumber:   'r',
	model.OutcomeOptedOut:      'o',
	model.OutcomeSent:          's',
}

func outcomeForKey(r rune) (model.Outcome, bool, bool) {
	lower := r
	upper := false
	if r >= 'A' && r <= 'Z' {
		lower, upper = r+('a'-'A'), true
	}
	for o, k := range outcomeKeys {
		if k == lower {
			return o, upper, true
		}
	}
	return "", false, false
}

// logScreen logs one outcome: pick it (one key), then optionally change the
// next action and add a note.
type logScreen struct {
	env           screenEnv
	width, height int

	row       model.Row
	channel   model.Channel
	now       time.Time
	proposals map[model.Outcome]*model.Task

	picking bool // false: the next-action step for outcome
	outcome model.Outcome
	next    *model.Task // nil: no next action
	note    textarea.Model
	noting  bool
	date    prompt
	// change: the outcome was picked with its upper-case key, so the
	// next-action step follows the meeting prompt instead of logging.
	change  bool
	pending bool // a LogTouch is in flight: keys are ignored so nothing logs twice
	nav     tea.Msg
}

func newLogScreen(env screenEnv) logScreen {
	// Enter saves the log; a new line in a note is ctrl+j.
	note := newNoteArea(env.sty)
	note.Placeholder = "what was said, what to do next…"
	return logScreen{env: env, width: 80, height: 22, note: note, date: newPrompt(env.sty)}
}

func (m *logScreen) setSize(w, h int) {
	m.width, m.height = w, h
	// The note's text is up to 100 columns, after its "│ " prompt.
	m.note.SetWidth(max(4, min(w, 102)))
	m.date.setWidth(w)
}

// open starts logging for a row; the reason it cannot, if any, is returned
// for the status line.
func (m logScreen) open(r model.Row, from screen) (logScreen, tea.Cmd, string) {
	if r.Contact.ID == 0 {
		return m, nil, "this row has no contact: press enter to open the account and log from a contact there"
	}
	m.row, m.now = r, m.env.now()
	m.channel = r.Task.Kind.Channel()
	if m.channel == "" {
		m.channel = model.ChannelCall
	}
	m.repropose()
	m.picking, m.outcome, m.next, m.noting, m.pending = true, "", nil, false, false
	m.note.Reset()
	m.note.Blur()
	return m, nil, ""
}

// repropose proposes each outcome's next action for the current channel.
func (m *logScreen) repropose() {
	m.proposals = make(map[model.Outcome]*model.Task, len(model.Outcomes))
	for _, o := range model.Outcomes {
		m.proposals[o] = m.propose(o)
	}
}

// logChannels are the channels the log screen cycles through: the ways a
// rep reaches a contact (a note is written, not logged).
var logChannels = []model.Channel{model.ChannelCall, model.ChannelEmail, model.ChannelLinkedIn,
	model.ChannelMeeting, model.ChannelVisit}

// cycleChannel is the channel after (or, back, before) ch.
func cycleChannel(ch model.Channel, back bool) model.Channel {
	i := slices.Index(logChannels, ch)
	switch {
	case i < 0:
		return logChannels[0]
	case back:
		return logChannels[(i+len(logChannels)-1)%len(logChannels)]
	}
	return logChannels[(i+1)%len(logChannels)]
}

func (m logScreen) propose(o model.Outcome) *model.Task { return m.proposeAt(o, time.Time{}) }

// proposeAt is propose for a meeting at meeting (zero: not known).
func (m logScreen) proposeAt(o model.Outcome, meeting time.Time) *model.Task {
	t := m.env.settings.ProposeNextOn(o, m.channel, m.row.Contact, m.row.Account, m.now, meeting)
	if t == nil {
		return nil
	}
	c := *t
	if c.AccountID == 0 {
		c.AccountID = m.row.Account.ID
	}
	c.Title = model.Display(c.Title)
	return &c
}

func (m logScreen) capturing() bool { return m.noting || m.date.active() }

func (m logScreen) Update(msg tea.Msg) (logScreen, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		if m.pending {
			return m, nil
		}
		if m.date.active() {
			m.date, _ = m.date.Update(msg)
			d, ok := m.date.take()
			if !ok {
				return m, nil
			}
			if d.kind == promptMeeting {
				return m.meetingAt(d.value)
			}
			due, hasTime, err := model.ParseDue(d.value, m.env.now())
			if err != nil {
				return m, statusCmd("due date: "+err.Error()+"; press d to try again", true)
			}
			m.setDue(due, hasTime)
			return m, nil
		}
		if m.picking {
			return m.pickKey(msg)
		}
		return m.proposalKey(msg)
	}
	return m, nil
}

func (m logScreen) pickKey(msg tea.KeyMsg) (logScreen, tea.Cmd) {
	if key.Matches(msg, m.env.keys.Back) {
		m.nav = backMsg{}
		return m, nil
	}
	if key.Matches(msg, m.env.keys.LogChannel) {
		m.channel = cycleChannel(m.channel, msg.Type == tea.KeyShiftTab)
		m.repropose()
		return m, nil
	}
	if msg.Type != tea.KeyRunes || len(msg.Runes) != 1 {
		return m, nil
	}
	o, upper, ok := outcomeForKey(msg.Runes[0])
	if !ok {
		return m, nil
	}
	m.outcome, m.next, m.change = o, m.proposals[o], upper
	if o == model.OutcomeMeetingBooked {
		// When the meeting is decides when to prepare for it.
		var cmd tea.Cmd
		m.date, cmd = m.date.start(promptMeeting, "meeting when (thu 14:00, 2026-12-01 10:00; enter: not known yet): ", "", m.row)
		return m, cmd
	}
	if upper {
		m.picking = false
		return m, nil
	}
	return m.submit()
}

// meetingAt takes the typed meeting time, proposes the preparation before
// it, then logs (or, picked with the upper-case key, shows the next-action
// step). Empty: the time is not known yet; prepare tomorrow.
func (m logScreen) meetingAt(typed string) (logScreen, tea.Cmd) {
	var at time.Time
	if typed = strings.TrimSpace(typed); typed != "" {
		var err error
		if at, _, err = model.ParseDue(typed, m.env.now()); err != nil {
			return m, statusCmd("meeting time: "+err.Error()+"; press m to try again", true)
		}
	}
	m.next = m.proposeAt(m.outcome, at)
	if m.change {
		m.picking = false
		return m, nil
	}
	return m.submit()
}

func (m logScreen) proposalKey(msg tea.KeyMsg) (logScreen, tea.Cmd) {
	k := m.env.keys
	if m.noting {
		switch {
		case key.Matches(msg, k.Back), msg.Type == tea.KeyTab:
			m.noting = false
			m.note.Blur()
			return m, nil
		case msg.Type == tea.KeyEnter:
			return m.submit()
		}
		var cmd tea.Cmd
		m.note, cmd = m.note.Update(noteKey(msg))
		return m, cmd
	}
	now := m.env.now()
	switch {
	case key.Matches(msg, k.Back):
		m.picking = true
		return m, nil
	case key.Matches(msg, k.Accept):
		return m.submit()
	case key.Matches(msg, k.Tomorrow):
		return m.dueFrom("tomorrow", now)
	case key.Matches(msg, k.BusinessDays):
		return m.dueFrom("+"+string(msg.Runes), now)
	case key.Matches(msg, k.TypedDate):
		var cmd tea.Cmd
		m.date, cmd = m.date.start(promptDue, "due (tomorrow, +3, mon, thu 14:00, 2026-12-01 14:30): ", "", m.row)
		return m, cmd
	case key.Matches(msg, k.SkipNext):
		m.next = nil
		return m, nil
	case key.Matches(msg, k.Note):
		m.noting = true
		return m, m.note.Focus()
	}
	return m, nil
}

func (m logScreen) dueFrom(s string, now time.Time) (logScreen, tea.Cmd) {
	due, hasTime, err := model.ParseDue(s, now)
	if err != nil {
		return m, statusCmd("due date: "+err.Error(), true)
	}
	m.setDue(due, hasTime)
	return m, nil
}

// setDue moves the next action; with none proposed it makes a follow-up on
// the same channel.
func (m *logScreen) setDue(due time.Time, hasTime bool) {
	if m.next == nil {
		kind := model.TaskTodo
		for _, k := range model.TaskKinds {
			if k.Channel() == m.channel {
				kind = k
			}
		}
		m.next = &model.Task{AccountID: m.row.Account.ID, ContactID: m.row.Contact.ID, Kind: kind,
			Title: "Follow up with " + m.row.Contact.Name(), Priority: model.PriorityMedium,
			Status: model.TaskOpen, Origin: model.OriginLocal}
	} else {
		c := *m.next
		m.next = &c
	}
	m.next.Due, m.next.DueHasTime = due, hasTime
}

func (m logScreen) submit() (logScreen, tea.Cmd) {
	now := m.env.now()
	req := model.LogRequest{
		ContactID: m.row.Contact.ID, Channel: m.channel, Direction: model.Outbound,
		Outcome: m.outcome, Note: strings.TrimSpace(m.note.Value()), At: now,
		TaskID: m.row.Task.ID, Next: m.next,
	}
	if req.Next != nil && req.Next.CreatedAt.IsZero() {
		c := *req.Next
		c.CreatedAt = now
		req.Next = &c
	}
	m.pending, m.noting = true, false
	m.note.Blur()
	st := m.env.store
	return m, withTimeout(func(ctx context.Context) tea.Msg {
		res, err := st.LogTouch(ctx, req)
		return touchLoggedMsg{req: req, res: res, err: err}
	})
}

// logFailed lets the user retry after an error.
func (m *logScreen) logFailed() { m.pending = false }

func (m logScreen) nextLabel(t *model.Task) string {
	if t == nil {
		return "no next action"
	}
	return fmt.Sprintf("%s %s · %s", t.Kind, dueLabel(*t, m.now), t.Title)
}

func (m logScreen) View() string {
	s := m.env.sty
	r := m.row
	w := m.width
	var lines []string
	who := r.Contact.Name()
	if r.Contact.Title != "" {
		who += ", " + r.Contact.Title
	}
	lines = append(lines,
		clipANSI(s.Title.Render("Log outcome")+" · "+string(m.channel)+" · "+clip(who, w/2)+" · "+clip(r.Account.Name, w/3), w))
	if r.Task.ID != 0 {
		lines = append(lines, s.Subtle.Render(clip("closes: "+r.Task.Title+" ("+dueLabel(r.Task, m.now)+")", w)))
	} else {
		lines = append(lines, s.Subtle.Render(clip("suggested row: no task to close", w)))
	}
	// Guardrails are shown, not enforced here: the rep may be logging a
	// touch that already happened.
	switch {
	case r.Contact.Consent.For(m.channel).OptedOut():
		lines = append(lines, s.Warn.Render(clip("! "+r.Contact.Name()+" opted out of "+string(m.channel), w)))
	case r.Held:
		lines = append(lines, s.Warn.Render(clip("! held: "+string(r.HeldReason)+" — "+r.HeldDetail, w)))
	default:
		lines = append(lines, "")
	}
	if m.picking {
		for _, o := range model.Outcomes {
			k := outcomeKeys[o]
			line := fmt.Sprintf("  %s %s  %s → %s", s.Accent.Render(string(k)), s.Subtle.Render(strings.ToUpper(string(k))),
				fit(o.Label(), 24), m.nextLabel(m.proposals[o]))
			lines = append(lines, clipANSI(line, w))
		}
		lines = append(lines, "",
			s.Subtle.Render(clip("lower-case: log + accept next · upper-case: change it first · tab: channel", w)))
		if m.date.active() {
			lines = append(lines, m.date.View())
		}
		return strings.Join(lines, "\n")
	}
	lines = append(lines,
		clip("outcome:     "+m.outcome.Label(), w),
		clipANSI("next action: "+s.Accent.Render(clip(m.nextLabel(m.next), w-13)), w),
		"",
		s.Subtle.Render(clip("enter log · t tomorrow · 1–9 business days · d date · s none · e note · esc back", w)),
		"")
	if m.date.active() {
		lines = append(lines, m.date.View())
	}
	label := "note (e to write, ctrl+j new line, enter logs):"
	if m.noting {
		label = "note (enter logs, tab/esc leaves the note):"
	}
	lines = append(lines, s.Subtle.Render(clip(label, w)), m.note.View())
	return strings.Join(lines, "\n")
}

func (m logScreen) helpKeys() keyHelp {
	k := m.env.keys
	if m.date.active() {
		return m.date.helpKeys()
	}
	if m.picking {
		return keyHelp{short: []key.Binding{
			key.NewBinding(key.WithKeys("n"), key.WithHelp("n…s", "log + accept")),
			key.NewBinding(key.WithKeys("N"), key.WithHelp("N…S", "log, change next")),
			k.LogChannel, k.Back, k.Help}}
	}
	return keyHelp{short: []key.Binding{k.Accept, k.Tomorrow, k.BusinessDays, k.TypedDate, k.SkipNext, k.Note, k.Back}}
}
