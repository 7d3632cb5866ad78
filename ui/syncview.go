package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/progress"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/shortlisthq/shortlist/model"
)

type (
	// syncProgressMsg is one progress report; the view re-arms the wait.
	syncProgressMsg struct {
		run int
		p   model.SyncProgress
	}
	// syncFinishedMsg is the end of a sync, with its report.
	syncFinishedMsg struct {
		run    int
		report model.SyncReport
		err    error
	}
)

// syncView runs model.Syncer.Sync in a Cmd, shows its progress and then
// the summary. Esc cancels a running sync.
type syncView struct {
	env           screenEnv
	width, height int
	syncer        model.Syncer
	run           int
	running       bool
	cancelFn      context.CancelFunc
	ch            chan model.SyncProgress
	last          model.SyncProgress
	report        model.SyncReport
	err           error
	finished      bool
	bar           progress.Model
	nav           tea.Msg
	// sel is the selected change of the summary (enter opens its account).
	sel int
}

func newSyncView(env screenEnv, s model.Syncer) syncView {
	// The bar is drawn with ViewAs from the last report and never animated:
	// SetPercent would schedule a frame tick every 1/60 s until the spring
	// settles, and a sync's reports already move the bar.
	shade := func(c lipgloss.AdaptiveColor) string {
		if lipgloss.HasDarkBackground() {
			return c.Dark
		}
		return c.Light
	}
	bar := progress.New(progress.WithSolidFill(shade(palette.accent)), progress.WithColorProfile(lipgloss.ColorProfile()))
	bar.EmptyColor = shade(palette.subtle)
	m := syncView{env: env, width: 80, height: 22, syncer: s, bar: bar}
	m.setSize(80, 22)
	return m
}

func (m *syncView) setSize(w, h int) {
	m.width, m.height = w, h
	// 10 to 60 cells of bar, then " 100%".
	m.bar.Width = max(10, min(60, w-6)) + 5
}

// cancel stops a running sync; it is safe to call at any time.
func (m *syncView) cancel() {
	if m.cancelFn != nil {
		m.cancelFn()
	}
}

func (m syncView) start() (syncView, tea.Cmd) {
	if m.running {
		return m, nil
	}
	m.run++
	ctx, cancel := context.WithCancel(context.Background())
	m.cancelFn, m.running, m.finished, m.err = cancel, true, false, nil
	m.last, m.report = model.SyncProgress{Phase: model.PhaseConnect}, model.SyncReport{}
	ch := make(chan model.SyncProgress, 16)
	m.ch = ch
	run, s := m.run, m.syncer
	do := func() tea.Msg {
		defer cancel()
		rep, err := s.Sync(ctx, ch)
		// The syncer is done sending once Sync returns; closing ends the
		// last waitForProgress.
		close(ch)
		return syncFinishedMsg{run: run, report: rep, err: err}
	}
	return m, tea.Batch(do, waitForProgress(run, ch))
}

// waitForProgress delivers the next progress report, or nothing once the
// sync has finished and its channel is closed.
func waitForProgress(run int, ch <-chan model.SyncProgress) tea.Cmd {
	return func() tea.Msg {
		p, ok := <-ch
		if !ok {
			return nil
		}
		return syncProgressMsg{run: run, p: p}
	}
}

func (m syncView) Update(msg tea.Msg) (syncView, tea.Cmd) {
	switch msg := msg.(type) {
	case syncProgressMsg:
		if msg.run != m.run || !m.running {
			return m, nil
		}
		m.last = msg.p
		return m, waitForProgress(m.run, m.ch)
	case syncFinishedMsg:
		if msg.run != m.run {
			return m, nil
		}
		m.running, m.finished, m.report, m.err = false, true, msg.report, msg.err
		m.cancelFn, m.sel = nil, 0
		return m, nil
	case tea.KeyMsg:
		k := m.env.keys
		switch {
		case key.Matches(msg, k.Back):
			if m.running {
				m.cancel()
				return m, statusCmd("sync cancelled: nothing is lost, the outbox keeps what was not sent", false)
			}
			m.nav = backMsg{}
			return m, nil
		case key.Matches(msg, k.Sync) && !m.running:
			m.nav = startSyncMsg{}
			return m, nil
		case key.Matches(msg, k.Down) && m.finished:
			m.sel = min(m.sel+1, max(len(m.report.Changes)-1, 0))
			return m, nil
		case key.Matches(msg, k.Up) && m.finished:
			m.sel = max(m.sel-1, 0)
			return m, nil
		case msg.Type == tea.KeyEnter && m.finished:
			// Enter opens the selected change's account; with nothing to
			// open it goes back.
			if cs := m.report.Changes; m.sel < len(cs) {
				if c := cs[m.sel]; c.AccountID != 0 {
					m.nav = openAccountMsg{id: c.AccountID}
					return m, nil
				}
				return m, statusCmd(model.Display(cs[m.sel].Account)+" left your book: nothing to open", false)
			}
			m.nav = backMsg{}
			return m, nil
		}
	}
	return m, nil
}

func (m syncView) percent() float64 {
	if m.finished {
		return 1
	}
	if m.last.Total <= 0 {
		return 0
	}
	return min(1, float64(m.last.Done)/float64(m.last.Total))
}

func (m syncView) View() string {
	s := m.env.sty
	w := m.width
	lines := []string{s.Title.Render("Sync with the CRM"), ""}
	p := m.last
	stage := []string{string(p.Phase)}
	if p.What != "" {
		stage = append(stage, model.Display(p.What))
	}
	switch {
	case p.Total > 0:
		stage = append(stage, fmt.Sprintf("%d of %d", p.Done, p.Total))
	case p.Done > 0:
		stage = append(stage, fmt.Sprintf("%d", p.Done))
	}
	switch {
	case m.running:
		lines = append(lines, clip(strings.Join(stage, " · "), w),
			m.barView(), "", s.Subtle.Render("esc cancels; the outbox stays consistent"))
	case m.finished:
		r := m.report
		head := []string{s.Good.Render("✓ sync finished")}
		switch {
		case errors.Is(m.err, context.Canceled):
			head = []string{s.Warn.Render("! sync cancelled")}
		case errors.Is(m.err, model.ErrOffline):
			head = []string{s.Warn.Render(fmt.Sprintf("! offline: %d changes queued", r.Pending))}
		case m.err != nil:
			// Wrapped, not clipped: the end of the message is often the
			// fix (run shortlist auth hubspot, set a variable).
			head = head[:0]
			msg := ansi.Wrap("✗ sync failed: "+model.Display(m.err.Error()), max(w, 20), " ")
			for i, l := range strings.Split(msg, "\n") {
				if i == 4 {
					break
				}
				head = append(head, s.Bad.Render(clip(l, w)))
			}
		}
		lines = append(lines, head...)
		if m.err == nil {
			// A full bar says "done"; after a failure it would say so falsely.
			lines = append(lines, m.barView())
		}
		lines = append(lines, "",
			fmt.Sprintf("pulled %d · pushed %d · held back %d · still queued %d", r.Pulled, r.Pushed, r.HeldBack, r.Pending))
		if !r.Finished.IsZero() && !r.Started.IsZero() {
			lines = append(lines, s.Subtle.Render(fmt.Sprintf("took %s", r.Finished.Sub(r.Started).Round(1e6))))
		}
		for _, c := range r.Conflicts {
			lines = append(lines, s.Warn.Render(clip(fmt.Sprintf("conflict %s.%s: kept CRM %q, local was %q",
				model.Display(c.Record), model.Display(c.Field), model.Display(c.CRM), model.Display(c.Local)), w)))
		}
		for _, e := range r.Errors {
			lines = append(lines, s.Bad.Render(clip("error: "+model.Display(e), w)))
		}
		for _, h := range r.Held {
			lines = append(lines, s.Warn.Render(clip("held: "+model.Display(h.What)+": "+model.Display(h.Reason), w)))
		}
		help := "enter/esc back · S sync again"
		if n := len(r.Changes); n > 0 {
			lines = append(lines, "", s.Header.Render("What changed"))
			// The changes fill what the screen has left, around the selection.
			room := max(m.height-len(lines)-3, 1)
			first := max(0, min(m.sel-room+1, n-room))
			for i := first; i < n && i < first+room; i++ {
				line := "  " + model.Display(r.Changes[i].Text())
				if i == m.sel {
					line = s.Selected.Render(clip("> "+model.Display(r.Changes[i].Text()), w))
				}
				lines = append(lines, clip(line, w))
			}
			if more := r.ChangesMore + max(0, n-(first+room)); more > 0 {
				lines = append(lines, s.Subtle.Render(fmt.Sprintf("  and %d more (shortlist sync --json lists them)", more)))
			}
			help = "j/k choose · enter open account · esc back · S sync again"
		}
		lines = append(lines, "", s.Subtle.Render(help))
	default:
		lines = append(lines, s.Subtle.Render("press S to sync"))
	}
	out := strings.Join(lines, "\n")
	return out
}

// barView draws the progress bar and its percentage as they are now, with
// no animation, so an idle sync screen schedules nothing.
func (m syncView) barView() string { return m.bar.ViewAs(m.percent()) }
