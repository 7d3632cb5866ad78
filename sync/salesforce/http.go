package salesforce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/shortlisthq/shortlist/model"
	crmsync "github.com/shortlisthq/shortlist/sync"
	"github.com/shortlisthq/shortlist/sync/internal/httpx"
)

const (
	backoffBase = 500 * time.Millisecond
	backoffCap  = 20 * time.Second
)

// request is one API call. Every call the adapter makes may be resent:
// reads, upserts on the operation id and updates by id are idempotent, so
// an ambiguous failure (a reset after the write) is retried, not guessed.
type request struct {
	op     string // for errors: "query accounts"
	method string
	path   string // from the host: /services/data/v60.0/query
	query  url.Values
	body   any
}

type reply struct {
	status int
	body   []byte
	header http.Header
}

// apiError is one entry of Salesforce's error body.
type apiError struct {
	Message   string   `json:"message"`
	ErrorCode string   `json:"errorCode"`
	Fields    []string `json:"fields"`
}

// do sends r and retries what may pass. Errors are final: ctx's error,
// wrapped sentinels (ErrUnauthorized, ErrScope, ErrDailyLimit via
// *crmsync.LimitError, model.ErrOffline), or a *crmsync.ProtocolError. A 4xx other
// than 401 and 403 comes back as a reply for the caller to read.
func (c *Client) do(ctx context.Context, r request) (reply, error) {
	var payload []byte
	if r.body != nil {
		b, err := json.Marshal(r.body)
		if err != nil {
			return reply{}, fmt.Errorf("%s: encode request: %w", r.op, err)
		}
		payload = b
	}
	target := c.instance + r.path
	if len(r.query) > 0 {
		target += "?" + r.query.Encode()
	}
	data := strings.HasPrefix(r.path, "/services/data/")
	refreshed := false
	c.mu.Lock()
	noSession := c.token == ""
	c.mu.Unlock()
	if noSession { // a refresh token only: get a session before the first call
		refreshed = true
		if err := c.refresh(ctx); err != nil {
			return reply{}, fmt.Errorf("%s: %w", r.op, err)
		}
	}
	retry := httpx.Retry{Max: c.maxRetries, Base: backoffBase, Cap: backoffCap, Sleep: c.sleep}
	for {
		if err := ctx.Err(); err != nil {
			return reply{}, fmt.Errorf("%s: %w", r.op, err)
		}
		if data {
			if err := c.spend(); err != nil {
				return reply{}, fmt.Errorf("%s: %w", r.op, err)
			}
		}
		rep, err := c.once(ctx, r, target, payload)
		if err == nil {
			c.noteLimits(rep.header)
		}
		if err != nil {
			var pe *crmsync.ProtocolError
			if errors.As(err, &pe) {
				return reply{}, err
			}
			if ctx.Err() != nil {
				return reply{}, fmt.Errorf("%s: %w", r.op, ctx.Err())
			}
			if ferr := retry.Fail(ctx, r.op, 0, func(n int) error {
				return &crmsync.OfflineError{Op: r.op, Reason: c.scrub(c.tx.Describe(err)), Tries: n}
			}); ferr != nil {
				return reply{}, ferr
			}
			continue
		}
		e := firstError(rep.body)
		switch s := rep.status; {
		case s >= 200 && s < 300 && httpx.CutShort(rep.body):
			// A 2xx whose JSON stops mid-way: every request here may be
			// resent (reads, upserts on the operation id, updates by id).
			if ferr := retry.Fail(ctx, r.op, 0, func(n int) error {
				return &crmsync.OfflineError{Op: r.op, Reason: fmt.Sprintf("Salesforce's replies were cut off %d times", n)}
			}); ferr != nil {
				return reply{}, ferr
			}
		case s >= 200 && s < 300:
			return rep, nil
		case s == http.StatusUnauthorized:
			if !refreshed && c.refreshToken != "" {
				refreshed = true
				if err := c.refresh(ctx); err != nil {
					return reply{}, fmt.Errorf("%s: %w", r.op, err)
				}
				continue
			}
			return reply{}, fmt.Errorf("%s: %w (%s)", r.op, crmsync.ErrUnauthorized, c.scrub(text(e.ErrorCode)))
		case s == http.StatusForbidden && e.ErrorCode == "REQUEST_LIMIT_EXCEEDED":
			u := c.Usage()
			return reply{}, fmt.Errorf("%s: %w", r.op, &crmsync.LimitError{CRM: "Salesforce", Used: u.Used, Limit: u.Max})
		case s == http.StatusForbidden:
			return reply{}, &crmsync.ScopeError{Op: r.op, CRM: "Salesforce", Detail: text(e.ErrorCode) + ": " + c.scrub(text(e.Message))}
		case s >= 500 || e.ErrorCode == "UNABLE_TO_LOCK_ROW":
			if ferr := retry.Fail(ctx, r.op, httpx.RetryAfter(rep.header), func(n int) error {
				return &crmsync.OfflineError{Op: r.op, Reason: fmt.Sprintf("Salesforce answered HTTP %d %d times", s, n)}
			}); ferr != nil {
				return reply{}, ferr
			}
		default:
			return rep, nil
		}
	}
}

// spend counts one request against the budget, refusing it when the org's
// limit or Shortlist's share is spent.
func (c *Client) spend() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.usage.Max > 0 {
		if c.usage.Used >= c.usage.Max {
			return &crmsync.LimitError{CRM: "Salesforce", Used: c.usage.Used, Limit: c.usage.Max}
		}
		if b := c.budgetLocked(); c.spent >= b {
			return &crmsync.LimitError{CRM: "Salesforce", Share: true, Spent: c.spent, Max: b, Used: c.usage.Used, Limit: c.usage.Max}
		}
	}
	c.spent++
	return nil
}

// noteLimits reads Sforce-Limit-Info: api-usage=18/15000, possibly with
// per-app-api-usage=…(appName=…) beside it.
func (c *Client) noteLimits(h http.Header) {
	for _, part := range strings.FieldsFunc(h.Get("Sforce-Limit-Info"), func(r rune) bool { return r == ',' || r == ';' }) {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || k != "api-usage" {
			continue
		}
		us, ms, ok := strings.Cut(v, "/")
		used, err1 := strconv.Atoi(us)
		lim, err2 := strconv.Atoi(ms)
		if !ok || err1 != nil || err2 != nil || used < 0 || lim <= 0 {
			continue
		}
		c.mu.Lock()
		c.usage.Used, c.usage.Max = used, lim
		c.mu.Unlock()
	}
}

// once sends one attempt (httpx.Sender.Once) with the session in use.
func (c *Client) once(ctx context.Context, r request, target string, payload []byte) (reply, error) {
	c.mu.Lock()
	tok := c.token
	c.mu.Unlock()
	h := http.Header{"Authorization": {"Bearer " + tok}, "Accept": {"application/json"}}
	if strings.HasSuffix(r.path, "/query") || strings.HasSuffix(r.path, "/queryAll") {
		h.Set("Sforce-Query-Options", "batchSize=2000")
	}
	rep, err := c.tx.Once(ctx, httpx.Attempt{Op: r.op, Method: r.method, URL: target, Header: h, Body: payload})
	return reply{status: rep.Status, body: rep.Body, header: rep.Header}, err
}

// refresh trades the refresh token for a new access token.
func (c *Client) refresh(ctx context.Context) error {
	const op = "refresh the Salesforce session"
	if c.clientID == "" {
		return fmt.Errorf("%s: %w: the session expired and [crm] client_id is not set, so it cannot be renewed", op, crmsync.ErrUnauthorized)
	}
	form := url.Values{"grant_type": {"refresh_token"}, "client_id": {c.clientID}, "refresh_token": {c.refreshToken}}
	var out struct {
		AccessToken string `json:"access_token"`
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	status, err := c.postForm(ctx, c.login+"/services/oauth2/token", form, &out)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if status != http.StatusOK || out.AccessToken == "" {
		return fmt.Errorf("%s: %w (%s)", op, crmsync.ErrUnauthorized, c.scrub(text(out.Error)))
	}
	c.mu.Lock()
	c.token = out.AccessToken
	c.mu.Unlock()
	if c.onRefresh != nil {
		c.onRefresh(out.AccessToken)
	}
	return nil
}

// postForm posts an OAuth form and decodes the JSON reply (any status).
func (c *Client) postForm(ctx context.Context, target string, form url.Values, v any) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(form.Encode()))
	if err != nil {
		return 0, errors.New("build request")
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	start := time.Now()
	resp, err := c.hc.Do(req)
	c.tx.LogRequest(ctx, req, resp, err, start)
	if err != nil {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		return 0, &crmsync.OfflineError{Op: "oauth", Reason: c.scrub(c.tx.Describe(err))}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, &crmsync.OfflineError{Op: "oauth", Reason: c.tx.Describe(err)}
	}
	if err := json.Unmarshal(b, v); err != nil {
		return resp.StatusCode, &crmsync.ProtocolError{Op: "oauth", Status: resp.StatusCode, Detail: "the reply is not JSON"}
	}
	return resp.StatusCode, nil
}

// firstError reads Salesforce's error body, tolerating anything.
func firstError(b []byte) apiError {
	var es []apiError
	if json.Unmarshal(b, &es) == nil && len(es) > 0 {
		return es[0]
	}
	return apiError{}
}

// scrub removes the tokens from text that came from elsewhere.
func (c *Client) scrub(s string) string {
	c.mu.Lock()
	toks := []string{c.token, c.refreshToken}
	c.mu.Unlock()
	for _, t := range toks {
		if t != "" {
			s = strings.ReplaceAll(s, t, "[token]")
		}
	}
	return s
}

// failure is a final non-2xx reply the caller did not expect.
func (c *Client) failure(op string, rep reply) error {
	e := firstError(rep.body)
	msg := text(e.Message)
	if msg == "" {
		msg = "no message"
	}
	if len(e.Fields) > 0 {
		msg += " (" + strings.Join(e.Fields, ", ") + ")"
	}
	return fmt.Errorf("%s: Salesforce refused the request (HTTP %d %s): %s", op, rep.status, text(e.ErrorCode), c.scrub(msg))
}

func (c *Client) decode(op string, rep reply, v any) error {
	return httpx.Decode(op, rep.status, rep.body, v, c.scrub)
}

var protocol = httpx.Protocol

// clean is the last line of defence on every exported method: an error
// whose text carries a token is replaced by one that does not.
func (c *Client) clean(err error) error { return httpx.Clean(err, c.scrub) }

// text is a CRM string made safe for the terminal.
func text(s string) string { return strings.TrimSpace(model.Sanitize(s)) }
