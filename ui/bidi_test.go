package ui

import (
	"strings"
	"testing"

	"github.com/shortlisthq/shortlist/model"
)

// TestScreenNeutralisesBidiAndRawErrors: a bidi override in a name never
// reorders the screen, and the status line (which carries store and SQLite
// errors, a trigger's RAISE text among them) is sanitised where it is drawn.
func TestScreenNeutralisesBidiAndRawErrors(t *testing.T) {
	st := newFakeStore(2, testNow())
	st.rows[0].Account.Name = "Invoice\u202efdp.exe Corp"
	st.rows[0].Contact.Title = "VP \u2066Sales\u2069"
	h := newHarness(t, testOptions(st))
	has := func(v string) bool {
		return strings.IndexFunc(v, model.IsBidiControl) >= 0
	}
	if v := h.view(); has(v) || !strings.Contains(v, "Invoicefdp.e") {
		t.Fatalf("today screen draws a bidi control or lost the name:\n%q", v)
	}
	h.keys("enter")
	if v := h.view(); has(v) {
		t.Fatalf("account screen draws a bidi control:\n%q", v)
	}
	h.send(statusMsg{text: "log touch: \x1b]0;pwned\x07trigger said \u009b2Jno \u202eok", err: true})
	v := h.view()
	if strings.ContainsAny(v, "\x07\u009b") || strings.Contains(v, "pwned") || has(v) {
		t.Fatalf("status line drew raw error text:\n%q", v)
	}
	if !strings.Contains(v, "trigger said no ok") {
		t.Fatalf("status line lost the message:\n%q", v)
	}
}
