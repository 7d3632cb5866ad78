// Package hubspot is Shortlist's HubSpot adapter: crmsync.CRM over HubSpot's
// CRM API (v3 objects and properties, v4 associations). It keeps under the
// portal's rate limits on its own, retries what may pass (429 below the daily
// cap, 5xx, resets, timeouts) with backoff and jitter, makes every create
// idempotent on Shortlist's operation id, and never lets the token reach an
// error, a log line or a panic.
package hubspot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shortlisthq/shortlist/internal/filelock"
	"github.com/shortlisthq/shortlist/model"
	crmsync "github.com/shortlisthq/shortlist/sync"
	"github.com/shortlisthq/shortlist/sync/internal/httpx"
)

// DefaultBaseURL is HubSpot's API host.
const DefaultBaseURL = "https://api.hubapi.com"

// defaultSearchLag bounds how long HubSpot takes to make a new record
// searchable ("a few seconds" in its documentation).
const defaultSearchLag = 10 * time.Second

// Options configures a Client. Zero values take the defaults noted.
type Options struct {
	BaseURL         string        // "" → https://api.hubapi.com
	Token           string        // the private-app token; never logged, never in an error
	HTTPClient      *http.Client  // nil → a client with sane timeouts
	RequestsPer10s  int           // client-side limit; 0 → 90 (under the plan's 100); < 0 → none
	SearchPerSecond int           // 0 → 4; < 0 → none
	Timeout         time.Duration // per request; 0 → 20 s
	MaxRetries      int           // 0 → 5; < 0 → none
	Now             func() time.Time
	// Sleep waits d or until ctx ends; nil → a timer honouring ctx (tests
	// make backoff instant by passing one that returns at once).
	Sleep func(ctx context.Context, d time.Duration) error
	// SearchLag is how long HubSpot may take to make a new record
	// searchable; a create sent that recently by a sync that did not learn
	// its outcome is looked for only once it has passed. 0 → 10 s; < 0 →
	// no wait (tests of a search that never lags).
	SearchLag time.Duration
	// RateFile, when set, is a small file (created 0600) holding the times
	// of the last requests of the ten-second window, shared by every
	// adapter given the same path, in this process or another: a sync
	// started right after a killed one waits out what the killed one sent
	// instead of running into 429s. "" → this adapter's own window only.
	RateFile string
	// PortalID, when known, makes account CRM URLs without asking HubSpot;
	// "" → Connect asks the account-info API and leaves URLs empty if refused.
	PortalID string
	// MeetingLength is how long a booked meeting is written as (its end
	// time); 0 → DefaultMeetingLength.
	MeetingLength time.Duration
	// Log, when set, is told each HTTP request's method, path, status and
	// duration (never a header, a query or a body); nil → nothing logged.
	Log *slog.Logger
}

// Client is a HubSpot CRM adapter. It is safe for concurrent use.
type Client struct {
	log        *slog.Logger // nil: off
	base       string       // scheme://host[/prefix], no trailing slash
	token      string
	hc         *http.Client
	tx         *httpx.Sender // one attempt, logged; built from hc and timeout
	general    *window       // the ten-second limit
	search     *window       // the search limit
	timeout    time.Duration
	maxRetries int
	searchLag  time.Duration
	now        func() time.Time
	sleep      func(context.Context, time.Duration) error
	// meetingLength: see Options.MeetingLength.
	meetingLength time.Duration

	mu           sync.Mutex
	caps         crmsync.Capabilities
	prepared     bool
	assocTypes   map[string]int    // "calls/contacts" → association type id
	dispositions map[string]string // outcome → call disposition GUID
	portalID     string
	uiDomain     string
	zones        map[string]string // HubSpot zone value → IANA name ("" when unknown)
	owners       map[string]string // owner id → name ("" when HubSpot would not say)
}

var _ crmsync.CRM = (*Client)(nil)

// New returns a Client. It refuses an empty token and plain http to any host
// but a loopback one, so a token never crosses a network unencrypted.
func New(o Options) (*Client, error) {
	base := strings.TrimSpace(o.BaseURL)
	if base == "" {
		base = DefaultBaseURL
	}
	u, err := url.Parse(base)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("hubspot: base url %q is not a URL like https://api.hubapi.com", redactURL(base))
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !model.Loopback(u.Hostname()) { // the one rule, shared with config and the opener
			return nil, fmt.Errorf("hubspot: refusing plain http to %s: use https (plain http is allowed only for localhost)", u.Host)
		}
	default:
		return nil, fmt.Errorf("hubspot: base url %q must start with https://", u.Redacted())
	}
	if u.User != nil {
		return nil, fmt.Errorf("hubspot: base url %q must not carry credentials: the token goes in SHORTLIST_HUBSPOT_TOKEN", u.Redacted())
	}
	tok := strings.TrimSpace(o.Token)
	if tok == "" {
		return nil, errors.New("hubspot: no token: set SHORTLIST_HUBSPOT_TOKEN to the private app's access token")
	}
	for _, r := range tok {
		if r < 0x21 || r > 0x7e {
			return nil, errors.New("hubspot: the token has spaces or control characters: copy it again from the private app's settings")
		}
	}
	c := &Client{
		log:           o.Log,
		base:          strings.TrimRight(u.String(), "/"),
		token:         tok,
		hc:            o.HTTPClient,
		timeout:       o.Timeout,
		maxRetries:    o.MaxRetries,
		now:           o.Now,
		sleep:         o.Sleep,
		meetingLength: o.MeetingLength,
		searchLag:     o.SearchLag,
		portalID:      strings.TrimSpace(o.PortalID),
		uiDomain:      "app.hubspot.com",
		zones:         map[string]string{},
	}
	if c.hc == nil {
		c.hc = httpx.NewClient(30 * time.Second)
	}
	if c.timeout <= 0 {
		c.timeout = 20 * time.Second
	}
	c.tx = &httpx.Sender{HC: c.hc, Timeout: c.timeout, CRM: "HubSpot", Scrub: c.scrub, Log: c.log, LogMsg: "hubspot request"}
	switch {
	case c.maxRetries == 0:
		c.maxRetries = 5
	case c.maxRetries < 0:
		c.maxRetries = 0
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.searchLag == 0 {
		c.searchLag = defaultSearchLag
	}
	if c.sleep == nil {
		c.sleep = httpx.Sleep
	}
	switch {
	case o.RequestsPer10s == 0:
		c.general = newWindow(90, 10*time.Second)
	case o.RequestsPer10s > 0:
		c.general = newWindow(o.RequestsPer10s, 10*time.Second)
	}
	if c.general != nil {
		c.general.file = strings.TrimSpace(o.RateFile)
	}
	switch {
	case o.SearchPerSecond == 0:
		c.search = newWindow(4, time.Second)
	case o.SearchPerSecond > 0:
		c.search = newWindow(o.SearchPerSecond, time.Second)
	}
	return c, nil
}

// Name is "HubSpot".
func (c *Client) Name() string { return "HubSpot" }

// redactURL drops anything that could be a credential from a URL that did
// not parse, keeping enough for a person to recognise it.
func redactURL(s string) string {
	if i := strings.LastIndex(s, "@"); i >= 0 {
		s = s[i+1:]
	}
	if len(s) > 60 {
		s = s[:60] + "…"
	}
	return s
}

// window is a rolling-window limiter: at most n grants in any span of per.
// It keeps the last n grant times, so a grant waits until the oldest of them
// has left the window — HubSpot counts its ten-second limit the same way.
type window struct {
	mu     sync.Mutex
	per    time.Duration
	stamps []time.Time // ring of the last n grants
	next   int
	// file, when set, holds the window shared across processes (see
	// Options.RateFile); the ring is used only if the file cannot be.
	file string
}

func newWindow(n int, per time.Duration) *window {
	return &window{per: per, stamps: make([]time.Time, n)}
}

// wait blocks until a request may go, then counts it.
func (w *window) wait(ctx context.Context, now func() time.Time, sleep func(context.Context, time.Duration) error) error {
	if w == nil {
		return ctx.Err()
	}
	if w.file != "" {
		err := w.waitShared(ctx, now, sleep)
		if !errors.Is(err, errNoShare) {
			return err
		}
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		w.mu.Lock()
		t := now()
		oldest := w.stamps[w.next]
		if oldest.IsZero() || t.Sub(oldest) >= w.per {
			w.stamps[w.next] = t
			w.next = (w.next + 1) % len(w.stamps)
			w.mu.Unlock()
			return nil
		}
		d := w.per - t.Sub(oldest)
		w.mu.Unlock()
		if err := sleep(ctx, d); err != nil {
			return err
		}
	}
}

// errNoShare: the shared window's file cannot be used (permissions, a
// full disk); the adapter keeps its own window instead of failing a sync.
var errNoShare = errors.New("the shared rate window is not available")

// waitShared is wait over the window in w.file: under an exclusive lock on
// the file it reads the grant times still in the window, and either adds
// this one and writes them back, or learns how long until the oldest
// leaves and waits outside the lock.
func (w *window) waitShared(ctx context.Context, now func() time.Time, sleep func(context.Context, time.Duration) error) error {
	n := len(w.stamps)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		d, err := w.grantShared(now, n)
		if err != nil {
			return errNoShare
		}
		if d <= 0 {
			return nil
		}
		if err := sleep(ctx, d); err != nil {
			return err
		}
	}
}

// grantShared takes one grant from the shared window when it has room
// (returning 0) or says how long to wait.
func (w *window) grantShared(now func() time.Time, n int) (time.Duration, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	f, err := os.OpenFile(w.file, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	if err := filelock.Lock(f); err != nil {
		return 0, err
	}
	defer filelock.Unlock(f)
	b, err := io.ReadAll(io.LimitReader(f, 64<<10))
	if err != nil {
		return 0, err
	}
	t := now()
	var recent []int64
	for _, line := range strings.Fields(string(b)) {
		ms, err := strconv.ParseInt(line, 10, 64)
		if err != nil {
			continue // a damaged line only forgets a grant
		}
		if at := time.UnixMilli(ms); t.Sub(at) < w.per && !at.After(t.Add(w.per)) {
			recent = append(recent, ms)
		}
	}
	slices.Sort(recent)
	if len(recent) >= n {
		oldest := time.UnixMilli(recent[len(recent)-n])
		return max(w.per-t.Sub(oldest), time.Millisecond), nil
	}
	recent = append(recent, t.UnixMilli())
	var out strings.Builder
	for _, ms := range recent {
		out.WriteString(strconv.FormatInt(ms, 10))
		out.WriteByte('\n')
	}
	if err := f.Truncate(0); err != nil {
		return 0, err
	}
	if _, err := f.WriteAt([]byte(out.String()), 0); err != nil {
		return 0, err
	}
	return 0, nil
}
