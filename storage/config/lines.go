package config

import (
	"strconv"
	"strings"
)

// keyLines maps each key path in a TOML document ("icp.criteria[1].min",
// "budget.per_contact") to the line it is written on, and each table path
// ("icp.criteria[1]") to its header line. TOML's own metadata knows where a
// key is but not which element of an array of tables it belongs to, so a small
// scan of the text is the honest way to point at the line a person must fix.
// Keys inside inline tables are not listed: a lookup falls back to the
// nearest enclosing path that is.
type keyLines map[string]int

// scanLines builds the key → line index of a TOML document. It is forgiving:
// the document has already been parsed, so anything it cannot read is skipped.
func scanLines(doc string) keyLines {
	kl := keyLines{}
	arrays := map[string]int{} // array-of-tables path (with parent indices) → current index
	table := ""
	var inMulti string // the delimiter of an open multi-line string
	for i, line := range strings.Split(doc, "\n") {
		n := i + 1
		if inMulti != "" {
			if strings.Count(line, inMulti)%2 == 1 {
				inMulti = ""
			}
			continue
		}
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		switch {
		case strings.HasPrefix(t, "[["):
			end := strings.Index(t, "]]")
			if end < 0 {
				continue
			}
			p := resolve(splitKey(t[2:end]), arrays)
			kl.set(p, n) // the array as a whole: its first element
			arrays[p]++
			table = p + "[" + strconv.Itoa(arrays[p]-1) + "]"
			kl.set(table, n)
		case strings.HasPrefix(t, "["):
			end := strings.Index(t, "]")
			if end < 0 {
				continue
			}
			table = resolve(splitKey(t[1:end]), arrays)
			kl.set(table, n)
		default:
			eq := keyEnd(t)
			if eq < 0 {
				continue
			}
			parts := splitKey(t[:eq])
			if len(parts) == 0 {
				continue
			}
			p := strings.Join(parts, ".")
			if table != "" {
				p = table + "." + p
			}
			kl.set(p, n)
			rest := t[eq+1:]
			for _, d := range []string{`"""`, `'''`} {
				if strings.Count(rest, d)%2 == 1 {
					inMulti = d
				}
			}
		}
	}
	return kl
}

func (kl keyLines) set(path string, line int) {
	if _, ok := kl[path]; !ok {
		kl[path] = line
	}
}

// line finds the line of a path, or of its nearest listed parent; 0 if none.
func (kl keyLines) line(path string) int {
	for path != "" {
		if n, ok := kl[path]; ok {
			return n
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			return 0
		}
		path = path[:i]
	}
	return 0
}

// resolve turns header segments into a path, adding the current index of
// every array of tables the header goes through.
func resolve(parts []string, arrays map[string]int) string {
	p := ""
	for i, s := range parts {
		if p != "" {
			p += "."
		}
		p += s
		if n, ok := arrays[p]; ok && i < len(parts)-1 {
			p += "[" + strconv.Itoa(n-1) + "]"
		}
	}
	return p
}

// keyEnd is the index of the '=' that ends a key, outside quotes, or -1.
func keyEnd(t string) int {
	var q byte
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case q != 0:
			if c == q {
				q = 0
			}
		case c == '"' || c == '\'':
			q = c
		case c == '=':
			return i
		case c == '{' || c == '[':
			return -1
		}
	}
	return -1
}

// splitKey splits a dotted TOML key, unquoting quoted parts.
func splitKey(k string) []string {
	var parts []string
	var b strings.Builder
	var q byte
	for i := 0; i < len(k); i++ {
		c := k[i]
		switch {
		case q != 0:
			if c == q {
				q = 0
			} else {
				b.WriteByte(c)
			}
		case c == '"' || c == '\'':
			q = c
		case c == '.':
			parts = append(parts, strings.TrimSpace(b.String()))
			b.Reset()
		case c == ' ' || c == '\t':
		default:
			b.WriteByte(c)
		}
	}
	parts = append(parts, strings.TrimSpace(b.String()))
	for _, p := range parts {
		if p == "" {
			return nil
		}
	}
	return parts
}
