package ui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/shortlisthq/shortlist/model"
)

// TestLogReachedOut: l then i records that the contact reached out, on the
// log screen's channel (tab moved it to email: a reply), with the typed
// note as its detail; the screen goes back to Today and u takes it back.
func TestLogReachedOut(t *testing.T) {
	st := newFakeStore(5, testNow())
	h := newHarness(t, testOptions(st))
	h.keys("j", "l")
	h.wantScreen(scrLog)
	h.send(tea.KeyMsg{Type: tea.KeyTab}) // call → email
	h.keys("i")
	h.wantScreen(scrToday)
	if len(st.signals) != 1 || len(st.logs) != 0 {
		t.Fatalf("signals %d, logs %d: want one signal and no touch", len(st.signals), len(st.logs))
	}
	s := st.signals[0]
	if s.ContactID != 2 || s.AccountID != 2 || s.Kind != model.SignalReplied || s.Channel != model.TaskEmail ||
		s.Source != model.SignalSourceManual || !s.At.Equal(testNow()) || !strings.Contains(s.Detail, "reached out") {
		t.Fatalf("signal %+v", s)
	}
	h.wantStatus("recorded: Pat Lee2 replied")
	h.keys("u")
	if len(st.undoneSigs) != 1 || st.undoneSigs[0] != s.ID {
		t.Fatalf("undone signals %v, want [%d]", st.undoneSigs, s.ID)
	}
	h.wantStatus("undone: signal of Account 002 · Pat Lee2")
}

// TestRespondRowOnToday: a respond row shows its channel and age in the
// next column, and its why leads with the speed term.
func TestRespondRowOnToday(t *testing.T) {
	st := newFakeStore(3, testNow())
	sig := model.Signal{ID: 9, AccountID: 1, ContactID: 1, Kind: model.SignalReplied, At: testNow().Add(-40 * time.Minute),
		Detail: "replied: 'Can we talk Thursday?'", Source: model.SignalSourceHubSpot}
	st.rows[0].Kind, st.rows[0].Signal = model.RowSignal, &sig
	st.rows[0].Task = model.Task{AccountID: 1, ContactID: 1, Kind: model.TaskEmail, Title: "Answer: " + sig.Detail, Due: testNow(), DueHasTime: true}
	st.rows[0].Why = []model.Term{{Name: "tier", Value: 6}, {Name: "speed", Value: 9, Detail: "replied 40 min ago"}}
	h := newHarness(t, testOptions(st))
	v := h.m.View()
	if !strings.Contains(v, "↩email · 40m") || !strings.Contains(v, "= +9.0 replied 40 min ago · tier +6.0") {
		t.Fatalf("respond row not shown as such:\n%s", v)
	}
	h.keys("D")
	h.wantStatus("a buyer reached out: l logs your answer")
	if len(st.statuses) != 0 {
		t.Fatalf("D on a respond row changed a task: %v", st.statuses)
	}
	h.keys("?")
	if v := h.m.View(); !strings.Contains(v, "they reached out") {
		t.Errorf("help does not list i:\n%s", v)
	}
}
