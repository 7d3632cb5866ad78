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

	row     model.Row
	channel model.Channel
	now     time.Time
	// state is what the plan is decided on: the row's contact and account
	// at first, then the book's (open tasks, budget touches) once loaded.
	state     model.LogState
	proposals map[model.Outcome]model.Plan

	picking bool // false: the next-action step for outcome
	outcome model.Outcome
	choice  model.NextChoice // the rep's word on the next action
	meeting time.Time        // the booked meeting's time; zero: not known
	plan    model.Plan       // what logging outcome with choice does
	note    textarea.Model
	noting  bool
	date    prompt
	// change: the outcome was picked with its upper-case key, so the
	// next-action step follows the meeting prompt instead of logging.
	change  bool
	pending bool // a LogTouch is in flight: keys are ignored so nothing logs twice
	// leaving: esc was pressed once with a note typed; the next esc leaves
	// and drops it.
	leaving bool
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
		return m, nil, "this row has no contact: enter opens the account, log from a contact there"
	}
	m.row, m.now = r, m.env.now()
	m.channel = r.Task.Kind.Channel()
	if m.channel == "" {
		m.channel = model.ChannelCall
	}
	m.state = model.LogState{Contact: r.Contact, Account: r.Account}
	if r.Task.ID != 0 {
		k := r.Task
		m.state.Worked = &k
	}
	m.picking, m.outcome, m.noting, m.pending, m.leaving = true, "", false, false, false
	m.choice, m.meeting = model.NextChoice{Mode: model.NextAuto}, time.Time{}
	m.repropose()
	m.note.Reset()
	m.note.Blur()
	// The keys work at once on the row's own facts; the book's open tasks
	// and budget touches (what a follow-up replaces, when a budget holds
	// it) arrive a moment later and re-plan.
	st, contactID, taskID, now := m.env.store, r.Contact.ID, r.Task.ID, m.now
	return m, withTimeout(func(ctx context.Context) tea.Msg {
		state, err := st.LogState(ctx, contactID, taskID, now)
		return logStateLoadedMsg{contactID: contactID, taskID: taskID, state: state, err: err}
	}), ""
}

// stateLoaded takes the book's state for the row being logged.
func (m logScreen) stateLoaded(msg logStateLoadedMsg) logScreen {
	if msg.err != nil || msg.contactID != m.row.Contact.ID || msg.taskID != m.row.Task.ID || m.pending {
		return m // the plan still holds on the row's facts; LogTouch decides on the book's
	}
	st := msg.state
	st.Contact, st.Account = cleanContact(st.Contact), cleanAccount(st.Account)
	m.state = st
	m.repropose()
	return m
}

// repropose plans each outcome, as its lower-case key would log it, for the
// current channel, and re-plans the outcome being changed.
func (m *logScreen) repropose() {
	m.proposals = make(map[model.Outcome]model.Plan, len(model.Outcomes))
	for _, o := range model.Outcomes {
		m.proposals[o] = m.planFor(o, model.NextChoice{Mode: model.NextAuto}, time.Time{})
	}
	if m.outcome != "" {
		m.plan = m.planFor(m.outcome, m.choice, m.meeting)
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

// planFor is what logging outcome o with choice would do, as the store
// will decide it.
func (m logScreen) planFor(o model.Outcome, choice model.NextChoice, meeting time.Time) model.Plan {
	p := m.env.settings.PlanLog(m.state, m.request(o, choice, meeting), m.now)
	if p.Next != nil {
		c := *p.Next
		c.Title = model.Display(c.Title)
		p.Next = &c
	}
	return p
}

// request is the LogRequest for outcome o with choice, as submit sends it.
func (m logScreen) request(o model.Outcome, choice model.NextChoice, meeting time.Time) model.LogRequest {
	return model.LogRequest{
		ContactID: m.row.Contact.ID, Channel: m.channel, Direction: model.Outbound,
		Outcome: o, At: m.now, TaskID: m.row.Task.ID, MeetingAt: meeting, Next: choice,
	}
}

func (m logScreen) capturing() bool { return m.noting || m.date.active() }

func (m logScreen) Update(msg tea.Msg) (logScreen, tea.Cmd) {
	switch msg := msg.(type) {
	case noteEditedMsg:
		if msg.err != nil {
			return m, statusCmd("note: "+msg.err.Error(), true)
		}
		m.note.SetValue(msg.text)
		m.noting = true
		return m, m.note.Focus()
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
			due, hasTime, err := model.ParseDueFor(d.value, m.env.now(), model.DueTask)
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

// hasTyped reports a note that leaving the screen would lose.
func (m logScreen) hasTyped() bool { return strings.TrimSpace(m.note.Value()) != "" }

func (m logScreen) pickKey(msg tea.KeyMsg) (logScreen, tea.Cmd) {
	if key.Matches(msg, m.env.keys.Back) {
		if m.hasTyped() && !m.leaving {
			m.leaving = true
			return m, statusCmd("a note is typed: esc again leaves and drops it; pick an outcome to log it", true)
		}
		m.nav = backMsg{}
		return m, nil
	}
	m.leaving = false
	if key.Matches(msg, m.env.keys.LogChannel) {
		m.channel = cycleChannel(m.channel, msg.Type == tea.KeyShiftTab)
		m.repropose()
		return m, nil
	}
	if key.Matches(msg, m.env.keys.ReachedOut) {
		return m.reachedOut()
	}
	if msg.Type != tea.KeyRunes || len(msg.Runes) != 1 {
		return m, nil
	}
	o, upper, ok := outcomeForKey(msg.Runes[0])
	if !ok {
		return m, nil
	}
	m.outcome, m.change = o, upper
	m.choice, m.meeting = model.NextChoice{Mode: model.NextAuto}, time.Time{}
	m.plan = m.proposals[o]
	if o == model.OutcomeMeetingBooked {
		// When the meeting is decides when to prepare for it.
		var cmd tea.Cmd
		m.date, cmd = m.date.start(promptMeeting, "meeting when (thu 14:00, "+exampleDate(m.env.now())+" 10:00; enter: not known yet): ", "", m.row)
		return m, cmd
	}
	if upper {
		m.picking = false
		return m, nil
	}
	return m.submit()
}

// reachedOut records that the contact reached out on the screen's channel
// (a call in, a reply, a meeting asked for), with the note typed so far as
// its detail, and goes back to Today, where it leads as a respond row until
// a touch answers it.
func (m logScreen) reachedOut() (logScreen, tea.Cmd) {
	kind := model.SignalKindFor(m.channel)
	sig := model.Signal{ContactID: m.row.Contact.ID, AccountID: m.row.Account.ID, Kind: kind, At: m.env.now(),
		Detail: strings.TrimSpace(m.note.Value()), Source: model.SignalSourceManual, Channel: followUpChannel(m.channel, kind)}
	if sig.Detail == "" {
		sig.Detail = "they reached out (" + string(m.channel) + ")"
	}
	m.pending = true
	m.nav = backMsg{}
	st, who, acct := m.env.store, m.row.Contact.Name(), m.row.Account.Name
	return m, withTimeout(func(ctx context.Context) tea.Msg {
		s, err := st.RecordSignal(ctx, sig)
		if err != nil {
			return changeDoneMsg{err: fmt.Errorf("record that %s reached out: %w (nothing was recorded)", who, err)}
		}
		c := change{kind: changeSignal, signal: s.ID, what: "signal of " + acct + " · " + who}
		return changeDoneMsg{c: c, text: "recorded: " + who + " " + kind.Verb() + " · it leads Today until you answer"}
	})
}

// followUpChannel is the channel a buyer who reached out on ch is answered
// on: the same one when it is a channel one reaches people by.
func followUpChannel(ch model.Channel, k model.SignalKind) model.TaskKind {
	for _, t := range []model.TaskKind{model.TaskCall, model.TaskEmail, model.TaskLinkedIn} {
		if t.Channel() == ch {
			return t
		}
	}
	return k.AnswerKind()
}

// meetingAt takes the typed meeting time, proposes the preparation before
// it, then logs (or, picked with the upper-case key, shows the next-action
// step). Empty: the time is not known yet; prepare tomorrow.
func (m logScreen) meetingAt(typed string) (logScreen, tea.Cmd) {
	var at time.Time
	if typed = strings.TrimSpace(typed); typed != "" {
		var err error
		if at, _, err = model.ParseDueFor(typed, m.env.now(), model.DueMeeting); err != nil {
			return m, statusCmd("meeting time: "+err.Error()+"; press m to try again", true)
		}
	}
	m.meeting = at
	m.plan = m.planFor(m.outcome, m.choice, at)
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
		case msg.Type == tea.KeyCtrlE:
			// A long note in $VISUAL or $EDITOR, as git and gh do.
			return m, editInEditor(m.note.Value())
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
		m.date, cmd = m.date.start(promptDue, "due (tomorrow, +3, mon, thu 14:00, "+exampleDate(m.env.now())+" 14:30): ", "", m.row)
		return m, cmd
	case key.Matches(msg, k.SkipNext):
		m.choice = model.NextChoice{Mode: model.NextNone}
		m.plan = m.planFor(m.outcome, m.choice, m.meeting)
		return m, nil
	case key.Matches(msg, k.Note):
		m.noting = true
		return m, m.note.Focus()
	}
	return m, nil
}

func (m logScreen) dueFrom(s string, now time.Time) (logScreen, tea.Cmd) {
	due, hasTime, err := model.ParseDueFor(s, now, model.DueTask)
	if err != nil {
		return m, statusCmd("due date: "+err.Error(), true)
	}
	m.setDue(due, hasTime)
	return m, nil
}

// setDue moves the next action to due; with none proposed the plan makes
// a follow-up on the touch's channel. Either way it passes the same guards
// as the proposal, so a date never brings back a refused channel.
func (m *logScreen) setDue(due time.Time, hasTime bool) {
	m.choice = model.NextChoice{Mode: model.NextAt, Due: due, DueHasTime: hasTime}
	m.plan = m.planFor(m.outcome, m.choice, m.meeting)
}

func (m logScreen) submit() (logScreen, tea.Cmd) {
	req := m.request(m.outcome, m.choice, m.meeting)
	req.At = m.env.now()
	req.Note = strings.TrimSpace(m.note.Value())
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

// planMarks are the terse marks a proposal line carries (a refused
// channel, a budget that will hold it, a follow-up it replaces); the lines
// under the list say each in full.
func (m logScreen) planMarks(p model.Plan) string {
	var out []string
	for _, r := range p.Refused {
		out = append(out, "no "+string(r.Kind))
	}
	if p.Held != nil {
		out = append(out, "held")
	}
	if len(p.Replaces) > 0 {
		out = append(out, "replaces")
	}
	if len(out) == 0 {
		return ""
	}
	return " (" + strings.Join(out, ", ") + ")"
}

// listNotes are the sentences under the outcome list: the first budget
// hold and the first replaced follow-up any proposal meets (they are the
// contact's, whichever outcome is picked).
func (m logScreen) listNotes() []planLine {
	var held, repl *planLine
	for _, o := range model.Outcomes {
		p := m.proposals[o]
		if held == nil && p.Held != nil {
			held = &planLine{"(held): " + p.Held.Short(untilLabel(p.Held.Until, m.now)), true}
		}
		if repl == nil && len(p.Replaces) > 0 {
			k := p.Replaces[0]
			repl = &planLine{"replaces: the open " + string(k.Kind) + " due " + dueLabel(k, m.now) + " · " + k.Title, false}
		}
	}
	var out []planLine
	for _, l := range []*planLine{held, repl} {
		if l != nil {
			out = append(out, *l)
		}
	}
	return out
}

// planLine is one sentence about a plan; warn: a guard or budget speaks.
type planLine struct {
	text string
	warn bool
}

// planLines are the next-action step's lines about the plan beyond the
// next action itself, each a whole sentence.
func (m logScreen) planLines(p model.Plan) []planLine {
	var out []planLine
	for _, r := range p.Refused {
		out = append(out, planLine{"! " + r.Text(), true})
	}
	for _, k := range p.Replaces {
		out = append(out, planLine{"replaces " + string(k.Kind) + " due " + dueLabel(k, m.now) + " · " + k.Title, false})
	}
	if p.Held != nil {
		out = append(out, planLine{"! " + p.Held.Text(untilLabel(p.Held.Until, m.now)), true})
	}
	return out
}

// untilLabel is when a budget frees a row: a time today, else a day and time.
func untilLabel(t, now time.Time) string {
	t = t.In(now.Location())
	if dayIndex(t) == dayIndex(now) {
		return t.Format("15:04")
	}
	return t.Format("Mon 2 Jan 15:04")
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
	switch {
	case r.Signal != nil:
		what := r.Signal.Detail
		if what == "" {
			what = r.Signal.Kind.Verb()
		}
		lines = append(lines, s.Accent.Render(clip("answers: "+r.Signal.Phrase(m.now)+" · "+what, w)))
	case r.Task.ID != 0:
		lines = append(lines, s.Subtle.Render(clip("closes: "+r.Task.Title+" ("+dueLabel(r.Task, m.now)+")", w)))
	default:
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
			p := m.proposals[o]
			line := fmt.Sprintf("  %s %s  %s → %s%s", s.Accent.Render(string(k)), s.Subtle.Render(strings.ToUpper(string(k))),
				fit(o.Label(), 24), m.nextLabel(p.Next), m.planMarks(p))
			lines = append(lines, clipANSI(line, w))
		}
		lines = append(lines, "")
		for _, l := range m.listNotes() {
			st := s.Subtle
			if l.warn {
				st = s.Warn
			}
			lines = append(lines, st.Render(clip(l.text, w)))
		}
		lines = append(lines, s.Subtle.Render(clip("lower: log + accept · UPPER: change it first · tab: channel · i: reached out", w)))
		if m.date.active() {
			lines = append(lines, m.date.View())
		}
		return strings.Join(lines, "\n")
	}
	lines = append(lines,
		clip("outcome:     "+m.outcome.Label(), w),
		clipANSI("next action: "+s.Accent.Render(clip(m.nextLabel(m.plan.Next), w-13)), w))
	for _, l := range m.planLines(m.plan) {
		st := s.Subtle
		if l.warn {
			st = s.Warn
		}
		lines = append(lines, st.Render(clip(l.text, w)))
	}
	lines = append(lines, "",
		s.Subtle.Render(clip("enter log · t tomorrow · 1–9 business days · d date · s none · e note · esc back", w)),
		"")
	if m.date.active() {
		lines = append(lines, m.date.View())
	}
	label := "note (e to write, ctrl+j new line, enter logs):"
	if m.noting {
		label = "note (enter logs, ctrl+e opens $EDITOR, tab/esc leaves the note):"
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
			k.LogChannel, k.ReachedOut, k.Back}}
	}
	short := func(b key.Binding, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(b.Keys()...), key.WithHelp(b.Help().Key, desc))
	}
	if m.noting {
		return keyHelp{short: []key.Binding{short(k.Accept, "log it"), short(k.Note, "leave the note"),
			key.NewBinding(key.WithKeys("ctrl+e"), key.WithHelp("ctrl+e", "$EDITOR")),
			key.NewBinding(key.WithKeys("ctrl+j"), key.WithHelp("ctrl+j", "new line"))}}
	}
	return keyHelp{short: []key.Binding{short(k.Accept, "log"), short(k.Tomorrow, "tomorrow"), short(k.BusinessDays, "days"),
		short(k.TypedDate, "date"), short(k.SkipNext, "none"), short(k.Note, "note"), k.Back}}
}
