package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/shortlisthq/shortlist/model"
)

// crms are the CRMs auth knows.
var crms = []string{"hubspot"}

func authCmd() *command {
	return &command{
		name: "auth", args: "hubspot|salesforce|status|logout", summary: "store, check or remove the CRM token",
		about: `auth hubspot reads a HubSpot private-app token without echo (or from a pipe)
and keeps it in the OS keyring; where there is none, in a 0600 file beside the
config file. SHORTLIST_HUBSPOT_TOKEN, when set, wins over both.
auth salesforce signs in with Salesforce's device flow: it prints a code and
an address, you approve in a browser, and the refresh token is kept the same
way ([crm] client_id names your team's connected app).
auth status says where the token lives, never the token. auth logout removes it.`,
		example: []string{"shortlist auth hubspot", "echo \"$HUBSPOT_TOKEN\" | shortlist auth hubspot", "shortlist auth status", "shortlist auth logout"},
		define: func(f *flags) func(context.Context, *call) error {
			asJSON := f.fs.Bool("json", false, "auth status: print where each token lives as JSON")
			return func(ctx context.Context, c *call) error {
				if len(c.args) != 1 {
					return usagef("auth needs one of hubspot, salesforce, status, logout (see shortlist auth --help)")
				}
				if *asJSON && c.args[0] != "status" {
					return usagef("--json goes with auth status only")
				}
				s, err := c.setup()
				if err != nil {
					return err
				}
				if s.Token == nil {
					return errors.New("token storage is not available in this build")
				}
				ts := s.Token(c.f.g)
				switch c.args[0] {
				case "hubspot":
					return authLogin(ctx, c, s, ts, "hubspot")
				case "salesforce":
					return authSalesforce(ctx, c, ts)
				case "status":
					if *asJSON {
						return authStatusJSON(c, ts)
					}
					return authStatus(c, s, ts)
				case "logout":
					return authLogout(c, s, ts)
				}
				if sg := suggestWord(c.args[0], append([]string{"status", "logout", "salesforce"}, crms...)); sg != "" {
					return usagef("unknown auth target %q: did you mean %s? (see shortlist auth --help)", c.args[0], sg)
				}
				return usagef("unknown auth target %q: use hubspot, salesforce, status or logout", c.args[0])
			}
		},
	}
}

func suggestWord(w string, words []string) string {
	best, bestD := "", len(w)/3+2
	for _, c := range words {
		if d := levenshtein(w, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// readToken reads the token: without echo from a terminal, else the first
// line of piped stdin.
func readToken(c *call, s *Setup) (string, error) {
	if s.StdinTerminal {
		if s.ReadPassword == nil {
			return "", errors.New("cannot read a token without echo here: pipe it in, like echo \"$T\" | shortlist auth hubspot")
		}
		fmt.Fprint(c.env.Stderr, "Paste your HubSpot private-app token (it is not shown): ")
		b, err := s.ReadPassword()
		fmt.Fprintln(c.env.Stderr)
		if err != nil {
			return "", fmt.Errorf("read token: %w", err)
		}
		return string(b), nil
	}
	if s.Stdin == nil {
		return "", errors.New("no token given: pipe it in, like echo \"$T\" | shortlist auth hubspot")
	}
	b, err := io.ReadAll(io.LimitReader(s.Stdin, 64<<10))
	if err != nil {
		return "", fmt.Errorf("read token from stdin: %w", err)
	}
	line, _, _ := strings.Cut(strings.TrimLeft(string(b), " \t\r\n"), "\n")
	return line, nil
}

func authLogin(ctx context.Context, c *call, s *Setup, ts TokenStore, crm string) error {
	raw, err := readToken(c, s)
	if err != nil {
		return err
	}
	token := strings.TrimSpace(raw)
	if token == "" {
		return errors.New("no token given: paste the whole token (HubSpot → Settings → Integrations → Private apps)")
	}
	verdict, err := checkToken(ctx, c, token)
	if err != nil {
		return err
	}
	src, err := ts.Save(crm, token)
	if err != nil {
		return errors.New(redact(err.Error(), token))
	}
	w := c.env.Stdout
	switch src {
	case "keyring":
		fmt.Fprintln(w, "stored the HubSpot token in the OS keyring")
	default:
		why := "the OS keyring cannot be used"
		if kp := ts.KeyringProblem(crm); kp != nil {
			why = kp.Error()
		}
		fmt.Fprintf(w, "stored the HubSpot token in %s (mode 0600): %s\n", ts.FilePath(crm), why)
	}
	if verdict.accepted {
		fmt.Fprintln(w, "HubSpot accepted it")
	}
	if verdict.warning != "" {
		fmt.Fprintln(c.env.Stderr, "warning: "+verdict.warning)
	}
	if s.getenv(ts.EnvVar(crm)) != "" {
		fmt.Fprintf(w, "note: %s is set and wins over the stored token; unset it to use this one\n", ts.EnvVar(crm))
	}
	return nil
}

// TokenWarning is what Env.CheckToken returns for a token that is to be
// stored although something needs the rep's attention: Accepted false when
// the CRM could not say (the config lacks what the check needs, the daily
// API cap is reached), true when it accepted the token but the config is
// wrong (no CRM user has the owner email). Msg says what to do. A CheckToken
// error wrapping model.ErrOffline (no network, a timeout, a 5xx) also stores
// the token, unchecked; any other error refuses it.
type TokenWarning struct {
	Accepted bool
	Msg      string
}

func (w *TokenWarning) Error() string { return w.Msg }

// tokenVerdict is what the check before storing found.
type tokenVerdict struct {
	accepted bool   // the CRM accepted the token
	warning  string // one line for stderr; "" when there is nothing to say
}

// checkToken asks the CRM about a token before auth stores it. An error
// means: do not store it (refused, or the rep cancelled).
func checkToken(ctx context.Context, c *call, token string) (tokenVerdict, error) {
	if c.env.CheckToken == nil {
		return tokenVerdict{warning: "not checked with HubSpot: this build has no CRM check"}, nil
	}
	fmt.Fprintln(c.env.Stderr, "checking the token with HubSpot…")
	err := c.env.CheckToken(ctx, c.f.g, token)
	var tw *TokenWarning
	switch {
	case err == nil:
		return tokenVerdict{accepted: true}, nil
	case ctx.Err() != nil || errors.Is(err, context.Canceled):
		return tokenVerdict{}, errors.New("auth cancelled while checking the token with HubSpot: it was not stored")
	case errors.As(err, &tw):
		return tokenVerdict{accepted: tw.Accepted, warning: oneLine(redact(model.Display(tw.Msg), token))}, nil
	case errors.Is(err, model.ErrOffline):
		return tokenVerdict{warning: "not checked with HubSpot, which could not be reached (" +
			oneLine(redact(model.Display(err.Error()), token)) + "): the token is stored; shortlist doctor checks it once you are online"}, nil
	}
	return tokenVerdict{}, fmt.Errorf("HubSpot did not accept the token, so it was not stored: %s", oneLine(redact(model.Display(err.Error()), token)))
}

// redact removes the token from text that may echo it (an HTTP error body).
func redact(text, token string) string {
	if token == "" {
		return text
	}
	return strings.ReplaceAll(text, token, "****")
}

func authStatus(c *call, s *Setup, ts TokenStore) error {
	w := c.env.Stdout
	var failed error
	for _, crm := range crms {
		src, detail, err := ts.Where(crm)
		switch {
		case err != nil:
			fmt.Fprintf(w, "%s: no token: %s\n", crm, oneLine(err.Error()))
			failed = fmt.Errorf("no usable %s token", crm)
		case src == "environment":
			fmt.Fprintf(w, "%s: token from the environment (%s); it wins over a stored one\n", crm, ts.EnvVar(crm))
		case src == "file":
			fmt.Fprintf(w, "%s: token in %s (mode 0600)\n", crm, detail)
		default:
			fmt.Fprintf(w, "%s: token in the OS keyring (service shortlist, user %s)\n", crm, crm)
		}
		if kp := ts.KeyringProblem(crm); kp != nil {
			fmt.Fprintf(w, "keyring: %s; tokens go to %s instead\n", oneLine(kp.Error()), ts.FilePath(crm))
		} else {
			fmt.Fprintln(w, "keyring: available")
		}
	}
	return failed
}

// AuthStatusJSON is `auth status --json`: where each CRM's token lives,
// never the token.
type AuthStatusJSON struct {
	CRM     string `json:"crm"`
	Source  string `json:"source"` // environment, file, keyring; "" when there is none
	Detail  string `json:"detail"` // the file's path, the variable's name
	Problem string `json:"problem"`
	Keyring string `json:"keyring"` // available, or why not
}

func authStatusJSON(c *call, ts TokenStore) error {
	var out []AuthStatusJSON
	var failed error
	for _, crm := range crms {
		src, detail, err := ts.Where(crm)
		j := AuthStatusJSON{CRM: crm, Source: src, Detail: detail, Keyring: "available"}
		if src == "environment" {
			j.Detail = ts.EnvVar(crm)
		}
		if err != nil {
			j.Source, j.Detail, j.Problem = "", "", oneLine(err.Error())
			failed = fmt.Errorf("no usable %s token", crm)
		}
		if kp := ts.KeyringProblem(crm); kp != nil {
			j.Keyring = oneLine(kp.Error())
		}
		out = append(out, j)
	}
	if err := writeJSON(c.env.Stdout, out); err != nil {
		return err
	}
	return failed
}

func authLogout(c *call, s *Setup, ts TokenStore) error {
	w := c.env.Stdout
	for _, crm := range crms {
		removed, err := ts.Remove(crm)
		if err != nil {
			return err
		}
		if len(removed) == 0 {
			fmt.Fprintf(w, "%s: no stored token to remove\n", crm)
		} else {
			fmt.Fprintf(w, "%s: removed the token from the %s\n", crm, strings.Join(removed, " and the "))
		}
		if s.getenv(ts.EnvVar(crm)) != "" {
			fmt.Fprintf(w, "%s is still set in your environment: unset it too\n", ts.EnvVar(crm))
		}
	}
	return nil
}

// authSalesforce signs in with the device flow and stores the refresh
// token like HubSpot's.
func authSalesforce(ctx context.Context, c *call, ts TokenStore) error {
	if c.env.SalesforceLogin == nil {
		return errors.New("Salesforce sign-in is not available in this build")
	}
	show := func(code, uri string) {
		fmt.Fprintf(c.env.Stderr, "Open %s and enter the code %s, then approve Shortlist. Waiting…\n", model.Display(uri), model.Display(code))
	}
	refresh, instance, configured, err := c.env.SalesforceLogin(ctx, c.f.g, show)
	if err != nil {
		if ctx.Err() != nil {
			return errors.New("auth cancelled: nothing was stored")
		}
		return err
	}
	src, err := ts.Save("salesforce", refresh)
	if err != nil {
		return errors.New(redact(err.Error(), refresh))
	}
	w := c.env.Stdout
	if src == "keyring" {
		fmt.Fprintln(w, "stored the Salesforce refresh token in the OS keyring")
	} else {
		fmt.Fprintf(w, "stored the Salesforce refresh token in %s (mode 0600)\n", ts.FilePath("salesforce"))
	}
	if instance != "" && !strings.EqualFold(strings.TrimRight(configured, "/"), instance) {
		fmt.Fprintf(w, "set [crm] instance_url = %q in config.toml (your org's address)\n", model.Display(instance))
	}
	return nil
}
