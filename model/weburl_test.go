package model

import (
	"strings"
	"testing"
)

func TestCheckWebURL(t *testing.T) {
	tests := []struct {
		name, in string
		want     string // "" ok, else a piece of the reason
	}{
		{"https", "https://app.hubspot.com/contacts/1/company/2", ""},
		{"https upper case scheme", "HTTPS://app.hubspot.com/x", ""},
		{"https with port", "https://crm.example.com:8443/x", ""},
		{"http loopback v4", "http://127.0.0.1:8080/x", ""},
		{"http loopback 127/8", "http://127.8.9.10/x", ""},
		{"http loopback v6", "http://[::1]:9000/", ""},
		{"http localhost", "http://localhost:3000", ""},
		{"http localhost upper", "http://LOCALHOST/", ""},
		{"http remote", "http://api.hubapi.com", "plain http to api.hubapi.com"},
		{"http remote ip", "http://10.0.0.1/", "use https"},
		{"http looks like localhost", "http://localhost.evil.example/", "use https"},
		{"http 127 as a subdomain", "http://127.0.0.1.evil.example/", "use https"},
		{"file", "file:///etc/passwd", "not file:"},
		{"javascript", "javascript:alert(1)", "not a web address"},
		{"option", "--manual", "starts with -"},
		{"option with url", "-https://x.example", "starts with -"},
		{"no scheme", "app.hubspot.com/x", "not a web address"},
		{"no host", "https:///x", "no host"},
		{"empty", "", "empty"},
		{"space", "https://x.example/a b", "spaces"},
		{"newline", "https://x.example/\n--manual", "control"},
		{"escape", "https://x.example/\x1b]52;c;x\x07", "control"},
		{"c1", "https://x.example/\u009b1m", "control"},
		{"ssh", "ssh://host", "not ssh:"},
		{"userinfo is still https", "https://user@x.example/", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckWebURL(tc.in)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("CheckWebURL(%q) = %v; want ok", tc.in, err)
			case tc.want != "" && err == nil:
				t.Errorf("CheckWebURL(%q) ok; want refused (%s)", tc.in, tc.want)
			case tc.want != "" && !strings.Contains(err.Error(), tc.want):
				t.Errorf("CheckWebURL(%q) = %q; want it to say %q", tc.in, err, tc.want)
			case err != nil && strings.ContainsAny(err.Error(), "\n\x1b"):
				t.Errorf("reason %q is not one clean line", err)
			}
		})
	}
}
