package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
)

// TestLogOverrideAfterOptOutIsRefused: on the log screen, picking opted-out
// on email with the upper-case key and then moving the next action to
// tomorrow (l tab O t) records the opt-out and opens no email task; the
// screen says why in one line before anything is logged.
func TestLogOverrideAfterOptOutIsRefused(t *testing.T) {
	st := newFakeStore(3, testNow())
	h := newHarness(t, testOptions(st))
	h.keys("l", "tab", "O", "t")
	v := h.view()
	if !strings.Contains(v, "no email task: Pat Lee1 opted out of email") {
		t.Fatalf("the refused override is not explained on the log screen:\n%s", v)
	}
	h.keys("enter")
	h.wantScreen(scrToday)
	if len(st.results) != 1 {
		t.Fatalf("logged %d times, want once", len(st.results))
	}
	p := st.results[0].Plan
	if p.Consent == nil || p.Consent.Channel != model.ChannelEmail {
		t.Errorf("plan %+v does not record the email opt-out", p)
	}
	if p.Next != nil && p.Next.Kind == model.TaskEmail {
		t.Errorf("an email task was opened for a contact who just opted out of email: %+v", *p.Next)
	}
	h.wantStatus("no email task")
}

// TestLogWrongNumberOverrideNeverCalls: l R s 2 (wrong number, no next
// action, then two business days) flags the phone and proposes an email,
// never a call on the number just flagged wrong.
func TestLogWrongNumberOverrideNeverCalls(t *testing.T) {
	st := newFakeStore(3, testNow())
	h := newHarness(t, testOptions(st))
	h.keys("l", "R", "s", "2")
	if n := h.m.log.plan.Next; n == nil || n.Kind == model.TaskCall {
		t.Fatalf("after l R s 2 the next action is %+v, want an email", n)
	}
	h.keys("enter")
	if p := st.results[0].Plan; !p.FlagPhone || p.Next == nil || p.Next.Kind == model.TaskCall {
		t.Errorf("plan %+v: want the phone flagged and no call", p)
	}
}

// TestLogShowsBudgetHoldAndReplace: a contact already touched twice in the
// budget window (budget 3): the busy callback is marked as held on the
// outcome list and, on the next-action step, the screen says until when;
// a no-answer follow-up says which open call it replaces.
func TestLogShowsBudgetHoldAndReplace(t *testing.T) {
	st := newFakeStore(3, testNow())
	st.touched = []time.Time{testNow().Add(-48 * time.Hour), testNow().Add(-24 * time.Hour)}
	st.rows = append(st.rows, st.rows[0])
	st.rows[3].Task.ID, st.rows[3].Task.Title, st.rows[3].Task.Origin = 99, "Call again", model.OriginLocal
	h := newHarness(t, testOptions(st))
	h.keys("l")
	v := h.view()
	if !strings.Contains(v, "busy                     → call 12:00 · Call back (held") || !strings.Contains(v, "(held): the contact budget (3 in 14 days) holds these until") {
		t.Fatalf("the busy callback's budget hold is not shown:\n%s", v)
	}
	if !strings.Contains(v, "replaces: the open call due today · Call again") {
		t.Errorf("the follow-up does not say what it replaces:\n%s", v)
	}
	h.keys("B")
	if v := h.view(); !strings.Contains(v, "held by the contact budget until") {
		t.Errorf("the next-action step does not say when the budget frees the callback:\n%s", v)
	}
}
