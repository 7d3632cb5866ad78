package config

import (
	"errors"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/shortlisthq/shortlist/model"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current error messages")

// TestErrorGolden pins the message a person sees for each broken file in
// testdata: file, line, key and what to do.
func TestErrorGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/bad_*.toml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".toml")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Parse("config.toml", data)
			if err == nil {
				t.Fatalf("Parse(%s) succeeded; want an error", f)
			}
			got := err.Error() + "\n"
			if strings.Contains(got, "\n") && strings.Count(got, "\n") != 1 {
				t.Errorf("error is not one line: %q", got)
			}
			golden := strings.TrimSuffix(f, ".toml") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("read golden (run go test ./storage/config -update): %v", err)
			}
			if got != string(want) {
				t.Errorf("error message\n got: %s want: %s", got, want)
			}
		})
	}
}

func TestLoadFull(t *testing.T) {
	c, err := Load("testdata/ok_full.toml")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	def := Default()
	s, p := c.Settings, c.Profile
	checks := []struct {
		name      string
		got, want any
	}{
		{"path", c.Path, "testdata/ok_full.toml"},
		{"rep name", c.Rep.Name, "Dana Kim"},
		{"settings rep name", s.RepName, "Dana Kim"},
		{"rep zone", s.RepZone, "America/Chicago"},
		{"calling start", s.CallingHours.Start, model.Clock(8, 30)},
		{"calling end", s.CallingHours.End, model.Clock(18, 0)},
		{"budget contact", s.Budget.PerContact, 2},
		{"budget account", s.Budget.PerAccount, 5},
		{"budget window", s.Budget.Window, 10 * 24 * time.Hour},
		{"rank fit", s.Coefficients.Fit, 3.5},
		{"rank due today", s.Coefficients.DueToday, 4.0},
		{"rank tier a", s.Coefficients.Tier[model.TierA], 9.0},
		{"rank tier b", s.Coefficients.Tier[model.TierB], 6.5},
		{"rank tier c kept", s.Coefficients.Tier[model.TierC], def.Settings.Coefficients.Tier[model.TierC]},
		{"rank priority high", s.Coefficients.Priority[model.PriorityHigh], 2.0},
		{"rank overdue kept", s.Coefficients.OverdueDay, def.Settings.Coefficients.OverdueDay},
		{"stale a", s.StaleAfter[model.TierA], 5 * 24 * time.Hour},
		{"stale d", s.StaleAfter[model.TierD], 90 * 24 * time.Hour},
		{"stale b kept", s.StaleAfter[model.TierB], def.Settings.StaleAfter[model.TierB]},
		{"icp name", p.Name, "EU fintech"},
		{"criteria", len(p.Criteria), 2},
		{"criterion 1 field", p.Criteria[1].Field, model.FieldEmployees},
		{"criterion 1 min", *p.Criteria[1].Min, int64(100)},
		{"criterion 1 max", *p.Criteria[1].Max, int64(2000)},
		{"criterion 0 values", strings.Join(p.Criteria[0].Values, "|"), "Financial Services|Fintech"},
		{"exclusions", len(p.Exclusions), 1},
		{"thresholds", p.Thresholds, model.Thresholds{A: 75, B: 50, C: 25}},
		{"personas", len(p.Contacts.Personas), 2},
		{"persona dm", p.Contacts.Personas[model.PersonaDecisionMaker], 50},
		{"committee", len(p.Contacts.Committee), 2},
		{"title rules", len(p.TitleRules), 1},
		{"title rule seniority", p.TitleRules[0].Seniority, model.SeniorityDirector},
		{"crm kind", c.CRM.Kind, "hubspot"},
		{"crm base url trimmed", c.CRM.BaseURL, "https://api.hubapi.com"},
		{"no-answer next", s.Rule(model.OutcomeNoAnswer).Next, model.TaskEmail},
		{"no-answer title", s.Rule(model.OutcomeNoAnswer).NextTitle, "Email instead"},
		{"no-answer wait", s.Rule(model.OutcomeNoAnswer).After, model.Wait{Days: 2}},
		{"sent next none", s.Rule(model.OutcomeSent).Next, model.TaskKind("")},
		{"busy kept", s.Rule(model.OutcomeBusy), def.Settings.Rule(model.OutcomeBusy)},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
	// Loading must not change the shipped defaults.
	if again := Default(); again.Settings.Coefficients.Tier[model.TierA] != def.Settings.Coefficients.Tier[model.TierA] {
		t.Errorf("defaults changed by a load")
	}
}

func TestLoadEmptyIsDefault(t *testing.T) {
	c, err := Parse("config.toml", []byte("# nothing set\n"))
	if err != nil {
		t.Fatal(err)
	}
	d := Default()
	if c.Settings.Budget != d.Settings.Budget || c.Settings.CallingHours != d.Settings.CallingHours ||
		len(c.Profile.Criteria) != len(d.Profile.Criteria) || c.Profile.Thresholds != d.Profile.Thresholds {
		t.Errorf("an empty file does not give the defaults")
	}
}

func TestLoadMissing(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.toml"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Load(missing) = %v; want fs.ErrNotExist", err)
	}
}

func TestErrorLineAndKey(t *testing.T) {
	doc := "[rep]\nname = \"x\"\n\n[[icp.criteria]]\nfield = \"industry\"\nweight = 1\nvalues = [\"a\"]\n\n[[icp.criteria]]\nfield = \"employees\"\nweight = 2\nmin = 1.5\n"
	_, err := Parse("c.toml", []byte(doc))
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v; want *Error", err)
	}
	p := ce.Problems[0]
	if p.Line != 12 || p.Key != "icp.criteria[1].min" {
		t.Errorf("problem at %d %s; want line 12 icp.criteria[1].min", p.Line, p.Key)
	}
}

func TestScanLines(t *testing.T) {
	doc := `top = 1
[a]
x = """
[not.a.table]
y = 2
"""
"quoted.key" = 3
b.c = 4
[[arr]]
k = 1
[[arr]]
k = 2
[arr.sub]
z = 3
`
	kl := scanLines(doc)
	want := map[string]int{"top": 1, "a": 2, "a.x": 3, "a.quoted.key": 7, "a.b.c": 8, "arr[0]": 9, "arr[0].k": 10, "arr[1].k": 12, "arr[1].sub.z": 14}
	for k, n := range want {
		if kl[k] != n {
			t.Errorf("line of %s = %d; want %d", k, kl[k], n)
		}
	}
	if _, ok := kl["not.a.table"]; ok {
		t.Errorf("a header inside a multi-line string was read as a table")
	}
	if got := kl.line("arr[1].k.deeper"); got != 12 {
		t.Errorf("fallback line = %d; want 12", got)
	}
}

func TestSuggest(t *testing.T) {
	cases := []struct{ in, want string }{
		{"per_contcat", "per_contact"},
		{"windowdays", "window_days"},
		{"colour", ""},
	}
	for _, c := range cases {
		if got := suggest(c.in, []string{"per_contact", "per_account", "window_days"}); got != c.want {
			t.Errorf("suggest(%q) = %q; want %q", c.in, got, c.want)
		}
	}
}

// FuzzLoad: no document may panic the loader, and every failure must be an
// *Error with a one-line message.
func FuzzLoad(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.toml")
	for _, fn := range files {
		if b, err := os.ReadFile(fn); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("[[rules]]\noutcome = 3\n[rank]\ntier = 7\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := Parse("config.toml", data)
		if err == nil {
			return
		}
		var ce *Error
		if !errors.As(err, &ce) {
			t.Fatalf("error is %T, not *Error: %v", err, err)
		}
		if strings.ContainsAny(err.Error(), "\n\r") {
			t.Fatalf("error is not one line: %q", err.Error())
		}
	})
}

func TestRestraintSuggestTier(t *testing.T) {
	c, err := Parse("config.toml", []byte("[restraint]\nsuggest_tier = \"b\"\n"))
	if err != nil || c.Settings.FocusTier != model.TierB || c.Settings.InFocus(model.TierC) || !c.Settings.InFocus(model.TierA) {
		t.Fatalf("suggest_tier b: %v, focus %q", err, c.Settings.FocusTier)
	}
	if d := Default(); d.Settings.FocusTier != model.TierC || d.Settings.InFocus(model.TierD) {
		t.Errorf("default focus %q, want C (A–C)", d.Settings.FocusTier)
	}
	_, err = Parse("config.toml", []byte("[restraint]\nsuggest_tier = \"Z\"\n"))
	if err == nil || !strings.Contains(err.Error(), "config.toml:2: restraint.suggest_tier: must be A, B, C or D") {
		t.Errorf("bad tier: %v", err)
	}
}

func TestMeetingMinutes(t *testing.T) {
	for _, tc := range []struct {
		name, doc string
		want      time.Duration
		bad       bool
	}{
		{"default", "", 30 * time.Minute, false},
		{"set", "[crm]\nmeeting_minutes = 45\n", 45 * time.Minute, false},
		{"too short", "[crm]\nmeeting_minutes = 1\n", 0, true},
		{"not whole", "[crm]\nmeeting_minutes = 30.5\n", 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse("config.toml", []byte(tc.doc))
			var ce *Error
			switch {
			case tc.bad && (!errors.As(err, &ce) || ce.Problems[0].Key != "crm.meeting_minutes"):
				t.Fatalf("err = %v; want a crm.meeting_minutes problem", err)
			case !tc.bad && err != nil:
				t.Fatal(err)
			case !tc.bad && c.CRM.MeetingLength() != tc.want:
				t.Errorf("meeting length %v, want %v", c.CRM.MeetingLength(), tc.want)
			}
		})
	}
}

func TestRestraintColdPerDay(t *testing.T) {
	if d := Default(); d.Settings.ColdPerDay != 10 {
		t.Errorf("default cold_per_day %d, want 10", d.Settings.ColdPerDay)
	}
	for _, tc := range []struct {
		text string
		want int
		err  string
	}{
		{"[restraint]\ncold_per_day = 4\n", 4, ""},
		{"[restraint]\ncold_per_day = 0\n", 0, ""},
		{"[restraint]\ncold_per_day = -1\n", 0, "config.toml:2: restraint.cold_per_day"},
		{"[restraint]\ncold_per_day = \"ten\"\n", 0, "config.toml:2: restraint.cold_per_day"},
	} {
		c, err := Parse("config.toml", []byte(tc.text))
		switch {
		case tc.err != "":
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: err %v, want %q", tc.text, err, tc.err)
			}
		case err != nil || c.Settings.ColdPerDay != tc.want:
			t.Errorf("%q: %v, cold_per_day %d, want %d", tc.text, err, c.Settings.ColdPerDay, tc.want)
		}
	}
}
