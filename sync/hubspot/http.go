package hubspot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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

// maxBody caps a reply body: a bigger one is a protocol error, never a
// partial read.
const maxBody = 64 << 20

// backoff bounds for 5xx, resets and timeouts (full jitter in [0, min(cap,
// base·2^attempt)]).
const (
	backoffBase = 500 * time.Millisecond
	backoffCap  = 30 * time.Second
)

// maxRateWaits bounds how often one request waits out a 429 below the daily
// cap, so a server that never lets go cannot hold a sync forever.
const maxRateWaits = 30

// request is one API call.
type request struct {
	op     string // what it does, for errors: "search companies"
	method string
	path   string
	query  url.Values
	body   any
	search bool // counts against the search limit, not the ten-second one
	// unsafe: resending after an ambiguous failure (the request may have
	// been applied) could duplicate a record, so do returns *ambiguousError
	// instead of retrying.
	unsafe bool
	scope  string // the scope a 403 most likely lacks, when the reply does not say
}

// reply is a final answer: 2xx, or a 4xx other than 401, 403 and 429, which
// the caller interprets.
type reply struct {
	status int
	body   []byte
	header http.Header
}

// ambiguousError: a create may or may not have been applied (a timeout, a
// reset or a 5xx after the request was sent).
type ambiguousError struct{ err error }

func (e *ambiguousError) Error() string { return e.err.Error() }
func (e *ambiguousError) Unwrap() error { return e.err }

// apiError is HubSpot's error body (and its 429 body).
type apiError struct {
	Status        string `json:"status"`
	Message       string `json:"message"`
	Category      string `json:"category"`
	PolicyName    string `json:"policyName"`
	CorrelationID string `json:"correlationId"`
	Errors        []struct {
		Message string         `json:"message"`
		Code    string         `json:"code"`
		Context map[string]any `json:"context"`
	} `json:"errors"`
	Context map[string]any `json:"context"`
}

// do sends r, waiting for the limiters, and retries what may pass. Errors are
// final: wrapped sentinels and typed errors (ErrUnauthorized, *ScopeError,
// *LimitError, *OfflineError), ctx's error, *ambiguousError for unsafe requests, or a
// *crmsync.ProtocolError.
func (c *Client) do(ctx context.Context, r request) (reply, error) {
	var payload []byte
	if r.body != nil {
		b, err := json.Marshal(r.body)
		if err != nil {
			return reply{}, fmt.Errorf("%s: encode request: %w", r.op, err)
		}
		payload = b
	}
	target := c.base + r.path
	if len(r.query) > 0 {
		target += "?" + r.query.Encode()
	}
	var lastErr error
	failures, rateWaits := 0, 0
	for {
		lim := c.general
		if r.search {
			lim = c.search
		}
		if err := lim.wait(ctx, c.now, c.sleep); err != nil {
			return reply{}, fmt.Errorf("%s: %w", r.op, err)
		}
		rep, err := c.once(ctx, r, target, payload)
		if err != nil {
			var pe *crmsync.ProtocolError
			if errors.As(err, &pe) {
				return reply{}, err
			}
			if ctx.Err() != nil {
				return reply{}, fmt.Errorf("%s: %w", r.op, ctx.Err())
			}
			if r.unsafe && !notSent(err) {
				return reply{}, &ambiguousError{fmt.Errorf("%s: %w", r.op, err)}
			}
			lastErr = err
			failures++
			if failures > c.maxRetries {
				return reply{}, &crmsync.OfflineError{Op: r.op, Reason: c.scrub(describeNetErr(lastErr)), Tries: failures}
			}
			if err := c.sleep(ctx, c.backoff(failures, 0)); err != nil {
				return reply{}, fmt.Errorf("%s: %w", r.op, err)
			}
			continue
		}
		switch s := rep.status; {
		case s >= 200 && s < 300 && cutShort(rep.body):
			// A 2xx whose JSON stops mid-way (a proxy or a connection cut
			// after the headers): the request was served, the answer lost.
			// A read or an idempotent write is asked again like any
			// transient fault; a create may have been applied.
			if r.unsafe {
				return reply{}, &ambiguousError{fmt.Errorf("%s: HubSpot's reply (HTTP %d) was cut off", r.op, s)}
			}
			failures++
			lastErr = fmt.Errorf("HubSpot's reply (HTTP %d) was cut off", s)
			if failures > c.maxRetries {
				return reply{}, &crmsync.OfflineError{Op: r.op, Reason: fmt.Sprintf("HubSpot's replies were cut off %d times", failures)}
			}
			if err := c.sleep(ctx, c.backoff(failures, 0)); err != nil {
				return reply{}, fmt.Errorf("%s: %w", r.op, err)
			}
		case s >= 200 && s < 300:
			return rep, nil
		case s == http.StatusUnauthorized:
			return reply{}, fmt.Errorf("%s: %w (HTTP 401)", r.op, crmsync.ErrUnauthorized)
		case s == http.StatusForbidden:
			return reply{}, c.scopeError(r, rep)
		case s == http.StatusTooManyRequests:
			e := c.decodeAPIError(rep.body)
			policy := strings.ToUpper(e.PolicyName)
			if policy == "DAILY" || strings.Contains(strings.ToLower(e.Message), "daily") {
				return reply{}, fmt.Errorf("%s: %w", r.op, &crmsync.LimitError{CRM: "HubSpot"})
			}
			rateWaits++
			if rateWaits > maxRateWaits {
				return reply{}, fmt.Errorf("%s: HubSpot kept answering 429 (%s) after %d waits: try again in a minute", r.op, c.scrub(policy), maxRateWaits)
			}
			if err := c.sleep(ctx, rateWait(rep.header, policy)); err != nil {
				return reply{}, fmt.Errorf("%s: %w", r.op, err)
			}
		case s >= 500:
			if r.unsafe {
				return reply{}, &ambiguousError{fmt.Errorf("%s: HubSpot answered HTTP %d", r.op, s)}
			}
			failures++
			lastErr = fmt.Errorf("HubSpot answered HTTP %d", s)
			if failures > c.maxRetries {
				return reply{}, &crmsync.OfflineError{Op: r.op, Reason: fmt.Sprintf("HubSpot answered HTTP %d %d times", s, failures)}
			}
			if err := c.sleep(ctx, c.backoff(failures, retryAfter(rep.header))); err != nil {
				return reply{}, fmt.Errorf("%s: %w", r.op, err)
			}
		default:
			return rep, nil
		}
	}
}

// once sends one attempt with the per-request timeout and reads the whole
// body (capped).
func (c *Client) once(ctx context.Context, r request, target string, payload []byte) (reply, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, target, body)
	if err != nil {
		return reply{}, fmt.Errorf("build request: %s", c.scrub(err.Error()))
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	start := time.Now()
	resp, err := c.hc.Do(req)
	c.logRequest(ctx, req, resp, err, start)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return reply{}, fmt.Errorf("read reply: %w", err)
	}
	if len(b) > maxBody {
		return reply{status: resp.StatusCode}, &crmsync.ProtocolError{Op: r.op, Status: resp.StatusCode, Detail: "the reply is larger than 64 MiB"}
	}
	return reply{status: resp.StatusCode, body: b, header: resp.Header}, nil
}

// cutShort reports whether a reply body is JSON that stops before its end:
// a reply cut off, not one that is not JSON at all (that is a protocol
// error, and asking again would not help).
func cutShort(b []byte) bool {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || (b[0] != '{' && b[0] != '[') {
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	var v json.RawMessage
	return errors.Is(dec.Decode(&v), io.ErrUnexpectedEOF)
}

// notSent reports whether err proves the request never reached the server
// (so resending cannot duplicate anything).
func notSent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}

// describeNetErr says what went wrong on the network in a person's words,
// without the URL (which is ours and adds nothing).
func describeNetErr(err error) string {
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
		return "HubSpot did not answer in time"
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return "the connection closed mid-reply"
	}
	return err.Error()
}

// backoff is the full-jitter delay before retry n (1-based); a server's
// Retry-After, when given, is the floor.
func (c *Client) backoff(n int, floor time.Duration) time.Duration {
	ceil := backoffBase << min(n-1, 10)
	if ceil > backoffCap {
		ceil = backoffCap
	}
	d := time.Duration(rand.Int64N(int64(ceil) + 1))
	return max(d, floor)
}

// rateWait is how long to wait out a 429 below the daily cap: Retry-After,
// else the interval header, else the policy's window.
func rateWait(h http.Header, policy string) time.Duration {
	if d := retryAfter(h); d > 0 {
		return d
	}
	if ms, err := strconv.Atoi(h.Get("X-HubSpot-RateLimit-Interval-Milliseconds")); err == nil && ms > 0 && ms <= 60_000 {
		return time.Duration(ms) * time.Millisecond
	}
	if policy == "SECONDLY" {
		return time.Second
	}
	return 10 * time.Second
}

func retryAfter(h http.Header) time.Duration {
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

// decodeAPIError reads HubSpot's error body, tolerating anything.
func (c *Client) decodeAPIError(b []byte) apiError {
	var e apiError
	_ = json.Unmarshal(b, &e) // an error body that does not decode says nothing more than its status
	e.Message = c.scrub(model.Sanitize(e.Message))
	return e
}

// scopeError turns a 403 into a *crmsync.ScopeError naming the scope
// HubSpot asks for.
func (c *Client) scopeError(r request, rep reply) error {
	e := c.decodeAPIError(rep.body)
	var scopes []string
	collect := func(ctx map[string]any) {
		for _, k := range []string{"requiredScopes", "requiredGranularScopes", "scopes"} {
			if vs, ok := ctx[k].([]any); ok {
				for _, v := range vs {
					if s, ok := v.(string); ok {
						scopes = append(scopes, c.scrub(model.Sanitize(s)))
					}
				}
			}
		}
	}
	collect(e.Context)
	for _, x := range e.Errors {
		collect(x.Context)
	}
	if len(scopes) == 0 && r.scope != "" {
		scopes = []string{r.scope}
	}
	if len(scopes) == 0 {
		return &crmsync.ScopeError{Op: r.op, CRM: "HubSpot", Detail: "HTTP 403: " + e.Message}
	}
	return &crmsync.ScopeError{Op: r.op, CRM: "HubSpot", Scopes: scopes}
}

// scrub removes the token from text that came from elsewhere (a server may
// echo what it was sent).
func (c *Client) scrub(s string) string {
	if c.token == "" || !strings.Contains(s, c.token) {
		return s
	}
	return strings.ReplaceAll(s, c.token, "[token]")
}

// failure is a final non-2xx reply the caller did not expect, as an error.
func (c *Client) failure(op string, rep reply) error {
	e := c.decodeAPIError(rep.body)
	msg := e.Message
	if msg == "" {
		msg = "no message"
	}
	return fmt.Errorf("%s: HubSpot refused the request (HTTP %d): %s", op, rep.status, msg)
}

// decode unmarshals a 2xx body, or reports a *crmsync.ProtocolError.
func (c *Client) decode(op string, rep reply, v any) error {
	if err := json.Unmarshal(rep.body, v); err != nil {
		return &crmsync.ProtocolError{Op: op, Status: rep.status, Detail: c.scrub(model.Sanitize(err.Error()))}
	}
	return nil
}

// protocol is a *crmsync.ProtocolError for a reply that decoded but lacks
// what the API promises.
func protocol(op string, status int, format string, args ...any) error {
	return &crmsync.ProtocolError{Op: op, Status: status, Detail: fmt.Sprintf(format, args...)}
}

// clean is the last line of defence on every exported method: an error whose
// text carries the token is replaced by one that does not (keeping errors.Is
// and errors.As through Unwrap for the sentinels).
func (c *Client) clean(err error) error {
	if err == nil || !strings.Contains(err.Error(), c.token) {
		return err
	}
	return &scrubbed{msg: c.scrub(err.Error()), err: err}
}

type scrubbed struct {
	msg string
	err error
}

func (e *scrubbed) Error() string { return e.msg }
func (e *scrubbed) Unwrap() error { return e.err }

// logRequest writes one request to the debug log (Options.Log; nil: off):
// method, path, status and duration, never a header, a query or a body.
func (c *Client) logRequest(ctx context.Context, req *http.Request, resp *http.Response, err error, start time.Time) {
	if c.log == nil {
		return
	}
	attrs := []any{"method", req.Method, "path", c.scrub(req.URL.Path), "ms", time.Since(start).Milliseconds()}
	if resp != nil {
		attrs = append(attrs, "status", resp.StatusCode)
	}
	if err != nil {
		attrs = append(attrs, "error", c.scrub(describeNetErr(err)))
	}
	c.log.DebugContext(ctx, "hubspot request", attrs...)
}
