package config

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/shortlisthq/shortlist/model"
)

// Problem is one thing wrong in a config file.
type Problem struct {
	Line int    // 1-based; 0 when the line is not known
	Key  string // e.g. "icp.criteria[1].min"; "" for the whole file
	Msg  string
}

// Error reports the problems found in a config file. Its message is the
// first problem by line, as one line a person can act on:
// "config.toml:14: icp.criteria[1].min: must be a whole number ≥ 0".
type Error struct {
	File     string
	Problems []Problem // sorted by line; at least one
}

// Error implements error.
func (e *Error) Error() string {
	p := e.Problems[0]
	var b strings.Builder
	b.WriteString(e.File)
	if p.Line > 0 {
		b.WriteString(":" + strconv.Itoa(p.Line))
	}
	b.WriteString(": ")
	if p.Key != "" {
		b.WriteString(p.Key + ": ")
	}
	b.WriteString(p.Msg)
	if n := len(e.Problems) - 1; n == 1 {
		b.WriteString(" (and 1 more problem)")
	} else if n > 1 {
		fmt.Fprintf(&b, " (and %d more problems)", n)
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// walker checks a decoded TOML document against the schema, collecting
// problems with their lines rather than stopping at the first, so a person
// fixing a file sees how much is left.
type walker struct {
	lines    keyLines
	problems []Problem
}

func (w *walker) fail(path, format string, args ...any) {
	w.problems = append(w.problems, Problem{Line: w.lines.line(path), Key: path, Msg: fmt.Sprintf(format, args...)})
}

func (w *walker) err(file string) error {
	if len(w.problems) == 0 {
		return nil
	}
	sort.SliceStable(w.problems, func(i, j int) bool { return w.problems[i].Line < w.problems[j].Line })
	return &Error{File: file, Problems: w.problems}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// table reads v as a table and reports keys that are not in known, with a
// suggestion when one is close.
func (w *walker) table(path string, v any, known ...string) (map[string]any, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		w.fail(path, "must be a table ([%s])", path)
		return nil, false
	}
	if known != nil {
		w.unknown(path, m, known)
	}
	return m, true
}

func (w *walker) unknown(path string, m map[string]any, known []string) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if slices.Contains(known, k) {
			continue
		}
		if s := suggest(k, known); s != "" {
			w.fail(join(path, k), "unknown key: did you mean %s?", s)
		} else {
			w.fail(join(path, k), "unknown key: known keys here are %s", strings.Join(known, ", "))
		}
	}
}

// tables reads v as an array of tables ([[path]]).
func (w *walker) tables(path string, v any) []map[string]any {
	switch t := v.(type) {
	case []map[string]any:
		return t
	case []any:
		out := make([]map[string]any, 0, len(t))
		for i, e := range t {
			m, ok := e.(map[string]any)
			if !ok {
				w.fail(fmt.Sprintf("%s[%d]", path, i), "must be a table ([[%s]])", path)
				continue
			}
			out = append(out, m)
		}
		return out
	}
	w.fail(path, "must be an array of tables ([[%s]])", path)
	return nil
}

// str reads a string. Text from the config (a rep name, a rule's
// next_title, a criterion name) is sanitised on the way in like every other
// source: TOML's escapes can spell ESC and C1 controls.
func (w *walker) str(path string, v any) (string, bool) {
	s, ok := v.(string)
	if !ok {
		w.fail(path, "must be a string in quotes")
	}
	return model.Sanitize(s), ok
}

func (w *walker) boolean(path string, v any) (bool, bool) {
	b, ok := v.(bool)
	if !ok {
		w.fail(path, "must be true or false")
	}
	return b, ok
}

// whole reads a whole number in [lo, hi]; hi < lo means no upper bound.
func (w *walker) whole(path string, v any, lo, hi int64) (int64, bool) {
	n, ok := v.(int64)
	if !ok || n < lo || (hi >= lo && n > hi) {
		if hi >= lo {
			w.fail(path, "must be a whole number from %d to %d", lo, hi)
		} else {
			w.fail(path, "must be a whole number ≥ %d", lo)
		}
		return 0, false
	}
	return n, true
}

// number reads any finite number, whole or not.
func (w *walker) number(path string, v any) (float64, bool) {
	switch n := v.(type) {
	case int64:
		return float64(n), true
	case float64:
		if n == n && n < 1e300 && n > -1e300 {
			return n, true
		}
	}
	w.fail(path, "must be a number")
	return 0, false
}

func (w *walker) strs(path string, v any) ([]string, bool) {
	a, ok := v.([]any)
	if !ok {
		w.fail(path, `must be a list of strings, like ["a", "b"]`)
		return nil, false
	}
	out := make([]string, 0, len(a))
	for i, e := range a {
		s, ok := e.(string)
		if !ok {
			w.fail(fmt.Sprintf("%s[%d]", path, i), "must be a string in quotes")
			return nil, false
		}
		out = append(out, model.Sanitize(s))
	}
	return out, true
}

// oneOf reads a string that must be one of names (compared case-insensitively).
func oneOf[T ~string](w *walker, path string, v any, names []T) (T, bool) {
	s, ok := w.str(path, v)
	if !ok {
		return "", false
	}
	want := strings.ToLower(strings.TrimSpace(s))
	list := make([]string, len(names))
	for i, n := range names {
		list[i] = string(n)
		if string(n) == want {
			return n, true
		}
	}
	if sg := suggest(want, list); sg != "" {
		w.fail(path, "unknown value %q: did you mean %s?", s, sg)
	} else {
		w.fail(path, "unknown value %q: use one of %s", s, strings.Join(list, ", "))
	}
	return "", false
}

// suggest returns the known word closest to k, if it is close enough to be a
// typo.
func suggest(k string, known []string) string {
	best, bestD := "", len(k)/3+2
	for _, c := range known {
		if d := levenshtein(strings.ToLower(k), c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
