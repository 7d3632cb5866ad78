package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
)

// The shell completions and the man page are written from the same command
// table (commands()) and flag sets the help text comes from, so a command
// or flag added there appears in all three.

// cmdFlags are a command's flags as its help lists them, the globals
// (help, demo, db, config) last.
func cmdFlags(cmd *command) []*flag.Flag {
	f := newFlags(cmd.name)
	cmd.define(f)
	var own, global []*flag.Flag
	f.fs.VisitAll(func(fl *flag.Flag) {
		switch fl.Name {
		case "h":
		case "help", "demo", "db", "config", "no-pager", "debug":
			global = append(global, fl)
		default:
			own = append(own, fl)
		}
	})
	return append(own, global...)
}

func visibleCommands() []*command {
	var out []*command
	for _, c := range commands() {
		if !c.hidden {
			out = append(out, c)
		}
	}
	return out
}

func completionCmd() *command {
	return &command{
		name: "completion", args: "bash|zsh|fish", summary: "print a shell completion script",
		about: `Print a completion script for bash, zsh or fish: commands, their flags and
the words some of them take, from the same table as this help.`,
		example: []string{`source <(shortlist completion bash)`, `shortlist completion zsh > "${fpath[1]}/_shortlist"`,
			"shortlist completion fish > ~/.config/fish/completions/shortlist.fish"},
		define: func(f *flags) func(context.Context, *call) error {
			return func(ctx context.Context, c *call) error {
				if len(c.args) != 1 {
					return usagef("completion needs one of bash, zsh, fish (see shortlist completion --help)")
				}
				switch c.args[0] {
				case "bash":
					writeBash(c.env.Stdout)
				case "zsh":
					writeZsh(c.env.Stdout)
				case "fish":
					writeFish(c.env.Stdout)
				default:
					return usagef("unknown shell %q: use bash, zsh or fish", c.args[0])
				}
				return nil
			}
		},
	}
}

// cmdWords are the fixed first arguments some commands take.
var cmdWords = map[string]string{
	"config": "show path", "auth": "hubspot status logout", "completion": "bash zsh fish",
	"import": "accounts contacts", "export": "accounts contacts touches tasks", "help": "",
}

func writeBash(w io.Writer) {
	var names []string
	for _, c := range visibleCommands() {
		names = append(names, c.name)
	}
	fmt.Fprintf(w, "# bash completion for shortlist (shortlist completion bash)\n_shortlist() {\n")
	fmt.Fprintf(w, "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" cmd=\"\" w\n")
	fmt.Fprintf(w, "  for w in \"${COMP_WORDS[@]:1:COMP_CWORD-1}\"; do case \"$w\" in -*) ;; *) cmd=\"$w\"; break;; esac; done\n")
	fmt.Fprintf(w, "  case \"$cmd\" in\n")
	fmt.Fprintf(w, "    \"\") COMPREPLY=($(compgen -W \"%s help --demo --db --config --help --version\" -- \"$cur\"));;\n", strings.Join(names, " "))
	for _, c := range visibleCommands() {
		var opts []string
		for _, fl := range cmdFlags(c) {
			opts = append(opts, "--"+fl.Name)
		}
		words := cmdWords[c.name]
		fmt.Fprintf(w, "    %s) COMPREPLY=($(compgen -W \"%s\" -- \"$cur\"));;\n", c.name, strings.TrimSpace(words+" "+strings.Join(opts, " ")))
	}
	fmt.Fprintf(w, "    help) COMPREPLY=($(compgen -W \"%s\" -- \"$cur\"));;\n", strings.Join(names, " "))
	fmt.Fprintf(w, "  esac\n}\ncomplete -o default -F _shortlist shortlist\n")
}

// shellQuote makes help text safe inside a single-quoted shell word.
func shellQuote(s string) string { return strings.ReplaceAll(s, "'", `'\''`) }

// plainUsage is a flag's usage without the `NAME` back quotes.
func plainUsage(fl *flag.Flag) string {
	_, u := flag.UnquoteUsage(fl)
	if i := strings.IndexAny(u, "\n"); i >= 0 {
		u = u[:i]
	}
	return u
}

func writeZsh(w io.Writer) {
	fmt.Fprintf(w, "#compdef shortlist\n# zsh completion for shortlist (shortlist completion zsh)\n_shortlist() {\n")
	fmt.Fprintf(w, "  local -a cmds\n  cmds=(\n")
	for _, c := range visibleCommands() {
		fmt.Fprintf(w, "    '%s:%s'\n", c.name, shellQuote(strings.ReplaceAll(c.summary, ":", `\:`)))
	}
	fmt.Fprintf(w, "    'help:help for a command'\n  )\n")
	fmt.Fprintf(w, "  if (( CURRENT == 2 )); then _describe command cmds; return; fi\n")
	fmt.Fprintf(w, "  case $words[2] in\n")
	for _, c := range visibleCommands() {
		fmt.Fprintf(w, "    %s) _arguments", c.name)
		for _, fl := range cmdFlags(c) {
			u := shellQuote(strings.NewReplacer("[", `\[`, "]", `\]`, ":", `\:`).Replace(plainUsage(fl)))
			if isBool(fl) {
				fmt.Fprintf(w, " '--%s[%s]'", fl.Name, u)
			} else {
				fmt.Fprintf(w, " '--%s=[%s]:value:'", fl.Name, u)
			}
		}
		if words := cmdWords[c.name]; words != "" {
			fmt.Fprintf(w, " '1:word:(%s)'", words)
		}
		fmt.Fprintf(w, " '*:file:_files';;\n")
	}
	fmt.Fprintf(w, "    help) _describe command cmds;;\n  esac\n}\n_shortlist \"$@\"\n")
}

func writeFish(w io.Writer) {
	fmt.Fprintf(w, "# fish completion for shortlist (shortlist completion fish)\ncomplete -c shortlist -f\n")
	var names []string
	for _, c := range visibleCommands() {
		names = append(names, c.name)
	}
	cond := "not __fish_seen_subcommand_from " + strings.Join(names, " ") + " help"
	for _, c := range visibleCommands() {
		fmt.Fprintf(w, "complete -c shortlist -n '%s' -a %s -d '%s'\n", cond, c.name, shellQuote(c.summary))
	}
	fmt.Fprintf(w, "complete -c shortlist -n '%s' -a help -d 'help for a command'\n", cond)
	for _, c := range visibleCommands() {
		seen := "__fish_seen_subcommand_from " + c.name
		for _, word := range strings.Fields(cmdWords[c.name]) {
			fmt.Fprintf(w, "complete -c shortlist -n '%s' -a %s\n", seen, word)
		}
		for _, fl := range cmdFlags(c) {
			req := ""
			if !isBool(fl) {
				req = " -r"
			}
			fmt.Fprintf(w, "complete -c shortlist -n '%s' -l %s%s -d '%s'\n", seen, fl.Name, req, shellQuote(plainUsage(fl)))
		}
	}
}

func manCmd() *command {
	return &command{
		name: "man", summary: "print the manual page (roff)",
		about: `Print Shortlist's manual page in roff, from the same table as this help:
every command with its flags and examples.`,
		example: []string{"shortlist man | man -l -", "shortlist man > /usr/local/share/man/man1/shortlist.1"},
		define: func(f *flags) func(context.Context, *call) error {
			return func(ctx context.Context, c *call) error {
				if len(c.args) > 0 {
					return usagef("man takes no arguments, got %q", c.args[0])
				}
				writeMan(c.env.Stdout, c.env.Version)
				return nil
			}
		},
	}
}

// roff escapes text for a man page: backslashes, and a line that would
// start with a control character.
func roff(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	s = strings.ReplaceAll(s, "-", `\-`)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, ".") || strings.HasPrefix(l, "'") {
			lines[i] = `\&` + l
		}
	}
	return strings.Join(lines, "\n")
}

func writeMan(w io.Writer, version string) {
	if version == "" {
		version = "dev"
	}
	fmt.Fprintf(w, ".TH SHORTLIST 1 \"\" \"shortlist %s\" \"User Commands\"\n", roff(version))
	fmt.Fprintf(w, ".SH NAME\nshortlist \\- work your short list of ICP accounts from the terminal\n")
	fmt.Fprintf(w, ".SH SYNOPSIS\n.B shortlist\n[\\fIcommand\\fR] [\\fIflags\\fR] [\\fIarguments\\fR]\n")
	fmt.Fprintf(w, ".SH DESCRIPTION\n%s\n", roff(strings.TrimSpace(strings.SplitN(overview, "\n\nUsage:", 2)[0])))
	fmt.Fprintf(w, ".SH COMMANDS\n")
	for _, c := range visibleCommands() {
		fmt.Fprintf(w, ".SS %s\n", roff(strings.TrimSpace("shortlist "+c.name+" "+c.args)))
		fmt.Fprintf(w, "%s\n", roff(c.about))
		flags := cmdFlags(c)
		for _, fl := range flags {
			if fl.Name == "help" || fl.Name == "demo" || fl.Name == "db" || fl.Name == "config" || fl.Name == "no-pager" || fl.Name == "debug" {
				continue
			}
			name, usage := flag.UnquoteUsage(fl)
			fmt.Fprintf(w, ".TP\n.B \\-\\-%s", roff(fl.Name))
			if name != "" && !isBool(fl) {
				fmt.Fprintf(w, " \\fI%s\\fR", roff(name))
			}
			fmt.Fprintf(w, "\n%s\n", roff(usage))
		}
		if len(c.example) > 0 {
			fmt.Fprintf(w, ".PP\nExamples:\n.nf\n")
			for _, e := range c.example {
				fmt.Fprintf(w, "%s\n", roff(e))
			}
			fmt.Fprintf(w, ".fi\n")
		}
	}
	fmt.Fprintf(w, ".SH GLOBAL FLAGS\n.nf\n%s.fi\n", roff(strings.TrimPrefix(globalsHelp, "Global flags (every command):\n")))
	fmt.Fprintf(w, ".SH SEE ALSO\nshortlist help \\fIcommand\\fR; the README at https://github.com/shortlisthq/shortlist\n")
}

// EditText opens text in the rep's editor, as git and gh find it ($VISUAL,
// then $EDITOR, then vi; the variable may hold arguments), on the given
// terminal streams, and returns what was saved.
func EditText(text string, getenv func(string) string, in io.Reader, out, errOut io.Writer) (string, error) {
	argv := []string{"vi"}
	for _, v := range []string{"VISUAL", "EDITOR"} {
		if f := strings.Fields(getenv(v)); len(f) > 0 {
			argv = f
			break
		}
	}
	f, err := os.CreateTemp("", "shortlist-note-*.txt")
	if err != nil {
		return "", err
	}
	defer os.Remove(f.Name())
	_, werr := f.WriteString(text)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return "", werr
	}
	cmd := exec.Command(argv[0], append(argv[1:], f.Name())...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = in, out, errOut
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("the editor %s: %w", argv[0], err)
	}
	b, err := os.ReadFile(f.Name())
	return string(b), err
}

// PagerCommand is the pager long output goes through: SHORTLIST_PAGER,
// else PAGER, else less -FRX (it quits at once when the text fits).
// SHORTLIST_PAGER set empty, or "cat", means none.
func PagerCommand(lookup func(string) (string, bool)) []string {
	v, ok := lookup("SHORTLIST_PAGER")
	if !ok {
		if v, _ = lookup("PAGER"); v == "" {
			v = "less -FRX"
		}
	}
	f := strings.Fields(v)
	if len(f) == 0 || f[0] == "cat" {
		return nil
	}
	return f
}

// RunPager pipes text through argv; a pager that cannot start leaves the
// text printed as it is.
func RunPager(argv []string, text []byte, out, errOut io.Writer) error {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = bytes.NewReader(text), out, errOut
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return nil // the rep quit the pager
		}
		_, werr := out.Write(text)
		return werr
	}
	return nil
}

// paged are the commands whose output is read, not parsed: with a pager
// and a terminal, output taller than the terminal goes through it.
var paged = map[string]bool{"today": true, "accounts": true, "show": true, "search": true, "stats": true,
	"help": true, "man": true, "doctor": true, "config": true}

// paging runs fn with stdout captured when its output may be paged, then
// prints it, through the pager when it is taller than the terminal.
func paging(env Env, name string, g Globals, fn func(env Env) error) error {
	if env.Page == nil || env.Height <= 0 || !paged[name] || g.NoPager {
		return fn(env)
	}
	var buf bytes.Buffer
	out := env.Stdout
	env.Stdout = &buf
	err := fn(env)
	if bytes.Count(buf.Bytes(), []byte("\n")) >= env.Height {
		if perr := env.Page(buf.Bytes()); perr != nil && err == nil {
			err = perr
		}
		return err
	}
	if _, werr := out.Write(buf.Bytes()); werr != nil && err == nil {
		err = werr
	}
	return err
}
