// Package httpx is the HTTP plumbing the CRM adapters share: one attempt
// with its own timeout and a capped body, written to the debug log; backoff
// with full jitter and a retry count; Retry-After; a JSON reply cut short;
// whether a failed request ever left the machine; a network failure in a
// person's words; the token scrub as the last line of defence. What each
// CRM's statuses and error bodies mean stays in its adapter.
package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/shortlisthq/shortlist/model"
	crmsync "github.com/shortlisthq/shortlist/sync"
)

// MaxBody caps a reply body: a bigger one is a protocol error, never a
// partial read.
const MaxBody = 64 << 20

// NewClient is an *http.Client with the timeouts a CRM adapter wants: a
// dial, a TLS handshake and the reply's headers each bounded, so a dead
// network fails in seconds rather than hanging a sync.
func NewClient(headerTimeout time.Duration) *http.Client {
	return &http.Client{Transport: &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: headerTimeout,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConnsPerHost:   4,
		ForceAttemptHTTP2:     true,
	}}
}

// Attempt is one try of a request.
type Attempt struct {
	Op     string // for errors: "search companies"
	Method string
	URL    string
	Header http.Header // set on the request as is (Authorization, Accept…)
	Body   []byte      // nil: none; otherwise sent as application/json
}

// Reply is a whole answer, body read to its end.
type Reply struct {
	Status int
	Body   []byte
	Header http.Header
}

// Sender sends attempts for one adapter.
type Sender struct {
	HC      *http.Client
	Timeout time.Duration       // per attempt
	CRM     string              // in words: "HubSpot did not answer in time"
	Scrub   func(string) string // removes the tokens in use from a text
	Log     *slog.Logger        // nil: off
	LogMsg  string              // the debug log line's message: "hubspot request"
}

// Once sends one attempt with the per-attempt timeout and reads the whole
// body (capped at MaxBody). A network failure is returned as it is, for
// the caller to retry (NotSent, Describe); a body too large or a request
// that cannot be built is a *crmsync.ProtocolError.
func (s *Sender) Once(ctx context.Context, a Attempt) (Reply, error) {
	ctx, cancel := context.WithTimeout(ctx, s.Timeout)
	defer cancel()
	var body io.Reader
	if a.Body != nil {
		body = bytes.NewReader(a.Body)
	}
	req, err := http.NewRequestWithContext(ctx, a.Method, a.URL, body)
	if err != nil {
		return Reply{}, &crmsync.ProtocolError{Op: a.Op, Detail: "build request: " + s.Scrub(err.Error())}
	}
	for k, vs := range a.Header {
		req.Header[k] = vs
	}
	if a.Body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	start := time.Now()
	resp, err := s.HC.Do(req)
	s.LogRequest(ctx, req, resp, err, start)
	if err != nil {
		return Reply{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	if err != nil {
		return Reply{}, fmt.Errorf("read reply: %w", err)
	}
	if len(b) > MaxBody {
		return Reply{Status: resp.StatusCode}, &crmsync.ProtocolError{Op: a.Op, Status: resp.StatusCode, Detail: "the reply is larger than 64 MiB"}
	}
	return Reply{Status: resp.StatusCode, Body: b, Header: resp.Header}, nil
}

// LogRequest writes one request to the debug log: method, path, status and
// duration, never a header, a query or a body.
func (s *Sender) LogRequest(ctx context.Context, req *http.Request, resp *http.Response, err error, start time.Time) {
	if s.Log == nil {
		return
	}
	attrs := []any{"method", req.Method, "path", s.Scrub(req.URL.Path), "ms", time.Since(start).Milliseconds()}
	if resp != nil {
		attrs = append(attrs, "status", resp.StatusCode)
	}
	if err != nil {
		attrs = append(attrs, "error", s.Scrub(s.Describe(err)))
	}
	s.Log.DebugContext(ctx, s.LogMsg, attrs...)
}

// Describe says what went wrong on the network in a person's words,
// without the URL (which is ours and adds nothing).
func (s *Sender) Describe(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var dns *net.DNSError
	var ne net.Error
	switch {
	case errors.As(err, &dns):
		return "cannot resolve " + dns.Name
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()):
		return s.CRM + " did not answer in time"
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return "the connection closed mid-reply"
	}
	return err.Error()
}

// Retry counts the failures of one request that may pass (a reset, a
// timeout, a 5xx, a reply cut off) and waits before each next try, with
// full jitter in [0, min(Cap, Base·2^(n-1))].
type Retry struct {
	Max       int // retries after the first try
	Base, Cap time.Duration
	Sleep     func(context.Context, time.Duration) error
	Failures  int // so far
}

// Again counts one more failure. It returns false when the request has
// now failed more than Max times (the failure is final); otherwise it
// waits the backoff, at least floor (a server's Retry-After), and returns
// true with ctx's error when ctx ended during the wait.
func (r *Retry) Again(ctx context.Context, floor time.Duration) (bool, error) {
	r.Failures++
	if r.Failures > r.Max {
		return false, nil
	}
	return true, r.Sleep(ctx, Backoff(r.Failures, r.Base, r.Cap, floor))
}

// Fail is Again for a request loop: it counts a failure and waits,
// returning nil to try again, final(tries) once the request has failed too
// often, or ctx's error (wrapped with op) when ctx ended during the wait.
func (r *Retry) Fail(ctx context.Context, op string, floor time.Duration, final func(tries int) error) error {
	more, err := r.Again(ctx, floor)
	switch {
	case !more:
		return final(r.Failures)
	case err != nil:
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// Backoff is the full-jitter delay before retry n (1-based); floor, when
// set, is the least.
func Backoff(n int, base, ceiling, floor time.Duration) time.Duration {
	c := base << min(n-1, 10)
	if c > ceiling {
		c = ceiling
	}
	return max(time.Duration(rand.Int64N(int64(c)+1)), floor)
}

// Sleep waits d or until ctx ends.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// RetryAfter reads a Retry-After header (seconds or an HTTP date, up to an
// hour); 0 when absent or out of range.
func RetryAfter(h http.Header) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 && s <= 3600 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 && d <= time.Hour {
			return d
		}
	}
	return 0
}

// CutShort reports whether a reply body is JSON that stops before its end:
// a reply cut off, not one that is not JSON at all (that is a protocol
// error, and asking again would not help).
func CutShort(b []byte) bool {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || (b[0] != '{' && b[0] != '[') {
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	var v json.RawMessage
	return errors.Is(dec.Decode(&v), io.ErrUnexpectedEOF)
}

// NotSent reports whether err proves the request never reached the server
// (so resending cannot duplicate anything).
func NotSent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}

// Decode unmarshals a 2xx body, or reports a *crmsync.ProtocolError.
func Decode(op string, status int, body []byte, v any, scrub func(string) string) error {
	if err := json.Unmarshal(body, v); err != nil {
		return &crmsync.ProtocolError{Op: op, Status: status, Detail: scrub(model.Sanitize(err.Error()))}
	}
	return nil
}

// Protocol is a *crmsync.ProtocolError for a reply that decoded but lacks
// what the API promises.
func Protocol(op string, status int, format string, args ...any) error {
	return &crmsync.ProtocolError{Op: op, Status: status, Detail: fmt.Sprintf(format, args...)}
}

// Clean is the last line of defence on every exported method of an
// adapter: an error whose text carries a token is replaced by one that
// does not, keeping errors.Is and errors.As through Unwrap.
func Clean(err error, scrub func(string) string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if s := scrub(msg); s != msg {
		return &scrubbed{msg: s, err: err}
	}
	return err
}

type scrubbed struct {
	msg string
	err error
}

func (e *scrubbed) Error() string { return e.msg }
func (e *scrubbed) Unwrap() error { return e.err }
