package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/shortlisthq/shortlist/model"
)

// Template is the commented config file shortlist init writes: every
// setting at its shipped default, each with what it means and what may be
// written, and the rep's time zone filled in with zone (an IANA name; ""
// leaves it to the machine's zone at run time).
func Template(zone string) string {
	c := Default()
	c.Rep.TimeZone, c.Settings.RepZone = zone, zone
	var b strings.Builder
	b.WriteString(`# Shortlist configuration, written by shortlist init.
#
# Every setting below is at its shipped default: change what differs for you
# and delete the rest if you like, since a missing setting means the default.
# shortlist config show prints what is in effect; shortlist doctor checks it.
# The full reference is in the README ("Settings reference").
#
# Keys: the keymap is fixed in this version, so there is no [keys] section
# (press ? in the app to see every key).

`)
	b.WriteString(render(c, true))
	return b.String()
}

// SystemZone is the machine's IANA time zone name, or "" when it cannot
// tell: $TZ when it names a zone, else the target of /etc/localtime.
func SystemZone() string {
	if tz := strings.TrimPrefix(os.Getenv("TZ"), ":"); tz != "" {
		if _, err := time.LoadLocation(tz); err == nil && tz != "Local" && tz != "UTC" {
			return tz
		}
	}
	if name := time.Local.String(); name != "Local" && name != "UTC" && name != "" {
		return name
	}
	target, err := os.Readlink("/etc/localtime")
	if err != nil {
		return ""
	}
	const marker = "zoneinfo/"
	if i := strings.LastIndex(target, marker); i >= 0 {
		name := target[i+len(marker):]
		if _, err := time.LoadLocation(name); err == nil {
			return name
		}
	}
	return ""
}

// ErrExists is returned by WriteFile when the config file is already there
// and force was not given.
var ErrExists = errors.New("config file exists")

// WriteFile writes a new config file at path: mode 0600, its directory
// created 0700. An existing file is refused unless force is set; then the new
// file replaces it atomically and the old one is kept as path + ".bak",
// whose name is returned.
func WriteFile(path string, data []byte, force bool) (backup string, err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("create config directory %s: %w", dir, err)
	}
	old, err := os.ReadFile(path)
	switch {
	case err == nil && !force:
		return "", fmt.Errorf("%s: %w: keep it, or run shortlist init --force to replace it (the old one is kept as %s.bak)", path, ErrExists, filepath.Base(path))
	case err == nil:
		backup = path + ".bak"
		if err := writeAtomic(backup, old); err != nil {
			return "", fmt.Errorf("keep the old config as %s: %w", backup, err)
		}
	case !errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("check %s: %w", path, err)
	}
	if err := writeAtomic(path, data); err != nil {
		return "", fmt.Errorf("write config %s: %w", path, err)
	}
	return backup, nil
}

// writeAtomic writes data to a 0600 temporary file beside path, syncs it and
// renames it over path, so a reader sees the old file or the new, never half.
func writeAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // after the rename there is nothing to remove
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// Environment variables that override the file's [crm] settings.
const (
	EnvBaseURL    = "SHORTLIST_HUBSPOT_BASE_URL"
	EnvOwnerEmail = "SHORTLIST_HUBSPOT_OWNER_EMAIL"

	EnvSalesforceInstanceURL = "SHORTLIST_SALESFORCE_INSTANCE_URL"
	EnvSalesforceLoginURL    = "SHORTLIST_SALESFORCE_LOGIN_URL"
	EnvSalesforceClientID    = "SHORTLIST_SALESFORCE_CLIENT_ID"
	EnvSalesforceAPIVersion  = "SHORTLIST_SALESFORCE_API_VERSION"
	// EnvSalesforceAccessToken is a session from elsewhere (the Salesforce
	// CLI); main reads it, never the config.
	EnvSalesforceAccessToken = "SHORTLIST_SALESFORCE_ACCESS_TOKEN"
)

// salesforceEnv applies the SHORTLIST_SALESFORCE_* overrides, reporting
// whether any was set.
func salesforceEnv(c *Config, getenv func(string) string) (bool, error) {
	set := false
	for _, e := range []struct {
		env, key string
		dst      *string
		url      bool
	}{
		{EnvSalesforceInstanceURL, "crm.instance_url", &c.CRM.InstanceURL, true},
		{EnvSalesforceLoginURL, "crm.login_url", &c.CRM.LoginURL, true},
		{EnvSalesforceClientID, "crm.client_id", &c.CRM.ClientID, false},
		{EnvSalesforceAPIVersion, "crm.api_version", &c.CRM.APIVersion, false},
	} {
		v := strings.TrimSpace(getenv(e.env))
		if v == "" {
			continue
		}
		if e.url {
			if err := checkOrgURL(v); err != nil {
				return false, fmt.Errorf("%s=%w, or unset it", e.env, err)
			}
			v = strings.TrimRight(v, "/")
		}
		if e.key == "crm.api_version" && !apiVersionRE.MatchString(v) {
			return false, fmt.Errorf("%s=%q is not a Salesforce API version like v60.0: fix or unset it", e.env, model.Sanitize(v))
		}
		*e.dst = v
		c.FromEnv = append(c.FromEnv, e.key)
		set = true
	}
	return set, nil
}

// ApplyEnv applies the environment overrides to c: SHORTLIST_HUBSPOT_BASE_URL
// and SHORTLIST_HUBSPOT_OWNER_EMAIL replace crm.base_url and crm.owner_email
// (and imply crm.kind = "hubspot" when the file names no CRM). It records
// them in c.FromEnv. A value that would be refused in the file is refused
// here, naming the variable.
func ApplyEnv(c *Config, getenv func(string) string) error {
	if getenv == nil {
		getenv = os.Getenv
	}
	set := false
	if v := strings.TrimSpace(model.Sanitize(getenv(EnvOwnerEmail))); v != "" {
		if !strings.Contains(v, "@") {
			return fmt.Errorf("%s=%q is not an email address: fix or unset it", EnvOwnerEmail, v)
		}
		c.CRM.OwnerEmail = v
		c.FromEnv = append(c.FromEnv, "crm.owner_email")
		set = true
	}
	if v := strings.TrimSpace(getenv(EnvBaseURL)); v != "" {
		if err := checkBaseURL(v); err != nil {
			return fmt.Errorf("%s=%w, or unset it", EnvBaseURL, err)
		}
		c.CRM.BaseURL = strings.TrimRight(v, "/")
		c.FromEnv = append(c.FromEnv, "crm.base_url")
		set = true
	}
	sf, err := salesforceEnv(c, getenv)
	if err != nil {
		return err
	}
	switch {
	case sf && set:
		return fmt.Errorf("both SHORTLIST_HUBSPOT_* and SHORTLIST_SALESFORCE_* are set: unset the ones of the CRM you do not use")
	case sf && c.CRM.Kind == "":
		c.CRM.Kind = "salesforce"
		c.FromEnv = append(c.FromEnv, "crm.kind")
	case set && c.CRM.Kind == "":
		c.CRM.Kind = "hubspot"
		c.FromEnv = append(c.FromEnv, "crm.kind")
	}
	return nil
}

// Sources says where each top-level section of c came from: the file's path
// when the file sets it, "environment (VAR)" for a key an environment
// variable set, else "default".
func (c Config) Sources() map[string]string {
	out := map[string]string{}
	for _, s := range topKeys {
		out[s] = "default"
		if c.Path != "" && slices.Contains(c.FromFile, s) {
			out[s] = c.Path
		}
	}
	for _, k := range c.FromEnv {
		switch k {
		case "crm.owner_email":
			out[k] = "environment (" + EnvOwnerEmail + ")"
		case "crm.base_url":
			out[k] = "environment (" + EnvBaseURL + ")"
		case "crm.kind":
			out[k] = "environment (implied by SHORTLIST_HUBSPOT_*)"
			if c.CRM.Kind == "salesforce" {
				out[k] = "environment (implied by SHORTLIST_SALESFORCE_*)"
			}
		case "crm.instance_url":
			out[k] = "environment (" + EnvSalesforceInstanceURL + ")"
		case "crm.login_url":
			out[k] = "environment (" + EnvSalesforceLoginURL + ")"
		case "crm.client_id":
			out[k] = "environment (" + EnvSalesforceClientID + ")"
		case "crm.api_version":
			out[k] = "environment (" + EnvSalesforceAPIVersion + ")"
		}
	}
	return out
}

// fileSections lists the top-level sections a document sets, in file order
// of topKeys.
func fileSections(md toml.MetaData) []string {
	var out []string
	for _, s := range topKeys {
		if md.IsDefined(s) {
			out = append(out, s)
		}
	}
	return out
}
