package cli

import (
	"strings"
	"testing"
)

func TestCRMFlagPicksTheDemoCRM(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string // "" ok, else a substring of the usage error
	}{
		{"salesforce demo", []string{"--demo", "--crm", "salesforce"}, ""},
		{"hubspot demo", []string{"--crm=HubSpot", "--demo"}, ""},
		{"unknown crm", []string{"--demo", "--crm", "pipedrive"}, "hubspot or salesforce"},
		{"without demo", []string{"--crm", "salesforce"}, "needs --demo"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFlags("sync")
			_, err := f.parse(tc.args)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if _, ok := err.(*UsageError); !ok || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v (%T), want a usage error with %q", err, err, tc.want)
			}
		})
	}
}
