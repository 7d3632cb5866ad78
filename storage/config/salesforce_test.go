package config

import (
	"strings"
	"testing"
)

func TestSalesforceSettings(t *testing.T) {
	c, err := Parse("config.toml", []byte(`[crm]
kind = "salesforce"
instance_url = "https://acme.my.salesforce.com/"
login_url = "https://test.salesforce.com"
client_id = "3MVG9abc"
api_version = "v61.0"
daily_share = 0.1
`))
	if err != nil {
		t.Fatal(err)
	}
	want := CRM{Kind: "salesforce", InstanceURL: "https://acme.my.salesforce.com", LoginURL: "https://test.salesforce.com",
		ClientID: "3MVG9abc", APIVersion: "v61.0", DailyShare: 0.1, MeetingMinutes: DefaultMeetingMinutes}
	if c.CRM != want {
		t.Fatalf("got %+v, want %+v", c.CRM, want)
	}
	for _, tc := range []struct{ name, body, want string }{
		{"plain http", `instance_url = "http://acme.my.salesforce.com"`, "crm.instance_url"},
		{"loopback is fine", `instance_url = "http://127.0.0.1:8080"`, ""},
		{"share too big", `daily_share = 5`, "crm.daily_share"},
		{"share zero", `daily_share = 0`, "crm.daily_share"},
		{"bad version", `api_version = "latest"`, "crm.api_version"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("config.toml", []byte("[crm]\nkind = \"salesforce\"\n"+tc.body+"\n"))
			if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
}

func TestSalesforceEnv(t *testing.T) {
	c := Default()
	env := map[string]string{EnvSalesforceInstanceURL: "https://acme.my.salesforce.com", EnvSalesforceClientID: "app"}
	if err := ApplyEnv(&c, func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if c.CRM.Kind != "salesforce" || c.CRM.InstanceURL != "https://acme.my.salesforce.com" || c.CRM.ClientID != "app" {
		t.Fatalf("env: %+v", c.CRM)
	}
	if src := c.Sources()["crm.instance_url"]; src != "environment (SHORTLIST_SALESFORCE_INSTANCE_URL)" {
		t.Fatalf("source %q", src)
	}
	c = Default()
	env = map[string]string{EnvSalesforceInstanceURL: "http://acme.my.salesforce.com"}
	if err := ApplyEnv(&c, func(k string) string { return env[k] }); err == nil || !strings.Contains(err.Error(), EnvSalesforceInstanceURL) {
		t.Fatalf("plain http from the environment: %v", err)
	}
	c = Default()
	env = map[string]string{EnvSalesforceInstanceURL: "https://acme.my.salesforce.com", EnvOwnerEmail: "a@b.c"}
	if err := ApplyEnv(&c, func(k string) string { return env[k] }); err == nil {
		t.Fatal("both CRMs' variables accepted")
	}
}
