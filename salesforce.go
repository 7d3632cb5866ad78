package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/shortlisthq/shortlist/internal/debuglog"
	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/storage"
	"github.com/shortlisthq/shortlist/storage/config"
	"github.com/shortlisthq/shortlist/storage/secret"
	crmsync "github.com/shortlisthq/shortlist/sync"
	"github.com/shortlisthq/shortlist/sync/salesforce"
	"github.com/shortlisthq/shortlist/sync/sfsandbox"
	"github.com/shortlisthq/shortlist/ui/cli"
)

// demoCRM is the demo's CRM: --crm, else [crm] kind, else HubSpot.
func demoCRM(cfg config.Config, g cli.Globals) (string, error) {
	switch k := strings.ToLower(strings.TrimSpace(g.CRM)); k {
	case "hubspot", "salesforce":
		return k, nil
	case "":
		if cfg.CRM.Kind == "salesforce" {
			return "salesforce", nil
		}
		return "hubspot", nil
	default:
		return "", fmt.Errorf("--crm %q: the demo syncs with hubspot or salesforce", model.Sanitize(g.CRM))
	}
}

// newSalesforceDemo is the demo's syncer against an in-process Salesforce
// org seeded from the demo book.
func newSalesforceDemo(db *storage.DB, now func() time.Time) *lazySyncer {
	return &lazySyncer{crm: "the demo Salesforce", slow: true, words: salesforceWords, build: func(ctx context.Context) (model.Syncer, error) {
		sb, err := sfsandbox.New(ctx, db, now())
		if err != nil {
			return nil, err
		}
		crm, err := sb.CRM()
		if err != nil {
			return nil, err
		}
		return crmsync.New(db, crm, crmsync.Options{OwnerEmail: sfsandbox.OwnerEmail, Now: now}), nil
	}}
}

// newSalesforce builds the Salesforce adapter as [crm] and the environment
// say: a session from SHORTLIST_SALESFORCE_ACCESS_TOKEN (the Salesforce CLI's
// sf org display --json gives one), else the refresh token shortlist auth
// salesforce stored (SHORTLIST_SALESFORCE_TOKEN, the keyring or the file).
func newSalesforce(c config.CRM, g cli.Globals, retries int, dl *debuglog.Log) (*salesforce.Client, error) {
	access := strings.TrimSpace(os.Getenv(config.EnvSalesforceAccessToken))
	refresh := ""
	if access == "" {
		t, _, err := secret.Lookup(secret.Options{ConfigDir: filepath.Dir(configPath(g))}, "salesforce")
		if err != nil {
			if errors.Is(err, secret.ErrNoToken) {
				return nil, fmt.Errorf("no Salesforce session: set %s (e.g. from sf org display --json) or store a refresh token with shortlist auth salesforce", config.EnvSalesforceAccessToken)
			}
			return nil, err
		}
		refresh = t
	}
	dl.Secret(access)
	dl.Secret(refresh)
	return salesforce.New(salesforce.Options{
		Log:         dl.Logger(),
		InstanceURL: c.InstanceURL, LoginURL: c.LoginURL, ClientID: c.ClientID, APIVersion: c.APIVersion,
		DailyShare: c.DailyShare, AccessToken: access, RefreshToken: refresh, MeetingLength: c.MeetingLength(), MaxRetries: retries,
	})
}

func newSalesforceSyncer(db *storage.DB, cfg config.Config, g cli.Globals, dl *debuglog.Log, now func() time.Time) *lazySyncer {
	return &lazySyncer{crm: "Salesforce", words: salesforceWords, build: func(ctx context.Context) (model.Syncer, error) {
		crm, err := newSalesforce(cfg.CRM, g, 0, dl)
		if err != nil {
			return nil, err
		}
		return crmsync.New(db, crm, crmsync.Options{OwnerEmail: cfg.CRM.OwnerEmail, Now: now}), nil
	}}
}

// checkSalesforce is doctor's Salesforce check: the session works, the
// login is the rep, and the fields the push needs exist.
func checkSalesforce(ctx context.Context, cfg config.Config, g cli.Globals) error {
	crm, err := newSalesforce(cfg.CRM, g, 1, nil)
	if err != nil {
		return err
	}
	if _, err := crm.Connect(ctx, cfg.CRM.OwnerEmail); err != nil {
		return explainCRM(salesforceWords, model.SyncReport{}, err)
	}
	vs, err := crm.Versions(ctx)
	if err != nil {
		return explainCRM(salesforceWords, model.SyncReport{}, err)
	}
	if !slices.Contains(vs, crm.APIVersion()) {
		newest := "none"
		if len(vs) > 0 {
			newest = vs[len(vs)-1]
		}
		return fmt.Errorf("the org does not serve API %s (its newest is %s): set [crm] api_version", crm.APIVersion(), newest)
	}
	if _, err := crm.Prepare(ctx); err != nil {
		return explainCRM(salesforceWords, model.SyncReport{}, err)
	}
	if u := crm.Usage(); u.Max > 0 && u.Used >= u.Max {
		return fmt.Errorf("the org has used all %d of its daily API requests: sync waits until tomorrow", u.Max)
	}
	return nil
}

// salesforceLogin is auth salesforce's device flow with [crm]'s login_url
// and client_id.
func salesforceLogin(ctx context.Context, g cli.Globals, show func(code, uri string)) (refresh, instance, configured string, err error) {
	cfg, err := loadConfig(g.Config)
	if err != nil {
		return "", "", "", err
	}
	o := salesforce.DeviceOptions{LoginURL: cfg.CRM.LoginURL, ClientID: cfg.CRM.ClientID}
	dc, err := salesforce.StartDevice(ctx, o)
	if err != nil {
		return "", "", "", err
	}
	show(dc.UserCode, dc.VerificationURI)
	openBrowser(dc.VerificationURI)
	tok, err := salesforce.PollDevice(ctx, o, dc)
	if err != nil {
		return "", "", "", err
	}
	return tok.RefreshToken, tok.InstanceURL, cfg.CRM.InstanceURL, nil
}

// openBrowser hands the verification address to the platform's opener
// where a desktop exists; on a bare terminal the printed address is enough.
// Only an address model.CheckWebURL passes is opened.
func openBrowser(uri string) {
	if model.CheckWebURL(uri) != nil {
		return
	}
	name := "xdg-open"
	switch runtime.GOOS {
	case "darwin":
		name = "open"
	case "windows":
		name = "explorer"
	default:
		if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
			return
		}
	}
	cmd := exec.Command(name, uri)
	if cmd.Start() == nil {
		go cmd.Wait() // reap it; its outcome changes nothing
	}
}

// fixCRM is doctor --fix: on Salesforce, the custom fields Prepare finds
// missing are added through the Tooling API when the rep's user may
// customize the org, then checked again; HubSpot needs nothing (the adapter
// creates its properties on the first push).
func fixCRM(ctx context.Context, g cli.Globals) (string, error) {
	cfg, err := loadConfig(g.Config)
	if err != nil {
		return "", err
	}
	if cfg.CRM.Kind != "salesforce" {
		return "nothing to add: Shortlist creates its HubSpot properties itself when it first pushes", nil
	}
	crm, err := newSalesforce(cfg.CRM, g, 1, nil)
	if err != nil {
		return "", err
	}
	if _, err := crm.Connect(ctx, cfg.CRM.OwnerEmail); err != nil {
		return "", explainCRM(salesforceWords, model.SyncReport{}, err)
	}
	_, err = crm.Prepare(ctx)
	var fm *crmsync.FieldsMissingError
	switch {
	case err == nil:
		return "Salesforce has every field Shortlist needs: nothing to add", nil
	case !errors.As(err, &fm):
		return "", explainCRM(salesforceWords, model.SyncReport{}, err)
	}
	missing := fm.Fields
	added, err := crm.AddFields(ctx, missing)
	if errors.Is(err, crmsync.ErrScope) {
		return "", fmt.Errorf("your Salesforce user may not add fields (it needs Customize Application), so nothing was added: ask an admin to add %s in Setup → Object Manager", fieldList(missing))
	}
	if err != nil {
		return "", fmt.Errorf("added %s, then: %w", orNone(added), explainCRM(salesforceWords, model.SyncReport{}, err))
	}
	_, err = crm.Prepare(ctx)
	switch {
	case err == nil:
		return fmt.Sprintf("added %s: Salesforce has every field Shortlist needs", orNone(added)), nil
	case errors.As(err, &fm):
		return "", fmt.Errorf("added %s; Salesforce does not show you %s yet: give your profile read and edit access to them (Setup → Object Manager → the object → Fields → Set Field-Level Security; an existing operation-id field must be marked External ID and Unique), then run shortlist doctor",
			orNone(added), fieldList(fm.Fields))
	}
	return "", explainCRM(salesforceWords, model.SyncReport{}, err)
}

func fieldList(fs []crmsync.MissingField) string {
	var parts []string
	for _, f := range fs {
		parts = append(parts, fmt.Sprintf("%s.%s (%s)", f.Object, f.Field, f.Kind))
	}
	return strings.Join(parts, ", ")
}

func orNone(names []string) string {
	if len(names) == 0 {
		return "no field"
	}
	return strings.Join(names, ", ")
}
