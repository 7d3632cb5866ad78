package hubspottest

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// reply is a response before it is written.
type reply struct {
	status int
	header http.Header
	raw    []byte
}

// jsonReply encodes v as a reply.
func jsonReply(status int, v any) reply {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only the server's own types are encoded here: a failure is a bug.
		panic(fmt.Sprintf("hubspottest: encode reply: %v", err))
	}
	return reply{status: status, raw: bytes.TrimRight(b.Bytes(), "\n")}
}

// apiError is HubSpot's error body.
type apiError struct {
	Status        string              `json:"status"`
	Message       string              `json:"message"`
	CorrelationID string              `json:"correlationId"`
	Category      string              `json:"category"`
	SubCategory   string              `json:"subCategory,omitempty"`
	Errors        []errDetail         `json:"errors,omitempty"`
	Context       map[string][]string `json:"context,omitempty"`
}

// errDetail is one entry of an error body's errors[].
type errDetail struct {
	Message     string              `json:"message"`
	In          string              `json:"in,omitempty"`
	Code        string              `json:"code,omitempty"`
	SubCategory string              `json:"subCategory,omitempty"`
	Context     map[string][]string `json:"context,omitempty"`
}

// errReply is an error reply with HubSpot's body.
func errReply(status int, category, message string, details ...errDetail) reply {
	return jsonReply(status, apiError{Status: "error", Message: message, CorrelationID: correlationID(), Category: category, Errors: details})
}

// errCtx is an error reply whose body carries a context.
func errCtx(status int, category, message string, ctx map[string][]string) reply {
	return jsonReply(status, apiError{Status: "error", Message: message, CorrelationID: correlationID(), Category: category, Context: ctx})
}

// badRequest is a 400 VALIDATION_ERROR.
func badRequest(format string, args ...any) reply {
	return errReply(http.StatusBadRequest, "VALIDATION_ERROR", fmt.Sprintf(format, args...))
}

// notFound is a 404 OBJECT_NOT_FOUND.
func notFound(format string, args ...any) reply {
	return errReply(http.StatusNotFound, "OBJECT_NOT_FOUND", fmt.Sprintf(format, args...))
}

// rateLimited is HubSpot's 429 for a policy (TEN_SECONDLY_ROLLING,
// SECONDLY or DAILY).
func rateLimited(policy string) reply {
	if policy == "" {
		policy = "TEN_SECONDLY_ROLLING"
	}
	return jsonReply(http.StatusTooManyRequests, map[string]string{
		"status":        "error",
		"message":       "You have reached your " + strings.ToLower(policy) + " limit.",
		"errorType":     "RATE_LIMIT",
		"correlationId": correlationID(),
		"policyName":    policy,
	})
}

// correlationID is a random UUID, as HubSpot puts in every error body.
func correlationID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// decode reads a JSON request body strictly enough to catch a client bug
// (wrong types), as HubSpot does.
func decode(body []byte, v any) *reply {
	if len(bytes.TrimSpace(body)) == 0 {
		r := badRequest("the request body is empty; a JSON object is expected")
		return &r
	}
	if err := json.Unmarshal(body, v); err != nil {
		r := badRequest("Invalid input JSON: %v", err)
		return &r
	}
	return nil
}

// flexString is a JSON value HubSpot accepts as a string, number or bool.
type flexString string

// UnmarshalJSON accepts a string, number, bool or null.
func (f *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
	case string(b) == "null":
		*f = ""
	case string(b) == "true" || string(b) == "false":
		*f = flexString(b)
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("expected a string, number or bool, got %s", b)
		}
		*f = flexString(n.String())
	}
	return nil
}

// flexProps is a properties object whose values may be strings, numbers,
// bools or null (null and "" clear a property).
type flexProps map[string]flexString

// plain converts the properties to strings.
func (p flexProps) plain() map[string]string {
	m := make(map[string]string, len(p))
	for k, v := range p {
		m[k] = string(v)
	}
	return m
}

// objJSON is a CRM object as HubSpot returns it.
type objJSON struct {
	ID           string                  `json:"id"`
	Properties   map[string]*string      `json:"properties"`
	CreatedAt    string                  `json:"createdAt"`
	UpdatedAt    string                  `json:"updatedAt"`
	Archived     bool                    `json:"archived"`
	ArchivedAt   string                  `json:"archivedAt,omitempty"`
	Associations map[string]assocListing `json:"associations,omitempty"`
	New          *bool                   `json:"new,omitempty"`
}

// assocListing is the v3 associations block of an object.
type assocListing struct {
	Results []assocRef `json:"results"`
}

// assocRef is one v3 association: the other record and the link's type.
type assocRef struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

// objectJSONLocked renders a record (or a search view of it) with the
// requested properties: those asked for that exist (null when unset), or
// the type's defaults.
func (s *Server) objectJSONLocked(t typeInfo, r *record, props map[string]string, archived bool, want []string) objJSON {
	names := want
	if len(names) == 0 {
		names = append([]string{"createdate", t.Modified, "hs_object_id"}, t.Defaults...)
	}
	out := make(map[string]*string, len(names))
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		if v, ok := props[n]; ok {
			v := v
			out[n] = &v
		} else if s.propDefLocked(t.Name, n) != nil {
			out[n] = nil
		}
	}
	o := objJSON{ID: strconv.FormatInt(r.id, 10), Properties: out, Archived: archived,
		CreatedAt: stamp(props["createdate"], r.created), UpdatedAt: stamp(props[t.Modified], r.updated)}
	if archived {
		o.ArchivedAt = isoMillis(r.archAt)
	}
	return o
}

// stamp is an ISO timestamp from a stored value, else from a time.
func stamp(v string, fallback time.Time) string {
	if tm, ok := parseTime(v); ok {
		return isoMillis(tm)
	}
	return isoMillis(fallback)
}

// splitList reads a comma-separated query parameter (repeatable).
func splitList(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// batchStatus is the envelope of a batch reply.
type batchStatus struct {
	Status      string     `json:"status"`
	Results     any        `json:"results"`
	NumErrors   int        `json:"numErrors,omitempty"`
	Errors      []batchErr `json:"errors,omitempty"`
	StartedAt   string     `json:"startedAt"`
	CompletedAt string     `json:"completedAt"`
}

// batchErr is one entry of a 207 reply's errors[].
type batchErr struct {
	Status      string              `json:"status"`
	Category    string              `json:"category"`
	SubCategory string              `json:"subCategory,omitempty"`
	Message     string              `json:"message"`
	Context     map[string][]string `json:"context,omitempty"`
}

// batchReply is 200 (or ok) with results, or 207 Multi-Status when some
// inputs failed.
func (s *Server) batchReply(ok int, started time.Time, results any, errs []batchErr) reply {
	b := batchStatus{Status: "COMPLETE", Results: results, StartedAt: isoMillis(started), CompletedAt: isoMillis(s.now())}
	if len(errs) > 0 {
		b.Errors, b.NumErrors = errs, len(errs)
		return jsonReply(http.StatusMultiStatus, b)
	}
	return jsonReply(ok, b)
}

// jsonRaw is a JSON value decoded later.
type jsonRaw = json.RawMessage

// sortStrings sorts names in place.
func sortStrings(names []string) { sort.Strings(names) }

// withTrace adds the failing input's objectWriteTraceId to an error
// body's context, as HubSpot names the input a batch was refused for.
func withTrace(r *reply, trace string) *reply {
	if trace == "" {
		return r
	}
	var e apiError
	if err := json.Unmarshal(r.raw, &e); err != nil {
		panic(fmt.Sprintf("hubspottest: re-read own error body: %v", err))
	}
	if e.Context == nil {
		e.Context = map[string][]string{}
	}
	e.Context["objectWriteTraceId"] = []string{trace}
	out := jsonReply(r.status, e)
	return &out
}

// field is a member a request body must have, with its JSON kind:
// 'a' array, 'o' object, 's' string, 'n' number, 'b' boolean.
type field struct {
	name string
	kind byte
}

// requireFields refuses a body (or batch input) that lacks a member
// HubSpot's published OpenAPI spec marks required for the route, or gives
// it another kind of value, as HubSpot's validation does: null is not an
// empty list. what names the body in the message ("inputs[3]").
func requireFields(raw []byte, what string, fields ...field) *reply {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		r := badRequest("Invalid input JSON: %s must be an object", what)
		return &r
	}
	for _, f := range fields {
		v := bytes.TrimSpace(m[f.name])
		kind := byte(0)
		if len(v) > 0 {
			switch v[0] {
			case '[':
				kind = 'a'
			case '{':
				kind = 'o'
			case '"':
				kind = 's'
			case 't', 'f':
				kind = 'b'
			case 'n':
			default:
				kind = 'n'
			}
		}
		if kind == f.kind || (f.kind == 's' && kind == 'n') {
			continue
		}
		words := map[byte]string{'a': "an array", 'o': "an object", 's': "a string", 'n': "a number", 'b': "true or false"}
		r := errReply(http.StatusBadRequest, "VALIDATION_ERROR",
			fmt.Sprintf("Invalid input JSON: %s.%s is required and must be %s", what, f.name, words[f.kind]),
			errDetail{Message: f.name + " is required", Code: "REQUIRED_FIELD", Context: map[string][]string{"field": {f.name}}})
		return &r
	}
	return nil
}

// requireEach applies requireFields to every batch input.
func requireEach(raw []jsonRaw, fields ...field) *reply {
	for i, in := range raw {
		if r := requireFields(in, fmt.Sprintf("inputs[%d]", i), fields...); r != nil {
			return r
		}
	}
	return nil
}
