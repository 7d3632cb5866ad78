// Package cli is Shortlist's scripting interface: `shortlist today`,
// `show`, `log` and the rest, in the manner of gh and Taskwarrior. It depends
// on model only; main.go hands it an Env that knows how to open the book.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/shortlisthq/shortlist/model"
)

// Exit statuses.
const (
	ExitOK      = 0
	ExitFailure = 1 // the command ran and failed: bad input, not found, database trouble
	ExitUsage   = 2 // the command line was wrong: unknown command or flag, missing argument
)

// Book is an opened store with the rules it was opened with.
type Book struct {
	Store    model.Store
	Settings model.Settings
	Profile  model.Profile
	Path     string
	Demo     bool
	// Notice is one line about opening the book to show once (a re-score
	// after the ICP changed): on stderr for a command, in the TUI's status
	// line. Empty: nothing to say.
	Notice string
	// ReadOnly says why the book opened read-only ("" : writable): reads
	// work, writes fail naming the file.
	ReadOnly string
	Close    func() error // nil: nothing to close
	// Syncer syncs the book with the CRM. main.go builds it lazily, so a
	// missing token or [crm] setting is reported by Sync, not by opening
	// the book. Nil: this build cannot sync.
	Syncer model.Syncer
}

// DemoOptions say what demo book to write.
type DemoOptions struct {
	Accounts int
	Seed     uint64
	Now      time.Time
	Progress func(done, total int) // accounts written so far; nil: quiet
}

// Env is everything the CLI needs from outside: where to write, the clock,
// the terminal, and how to open books. main.go fills it in; tests build one
// over a temporary book.
type Env struct {
	Stdout, Stderr io.Writer
	// Stdin is what `import … -` reads; nil: no standard input.
	Stdin io.Reader
	Now   func() time.Time
	// Terminal: stdin and stdout are both terminals, so a bare `shortlist`
	// starts the TUI.
	Terminal bool
	// Width of stdout in columns when it is a terminal; 0 when it is not,
	// and then tables are printed whole.
	Width int
	// StdoutTerminal: stdout is a terminal, so an export to it is
	// sanitised line by line (a file or a pipe gets the data exact).
	StdoutTerminal bool
	// Version is this build's version string; Schema its database schema.
	Version string
	Schema  int
	// Open opens the book the globals select (--demo, --db, --config).
	Open func(ctx context.Context, g Globals) (*Book, error)
	// WriteDemo writes a new demo book at path, refusing one that holds data.
	WriteDemo func(ctx context.Context, g Globals, path string, o DemoOptions) (*Book, error)
	// TUI runs the full-screen interface on an opened book.
	TUI func(ctx context.Context, b *Book) error
	// Setup wires init, config, auth and doctor; nil: not available.
	Setup *Setup
	// CheckCRM tries the stored token against the CRM (doctor);
	// CheckToken tries a token before auth stores it. Nil when this build
	// has no CRM adapter: the checks are then skipped, and say so.
	CheckCRM   func(ctx context.Context, g Globals) error
	CheckToken func(ctx context.Context, g Globals, token string) error
	// FixCRM adds to the CRM what Shortlist needs there and the rep's user
	// may add (doctor --fix: Salesforce's custom fields), returning what it
	// did in a line; nil when this build cannot.
	FixCRM func(ctx context.Context, g Globals) (string, error)
	// Edit opens text in the rep's editor on the terminal and returns what
	// was saved (log --edit); nil when there is no terminal.
	Edit func(text string) (string, error)
	// Page shows long output through the rep's pager (SHORTLIST_PAGER,
	// else PAGER, else less); nil when stdout is not a terminal or paging
	// is off. Height is the terminal's, for "long".
	Page   func(text []byte) error
	Height int
	// SalesforceLogin runs Salesforce's device flow: show is told the code
	// and the address for the rep, then it waits for the approval and
	// returns the refresh token, the org's instance URL and the config's
	// instance_url ("" when unset). Nil when this build has none.
	SalesforceLogin func(ctx context.Context, g Globals, show func(userCode, uri string)) (refresh, instanceURL, configured string, err error)
	// Debug is the debug log for the globals (--debug, SHORTLIST_DEBUG=1);
	// nil, or a nil logger: off. Each command run is written to it.
	Debug func(g Globals) *slog.Logger
}

// command is one subcommand: its help and how to run it.
type command struct {
	name    string
	args    string // e.g. "ACCOUNT_ID"
	summary string // one line, for the command list
	about   string // paragraphs for its own help
	example []string
	hidden  bool
	define  func(f *flags) func(ctx context.Context, c *call) error
}

// call is one run of a command.
type call struct {
	env  Env
	f    *flags
	args []string
	book *Book
	tui  bool // the call opens the TUI, which shows the book's notice itself
}

// open opens the book once per call.
func (c *call) open(ctx context.Context) (*Book, error) {
	if c.book != nil {
		return c.book, nil
	}
	b, err := c.env.Open(ctx, c.f.g)
	if err != nil {
		return nil, err
	}
	if b.Notice != "" && !c.tui {
		fmt.Fprintln(c.env.Stderr, "note: "+model.Display(b.Notice))
	}
	c.book = b
	return b, nil
}

func (c *call) now() time.Time {
	if c.env.Now != nil {
		return c.env.Now()
	}
	return time.Now()
}

// repNow is now in the rep's zone: "today" and typed dates are the rep's.
func (c *call) repNow(s model.Settings) time.Time {
	now := c.now()
	if s.RepZone != "" {
		if loc, err := time.LoadLocation(s.RepZone); err == nil {
			return now.In(loc)
		}
	}
	return now
}

func commands() []*command {
	// In the order a rep meets them: the day's work, moving data in and
	// out, setting up, then the rest.
	return []*command{
		todayCmd(), accountsCmd(), showCmd(), logCmd(), signalCmd(), searchCmd(),
		doneCmd(), skipCmd(), snoozeCmd(), undoCmd(),
		statsCmd(), syncCmd(), outboxCmd(), importCmd(), exportCmd(), backupCmd(),
		initCmd(), configCmd(), authCmd(), doctorCmd(),
		demoCmd(), versionCmd(), completionCmd(), manCmd(),
	}
}

func lookup(name string) *command {
	for _, c := range commands() {
		if c.name == name {
			return c
		}
	}
	return nil
}

// Run runs one command line (without the program name) and returns the exit
// status. Errors are one line on Stderr: "shortlist: <message>".
func Run(ctx context.Context, args []string, env Env) int {
	start := time.Now()
	var ran ranCommand
	err := run(ctx, args, env, &ran)
	code := ExitOK
	if err != nil {
		fmt.Fprintf(env.Stderr, "shortlist: %s\n", errorLine(err))
		code = ExitFailure
		var ue *UsageError
		if errors.As(err, &ue) {
			code = ExitUsage
		}
	}
	if env.Debug != nil {
		if l := env.Debug(ran.g); l != nil {
			logCommand(ctx, l, ran.name, args, code, err, time.Since(start))
		}
	}
	return code
}

// ranCommand is what run learnt of the command line, for the debug log.
type ranCommand struct {
	name string
	g    Globals
}

// maxErrorLine bounds the one error line: a message quoting a 1 MB cell or
// a 20,000-column header stays a line a person reads.
const maxErrorLine = 500

// errorLine is err as the one line Run prints: sanitised like everything
// else that reaches the terminal (SQLite's text, a trigger's RAISE message,
// a CRM's words, a typed argument are anyone's), on one line, bounded.
func errorLine(err error) string {
	return oneLine(err.Error())
}

func run(ctx context.Context, args []string, env Env, ran *ranCommand) error {
	if len(args) == 1 && (args[0] == "--version" || args[0] == "-version") {
		args = []string{"version"} // as git, gh and every GNU tool take it
	}
	name, rest := splitCommand(args)
	ran.name = name
	if name == "" && !(env.Terminal && env.TUI != nil) && !wantsHelp(rest) {
		name = "today" // not a terminal: print today, with any of its flags
	}
	if name == "" {
		f := newFlags("shortlist")
		pos, err := f.parse(rest)
		ran.name, ran.g = "tui", f.g
		if err != nil {
			return err
		}
		if len(pos) > 0 {
			return usagef("unknown command %q (see shortlist help)", pos[0])
		}
		if f.help {
			return printHelp(env.Stdout, "")
		}
		c := &call{env: env, f: f, tui: true}
		defer c.close()
		b, err := c.open(ctx)
		if err != nil {
			return err
		}
		return env.TUI(ctx, b)
	}
	if name == "help" {
		f := newFlags("help")
		pos, err := f.parse(rest)
		ran.g = f.g
		if err != nil {
			return err
		}
		if len(pos) > 1 {
			return usagef("help takes one command name (see shortlist help)")
		}
		topic := ""
		if len(pos) == 1 {
			topic = pos[0]
		}
		return paging(env, "help", f.g, func(env Env) error { return printHelp(env.Stdout, topic) })
	}
	cmd := lookup(name)
	if cmd == nil {
		if s := suggestCommand(name); s != "" {
			return usagef("unknown command %q: did you mean %s? (see shortlist help)", name, s)
		}
		return usagef("unknown command %q (see shortlist help)", name)
	}
	f := newFlags(name)
	runFn := cmd.define(f)
	pos, err := f.parse(rest)
	ran.name, ran.g = name, f.g
	if err != nil {
		return err
	}
	if f.help {
		return printHelp(env.Stdout, name)
	}
	c := &call{env: env, f: f, args: pos}
	defer c.close()
	return paging(env, name, f.g, func(env Env) error {
		c.env = env
		return runFn(ctx, c)
	})
}

// wantsHelp reports whether a command line without a command asks for help.
func wantsHelp(args []string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		if a == "-h" || a == "--help" || a == "-help" {
			return true
		}
	}
	return false
}

func (c *call) close() {
	if c.book != nil && c.book.Close != nil {
		if err := c.book.Close(); err != nil {
			fmt.Fprintf(c.env.Stderr, "shortlist: %s\n", errorLine(fmt.Errorf("close %s: %w", c.book.Path, err)))
		}
	}
}

// splitCommand finds the command name: the first argument that is neither a
// flag nor a flag's value. A flag before the command that takes a value (in
// any command) consumes the next argument.
func splitCommand(args []string) (string, []string) {
	valued := valueFlags()
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		if len(a) > 1 && a[0] == '-' {
			name := strings.TrimLeft(a, "-")
			if !strings.Contains(name, "=") && valued[name] {
				i++
			}
			continue
		}
		rest := append(append([]string{}, args[:i]...), args[i+1:]...)
		return a, rest
	}
	return "", args
}

// valueFlags are the names of every flag, in any command, that takes a value.
func valueFlags() map[string]bool {
	out := map[string]bool{}
	for _, cmd := range commands() {
		f := newFlags(cmd.name)
		cmd.define(f)
		f.fs.VisitAll(func(fl *flag.Flag) {
			if !isBool(fl) {
				out[fl.Name] = true
			}
		})
	}
	return out
}

func suggestCommand(name string) string {
	best, bestD := "", len(name)/3+2
	for _, c := range commands() {
		if c.hidden {
			continue
		}
		if d := levenshtein(name, c.name); d < bestD {
			best, bestD = c.name, d
		}
	}
	return best
}

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

const overview = `Shortlist: work your short list of ICP accounts from the terminal.

Run shortlist with no command to open the full-screen worklist (piped or
redirected, it prints shortlist today instead). The commands below do the same
work from scripts and the shell; each prints a table, or JSON with --json.

Usage:
  shortlist [command] [flags] [arguments]
`

const globalsHelp = `Global flags (every command):
  --demo           use the demo book (demo.db beside your real book, created on
                   first use); your real book is never touched
  --db PATH        the book to use (default $SHORTLIST_DB, else
                   $XDG_DATA_HOME/shortlist/shortlist.db)
  --config PATH    the config file (default $XDG_CONFIG_HOME/shortlist/config.toml;
                   a missing default file means the built-in defaults)
  --no-pager       print long output as it is; otherwise, on a terminal, output
                   taller than the screen goes through $SHORTLIST_PAGER, else
                   $PAGER, else less -FRX
  --debug          append the commands run, sync phases and CRM requests (never a
                   token) to $XDG_STATE_HOME/shortlist/shortlist.log; also on
                   with SHORTLIST_DEBUG=1 (shortlist doctor names the file)
  --crm NAME       with --demo: sync with an in-process hubspot (default) or
                   salesforce sandbox
  -h, --help       help for a command

Flags may come before or after arguments: shortlist show 42 --json.
"--" ends flags.

Exit status: 0 done; 1 the command failed (bad input, not found, database
trouble); 2 the command line was wrong (unknown command or flag, missing
argument).
`

func printHelp(w io.Writer, topic string) error {
	if topic == "" {
		fmt.Fprint(w, overview)
		fmt.Fprintln(w, "\nCommands:")
		var cs []*command
		for _, c := range commands() {
			if !c.hidden {
				cs = append(cs, c)
			}
		}
		for _, c := range cs {
			fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
		}
		fmt.Fprintf(w, "  %-10s %s\n", "help", "help for a command: shortlist help log")
		fmt.Fprintln(w, "\nExamples:")
		fmt.Fprintln(w, "  shortlist today --tier A            the day's A-tier actions, ranked")
		fmt.Fprintln(w, "  shortlist show 42                   account 42: fit, contacts, history")
		fmt.Fprintln(w, "  shortlist log --contact 7 --outcome no-answer")
		fmt.Fprintln(w, "  shortlist --demo                    try it all on a made-up book")
		fmt.Fprintln(w)
		fmt.Fprint(w, globalsHelp)
		return nil
	}
	cmd := lookup(topic)
	if cmd == nil {
		return usagef("no help for %q: it is not a command (see shortlist help)", topic)
	}
	f := newFlags(cmd.name)
	cmd.define(f)
	usage := "shortlist " + cmd.name + " [flags]"
	if cmd.args != "" {
		usage = "shortlist " + cmd.name + " " + cmd.args + " [flags]"
	}
	fmt.Fprintf(w, "%s\n\nUsage:\n  %s\n", cmd.about, usage)
	f.flagHelp(w)
	if len(cmd.example) > 0 {
		fmt.Fprintln(w, "\nExamples:")
		for _, e := range cmd.example {
			fmt.Fprintf(w, "  %s\n", e)
		}
	}
	fmt.Fprintln(w, "\nGlobal flags: --demo, --db PATH, --config PATH (see shortlist help).")
	return nil
}
