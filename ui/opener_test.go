package ui

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestOpenRefusesUnsafeLinks: a CRM link from a CSV ("Record URL") or a
// CRM field is text anyone may have written; only https (and http to this
// machine) reaches the opener, and the status line says why not.
func TestOpenRefusesUnsafeLinks(t *testing.T) {
	for _, tc := range []struct{ url, why string }{
		{"file:///etc/passwd", "not file:"},
		{"--manual", "starts with -"},
		{"-a Calculator", "starts with -"},
		{"javascript:alert(1)", "not a web address"},
		{"http://crm.example.com/x", "use https"},
	} {
		t.Run(tc.url, func(t *testing.T) {
			st := newFakeStore(3, testNow())
			st.rows[0].Account.CRMURL = tc.url
			h := newHarness(t, testOptions(st))
			h.keys("o")
			if len(h.fx.opened) != 0 {
				t.Fatalf("opener ran with %q", h.fx.opened)
			}
			h.wantStatus("not opened")
			h.wantStatus(tc.why)
			if !h.m.status.err || strings.ContainsAny(h.m.status.text, "\n\x1b\x07") {
				t.Errorf("status %q: want one clean error line", h.m.status.text)
			}
		})
	}
	st := newFakeStore(3, testNow())
	st.rows[0].Account.CRMURL = "http://127.0.0.1:8080/company/1"
	h := newHarness(t, testOptions(st))
	h.keys("o")
	if len(h.fx.opened) != 1 {
		t.Fatalf("a loopback http link was not opened: %v", h.fx.opened)
	}
}

// TestSystemOpenGate: the system opener itself refuses a bad URL, so no
// caller can hand it one; the command is never started.
func TestSystemOpenGate(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("fakes xdg-open")
	}
	dir := t.TempDir()
	marker := filepath.Join(dir, "ran")
	script := "#!/bin/sh\necho \"$@\" >> " + marker + "\n"
	if err := os.WriteFile(filepath.Join(dir, "xdg-open"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	for _, bad := range []string{"--manual", "file:///etc/passwd", "http://evil.example/"} {
		if err := systemOpen(context.Background(), bad); err == nil {
			t.Errorf("systemOpen(%q) ok; want refused", bad)
		}
	}
	if _, err := os.Stat(marker); !os.IsNotExist(err) {
		b, _ := os.ReadFile(marker)
		t.Fatalf("xdg-open ran for a refused URL: %q", b)
	}
	if err := systemOpen(context.Background(), "https://app.hubspot.com/x"); err != nil {
		t.Fatalf("systemOpen(https): %v", err)
	}
	if b, err := os.ReadFile(marker); err != nil || strings.TrimSpace(string(b)) != "https://app.hubspot.com/x" {
		t.Fatalf("xdg-open got %q (%v); want the https URL", b, err)
	}
}
