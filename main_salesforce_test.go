package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	sft "github.com/shortlisthq/shortlist/sync/salesforcetest"
)

// TestSalesforceSync runs `shortlist sync` with a session and instance URL
// from the environment (as a team on the Salesforce CLI would) against a
// salesforcetest org started here, then an expired session, then the demo
// against its in-process org. It builds the binary: run it with -count=1.
func TestSalesforceSync(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "shortlist")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	home := filepath.Join(dir, "home")
	var base []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SHORTLIST_") && !strings.HasPrefix(kv, "DBUS_") {
			base = append(base, kv)
		}
	}
	base = append(append(base, pinnedEnv()...), "HOME="+home, "XDG_DATA_HOME="+filepath.Join(home, "data"), "XDG_CONFIG_HOME="+filepath.Join(home, "config"))
	run := func(t *testing.T, extra []string, args ...string) (int, string, string) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = append(append([]string{}, base...), extra...)
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("run %v: %v", args, err)
		}
		return code, out.String(), errOut.String()
	}
	srv := sft.New(sft.Options{AccessToken: "00Dxx!AQ4AQsecret-session"})
	t.Cleanup(srv.Close)
	for i, name := range []string{"Northwind Traders", "Globex Logistics", "Initech Software"} {
		a := srv.Put("Account", sft.Record{"Name": name, "Website": fmt.Sprintf("https://www.c%d.example", i), "Industry": "Software", "NumberOfEmployees": 450.0})
		srv.Put("Contact", sft.Record{"AccountId": a, "FirstName": "Pat", "LastName": name[:4], "Email": fmt.Sprintf("p@c%d.example", i)})
	}
	env := []string{"SHORTLIST_SALESFORCE_INSTANCE_URL=" + srv.URL(), "SHORTLIST_SALESFORCE_ACCESS_TOKEN=" + srv.AccessToken()}
	code, out, errOut := run(t, env, "sync")
	if code != 0 || !strings.Contains(out, "pulled 6") || strings.Contains(out+errOut, srv.AccessToken()) {
		t.Fatalf("sync: exit %d\n%s\n%s", code, out, errOut)
	}
	_, out, errOut = run(t, env, "doctor")
	if !strings.Contains(out, "Salesforce session from SHORTLIST_SALESFORCE_ACCESS_TOKEN") || !strings.Contains(out, "Salesforce accepts the token") {
		t.Fatalf("doctor:\n%s\n%s", out, errOut)
	}
	bare := sft.New(sft.Options{Missing: []string{"Task.Shortlist_Op_Id__c"}})
	t.Cleanup(bare.Close)
	_, out, errOut = run(t, []string{"SHORTLIST_SALESFORCE_INSTANCE_URL=" + bare.URL(), "SHORTLIST_SALESFORCE_ACCESS_TOKEN=" + bare.AccessToken()}, "doctor")
	if !strings.Contains(out, "Task.Shortlist_Op_Id__c (Text(64), External ID, Unique)") || !strings.Contains(out, "shortlist doctor --fix") {
		t.Fatalf("doctor on an org without the op id field:\n%s\n%s", out, errOut)
	}
	// doctor --fix, by a user who may not customize the org: nothing added,
	// the admin's way named.
	locked := sft.New(sft.Options{Missing: []string{"Task.Shortlist_Op_Id__c", "Event.Shortlist_Op_Id__c"}, NoCustomize: true})
	t.Cleanup(locked.Close)
	code, out, errOut = run(t, []string{"SHORTLIST_SALESFORCE_INSTANCE_URL=" + locked.URL(), "SHORTLIST_SALESFORCE_ACCESS_TOKEN=" + locked.AccessToken()}, "doctor", "--fix")
	if code != 1 || !strings.Contains(out, "may not add fields (it needs Customize Application)") || locked.FieldsCreated() != 0 {
		t.Fatalf("doctor --fix without Customize Application: exit %d\n%s\n%s", code, out, errOut)
	}
	// And by one who may: the field is added through the Tooling API, and
	// the CRM check passes in the same run.
	bareEnv := []string{"SHORTLIST_SALESFORCE_INSTANCE_URL=" + bare.URL(), "SHORTLIST_SALESFORCE_ACCESS_TOKEN=" + bare.AccessToken()}
	code, out, errOut = run(t, bareEnv, "doctor", "--fix")
	if !strings.Contains(out, "added Activity.Shortlist_Op_Id__c: Salesforce has every field Shortlist needs") ||
		!strings.Contains(out, "Salesforce accepts the token") || bare.FieldsCreated() != 1 {
		t.Fatalf("doctor --fix: exit %d\n%s\n%s", code, out, errOut)
	}
	if _, out, _ = run(t, bareEnv, "doctor", "--fix"); !strings.Contains(out, "nothing to add") || bare.FieldsCreated() != 1 {
		t.Fatalf("doctor --fix again:\n%s", out)
	}
	srv.ExpireSession()
	code, out, errOut = run(t, env, "sync")
	if code != 1 || !strings.Contains(errOut, "Salesforce refused the session") || strings.Contains(out+errOut, "secret-session") {
		t.Fatalf("expired session: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = run(t, []string{"SHORTLIST_SALESFORCE_INSTANCE_URL=http://acme.my.salesforce.com", "SHORTLIST_SALESFORCE_ACCESS_TOKEN=x"}, "sync")
	if code == 0 || !strings.Contains(errOut, "SHORTLIST_SALESFORCE_INSTANCE_URL") {
		t.Fatalf("plain http: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = run(t, nil, "--demo", "--crm", "salesforce", "sync")
	if code != 0 || !strings.Contains(out, "demo Salesforce") || !strings.Contains(out, "pulled ") {
		t.Fatalf("demo: exit %d\n%s\n%s", code, out, errOut)
	}
}
