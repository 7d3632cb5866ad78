package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/storage"
	"github.com/shortlisthq/shortlist/storage/demo"
)

// The golden screens must not change with the terminal running the tests.
func init() { lipgloss.SetColorProfile(termenv.Ascii) }

// demoBook writes the fixed demo book (300 accounts, seed 1, testNow) into a
// fresh file and returns the store.
func demoBook(t testing.TB) *storage.DB {
	t.Helper()
	opts := testOptions(nil)
	ctx := context.Background()
	db, err := storage.Open(ctx, filepath.Join(t.TempDir(), "demo.db"), storage.Options{Settings: opts.Settings, Profile: opts.Profile})
	if err != nil {
		t.Fatalf("open book: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if err := demo.Generate(ctx, db, demo.Options{Accounts: 300, Seed: 1, Now: testNow()}); err != nil {
		t.Fatalf("demo book: %v", err)
	}
	return db
}

// goldenCase is one screen: the keys that reach it and text that shows it
// has finished loading.
type goldenCase struct {
	name   string
	keys   []tea.Msg
	ready  []string
	syncer model.Syncer
}

func runes(s string) tea.Msg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)} }

func TestGolden(t *testing.T) {
	db := demoBook(t)
	cases := []goldenCase{
		{name: "today"},
		{name: "account", keys: []tea.Msg{keyMsg("enter")}, ready: []string{"Buying committee"}},
		{name: "log", keys: []tea.Msg{runes("l")}, ready: []string{"UPPER: change it first"}},
		{name: "log_next", keys: []tea.Msg{runes("l"), runes("M"), runes("thu 14:00"), tea.KeyMsg{Type: tea.KeyEnter}, runes("e"), runes("demo call Tue")}, ready: []string{"demo call Tue"}},
		{name: "search", keys: []tea.Msg{runes("/"), runes("an")}, ready: []string{"50 of"}},
		{name: "stats", keys: []tea.Msg{runes("s")}, ready: []string{"ICP coverage"}},
		{name: "help", keys: []tea.Msg{runes("?")}, ready: []string{"Shortlist keys"}},
		// Echospan Inc. is row 9 only under the filter (after the five tier-A
		// respond rows): the filtered page is in.
		{name: "tier_a", keys: []tea.Msg{runes("t")}, ready: []string{"held 8", "9    Echospan Inc"}},
		{name: "sync", keys: []tea.Msg{runes("S")}, ready: []string{"sync finished"},
			syncer: fakeSyncer{report: model.SyncReport{Started: testNow(), Finished: testNow().Add(1500 * time.Millisecond), Pulled: 120, Pushed: 3, Pending: 0}}},
	}
	res, err := db.Search(context.Background(), "an", 50)
	if err != nil || len(res.Hits) == 0 {
		t.Fatalf("search the demo book: %d hits, %v", len(res.Hits), err)
	}
	for _, size := range [][2]int{{80, 24}, {120, 40}, {200, 50}} {
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s_%dx%d", c.name, size[0], size[1]), func(t *testing.T) {
				view := screenAt(t, db, c, size[0], size[1])
				checkFits(t, view, size[0], size[1])
				golden.RequireEqual(t, []byte(view))
			})
		}
	}
}

// screenAt runs the program under teatest, sends the keys, waits until the
// screen is ready and returns the final View.
func screenAt(t *testing.T, st model.Store, c goldenCase, w, h int) string {
	t.Helper()
	opts := testOptions(st)
	opts.Syncer = c.syncer
	tm := teatest.NewTestModel(t, New(opts), teatest.WithInitialTermSize(w, h))
	waitText(t, tm, "done today 0", "> 1 ")
	for _, k := range c.keys {
		tm.Send(k)
	}
	if len(c.ready) > 0 {
		waitText(t, tm, c.ready...)
	}
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	return tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).View()
}

func waitText(t *testing.T, tm *teatest.TestModel, ss ...string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		for _, s := range ss {
			if !strings.Contains(string(b), s) {
				return false
			}
		}
		return true
	},
		teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(5*time.Millisecond))
}

// checkFits asserts nothing wraps or overflows: every line fits the width
// and the screen has exactly the terminal's height.
func checkFits(t *testing.T, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != h {
		t.Errorf("%d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if lw := lipgloss.Width(l); lw > w {
			t.Errorf("line %d is %d cells wide (max %d): %q", i+1, lw, w, l)
		}
	}
}

func TestMain(m *testing.M) {
	// The rep's zone and the clock are fixed in testOptions; pin the
	// process zone too so nothing falls back to the machine's.
	os.Setenv("TZ", "UTC")
	os.Exit(m.Run())
}
