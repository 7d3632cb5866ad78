// Package salesforce is Shortlist's Salesforce adapter: crmsync.CRM over
// Salesforce's REST API (SOQL through the query resource, sObject
// Collections for writes). Every record it creates carries Shortlist's
// operation id in an External ID field and is written with a collections
// upsert on it, so a sync killed at any instant and run again creates
// nothing twice. It reads Sforce-Limit-Info on every reply and never spends
// more than its share of the org's daily requests, refreshes the access
// token on INVALID_SESSION_ID when it has a refresh token, and never lets a
// token reach an error.
//
// It is a small client of our own rather than github.com/k-capehart/go-salesforce:
// that library's calls take no context, hide the reply headers (so no
// Sforce-Limit-Info), flatten errors to strings and bring a dependency,
// where Shortlist needs cancellation, typed errors, a request budget and
// tests against its own server (sync/salesforcetest).
package salesforce

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shortlisthq/shortlist/model"
	crmsync "github.com/shortlisthq/shortlist/sync"
	"github.com/shortlisthq/shortlist/sync/internal/httpx"
)

// Defaults.
const (
	DefaultLoginURL   = "https://login.salesforce.com"
	DefaultAPIVersion = "v60.0"
	DefaultDailyShare = 0.05
	// DefaultMeetingLength is how long a booked meeting is written as.
	DefaultMeetingLength = 30 * time.Minute
)

// Options configures a Client. Zero values take the defaults noted.
type Options struct {
	// InstanceURL is the org's host, https://<mydomain>.my.salesforce.com.
	InstanceURL string
	// LoginURL is where tokens are refreshed; "" → https://login.salesforce.com
	// (sandboxes: https://test.salesforce.com).
	LoginURL string
	// ClientID is the connected app's consumer key (needed to refresh).
	ClientID string
	// AccessToken is the session; never logged, never in an error.
	AccessToken string
	// RefreshToken, when set, renews an expired session.
	RefreshToken string
	// APIVersion, like "v60.0" or "60.0"; "" → DefaultAPIVersion. At least
	// 46.0 (collections upsert).
	APIVersion string
	// DailyShare is the most of the org's daily API requests this client
	// spends, 0 < share ≤ 1; 0 → 5%.
	DailyShare float64
	// OnRefresh is told the new access token after a refresh (to keep it
	// for the next run); nil → kept in memory only.
	OnRefresh func(accessToken string)

	HTTPClient    *http.Client
	Timeout       time.Duration // per request; 0 → 30 s
	MaxRetries    int           // 0 → 4; < 0 → none
	MeetingLength time.Duration // 0 → DefaultMeetingLength
	Now           func() time.Time
	Sleep         func(ctx context.Context, d time.Duration) error
	// Log, when set, is told each HTTP request's method, path, status and
	// duration (never a header, a query or a body); nil → nothing logged.
	Log *slog.Logger
}

// Client is a Salesforce CRM adapter. It is safe for concurrent use.
type Client struct {
	log           *slog.Logger // nil: off
	instance      string
	login         string
	clientID      string
	version       string
	share         float64
	hc            *http.Client
	tx            *httpx.Sender // one attempt, logged; built from hc and timeout
	timeout       time.Duration
	maxRetries    int
	meetingLength time.Duration
	now           func() time.Time
	sleep         func(context.Context, time.Duration) error
	onRefresh     func(string)
	refreshToken  string

	mu     sync.Mutex
	token  string
	usage  Usage
	spent  int
	fields map[string]map[string]describedField // object → field name → field
	ready  bool                                 // Prepare passed
}

var _ crmsync.CRM = (*Client)(nil)

// Usage is the org's API request count as the last reply reported it.
type Usage struct {
	Used, Max int // 0, 0: not yet known
	Spent     int // requests this client sent
}

var versionRE = regexp.MustCompile(`^v?(\d{2,3})\.(\d)$`)

// New returns a Client. It refuses plain http to any host but a loopback
// one, so a token never crosses a network unencrypted.
func New(o Options) (*Client, error) {
	inst, err := checkURL("instance_url", o.InstanceURL, "https://yourdomain.my.salesforce.com")
	if err != nil {
		return nil, err
	}
	login := strings.TrimSpace(o.LoginURL)
	if login == "" {
		login = DefaultLoginURL
	}
	if login, err = checkURL("login_url", login, DefaultLoginURL); err != nil {
		return nil, err
	}
	ver := strings.TrimSpace(o.APIVersion)
	if ver == "" {
		ver = DefaultAPIVersion
	}
	m := versionRE.FindStringSubmatch(ver)
	if m == nil {
		return nil, fmt.Errorf("salesforce: api_version %q is not a version like v60.0", model.Sanitize(ver))
	}
	if n, _ := strconv.Atoi(m[1]); n < 46 {
		return nil, fmt.Errorf("salesforce: api_version %s is too old: Shortlist needs 46.0 or later (collections upsert)", ver)
	}
	ver = "v" + m[1] + "." + m[2]
	tok := strings.TrimSpace(o.AccessToken)
	if tok == "" && strings.TrimSpace(o.RefreshToken) == "" {
		return nil, errors.New("salesforce: no token: run shortlist auth salesforce, or set SHORTLIST_SALESFORCE_ACCESS_TOKEN (e.g. from sf org display --json)")
	}
	for _, r := range tok + o.RefreshToken {
		if r < 0x21 || r > 0x7e {
			return nil, errors.New("salesforce: the token has spaces or control characters: copy it again")
		}
	}
	share := o.DailyShare
	if share == 0 {
		share = DefaultDailyShare
	}
	if share <= 0 || share > 1 {
		return nil, fmt.Errorf("salesforce: daily_share %v must be above 0 and at most 1 (0.05 is 5%%)", share)
	}
	c := &Client{
		log:      o.Log,
		instance: inst, login: login, clientID: strings.TrimSpace(o.ClientID), version: ver, share: share,
		hc: o.HTTPClient, timeout: o.Timeout, maxRetries: o.MaxRetries, meetingLength: o.MeetingLength,
		now: o.Now, sleep: o.Sleep, onRefresh: o.OnRefresh, refreshToken: strings.TrimSpace(o.RefreshToken), token: tok,
	}
	if c.hc == nil {
		c.hc = httpx.NewClient(60 * time.Second)
	}
	if c.timeout <= 0 {
		c.timeout = 30 * time.Second
	}
	c.tx = c.sender()
	switch {
	case c.maxRetries == 0:
		c.maxRetries = 4
	case c.maxRetries < 0:
		c.maxRetries = 0
	}
	if c.meetingLength <= 0 {
		c.meetingLength = DefaultMeetingLength
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.sleep == nil {
		c.sleep = httpx.Sleep
	}
	return c, nil
}

// checkURL accepts https, or plain http to a loopback host.
func checkURL(key, raw, example string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", fmt.Errorf("salesforce: no %s: set [crm] %s to your org's URL, like %s", key, key, example)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("salesforce: %s %q is not a URL like %s", key, redactURL(raw), example)
	}
	if u.User != nil {
		return "", fmt.Errorf("salesforce: %s must not carry credentials", key)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !model.Loopback(u.Hostname()) {
			return "", fmt.Errorf("salesforce: refusing plain http to %s: use https (plain http is allowed only for localhost)", u.Host)
		}
	default:
		return "", fmt.Errorf("salesforce: %s %q must start with https://", key, u.Redacted())
	}
	if u.Path != "" && u.Path != "/" || u.RawQuery != "" {
		return "", fmt.Errorf("salesforce: %s %q must be the host only, like %s", key, u.Redacted(), example)
	}
	return u.Scheme + "://" + u.Host, nil
}

func redactURL(s string) string {
	if i := strings.LastIndex(s, "@"); i >= 0 {
		s = s[i+1:]
	}
	if len(s) > 60 {
		s = s[:60] + "…"
	}
	return model.Sanitize(s)
}

// Name is "Salesforce".
func (c *Client) Name() string { return "Salesforce" }

// APIVersion is the REST version the client speaks, e.g. "v60.0".
func (c *Client) APIVersion() string { return c.version }

// Usage reports the org's request count as last seen and what this client
// spent.
func (c *Client) Usage() Usage {
	c.mu.Lock()
	defer c.mu.Unlock()
	u := c.usage
	u.Spent = c.spent
	return u
}

// Budget is the most requests this client will send: its share of the
// org's daily limit (0 until a reply has told the limit).
func (c *Client) Budget() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.budgetLocked()
}

func (c *Client) budgetLocked() int {
	if c.usage.Max == 0 {
		return 0
	}
	return max(1, int(c.share*float64(c.usage.Max)))
}

// sender is the client's attempt-sender: its HTTP client and timeout,
// its scrub and its debug log.
func (c *Client) sender() *httpx.Sender {
	return &httpx.Sender{HC: c.hc, Timeout: c.timeout, CRM: "Salesforce", Scrub: c.scrub, Log: c.log, LogMsg: "salesforce request"}
}
