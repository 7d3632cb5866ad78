package hubspottest

import (
	"encoding/json"
	"net/http"
	"path"
	"sort"
	"strconv"
	"strings"
)

// Search limits, as HubSpot enforces them.
const (
	maxFilterGroups  = 5
	maxGroupFilters  = 10
	maxFilters       = 25
	maxSearchLimit   = 200
	defaultSearchLim = 10
)

// filter is one search filter.
type filter struct {
	PropertyName string       `json:"propertyName"`
	Operator     string       `json:"operator"`
	Value        flexString   `json:"value"`
	HighValue    flexString   `json:"highValue"`
	Values       []flexString `json:"values"`
}

// sortSpec is one search sort.
type sortSpec struct {
	PropertyName string `json:"propertyName"`
	Direction    string `json:"direction"`
}

// UnmarshalJSON accepts {propertyName, direction} or a bare property name.
func (s *sortSpec) UnmarshalJSON(b []byte) error {
	var name string
	if json.Unmarshal(b, &name) == nil {
		*s = sortSpec{PropertyName: name, Direction: "ASCENDING"}
		return nil
	}
	type plain sortSpec
	return json.Unmarshal(b, (*plain)(s))
}

// searchReq is a search request body.
type searchReq struct {
	FilterGroups []struct {
		Filters []filter `json:"filters"`
	} `json:"filterGroups"`
	Sorts      []sortSpec `json:"sorts"`
	Properties []string   `json:"properties"`
	Limit      *int       `json:"limit"`
	After      flexString `json:"after"`
	Query      string     `json:"query"`
}

// operators are the filter operators served.
var operators = map[string]bool{
	"EQ": true, "NEQ": true, "LT": true, "LTE": true, "GT": true, "GTE": true, "BETWEEN": true,
	"IN": true, "NOT_IN": true, "HAS_PROPERTY": true, "NOT_HAS_PROPERTY": true,
	"CONTAINS_TOKEN": true, "NOT_CONTAINS_TOKEN": true,
}

// searchLocked serves POST /crm/v3/objects/{type}/search.
func (s *Server) searchLocked(t typeInfo, body []byte) reply {
	var req searchReq
	if r := decode(body, &req); r != nil {
		return *r
	}
	// PublicObjectSearchRequest also marks after required, but HubSpot's
	// own examples leave it out of a first page and the API serves them:
	// it is not enforced.
	if r := requireFields(body, "the body", field{"filterGroups", 'a'}, field{"sorts", 'a'}, field{"properties", 'a'}, field{"limit", 'n'}); r != nil {
		return *r
	}
	if len(req.FilterGroups) > maxFilterGroups {
		return badRequest("too many filterGroups: %d given, at most %d are allowed", len(req.FilterGroups), maxFilterGroups)
	}
	total := 0
	for _, g := range req.FilterGroups {
		if len(g.Filters) > maxGroupFilters {
			return badRequest("too many filters in a filterGroup: %d given, at most %d are allowed", len(g.Filters), maxGroupFilters)
		}
		total += len(g.Filters)
		for _, f := range g.Filters {
			if !operators[f.Operator] {
				return badRequest("unknown filter operator %q", f.Operator)
			}
			if f.PropertyName == "" {
				return badRequest("a filter needs a propertyName")
			}
		}
	}
	if total > maxFilters {
		return badRequest("too many filters: %d given, at most %d are allowed across all filterGroups", total, maxFilters)
	}
	limit := defaultSearchLim
	if req.Limit != nil {
		limit = *req.Limit
	}
	if limit < 0 || limit > maxSearchLimit {
		return badRequest("limit must be from 0 to %d, got %d", maxSearchLimit, limit)
	}
	after := 0
	if req.After != "" {
		n, err := strconv.Atoi(string(req.After))
		if err != nil || n < 0 {
			return badRequest("after %q is not a paging cursor this endpoint gave", req.After)
		}
		after = n
	}
	if after >= s.opts.SearchCap {
		return badRequest("paging past %d results is not allowed: narrow the search (e.g. by the last modified date seen) and start again", s.opts.SearchCap)
	}
	for _, so := range req.Sorts {
		if d := strings.ToUpper(so.Direction); d != "" && d != "ASCENDING" && d != "DESCENDING" {
			return badRequest("sort direction must be ASCENDING or DESCENDING, got %q", so.Direction)
		}
	}

	now := s.now()
	type hit struct {
		rec   *record
		props map[string]string
	}
	var hits []hit
	compiledGroups := s.compileLocked(t, req)
	for _, rec := range s.objs[t.Name] {
		props, live := s.searchViewLocked(rec, now)
		if !live {
			continue
		}
		if !s.matchLocked(t, props, req, compiledGroups) {
			continue
		}
		hits = append(hits, hit{rec, props})
	}
	keys := make([][]sortKey, len(hits))
	for i, h := range hits {
		keys[i] = make([]sortKey, len(req.Sorts))
		for j, so := range req.Sorts {
			keys[i][j] = s.keyLocked(t, so.PropertyName, h.props[so.PropertyName])
		}
	}
	idx := make([]int, len(hits))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool {
		ka, kb := keys[idx[a]], keys[idx[b]]
		for j, so := range req.Sorts {
			c := ka[j].cmp(kb[j])
			if strings.EqualFold(so.Direction, "DESCENDING") {
				c = -c
			}
			if c != 0 {
				return c < 0
			}
		}
		return hits[idx[a]].rec.id < hits[idx[b]].rec.id
	})
	end := min(after+limit, len(hits), s.opts.SearchCap)
	results := []objJSON{}
	for i := after; i < end; i++ {
		h := hits[idx[i]]
		results = append(results, s.objectJSONLocked(t, h.rec, h.props, false, req.Properties))
	}
	out := map[string]any{"total": len(hits), "results": results}
	if end < len(hits) && limit > 0 {
		out["paging"] = map[string]any{"next": map[string]string{"after": strconv.Itoa(end)}}
	}
	return jsonReply(http.StatusOK, out)
}

// matchLocked reports whether a record matches a search: its query, and
// any filter group (all of its filters).
func (s *Server) matchLocked(t typeInfo, props map[string]string, req searchReq, groups [][]compiled) bool {
	if q := strings.ToLower(strings.TrimSpace(req.Query)); q != "" {
		found := false
		for _, n := range t.Defaults {
			if strings.Contains(strings.ToLower(props[n]), q) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	if len(req.FilterGroups) == 0 {
		return true
	}
	for _, g := range groups {
		all := true
		for _, f := range g {
			if !s.filterLocked(t, props, f) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

// sortKey is a comparable form of a property value: numeric for numbers
// and dates, case-folded text otherwise; a missing value sorts first.
type sortKey struct {
	missing bool
	numeric bool
	n       float64
	s       string
}

// cmp orders two keys.
func (a sortKey) cmp(b sortKey) int {
	switch {
	case a.missing && b.missing:
		return 0
	case a.missing:
		return -1
	case b.missing:
		return 1
	case a.numeric && b.numeric:
		switch {
		case a.n < b.n:
			return -1
		case a.n > b.n:
			return 1
		}
		return 0
	}
	return strings.Compare(a.s, b.s)
}

// keyLocked reads a value the way the property's type compares.
func (s *Server) keyLocked(t typeInfo, prop, v string) sortKey {
	if v == "" {
		return sortKey{missing: true}
	}
	typ := "string"
	if d := s.propDefLocked(t.Name, prop); d != nil {
		typ = d.Type
	}
	switch typ {
	case "number":
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			return sortKey{numeric: true, n: f}
		}
	case "date", "datetime":
		if tm, ok := parseTime(v); ok {
			return sortKey{numeric: true, n: float64(tm.UnixMilli())}
		}
	}
	return sortKey{s: strings.ToLower(v)}
}

// compiled is a filter with its values read once per search.
type compiled struct {
	filter
	v, hv sortKey
	vs    []sortKey
}

// compileLocked reads a search's filter values the way their properties
// compare.
func (s *Server) compileLocked(t typeInfo, req searchReq) [][]compiled {
	out := make([][]compiled, len(req.FilterGroups))
	for i, g := range req.FilterGroups {
		for _, f := range g.Filters {
			c := compiled{filter: f, v: s.keyLocked(t, f.PropertyName, string(f.Value)), hv: s.keyLocked(t, f.PropertyName, string(f.HighValue))}
			for _, x := range f.Values {
				c.vs = append(c.vs, s.keyLocked(t, f.PropertyName, string(x)))
			}
			out[i] = append(out[i], c)
		}
	}
	return out
}

// filterLocked applies one filter to a record's properties.
func (s *Server) filterLocked(t typeInfo, props map[string]string, f compiled) bool {
	v, has := props[f.PropertyName]
	has = has && v != ""
	switch f.Operator {
	case "HAS_PROPERTY":
		return has
	case "NOT_HAS_PROPERTY":
		return !has
	case "NEQ":
		return !has || s.keyLocked(t, f.PropertyName, v).cmp(f.v) != 0
	case "NOT_IN":
		return !has || !in(s.keyLocked(t, f.PropertyName, v), f.vs)
	case "NOT_CONTAINS_TOKEN":
		return !has || !containsToken(v, string(f.Value))
	}
	if !has {
		return false
	}
	k := s.keyLocked(t, f.PropertyName, v)
	switch f.Operator {
	case "EQ":
		return k.cmp(f.v) == 0
	case "LT":
		return k.cmp(f.v) < 0
	case "LTE":
		return k.cmp(f.v) <= 0
	case "GT":
		return k.cmp(f.v) > 0
	case "GTE":
		return k.cmp(f.v) >= 0
	case "BETWEEN":
		return k.cmp(f.v) >= 0 && k.cmp(f.hv) <= 0
	case "IN":
		return in(k, f.vs)
	case "CONTAINS_TOKEN":
		return containsToken(v, string(f.Value))
	}
	return false
}

// in reports whether k equals one of keys.
func in(k sortKey, keys []sortKey) bool {
	for _, x := range keys {
		if k.cmp(x) == 0 {
			return true
		}
	}
	return false
}

// containsToken reports whether a value has a word matching token, which
// may use * as a wildcard; case is ignored.
func containsToken(v, token string) bool {
	token = strings.ToLower(strings.TrimSpace(token))
	if token == "" {
		return false
	}
	if strings.ContainsAny(token, " ") { // a phrase: match it as a whole
		return strings.Contains(strings.ToLower(v), strings.Trim(token, "*"))
	}
	words := strings.FieldsFunc(strings.ToLower(v), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127 || r == '@' || r == '.' || r == '_' || r == '-')
	})
	for _, w := range words {
		if ok, err := path.Match(token, w); err == nil && ok {
			return true
		}
		// An email or domain also matches by its parts.
		for _, part := range strings.FieldsFunc(w, func(r rune) bool { return r == '@' || r == '.' || r == '_' || r == '-' }) {
			if ok, err := path.Match(token, part); err == nil && ok {
				return true
			}
		}
	}
	return false
}
