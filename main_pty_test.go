package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestNoTerminalQueryWait runs commands under script(1): a pty with no
// terminal emulator behind it, which answers no colour query (some editors'
// shells, serial consoles, older multiplexers). Bubble Tea v1's init asked
// for the background colour at the start of every command and waited 5 s
// for the answer; a command that prints a table asks nothing now.
func TestNoTerminalQueryWait(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	script, err := exec.LookPath("script")
	if err != nil {
		t.Skip("script (util-linux) is not installed")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "shortlist")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	home := filepath.Join(dir, "home")
	env := append(append(os.Environ(), pinnedEnv()...), "HOME="+home, "XDG_DATA_HOME="+filepath.Join(home, "data"),
		"XDG_CONFIG_HOME="+filepath.Join(home, "config"), "SHORTLIST_DB=", "TERM=xterm-256color")
	demo := filepath.Join(dir, "demo.db")
	mk := exec.Command(bin, "demo", "--db", demo, "--accounts", "50")
	mk.Env = env
	if out, err := mk.CombinedOutput(); err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	for _, args := range []string{"version", "--db " + demo + " today", "--db " + demo + " show 1"} {
		cmd := exec.Command(script, "-qec", bin+" "+args, "/dev/null")
		cmd.Env = env
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		cmd.Stdin = strings.NewReader("") // nobody types, nobody answers
		start := time.Now()
		err := cmd.Run()
		took := time.Since(start)
		t.Logf("%s: %v", args, took.Round(time.Millisecond))
		if err != nil {
			t.Fatalf("%s: %v\n%s", args, err, out.String())
		}
		if took > time.Second {
			t.Errorf("%s took %v under a pty that answers no query: want well under 1 s", args, took.Round(time.Millisecond))
		}
		if bytes.Contains(out.Bytes(), []byte("\x1b]11;?")) {
			t.Errorf("%s queried the terminal's background: %q", args, out.String())
		}
	}
}
