package ui

import (
	"context"
	"errors"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/shortlisthq/shortlist/model"
)

// changeKind is what a change the rep made was, for undo.
type changeKind int

const (
	changeLog changeKind = iota
	changeStatus
	changeAdd
	changeNote
	changeSignal // a signal recorded by hand (l i)
)

// change is one entry of the session's undo stack: every change the rep
// makes from the TUI (a log, a snooze, done, skip, a new task, a note
// edit), with what undoing it needs and its name for the status line
// ("snooze of Lyraworks · call Liam Clarke"). A consent change is part of
// the log that recorded it (an opt-out) and is undone with it.
type change struct {
	seq     int
	kind    changeKind
	what    string
	touchID int64 // changeLog, changeNote
	taskID  int64 // changeStatus, changeAdd; changeLog: the task it worked
	prior   model.TaskState
	note    string // changeLog: the touch's note now; changeNote: the note before the edit
	signal  int64  // changeSignal: the signal recorded
}

// changeDoneMsg reports a change written to the store; on success the root
// puts it on the undo stack.
type changeDoneMsg struct {
	c    change
	text string
	err  error
}

// changeUndoneMsg reports an undo of c.
type changeUndoneMsg struct {
	c   change
	err error
}

// changeName is "<action> of <account> · <task kind> <contact>", the words
// the status line and the undo share.
func changeName(action string, r model.Row) string {
	what := action + " of " + r.Account.Name
	who := strings.TrimSpace(r.Contact.Name())
	switch {
	case r.Task.ID != 0 && who != "":
		what += " · " + string(r.Task.Kind) + " " + who
	case r.Task.Title != "":
		what += " · " + r.Task.Title
	case who != "":
		what += " · " + who
	}
	return what
}

// pushChange puts c on the undo stack, newest last.
func (m *root) pushChange(c change) {
	m.changeSeq++
	c.seq = m.changeSeq
	m.undo = append(m.undo, c)
}

// dropChange takes the entry seq off the stack.
func (m *root) dropChange(seq int) {
	for i, c := range m.undo {
		if c.seq == seq {
			m.undo = append(m.undo[:i], m.undo[i+1:]...)
			return
		}
	}
}

// newestLog is the newest logged touch on the stack, if any.
func (m root) newestLog() (int, bool) {
	for i := len(m.undo) - 1; i >= 0; i-- {
		if m.undo[i].kind == changeLog {
			return i, true
		}
	}
	return 0, false
}

func (m root) undoLast() (tea.Model, tea.Cmd) {
	if len(m.undo) == 0 {
		m.status = statusMsg{text: "nothing to undo: no change made in this session", err: true}
		return m, nil
	}
	c := m.undo[len(m.undo)-1]
	st := m.opts.Store
	return m, withTimeout(func(ctx context.Context) tea.Msg {
		var err error
		switch c.kind {
		case changeLog:
			err = st.UndoLog(ctx, c.touchID)
		case changeStatus:
			err = st.UndoTaskStatus(ctx, c.taskID, c.prior)
		case changeAdd:
			err = st.UndoAddTask(ctx, c.taskID)
		case changeNote:
			err = st.UndoNoteEdit(ctx, c.touchID, c.note)
		case changeSignal:
			err = st.UndoSignal(ctx, c.signal)
		}
		return changeUndoneMsg{c: c, err: err}
	})
}

func (m root) changeUndone(msg changeUndoneMsg) (tea.Model, tea.Cmd) {
	switch {
	case errors.Is(msg.err, model.ErrSynced):
		// It is in the CRM now: undoing it here would fork the two. It
		// leaves the stack so the next u reaches the change before it.
		m.dropChange(msg.c.seq)
		m.status = statusMsg{text: "not undone: the " + msg.c.what + " has been synced to the CRM: change it there", err: true}
		return m, nil
	case msg.err != nil:
		m.status = statusMsg{text: errText("undo the "+msg.c.what, msg.err), err: true}
		return m, nil
	}
	m.dropChange(msg.c.seq)
	if msg.c.kind == changeNote {
		for i := range m.undo {
			if m.undo[i].kind == changeLog && m.undo[i].touchID == msg.c.touchID {
				m.undo[i].note = msg.c.note
			}
		}
	}
	m.status = statusMsg{text: "undone: " + msg.c.what}
	if msg.c.taskID != 0 && msg.c.kind != changeAdd {
		// The task is back on the list: the cursor goes back to it.
		m.today.seek, m.today.seeking = anchor{row: rowKey{task: msg.c.taskID}}, true
	}
	return m, m.reload()
}

func (m root) changeDone(msg changeDoneMsg) (tea.Model, tea.Cmd) {
	if msg.err != nil {
		m.status = statusMsg{text: msg.err.Error(), err: true}
		return m, m.reload()
	}
	m.pushChange(msg.c)
	if msg.c.kind == changeNote {
		for i := range m.undo {
			if m.undo[i].kind == changeLog && m.undo[i].touchID == msg.c.touchID {
				m.undo[i].note = msg.text
			}
		}
		m.status = statusMsg{text: "note saved: " + msg.c.what + " · u undoes"}
		return m, m.reload()
	}
	m.status = statusMsg{text: msg.text + " · u undoes"}
	return m, m.reload()
}

// editLastNote opens the note of the newest touch logged in this session,
// naming it, for e on Today.
func (m root) editLastNote() (tea.Model, tea.Cmd) {
	i, ok := m.newestLog()
	if !ok {
		m.status = statusMsg{text: "no touch logged in this session: open the account (enter) to edit a note from its timeline", err: true}
		return m, nil
	}
	c := m.undo[i]
	name := strings.TrimPrefix(c.what, "log of ")
	m.today.prompt, _ = m.today.prompt.start(promptNote, "note for "+name+": ", c.note, model.Row{})
	m.today.prompt.touchID = c.touchID
	m.today.prompt.noteOf = name
	return m, nil
}

// editNote saves a touch's note; prior is the note before, for undo, and
// name the touch as the status line names it.
func editNote(st model.Store, touchID int64, note, prior, name string) tea.Cmd {
	note = strings.TrimSpace(note)
	return withTimeout(func(ctx context.Context) tea.Msg {
		c := change{kind: changeNote, touchID: touchID, note: prior, what: "note edit of " + name}
		if err := st.EditTouchNote(ctx, touchID, note); err != nil {
			return changeDoneMsg{err: errors.New(errText("edit the note", err))}
		}
		return changeDoneMsg{c: c, text: note}
	})
}

// setTaskStatus marks a task done or skipped, or snoozes it; action names
// it ("snooze") and ok is the status line's words.
func setTaskStatus(st model.Store, r model.Row, s model.TaskStatus, until time.Time, action, ok string) tea.Cmd {
	id, prior := r.Task.ID, r.Task.State()
	c := change{kind: changeStatus, taskID: id, prior: prior, what: changeName(action, r)}
	return withTimeout(func(ctx context.Context) tea.Msg {
		if err := st.SetTaskStatus(ctx, id, s, until); err != nil {
			return changeDoneMsg{err: errors.New(errText("set the task "+string(s), err))}
		}
		return changeDoneMsg{c: c, text: ok}
	})
}

func addTask(st model.Store, r model.Row, t model.Task, now time.Time) tea.Cmd {
	return withTimeout(func(ctx context.Context) tea.Msg {
		got, err := st.AddTask(ctx, t)
		if err != nil {
			return changeDoneMsg{err: errors.New(errText("add the task", err))}
		}
		got.Title = model.Display(got.Title)
		r.Task = got
		c := change{kind: changeAdd, taskID: got.ID, what: changeName("new task", r)}
		return changeDoneMsg{c: c, text: "task added: " + string(got.Kind) + " " + model.Display(got.Title) + ", due " + model.DayWord(got.Due, got.DueHasTime, now)}
	})
}
