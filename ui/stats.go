package ui

import (
	"context"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/shortlisthq/shortlist/model"
)

// statsLoadedMsg carries the rep's activity.
type statsLoadedMsg struct {
	seq int
	s   model.Stats
	err error
}

// stats shows today and this week by outcome, 14 days of activity, the
// connect rate, meetings and ICP coverage.
type stats struct {
	env           screenEnv
	width, height int
	seq           int
	s             model.Stats
	loaded        bool
	nav           tea.Msg
}

func newStats(env screenEnv) stats { return stats{env: env, width: 80, height: 22} }

func (m *stats) setSize(w, h int) { m.width, m.height = w, h }

func (m stats) open() (stats, tea.Cmd) {
	m.seq++
	seq, st, now := m.seq, m.env.store, m.env.now()
	return m, withTimeout(func(ctx context.Context) tea.Msg {
		s, err := st.Stats(ctx, now)
		return statsLoadedMsg{seq: seq, s: s, err: err}
	})
}

func (m stats) Update(msg tea.Msg) (stats, tea.Cmd) {
	switch msg := msg.(type) {
	case statsLoadedMsg:
		if msg.seq != m.seq {
			return m, nil
		}
		if msg.err != nil {
			return m, statusCmd(errText("load stats", msg.err), true)
		}
		m.s, m.loaded = msg.s, true
	case tea.KeyMsg:
		switch {
		case key.Matches(msg, m.env.keys.Back):
			m.nav = backMsg{}
			return m, nil
		case key.Matches(msg, m.env.keys.Refresh):
			return m.open()
		}
	}
	return m, nil
}

// sparkline draws one cell per day, scaled to the busiest day.
func sparkline(days []model.DayCount) string {
	bars := []rune("▁▂▃▄▅▆▇█")
	top := 0
	for _, d := range days {
		top = max(top, d.Touches)
	}
	var b strings.Builder
	for _, d := range days {
		switch {
		case d.Touches == 0:
			b.WriteRune(' ')
		case top == 0:
			b.WriteRune(bars[0])
		default:
			// ceil(touches·8/top)-1: one touch is the lowest bar, the busiest day the highest.
			b.WriteRune(bars[(d.Touches*len(bars)+top-1)/top-1])
		}
	}
	return b.String()
}

func pct(a, b int) string {
	if b == 0 {
		return "–"
	}
	return fmt.Sprintf("%d%%", (a*100+b/2)/b)
}

func (m stats) View() string {
	s := m.env.sty
	if !m.loaded {
		return s.Subtle.Render("loading stats…")
	}
	st := m.s
	w := m.width
	lines := []string{s.Title.Render("Stats"), ""}
	sum := func(mp map[model.Outcome]int) int {
		n := 0
		for _, v := range mp {
			n += v
		}
		return n
	}
	// The outcome table goes two abreast when the screen is wide enough,
	// so the restraint figures below it fit 80x24.
	cells := []string{}
	for _, o := range model.Outcomes {
		if st.Today[o] == 0 && st.Week[o] == 0 {
			continue
		}
		cells = append(cells, fmt.Sprintf("%-24s %5d %5d", o.Label(), st.Today[o], st.Week[o]))
	}
	cells = append(cells, fmt.Sprintf("%-24s %5d %5d", "all touches", sum(st.Today), sum(st.Week)))
	head := fmt.Sprintf("%-24s %5s %5s", "outcome", "today", "week")
	if w >= 2*len(head)+4 {
		lines = append(lines, s.Header.Render(head+"    "+head))
		half := (len(cells) + 1) / 2
		for i := 0; i < half; i++ {
			l := cells[i]
			if i+half < len(cells) {
				l += "    " + cells[i+half]
			}
			lines = append(lines, l)
		}
	} else {
		lines = append(lines, s.Header.Render(head))
		lines = append(lines, cells...)
	}
	lines = append(lines, "")
	spark := sparkline(st.Days)
	first, last := "", ""
	if len(st.Days) > 0 {
		first, last = st.Days[0].Day.Format("Jan 2"), st.Days[len(st.Days)-1].Day.Format("Jan 2")
	}
	total := 0
	for _, d := range st.Days {
		total += d.Touches
	}
	lines = append(lines,
		clip(fmt.Sprintf("last 14 days  %s│%s│%s  %d touches", first, spark, last, total), w),
		clip(fmt.Sprintf("connect rate  %s (%d of %d calls this week)", pct(st.Connects, st.Calls), st.Connects, st.Calls), w),
		clip(fmt.Sprintf("meetings      %d booked this week", st.MeetingsBooked), w),
		clip(fmt.Sprintf("ICP coverage  %s of tier-A accounts touched in 14 days (%d of %d)", pct(st.TierATouched, st.TierA), st.TierATouched, st.TierA), w),
		"", s.Header.Render("Restraint"),
	)
	// Wrapped under their label, not cut: the end of each is the figure
	// against its bound.
	section := func(ls [][2]string) {
		for _, l := range ls {
			text := ansi.Wrap(l[1], max(w-15, 20), " ")
			for i, part := range strings.Split(text, "\n") {
				label := ""
				if i == 0 {
					label = l[0]
				}
				lines = append(lines, clip(fmt.Sprintf("%-14s %s", label, part), w))
			}
		}
	}
	// The listening figures sit under restraint's; on a short screen the
	// blank lines between sections go first, so the figures stay whole.
	section(append(st.Restraint.Lines(), st.Listening.Lines()...))
	for i := 1; len(lines) > m.height && i < len(lines); {
		if lines[i] == "" {
			lines = append(lines[:i], lines[i+1:]...)
			continue
		}
		i++
	}
	return strings.Join(lines, "\n")
}
