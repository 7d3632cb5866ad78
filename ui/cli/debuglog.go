package cli

import (
	"context"
	"log/slog"
	"strings"
	"time"
)

// logCommand writes one command run to the debug log: its name, its
// arguments with the value of any flag that could hold a secret left out,
// the exit status, the one-line error and how long it took. The log's own
// scrubber takes out anything shaped like a token that is left.
func logCommand(ctx context.Context, l *slog.Logger, name string, args []string, code int, err error, took time.Duration) {
	if name == "" {
		name = "shortlist"
	}
	attrs := []any{"name", name, "args", strings.Join(argsForLog(args), " "), "exit", code, "ms", took.Milliseconds()}
	level := slog.LevelInfo
	if err != nil {
		attrs = append(attrs, "error", errorLine(err))
		level = slog.LevelWarn
	}
	l.Log(ctx, level, "command", attrs...)
}

// secretFlag reports whether a flag's value could be a credential.
func secretFlag(name string) bool {
	name = strings.ToLower(name)
	for _, w := range []string{"token", "secret", "password", "passwd", "key", "auth", "session", "cookie"} {
		if strings.Contains(name, w) {
			return true
		}
	}
	return false
}

// argsForLog is args with the values of secret-looking flags (as
// --name=value or --name value) replaced by "…".
func argsForLog(args []string) []string {
	valued := valueFlags()
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			out = append(out, args[i:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' || isNumber(a) {
			out = append(out, a)
			continue
		}
		name := strings.TrimLeft(a, "-")
		if k, _, ok := strings.Cut(name, "="); ok {
			if secretFlag(k) {
				a = a[:strings.Index(a, "=")+1] + "…"
			}
			out = append(out, a)
			continue
		}
		out = append(out, a)
		if (valued[name] || secretFlag(name)) && i+1 < len(args) {
			i++
			if secretFlag(name) {
				out = append(out, "…")
			} else {
				out = append(out, args[i])
			}
		}
	}
	return out
}
