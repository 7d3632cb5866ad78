package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/storage/secret"
	"github.com/shortlisthq/shortlist/sync/hubspottest"
	"github.com/shortlisthq/shortlist/ui/cli"
)

// noKeyring fails like go-keyring without a D-Bus secret service, so tokens
// go to the 0600 file and the test never touches the machine's keyring.
type noKeyring struct{}

func (noKeyring) Get(string, string) (string, error) {
	return "", errors.New("dbus: no secret service")
}
func (noKeyring) Set(string, string, string) error { return errors.New("dbus: no secret service") }
func (noKeyring) Delete(string, string) error      { return errors.New("dbus: no secret service") }

// TestAuthChecksTokenWithHubSpot runs `auth hubspot` in process with main's
// real token check against a real HTTP server speaking HubSpot's API.
func TestAuthChecksTokenWithHubSpot(t *testing.T) {
	for _, k := range []string{"SHORTLIST_HUBSPOT_TOKEN", "SHORTLIST_HUBSPOT_BASE_URL", "SHORTLIST_HUBSPOT_OWNER_EMAIL"} {
		t.Setenv(k, "")
	}
	const good = "pat-na1-11111111-2222-3333-4444-555555555555"
	const wrong = "pat-na1-99999999-8888-7777-6666-000000000000"
	live := hubspottest.NewServer(hubspottest.Options{Token: good})
	t.Cleanup(live.Close)
	live.AddOwner("rita.rep@acme.test", "Rita", "Rep")
	noScope := hubspottest.NewServer(hubspottest.Options{Token: good, DeniedScopes: []string{"crm.objects.owners.read"}})
	t.Cleanup(noScope.Close)
	failing := hubspottest.NewServer(hubspottest.Options{Token: good})
	t.Cleanup(failing.Close)
	failing.Inject(hubspottest.Fault{Kind: hubspottest.FaultStatus, Code: 503, Times: -1})
	stalled := hubspottest.NewServer(hubspottest.Options{Token: good})
	t.Cleanup(stalled.Close)
	stalled.Inject(hubspottest.Fault{Kind: hubspottest.FaultSlow, Delay: 10 * time.Second, Times: -1})
	down := hubspottest.NewServer(hubspottest.Options{})
	downURL := down.URL()
	down.Close() // nothing listens there any more: connection refused

	for _, tc := range []struct {
		name      string
		url       string
		owner     string
		token     string
		limit     time.Duration
		stored    bool
		out, errs []string
	}{
		{name: "good token accepted", url: live.URL(), token: good, stored: true,
			out: []string{"stored the HubSpot token in", "HubSpot accepted it"}},
		{name: "wrong token refused", url: live.URL(), token: wrong,
			errs: []string{"shortlist: HubSpot did not accept the token, so it was not stored: HubSpot refused it (HTTP 401): copy the whole token again"}},
		{name: "missing scope refused, named", url: noScope.URL(), token: good,
			errs: []string{"not stored: the private app lacks a scope Shortlist needs (crm.objects.owners.read): add it in HubSpot"}},
		{name: "server down: stored, unchecked", url: downURL, token: good, stored: true,
			errs: []string{"warning: not checked with HubSpot, which could not be reached", "shortlist doctor checks it once you are online"}},
		{name: "5xx: stored, unchecked", url: failing.URL(), token: good, stored: true,
			errs: []string{"warning: not checked with HubSpot, which could not be reached (offline: HubSpot answered HTTP 503 2 times)"}},
		{name: "no answer in time: stored, unchecked", url: stalled.URL(), token: good, limit: 400 * time.Millisecond, stored: true,
			errs: []string{"warning: not checked with HubSpot, which could not be reached", "did not answer"}},
		{name: "unknown owner: stored with a warning", url: live.URL(), owner: "nobody@acme.test", token: good, stored: true,
			out:  []string{"HubSpot accepted it"},
			errs: []string{`warning: find owner: no HubSpot user has the email "nobody@acme.test"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			cfgPath := filepath.Join(dir, "config.toml")
			owner := tc.owner
			if owner == "" {
				owner = "rita.rep@acme.test"
			}
			cfg := fmt.Sprintf("[crm]\nkind = \"hubspot\"\nowner_email = %q\nbase_url = %q\n", owner, tc.url)
			if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
				t.Fatal(err)
			}
			limit := tc.limit
			if limit == 0 {
				limit = 5 * time.Second
			}
			opts := secret.Options{ConfigDir: dir, Keyring: noKeyring{}, Getenv: func(string) string { return "" }}
			setup := newSetup(false, "", time.Now)
			setup.Stdin = strings.NewReader(tc.token + "\n")
			setup.Token = func(cli.Globals) cli.TokenStore { return tokenStore{opts} }
			var out, errs bytes.Buffer
			start := time.Now()
			code := cli.Run(context.Background(), []string{"--config", cfgPath, "auth", "hubspot"}, cli.Env{
				Stdout: &out, Stderr: &errs, Now: time.Now, Setup: setup,
				CheckCRM: checkCRM, CheckToken: tokenChecker(limit),
			})
			took := time.Since(start)
			if strings.Contains(out.String()+errs.String(), tc.token) {
				t.Fatalf("the token reached the output:\n%s%s", out.String(), errs.String())
			}
			saved, _, err := secret.Lookup(opts, "hubspot")
			if tc.stored && (err != nil || saved != tc.token) {
				t.Errorf("the token was not stored: %v", err)
			}
			if !tc.stored && !errors.Is(err, secret.ErrNoToken) {
				t.Errorf("a refused token was stored (lookup: %v)", err)
			}
			if want := map[bool]int{true: 0, false: cli.ExitFailure}[tc.stored]; code != want {
				t.Errorf("exit %d, want %d\n%s%s", code, want, out.String(), errs.String())
			}
			for _, w := range tc.out {
				if !strings.Contains(out.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, out.String())
				}
			}
			for _, w := range tc.errs {
				if !strings.Contains(errs.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, errs.String())
				}
			}
			if took > limit+2*time.Second {
				t.Errorf("the check took %v, over its %v limit", took, limit)
			}
		})
	}
}
