package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/shortlisthq/shortlist/model"
)

// Setup is what init, config, auth and doctor need from outside: main.go
// wires it to storage/config and storage/secret; tests fake it. A nil hook
// makes the command that needs it say it is not available.
type Setup struct {
	// ConfigPath is the config file the globals select: --config, else the
	// default path.
	ConfigPath func(g Globals) string
	// Template is the commented default config file shortlist init writes.
	Template func() string
	// WriteConfig writes a new config file (0600 in a 0700 directory),
	// refusing an existing one unless force; then it returns the backup path.
	WriteConfig func(path string, data []byte, force bool) (backup string, err error)
	// LoadConfig reads the effective configuration: the file (or the
	// defaults when the default file is missing) and the environment.
	LoadConfig func(g Globals) (ConfigView, error)
	// Token is where the CRM token is kept for the globals' config.
	Token func(g Globals) TokenStore
	// BookPath is the book the globals select.
	BookPath func(g Globals) string
	// BookSchema opens the book with the effective config and returns its
	// schema version.
	BookSchema func(ctx context.Context, g Globals) (int, error)
	// SystemZone is the machine's IANA zone name, "" when unknown.
	SystemZone func() string
	// Terminal describes the terminal stdout is on.
	Terminal func() TermInfo
	// Getenv reads the environment (nil: os.Getenv).
	Getenv func(string) string
	// Stdin is where auth reads a piped token; StdinTerminal says it is a
	// terminal, and then ReadPassword reads a line from it without echo.
	Stdin         io.Reader
	StdinTerminal bool
	ReadPassword  func() ([]byte, error)
	// DebugLog is the debug log file and whether this run writes to it
	// (--debug, SHORTLIST_DEBUG=1); nil: this build has none.
	DebugLog func(g Globals) (path string, on bool)
}

// ConfigView is the effective configuration as the setup commands show it.
type ConfigView struct {
	Path       string            // the file read; "" when only defaults
	TOML       string            // the configuration as a config file, secrets masked
	Tree       map[string]any    // the same, shaped for JSON
	Sources    map[string]string // section or key → file path, "default" or "environment (VAR)"
	RepZone    string
	CRMKind    string // "" when no CRM is configured
	OwnerEmail string
}

// TokenStore keeps the CRM token. It never hands the token to the CLI:
// Where says only where it is.
type TokenStore interface {
	// Where says where the CRM's token is found ("environment", "keyring",
	// "file"), with the file's path for "file"; an error when there is none
	// or the file is refused.
	Where(crm string) (source, detail string, err error)
	// Save stores a token and says where it went.
	Save(crm, token string) (source string, err error)
	// Remove deletes the stored token and says where it was.
	Remove(crm string) (removed []string, err error)
	// KeyringProblem says why the OS keyring cannot be used; nil when it can.
	KeyringProblem(crm string) error
	// EnvVar is the variable that overrides the stored token.
	EnvVar(crm string) string
	// FilePath is the fallback file's path.
	FilePath(crm string) string
}

// TermInfo describes a terminal for doctor.
type TermInfo struct {
	IsTerminal    bool
	Width, Height int
	Profile       string // "true color", "256 colors", "16 colors", "no colour"
}

func (c *call) setup() (*Setup, error) {
	if c.env.Setup == nil {
		return nil, errors.New("setup commands are not available in this build")
	}
	return c.env.Setup, nil
}

func (s *Setup) getenv(k string) string {
	if s.Getenv != nil {
		return s.Getenv(k)
	}
	return os.Getenv(k)
}

func initCmd() *command {
	return &command{
		name: "init", summary: "write a commented config file with every setting",
		about: `Write the config file: every setting at its default, each with a comment saying
what it means and what may be written, and your time zone filled in. Edit what
differs for you. It refuses to replace an existing file; --force replaces it and
keeps the old one as config.toml.bak.`,
		example: []string{"shortlist init", "shortlist init --config ./team.toml", "shortlist init --force"},
		define: func(f *flags) func(context.Context, *call) error {
			force := f.fs.Bool("force", false, "replace an existing config file (the old one is kept as .bak)")
			return func(ctx context.Context, c *call) error {
				if len(c.args) > 0 {
					return usagef("init takes flags only, got %q (see shortlist init --help)", c.args[0])
				}
				s, err := c.setup()
				if err != nil {
					return err
				}
				path := s.ConfigPath(c.f.g)
				backup, err := s.WriteConfig(path, []byte(s.Template()), *force)
				if err != nil {
					return err
				}
				fmt.Fprintf(c.env.Stdout, "wrote %s\n", path)
				if backup != "" {
					fmt.Fprintf(c.env.Stdout, "  the old file is kept as %s\n", backup)
				}
				fmt.Fprintln(c.env.Stdout, "next: set your name and email under [rep], check the ICP under [icp], then run shortlist doctor")
				return nil
			}
		},
	}
}

// ConfigJSON is `config show --json`.
type ConfigJSON struct {
	Path    string            `json:"path"` // "" when only defaults are in effect
	Sources map[string]string `json:"sources"`
	Config  map[string]any    `json:"config"`
}

func configCmd() *command {
	return &command{
		name: "config", args: "show|path", summary: "print the effective configuration, or its path",
		about: `config show prints the configuration in effect: the config file, with the
environment overrides SHORTLIST_HUBSPOT_OWNER_EMAIL and SHORTLIST_HUBSPOT_BASE_URL
applied, as TOML (secrets masked), with where each section came from. config path
prints the config file's path.`,
		example: []string{"shortlist config show", "shortlist config show --json | jq .sources", "$EDITOR \"$(shortlist config path)\""},
		define: func(f *flags) func(context.Context, *call) error {
			asJSON := f.fs.Bool("json", false, "print as JSON")
			return func(ctx context.Context, c *call) error {
				if len(c.args) != 1 || (c.args[0] != "show" && c.args[0] != "path") {
					return usagef("config needs show or path, like shortlist config show (see shortlist config --help)")
				}
				s, err := c.setup()
				if err != nil {
					return err
				}
				if c.args[0] == "path" {
					if *asJSON {
						return writeJSON(c.env.Stdout, struct {
							Path string `json:"path"`
						}{s.ConfigPath(c.f.g)})
					}
					fmt.Fprintln(c.env.Stdout, s.ConfigPath(c.f.g))
					return nil
				}
				v, err := s.LoadConfig(c.f.g)
				if err != nil {
					return err
				}
				if *asJSON {
					return writeJSON(c.env.Stdout, ConfigJSON{Path: v.Path, Sources: v.Sources, Config: v.Tree})
				}
				w := c.env.Stdout
				if v.Path != "" {
					fmt.Fprintf(w, "# file: %s\n", v.Path)
				} else {
					fmt.Fprintf(w, "# file: none (%s does not exist): every setting is the default\n", s.ConfigPath(c.f.g))
				}
				fmt.Fprintln(w, "# where each part comes from:")
				for _, k := range slices.Sorted(maps.Keys(v.Sources)) {
					fmt.Fprintf(w, "#   %-16s %s\n", k, v.Sources[k])
				}
				fmt.Fprintln(w)
				fmt.Fprint(w, v.TOML)
				return nil
			}
		},
	}
}

// oneLine makes text safe to print on one terminal line: sanitised
// (model.Display), its runs of spaces and line breaks one space, at most
// maxErrorLine characters (a config value or a reply can be 1 MB).
func oneLine(s string) string {
	return model.Shorten(strings.Join(strings.Fields(model.Display(s)), " "), maxErrorLine)
}
