package ui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/shortlisthq/shortlist/model"
)

// TestLogChannelSwitch: a rep whose call turned into an email (or a todo
// that was done by LinkedIn) switches the channel on the log screen with
// tab; the header and the consent warning follow it, the proposals are the
// channel's own (sent → a follow-up the same way), and the touch is logged
// on it.
func TestLogChannelSwitch(t *testing.T) {
	st := newFakeStore(3, testNow())
	h := newHarness(t, testOptions(st))
	h.keys("l")
	h.wantScreen(scrLog)
	header := func() string { return strings.SplitN(h.m.View(), "\n", 2)[0] }
	if !strings.Contains(header(), "· call ·") {
		t.Fatalf("log screen header %q, want the task's channel, call", header())
	}
	h.keys("tab")
	if !strings.Contains(header(), "· email ·") {
		t.Fatalf("after tab: %q, want email", header())
	}
	if p := h.m.log.proposals[model.OutcomeSent].Next; p == nil || p.Kind != model.TaskEmail {
		t.Errorf("sent on email proposes %+v, want an email follow-up", p)
	}
	h.keys("tab")
	if !strings.Contains(header(), "· linkedin ·") {
		t.Fatalf("after tab tab: %q, want linkedin", header())
	}
	// The fake contact has no LinkedIn profile: the follow-up says so
	// instead of proposing a LinkedIn message it cannot send.
	if p := h.m.log.proposals[model.OutcomeSent].Next; p == nil || p.Kind == model.TaskEmail || !strings.Contains(p.Title, "no LinkedIn") {
		t.Errorf("sent on LinkedIn proposes %+v, want the no-LinkedIn fallback", p)
	}
	h.keys("shift+tab")
	if !strings.Contains(header(), "· email ·") {
		t.Fatalf("after shift+tab: %q, want email back", header())
	}
	h.keys("s")
	h.wantScreen(scrToday)
	if len(st.logs) != 1 || st.logs[0].Channel != model.ChannelEmail || st.logs[0].Outcome != model.OutcomeSent {
		t.Fatalf("logged %+v, want one email sent", st.logs)
	}
	if cycleChannel(model.ChannelVisit, false) != model.ChannelCall || cycleChannel(model.ChannelCall, true) != model.ChannelVisit ||
		cycleChannel(model.ChannelNote, false) != model.ChannelCall {
		t.Errorf("the channel cycle does not wrap or start at call")
	}
}

// TestLogMeetingAsksWhen: m asks when the meeting is and logs with the
// preparation before it; a time it cannot read logs nothing and says why;
// esc at the prompt logs nothing.
func TestLogMeetingAsksWhen(t *testing.T) {
	st := newFakeStore(3, testNow())
	h := newHarness(t, testOptions(st))
	h.keys("l", "m")
	if v := h.m.View(); !strings.Contains(v, "meeting when") || !strings.Contains(v, "enter ok") || strings.Contains(v, "N…S") {
		t.Fatalf("m did not ask when, with the prompt's keys in the help line:\n%s", v)
	}
	h.keys("esc")
	if len(st.logs) != 0 {
		t.Fatalf("esc at the meeting prompt logged %+v", st.logs)
	}
	h.keys("m")
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("thursday 2pm")})
	h.keys("enter")
	h.wantStatus("meeting time: bad date")
	if len(st.logs) != 0 {
		t.Fatalf("an unreadable meeting time logged %+v", st.logs)
	}
	h.keys("m")
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("mon 11:00")})
	h.keys("enter")
	h.wantScreen(scrToday)
	if len(st.logs) != 1 || st.logs[0].Outcome != model.OutcomeMeetingBooked || st.results[0].Next == nil {
		t.Fatalf("logged %+v, want one meeting booked with a prep task", st.logs)
	}
	// Tuesday 24 Nov; the meeting is Monday 30 Nov: prepare Friday 27.
	if y, mo, d := st.results[0].Next.Due.Date(); y != 2026 || mo != 11 || d != 27 {
		t.Errorf("prep due %v, want Fri 27 Nov", st.results[0].Next.Due)
	}
}
