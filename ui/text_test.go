package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"

	"github.com/shortlisthq/shortlist/model"
)

func TestDueLabel(t *testing.T) {
	now := testNow()
	day := func(d int) time.Time { return time.Date(2026, 11, 24+d, 0, 0, 0, 0, now.Location()) }
	cases := []struct {
		name string
		task model.Task
		want string
	}{
		{"none", model.Task{}, "—"},
		{"late", model.Task{Due: day(-3)}, "3d late"},
		{"today", model.Task{Due: day(0)}, "today"},
		{"timed today", model.Task{Due: now.Add(2 * time.Hour), DueHasTime: true}, "12:00"},
		{"tomorrow", model.Task{Due: day(1)}, "tomorrow"},
		{"this week", model.Task{Due: day(2)}, "Thu 26"},
		{"later", model.Task{Due: day(20)}, "Dec 14"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := dueLabel(c.task, now); got != c.want {
				t.Fatalf("dueLabel = %q, want %q", got, c.want)
			}
		})
	}
}

func TestFitPadsAndTruncates(t *testing.T) {
	cases := []struct {
		in   string
		w    int
		want string
	}{
		{"abc", 5, "abc  "},
		{"abcdef", 4, "abc…"},
		{"Müller", 6, "Müller"},
		{"東京オフィス", 5, "東京…"},
		{"x", 0, ""},
	}
	for _, c := range cases {
		if got := fit(c.in, c.w); got != c.want || (c.w > 0 && lipgloss.Width(got) > c.w) {
			t.Errorf("fit(%q, %d) = %q, want %q", c.in, c.w, got, c.want)
		}
	}
}

func TestSparkline(t *testing.T) {
	days := []model.DayCount{{Touches: 0}, {Touches: 1}, {Touches: 4}, {Touches: 8}}
	if got := sparkline(days); got != " ▁▄█" {
		t.Fatalf("sparkline = %q", got)
	}
}

func TestHyperlinksSupported(t *testing.T) {
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	cases := []struct {
		name string
		env  map[string]string
		want bool
	}{
		{"plain xterm", map[string]string{"TERM": "xterm-256color"}, false},
		{"iterm", map[string]string{"TERM_PROGRAM": "iTerm.app"}, true},
		{"vte", map[string]string{"VTE_VERSION": "7600"}, true},
		{"kitty", map[string]string{"TERM": "xterm-kitty"}, true},
		{"opted out", map[string]string{"TERM_PROGRAM": "WezTerm", "SHORTLIST_NO_LINKS": "1"}, false},
	}
	for _, c := range cases {
		if got := hyperlinksSupported(env(c.env)); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

func TestContactLineLinksKeepWidth(t *testing.T) {
	st := newFakeStore(1, testNow())
	m := New(testOptions(st)).(root)
	m.today.env.links = true
	r := cleanRow(st.rows[0])
	line := m.today.contactLine(r, 60)
	if !strings.Contains(line, "\x1b]8;;tel:+12125550100") || !strings.Contains(line, "mailto:pat1@example.com") {
		t.Fatalf("no OSC 8 links: %q", line)
	}
	if w := lipgloss.Width(line); w > 60 {
		t.Fatalf("links changed the width: %d", w)
	}
}
