// Package salesforcetest is an in-memory server that speaks the subset of
// Salesforce's REST API Shortlist uses, in the spirit of net/http/httptest:
// the Salesforce adapter is tested against it, and `shortlist --demo --crm
// salesforce` syncs with an in-process instance (NewUnstarted and
// Transport).
//
// Endpoints: /services/oauth2/userinfo, /services/oauth2/token (refresh
// token grant), /services/data/ (versions), and under
// /services/data/vNN.N: query and queryAll (a parsed SOQL subset, query
// locators in nextRecordsUrl, Sforce-Query-Options batch sizes),
// sobjects/{Type}/describe, composite/sobjects (PATCH: update by id) and
// composite/sobjects/{Type}/{ExternalIdField} (PATCH: upsert), limits.
//
// What it models, as Salesforce does:
//   - error bodies [{"message","errorCode","fields"}], per-item collection
//     results {id, success, errors[{statusCode,message,fields}], created} in
//     input order with allOrNone false;
//   - SOQL parsed, not matched: a query outside the subset is a 400
//     MALFORMED_QUERY, an unknown field INVALID_FIELD, an unknown object
//     INVALID_TYPE; mixing AND and OR without parentheses is refused;
//   - writes validated: unknown fields, read-only and create-only fields,
//     restricted picklists, required fields on create, references to
//     missing or deleted records, text lengths;
//   - Task.IsClosed and AccountId derived, SystemModstamp on every write;
//   - session expiry (401 INVALID_SESSION_ID), the daily request limit
//     (403 REQUEST_LIMIT_EXCEEDED) and Sforce-Limit-Info on every reply;
//   - faults (Inject): 5xx, resets, a write applied then the connection
//     cut, truncated bodies.
//
// Seeding (Put, Update, Delete, AddUser) is not validated. Nothing here
// ever writes a token.
package salesforcetest

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	gosync "sync"
	"syscall"
	"time"
)

// Options configures a Server. Zero values take the defaults noted.
type Options struct {
	AccessToken  string // "" → "test-access-token"
	RefreshToken string // "" → "test-refresh-token"
	APIVersion   string // the version served; "" → "v60.0"
	// MaxBatch caps a query batch below what the client asks (Salesforce's
	// range is 200–2000), so tests page with few records; 0 → 2000.
	MaxBatch int
	// DailyLimit is the org's daily API requests; 0 → 15000.
	DailyLimit int
	// Missing lists custom fields the org has not added, as
	// "Task.Shortlist_Op_Id__c", and objects it does not have, as
	// "EmailMessage" (Enhanced Email off).
	Missing []string
	// Now is the server's clock; nil → time.Now.
	Now func() time.Time
	// DeviceRFCOnly makes the device-flow poll accept only RFC 8628's
	// grant (urn:ietf:params:oauth:grant-type:device_code), answering
	// Salesforce's documented grant_type=device with unsupported_grant_type.
	DeviceRFCOnly bool
}

// Server is an in-memory Salesforce org.
type Server struct {
	opts    Options
	ts      *httptest.Server
	objects map[string]*object

	mu        gosync.Mutex
	token     string
	refreshes int
	used      int
	records   map[string]*record // id → record
	order     []string           // ids in creation order
	seq       int
	locators  map[string][]map[string]any
	locSeq    int
	faults    []*faultState
	log       []Request
	lastStamp time.Time
	userID    string             // the logged-in user
	devices   map[string]*device // device code → its login
	devSeq    int
}

// device is one device-flow login in progress.
type device struct {
	userCode         string
	approved, denied bool
	polls            int
}

// record is one stored sObject.
type record struct {
	obj    *object
	fields map[string]any // canonical name → JSON value (string, float64, bool, nil)
}

// New starts a server on a loopback port.
func New(o Options) *Server {
	s := NewUnstarted(o)
	s.ts = httptest.NewServer(s.Handler())
	return s
}

// NewUnstarted returns a server with no listener: reach it through
// Transport or Handler.
func NewUnstarted(o Options) *Server {
	if o.AccessToken == "" {
		o.AccessToken = "test-access-token"
	}
	if o.RefreshToken == "" {
		o.RefreshToken = "test-refresh-token"
	}
	if o.APIVersion == "" {
		o.APIVersion = "v60.0"
	}
	if o.DailyLimit == 0 {
		o.DailyLimit = 15000
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	missing := map[string]bool{}
	for _, m := range o.Missing {
		missing[m] = true
	}
	s := &Server{opts: o, objects: schema(missing), token: o.AccessToken, records: map[string]*record{}, locators: map[string][]map[string]any{}}
	s.userID = s.AddUser("rep@example.com", "Rep Example")
	return s
}

// URL is the instance URL to give the adapter.
func (s *Server) URL() string {
	if s.ts == nil {
		return "http://127.0.0.1"
	}
	return s.ts.URL
}

// Close stops the listener, if any.
func (s *Server) Close() {
	if s.ts != nil {
		s.ts.Close()
	}
}

// AccessToken is the token the server accepts now.
func (s *Server) AccessToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.token
}

// RefreshToken is the refresh token the server accepts.
func (s *Server) RefreshToken() string { return s.opts.RefreshToken }

// APIVersion is the version served, e.g. "v60.0".
func (s *Server) APIVersion() string { return s.opts.APIVersion }

// ExpireSession invalidates the current access token: the next request is
// a 401 INVALID_SESSION_ID until the client refreshes.
func (s *Server) ExpireSession() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.token = ""
}

// Refreshes is how many refresh-token grants the server has answered.
func (s *Server) Refreshes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refreshes
}

// Used is the org's API requests used today; SetUsed sets it.
func (s *Server) Used() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.used
}

// SetUsed sets the API requests used today (another integration's share).
func (s *Server) SetUsed(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.used = n
}

// UserID is the logged-in user's id (the rep).
func (s *Server) UserID() string { return s.userID }

// SetLogin makes the user with id the one userinfo answers for.
func (s *Server) SetLogin(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.userID = id
}

// Handler serves the API.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

// Transport serves requests in process through Handler, without a socket.
// A fault that cuts the connection surfaces as a connection reset.
func (s *Server) Transport() http.RoundTripper { return inProcess{s} }

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
	res := rec.Result()
	if rec.Header().Get("X-Truncated") != "" {
		// What a connection cut mid-body looks like to a client: the
		// declared length is not reached.
		res.Body = io.NopCloser(io.MultiReader(res.Body, errReader{io.ErrUnexpectedEOF}))
		res.Header.Del("X-Truncated")
	}
	return res, nil
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// FaultKind says what an injected Fault does to a request.
type FaultKind int

// The fault kinds.
const (
	// FaultStatus replies Code (default 500) with Salesforce's error body,
	// doing nothing.
	FaultStatus FaultKind = iota
	// FaultReset closes the connection without a reply, doing nothing.
	FaultReset
	// FaultResetAfterApply does the request, then closes the connection:
	// the client cannot know the write happened.
	FaultResetAfterApply
	// FaultTruncated does the request and sends half its reply, then cuts
	// the connection.
	FaultTruncated
	// FaultSlow stalls Delay (or until the client gives up), then serves:
	// a write that takes a while, as over a network.
	FaultSlow
)

// Fault is a failure to inject into matching requests.
type Fault struct {
	Method string // "" any
	Path   string // a substring of the URL path, "" any
	Kind   FaultKind
	Code   int
	Delay  time.Duration // FaultSlow
	After  int           // let this many matching requests through first
	Times  int           // hits; 0 → 1; -1 → every one
}

type faultState struct {
	f    Fault
	seen int
	left int
}

// Inject adds a fault.
func (s *Server) Inject(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	left := f.Times
	if left == 0 {
		left = 1
	}
	s.faults = append(s.faults, &faultState{f: f, left: left})
}

// ClearFaults removes every injected fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

func (s *Server) takeFault(method, path string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, fs := range s.faults {
		if fs.left == 0 || (fs.f.Method != "" && !strings.EqualFold(fs.f.Method, method)) || !strings.Contains(path, fs.f.Path) {
			continue
		}
		fs.seen++
		if fs.seen <= fs.f.After {
			continue
		}
		if fs.left > 0 {
			fs.left--
		}
		return fs.f, true
	}
	return Fault{}, false
}

// Request is one request the server received. Header never holds
// Authorization.
type Request struct {
	Method string
	Path   string
	Query  url.Values
	Body   []byte
	Header http.Header
	Status int // 0 when the connection was cut
}

// Requests returns a copy of the request log, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.log...)
}

// ResetLog empties the request log.
func (s *Server) ResetLog() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = nil
}

// reply is what a handler answers.
type reply struct {
	status int
	body   any
}

// apiErr is Salesforce's error body for a whole request.
func apiErr(status int, code, msg string, fields ...string) reply {
	if fields == nil {
		fields = []string{}
	}
	return reply{status, []map[string]any{{"message": msg, "errorCode": code, "fields": fields}}}
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	body, readErr := io.ReadAll(http.MaxBytesReader(w, r.Body, 32<<20))
	h := r.Header.Clone()
	h.Del("Authorization")
	s.mu.Lock()
	idx := len(s.log)
	s.log = append(s.log, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Body: body, Header: h})
	s.mu.Unlock()
	status := 0
	defer func() {
		s.mu.Lock()
		s.log[idx].Status = status
		s.mu.Unlock()
	}()
	if readErr != nil {
		status = s.write(w, apiErr(http.StatusBadRequest, "JSON_PARSER_ERROR", "the request body could not be read"), false)
		return
	}
	path := r.URL.Path
	if path == "/services/oauth2/token" {
		status = s.write(w, s.tokenGrant(r, body), false)
		return
	}
	s.mu.Lock()
	authorized := s.token != "" && subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte("Bearer "+s.token)) == 1
	s.mu.Unlock()
	if !authorized {
		status = s.write(w, apiErr(http.StatusUnauthorized, "INVALID_SESSION_ID", "Session expired or invalid"), false)
		return
	}
	data := strings.HasPrefix(path, "/services/data/")
	if data {
		s.mu.Lock()
		over := s.used >= s.opts.DailyLimit
		if !over {
			s.used++
		}
		s.mu.Unlock()
		if over {
			status = s.write(w, apiErr(http.StatusForbidden, "REQUEST_LIMIT_EXCEEDED", fmt.Sprintf("TotalRequests Limit exceeded.")), true)
			return
		}
	}
	f, faulted := s.takeFault(r.Method, path)
	if faulted {
		switch f.Kind {
		case FaultStatus:
			code := f.Code
			if code == 0 {
				code = http.StatusInternalServerError
			}
			errCode := "UNKNOWN_EXCEPTION"
			if code == http.StatusServiceUnavailable {
				errCode = "SERVER_UNAVAILABLE"
			}
			status = s.write(w, apiErr(code, errCode, "injected failure: "+http.StatusText(code)), data)
			return
		case FaultReset:
			cut(w)
			return
		case FaultSlow:
			t := time.NewTimer(f.Delay)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
	}
	rep := s.route(r, path, body)
	if faulted {
		switch f.Kind {
		case FaultResetAfterApply:
			cut(w)
			return
		case FaultTruncated:
			raw, _ := json.Marshal(rep.body)
			w.Header().Set("Content-Type", "application/json;charset=UTF-8")
			w.Header().Set("Content-Length", strconv.Itoa(len(raw)))
			w.Header().Set("X-Truncated", "1")
			w.WriteHeader(rep.status)
			w.Write(raw[:len(raw)/2])
			if fl, ok := w.(http.Flusher); ok {
				fl.Flush()
			}
			if _, ok := w.(http.Hijacker); ok {
				panic(http.ErrAbortHandler)
			}
			status = rep.status
			return
		}
	}
	status = s.write(w, rep, data)
}

// cut closes the connection without a reply.
func cut(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			if tc, ok := conn.(*net.TCPConn); ok {
				tc.SetLinger(0)
			}
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

func (s *Server) write(w http.ResponseWriter, rep reply, limitInfo bool) int {
	if limitInfo {
		s.mu.Lock()
		w.Header().Set("Sforce-Limit-Info", fmt.Sprintf("api-usage=%d/%d", s.used, s.opts.DailyLimit))
		s.mu.Unlock()
	}
	if rep.status == http.StatusNoContent {
		w.WriteHeader(rep.status)
		return rep.status
	}
	raw, err := json.Marshal(rep.body)
	if err != nil {
		raw = []byte(`[{"message":"encode failure","errorCode":"UNKNOWN_EXCEPTION","fields":[]}]`)
		rep.status = http.StatusInternalServerError
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(rep.status)
	w.Write(raw)
	return rep.status
}

// tokenGrant answers the refresh-token grant.
func (s *Server) tokenGrant(r *http.Request, body []byte) reply {
	form, err := url.ParseQuery(string(body))
	if r.Method != http.MethodPost || err != nil {
		return reply{http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "POST a form"}}
	}
	if form.Get("client_id") == "" {
		return reply{http.StatusBadRequest, map[string]string{"error": "invalid_client_id", "error_description": "client identifier invalid"}}
	}
	if form.Get("response_type") == "device_code" {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.devSeq++
		code := fmt.Sprintf("DEV%06d", s.devSeq)
		if s.devices == nil {
			s.devices = map[string]*device{}
		}
		s.devices[code] = &device{userCode: fmt.Sprintf("ABCD%04d", s.devSeq)}
		return reply{http.StatusOK, map[string]any{"device_code": code, "user_code": s.devices[code].userCode,
			"verification_uri": s.URL() + "/setup/connect", "interval": 5}}
	}
	switch gt := form.Get("grant_type"); {
	case gt == "device" && !s.opts.DeviceRFCOnly:
		return s.devicePoll(form.Get("code"))
	case gt == "urn:ietf:params:oauth:grant-type:device_code" && s.opts.DeviceRFCOnly:
		return s.devicePoll(form.Get("device_code"))
	case gt != "refresh_token":
		return reply{http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type", "error_description": "grant type not supported"}}
	}
	if subtle.ConstantTimeCompare([]byte(form.Get("refresh_token")), []byte(s.opts.RefreshToken)) != 1 {
		return reply{http.StatusBadRequest, map[string]string{"error": "invalid_grant", "error_description": "expired access/refresh token"}}
	}
	s.mu.Lock()
	s.refreshes++
	s.token = fmt.Sprintf("%s-%d", s.opts.AccessToken, s.refreshes)
	tok := s.token
	s.mu.Unlock()
	return reply{http.StatusOK, map[string]string{
		"access_token": tok, "instance_url": s.URL(), "token_type": "Bearer",
		"issued_at": strconv.FormatInt(s.opts.Now().UnixMilli(), 10), "scope": "api refresh_token",
	}}
}

// devicePoll answers a device-flow poll.
func (s *Server) devicePoll(code string) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.devices[code]
	switch {
	case d == nil:
		return reply{http.StatusBadRequest, map[string]string{"error": "invalid_grant", "error_description": "invalid device code"}}
	case d.denied:
		return reply{http.StatusBadRequest, map[string]string{"error": "access_denied", "error_description": "end-user denied authorization"}}
	case !d.approved:
		d.polls++
		return reply{http.StatusBadRequest, map[string]string{"error": "authorization_pending", "error_description": "authorization pending"}}
	}
	delete(s.devices, code)
	return reply{http.StatusOK, map[string]string{"access_token": s.token, "refresh_token": s.opts.RefreshToken,
		"instance_url": s.URL(), "token_type": "Bearer", "scope": "api refresh_token"}}
}

// ApproveDevice approves the device login showing userCode, as the rep
// would in the browser; false when no such login is waiting.
func (s *Server) ApproveDevice(userCode string) bool { return s.decide(userCode, true) }

// DenyDevice denies it.
func (s *Server) DenyDevice(userCode string) bool { return s.decide(userCode, false) }

func (s *Server) decide(userCode string, ok bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range s.devices {
		if d.userCode == userCode {
			d.approved, d.denied = ok, !ok
			return true
		}
	}
	return false
}

func (s *Server) route(r *http.Request, path string, body []byte) reply {
	if path == "/services/oauth2/userinfo" {
		return s.userinfo()
	}
	if path == "/services/data" || path == "/services/data/" {
		v := strings.TrimPrefix(s.opts.APIVersion, "v")
		return reply{http.StatusOK, []map[string]string{{"label": "Test", "url": "/services/data/" + s.opts.APIVersion, "version": v}}}
	}
	prefix := "/services/data/" + s.opts.APIVersion + "/"
	if !strings.HasPrefix(path, prefix) {
		return apiErr(http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
	}
	rest := strings.Split(strings.TrimSuffix(strings.TrimPrefix(path, prefix), "/"), "/")
	switch {
	case r.Method == http.MethodGet && len(rest) == 1 && (rest[0] == "query" || rest[0] == "queryAll"):
		return s.query(r, rest[0] == "queryAll")
	case r.Method == http.MethodGet && len(rest) == 2 && (rest[0] == "query" || rest[0] == "queryAll"):
		return s.more(rest[1])
	case r.Method == http.MethodGet && len(rest) == 1 && rest[0] == "limits":
		s.mu.Lock()
		defer s.mu.Unlock()
		return reply{http.StatusOK, map[string]any{"DailyApiRequests": map[string]int{"Max": s.opts.DailyLimit, "Remaining": max(0, s.opts.DailyLimit-s.used)}}}
	case r.Method == http.MethodGet && len(rest) == 3 && rest[0] == "sobjects" && rest[2] == "describe":
		return s.describe(rest[1])
	case r.Method == http.MethodPatch && len(rest) == 2 && rest[0] == "composite" && rest[1] == "sobjects":
		return s.updateCollection(body)
	case r.Method == http.MethodPatch && len(rest) == 4 && rest[0] == "composite" && rest[1] == "sobjects":
		return s.upsertCollection(rest[2], rest[3], body)
	}
	return apiErr(http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
}

func (s *Server) userinfo() reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.records[s.userID]
	if u == nil {
		return apiErr(http.StatusForbidden, "INSUFFICIENT_ACCESS", "no such user")
	}
	return reply{http.StatusOK, map[string]any{
		"sub": s.URL() + "/id/00D000000000001AAA/" + s.userID, "user_id": s.userID, "organization_id": "00D000000000001AAA",
		"email": u.fields["Email"], "name": u.fields["Name"], "preferred_username": u.fields["Username"],
	}}
}
