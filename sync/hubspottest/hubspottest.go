// Package hubspottest is an in-memory server that speaks the subset of
// HubSpot's CRM API Shortlist uses, in the spirit of net/http/httptest: the
// HubSpot adapter and the sync engine are tested against it, and
// `shortlist --demo` syncs with an in-process instance.
//
// It keeps HubSpot's JSON shapes (results, paging.next.after, total,
// createdAt/updatedAt/archived, properties as strings), its limits (batch
// size, search filters, the search result cap, the rate limits with their
// 429 body and headers) and lets a test inject faults: error statuses,
// connection resets (also after a write was applied), slow, malformed and
// truncated replies.
package hubspottest

import (
	"net/http"
	"net/http/httptest"
	"time"
)

// Options configures a Server. The zero value is a HubSpot Free/Starter
// portal with the token "test-token".
type Options struct {
	Token               string           // the Bearer token it accepts; "" → "test-token"
	RateLimit           int              // requests per 10 s rolling window (non-search); 0 → 100; <0 → none
	SearchPerSecond     int              // search requests per second; 0 → 5; <0 → none
	DailyLimit          int              // requests per day; 0 → no cap
	UniqueOnEngagements bool             // calls/notes/meetings/tasks accept hasUniqueValue properties (companies/contacts always do)
	SearchLag           time.Duration    // a created/updated record becomes visible to search after this
	SearchCap           int              // results a search may page through; 0 → 10000
	Now                 func() time.Time // nil → time.Now
}

// Server is an in-memory HubSpot portal. All its methods are safe for
// concurrent use.
type Server struct {
	opts Options
	ts   *httptest.Server
}

// NewServer starts a Server listening on loopback. Close it when done.
func NewServer(o Options) *Server {
	s := NewUnstartedHandler(o)
	s.ts = httptest.NewServer(s.Handler())
	return s
}

// NewUnstartedHandler returns a Server that does not listen: serve
// s.Handler() in process (the demo does so through an http.Client whose
// transport calls the handler).
func NewUnstartedHandler(o Options) *Server {
	if o.Token == "" {
		o.Token = "test-token"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Server{opts: o}
}

// URL is the base URL to give the HubSpot adapter ("" when not listening).
func (s *Server) URL() string {
	if s.ts == nil {
		return ""
	}
	return s.ts.URL
}

// Token is the Bearer token the server accepts.
func (s *Server) Token() string { return s.opts.Token }

// Handler serves the API.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "not implemented yet", http.StatusNotImplemented)
	})
}

// Close stops the listener, if any, and blocks until its requests are done.
func (s *Server) Close() {
	if s.ts != nil {
		s.ts.Close()
	}
}

// Object is a stored CRM record as the inspection methods return it: a
// copy, safe to keep.
type Object struct {
	ID         string
	Properties map[string]string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Archived   bool
}

// AddOwner adds a CRM user (a PERSON owner) and returns its owner id.
func (s *Server) AddOwner(email, firstName, lastName string) (id string) { return "" }

// Put creates a record of objectType ("companies", "contacts", "calls",
// "tasks", "notes", "meetings") and returns its id. It sets hs_object_id,
// createdate and the type's modified-date property. A numeric hs_object_id
// in props is kept as the id (seeding with known CRM ids); later ids
// continue above the largest.
func (s *Server) Put(objectType string, props map[string]string) (id string) { return "" }

// PutAt is Put with a given modified (and created) time, for seeding history.
func (s *Server) PutAt(objectType string, props map[string]string, modified time.Time) (id string) {
	return ""
}

// Update sets properties on a record (an empty value clears one) and bumps
// its modified date, as a change in HubSpot's own UI would.
func (s *Server) Update(objectType, id string, props map[string]string) error { return nil }

// Archive archives (deletes) a record, as HubSpot's DELETE does.
func (s *Server) Archive(objectType, id string) error { return nil }

// Associate links two records with the default association, both ways.
func (s *Server) Associate(fromType, fromID, toType, toID string) error { return nil }

// Get returns a copy of a record, archived or not.
func (s *Server) Get(objectType, id string) (Object, bool) { return Object{}, false }

// List returns copies of the records of objectType that are not archived,
// in id order.
func (s *Server) List(objectType string) []Object { return nil }

// AssociatedIDs returns the ids of toType records linked to a record, in
// id order.
func (s *Server) AssociatedIDs(fromType, fromID, toType string) []string { return nil }

// FaultKind says what an injected Fault does to a request.
type FaultKind int

// The fault kinds.
const (
	// FaultStatus replies with Code and HubSpot's error body, doing nothing.
	FaultStatus FaultKind = iota
	// FaultReset closes the connection without a reply, doing nothing.
	FaultReset
	// FaultResetAfterApply does the request, then closes the connection
	// without a reply: the client cannot know the write happened.
	FaultResetAfterApply
	// FaultSlow stalls Delay (or until the client gives up), then serves.
	FaultSlow
	// FaultMalformed replies 200 with a body that is not JSON.
	FaultMalformed
	// FaultTruncated does the request and replies 200 with its JSON cut in half.
	FaultTruncated
	// FaultRateLimit replies 429 with HubSpot's body for Policy.
	FaultRateLimit
)

// Fault is a failure to inject into matching requests.
type Fault struct {
	Method string        // "" any
	Path   string        // prefix of the URL path, "" any
	Kind   FaultKind     // what happens
	Code   int           // FaultStatus: the HTTP status (500, 502, 503…)
	Policy string        // FaultRateLimit: TEN_SECONDLY_ROLLING, SECONDLY or DAILY
	Delay  time.Duration // FaultSlow: stall this long (honouring the request context)
	After  int           // let this many matching requests through first
	Times  int           // how many matching requests it hits; 0 → 1; -1 → every one
}

// Inject adds a fault; faults are tried in the order injected.
func (s *Server) Inject(f Fault) {}

// ClearFaults removes every injected fault.
func (s *Server) ClearFaults() {}

// Request is one request the server received, as logged.
type Request struct {
	Method string
	Path   string
	Query  string
	Status int // the status replied; 0 when the connection was cut
	At     time.Time
	Body   []byte
}

// Requests returns a copy of the request log, oldest first.
func (s *Server) Requests() []Request { return nil }
