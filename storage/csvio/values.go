package csvio

import (
	"fmt"
	"math"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/shortlisthq/shortlist/model"
)

// text cleans a cell for storage: escape sequences and controls go
// (model.Sanitize), spaces are trimmed.
func text(s string) string {
	return strings.TrimSpace(model.Sanitize(s))
}

// maxQuoted bounds a cell quoted in a message: a 1 MB cell makes a line a
// person reads, not a 1 MB one.
const maxQuoted = 60

// quote is a cell as a message shows it: quoted, and cut to maxQuoted
// characters.
func quote(s string) string { return fmt.Sprintf("%q", model.Shorten(s, maxQuoted)) }

// placeholder reports whether a cell only says "no value". Every cell of
// a file is asked, so a cell too long to be one is not lower-cased (a
// rune lower-cased takes at least a third of its bytes).
func placeholder(s string) bool {
	s = strings.TrimSpace(s)
	if len(s) > len("unknown") && (len(s) > 3*len("unknown") || ascii(s)) {
		return false
	}
	switch strings.ToLower(s) {
	case "", "-", "--", "n/a", "na", "null", "none", "unknown", "?":
		return true
	}
	return false
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// currencies are the prefixes and suffixes an amount may carry; the amount
// is stored as written, with no conversion.
var currencies = []string{"usd", "eur", "gbp", "cad", "aud", "chf", "jpy", "inr", "sek", "nok", "dkk", "us$", "a$", "c$", "$", "€", "£", "¥", "₹"}

// multipliers are the scale words an amount may end with: "1.2M", "3 bn".
var multipliers = []struct {
	word string
	n    float64
}{
	{"thousand", 1e3}, {"million", 1e6}, {"billion", 1e9},
	{"mm", 1e6}, {"mn", 1e6}, {"bn", 1e9}, {"k", 1e3}, {"m", 1e6}, {"b", 1e9},
}

// amount reads a number as people write it in spreadsheets: currency signs
// and codes, thousands separators (comma, space, apostrophe, or dots when
// there are several), a decimal point or comma, and a scale suffix (k, M,
// MM, bn, million). whole refuses a fraction left after scaling. comma
// says the file writes decimals with a comma (it is ;-delimited, as
// European spreadsheets are), so "1.200" is twelve hundred there.
func amount(s string, whole, comma bool) (int64, error) {
	if n, ok := digits(s); ok {
		return n, nil // the common cell: what the rest would make of it
	}
	v := strings.ToLower(strings.TrimSpace(s))
	for _, c := range currencies {
		v = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(v, c), c))
	}
	if strings.HasPrefix(v, "-") || strings.HasPrefix(v, "(") {
		return 0, fmt.Errorf("%s is negative", quote(s))
	}
	v = strings.TrimSuffix(strings.TrimPrefix(v, "~"), "+") // "10,001+", "~500"
	scale := 1.0
	for _, m := range multipliers {
		if strings.HasSuffix(v, m.word) {
			num := strings.TrimSpace(strings.TrimSuffix(v, m.word))
			if num != "" && unicode.IsDigit(rune(num[len(num)-1])) {
				v, scale = num, m.n
				break
			}
		}
	}
	v = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\u00a0', '\u202f', '\'', '’', '_':
			return -1
		}
		return r
	}, v)
	dots, commas := strings.Count(v, "."), strings.Count(v, ",")
	switch {
	case dots > 0 && commas > 0:
		// The later one is the decimal mark: 1,234.5 or 1.234,5.
		if strings.LastIndex(v, ".") > strings.LastIndex(v, ",") {
			v = strings.ReplaceAll(v, ",", "")
		} else {
			v = strings.ReplaceAll(strings.ReplaceAll(v, ".", ""), ",", ".")
		}
	case commas > 1 || (commas == 1 && len(v)-strings.Index(v, ",") == 4):
		v = strings.ReplaceAll(v, ",", "") // 1,234,567 or 1,234
	case commas == 1:
		v = strings.Replace(v, ",", ".", 1) // 1,5M
	case dots > 1 || (dots == 1 && comma && len(v)-strings.Index(v, ".") == 4):
		v = strings.ReplaceAll(v, ".", "") // 1.234.567, or 1.234 in a ;-file
	}
	if v == "" || strings.ContainsFunc(v, func(r rune) bool { return r != '.' && (r < '0' || r > '9') }) {
		return 0, fmt.Errorf("%s is not a number", quote(s))
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0, fmt.Errorf("%s is not a number", quote(s))
	}
	f *= scale
	if f >= 1e18 {
		return 0, fmt.Errorf("%s is too large", quote(s))
	}
	if whole && f != math.Trunc(f) {
		return 0, fmt.Errorf("%s is not a whole number", quote(s))
	}
	return int64(math.Round(f)), nil
}

// digits reads a cell of 1 to 15 ASCII digits (exact as a float64, as
// amount's arithmetic is), around which only spaces may stand.
func digits(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if len(s) == 0 || len(s) > 15 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// employees reads a head count: a whole number, a LinkedIn-style range
// ("51-200", "51 to 200": the midpoint, rounded down) or an open one
// ("10,001+": the bound).
func employees(s string, comma bool) (int64, error) {
	v := strings.TrimSpace(s)
	for _, sep := range []string{" to ", "–", "—", "-"} {
		lo, hi, ok := strings.Cut(v, sep)
		if !ok || strings.TrimSpace(lo) == "" {
			continue
		}
		a, err1 := amount(lo, true, comma)
		b, err2 := amount(hi, true, comma)
		if err1 != nil || err2 != nil || b < a {
			return 0, fmt.Errorf("%s is not a whole number or a range like 51-200", quote(s))
		}
		return a + (b-a)/2, nil
	}
	n, err := amount(v, true, comma)
	if err != nil {
		return 0, fmt.Errorf("%s is not a whole number", quote(s))
	}
	return n, nil
}

// domain reads a website or domain as a bare, lower-case domain:
// "https://www.Acme.com/about" → "acme.com".
func domain(s string) (string, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	if _, rest, ok := strings.Cut(v, "://"); ok {
		v = rest
	}
	if i := strings.IndexAny(v, "/?#"); i >= 0 {
		v = v[:i]
	}
	if i := strings.LastIndex(v, "@"); i >= 0 {
		v = v[i+1:] // user@host, or an email address given as a website
	}
	if host, port, ok := strings.Cut(v, ":"); ok && port != "" && strings.Trim(port, "0123456789") == "" {
		v = host
	}
	v = strings.TrimSuffix(strings.TrimPrefix(v, "www."), ".")
	if !validDomain(v) {
		return "", fmt.Errorf("%s is not a domain or website", quote(s))
	}
	return v, nil
}

// validDomain reports whether v is dot-separated labels of letters, digits
// and inner hyphens. It allocates nothing: every row of a file has one.
func validDomain(v string) bool {
	if !strings.Contains(v, ".") || len(v) > 253 {
		return false
	}
	for label := range strings.SplitSeq(v, ".") {
		if label == "" || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
			return false
		}
		for _, r := range label {
			if r != '-' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				return false
			}
		}
	}
	return true
}

// email reads an address, also in the form "Ann Lee <ann@acme.com>".
func email(s string) (string, error) {
	v := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "mailto:"))
	bad := fmt.Errorf("%s is not an email address", quote(s))
	a, err := mail.ParseAddress(v)
	if err != nil || strings.ContainsAny(a.Address, " ,;") || strings.Count(a.Address, "@") != 1 {
		return "", bad
	}
	local, host, _ := strings.Cut(a.Address, "@")
	if local == "" || !strings.Contains(host, ".") || strings.HasPrefix(host, ".") || strings.HasSuffix(host, ".") {
		return "", bad
	}
	return local + "@" + strings.ToLower(host), nil
}

// yes reads a yes/no cell: a checkbox column from a CRM export.
func yes(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "y", "1", "x", "t", "✓", "✔", "checked", "opted out", "opted-out", "opt out", "unsubscribed", "do not call", "do not contact":
		return true, nil
	case "", "false", "no", "n", "0", "f", "-", "unchecked", "opted in", "subscribed":
		return false, nil
	}
	return false, fmt.Errorf("%s is not yes or no", quote(s))
}

// zones caches time-zone lookups for one file: a column repeats a handful
// of zones thousands of times.
type zones map[string]error

// zone checks an IANA time-zone name.
func (z zones) zone(s string) (string, error) {
	v := strings.TrimSpace(s)
	if err, ok := z[v]; ok {
		return v, err
	}
	var err error
	if v == "Local" || strings.ContainsAny(v, " \\") || strings.HasPrefix(v, "/") {
		err = fmt.Errorf("%s is not an IANA time zone name like America/New_York", quote(s))
	} else if _, lerr := time.LoadLocation(v); lerr != nil {
		err = fmt.Errorf("%s is not an IANA time zone name like America/New_York", quote(s))
	}
	if len(z) < 1000 {
		z[v] = err
	}
	return v, err
}

// technologies splits a list on ";" or "|" (or on "," when it uses
// neither), dropping blanks and repeats.
func technologies(s string) []string {
	sep := func(r rune) bool { return r == ';' || r == '|' }
	if !strings.ContainsAny(s, ";|") {
		sep = func(r rune) bool { return r == ',' }
	}
	var out, seen []string // seen: lower-cased, a few at most
	for _, t := range strings.FieldsFunc(s, sep) {
		t = text(t)
		low := strings.ToLower(t)
		if t == "" || slices.Contains(seen, low) {
			continue
		}
		seen = append(seen, low)
		out = append(out, t)
	}
	return out
}

// splitName splits a full name: "Lee, Ann" is last-name first; otherwise
// the last word is the last name.
func splitName(s string) (first, last string) {
	v := text(s)
	if l, f, ok := strings.Cut(v, ","); ok {
		return strings.TrimSpace(f), strings.TrimSpace(l)
	}
	i := strings.LastIndexByte(v, ' ')
	if i < 0 {
		return v, ""
	}
	return strings.TrimSpace(v[:i]), v[i+1:]
}

// persona reads a buying-committee role.
func persona(s string) (model.Persona, error) {
	v := strings.ReplaceAll(normalize(s), "-", "")
	for _, p := range model.Personas {
		if normalize(string(p)) == v {
			return p, nil
		}
	}
	switch v {
	case "dm", "decisionmakers", "economicbuyer", "buyer":
		return model.PersonaDecisionMaker, nil
	case "enduser", "users":
		return model.PersonaUser, nil
	}
	return "", fmt.Errorf("%s is not a persona: use %s", quote(s), names(model.Personas))
}

// seniority reads a level, also as Apollo and Sales Navigator write it.
func seniority(s string) (model.Seniority, error) {
	v := normalize(s)
	for _, l := range model.Seniorities {
		if normalize(string(l)) == v {
			return l, nil
		}
	}
	switch v {
	case "csuite", "cxo", "clevel", "executive", "owner", "founder", "partner", "cxolevel":
		return model.SeniorityCLevel, nil
	case "vicepresident", "svp", "evp", "avp":
		return model.SeniorityVP, nil
	case "head", "seniordirector", "headof":
		return model.SeniorityDirector, nil
	case "entry", "senior", "ic", "intern", "staff", "training":
		return model.SeniorityIndividual, nil
	}
	return "", fmt.Errorf("%s is not a seniority: use %s", quote(s), names(model.Seniorities))
}

func names[T ~string](vs []T) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}
