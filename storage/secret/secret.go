// Package secret keeps the CRM token out of the config and the database: in
// the OS keyring where there is one, else in a 0600 file beside the config
// file, and always overridable by an environment variable. The token never
// appears in an error this package returns.
package secret

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/zalando/go-keyring"
)

// Service is the keyring service name the token is stored under; the user
// is the CRM's name ("hubspot").
const Service = "shortlist"

// Keyring is the part of an OS keyring this package uses.
// github.com/zalando/go-keyring satisfies it via OSKeyring; tests pass a fake.
// Get returns an error satisfying errors.Is(err, ErrNotInKeyring) for a
// missing entry; any other error means the keyring cannot be used.
type Keyring interface {
	Get(service, user string) (string, error)
	Set(service, user, password string) error
	Delete(service, user string) error
}

// ErrNotInKeyring is what a Keyring returns for an entry it does not hold.
var ErrNotInKeyring = keyring.ErrNotFound

// Options say where the token may live.
type Options struct {
	ConfigDir string              // where the fallback file lives (0600; the dir 0700)
	Keyring   Keyring             // nil → the OS keyring (go-keyring); tests pass a fake
	Getenv    func(string) string // nil → os.Getenv
}

// Source is where a token was found or stored.
type Source string

// Sources.
const (
	SourceEnv     Source = "environment" // SHORTLIST_HUBSPOT_TOKEN
	SourceKeyring Source = "keyring"
	SourceFile    Source = "file"
	SourceNone    Source = ""
)

// ErrNoToken is returned by Lookup when no token is stored anywhere.
var ErrNoToken = errors.New("no CRM token stored")

// ErrUnsafeFile is returned when the token file can be read by group or others.
var ErrUnsafeFile = errors.New("token file is readable by others")

// EnvVar is the environment variable that overrides the stored token for a
// CRM: SHORTLIST_HUBSPOT_TOKEN.
func EnvVar(crm string) string { return "SHORTLIST_" + strings.ToUpper(crm) + "_TOKEN" }

// FilePath is the fallback file for a CRM's token: <ConfigDir>/<crm>.token.
func FilePath(o Options, crm string) string { return filepath.Join(o.ConfigDir, crm+".token") }

func (o Options) getenv(k string) string {
	if o.Getenv != nil {
		return o.Getenv(k)
	}
	return os.Getenv(k)
}

func (o Options) keyring() Keyring {
	if o.Keyring != nil {
		return o.Keyring
	}
	return OSKeyring{Timeout: 5 * time.Second}
}

// Lookup finds the CRM's token: the environment variable wins, then the
// keyring, then the file. A keyring that cannot be used is passed over (a
// headless Linux box has none); a file group or others can read is refused.
func Lookup(o Options, crm string) (token string, src Source, err error) {
	if t := strings.TrimSpace(o.getenv(EnvVar(crm))); t != "" {
		return t, SourceEnv, nil
	}
	if t, err := o.keyring().Get(Service, crm); err == nil && strings.TrimSpace(t) != "" {
		return strings.TrimSpace(t), SourceKeyring, nil
	}
	t, err := readFile(FilePath(o, crm))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", SourceNone, fmt.Errorf("%w for %s: run shortlist auth %s, or set %s", ErrNoToken, crm, crm, EnvVar(crm))
	case err != nil:
		return "", SourceNone, err
	}
	return t, SourceFile, nil
}

// readFile reads the token file, refusing one that others can read.
func readFile(path string) (string, error) {
	st, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		return "", fmt.Errorf("check token file %s: %w", path, err)
	}
	if err := checkMode(path, st); err != nil {
		return "", err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read token file %s: %w", path, err)
	}
	t := strings.TrimSpace(string(data))
	if t == "" {
		return "", fmt.Errorf("token file %s is empty: run shortlist auth again, or delete the file", path)
	}
	return t, nil
}

// checkMode refuses a token file group or others can read or write.
func checkMode(path string, st fs.FileInfo) error {
	if runtime.GOOS == "windows" {
		return nil // modes do not describe access there; the file sits in the user's profile
	}
	if m := st.Mode().Perm(); m&0o077 != 0 {
		return fmt.Errorf("%w: %s has mode %04o; run chmod 600 %s (and consider replacing the token)", ErrUnsafeFile, path, m, path)
	}
	return nil
}

// Save stores the token in the keyring when it is usable, else in the file
// (0600, written atomically, its directory created 0700). Storing in the
// keyring removes an older file copy, so only one place holds it.
func Save(o Options, crm, token string) (Source, error) {
	token = strings.TrimSpace(token)
	if token == "" {
		return SourceNone, errors.New("the token is empty: paste the whole token")
	}
	if strings.ContainsAny(token, "\n\r\x00") {
		return SourceNone, errors.New("the token has a line break or NUL in it: paste it on one line")
	}
	if err := o.keyring().Set(Service, crm, token); err == nil {
		if err := os.Remove(FilePath(o, crm)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return SourceKeyring, fmt.Errorf("remove the old token file %s: %w", FilePath(o, crm), err)
		}
		return SourceKeyring, nil
	}
	if o.ConfigDir == "" {
		return SourceNone, errors.New("store token: no keyring and no config directory for the fallback file")
	}
	if err := os.MkdirAll(o.ConfigDir, 0o700); err != nil {
		return SourceNone, fmt.Errorf("store token: create %s: %w", o.ConfigDir, err)
	}
	path := FilePath(o, crm)
	f, err := os.CreateTemp(o.ConfigDir, "."+crm+".token.*")
	if err != nil {
		return SourceNone, fmt.Errorf("store token in %s: %w", o.ConfigDir, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	err = f.Chmod(0o600)
	if err == nil {
		_, err = f.WriteString(token + "\n")
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		return SourceNone, fmt.Errorf("store token in %s: %w", path, err)
	}
	return SourceFile, nil
}

// Remove deletes the stored token from the keyring and the file, and says
// which held one. The environment variable cannot be removed from here.
func Remove(o Options, crm string) (removed []Source, err error) {
	kr := o.keyring()
	if err := kr.Delete(Service, crm); err == nil {
		removed = append(removed, SourceKeyring)
	}
	path := FilePath(o, crm)
	if err := os.Remove(path); err == nil {
		removed = append(removed, SourceFile)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return removed, fmt.Errorf("remove token file %s: %w", path, err)
	}
	return removed, nil
}

// CheckKeyring reports whether the keyring can be used: nil when it can,
// else why not, in words for auth status and doctor.
func CheckKeyring(o Options, crm string) error {
	_, err := o.keyring().Get(Service, crm)
	if err == nil || errors.Is(err, ErrNotInKeyring) {
		return nil
	}
	return fmt.Errorf("no usable OS keyring (%s)", keyringReason(err))
}

// keyringReason shortens go-keyring's errors to what a person can act on.
func keyringReason(err error) string {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "DBUS_SESSION_BUS_ADDRESS") || strings.Contains(msg, "dbus-launch") ||
		strings.Contains(msg, "org.freedesktop.secrets") || strings.Contains(msg, "dbus"):
		return "no D-Bus secret service, as on a headless Linux box"
	case errors.Is(err, keyring.ErrUnsupportedPlatform):
		return "not supported on this system"
	case errors.Is(err, errKeyringTimeout):
		return "the keyring did not answer"
	}
	return strings.SplitN(msg, "\n", 2)[0]
}

var errKeyringTimeout = errors.New("keyring did not answer in time")

// OSKeyring is the OS keyring through github.com/zalando/go-keyring, with a
// time limit: a D-Bus session without a secret service can otherwise hang.
type OSKeyring struct {
	Timeout time.Duration // 0: wait as long as it takes
}

func (k OSKeyring) do(fn func() (string, error)) (string, error) {
	if k.Timeout <= 0 {
		return fn()
	}
	type result struct {
		s   string
		err error
	}
	ch := make(chan result, 1)
	go func() {
		s, err := fn()
		ch <- result{s, err}
	}()
	select {
	case r := <-ch:
		return r.s, r.err
	case <-time.After(k.Timeout):
		return "", errKeyringTimeout
	}
}

// Get implements Keyring.
func (k OSKeyring) Get(service, user string) (string, error) {
	return k.do(func() (string, error) { return keyring.Get(service, user) })
}

// Set implements Keyring.
func (k OSKeyring) Set(service, user, password string) error {
	_, err := k.do(func() (string, error) { return "", keyring.Set(service, user, password) })
	return err
}

// Delete implements Keyring.
func (k OSKeyring) Delete(service, user string) error {
	_, err := k.do(func() (string, error) { return "", keyring.Delete(service, user) })
	return err
}
