// Package debuglog is Shortlist's debug log: with --debug or
// SHORTLIST_DEBUG=1, the CLI and the TUI append what they did (each
// command, sync phases and reports, the CRM requests made) to one file
// under $XDG_STATE_HOME/shortlist/. Nothing is written without it.
//
// Every line passes a scrubber before it reaches the file: the tokens the
// process handed to an adapter (and their base64 forms) and anything shaped
// like a credential (a Bearer value, a HubSpot private-app token, a
// Salesforce session id) come out as [token]. Callers never log headers or
// bodies.
package debuglog

import (
	"encoding/base64"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
)

// DefaultMaxSize is the size past which the log is rotated to <path>.1
// (the one before is dropped): the two files together stay under 10 MiB.
const DefaultMaxSize = 5 << 20

// Log is the debug log file. A nil *Log is off: every method does nothing.
// It is safe for concurrent use; the file is opened on the first line
// written, so a run that logs nothing creates nothing.
type Log struct {
	path string
	max  int64

	mu      sync.Mutex
	f       *os.File
	size    int64
	secrets []string
	logger  *slog.Logger
}

// New is a log appending to path, rotated past maxSize bytes (0 →
// DefaultMaxSize).
func New(path string, maxSize int64) *Log {
	if maxSize <= 0 {
		maxSize = DefaultMaxSize
	}
	l := &Log{path: path, max: maxSize}
	l.logger = slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return l
}

// Path is the log file's path ("" for a nil Log).
func (l *Log) Path() string {
	if l == nil {
		return ""
	}
	return l.path
}

// Logger is the structured logger writing to the file; nil for a nil Log,
// which the adapters take as "off".
func (l *Log) Logger() *slog.Logger {
	if l == nil {
		return nil
	}
	return l.logger
}

// Secret adds a value that must never reach the file (a token the process
// holds), with its base64 forms: a line holding any of them has it
// replaced by [token].
func (l *Log) Secret(s string) {
	s = strings.TrimSpace(s)
	if l == nil || len(s) < 4 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, v := range []string{s,
		base64.StdEncoding.EncodeToString([]byte(s)), base64.RawStdEncoding.EncodeToString([]byte(s)),
		base64.URLEncoding.EncodeToString([]byte(s)), base64.RawURLEncoding.EncodeToString([]byte(s))} {
		l.secrets = append(l.secrets, v)
	}
}

// credential matches what looks like a credential whoever's it is: a
// Bearer or Basic value, a HubSpot private-app token (pat-na1-…), a
// Salesforce session id (00D…!…), a refresh or access token in a query
// string or a form.
var credential = regexp.MustCompile(`(?i)(bearer|basic)\s+[A-Za-z0-9._~+/=!-]+` +
	`|\bpat-[a-z0-9]+-[A-Za-z0-9-]{8,}` +
	`|\b00D[A-Za-z0-9]{12,15}![A-Za-z0-9._-]+` +
	`|\b(access_token|refresh_token|token|hapikey|client_secret|password)=[^&\s"]+`)

// Scrub is text with the Log's secrets and anything shaped like a
// credential replaced by [token].
func (l *Log) Scrub(s string) string {
	if l != nil {
		l.mu.Lock()
		s = l.scrubLocked(s)
		l.mu.Unlock()
		return s
	}
	return credential.ReplaceAllString(s, "[token]")
}

func (l *Log) scrubLocked(s string) string {
	for _, v := range l.secrets {
		s = strings.ReplaceAll(s, v, "[token]")
	}
	return credential.ReplaceAllStringFunc(s, func(m string) string {
		if k, _, ok := strings.Cut(m, "="); ok && !strings.ContainsAny(k, " \t") {
			return k + "=[token]"
		}
		if k, _, ok := strings.Cut(m, " "); ok && len(k) <= 6 {
			return k + " [token]"
		}
		return "[token]"
	})
}

// Write appends one scrubbed record (slog writes a record per call),
// rotating first when the file would pass its size bound. The directory is
// made 0700 and the file 0600.
func (l *Log) Write(p []byte) (int, error) {
	if l == nil {
		return len(p), nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	line := []byte(l.scrubLocked(string(p)))
	if l.f == nil {
		if err := l.open(); err != nil {
			return 0, err
		}
	}
	if l.size > 0 && l.size+int64(len(line)) > l.max {
		l.f.Close()
		l.f = nil
		if err := os.Rename(l.path, l.path+".1"); err != nil && !errors.Is(err, os.ErrNotExist) {
			return 0, err
		}
		if err := l.open(); err != nil {
			return 0, err
		}
	}
	n, err := l.f.Write(line)
	l.size += int64(n)
	if err != nil {
		return 0, err
	}
	return len(p), nil
}

func (l *Log) open() error {
	if err := os.MkdirAll(filepath.Dir(l.path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	_ = f.Chmod(0o600) // a file made wider by hand is narrowed again
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	l.f, l.size = f, st.Size()
	return nil
}

// Close closes the file if one was opened.
func (l *Log) Close() error {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}
