package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/storage/config"
	"github.com/shortlisthq/shortlist/storage/secret"
	"github.com/shortlisthq/shortlist/ui/cli"
)

const token = "pat-na1-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"

// memKeyring is a keyring in memory; down fails like go-keyring without a
// D-Bus secret service.
type memKeyring struct {
	m    map[string]string
	down bool
}

func (k *memKeyring) Get(s, u string) (string, error) {
	if k.down {
		return "", errors.New("dbus: The name org.freedesktop.secrets was not provided")
	}
	v, ok := k.m[s+"/"+u]
	if !ok {
		return "", secret.ErrNotInKeyring
	}
	return v, nil
}

func (k *memKeyring) Set(s, u, p string) error {
	if k.down {
		return errors.New("dbus: no secret service")
	}
	k.m[s+"/"+u] = p
	return nil
}

func (k *memKeyring) Delete(s, u string) error {
	if k.down {
		return errors.New("dbus: no secret service")
	}
	if _, ok := k.m[s+"/"+u]; !ok {
		return secret.ErrNotInKeyring
	}
	delete(k.m, s+"/"+u)
	return nil
}

// tokens adapts storage/secret for the test Env, as main.go does.
type tokens struct{ o secret.Options }

func (t tokens) Where(crm string) (string, string, error) {
	_, src, err := secret.Lookup(t.o, crm)
	if err != nil {
		return "", "", err
	}
	return string(src), secret.FilePath(t.o, crm), nil
}
func (t tokens) Save(crm, tok string) (string, error) {
	s, err := secret.Save(t.o, crm, tok)
	return string(s), err
}
func (t tokens) Remove(crm string) ([]string, error) {
	r, err := secret.Remove(t.o, crm)
	var out []string
	for _, s := range r {
		out = append(out, string(s))
	}
	return out, err
}
func (t tokens) KeyringProblem(crm string) error { return secret.CheckKeyring(t.o, crm) }
func (t tokens) EnvVar(crm string) string        { return secret.EnvVar(crm) }
func (t tokens) FilePath(crm string) string      { return secret.FilePath(t.o, crm) }

// setupFix is an Env whose setup hooks use the real config and secret
// packages in a temp dir, with a fake keyring and environment.
type setupFix struct {
	t        *testing.T
	dir      string
	cfg      string
	book     string
	kr       *memKeyring
	env      map[string]string
	stdin    string
	terminal cli.TermInfo
	schema   func() (int, error)
	checkCRM func(context.Context, cli.Globals) error
	checked  []string // tokens CheckToken saw
	// checkToken, when set, is CheckToken (else a fake refusing "bad",
	// present when checkCRM is).
	checkToken func(context.Context, cli.Globals, string) error
	clock      time.Time
	// open, when set, is the Env's Open (doctor reads the outbox through it).
	open func(ctx context.Context, g cli.Globals) (*cli.Book, error)
	// sfLogin, when set, is Env.SalesforceLogin.
	sfLogin func(context.Context, cli.Globals, func(code, uri string)) (string, string, string, error)
}

func newSetupFix(t *testing.T) *setupFix {
	dir := t.TempDir()
	return &setupFix{
		t: t, dir: dir,
		cfg:      filepath.Join(dir, "cfg", "shortlist", "config.toml"),
		book:     filepath.Join(dir, "data", "shortlist", "shortlist.db"),
		kr:       &memKeyring{m: map[string]string{}},
		env:      map[string]string{},
		terminal: cli.TermInfo{IsTerminal: true, Width: 120, Height: 40, Profile: "256 colors"},
		schema:   func() (int, error) { return 1, nil },
		clock:    now,
	}
}

func (f *setupFix) getenv(k string) string { return f.env[k] }

func (f *setupFix) run(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	load := func(g cli.Globals) (cli.ConfigView, error) {
		c, err := config.Load(f.cfg)
		if errors.Is(err, os.ErrNotExist) {
			c, err = config.Default(), nil
		}
		if err != nil {
			return cli.ConfigView{}, err
		}
		if err := config.ApplyEnv(&c, f.getenv); err != nil {
			return cli.ConfigView{}, err
		}
		return cli.ConfigView{Path: c.Path, TOML: c.TOML(), Tree: c.Tree(), Sources: c.Sources(), RepZone: c.Rep.TimeZone, CRMKind: c.CRM.Kind}, nil
	}
	env := cli.Env{
		Stdout: &out, Stderr: &errb, Now: func() time.Time { return f.clock }, Schema: 1,
		Setup: &cli.Setup{
			ConfigPath:  func(cli.Globals) string { return f.cfg },
			Template:    func() string { return config.Template("America/Chicago") },
			WriteConfig: config.WriteFile,
			LoadConfig:  load,
			Token: func(cli.Globals) cli.TokenStore {
				return tokens{secret.Options{ConfigDir: filepath.Dir(f.cfg), Keyring: f.kr, Getenv: f.getenv}}
			},
			BookPath:   func(cli.Globals) string { return f.book },
			BookSchema: func(context.Context, cli.Globals) (int, error) { return f.schema() },
			SystemZone: func() string { return "Europe/Berlin" },
			Terminal:   func() cli.TermInfo { return f.terminal },
			Getenv:     f.getenv,
			Stdin:      strings.NewReader(f.stdin),
		},
		CheckCRM:        f.checkCRM,
		Open:            f.open,
		SalesforceLogin: f.sfLogin,
	}
	if f.checkToken != nil {
		env.CheckToken = func(ctx context.Context, g cli.Globals, tok string) error {
			f.checked = append(f.checked, tok)
			return f.checkToken(ctx, g, tok)
		}
	} else if f.checkCRM != nil {
		env.CheckToken = func(ctx context.Context, g cli.Globals, tok string) error {
			f.checked = append(f.checked, tok)
			if tok == "bad" {
				return fmt.Errorf("hubspot: 401 unauthorized for token %s", tok)
			}
			return nil
		}
	}
	code := cli.Run(context.Background(), args, env)
	if strings.Contains(out.String()+errb.String(), token) {
		f.t.Fatalf("the token was printed: %s %s", out.String(), errb.String())
	}
	return code, out.String(), errb.String()
}

func TestInitWritesParsableDefault(t *testing.T) {
	f := newSetupFix(t)
	code, out, errs := f.run("init")
	if code != 0 || !strings.Contains(out, "wrote "+f.cfg) {
		t.Fatalf("init = %d %q %q", code, out, errs)
	}
	c, err := config.Load(f.cfg)
	if err != nil {
		t.Fatalf("written config does not load: %v", err)
	}
	if c.Rep.TimeZone != "America/Chicago" {
		t.Errorf("rep zone %q, want the system zone filled in", c.Rep.TimeZone)
	}
	st, _ := os.Stat(f.cfg)
	dst, _ := os.Stat(filepath.Dir(f.cfg))
	if st.Mode().Perm() != 0o600 || dst.Mode().Perm() != 0o700 {
		t.Errorf("modes %o %o, want 600 700", st.Mode().Perm(), dst.Mode().Perm())
	}
	code, _, errs = f.run("init")
	if code != cli.ExitFailure || !strings.Contains(errs, "--force") {
		t.Errorf("second init = %d %q; want a refusal naming --force", code, errs)
	}
	code, out, _ = f.run("init", "--force")
	if code != 0 || !strings.Contains(out, "config.toml.bak") {
		t.Errorf("init --force = %d %q", code, out)
	}
}

func TestConfigShow(t *testing.T) {
	f := newSetupFix(t)
	if err := os.MkdirAll(filepath.Dir(f.cfg), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f.cfg, []byte("[budget]\nper_contact = 2\n[crm]\nkind = \"hubspot\"\nbase_url = \"https://me:pw@crm.example.com\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f.env["SHORTLIST_HUBSPOT_OWNER_EMAIL"] = "dana@example.com"
	code, out, errs := f.run("config", "show")
	if code != 0 {
		t.Fatalf("config show = %d %q", code, errs)
	}
	for _, want := range []string{"# file: " + f.cfg, "per_contact = 2", "owner_email = \"dana@example.com\"", "environment (SHORTLIST_HUBSPOT_OWNER_EMAIL)", "calling_hours    default", "****@crm.example.com"} {
		if !strings.Contains(out, want) {
			t.Errorf("config show lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "pw@") {
		t.Errorf("config show printed URL credentials")
	}
	code, out, _ = f.run("config", "show", "--json")
	var js cli.ConfigJSON
	if code != 0 || json.Unmarshal([]byte(out), &js) != nil {
		t.Fatalf("config show --json = %d %q", code, out)
	}
	if js.Sources["budget"] != f.cfg || js.Sources["rep"] != "default" {
		t.Errorf("sources %v", js.Sources)
	}
	if b, _ := js.Config["budget"].(map[string]any); b["per_contact"] != float64(2) {
		t.Errorf("json budget %v", js.Config["budget"])
	}
	if _, out, _ := f.run("config", "path"); strings.TrimSpace(out) != f.cfg {
		t.Errorf("config path = %q", out)
	}
	var pj struct{ Path string }
	if _, out, _ := f.run("config", "path", "--json"); json.Unmarshal([]byte(out), &pj) != nil || pj.Path != f.cfg {
		t.Errorf("config path --json = %q", out)
	}
	if code, _, _ := f.run("config", "shw"); code != cli.ExitUsage {
		t.Errorf("config shw = %d, want usage", code)
	}
	// A broken file is reported with file:line:key.
	os.WriteFile(f.cfg, []byte("[budget]\nper_contct = 2\n"), 0o600)
	code, _, errs = f.run("config", "show")
	if code != cli.ExitFailure || !strings.Contains(errs, "config.toml:2: budget.per_contct: unknown key: did you mean per_contact?") {
		t.Errorf("broken config: %d %q", code, errs)
	}
}

func TestAuthKeyring(t *testing.T) {
	f := newSetupFix(t)
	f.stdin = "  " + token + "\n"
	code, out, errs := f.run("auth", "hubspot")
	if code != 0 || !strings.Contains(out, "OS keyring") {
		t.Fatalf("auth hubspot = %d %q %q", code, out, errs)
	}
	if f.kr.m["shortlist/hubspot"] != token {
		t.Errorf("keyring holds %q", f.kr.m["shortlist/hubspot"])
	}
	_, out, _ = f.run("auth", "status")
	if !strings.Contains(out, "hubspot: token in the OS keyring") || !strings.Contains(out, "keyring: available") {
		t.Errorf("status: %q", out)
	}
	var sj []cli.AuthStatusJSON
	if _, out, _ = f.run("auth", "status", "--json"); json.Unmarshal([]byte(out), &sj) != nil || len(sj) != 1 ||
		sj[0].Source != "keyring" || sj[0].Keyring != "available" || strings.Contains(out, token) {
		t.Errorf("auth status --json = %q", out)
	}
	f.env["SHORTLIST_HUBSPOT_TOKEN"] = "from-env"
	_, out, _ = f.run("auth", "status")
	if !strings.Contains(out, "from the environment (SHORTLIST_HUBSPOT_TOKEN)") {
		t.Errorf("env does not win in status: %q", out)
	}
	_, out, _ = f.run("auth", "logout")
	if !strings.Contains(out, "removed the token from the keyring") || !strings.Contains(out, "still set in your environment") {
		t.Errorf("logout: %q", out)
	}
	delete(f.env, "SHORTLIST_HUBSPOT_TOKEN")
	code, out, _ = f.run("auth", "status")
	if code != cli.ExitFailure || !strings.Contains(out, "no token") {
		t.Errorf("status after logout = %d %q", code, out)
	}
}

func TestAuthNoKeyringFile(t *testing.T) {
	f := newSetupFix(t)
	f.kr.down = true
	f.stdin = token + "\n"
	code, out, errs := f.run("auth", "hubspot")
	if code != 0 || !strings.Contains(out, "hubspot.token (mode 0600): no usable OS keyring (no D-Bus secret service") {
		t.Fatalf("auth hubspot without keyring = %d %q %q", code, out, errs)
	}
	file := filepath.Join(filepath.Dir(f.cfg), "hubspot.token")
	_, out, _ = f.run("auth", "status")
	if !strings.Contains(out, "token in "+file) || !strings.Contains(out, "no D-Bus secret service") {
		t.Errorf("status: %q", out)
	}
	os.Chmod(file, 0o644)
	code, out, _ = f.run("auth", "status")
	if code != cli.ExitFailure || !strings.Contains(out, "chmod 600 "+file) {
		t.Errorf("status with a 0644 file = %d %q", code, out)
	}
	_, out, _ = f.run("auth", "logout")
	if !strings.Contains(out, "removed the token from the file") {
		t.Errorf("logout: %q", out)
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Errorf("file still there: %v", err)
	}
}

func TestAuthRefusesEmptyAndChecks(t *testing.T) {
	f := newSetupFix(t)
	f.stdin = "\n  \n"
	if code, _, errs := f.run("auth", "hubspot"); code != cli.ExitFailure || !strings.Contains(errs, "no token given") {
		t.Errorf("empty token = %d %q", code, errs)
	}
	f.checkCRM = func(context.Context, cli.Globals) error { return nil }
	f.stdin = "bad\n"
	code, _, errs := f.run("auth", "hubspot")
	if code != cli.ExitFailure || !strings.Contains(errs, "did not accept") || strings.Contains(errs, "token bad") {
		t.Errorf("rejected token = %d %q (and the token must be redacted)", code, errs)
	}
	if len(f.kr.m) != 0 {
		t.Errorf("a rejected token was stored")
	}
	f.stdin = token
	if code, out, _ := f.run("auth", "hubspot"); code != 0 || !strings.Contains(out, "HubSpot accepted it") {
		t.Errorf("good token = %d %q", code, out)
	}
	if code, _, _ := f.run("auth", "hubspt"); code != cli.ExitUsage {
		t.Errorf("auth hubspt = %d, want usage", code)
	}
}

// TestAuthCheckBranches: what each answer of the CRM check does with the
// token: stored or not, what the rep reads, the exit code, and never the
// token itself (the fixture fails the test if it is printed).
func TestAuthCheckBranches(t *testing.T) {
	for _, tc := range []struct {
		name      string
		check     func(context.Context, cli.Globals, string) error
		cancel    bool
		stored    bool
		out, errs []string // wanted in stdout, stderr
		notOut    []string // not wanted in stdout+stderr
	}{
		{name: "accepted", check: func(context.Context, cli.Globals, string) error { return nil },
			stored: true, out: []string{"stored the HubSpot token in the OS keyring", "HubSpot accepted it"}, notOut: []string{"warning"}},
		{name: "refused 401 echoing the token", check: func(_ context.Context, _ cli.Globals, tok string) error {
			return fmt.Errorf("HubSpot refused it (HTTP 401): Bearer %s is not valid", tok)
		}, errs: []string{"shortlist: HubSpot did not accept the token, so it was not stored: HubSpot refused it (HTTP 401): Bearer **** is not valid\n"}, notOut: []string{"stored the", "accepted it"}},
		{name: "missing scope", check: func(context.Context, cli.Globals, string) error {
			return errors.New("the private app lacks a scope Shortlist needs (crm.objects.owners.read): add it in HubSpot")
		}, errs: []string{"not stored: the private app lacks a scope Shortlist needs (crm.objects.owners.read)"}},
		{name: "offline", check: func(context.Context, cli.Globals, string) error {
			return fmt.Errorf("%w: cannot resolve api.hubapi.com", model.ErrOffline)
		}, stored: true, out: []string{"stored the HubSpot token in the OS keyring"},
			errs: []string{"warning: not checked with HubSpot, which could not be reached (offline: cannot resolve api.hubapi.com): the token is stored; shortlist doctor checks it once you are online"}, notOut: []string{"accepted it"}},
		{name: "unchecked for a config reason", check: func(context.Context, cli.Globals, string) error {
			return &cli.TokenWarning{Msg: "not checked with HubSpot: set [crm] owner_email"}
		}, stored: true, errs: []string{"warning: not checked with HubSpot: set [crm] owner_email"}, notOut: []string{"accepted it"}},
		{name: "accepted with a wrong owner email", check: func(context.Context, cli.Globals, string) error {
			return &cli.TokenWarning{Accepted: true, Msg: "find owner: no HubSpot user has the email \"x@y\"\x1b[2J"}
		}, stored: true, out: []string{"HubSpot accepted it"}, errs: []string{"warning: find owner: no HubSpot user has the email \"x@y\"\n"}},
		{name: "cancelled", cancel: true, check: func(ctx context.Context, _ cli.Globals, _ string) error {
			<-ctx.Done()
			return fmt.Errorf("find owner: %w", ctx.Err())
		}, errs: []string{"auth cancelled while checking the token with HubSpot: it was not stored"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newSetupFix(t)
			f.stdin = token + "\n"
			f.checkToken = tc.check
			if tc.cancel {
				inner := tc.check
				f.checkToken = func(ctx context.Context, g cli.Globals, tok string) error {
					ctx, cancel := context.WithCancel(ctx)
					cancel()
					return inner(ctx, g, tok)
				}
			}
			code, out, errs := f.run("auth", "hubspot")
			if len(f.checked) != 1 || f.checked[0] != token {
				t.Errorf("CheckToken saw %d tokens, want the pasted one", len(f.checked))
			}
			if got := f.kr.m["shortlist/hubspot"] == token; got != tc.stored {
				t.Errorf("stored %v, want %v", got, tc.stored)
			}
			if want := map[bool]int{true: 0, false: cli.ExitFailure}[tc.stored]; code != want {
				t.Errorf("exit %d, want %d", code, want)
			}
			for _, w := range tc.out {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tc.errs {
				if !strings.Contains(errs, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errs)
				}
			}
			for _, w := range tc.notOut {
				if strings.Contains(out+errs, w) {
					t.Errorf("output has %q:\n%s%s", w, out, errs)
				}
			}
			if !tc.stored && strings.Count(strings.TrimSpace(errs), "\n") != 1 {
				t.Errorf("a refusal is the progress line and one error line:\n%s", errs)
			}
		})
	}
}

// doctorRun runs doctor --json and returns the checks by name (the first
// of each name) and the exit code.
func doctorRun(t *testing.T, f *setupFix) (map[string]cli.Check, int) {
	t.Helper()
	code, out, errs := f.run("doctor", "--json")
	var d cli.DoctorJSON
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("doctor --json: %v %q %q", err, out, errs)
	}
	m := map[string]cli.Check{}
	for _, c := range d.Checks {
		if _, ok := m[c.Name]; !ok || c.Status == cli.CheckFail {
			m[c.Name] = c
		}
	}
	if d.OK != (code == 0) {
		t.Errorf("ok %v but exit %d", d.OK, code)
	}
	return m, code
}

func TestDoctor(t *testing.T) {
	healthy := func(t *testing.T) *setupFix {
		f := newSetupFix(t)
		if code, _, errs := f.run("init"); code != 0 {
			t.Fatal(errs)
		}
		os.MkdirAll(filepath.Dir(f.book), 0o700)
		os.WriteFile(f.book, []byte("x"), 0o600)
		f.kr.m["shortlist/hubspot"] = token
		f.checkCRM = func(context.Context, cli.Globals) error { return nil }
		return f
	}
	cases := []struct {
		name   string
		change func(f *setupFix)
		check  string
		status string
		text   string
	}{
		{"all well", func(*setupFix) {}, "crm", cli.CheckOK, "accepts"},
		{"config broken", func(f *setupFix) { os.WriteFile(f.cfg, []byte("[rep]\ntime_zone = \"Mars/Base\"\n"), 0o600) }, "config", cli.CheckFail, "config.toml:2: rep.time_zone"},
		{"no config", func(f *setupFix) { os.Remove(f.cfg) }, "config", cli.CheckWarn, "shortlist init"},
		{"no book", func(f *setupFix) { os.Remove(f.book) }, "book", cli.CheckWarn, "no book yet"},
		{"book too new", func(f *setupFix) {
			f.schema = func() (int, error) { return 0, errors.New("database is schema 9, this shortlist knows up to 1") }
		}, "book", cli.CheckFail, "schema 9"},
		{"book old", func(f *setupFix) { f.schema = func() (int, error) { return 0, nil } }, "book", cli.CheckFail, "schema 0"},
		{"book readable", func(f *setupFix) { os.Chmod(f.book, 0o644) }, "permissions", cli.CheckFail, "chmod 600"},
		{"config dir open", func(f *setupFix) { os.Chmod(filepath.Dir(f.cfg), 0o755) }, "permissions", cli.CheckFail, "chmod 700"},
		{"no token, crm wanted", func(f *setupFix) {
			delete(f.kr.m, "shortlist/hubspot")
			os.WriteFile(f.cfg, []byte("[crm]\nkind = \"hubspot\"\n"), 0o600)
		}, "token", cli.CheckFail, "auth hubspot"},
		{"no token, no crm", func(f *setupFix) { delete(f.kr.m, "shortlist/hubspot") }, "token", cli.CheckWarn, "no CRM configured"},
		{"token from env", func(f *setupFix) { f.env["SHORTLIST_HUBSPOT_TOKEN"] = "x" }, "token", cli.CheckOK, "SHORTLIST_HUBSPOT_TOKEN"},
		{"crm rejects", func(f *setupFix) {
			f.checkCRM = func(context.Context, cli.Globals) error { return errors.New("hubspot: 401: the token was rejected") }
		}, "crm", cli.CheckFail, "401"},
		{"crm offline", func(f *setupFix) {
			f.checkCRM = func(context.Context, cli.Globals) error { return context.DeadlineExceeded }
		}, "crm", cli.CheckWarn, "did not answer"},
		{"crm unreachable", func(f *setupFix) {
			f.checkCRM = func(context.Context, cli.Globals) error {
				return fmt.Errorf("find owner: %w: dial tcp: no route", model.ErrOffline)
			}
		}, "crm", cli.CheckWarn, "not reachable"},
		{"no crm check in build", func(f *setupFix) { f.checkCRM = nil }, "crm", cli.CheckWarn, "skipped: CRM check not available in this build"},
		{"small terminal", func(f *setupFix) { f.terminal.Width, f.terminal.Height = 70, 20 }, "terminal", cli.CheckWarn, "70x20"},
		{"not a terminal", func(f *setupFix) { f.terminal = cli.TermInfo{} }, "terminal", cli.CheckWarn, "not a terminal"},
		{"no colours", func(f *setupFix) { f.terminal.Profile = "no colour" }, "colour", cli.CheckWarn, "TERM"},
		{"NO_COLOR", func(f *setupFix) { f.env["NO_COLOR"] = "1"; f.terminal.Profile = "no colour" }, "colour", cli.CheckOK, "NO_COLOR"},
		{"zone", func(*setupFix) {}, "rep zone", cli.CheckOK, "America/Chicago"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := healthy(t)
			tc.change(f)
			checks, code := doctorRun(t, f)
			c := checks[tc.check]
			if c.Status != tc.status || !strings.Contains(c.Detail+" "+c.Fix, tc.text) {
				t.Errorf("%s check = %+v; want %s mentioning %q", tc.check, c, tc.status, tc.text)
			}
			failed := false
			for _, c := range checks {
				failed = failed || c.Status == cli.CheckFail
			}
			if failed != (code == cli.ExitFailure) || (!failed && code != 0) {
				t.Errorf("exit %d with failed=%v", code, failed)
			}
		})
	}
}

func TestDoctorClock(t *testing.T) {
	f := newSetupFix(t)
	f.clock = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	checks, code := doctorRun(t, f)
	if c := checks["clock"]; c.Status != cli.CheckFail || !strings.Contains(c.Detail, "1970-01-01") || code != cli.ExitFailure {
		t.Errorf("clock check = %+v, exit %d", c, code)
	}
}
