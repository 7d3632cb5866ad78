package model

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Sanitize makes text from a CRM or a file safe to draw: it drops ESC, CSI,
// OSC and DCS sequences, C0 and C1 controls, NUL and invalid UTF-8 (tabs and
// newlines become spaces), so nothing reaches the terminal raw.
//
// Whole escape sequences go, not just their ESC, so "\x1b[31mred" draws "red"
// rather than "[31mred". A run of tabs, newlines and carriage returns becomes
// one space; invalid UTF-8 becomes U+FFFD. Clean text is returned as is,
// without allocating, because nearly all text is clean.
func Sanitize(s string) string {
	if isClean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false // the last thing written was a space from a tab or newline
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\t' || c == '\n' || c == '\r':
			if !space {
				b.WriteByte(' ')
				space = true
			}
			i++
		case c == 0x1b:
			i = skipEscape(s, i+1)
		case c < 0x20 || c == 0x7f:
			i++
		case c < utf8.RuneSelf:
			b.WriteByte(c)
			space = false
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			switch {
			case r == utf8.RuneError && size == 1:
				b.WriteRune(utf8.RuneError)
				space = false
				i++
			case r >= 0x80 && r <= 0x9f:
				i = skipC1(s, i+size, r)
			default:
				b.WriteString(s[i : i+size])
				space = false
				i += size
			}
		}
	}
	return b.String()
}

// isClean reports whether s has nothing for Sanitize to change.
func isClean(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || (r >= 0x80 && r <= 0x9f) {
			return false
		}
		i += size
	}
	return true
}

// skipEscape skips the rest of a sequence whose ESC was just before i and
// returns the index after it.
func skipEscape(s string, i int) int {
	if i >= len(s) {
		return i
	}
	switch c := s[i]; {
	case c == '[':
		return skipCSI(s, i+1)
	case c == ']':
		return skipString(s, i+1, true)
	case c == 'P' || c == 'X' || c == '^' || c == '_':
		return skipString(s, i+1, false)
	case c >= 0x20 && c <= 0x2f:
		// nF sequences (ESC ( B and the like): intermediates, then a final byte.
		for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
			i++
		}
		if i < len(s) && s[i] >= 0x30 && s[i] <= 0x7e {
			i++
		}
		return i
	case c >= 0x30 && c <= 0x7e:
		return i + 1 // two-byte ESC x
	}
	return i // a lone ESC: drop it, keep what follows
}

// skipC1 skips a C1 control (decoded just before i) and, for the ones that
// open a sequence, the sequence too.
func skipC1(s string, i int, r rune) int {
	switch r {
	case 0x9b: // CSI
		return skipCSI(s, i)
	case 0x9d: // OSC
		return skipString(s, i, true)
	case 0x90, 0x98, 0x9e, 0x9f: // DCS, SOS, PM, APC
		return skipString(s, i, false)
	}
	return i
}

// skipCSI skips parameter and intermediate bytes and the final byte of a
// control sequence. Anything else ends the sequence early and is kept for
// the caller to judge.
func skipCSI(s string, i int) int {
	for i < len(s) && s[i] >= 0x20 && s[i] <= 0x3f {
		i++
	}
	if i < len(s) && s[i] >= 0x40 && s[i] <= 0x7e {
		i++
	}
	return i
}

// skipString skips an OSC, DCS, SOS, PM or APC string up to and including its
// terminator: ST (ESC \ or U+009C), or BEL for OSC. An ESC not followed by \
// ends the string and starts a new sequence, as terminals do; an
// unterminated string runs to the end of s.
func skipString(s string, i int, bel bool) int {
	for i < len(s) {
		switch c := s[i]; {
		case c == 0x07 && bel:
			return i + 1
		case c == 0x1b:
			if i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
			return i
		case c == 0xc2 && i+1 < len(s) && s[i+1] == 0x9c:
			return i + 2
		}
		i++
	}
	return i
}

// Display is Sanitize for text drawn on a terminal: the screen, CLI tables,
// messages. On top of Sanitize it drops the bidirectional embedding,
// override and isolate controls (U+202A–202E, U+2066–2069), which a stored
// name may keep (they are the data: --json writes them as \u202e) but which
// would reorder what the rep reads ("invoice\u202efdp.exe" drawn as
// "invoiceexe.pdf"). Clean text is returned as is, without allocating.
func Display(s string) string {
	s = Sanitize(s)
	if !hasBidi(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if !IsBidiControl(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// IsBidiControl reports whether r is a bidirectional embedding, override or
// isolate control: U+202A–202E or U+2066–2069.
func IsBidiControl(r rune) bool {
	return (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

// hasBidi reports whether s holds a bidi control. All of them encode as
// E2 80 AA–AE or E2 81 A6–A9, so a byte scan finds them.
func hasBidi(s string) bool {
	for i := 0; i+2 < len(s); i++ {
		if s[i] != 0xe2 {
			continue
		}
		switch c1, c2 := s[i+1], s[i+2]; {
		case c1 == 0x80 && c2 >= 0xaa && c2 <= 0xae, c1 == 0x81 && c2 >= 0xa6 && c2 <= 0xa9:
			return true
		}
	}
	return false
}

// EscapeJSON rewrites, in an encoded JSON document, each C1 control
// (U+0080–U+009F) and bidi control (see IsBidiControl) as a \uXXXX escape.
// encoding/json escapes C0 controls but writes these raw, and a terminal
// acts on them (U+009B opens a control sequence). The escape decodes to the
// same character, so the data is exact. Outside strings JSON holds ASCII
// only, so every rune rewritten is inside a string. A document with none is
// returned as is.
func EscapeJSON(b []byte) []byte {
	first := -1
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if jsonEscaped(r) {
			first = i
			break
		}
		i += size
	}
	if first < 0 {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	out = append(out, b[:first]...)
	const hex = "0123456789abcdef"
	for i := first; i < len(b); {
		if b[i] < utf8.RuneSelf {
			out = append(out, b[i])
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if jsonEscaped(r) {
			out = append(out, '\\', 'u', hex[r>>12&0xf], hex[r>>8&0xf], hex[r>>4&0xf], hex[r&0xf])
		} else {
			out = append(out, b[i:i+size]...)
		}
		i += size
	}
	return out
}

func jsonEscaped(r rune) bool { return (r >= 0x80 && r <= 0x9f) || IsBidiControl(r) }

// Shorten bounds a piece of text in a message to max characters (runes),
// ending in "…" when cut, so a 1 MB cell or a 20,000-column header never
// makes a 1 MB line.
func Shorten(s string, max int) string {
	if max < 1 {
		max = 1
	}
	if len(s) <= max {
		return s
	}
	n := 0
	for i := range s {
		if n == max-1 {
			if utf8.RuneCountInString(s[i:]) <= 1 {
				return s
			}
			return s[:i] + "…"
		}
		n++
	}
	return s
}

// ListSome joins at most max items with ", " and says how many were left
// out: "a, b, c and 17 more".
func ListSome(items []string, max int) string {
	if max < 1 {
		max = 1
	}
	if len(items) <= max {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:max], ", "), len(items)-max)
}
