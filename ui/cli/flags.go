package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// UsageError is a command line that could not be understood: an unknown
// command or flag, a missing argument. It exits with status 2.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

func usagef(format string, args ...any) error {
	return &UsageError{Msg: fmt.Sprintf(format, args...)}
}

// badValue makes a flag value's parse error a usage error: a bad flag value
// exits 2 whichever flag it is.
func badValue(err error) error { return &UsageError{Msg: err.Error()} }

// Globals are the flags every command accepts.
type Globals struct {
	Demo   bool   // use the demo book beside the real one
	DB     string // --db; "" means SHORTLIST_DB or the default path
	Config string // --config; "" means the default path
	CRM    string // --crm: with --demo, the demo CRM ("hubspot" or "salesforce"); "" means [crm] kind, else HubSpot
	// Create is not a flag: the command makes a book when there is none
	// (import, sync). Every other command refuses a missing book, so a
	// mistyped --db creates nothing.
	Create bool
	// NoPager: print long output as it is, not through the pager.
	NoPager bool
	// Debug: append this run's commands, sync phases and CRM requests to
	// the debug log (also on with SHORTLIST_DEBUG=1).
	Debug bool
}

// flags is one command's flag set: the standard flag package holds the values
// and defaults; parse (below) adds what it lacks: flags anywhere among the
// positional arguments, "--" to end flags, and gh-style errors.
type flags struct {
	cmd  string
	fs   *flag.FlagSet
	help bool
	g    Globals
}

func newFlags(cmd string) *flags {
	f := &flags{cmd: cmd, fs: flag.NewFlagSet(cmd, flag.ContinueOnError)}
	f.fs.SetOutput(io.Discard)
	f.fs.BoolVar(&f.help, "help", false, "show this help")
	f.fs.BoolVar(&f.help, "h", false, "show this help")
	f.fs.BoolVar(&f.g.Demo, "demo", false, "use the demo book (demo.db beside your real one); your real book is never touched")
	f.fs.StringVar(&f.g.DB, "db", "", "the book to use (default $SHORTLIST_DB, else ~/.local/share/shortlist/shortlist.db)")
	f.fs.StringVar(&f.g.Config, "config", "", "the config file (default ~/.config/shortlist/config.toml)")
	f.fs.BoolVar(&f.g.NoPager, "no-pager", false, "print long output as it is, not through $PAGER")
	f.fs.BoolVar(&f.g.Debug, "debug", false, "append what this run does to the debug log ($XDG_STATE_HOME/shortlist/shortlist.log)")
	f.fs.StringVar(&f.g.CRM, "crm", "", "with --demo: the demo CRM to sync with, hubspot or salesforce")
	return f
}

// helpRef is where to read about this command's flags.
func (f *flags) helpRef() string {
	if f.cmd == "shortlist" || f.cmd == "help" {
		return "shortlist help"
	}
	return "shortlist " + f.cmd + " --help"
}

type boolFlag interface{ IsBoolFlag() bool }

func isBool(fl *flag.Flag) bool {
	b, ok := fl.Value.(boolFlag)
	return ok && b.IsBoolFlag()
}

// parse reads args in any order: flags may come before, between or after
// positional arguments, as --name=value or --name value (or -name); "--" ends
// flags.
func (f *flags) parse(args []string) ([]string, error) {
	var pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' || isNumber(a) {
			pos = append(pos, a)
			continue
		}
		name := strings.TrimLeft(a, "-")
		value, hasValue := "", false
		if k, v, ok := strings.Cut(name, "="); ok {
			name, value, hasValue = k, v, true
		}
		fl := f.fs.Lookup(name)
		if fl == nil || name == "" {
			return nil, usagef("unknown flag %s for %q (see %s)", dashes(a), f.cmd, f.helpRef())
		}
		if !hasValue {
			if isBool(fl) {
				value = "true"
			} else if i+1 < len(args) {
				i++
				value = args[i]
			} else {
				return nil, usagef("flag --%s for %q needs a value (see %s)", name, f.cmd, f.helpRef())
			}
		}
		if err := f.fs.Set(name, value); err != nil {
			return nil, usagef("invalid value %q for --%s: %s (see %s)", value, name, flagValueHint(fl), f.helpRef())
		}
	}
	switch c := strings.ToLower(strings.TrimSpace(f.g.CRM)); {
	case c != "" && c != "hubspot" && c != "salesforce":
		return nil, usagef("invalid value %q for --crm: the demo syncs with hubspot or salesforce", f.g.CRM)
	case c != "" && !f.g.Demo:
		return nil, usagef("--crm picks the demo's CRM and needs --demo: for your book, set [crm] kind in config.toml")
	}
	return pos, nil
}

// flagValueHint says what kind of value a flag wants.
func flagValueHint(fl *flag.Flag) string {
	if _, ok := fl.Value.(interface{ decimal() }); ok {
		return "want a whole number in decimal digits, like 42"
	}
	switch fmt.Sprintf("%T", fl.Value) {
	case "*flag.intValue", "*flag.int64Value", "*flag.uintValue", "*flag.uint64Value":
		return "want a whole number"
	case "*flag.boolValue":
		return "want true or false"
	case "*flag.durationValue":
		return "want a duration like 5m or 1h30m"
	}
	return "not understood"
}

// decimalValue is an integer flag read in base 10 only. The flag package's
// Int, Int64 and Uint64 read base 0, so "--contact 010" was contact 8 and
// "0x10" was 16: a typed id must mean the number it shows.
type decimalValue[T int | int64 | uint64] struct{ p *T }

func (d decimalValue[T]) decimal() {}

func (d decimalValue[T]) String() string {
	if d.p == nil {
		return "0"
	}
	return strconv.FormatUint(uint64(*d.p), 10)
}

func (d decimalValue[T]) Set(s string) error {
	n, err := parseDecimal(s)
	if err != nil {
		return err
	}
	var max uint64 = math.MaxUint64
	switch any(*d.p).(type) {
	case int:
		max = math.MaxInt
	case int64:
		max = math.MaxInt64
	}
	if n > max {
		return strconv.ErrRange
	}
	*d.p = T(n)
	return nil
}

// errNotDecimal: a number was not written in decimal digits.
var errNotDecimal = errors.New("not a decimal number")

// parseDecimal reads a whole number written in decimal digits only: no sign,
// no 0x, 0o or 0b prefix, no underscores, no spaces. Leading zeros are
// decimal ("010" is ten), never octal.
func parseDecimal(s string) (uint64, error) {
	if s == "" || len(s) > 40 {
		return 0, errNotDecimal
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, errNotDecimal
		}
	}
	return strconv.ParseUint(s, 10, 64)
}

// int, int64 and uint64 define decimal-only integer flags; every number
// flag of every command goes through one of them, never f.fs.Int and kin.
func (f *flags) int(name string, value int, usage string) *int {
	p := &value
	f.fs.Var(decimalValue[int]{p}, name, usage)
	return p
}

func (f *flags) int64(name string, value int64, usage string) *int64 {
	p := &value
	f.fs.Var(decimalValue[int64]{p}, name, usage)
	return p
}

func (f *flags) uint64(name string, value uint64, usage string) *uint64 {
	p := &value
	f.fs.Var(decimalValue[uint64]{p}, name, usage)
	return p
}

// dashes shows a flag as the user should have typed it, without its value.
func dashes(a string) string {
	k, _, _ := strings.Cut(a, "=")
	return k
}

func isNumber(s string) bool {
	if len(s) < 2 || (s[0] != '-' && s[0] != '+') {
		return false
	}
	for _, r := range s[1:] {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// flagHelp lists a command's own flags (globals are described once, in
// shortlist help).
func (f *flags) flagHelp(w io.Writer) {
	global := map[string]bool{"help": true, "h": true, "demo": true, "db": true, "config": true, "no-pager": true, "crm": true, "debug": true}
	var lines [][2]string
	f.fs.VisitAll(func(fl *flag.Flag) {
		if global[fl.Name] {
			return
		}
		left := "--" + fl.Name
		if !isBool(fl) {
			left += " " + placeholder(fl)
		}
		_, usage := flag.UnquoteUsage(fl)
		if fl.DefValue != "" && fl.DefValue != "0" && fl.DefValue != "0s" && fl.DefValue != "false" {
			usage += " (default " + fl.DefValue + ")"
		}
		lines = append(lines, [2]string{left, usage})
	})
	if len(lines) == 0 {
		return
	}
	fmt.Fprintln(w, "\nFlags:")
	width := 0
	for _, l := range lines {
		width = max(width, len(l[0]))
	}
	for _, l := range lines {
		text := wrap(l[1], max(30, 78-width-4))
		text = strings.ReplaceAll(text, "\n", "\n"+strings.Repeat(" ", width+4))
		fmt.Fprintf(w, "  %-*s  %s\n", width, l[0], text)
	}
}

// placeholder is the word shown for a flag's value: the first `quoted` word
// of its usage, as the flag package does, else VALUE.
func placeholder(fl *flag.Flag) string {
	name, _ := flag.UnquoteUsage(fl)
	switch name {
	case "", "value", "string":
		return strings.ToUpper(fl.Name)
	case "int", "uint":
		return "N"
	}
	return strings.ToUpper(name)
}

// wrap breaks text into lines of at most width columns, at spaces.
func wrap(text string, width int) string {
	var out []string
	for _, para := range strings.Split(text, "\n") {
		line := ""
		for _, word := range strings.Fields(para) {
			switch {
			case line == "":
				line = word
			case len([]rune(line))+1+len([]rune(word)) > width:
				out = append(out, line)
				line = word
			default:
				line += " " + word
			}
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}
