package cli_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/shortlisthq/shortlist/ui/cli"
)

func TestAuthSalesforceStoresTheRefreshToken(t *testing.T) {
	f := newSetupFix(t)
	f.sfLogin = func(_ context.Context, _ cli.Globals, show func(code, uri string)) (string, string, string, error) {
		show("ABCD1234", "https://login.salesforce.com/setup/connect")
		return "5Aep861refresh", "https://acme.my.salesforce.com", "", nil
	}
	code, out, errs := f.run("auth", "salesforce")
	if code != 0 || !strings.Contains(errs, "enter the code ABCD1234") || !strings.Contains(out, "OS keyring") ||
		!strings.Contains(out, `instance_url = "https://acme.my.salesforce.com"`) || strings.Contains(out+errs, "5Aep861refresh") {
		t.Fatalf("auth salesforce = %d %q %q", code, out, errs)
	}
	if f.kr.m["shortlist/salesforce"] != "5Aep861refresh" {
		t.Fatalf("keyring holds %q", f.kr.m["shortlist/salesforce"])
	}
	f.sfLogin = func(context.Context, cli.Globals, func(string, string)) (string, string, string, error) {
		return "", "", "", errors.New("wait for the Salesforce login: the login was denied in the browser")
	}
	delete(f.kr.m, "shortlist/salesforce")
	if code, _, errs := f.run("auth", "salesforce"); code != cli.ExitFailure || !strings.Contains(errs, "denied") || f.kr.m["shortlist/salesforce"] != "" {
		t.Fatalf("denied: %d %q", code, errs)
	}
}
