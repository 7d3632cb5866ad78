package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/shortlisthq/shortlist/model"
)

// Check statuses.
const (
	CheckOK   = "ok"
	CheckWarn = "warn"
	CheckFail = "fail"
)

// Check is one line of `doctor`: what was checked, how it went, and the fix.
type Check struct {
	Name   string `json:"name"`
	Status string `json:"status"` // ok, warn or fail
	Detail string `json:"detail"`
	Fix    string `json:"fix,omitempty"`
}

// DoctorJSON is `doctor --json`.
type DoctorJSON struct {
	Checks []Check `json:"checks"`
	OK     bool    `json:"ok"` // no check failed
}

func doctorCmd() *command {
	return &command{
		name: "doctor", summary: "check config, book, permissions, token, clock and terminal",
		about: `Check that Shortlist can work here: the config parses, the book opens and is at
the current schema, files are private, the CRM token is present (and accepted,
when this build can ask the CRM), the clock and time zones are sane, and the
terminal has colours and room. One line per check: ok, warn or fail, with the fix.
With --fix it first adds what the CRM lacks and your CRM user may add (on
Salesforce, the custom fields Shortlist writes, through the Tooling API).
Exits 1 when any check fails.`,
		example: []string{"shortlist doctor", "shortlist doctor --fix", "shortlist doctor --json | jq '.checks[] | select(.status != \"ok\")'"},
		define: func(f *flags) func(context.Context, *call) error {
			asJSON := f.fs.Bool("json", false, "print as JSON")
			fix := f.fs.Bool("fix", false, "first add the CRM fields Shortlist needs, where your CRM user may (Salesforce)")
			return func(ctx context.Context, c *call) error {
				if len(c.args) > 0 {
					return usagef("doctor takes flags only, got %q", c.args[0])
				}
				s, err := c.setup()
				if err != nil {
					return err
				}
				var checks []Check
				if *fix {
					checks = append(checks, fixCRM(ctx, c))
				}
				checks = append(checks, doctor(ctx, c, s)...)
				failed := 0
				for _, ch := range checks {
					if ch.Status == CheckFail {
						failed++
					}
				}
				if *asJSON {
					if err := writeJSON(c.env.Stdout, DoctorJSON{Checks: checks, OK: failed == 0}); err != nil {
						return err
					}
				} else {
					for _, ch := range checks {
						line := fmt.Sprintf("%-4s  %-11s %s", ch.Status, ch.Name, oneLine(ch.Detail))
						if ch.Fix != "" {
							line += ": " + oneLine(ch.Fix)
						}
						fmt.Fprintln(c.env.Stdout, line)
					}
				}
				if failed > 0 {
					return fmt.Errorf("%d of %d checks failed", failed, len(checks))
				}
				return nil
			}
		},
	}
}

// fixCRM is doctor --fix's first line: what it added to the CRM, or why
// it could not.
func fixCRM(ctx context.Context, c *call) Check {
	if c.env.FixCRM == nil {
		return Check{"crm-fix", CheckWarn, "not available in this build", ""}
	}
	cctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	did, err := c.env.FixCRM(cctx, c.f.g)
	switch {
	case err == nil:
		return Check{"crm-fix", CheckOK, did, ""}
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, model.ErrOffline):
		return Check{"crm-fix", CheckWarn, "the CRM could not be reached: nothing was added", "check the network, then run shortlist doctor --fix again"}
	}
	return Check{"crm-fix", CheckFail, oneLine(model.Display(err.Error())), ""}
}

// doctor runs every check in order. Each check copes with the ones before it
// failing: a config that does not parse skips the book and CRM checks.
func doctor(ctx context.Context, c *call, s *Setup) []Check {
	g := c.f.g
	var out []Check
	add := func(name, status, detail, fix string) { out = append(out, Check{name, status, detail, fix}) }

	// Config.
	cfgPath := s.ConfigPath(g)
	view, cfgErr := s.LoadConfig(g)
	switch {
	case cfgErr != nil:
		add("config", CheckFail, cfgErr.Error(), "fix the line named, or see the README's settings reference")
	case view.Path == "":
		add("config", CheckWarn, "no config file at "+cfgPath+": using the defaults", "run shortlist init to write one")
	default:
		add("config", CheckOK, view.Path+" parses", "")
	}

	// Book.
	bookPath := s.BookPath(g)
	bookExists := false
	if _, err := os.Stat(bookPath); err == nil {
		bookExists = true
	}
	switch {
	case !bookExists:
		add("book", CheckWarn, "no book yet at "+bookPath, "make one with shortlist import FILE or shortlist sync; try shortlist --demo meanwhile")
	case cfgErr != nil:
		add("book", CheckWarn, "not opened: the config must parse first (it decides the scores)", "fix the config")
	default:
		v, err := s.BookSchema(ctx, g)
		switch {
		case err != nil:
			add("book", CheckFail, err.Error(), "")
		case v != c.env.Schema:
			add("book", CheckFail, fmt.Sprintf("%s is at schema %d, this build writes %d", bookPath, v, c.env.Schema), "run shortlist once to migrate it")
		default:
			add("book", CheckOK, fmt.Sprintf("%s opens, schema %d (current)", bookPath, v), "")
			if ch, ok := outboxCheck(ctx, c); ok {
				out = append(out, ch)
			}
		}
	}

	// Permissions.
	out = append(out, permChecks(bookPath, cfgPath, s, g)...)

	// Token.
	tokenOK := false
	crmKey, crmName, authHint := "hubspot", "HubSpot", "run shortlist auth hubspot"
	if cfgErr == nil && view.CRMKind == "salesforce" {
		crmKey, crmName, authHint = "salesforce", "Salesforce", "run shortlist auth salesforce, or set SHORTLIST_SALESFORCE_ACCESS_TOKEN"
	}
	if s.Token == nil {
		add("token", CheckWarn, "token storage is not available in this build", "")
	} else {
		ts := s.Token(g)
		src, detail, err := ts.Where(crmKey)
		crmWanted := cfgErr == nil && view.CRMKind != ""
		switch {
		case crmKey == "salesforce" && s.getenv("SHORTLIST_SALESFORCE_ACCESS_TOKEN") != "":
			tokenOK = true
			add("token", CheckOK, "Salesforce session from SHORTLIST_SALESFORCE_ACCESS_TOKEN", "")
		case err != nil && crmWanted:
			add("token", CheckFail, oneLine(err.Error()), authHint)
		case err != nil:
			add("token", CheckWarn, "no CRM token (no CRM configured under [crm])", "for sync: set [crm] kind = \"hubspot\" and run shortlist auth hubspot")
		case src == "file":
			tokenOK = true
			msg := crmName + " token in " + detail
			if kp := ts.KeyringProblem(crmKey); kp != nil {
				msg += " (" + kp.Error() + ")"
			}
			add("token", CheckOK, msg, "")
		case src == "environment":
			tokenOK = true
			add("token", CheckOK, crmName+" token from "+ts.EnvVar(crmKey), "")
		default:
			tokenOK = true
			add("token", CheckOK, crmName+" token in the OS keyring", "")
		}
	}

	// CRM.
	switch {
	case c.env.CheckCRM == nil:
		add("crm", CheckWarn, "skipped: CRM check not available in this build", "")
	case !tokenOK:
		add("crm", CheckWarn, "skipped: no token to check", authHint)
	case cfgErr != nil:
		add("crm", CheckWarn, "skipped: the config must parse first", "fix the config")
	default:
		cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		err := c.env.CheckCRM(cctx, g)
		cancel()
		switch {
		case err == nil:
			add("crm", CheckOK, crmName+" accepts the token", "")
		case errors.Is(err, context.DeadlineExceeded):
			add("crm", CheckWarn, crmName+" did not answer in 15s (offline?)", "check the network, then run shortlist doctor again")
		case errors.Is(err, model.ErrOffline):
			// Offline is a normal state for Shortlist, not a broken setup.
			add("crm", CheckWarn, crmName+" is not reachable (offline?): the token was not checked", "check the network, then run shortlist doctor again")
		default:
			fix := "run shortlist auth hubspot with a token that has the CRM scopes"
			if crmKey == "salesforce" {
				fix = "fix what it names (shortlist doctor --fix adds missing fields where your user may), or " + authHint
			}
			add("crm", CheckFail, oneLine(err.Error()), fix)
		}
	}

	// Debug log.
	if s.DebugLog != nil {
		path, on := s.DebugLog(g)
		if on {
			add("debug log", CheckOK, "on: this run appends to "+path+" (no token is ever written)", "")
		} else {
			add("debug log", CheckOK, "off: --debug or SHORTLIST_DEBUG=1 appends to "+path, "")
		}
	}

	// Clock and zones.
	now := c.now()
	if y := now.Year(); y < 2000 || y > 2100 {
		add("clock", CheckFail, fmt.Sprintf("the system clock says %s", now.Format("2006-01-02 15:04")), "set the system date and time")
	} else {
		add("clock", CheckOK, now.Format("2006-01-02 15:04 MST"), "")
	}
	sys := ""
	if s.SystemZone != nil {
		sys = s.SystemZone()
	}
	if sys == "" {
		add("zone", CheckWarn, "the system time zone is not known (UTC assumed)", "set TZ, like TZ=America/Chicago, or set [rep] time_zone")
	} else {
		add("zone", CheckOK, "system zone "+sys, "")
	}
	if cfgErr == nil && view.RepZone != "" {
		if _, err := time.LoadLocation(view.RepZone); err != nil {
			add("rep zone", CheckFail, fmt.Sprintf("rep time zone %q does not load", view.RepZone), "use an IANA name like America/Chicago under [rep] time_zone")
		} else {
			add("rep zone", CheckOK, "rep time zone "+view.RepZone, "")
		}
	} else if cfgErr == nil {
		add("rep zone", CheckOK, "rep time zone: the system's", "")
	}

	// Terminal.
	var ti TermInfo
	if s.Terminal != nil {
		ti = s.Terminal()
	}
	switch {
	case !ti.IsTerminal:
		add("terminal", CheckWarn, "stdout is not a terminal: the full-screen app needs one", "run shortlist doctor in the terminal you work in")
	case ti.Width < 80 || ti.Height < 24:
		add("terminal", CheckWarn, fmt.Sprintf("%dx%d is smaller than 80x24", ti.Width, ti.Height), "make the window larger; columns are cut below 80")
	default:
		add("terminal", CheckOK, fmt.Sprintf("%dx%d", ti.Width, ti.Height), "")
	}
	switch {
	case s.getenv("NO_COLOR") != "":
		add("colour", CheckOK, "NO_COLOR is set: no colours, tiers shown by letter", "")
	case ti.IsTerminal && ti.Profile == "no colour":
		add("colour", CheckWarn, "the terminal reports no colours (TERM="+s.getenv("TERM")+")", "set TERM=xterm-256color, or COLORTERM=truecolor if it has true colour")
	case ti.IsTerminal:
		add("colour", CheckOK, ti.Profile, "")
	}
	return out
}

// permChecks: the book, its WAL files and its directory, the config file and
// its directory, and the token file must not be open to group or others.
func permChecks(bookPath, cfgPath string, s *Setup, g Globals) []Check {
	type want struct {
		path   string
		mode   fs.FileMode
		secret bool // fail (not warn) when others can read it
	}
	list := []want{
		{bookPath, 0o600, true}, {bookPath + "-wal", 0o600, true}, {bookPath + "-shm", 0o600, true},
		{cfgPath, 0o600, false},
	}
	// Shortlist's own directories must be private; a directory the user
	// chose with --db or --config (/tmp, a project folder) is theirs to keep.
	for _, d := range []string{filepath.Dir(bookPath), filepath.Dir(cfgPath)} {
		if filepath.Base(d) == "shortlist" {
			list = append(list, want{d, 0o700, true})
		}
	}
	if s.Token != nil {
		list = append(list, want{s.Token(g).FilePath("hubspot"), 0o600, true})
	}
	var bad []Check
	checked := 0
	for _, w := range list {
		st, err := os.Stat(w.path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			bad = append(bad, Check{"permissions", CheckFail, fmt.Sprintf("cannot check %s: %v", w.path, err), "check the path and its owner"})
			continue
		}
		checked++
		if m := st.Mode().Perm(); m&0o077 != 0 {
			status := CheckWarn
			if w.secret {
				status = CheckFail
			}
			bad = append(bad, Check{"permissions", status, fmt.Sprintf("%s has mode %04o: group or others can reach it", w.path, m), fmt.Sprintf("chmod %o %s", w.mode, w.path)})
		}
	}
	if len(bad) == 0 {
		return []Check{{"permissions", CheckOK, fmt.Sprintf("%d files and directories private (0600/0700)", checked), ""}}
	}
	return bad
}

// outboxCheck says what waits for the CRM: nothing, changes queued for the
// next sync, or changes that will not go on their own (held back, gone,
// waiting for a record the CRM does not hold) with the first one's reason
// and the way out. ok is false when this build cannot read the book here.
func outboxCheck(ctx context.Context, c *call) (Check, bool) {
	if c.env.Open == nil {
		return Check{}, false
	}
	b, err := c.open(ctx)
	if err != nil {
		return Check{"outbox", CheckWarn, "not read: " + oneLine(err.Error()), ""}, true
	}
	st, ok := b.Store.(interface {
		outboxStore
		OutboxCounts(ctx context.Context) (queued, held int, err error)
	})
	if !ok {
		return Check{}, false
	}
	queued, held, err := st.OutboxCounts(ctx)
	if err != nil {
		return Check{"outbox", CheckWarn, "not read: " + oneLine(err.Error()), ""}, true
	}
	switch {
	case held > 0:
		detail := fmt.Sprintf("%d changes will not go to the CRM on their own", held)
		if held == 1 {
			detail = "1 change will not go to the CRM on its own"
		}
		if items, err := st.OutboxItems(ctx, true, 1); err == nil && len(items) > 0 {
			it := items[0]
			detail += fmt.Sprintf(", like change %d, %s: %s", it.ID, itemLine(it), it.Reason)
		}
		if queued > 0 {
			detail += fmt.Sprintf("; %d more queued for the next sync", queued)
		}
		return Check{"outbox", CheckWarn, detail, "shortlist outbox lists them with the way out (create the record in the CRM, change it, or shortlist outbox drop ID)"}, true
	case queued > 0:
		return Check{"outbox", CheckOK, fmt.Sprintf("%s queued for the next sync", plural(queued, "change")), ""}, true
	}
	return Check{"outbox", CheckOK, "empty: everything is in the CRM", ""}, true
}
