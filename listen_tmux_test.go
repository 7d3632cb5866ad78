//go:build reliability

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestListenDemoFlow drives the real binary in tmux at 80x24 on the demo
// book, the newcomer's path of issue 17: S syncs with the demo sandbox,
// which makes a buyer reply; the reply leads the list as the selected
// respond row; l then c answers it (logs connected); the row leaves the
// list and the book holds the signal answered by that touch.
func TestListenDemoFlow(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux not installed: .ci/run installs it")
	}
	bin, env, dir := relBin(t)
	book := filepath.Join(dir, "book.db")
	demoBook := filepath.Join(dir, "demo.db")
	g := []string{"--demo", "--db", book}
	if r := runBin(t, bin, env, append(g, "today")...); r.code != 0 {
		t.Fatalf("fill the demo book: %+v", r)
	}
	r := rawDB(t, demoBook)
	before := scalar(t, r, "SELECT coalesce(max(id), 0) FROM signals")

	d := &twoTerm{t: t, sock: fmt.Sprintf("shortlist-listen-%d-%d", os.Getpid(), time.Now().UnixNano())}
	conf := filepath.Join(dir, "tmux.conf")
	if err := os.WriteFile(conf, []byte("set -g status off\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	envArgs := []string{"env", "TERM=xterm-256color"}
	for _, e := range env {
		if strings.HasPrefix(e, "HOME=") || strings.HasPrefix(e, "XDG_") || strings.HasPrefix(e, "SHORTLIST_") {
			envArgs = append(envArgs, e)
		}
	}
	shell := strings.Join(append([]string{bin}, g...), " ") + `; echo "[exited $?]"; sleep 60`
	d.tmux(append(append([]string{"-f", conf, "new-session", "-d", "-s", "tt", "-x", "80", "-y", "24"}, envArgs...), "sh", "-c", shell)...)
	t.Cleanup(func() { _ = exec.Command("tmux", "-L", d.sock, "kill-server").Run() })
	d.waitFor("the worklist with respond rows", 20*time.Second, func(s string) bool {
		return strings.Contains(s, "answer ") && strings.Contains(s, "> 1 ") && strings.Contains(s, "↩")
	})

	d.key("S")
	d.waitFor("the sync to finish", 30*time.Second, func(s string) bool { return strings.Contains(s, "sync finished") })
	var contactID int
	var first, last, kind string
	if err := r.QueryRow(`SELECT s.contact_id, c.first_name, c.last_name, s.kind FROM signals s JOIN contacts c ON c.id = s.contact_id
		WHERE s.id > ? AND s.answered_at = 0 AND s.kind = 'replied' ORDER BY s.at DESC, s.id DESC LIMIT 1`, before).
		Scan(&contactID, &first, &last, &kind); err != nil {
		t.Fatalf("the sync brought no new reply: %v", err)
	}
	name := first + " " + last
	d.key("Escape")
	d.waitFor("the new reply on top", 15*time.Second, func(s string) bool {
		for _, l := range strings.Split(s, "\n") {
			if strings.HasPrefix(strings.TrimLeft(l, "> "), "1 ") {
				return strings.Contains(l, first) && strings.Contains(l, "↩")
			}
		}
		return false
	})
	// The cursor stays on the row the rep was on; g goes to the top.
	d.key("g")
	top := d.waitFor("the new reply selected", 10*time.Second, func(s string) bool {
		return strings.Contains(selectedRow(s), first) && strings.Contains(selectedRow(s), "↩")
	})
	if !strings.Contains(top, "why rank") || !(strings.Contains(top, " replied just now") || strings.Contains(top, " min ago")) {
		t.Errorf("the why line does not lead with the speed term:\n%s", top)
	}

	d.key("l")
	d.waitFor("the log screen", 10*time.Second, func(s string) bool { return strings.Contains(s, "Log outcome") })
	d.key("c")
	after := d.waitFor("the answer logged", 15*time.Second, func(s string) bool { return strings.Contains(s, "logged connected") })
	if strings.Contains(selectedRow(after), first) {
		t.Errorf("%s's reply is still the selected row after answering it:\n%s", name, after)
	}
	if n := scalar(t, r, `SELECT count(*) FROM signals s JOIN touches t ON t.id = s.answered_by
		WHERE s.contact_id = ? AND s.id > ? AND s.answered_at > 0 AND t.outcome = 'connected'`, contactID, before); n == 0 {
		t.Fatalf("the book does not hold %s's reply answered by the logged touch", name)
	}
	for _, l := range strings.Split(after, "\n") {
		if strings.Contains(l, "↩") && strings.Contains(l, first+" "+last[:min(len(last), 3)]) {
			t.Errorf("the answered reply is still listed: %q", l)
		}
	}
}
