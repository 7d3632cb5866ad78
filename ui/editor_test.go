package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/progress"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/shortlisthq/shortlist/model"
)

func TestEditorKeys(t *testing.T) {
	e := newEditor(newStyles())
	e.Focus()
	send := func(msgs ...tea.KeyMsg) {
		for _, m := range msgs {
			e = e.Update(m)
		}
	}
	send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("hello world")})
	send(tea.KeyMsg{Type: tea.KeyCtrlW})
	if e.Value() != "hello " {
		t.Fatalf("ctrl+w: %q", e.Value())
	}
	send(tea.KeyMsg{Type: tea.KeyHome}, tea.KeyMsg{Type: tea.KeyDelete}, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("J")})
	if e.Value() != "Jello " {
		t.Fatalf("home/delete/insert: %q", e.Value())
	}
	send(tea.KeyMsg{Type: tea.KeyEnd}, tea.KeyMsg{Type: tea.KeyCtrlJ}, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("x\x1b[2J\ny\u009b")})
	if e.Value() != "Jello x[2J y" {
		t.Fatalf("a one-line field keeps one line and drops control characters: %q", e.Value())
	}
	send(tea.KeyMsg{Type: tea.KeyLeft}, tea.KeyMsg{Type: tea.KeyBackspace}, tea.KeyMsg{Type: tea.KeyRight}, tea.KeyMsg{Type: tea.KeyCtrlU})
	if e.Value() != "" {
		t.Fatalf("ctrl+u from the end should clear everything before the cursor: %q", e.Value())
	}
}

// TestNoteAreaControlCharacters checks what the bubbles textarea keeps of
// typed and pasted text: everything printable as typed, no control
// characters (they would reach the terminal when the note is shown).
func TestNoteAreaControlCharacters(t *testing.T) {
	cases := []struct {
		name string
		keys []tea.KeyMsg
		want string
	}{
		{"plain text and unicode", []tea.KeyMsg{runesKey("Déjà vu — 日本 ✓", false)}, "Déjà vu — 日本 ✓"},
		{"ESC sequence typed", []tea.KeyMsg{runesKey("a\x1b[31mb", false)}, "a[31mb"},
		{"ESC alone", []tea.KeyMsg{runesKey("\x1b", false)}, ""},
		{"C0 controls", []tea.KeyMsg{runesKey("a\x00\x07\x08b\x7f", false)}, "ab"},
		{"C1 controls", []tea.KeyMsg{runesKey("a\u0085\u009b2Jb\u009d0;x\u009c", false)}, "a2Jb0;x"},
		{"pasted escape sequences", []tea.KeyMsg{runesKey("call \x1b]8;;http://x\x07here\x1b]8;;\x07", true)}, "call ]8;;http://xhere]8;;"},
		{"pasted lines stay lines", []tea.KeyMsg{runesKey("one\r\ntwo", true)}, "one\ntwo"},
		{"tab becomes spaces", []tea.KeyMsg{runesKey("a\tb", false)}, "a    b"},
		{"ctrl+j is a new line, enter is not", []tea.KeyMsg{runesKey("a", false), {Type: tea.KeyCtrlJ}, {Type: tea.KeyEnter}, runesKey("b", false)}, "a\nb"},
		{"ctrl+v does not read the clipboard", []tea.KeyMsg{{Type: tea.KeyCtrlV}, runesKey("a", false)}, "a"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ta := newNoteArea(newStyles())
			ta.SetWidth(60)
			ta.Focus()
			for _, k := range tc.keys {
				var cmd tea.Cmd
				ta, cmd = ta.Update(noteKey(k))
				if cmd != nil {
					if msg := cmd(); msg != nil {
						t.Fatalf("key %q returned a command that produced %T", k, msg)
					}
				}
			}
			if got := ta.Value(); got != tc.want {
				t.Fatalf("value = %q, want %q", got, tc.want)
			}
			for _, r := range ta.View() {
				if r < 0x20 && r != '\n' || r == 0x7f || r >= 0x80 && r < 0xa0 {
					t.Fatalf("view has control character %U: %q", r, ta.View())
				}
			}
		})
	}
	ta := newNoteArea(newStyles())
	ta.Focus()
	ta, _ = ta.Update(runesKey(strings.Repeat("x", noteLimit+10), true))
	if n := len([]rune(ta.Value())); n != noteLimit {
		t.Fatalf("note holds %d characters, want the limit %d", n, noteLimit)
	}
}

func runesKey(s string, paste bool) tea.KeyMsg {
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s), Paste: paste}
}

// tickMsgs runs cmd (and any batch inside it) for up to wait and returns
// the messages that are timer ticks: a cursor blink or a progress frame.
// A Cmd that is still blocked at the end produced nothing in time.
func tickMsgs(cmd tea.Cmd, wait time.Duration) []string {
	out := make(chan tea.Msg, 64)
	var start func(c tea.Cmd)
	start = func(c tea.Cmd) {
		if c == nil {
			return
		}
		go func() {
			msg := c()
			if b, ok := msg.(tea.BatchMsg); ok {
				for _, c := range b {
					start(c)
				}
				return
			}
			out <- msg
		}()
	}
	start(cmd)
	var ticks []string
	deadline := time.After(wait)
	for {
		select {
		case msg := <-out:
			name := fmt.Sprintf("%T", msg)
			if _, ok := msg.(progress.FrameMsg); ok || strings.HasPrefix(name, "cursor.") {
				ticks = append(ticks, name)
			}
		case <-deadline:
			return ticks
		}
	}
}

// TestIdleSchedulesNoTicks: an open note and a finished sync leave nothing
// scheduled, so an idle screen costs no CPU. A blinking cursor ticks every
// 530 ms and an animated bar every 1/60 s; waiting a second sees either.
func TestIdleSchedulesNoTicks(t *testing.T) {
	if testing.Short() {
		t.Skip("waits a second per screen")
	}
	const wait = time.Second
	st := newFakeStore(3, testNow())
	opts := testOptions(st)
	opts.Syncer = fakeSyncer{report: model.SyncReport{Pulled: 3}}
	h := newHarness(t, opts)
	h.keys("l", "M", "enter") // meeting time not known yet
	h.wantScreen(scrLog)

	nm, cmd := h.m.Update(keyMsg("e"))
	h.m = nm.(root)
	if !h.m.log.noting || !h.m.log.note.Focused() {
		t.Fatal("e should open the note")
	}
	if got := h.m.log.note.Cursor.Mode(); got != cursor.CursorStatic {
		t.Fatalf("note cursor mode = %v, want static", got)
	}
	if ticks := tickMsgs(cmd, wait); len(ticks) > 0 {
		t.Fatalf("opening the note scheduled %v", ticks)
	}
	nm, cmd = h.m.Update(runesKey("ok", false))
	h.m = nm.(root)
	if ticks := tickMsgs(cmd, wait); len(ticks) > 0 {
		t.Fatalf("typing in the note scheduled %v", ticks)
	}
	if v := h.m.log.note.Value(); v != "ok" {
		t.Fatalf("note = %q", v)
	}

	h.keys("esc", "esc", "esc", "esc") // the last esc confirms dropping the note
	h.keys("S")
	h.wantScreen(scrSync)
	if !h.m.sync.finished {
		t.Fatal("sync did not finish")
	}
	// Deliver the end of a second run by hand to see the Cmd it returns.
	nm, cmd = h.m.Update(startSyncMsg{})
	h.m = nm.(root)
	run := h.m.sync.run
	h.m.sync.cancel()
	var finish tea.Cmd
	nm, finish = h.m.Update(syncProgressMsg{run: run, p: model.SyncProgress{Phase: model.PhasePull, Done: 1, Total: 2}})
	h.m = nm.(root)
	if finish == nil {
		t.Fatal("a progress report should re-arm the wait")
	}
	nm, cmd = h.m.Update(syncFinishedMsg{run: run, report: model.SyncReport{Pulled: 2}, err: context.Canceled})
	h.m = nm.(root)
	if !h.m.sync.finished || h.m.sync.running {
		t.Fatal("the sync should be finished")
	}
	if ticks := tickMsgs(cmd, wait); len(ticks) > 0 {
		t.Fatalf("a finished sync scheduled %v", ticks)
	}
	// A cancelled sync says so and shows no bar: a full one would say "done".
	if v := h.view(); !errors.Is(h.m.sync.err, context.Canceled) || !strings.Contains(v, "sync cancelled") || strings.Contains(v, "100%") {
		t.Fatalf("finished sync screen:\n%s", h.view())
	}
}

// TestSyncBarFits: the bubbles progress bar and its percentage fill the
// line they are given at every width, and show the last report's share.
func TestSyncBarFits(t *testing.T) {
	for _, w := range []int{40, 80, 120, 200} {
		m := newSyncView(screenEnv{sty: newStyles()}, nil)
		m.setSize(w, 20)
		m.running, m.last = true, model.SyncProgress{Done: 1, Total: 4}
		bar := m.barView()
		if got := lipgloss.Width(bar); got > w {
			t.Fatalf("width %d: bar is %d wide", w, got)
		}
		if !strings.HasSuffix(bar, " 25%") || !strings.Contains(bar, "█") || !strings.Contains(bar, "░") {
			t.Fatalf("width %d: bar %q should show 25%%", w, bar)
		}
	}
}
