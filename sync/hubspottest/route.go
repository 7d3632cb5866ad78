package hubspottest

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// handle applies the rate limits and serves a request, all under the lock,
// so each request is one atomic change of the portal.
func (s *Server) handle(r *http.Request, body []byte) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	search := r.Method == http.MethodPost && len(parts) == 5 && parts[2] == "objects" && parts[4] == "search"
	// HubSpot's specs exempt search and the v4 association batch calls from
	// the ten-second limit.
	exempt := search || (len(parts) > 5 && parts[1] == "v4" && parts[2] == "associations" && parts[5] == "batch")
	if scope := requiredScope(r.Method, parts); scope != "" && contains(s.opts.DeniedScopes, scope) {
		return missingScope(scope)
	}
	hdr, limited := s.limitLocked(search, exempt)
	if limited != nil {
		limited.header = hdr
		return *limited
	}
	rep := s.route(r, parts, body)
	rep.header = hdr
	return rep
}

// limitLocked counts a request against the daily and per-window limits
// and returns the rate-limit headers to send, or a 429 when a limit is
// reached (a refused request is not counted). Search replies carry no
// rate-limit headers, as HubSpot's do not.
func (s *Server) limitLocked(search, exempt bool) (http.Header, *reply) {
	now := s.now()
	h := http.Header{}
	day := now.UTC().Format("2006-01-02")
	if s.day != day {
		s.day, s.dayCount = day, 0
	}
	tenCount := -1 // requests in the window when this one counts against it
	if s.opts.RateLimit > 0 {
		s.tenSec = prune(s.tenSec, now.Add(-10*time.Second))
		if !exempt {
			tenCount = len(s.tenSec)
		}
	}
	setHeaders := func() {
		if search {
			return
		}
		if s.opts.RateLimit > 0 {
			h.Set("X-HubSpot-RateLimit-Max", strconv.Itoa(s.opts.RateLimit))
			h.Set("X-HubSpot-RateLimit-Interval-Milliseconds", "10000")
			h.Set("X-HubSpot-RateLimit-Remaining", strconv.Itoa(max(0, s.opts.RateLimit-len(s.tenSec))))
		}
		if s.opts.DailyLimit > 0 {
			h.Set("X-HubSpot-RateLimit-Daily", strconv.Itoa(s.opts.DailyLimit))
			h.Set("X-HubSpot-RateLimit-Daily-Remaining", strconv.Itoa(max(0, s.opts.DailyLimit-s.dayCount)))
		}
	}
	if s.opts.DailyLimit > 0 && s.dayCount >= s.opts.DailyLimit {
		setHeaders()
		r := rateLimited("DAILY")
		return h, &r
	}
	if search && s.opts.SearchPerSecond > 0 {
		s.perSec = prune(s.perSec, now.Add(-time.Second))
		if len(s.perSec) >= s.opts.SearchPerSecond {
			r := rateLimited("SECONDLY")
			return h, &r
		}
		s.perSec = append(s.perSec, now)
	}
	if tenCount >= 0 && tenCount >= s.opts.RateLimit {
		setHeaders()
		r := rateLimited("TEN_SECONDLY_ROLLING")
		return h, &r
	}
	if tenCount >= 0 {
		s.tenSec = append(s.tenSec, now)
		tenCount++
	}
	s.dayCount++
	setHeaders()
	return h, nil
}

// prune drops the times at or before cutoff from a sorted window.
func prune(ts []time.Time, cutoff time.Time) []time.Time {
	i := 0
	for i < len(ts) && !ts[i].After(cutoff) {
		i++
	}
	if i == 0 {
		return ts
	}
	return append(ts[:0], ts[i:]...)
}

// route dispatches a request by path and method.
func (s *Server) route(r *http.Request, p []string, body []byte) reply {
	m := r.Method
	q := r.URL.Query()
	n := len(p)
	switch {
	case n >= 3 && p[0] == "crm" && p[1] == "v3" && p[2] == "owners":
		if m != http.MethodGet {
			break
		}
		switch n {
		case 3:
			return s.listOwnersLocked(q)
		case 4:
			return s.getOwnerLocked(p[3])
		}
	case n >= 4 && p[0] == "crm" && p[1] == "v3" && p[2] == "objects":
		t, ok := lookupType(p[3])
		if !ok {
			return badRequest("Unable to infer object type from: %s", p[3])
		}
		switch {
		case n == 4 && m == http.MethodGet:
			return s.listObjectsLocked(t, q)
		case n == 4 && m == http.MethodPost:
			return s.createOneLocked(t, body)
		case n == 5 && p[4] == "search" && m == http.MethodPost:
			return s.searchLocked(t, body)
		case n == 6 && p[4] == "batch" && m == http.MethodPost:
			return s.batchLocked(t, p[5], q, body)
		case n == 5 && m == http.MethodGet:
			return s.getOneLocked(t, p[4], q)
		case n == 5 && m == http.MethodPatch:
			return s.patchOneLocked(t, p[4], q, body)
		case n == 5 && m == http.MethodDelete:
			return s.deleteOneLocked(t, p[4])
		}
	case n >= 4 && p[0] == "crm" && p[1] == "v3" && p[2] == "properties":
		t, ok := lookupType(p[3])
		if !ok {
			return badRequest("Unable to infer object type from: %s", p[3])
		}
		switch {
		case n == 4 && m == http.MethodGet:
			return s.listPropsLocked(t)
		case n == 4 && m == http.MethodPost:
			return s.createPropLocked(t, body)
		case n == 5 && p[4] == "groups" && m == http.MethodGet:
			return s.listGroupsLocked(t)
		case n == 5 && m == http.MethodGet:
			return s.getPropLocked(t, p[4])
		}
	case n >= 7 && p[0] == "crm" && p[1] == "v4" && p[2] == "objects" && p[5] == "associations":
		from, ok1 := lookupType(p[3])
		to, ok2 := lookupType(p[len(p)-2])
		if n == 7 {
			to, ok2 = lookupType(p[6])
		}
		if !ok1 || !ok2 {
			return badRequest("unknown object type in %s", r.URL.Path)
		}
		switch {
		case n == 9 && p[6] == "default" && m == http.MethodPut:
			return s.putDefaultAssocLocked(from, p[4], to, p[8])
		case n == 7 && m == http.MethodGet:
			return s.listAssocLocked(from, p[4], to, q)
		}
	case n >= 6 && p[0] == "crm" && p[1] == "v4" && p[2] == "associations":
		from, ok1 := lookupType(p[3])
		to, ok2 := lookupType(p[4])
		if !ok1 || !ok2 {
			return badRequest("unknown object type in %s", r.URL.Path)
		}
		op := strings.Join(p[5:], "/")
		switch {
		case op == "labels" && m == http.MethodGet:
			return s.assocLabelsLocked(from, to)
		case op == "batch/read" && m == http.MethodPost:
			return s.batchReadAssocLocked(from, to, body)
		case (op == "batch/associate/default" || op == "batch/create") && m == http.MethodPost:
			return s.batchAssociateLocked(from, to, op == "batch/create", body)
		case op == "batch/archive" && m == http.MethodPost:
			return s.batchArchiveAssocLocked(from, to, body)
		}
	case n == 3 && p[0] == "account-info" && p[1] == "v3" && p[2] == "details":
		if m == http.MethodGet {
			return s.accountInfoLocked()
		}
	case n == 3 && p[0] == "calling" && p[1] == "v1" && p[2] == "dispositions":
		if m == http.MethodGet {
			return s.dispositionsLocked()
		}
	case n == 3 && p[0] == "communication-preferences" && p[1] == "v3" && p[2] == "unsubscribe":
		if m == http.MethodPost {
			return s.unsubscribeLocked(body)
		}
	case n == 5 && p[0] == "communication-preferences" && p[1] == "v4" && p[2] == "statuses" && p[3] == "batch" && p[4] == "unsubscribe-all":
		if m == http.MethodPost {
			return s.batchUnsubscribeAllLocked(q, body)
		}
	case n == 5 && p[0] == "communication-preferences" && p[1] == "v4" && p[2] == "statuses" && p[4] == "unsubscribe-all":
		if m == http.MethodPost || m == http.MethodGet {
			return s.unsubscribeAllOneLocked(m, p[3], q) // the path is already unescaped
		}
	default:
		return notFound("no such endpoint: %s %s", m, r.URL.Path)
	}
	return errReply(http.StatusMethodNotAllowed, "VALIDATION_ERROR", "method "+m+" is not allowed on "+r.URL.Path)
}

// requiredScope is the private-app scope a call needs, "" when none is
// modelled. Engagements go by the contacts scopes, as HubSpot's legacy
// scopes do.
func requiredScope(method string, p []string) string {
	objects := func(typ string, write bool) string {
		t, ok := lookupType(typ)
		if !ok {
			return ""
		}
		name := "contacts"
		if t.Name == "companies" {
			name = "companies"
		}
		if write {
			return "crm.objects." + name + ".write"
		}
		return "crm.objects." + name + ".read"
	}
	n := len(p)
	switch {
	case n >= 3 && p[0] == "crm" && p[2] == "owners":
		return "crm.objects.owners.read"
	case n >= 4 && p[0] == "crm" && p[1] == "v3" && p[2] == "objects":
		read := method == http.MethodGet || (n == 5 && p[4] == "search") || (n == 6 && p[5] == "read")
		return objects(p[3], !read)
	case n >= 4 && p[0] == "crm" && p[1] == "v3" && p[2] == "properties":
		if t, ok := lookupType(p[3]); ok {
			if method == http.MethodGet {
				return "crm.schemas." + t.Name + ".read"
			}
			return "crm.schemas." + t.Name + ".write"
		}
	case n >= 4 && p[0] == "crm" && p[1] == "v4":
		read := method == http.MethodGet || p[n-1] == "read"
		return objects(p[3], !read)
	case n >= 1 && p[0] == "calling":
		return "crm.objects.contacts.read"
	case n == 5 && p[0] == "communication-preferences" && p[1] == "v4" && p[3] == "batch":
		return "communication_preferences.statuses.batch.write"
	case n >= 2 && p[0] == "communication-preferences" && p[1] == "v4" && method == http.MethodGet:
		return "communication_preferences.read"
	case n >= 2 && p[0] == "communication-preferences" && p[1] == "v4":
		return "communication_preferences.read_write"
	case n >= 1 && p[0] == "communication-preferences":
		return "communication_preferences.write"
	}
	return ""
}

// missingScope is HubSpot's 403 for a token without a scope.
func missingScope(scope string) reply {
	return jsonReply(http.StatusForbidden, apiError{
		Status:        "error",
		Message:       "This app hasn't been granted all required scopes to make this call.",
		CorrelationID: correlationID(),
		Category:      "MISSING_SCOPES",
		Errors: []errDetail{{Message: "One or more of the following scopes are required.",
			Context: map[string][]string{"requiredGranularScopes": {scope}}}},
	})
}
