package main

import (
	"bytes"
	"encoding/base64"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shortlisthq/shortlist/sync/hubspottest"
)

// TestDebugLog runs the binary with --debug (and SHORTLIST_DEBUG=1) against
// a hubspottest server with a known token: the log under XDG_STATE_HOME
// names each command, its exit and error, the sync phases and report, and
// each HTTP request; the token, its base64 and a token typed as an argument
// never reach it; without --debug nothing is written; doctor names the
// file. Builds the binary: run it with -count=1.
func TestDebugLog(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "shortlist")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	const token = "Zk4hq0TESTtoken-91x7"
	srv := hubspottest.NewServer(hubspottest.Options{Token: token, RateLimit: -1, SearchPerSecond: -1})
	t.Cleanup(srv.Close)
	rep := srv.AddOwner("rita.rep@acme.test", "Rita", "Rep")
	srv.Put("companies", map[string]string{"name": "Northwind Traders", "domain": "nw.example", "hubspot_owner_id": rep})

	run := func(t *testing.T, state string, extra []string, args ...string) (int, string) {
		t.Helper()
		home := filepath.Join(dir, "home")
		cmd := exec.Command(bin, args...)
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "SHORTLIST_") && !strings.HasPrefix(kv, "XDG_") {
				cmd.Env = append(cmd.Env, kv)
			}
		}
		cmd.Env = append(append(cmd.Env, pinnedEnv()...), "HOME="+home, "XDG_DATA_HOME="+filepath.Join(home, "data"),
			"XDG_CONFIG_HOME="+filepath.Join(home, "config"), "XDG_STATE_HOME="+state,
			"SHORTLIST_HUBSPOT_TOKEN="+token, "SHORTLIST_HUBSPOT_BASE_URL="+srv.URL(),
			"SHORTLIST_HUBSPOT_OWNER_EMAIL=rita.rep@acme.test")
		cmd.Env = append(cmd.Env, extra...)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode(), out.String()
		} else if err != nil {
			t.Fatal(err)
		}
		return 0, out.String()
	}

	quiet := filepath.Join(dir, "quiet")
	if code, out := run(t, quiet, nil, "sync"); code != 0 {
		t.Fatalf("sync without --debug: exit %d: %s", code, out)
	}
	if _, err := os.Stat(quiet); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("without --debug something was written under XDG_STATE_HOME: %v", err)
	}

	state := filepath.Join(dir, "state")
	logPath := filepath.Join(state, "shortlist", "shortlist.log")
	if code, out := run(t, state, nil, "sync", "--debug"); code != 0 {
		t.Fatalf("sync --debug: exit %d: %s", code, out)
	}
	if code, _ := run(t, state, nil, "--debug", "search", "pat-na1-0f3c9a2e-1111-2222", "--limit", "3"); code != 0 {
		t.Errorf("search --debug failed")
	}
	if code, _ := run(t, state, []string{"SHORTLIST_DEBUG=1"}, "show", "99999"); code != 1 {
		t.Errorf("show 99999 should fail")
	}
	code, out := run(t, state, []string{"SHORTLIST_HUBSPOT_TOKEN=WrongTESTtoken-55"}, "--debug", "sync")
	if code == 0 {
		t.Errorf("sync with a wrong token succeeded: %s", out)
	}
	_, out = run(t, state, nil, "doctor")
	if !strings.Contains(out, "debug log") || !strings.Contains(out, logPath) || !strings.Contains(out, "off") {
		t.Errorf("doctor does not name the log file: %s", out)
	}

	data, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	log := string(data)
	for _, want := range []string{
		`msg=command name=sync args="sync --debug" exit=0`,
		`msg="sync phase" phase=pull`,
		`msg="sync report" pulled=`,
		`msg="hubspot request" method=GET path=/crm/v3/owners`,
		"status=200",
		`msg=command name=search`,
		`msg=command name=show args="show 99999" exit=1`,
		`error="account 99999 not found`,
		`msg="sync failed"`,
		"status=401",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("the log lacks %q:\n%s", want, log)
		}
	}
	for _, secret := range []string{token, "WrongTESTtoken-55", "0f3c9a2e-1111-2222", "Bearer "} {
		for _, form := range []string{secret, base64.StdEncoding.EncodeToString([]byte(secret)), base64.RawURLEncoding.EncodeToString([]byte(secret))} {
			if strings.Contains(log, form) {
				t.Errorf("the log holds a token (%q):\n%s", form, log)
			}
		}
	}
	if st, err := os.Stat(logPath); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("log file mode: %v %v", st, err)
	}
}
