package secret

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

const tok = "pat-na1-11111111-2222-3333-4444-555555555555"

// fakeKeyring is an in-memory keyring; down makes every call fail the way
// go-keyring does without a D-Bus secret service.
type fakeKeyring struct {
	m    map[string]string
	down bool
}

var errNoDBus = errors.New("The name org.freedesktop.secrets was not provided by any .service files")

func (f *fakeKeyring) Get(s, u string) (string, error) {
	if f.down {
		return "", errNoDBus
	}
	v, ok := f.m[s+"/"+u]
	if !ok {
		return "", ErrNotInKeyring
	}
	return v, nil
}

func (f *fakeKeyring) Set(s, u, p string) error {
	if f.down {
		return errNoDBus
	}
	f.m[s+"/"+u] = p
	return nil
}

func (f *fakeKeyring) Delete(s, u string) error {
	if f.down {
		return errNoDBus
	}
	if _, ok := f.m[s+"/"+u]; !ok {
		return ErrNotInKeyring
	}
	delete(f.m, s+"/"+u)
	return nil
}

func opts(t *testing.T, kr *fakeKeyring, env map[string]string) Options {
	return Options{
		ConfigDir: filepath.Join(t.TempDir(), "shortlist"),
		Keyring:   kr,
		Getenv:    func(k string) string { return env[k] },
	}
}

func noToken(t *testing.T, err error) {
	t.Helper()
	if err != nil && strings.Contains(err.Error(), tok) {
		t.Fatalf("the token is in an error: %v", err)
	}
}

func TestKeyring(t *testing.T) {
	kr := &fakeKeyring{m: map[string]string{}}
	o := opts(t, kr, nil)
	if _, _, err := Lookup(o, "hubspot"); !errors.Is(err, ErrNoToken) {
		t.Fatalf("empty store: %v, want ErrNoToken", err)
	}
	src, err := Save(o, "hubspot", "  "+tok+"\n")
	if err != nil || src != SourceKeyring {
		t.Fatalf("Save = %q, %v; want keyring", src, err)
	}
	if kr.m[Service+"/hubspot"] != tok {
		t.Errorf("keyring holds %q, want the trimmed token", kr.m[Service+"/hubspot"])
	}
	if _, err := os.Stat(FilePath(o, "hubspot")); !os.IsNotExist(err) {
		t.Errorf("a file was written beside a working keyring: %v", err)
	}
	got, src, err := Lookup(o, "hubspot")
	if got != tok || src != SourceKeyring || err != nil {
		t.Errorf("Lookup = %q, %q, %v", got, src, err)
	}
	if err := CheckKeyring(o, "hubspot"); err != nil {
		t.Errorf("CheckKeyring: %v", err)
	}
}

func TestNoKeyringFallsBackToFile(t *testing.T) {
	kr := &fakeKeyring{down: true}
	o := opts(t, kr, nil)
	src, err := Save(o, "hubspot", tok)
	noToken(t, err)
	if err != nil || src != SourceFile {
		t.Fatalf("Save = %q, %v; want file", src, err)
	}
	path := FilePath(o, "hubspot")
	for p, want := range map[string]os.FileMode{path: 0o600, o.ConfigDir: 0o700} {
		st, err := os.Stat(p)
		if err != nil || st.Mode().Perm() != want {
			t.Errorf("%s: mode %v, %v; want %o", p, st.Mode().Perm(), err, want)
		}
	}
	got, src, err := Lookup(o, "hubspot")
	if got != tok || src != SourceFile || err != nil {
		t.Errorf("Lookup = %q, %q, %v", got, src, err)
	}
	err = CheckKeyring(o, "hubspot")
	if err == nil || !strings.Contains(err.Error(), "D-Bus") {
		t.Errorf("CheckKeyring = %v, want the D-Bus reason", err)
	}
}

func TestRefusesReadableFile(t *testing.T) {
	o := opts(t, &fakeKeyring{down: true}, nil)
	if _, err := Save(o, "hubspot", tok); err != nil {
		t.Fatal(err)
	}
	path := FilePath(o, "hubspot")
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	_, src, err := Lookup(o, "hubspot")
	noToken(t, err)
	if !errors.Is(err, ErrUnsafeFile) || src != SourceNone {
		t.Fatalf("Lookup of a 0644 file = %q, %v; want ErrUnsafeFile", src, err)
	}
	if !strings.Contains(err.Error(), "chmod 600 "+path) {
		t.Errorf("the refusal does not give the fix: %v", err)
	}
}

func TestEnvWins(t *testing.T) {
	kr := &fakeKeyring{m: map[string]string{Service + "/hubspot": "from-keyring"}}
	o := opts(t, kr, map[string]string{"SHORTLIST_HUBSPOT_TOKEN": " from-env "})
	got, src, err := Lookup(o, "hubspot")
	if got != "from-env" || src != SourceEnv || err != nil {
		t.Errorf("Lookup = %q, %q, %v; want the environment's", got, src, err)
	}
}

func TestKeyringSaveRemovesOldFile(t *testing.T) {
	kr := &fakeKeyring{down: true}
	o := opts(t, kr, nil)
	if _, err := Save(o, "hubspot", "old"); err != nil {
		t.Fatal(err)
	}
	kr.down, kr.m = false, map[string]string{}
	if src, err := Save(o, "hubspot", tok); src != SourceKeyring || err != nil {
		t.Fatalf("Save = %q, %v", src, err)
	}
	if _, err := os.Stat(FilePath(o, "hubspot")); !os.IsNotExist(err) {
		t.Errorf("the old file copy is still there: %v", err)
	}
}

func TestLogoutRemovesBoth(t *testing.T) {
	kr := &fakeKeyring{down: true}
	o := opts(t, kr, nil)
	if _, err := Save(o, "hubspot", "in-file"); err != nil {
		t.Fatal(err)
	}
	kr.down, kr.m = false, map[string]string{Service + "/hubspot": tok}
	removed, err := Remove(o, "hubspot")
	if err != nil || !slices.Equal(removed, []Source{SourceKeyring, SourceFile}) {
		t.Fatalf("Remove = %v, %v; want keyring and file", removed, err)
	}
	if _, _, err := Lookup(o, "hubspot"); !errors.Is(err, ErrNoToken) {
		t.Errorf("after logout: %v, want ErrNoToken", err)
	}
	removed, err = Remove(o, "hubspot")
	if err != nil || len(removed) != 0 {
		t.Errorf("second Remove = %v, %v; want nothing", removed, err)
	}
}

func TestSaveRefusesEmpty(t *testing.T) {
	o := opts(t, &fakeKeyring{m: map[string]string{}}, nil)
	for _, in := range []string{"", "  \n", "a\nb"} {
		if _, err := Save(o, "hubspot", in); err == nil {
			t.Errorf("Save(%q) succeeded", in)
		}
	}
}

// TestOSKeyringHere runs the real keyring adapter: on a box without a secret
// service it must fail quickly with a reason, not hang or panic.
func TestOSKeyringHere(t *testing.T) {
	o := Options{ConfigDir: t.TempDir(), Getenv: func(string) string { return "" }}
	start := time.Now()
	err := CheckKeyring(o, "shortlist-test-probe")
	if took := time.Since(start); took > 6*time.Second {
		t.Errorf("the keyring probe took %s; the adapter's limit is 5s", took)
	}
	if err != nil && !strings.HasPrefix(err.Error(), "no usable OS keyring (") {
		t.Errorf("unreadable keyring reason: %v", err)
	}
	t.Logf("OS keyring here: %v", err)
}
