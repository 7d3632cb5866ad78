package model

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// CheckWebURL reports whether raw is a web address Shortlist may hand to
// the system opener or send the CRM token to: https, or plain http only to
// this machine (127.0.0.0/8, ::1, localhost), where nothing crosses a
// network. It refuses anything else with the reason, in words that follow
// "not opened: " or a config key: file:, javascript: and every other
// scheme, a value starting with "-" (an opener reads it as an option, like
// --manual), and a value with spaces or controls in it.
//
// The rule lives here once, so the TUI's opener and the config's base_url
// cannot drift apart: a CSV's "Record URL" and a config file are both text
// someone else may have written.
func CheckWebURL(raw string) error {
	switch {
	case raw == "":
		return errors.New("the address is empty")
	case strings.HasPrefix(raw, "-"):
		return errors.New("it starts with -, which an opener would read as an option")
	case strings.IndexFunc(raw, func(r rune) bool { return r <= ' ' || r == 0x7f || (r >= 0x80 && r <= 0x9f) || IsBidiControl(r) }) >= 0:
		return errors.New("it holds spaces or control characters")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" {
		return errors.New("it is not a web address")
	}
	scheme := strings.ToLower(u.Scheme)
	switch {
	case scheme != "https" && scheme != "http":
		if scheme == "" {
			return errors.New("it is not a web address: write it like https://app.hubspot.com/…")
		}
		return fmt.Errorf("only https addresses are used, not %s:", Sanitize(scheme))
	case u.Host == "" || u.Hostname() == "":
		return errors.New("it has no host: write it like https://app.hubspot.com/…")
	case scheme == "http" && !Loopback(u.Hostname()):
		return fmt.Errorf("plain http to %s is unencrypted: use https (plain http is only for this machine: 127.0.0.1, ::1, localhost)", Sanitize(u.Hostname()))
	}
	return nil
}

// Loopback reports whether host (a URL's host name, without port or
// brackets) names this machine: localhost, 127.0.0.0/8 or ::1.
func Loopback(host string) bool {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}
