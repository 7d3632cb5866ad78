package cli_test

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shortlisthq/shortlist/ui/cli"
)

// Lists cut short say so, --limit 0 means all for search too, and done,
// skip, snooze, undo and demo speak JSON.
func TestCLICutShortAndJSON(t *testing.T) {
	f := newFixture(t)
	out := f.ok("accounts", "--limit", "5")
	if !strings.Contains(out, "\n5 of ") || !strings.Contains(out, " (--limit 0 for all)\n") {
		t.Errorf("accounts cut short should say so:\n%s", out)
	}
	if out := f.ok("accounts", "--limit", "0"); strings.Contains(out, "--limit 0 for all") {
		t.Errorf("accounts --limit 0 says it is cut:\n%s", out)
	}
	out = f.ok("search", "a", "--limit", "3")
	if !strings.Contains(out, "\n3 of ") {
		t.Errorf("search cut short should say so:\n%s", out)
	}
	var all []cli.SearchHitJSON
	if err := json.Unmarshal([]byte(f.ok("search", "a", "--limit", "0", "--json")), &all); err != nil || len(all) <= 20 {
		t.Errorf("search --limit 0 should list all: %d hits, %v", len(all), err)
	}
	if code, _, errOut := f.run("accounts", "--tier", "Z"); code != cli.ExitUsage {
		t.Errorf("--tier Z: exit %d %q, want 2", code, errOut)
	}

	rows := f.today().Rows
	var tasks []int64
	for _, r := range rows {
		if r.TaskID != 0 {
			tasks = append(tasks, r.TaskID)
		}
	}
	var st cli.TaskStatusJSON
	if err := json.Unmarshal([]byte(f.ok("done", fmt.Sprint(tasks[0]), "--json")), &st); err != nil || st.Status != "done" || st.TaskID != tasks[0] {
		t.Errorf("done --json = %+v, %v", st, err)
	}
	if err := json.Unmarshal([]byte(f.ok("skip", fmt.Sprint(tasks[1]), "--json")), &st); err != nil || st.Status != "skipped" {
		t.Errorf("skip --json = %+v, %v", st, err)
	}
	if err := json.Unmarshal([]byte(f.ok("snooze", fmt.Sprint(tasks[2]), "--until", "2026-12-01", "--json")), &st); err != nil ||
		st.Status != "snoozed" || st.SnoozedUntil != "2026-12-01" {
		t.Errorf("snooze --json = %+v, %v", st, err)
	}

	r := rows[0]
	var lj cli.LogJSON
	if err := json.Unmarshal([]byte(f.ok("log", "--json", "--contact", fmt.Sprint(r.ContactID), "--outcome", "no-answer")), &lj); err != nil {
		t.Fatal(err)
	}
	var uj cli.UndoJSON
	if err := json.Unmarshal([]byte(f.ok("undo", "--json")), &uj); err != nil || uj.TouchID != lj.Touch.ID ||
		uj.Undone != "log of no answer · "+r.Account+" · "+r.Contact {
		t.Errorf("undo --json = %+v, %v", uj, err)
	}

	var dj cli.DemoJSON
	p := filepath.Join(t.TempDir(), "d.db")
	if err := json.Unmarshal([]byte(f.ok("demo", "--db", p, "--accounts", "20", "--json")), &dj); err != nil || dj.Accounts != 20 || dj.Path == "" {
		t.Errorf("demo --json = %+v, %v", dj, err)
	}
}

// --version, the completions and the man page come from the command table:
// every command the help lists is in each, with its flags.
func TestConventionsFromCommandTable(t *testing.T) {
	f := newFixture(t)
	if out := f.ok("--version"); !strings.HasPrefix(out, "shortlist v0.test (database schema") {
		t.Errorf("--version = %q", out)
	}
	help := f.ok("help")
	var cmds []string
	for _, l := range strings.Split(help[strings.Index(help, "Commands:"):], "\n")[1:] {
		fields := strings.Fields(l)
		if len(fields) == 0 {
			break
		}
		cmds = append(cmds, fields[0])
	}
	if len(cmds) < 20 {
		t.Fatalf("help lists %d commands: %v", len(cmds), cmds)
	}
	bash, zsh, fish, man := f.ok("completion", "bash"), f.ok("completion", "zsh"), f.ok("completion", "fish"), f.ok("man")
	for _, c := range cmds {
		if !strings.Contains(bash, "    "+c+") ") || !strings.Contains(zsh, "'"+c+":") ||
			!strings.Contains(fish, "-a "+c+" ") || (c != "help" && !strings.Contains(man, ".SS shortlist "+c)) {
			t.Errorf("command %s missing from a completion or the man page", c)
		}
	}
	for _, want := range []string{"--until", "--outcome", "--limit"} {
		if !strings.Contains(bash, want) || !strings.Contains(zsh, "'"+want) || !strings.Contains(man, `\-\-`+want[2:]) {
			t.Errorf("flag %s missing", want)
		}
	}
	if bashBin, err := exec.LookPath("bash"); err == nil {
		cmd := exec.Command(bashBin, "-n")
		cmd.Stdin = strings.NewReader(bash)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("bash -n: %v\n%s", err, out)
		}
	}
	if code, _, _ := f.run("completion", "tcsh"); code != cli.ExitUsage {
		t.Errorf("completion tcsh: exit %d, want 2", code)
	}
}

// Output taller than the terminal goes through the pager, unless
// --no-pager; log --edit takes the note from the editor.
func TestPagerAndEditor(t *testing.T) {
	f := newFixture(t)
	var paged []byte
	f.env.Page = func(b []byte) error { paged = b; return nil }
	f.env.Height = 10
	out := f.ok("accounts")
	if out != "" || !strings.Contains(string(paged), "(--limit 0 for all)") {
		t.Errorf("a long list should go through the pager: stdout %d bytes, paged %d", len(out), len(paged))
	}
	paged = nil
	if out := f.ok("accounts", "--no-pager"); paged != nil || !strings.Contains(out, "ACCOUNT") {
		t.Errorf("--no-pager should print: paged %d bytes", len(paged))
	}
	if out := f.ok("accounts", "--limit", "3"); paged != nil || !strings.Contains(out, "ACCOUNT") {
		t.Errorf("a short list should print as it is: paged %d bytes", len(paged))
	}

	f.env.Page = nil
	r := f.today().Rows[0]
	if code, _, errOut := f.run("log", "--contact", fmt.Sprint(r.ContactID), "--outcome", "connected", "--edit"); code != cli.ExitUsage {
		t.Errorf("--edit without a terminal: exit %d %q", code, errOut)
	}
	f.env.Edit = func(text string) (string, error) { return text + "wants a security review\n", nil }
	var lj cli.LogJSON
	js := f.ok("log", "--contact", fmt.Sprint(r.ContactID), "--outcome", "connected", "--note", "pricing: ", "--edit", "--json")
	if err := json.Unmarshal([]byte(js), &lj); err != nil || lj.Touch.Note != "pricing: wants a security review" {
		t.Errorf("log --edit: %+v %v", lj.Touch, err)
	}
}

func TestPagerCommand(t *testing.T) {
	env := func(m map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
	}
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{}, "less -FRX"},
		{map[string]string{"PAGER": "more"}, "more"},
		{map[string]string{"PAGER": "more", "SHORTLIST_PAGER": "bat -p"}, "bat -p"},
		{map[string]string{"PAGER": "more", "SHORTLIST_PAGER": ""}, ""},
		{map[string]string{"PAGER": "cat"}, ""},
	} {
		if got := strings.Join(cli.PagerCommand(env(tc.env)), " "); got != tc.want {
			t.Errorf("%v: pager %q, want %q", tc.env, got, tc.want)
		}
	}
}
