package salesforce

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/shortlisthq/shortlist/model"
	crmsync "github.com/shortlisthq/shortlist/sync"
	"github.com/shortlisthq/shortlist/sync/internal/httpx"
)

// DeviceCode is Salesforce's answer to a device-flow start: the rep opens
// VerificationURI and types UserCode.
type DeviceCode struct {
	UserCode        string
	VerificationURI string
	Interval        time.Duration
	deviceCode      string
}

// Tokens is what an approved device flow yields.
type Tokens struct {
	AccessToken  string
	RefreshToken string
	InstanceURL  string
}

// DeviceOptions configures the device flow.
type DeviceOptions struct {
	LoginURL   string // "" → https://login.salesforce.com
	ClientID   string
	HTTPClient *http.Client
	Sleep      func(ctx context.Context, d time.Duration) error
	// MaxWait bounds the whole poll; 0 → 10 minutes.
	MaxWait time.Duration
	Now     func() time.Time
}

// deviceClient is a Client that only speaks OAuth.
func deviceClient(o DeviceOptions) (*Client, error) {
	if strings.TrimSpace(o.ClientID) == "" {
		return nil, errors.New("salesforce: no client_id: set [crm] client_id to the consumer key of your team's connected app (its admin enables the device flow on it)")
	}
	login := o.LoginURL
	if login == "" {
		login = DefaultLoginURL
	}
	login, err := checkURL("login_url", login, DefaultLoginURL)
	if err != nil {
		return nil, err
	}
	c := &Client{login: login, clientID: strings.TrimSpace(o.ClientID), hc: o.HTTPClient, timeout: 30 * time.Second, sleep: o.Sleep, now: o.Now}
	if c.hc == nil {
		c.hc = &http.Client{}
	}
	if c.sleep == nil {
		c.sleep = httpx.Sleep
	}
	if c.now == nil {
		c.now = time.Now
	}
	c.tx = c.sender()
	return c, nil
}

type oauthReply struct {
	DeviceCode      string `json:"device_code"`
	UserCode        string `json:"user_code"`
	VerificationURI string `json:"verification_uri"`
	Interval        int    `json:"interval"`
	AccessToken     string `json:"access_token"`
	RefreshToken    string `json:"refresh_token"`
	InstanceURL     string `json:"instance_url"`
	Error           string `json:"error"`
	Description     string `json:"error_description"`
}

// StartDevice asks Salesforce for a device code.
func StartDevice(ctx context.Context, o DeviceOptions) (DeviceCode, error) {
	c, err := deviceClient(o)
	if err != nil {
		return DeviceCode{}, err
	}
	const op = "start the Salesforce device login"
	var r oauthReply
	form := url.Values{"response_type": {"device_code"}, "client_id": {c.clientID}, "scope": {"api refresh_token"}}
	status, err := c.postForm(ctx, c.login+"/services/oauth2/token", form, &r)
	if err != nil {
		return DeviceCode{}, fmt.Errorf("%s: %w", op, err)
	}
	if status != http.StatusOK || r.DeviceCode == "" || r.UserCode == "" {
		return DeviceCode{}, fmt.Errorf("%s: Salesforce refused (%s: %s): check [crm] client_id and that the connected app has the device flow enabled",
			op, text(r.Error), text(r.Description))
	}
	vu, err := url.Parse(r.VerificationURI)
	if err != nil || vu.Scheme != "https" && !(vu.Scheme == "http" && model.Loopback(vu.Hostname())) {
		return DeviceCode{}, protocol(op, status, "the verification address is not an https URL")
	}
	iv := time.Duration(r.Interval) * time.Second
	if iv < time.Second || iv > time.Minute {
		iv = 5 * time.Second
	}
	return DeviceCode{UserCode: text(r.UserCode), VerificationURI: vu.String(), Interval: iv, deviceCode: r.DeviceCode}, nil
}

// PollDevice waits until the rep approves (or denies) the device code,
// polling at the interval Salesforce gave and backing off on slow_down.
// It sends Salesforce's documented poll (grant_type=device, code=…) and,
// where an org answers that the grant is unsupported, RFC 8628's form
// (urn:ietf:params:oauth:grant-type:device_code, device_code=…).
func PollDevice(ctx context.Context, o DeviceOptions, dc DeviceCode) (Tokens, error) {
	c, err := deviceClient(o)
	if err != nil {
		return Tokens{}, err
	}
	const op = "wait for the Salesforce login"
	wait := o.MaxWait
	if wait <= 0 {
		wait = 10 * time.Minute
	}
	deadline := c.now().Add(wait)
	iv := dc.Interval
	rfc := false
	for {
		if err := c.sleep(ctx, iv); err != nil {
			return Tokens{}, fmt.Errorf("%s: %w", op, err)
		}
		form := url.Values{"grant_type": {"device"}, "client_id": {c.clientID}, "code": {dc.deviceCode}}
		if rfc {
			form = url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"}, "client_id": {c.clientID}, "device_code": {dc.deviceCode}}
		}
		var r oauthReply
		status, err := c.postForm(ctx, c.login+"/services/oauth2/token", form, &r)
		if err != nil {
			return Tokens{}, fmt.Errorf("%s: %w", op, err)
		}
		switch {
		case status == http.StatusOK && r.AccessToken != "":
			if r.RefreshToken == "" {
				return Tokens{}, fmt.Errorf("%s: Salesforce gave no refresh token: the connected app needs the refresh_token (offline access) scope", op)
			}
			return Tokens{AccessToken: r.AccessToken, RefreshToken: r.RefreshToken, InstanceURL: strings.TrimRight(r.InstanceURL, "/")}, nil
		case r.Error == "authorization_pending":
		case r.Error == "slow_down":
			iv = min(iv*2, time.Minute)
		case (r.Error == "unsupported_grant_type" || r.Error == "invalid_request") && !rfc:
			rfc = true
			continue
		case r.Error == "access_denied":
			return Tokens{}, fmt.Errorf("%s: %w: the login was denied in the browser", op, crmsync.ErrUnauthorized)
		case r.Error == "expired_token" || r.Error == "invalid_grant":
			return Tokens{}, fmt.Errorf("%s: the code expired before it was approved: run shortlist auth salesforce again", op)
		default:
			return Tokens{}, fmt.Errorf("%s: Salesforce refused (HTTP %d %s: %s)", op, status, text(r.Error), c.scrub(text(r.Description)))
		}
		if c.now().After(deadline) {
			return Tokens{}, fmt.Errorf("%s: not approved within %s: run shortlist auth salesforce again", op, wait)
		}
	}
}
