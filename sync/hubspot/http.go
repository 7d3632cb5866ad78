package hubspot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/shortlisthq/shortlist/model"
	crmsync "github.com/shortlisthq/shortlist/sync"
	"github.com/shortlisthq/shortlist/sync/internal/httpx"
)

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
	retry := httpx.Retry{Max: c.maxRetries, Base: backoffBase, Cap: backoffCap, Sleep: c.sleep}
	rateWaits := 0
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
			if r.unsafe && !httpx.NotSent(err) {
				return reply{}, &ambiguousError{fmt.Errorf("%s: %w", r.op, err)}
			}
			if ferr := retry.Fail(ctx, r.op, 0, func(n int) error {
				return &crmsync.OfflineError{Op: r.op, Reason: c.scrub(c.tx.Describe(err)), Tries: n}
			}); ferr != nil {
				return reply{}, ferr
			}
			continue
		}
		switch s := rep.status; {
		case s >= 200 && s < 300 && httpx.CutShort(rep.body):
			// A 2xx whose JSON stops mid-way (a proxy or a connection cut
			// after the headers): the request was served, the answer lost.
			// A read or an idempotent write is asked again like any
			// transient fault; a create may have been applied.
			if r.unsafe {
				return reply{}, &ambiguousError{fmt.Errorf("%s: HubSpot's reply (HTTP %d) was cut off", r.op, s)}
			}
			if ferr := retry.Fail(ctx, r.op, 0, func(n int) error {
				return &crmsync.OfflineError{Op: r.op, Reason: fmt.Sprintf("HubSpot's replies were cut off %d times", n)}
			}); ferr != nil {
				return reply{}, ferr
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
			if ferr := retry.Fail(ctx, r.op, httpx.RetryAfter(rep.header), func(n int) error {
				return &crmsync.OfflineError{Op: r.op, Reason: fmt.Sprintf("HubSpot answered HTTP %d %d times", s, n)}
			}); ferr != nil {
				return reply{}, ferr
			}
		default:
			return rep, nil
		}
	}
}

// once sends one attempt (httpx.Sender.Once) with the token.
func (c *Client) once(ctx context.Context, r request, target string, payload []byte) (reply, error) {
	h := http.Header{"Authorization": {"Bearer " + c.token}, "Accept": {"application/json"}}
	rep, err := c.tx.Once(ctx, httpx.Attempt{Op: r.op, Method: r.method, URL: target, Header: h, Body: payload})
	return reply{status: rep.Status, body: rep.Body, header: rep.Header}, err
}

// rateWait is how long to wait out a 429 below the daily cap: Retry-After,
// else the interval header, else the policy's window.
func rateWait(h http.Header, policy string) time.Duration {
	if d := httpx.RetryAfter(h); d > 0 {
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
	return httpx.Decode(op, rep.status, rep.body, v, c.scrub)
}

// protocol is a *crmsync.ProtocolError for a reply that decoded but lacks
// what the API promises.
var protocol = httpx.Protocol

// clean is the last line of defence on every exported method: an error
// whose text carries the token is replaced by one that does not.
func (c *Client) clean(err error) error { return httpx.Clean(err, c.scrub) }
