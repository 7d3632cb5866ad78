package model

import (
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
