package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/shortlisthq/shortlist/model"
)

// same compares what a config means, not where it came from.
func same(t *testing.T, got, want Config) {
	t.Helper()
	got.Path, got.FromFile, got.FromEnv = "", nil, nil
	want.Path, want.FromFile, want.FromEnv = "", nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("config differs\n got: %+v\nwant: %+v", got, want)
	}
}

func TestTemplateParsesToDefault(t *testing.T) {
	got, err := Parse("config.toml", []byte(Template("")))
	if err != nil {
		t.Fatalf("the template does not parse: %v", err)
	}
	same(t, got, Default())
	if len(got.FromFile) != len(topKeys) {
		t.Errorf("template sets sections %v, want every one of %v", got.FromFile, topKeys)
	}
}

func TestTemplateWithZone(t *testing.T) {
	got, err := Parse("config.toml", []byte(Template("America/Chicago")))
	if err != nil {
		t.Fatal(err)
	}
	want := Default()
	want.Rep.TimeZone, want.Settings.RepZone = "America/Chicago", "America/Chicago"
	same(t, got, want)
}

func TestTemplateDocumentsEveryKey(t *testing.T) {
	tpl := Template("")
	for _, s := range sections() {
		if !strings.Contains(tpl, s.doc[:min(len(s.doc), 30)]) {
			t.Errorf("section %s has no comment in the template", s.name)
		}
	}
	if !strings.Contains(tpl, "[keys]") {
		t.Errorf("the template does not say that keys are fixed in this version")
	}
}

// TestShowRoundTrip: what config show prints parses back to the same
// configuration, for a non-default one too.
func TestShowRoundTrip(t *testing.T) {
	c, err := Load("testdata/ok_full.toml")
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse("show.toml", []byte(c.TOML()))
	if err != nil {
		t.Fatalf("config show output does not parse: %v\n%s", err, c.TOML())
	}
	same(t, back, c)
}

func TestShowMasksURLCredentials(t *testing.T) {
	c := Default()
	c.CRM.BaseURL = "https://alice:hunter2@crm.example.com/api"
	out := c.TOML()
	if strings.Contains(out, "hunter2") || strings.Contains(out, "alice") {
		t.Fatalf("credentials shown: %s", out)
	}
	if !strings.Contains(out, "https://****@crm.example.com/api") {
		t.Errorf("masked URL missing: %s", out)
	}
}

func TestWriteFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "shortlist")
	path := filepath.Join(dir, "config.toml")
	if _, err := WriteFile(path, []byte("# one\n"), false); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]os.FileMode{dir: 0o700, path: 0o600} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != want {
			t.Errorf("%s mode %o, want %o", p, st.Mode().Perm(), want)
		}
	}
	_, err := WriteFile(path, []byte("# two\n"), false)
	if !errors.Is(err, ErrExists) || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("overwrite without force: %v, want ErrExists naming --force", err)
	}
	if data, _ := os.ReadFile(path); string(data) != "# one\n" {
		t.Fatalf("refused write changed the file: %q", data)
	}
	bak, err := WriteFile(path, []byte("# two\n"), true)
	if err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(path); string(data) != "# two\n" {
		t.Errorf("forced write: file holds %q", data)
	}
	if data, _ := os.ReadFile(bak); string(data) != "# one\n" || bak != path+".bak" {
		t.Errorf("backup %s holds %q", bak, data)
	}
	if st, _ := os.Stat(bak); st.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %o", st.Mode().Perm())
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".*.tmp"))
	if len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestApplyEnv(t *testing.T) {
	env := map[string]string{EnvOwnerEmail: "rep@example.com", EnvBaseURL: "http://127.0.0.1:9/"}
	c := Default()
	if err := ApplyEnv(&c, func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if c.CRM.OwnerEmail != "rep@example.com" || c.CRM.BaseURL != "http://127.0.0.1:9" || c.CRM.Kind != "hubspot" {
		t.Errorf("crm after env: %+v", c.CRM)
	}
	src := c.Sources()
	if !strings.Contains(src["crm.owner_email"], EnvOwnerEmail) || src["rep"] != "default" {
		t.Errorf("sources: %v", src)
	}
	env[EnvBaseURL] = "ftp:nowhere"
	c = Default()
	if err := ApplyEnv(&c, func(k string) string { return env[k] }); err == nil || !strings.Contains(err.Error(), EnvBaseURL) {
		t.Errorf("bad base URL: %v, want an error naming %s", err, EnvBaseURL)
	}
}

func TestSourcesFromFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(path, []byte("[budget]\nper_contact = 2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	src := c.Sources()
	if src["budget"] != path || src["icp"] != "default" {
		t.Errorf("sources: %v", src)
	}
}

// TestReadmeReference: the README's settings reference is Reference(),
// between its markers (run with -update to rewrite it).
func TestReadmeReference(t *testing.T) {
	const begin, end = "<!-- settings-reference:begin (generated: go test ./storage/config -update) -->\n", "<!-- settings-reference:end -->"
	readme := filepath.Join("..", "..", "README.md")
	data, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	i, j := strings.Index(s, begin), strings.Index(s, end)
	if i < 0 || j < i {
		t.Fatalf("README.md has no settings reference markers %q … %q", begin, end)
	}
	want := begin + "\n" + Reference() + "\n"
	if got := s[i:j]; got != want {
		if *update {
			if err := os.WriteFile(readme, []byte(s[:i]+want+s[j:]), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		t.Errorf("README settings reference is stale: run go test ./storage/config -update")
	}
}

// TestBaseURLPlainHTTP: the token travels to [crm] base_url, so plain http
// is refused for any host but this machine, in the file and in
// SHORTLIST_HUBSPOT_BASE_URL alike, with one line naming the key and the fix.
func TestBaseURLPlainHTTP(t *testing.T) {
	cases := []struct {
		url  string
		ok   bool
		want string
	}{
		{"https://api.hubapi.com", true, ""},
		{"https://api.hubapi.com/", true, ""},
		{"http://127.0.0.1:8080", true, ""},
		{"http://[::1]:8080", true, ""},
		{"http://localhost:9000", true, ""},
		{"http://api.hubapi.com", false, "use https"},
		{"http://10.1.2.3:8080", false, "use https"},
		{"http://localhost.attacker.example", false, "use https"},
		{"ftp://api.hubapi.com", false, "only https"},
		{"file:///etc/passwd", false, "only https"},
		{"http://user:pw@api.hubapi.com", false, "use https"},
	}
	for _, tc := range cases {
		t.Run(tc.url, func(t *testing.T) {
			doc := fmt.Sprintf("[crm]\nkind = \"hubspot\"\nowner_email = \"rep@example.com\"\nbase_url = %q\n", tc.url)
			c, err := Parse("config.toml", []byte(doc))
			checkBaseURLErr(t, err, tc.ok, tc.want, "config.toml:4: crm.base_url: ")
			if tc.ok && c.CRM.BaseURL != strings.TrimRight(tc.url, "/") {
				t.Errorf("base url %q; want %q", c.CRM.BaseURL, tc.url)
			}
			c = Default()
			err = ApplyEnv(&c, func(k string) string {
				if k == EnvBaseURL {
					return tc.url
				}
				return ""
			})
			checkBaseURLErr(t, err, tc.ok, tc.want, EnvBaseURL+"=")
			if tc.ok && c.CRM.BaseURL != strings.TrimRight(tc.url, "/") {
				t.Errorf("env base url %q; want %q", c.CRM.BaseURL, tc.url)
			}
		})
	}
}

func checkBaseURLErr(t *testing.T, err error, ok bool, want, prefix string) {
	t.Helper()
	switch {
	case ok && err != nil:
		t.Errorf("refused: %v", err)
	case !ok && err == nil:
		t.Errorf("accepted; want refused (%s)", want)
	case !ok:
		msg := err.Error()
		if !strings.HasPrefix(msg, prefix) || !strings.Contains(msg, want) || strings.Contains(msg, "\n") || strings.Contains(msg, "pw@") {
			t.Errorf("error %q; want one line starting %q and saying %q, with no password", msg, prefix, want)
		}
	}
}

// TestConfigTextIsSanitized: TOML escapes can spell ESC and C1 controls;
// text read from a config file (a rep name, a rule's next_title that
// becomes a task title, a criterion name) is sanitised on the way in like
// every other source.
func TestConfigTextIsSanitized(t *testing.T) {
	doc := `[rep]
name = "Rep\u001b]52;c;eA==\u0007 Name"

[icp]
name = "ICP\u009b2J"

[[rules]]
outcome = "no-answer"
next = "call"
next_title = "Call\u001b[31m again"
`
	c, err := Parse("config.toml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	var title string
	for _, r := range c.Settings.Rules {
		if r.Outcome == model.OutcomeNoAnswer {
			title = r.NextTitle
		}
	}
	if c.Settings.RepName != "Rep Name" || c.Profile.Name != "ICP" || title != "Call again" {
		t.Errorf("rep %q, icp %q, next_title %q: want the controls gone", c.Settings.RepName, c.Profile.Name, title)
	}
	env := map[string]string{EnvOwnerEmail: "rep@example.com\x1b[2J"}
	c = Default()
	if err := ApplyEnv(&c, func(k string) string { return env[k] }); err != nil || c.CRM.OwnerEmail != "rep@example.com" {
		t.Errorf("owner email from env %q (%v)", c.CRM.OwnerEmail, err)
	}
}
