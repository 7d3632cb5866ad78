package ui

import (
	"context"
	"os"
	"syscall"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/shortlisthq/shortlist/internal/clock"
	"github.com/shortlisthq/shortlist/storage"
)

// BenchmarkKeyPress measures one key through Update and View on the
// 100,000-account book (SHORTLIST_BENCH_DB; the storage helper writes it to
// os.TempDir()/shortlist-bench-100k.db). A 60 Hz frame is 16.7 ms; the bar
// is 1 ms. It draws in colour (the tests pin ASCII for the goldens), as a
// terminal does: styled text costs more to render and to measure.
func BenchmarkKeyPress(b *testing.B) {
	lipgloss.SetColorProfile(termenv.TrueColor)
	defer lipgloss.SetColorProfile(termenv.Ascii)
	path := os.Getenv("SHORTLIST_BENCH_DB")
	if path == "" {
		b.Skip("SHORTLIST_BENCH_DB not set: point it at the 100,000-account book")
	}
	if _, err := os.Stat(path); err != nil {
		b.Skipf("bench book: %v", err)
	}
	opts := testOptions(nil)
	// The book's next morning, so the figure does not move with the hour.
	opts.Now = clock.Pinned(e2eTime(b, benchNow(b, path)))
	db, err := storage.Open(context.Background(), path, storage.Options{Settings: opts.Settings, Profile: opts.Profile, Now: opts.Now})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	opts.Store = db
	m := New(opts)
	m, _ = m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	start := time.Now()
	m = settle(b, m, m.Init())
	firstLoad := time.Since(start) // page, counts and the (slow) Stats, run one after another
	if r := m.(root); len(r.today.rows) == 0 {
		b.Fatal("the bench book has an empty worklist")
	}
	keys := []tea.KeyMsg{keyMsg("j"), keyMsg("j"), keyMsg("k"), keyMsg("k")}
	b.ResetTimer()
	cpu0 := processCPU()
	n := 0
	for i := 0; b.Loop(); i++ {
		m, _ = m.Update(keys[i%len(keys)])
		_ = m.View()
		n++
	}
	// CPU time, the GC's included, is the figure on a shared machine:
	// wall time there counts the other jobs too.
	b.ReportMetric(float64((processCPU()-cpu0).Nanoseconds())/float64(n), "cpu-ns/op")
	b.ReportMetric(float64(firstLoad.Microseconds())/1000, "ms-initial-loads")
}

// processCPU is the user and system time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// settle runs cmd and feeds its messages back until nothing is left.
func settle(tb testing.TB, m tea.Model, cmd tea.Cmd) tea.Model {
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		default:
			var next tea.Cmd
			m, next = m.Update(msg)
			queue = append(queue, next)
		}
	}
	return m
}
