package hubspottest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	gosync "sync"
	"testing"
	"time"
)

// clock is a settable time source for Options.Now.
type clock struct {
	mu gosync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// resp is a decoded reply.
type resp struct {
	Status int
	Header http.Header
	Raw    []byte
	JSON   map[string]any
}

// call sends one request with the server's token; body is JSON-encoded
// unless it is a string.
func call(t *testing.T, s *Server, method, path string, body any) resp {
	t.Helper()
	return callWith(t, s, s.Token(), method, path, body)
}

func callWith(t *testing.T, s *Server, token, method, path string, body any) resp {
	t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = specShaped(path, []byte(b))
	default:
		enc, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		raw = specShaped(path, enc)
	}
	return callExact(t, s, token, method, path, raw)
}

// specShaped fills in the members HubSpot's OpenAPI specs require of a
// body that a test left out, as empty lists and objects (associations on a
// create, propertiesWithHistory on a batch read, sorts and filterGroups on
// a search), so tests about something else need not spell them out. A body
// that is not a JSON object is left as it is; TestSpecRequiredMembers sends
// bodies exactly, through callExact.
func specShaped(path string, raw []byte) []byte {
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil || m == nil {
		return raw
	}
	fill := func(m map[string]any, k string, v any) {
		if old, ok := m[k]; !ok || old == nil {
			m[k] = v
		}
	}
	switch {
	case strings.HasPrefix(path, "/crm/v3/objects/") && strings.HasSuffix(path, "/search"):
		fill(m, "filterGroups", []any{})
		fill(m, "sorts", []any{})
		fill(m, "properties", []any{})
		fill(m, "limit", 10)
	case strings.HasPrefix(path, "/crm/v3/objects/") && strings.HasSuffix(path, "/batch/read"):
		fill(m, "properties", []any{})
		fill(m, "propertiesWithHistory", []any{})
	case strings.HasPrefix(path, "/crm/v3/objects/") && strings.HasSuffix(path, "/batch/create"):
		if ins, ok := m["inputs"].([]any); ok {
			for _, in := range ins {
				if o, ok := in.(map[string]any); ok {
					fill(o, "associations", []any{})
				}
			}
		}
	case strings.HasPrefix(path, "/crm/v3/objects/") && strings.Count(path, "/") == 4:
		fill(m, "associations", []any{})
	default:
		return raw
	}
	out, err := json.Marshal(m)
	if err != nil {
		return raw
	}
	return out
}

// callExact sends raw as the body, exactly.
func callExact(t *testing.T, s *Server, token, method, path string, raw []byte) resp {
	t.Helper()
	var rd io.Reader
	if raw != nil {
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, s.URL()+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	got, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	r := resp{Status: res.StatusCode, Header: res.Header, Raw: got}
	if len(got) > 0 && got[0] == '{' {
		if err := json.Unmarshal(got, &r.JSON); err != nil {
			t.Fatalf("%s %s: reply is not JSON: %v: %s", method, path, err, got)
		}
	}
	return r
}

// want fails unless the reply has the status.
func (r resp) want(t *testing.T, status int) resp {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Raw)
	}
	return r
}

// str reads a string at a dotted path ("results.0.id").
func (r resp) str(t *testing.T, path string) string {
	t.Helper()
	v := dig(t, r.JSON, path)
	s, ok := v.(string)
	if !ok {
		t.Fatalf("%s is %T %v, not a string: %s", path, v, v, r.Raw)
	}
	return s
}

// num reads a number at a dotted path.
func (r resp) num(t *testing.T, path string) float64 {
	t.Helper()
	v := dig(t, r.JSON, path)
	f, ok := v.(float64)
	if !ok {
		t.Fatalf("%s is %T %v, not a number: %s", path, v, v, r.Raw)
	}
	return f
}

// list reads an array at a dotted path.
func (r resp) list(t *testing.T, path string) []any {
	t.Helper()
	v := dig(t, r.JSON, path)
	l, ok := v.([]any)
	if !ok {
		t.Fatalf("%s is %T, not an array: %s", path, v, r.Raw)
	}
	return l
}

func dig(t *testing.T, v any, path string) any {
	t.Helper()
	for _, p := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[p]
		case []any:
			i := 0
			for _, c := range p {
				i = i*10 + int(c-'0')
			}
			if i >= len(x) {
				t.Fatalf("%s: index %d out of %d", path, i, len(x))
			}
			v = x[i]
		default:
			t.Fatalf("%s: cannot index %T at %q", path, v, p)
		}
	}
	return v
}

// ids returns the ids of a reply's results, in order.
func (r resp) ids(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, x := range r.list(t, "results") {
		out = append(out, x.(map[string]any)["id"].(string))
	}
	return out
}

// newTest starts a server with no rate limits unless o sets them.
func newTest(t *testing.T, o Options) *Server {
	t.Helper()
	if o.RateLimit == 0 {
		o.RateLimit = -1
	}
	if o.SearchPerSecond == 0 {
		o.SearchPerSecond = -1
	}
	s := NewServer(o)
	t.Cleanup(s.Close)
	return s
}
