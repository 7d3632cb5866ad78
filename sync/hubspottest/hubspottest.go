// Package hubspottest is an in-memory server that speaks the subset of
// HubSpot's CRM API Shortlist uses, in the spirit of net/http/httptest: the
// HubSpot adapter and the sync engine are tested against it, and
// `shortlist --demo` syncs with an in-process instance (NewUnstartedHandler
// and Transport).
//
// Endpoints: owners (GET /crm/v3/owners, ?email=, paging); objects of the
// types companies, contacts, calls, tasks, notes, meetings, emails and
// communications (list, get, create, patch, delete, batch
// read/create/update/upsert/archive, search); properties (get, list,
// create, groups); v4 associations (PUT default, list,
// batch read/create/associate/default/archive, labels); call dispositions;
// the communication-preferences v3 unsubscribe (which needs a
// subscriptionId) and v4 unsubscribe-all (batch, one, read back).
//
// What it models, as HubSpot does:
//   - shapes: results, paging.next.after, total, createdAt/updatedAt/archived,
//     properties as strings (requested ones without a value as null),
//     datetimes as ISO with milliseconds (epoch ms accepted on write),
//     v4 toObjectId as a JSON number, HubSpot's error body with category
//     and correlationId;
//   - request bodies carry what HubSpot's published OpenAPI specs require
//     (a create's associations, a batch read's properties and
//     propertiesWithHistory, a search's filterGroups, sorts, properties and
//     limit, every property option's hidden), else a 400 naming it;
//   - writes are validated: unknown properties, read-only ones
//     (hs_email_optout, the modified dates, what HubSpot's tracking, forms
//     and scheduling pages set: a contact's last reply, click, open, visit
//     and conversion, a meeting's source), wrong types, enumeration
//     options (hs_email_direction, hs_communication_channel_type,
//     hs_meeting_outcome, hs_task_status…), values over 65,536 characters,
//     a missing hs_timestamp on engagements and a communication's missing
//     channel or logged-from, and a property group the type lacks are a
//     400; a batch
//     create or upsert is all or nothing, a batch update or read answers
//     207 for missing ids;
//   - unique properties (contacts' email, custom hasUniqueValue ones):
//     409 CONFLICT on a taken value, upsert by idProperty; engagements
//     refuse hasUniqueValue unless Options.UniqueOnEngagements;
//   - a contact's first company is its primary one (type 1 "Primary",
//     associatedcompanyid);
//   - search: filter groups and their limits, the operators, numeric
//     comparison of numbers and dates, one cap on paging (a 400 past it),
//     Options.SearchLag before a write becomes searchable;
//   - limits: the ten-second window (search and v4 association batches
//     exempt), searches per second and the daily cap, each with HubSpot's
//     429 body; rate-limit headers on every reply but search's;
//   - faults (Inject) and missing scopes (Options.DeniedScopes).
//
// Seeding (Put, PutAt, Update, Archive, Associate, AddOwner) is not
// validated, as an import is not. Nothing here ever writes the token.
package hubspottest

import (
	"crypto/subtle"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	gosync "sync"
	"syscall"
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
	// DeniedScopes are scopes the token lacks (e.g. "crm.schemas.calls.write"):
	// a call needing one gets HubSpot's 403 MISSING_SCOPES naming it.
	DeniedScopes []string
	// PropertyGroups are the property groups of an object type (plural
	// name), as GET /crm/v3/properties/{type}/groups lists them; a property
	// created in another group is a 400. A type not named has one group,
	// "<singular>information" (contactinformation, callinformation…).
	PropertyGroups map[string][]string
}

// Server is an in-memory HubSpot portal. All its methods are safe for
// concurrent use.
type Server struct {
	opts Options
	ts   *httptest.Server

	mu        gosync.Mutex
	nextID    int64
	nextOwner int64
	objs      map[string]map[int64]*record           // type → id → record
	order     map[string][]int64                     // type → ids, ascending
	props     map[string]map[string]*propDef         // type → name → definition
	uniq      map[string]map[string]map[string]int64 // type → unique property → value → id
	assoc     map[assocKey]map[int64]bool
	primary   map[int64]int64 // contact id → primary company id
	owners    []owner
	faults    []*faultState
	log       []Request
	tenSec    []time.Time // accepted non-search requests in the last 10 s
	perSec    []time.Time // accepted search requests in the last second
	day       string      // the UTC day dayCount counts
	dayCount  int
	optedOut  map[string]time.Time // address (lower case) → when it was unsubscribed from all email (v4)
}

// NewServer starts a Server listening on loopback. Close it when done.
func NewServer(o Options) *Server {
	s := NewUnstartedHandler(o)
	s.ts = httptest.NewServer(s.Handler())
	return s
}

// NewUnstartedHandler returns a Server that does not listen: serve
// s.Handler() in process, e.g. through an http.Client whose Transport is
// s.Transport() (the demo does so). Its URL is then http://127.0.0.1,
// which only that transport reaches.
func NewUnstartedHandler(o Options) *Server {
	if o.Token == "" {
		o.Token = "test-token"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.RateLimit == 0 {
		o.RateLimit = 100
	}
	if o.SearchPerSecond == 0 {
		o.SearchPerSecond = 5
	}
	if o.SearchCap <= 0 {
		o.SearchCap = 10000
	}
	s := &Server{
		opts:    o,
		nextID:  1000,
		objs:    map[string]map[int64]*record{},
		order:   map[string][]int64{},
		props:   map[string]map[string]*propDef{},
		uniq:    map[string]map[string]map[string]int64{},
		assoc:   map[assocKey]map[int64]bool{},
		primary: map[int64]int64{},
		// Owner ids look like HubSpot's and never equal a record id.
		nextOwner: 80000000,
	}
	for _, t := range types {
		s.objs[t.Name] = map[int64]*record{}
		s.props[t.Name] = builtinProps(t)
		s.uniq[t.Name] = map[string]map[string]int64{}
	}
	return s
}

// now is the server's clock.
func (s *Server) now() time.Time { return s.opts.Now() }

// URL is the base URL to give the HubSpot adapter.
func (s *Server) URL() string {
	if s.ts == nil {
		return "http://127.0.0.1"
	}
	return s.ts.URL
}

// Token is the Bearer token the server accepts.
func (s *Server) Token() string { return s.opts.Token }

// Handler serves the API.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

// Close stops the listener, if any, and blocks until its requests are done.
func (s *Server) Close() {
	if s.ts != nil {
		s.ts.Close()
	}
}

// Transport returns a RoundTripper that serves requests in process through
// Handler, without a socket. A fault that cuts the connection surfaces as a
// connection-reset error, as it would over TCP.
func (s *Server) Transport() http.RoundTripper { return inProcess{s} }

// inProcess is the RoundTripper Transport returns.
type inProcess struct{ s *Server }

// RoundTrip serves one request with the server's handler.
func (t inProcess) RoundTrip(req *http.Request) (resp *http.Response, err error) {
	if req.Body != nil {
		defer req.Body.Close()
	}
	rec := httptest.NewRecorder()
	defer func() {
		if v := recover(); v != nil {
			if v != http.ErrAbortHandler {
				panic(v)
			}
			resp, err = nil, &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
		}
	}()
	r := req.Clone(req.Context())
	if r.Body == nil {
		r.Body = http.NoBody
	}
	r.RequestURI = req.URL.RequestURI()
	t.s.serveHTTP(rec, r)
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	return rec.Result(), nil
}

// Inject adds a fault. A request meets the faults in the order injected;
// the first that matches and fires decides, and later faults do not count it.
func (s *Server) Inject(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	left := f.Times
	if left == 0 {
		left = 1
	}
	s.faults = append(s.faults, &faultState{f: f, left: left, rng: rand.New(rand.NewPCG(f.Seed, f.Seed^0x9e3779b97f4a7c15))})
}

// ClearFaults removes every injected fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// faultState is an injected fault and how far it has got.
type faultState struct {
	f    Fault
	seen int // matching requests that reached it
	left int // hits left; <0: unlimited
	rng  *rand.Rand
}

// takeFault returns the fault a request meets, if any, counting it.
func (s *Server) takeFault(method, path string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, fs := range s.faults {
		if fs.left == 0 {
			continue
		}
		if fs.f.Method != "" && !strings.EqualFold(fs.f.Method, method) {
			continue
		}
		if !strings.HasPrefix(path, fs.f.Path) {
			continue
		}
		fs.seen++
		if fs.seen <= fs.f.After {
			continue
		}
		if fs.f.Chance > 0 && fs.rng.Float64() >= fs.f.Chance {
			continue
		}
		if fs.left > 0 {
			fs.left--
		}
		return fs.f, true
	}
	return Fault{}, false
}

// Request is one request the server received, as logged.
type Request struct {
	Method string
	Path   string
	Query  string
	Status int // the status replied; 0 when the connection was cut or the client gave up
	At     time.Time
	Body   []byte
	// Header is the request's headers without Authorization (the token is
	// never kept); Authorized says whether it carried the right token.
	Header     http.Header
	Authorized bool
	Faulted    bool // an injected fault hit it
}

// Requests returns a copy of the request log, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.log...)
}

// serveHTTP is the request pipeline: log, authenticate, meet faults,
// apply rate limits, route, reply.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	body, readErr := io.ReadAll(http.MaxBytesReader(w, r.Body, 32<<20))
	h := r.Header.Clone()
	h.Del("Authorization")
	authorized := subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte("Bearer "+s.opts.Token)) == 1
	s.mu.Lock()
	idx := len(s.log)
	s.log = append(s.log, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, At: s.now(), Body: body, Header: h, Authorized: authorized})
	s.mu.Unlock()
	status := 0
	defer func() {
		s.mu.Lock()
		s.log[idx].Status = status
		s.mu.Unlock()
	}()
	switch {
	case readErr != nil:
		status = s.write(w, errReply(http.StatusBadRequest, "VALIDATION_ERROR", "the request body could not be read"))
		return
	case !authorized:
		status = s.write(w, errReply(http.StatusUnauthorized, "INVALID_AUTHENTICATION",
			"Authentication credentials not found or not valid: send a private app token as Authorization: Bearer <token>"))
		return
	}
	f, faulted := s.takeFault(r.Method, r.URL.Path)
	if faulted {
		s.mu.Lock()
		s.log[idx].Faulted = true
		s.mu.Unlock()
		switch f.Kind {
		case FaultStatus:
			code := f.Code
			if code == 0 {
				code = http.StatusInternalServerError
			}
			status = s.write(w, errReply(code, "INTERNAL_ERROR", "injected failure: "+http.StatusText(code)))
			return
		case FaultReset:
			cut(w)
			return
		case FaultRateLimit:
			status = s.write(w, rateLimited(f.Policy))
			return
		case FaultMalformed:
			w.Header().Set("Content-Type", "application/json;charset=utf-8")
			w.WriteHeader(http.StatusOK)
			io.WriteString(w, "<html><body><h1>502 Bad Gateway</h1> upstream sent garbage</body></html>")
			status = http.StatusOK
			return
		case FaultSlow:
			timer := time.NewTimer(f.Delay)
			select {
			case <-timer.C:
			case <-r.Context().Done():
				timer.Stop()
				return
			}
		}
	}
	rep := s.handle(r, body)
	if faulted {
		switch f.Kind {
		case FaultResetAfterApply:
			cut(w)
			return
		case FaultTruncated:
			rep.status = http.StatusOK
			rep.raw = rep.raw[:len(rep.raw)/2]
		}
	}
	status = s.write(w, rep)
}

// cut closes the connection without a reply.
func cut(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			if tc, ok := conn.(*net.TCPConn); ok {
				tc.SetLinger(0) // a reset, not an orderly close
			}
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// write sends a reply and returns its status.
func (s *Server) write(w http.ResponseWriter, rep reply) int {
	for k, v := range rep.header {
		w.Header()[k] = v
	}
	if rep.status == http.StatusNoContent {
		w.WriteHeader(rep.status)
		return rep.status
	}
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(rep.status)
	w.Write(rep.raw)
	return rep.status
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

// FaultKind says what an injected Fault does to a request.
type FaultKind int

// The fault kinds.
const (
	// FaultStatus replies with Code and HubSpot's error body, doing nothing.
	FaultStatus FaultKind = iota
	// FaultReset closes the connection without a reply, doing nothing.
	// Go's http.Transport may replay a GET or HEAD cut on a reused
	// connection once by itself, so a one-time reset of a GET can go
	// unseen: give it Times 2 to be sure the client sees it.
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
	// Chance, when above 0, hits each matching request (past After) with
	// this probability instead of every one: a fault rate, drawn from a
	// generator seeded with Seed, so a run is repeatable.
	Chance float64
	Seed   uint64
}
