package model

import "strings"

// LogChangeName is how both front ends name a logged touch for undo: "log
// of no answer · Lyraworks · Liam Clarke", so "undone: …" reads the same in
// the TUI's status line and from shortlist undo.
func LogChangeName(o Outcome, account, contact string) string {
	var parts []string
	for _, p := range []string{o.Label(), account, strings.TrimSpace(contact)} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return "log of " + strings.Join(parts, " · ")
}
