package debuglog

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLogScrubsRotatesAndStaysPrivate(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state", "shortlist", "shortlist.log")
	l := New(path, 400)
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("New created the file before anything was logged: %v", err)
	}
	const tok = "zQ81x0vK3mTESTtoken"
	l.Secret(tok)
	b64 := base64.StdEncoding.EncodeToString([]byte(tok))
	l.Logger().Info("request", "path", "/x/"+tok, "echo", b64, "hdr", "Authorization: Bearer abc.def-ghi",
		"pat", "pat-na1-0f3c9a2e-1111-2222", "sf", "00D5g000004ABCD!AQ4AQ.x_yz", "q", "access_token=s3cr3t&x=1")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{tok, b64, "abc.def-ghi", "0f3c9a2e-1111", "AQ4AQ", "s3cr3t"} {
		if strings.Contains(string(data), bad) {
			t.Errorf("the log holds %q:\n%s", bad, data)
		}
	}
	if !strings.Contains(string(data), "[token]") || !strings.Contains(string(data), "msg=request") {
		t.Errorf("the line was not written scrubbed: %s", data)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v, want 0600", st.Mode().Perm())
	}
	if st, _ := os.Stat(filepath.Dir(path)); st.Mode().Perm() != 0o700 {
		t.Errorf("dir mode %v, want 0700", st.Mode().Perm())
	}
	for i := 0; i < 20; i++ {
		l.Logger().Info("filler", "i", i)
	}
	cur, _ := os.Stat(path)
	old, err := os.Stat(path + ".1")
	if err != nil || cur.Size() > 400 || old.Size() > 400 {
		t.Errorf("not rotated at 400 bytes: current %d, .1 %v", cur.Size(), err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	var off *Log // nil: off
	off.Logger()
	off.Secret("x")
	if _, err := off.Write([]byte("x")); err != nil || off.Logger() != nil || off.Close() != nil {
		t.Errorf("a nil Log is not a no-op")
	}
}
