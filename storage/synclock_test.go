package storage_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/storage"
)

// lockChildEnv: when set, TestSyncLockChild takes the sync lock of the book
// it names, says LOCKED and waits to be killed.
const lockChildEnv = "SHORTLIST_LOCK_CHILD_DB"

func TestSyncLockChild(t *testing.T) {
	path := os.Getenv(lockChildEnv)
	if path == "" {
		t.Skip("runs only as a child of TestSyncLockKilledHolderIsTakenOver")
	}
	db, err := storage.Open(context.Background(), path, testOptions())
	if err != nil {
		fmt.Println("ERR", err)
		os.Exit(2)
	}
	if _, err := db.LockSync(context.Background()); err != nil {
		fmt.Println("ERR", err)
		os.Exit(3)
	}
	fmt.Println("LOCKED")
	time.Sleep(time.Minute)
	os.Exit(4)
}

// TestSyncLockOneAtATime: while one sync holds a book, a second is refused
// with the holder's pid and start time in one line; once released, the
// lock is free again.
func TestSyncLockOneAtATime(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shortlist.db")
	a, b := openDB(t, path), openDB(t, path)
	release, err := a.LockSync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.LockSync(ctx)
	var running *model.SyncRunningError
	if !errors.As(err, &running) || !errors.Is(err, model.ErrSyncRunning) {
		t.Fatalf("second lock: %v, want a SyncRunningError", err)
	}
	want := fmt.Sprintf("a sync is already running (pid %d, started ", os.Getpid())
	if msg := err.Error(); !strings.HasPrefix(msg, want) || len(msg) != len(want)+len("14:02)") {
		t.Fatalf("message %q, want %q…", msg, want+"HH:MM)")
	}
	if st, err := os.Stat(a.SyncLockPath()); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("lock file: %v, %v", st, err)
	}
	release()
	release2, err := b.LockSync(ctx)
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	release2()
}

// TestSyncLockKilledHolderIsTakenOver: a sync killed with -9 while holding
// the lock leaves its file behind (its pid in it); the next sync takes the
// lock over at once. So does a lock file naming a process that is gone.
func TestSyncLockKilledHolderIsTakenOver(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a process")
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shortlist.db")
	db := openDB(t, path)
	cmd := exec.Command(os.Args[0], "-test.run=^TestSyncLockChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), lockChildEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	line, _ := bufio.NewReader(out).ReadString('\n')
	if strings.TrimSpace(line) != "LOCKED" {
		t.Fatalf("child: %q", line)
	}
	_, err = db.LockSync(ctx)
	var running *model.SyncRunningError
	if !errors.As(err, &running) || running.PID != cmd.Process.Pid {
		t.Fatalf("while the child holds it: %v, want pid %d", err, cmd.Process.Pid)
	}
	if err := cmd.Process.Signal(os.Kill); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if b, _ := os.ReadFile(db.SyncLockPath()); !strings.HasPrefix(string(b), strconv.Itoa(cmd.Process.Pid)+" ") {
		t.Fatalf("the killed holder's lock file says %q", b)
	}
	release, err := db.LockSync(ctx)
	if err != nil {
		t.Fatalf("after the holder was killed: %v", err)
	}
	release()

	// A file naming a process long gone, locked by no one.
	if err := os.WriteFile(db.SyncLockPath(), []byte("999999 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	release, err = db.LockSync(ctx)
	if err != nil {
		t.Fatalf("over a stale file: %v", err)
	}
	release()
}

// A sync running for longer than any should says how to stop it.
func TestSyncRunningErrorWords(t *testing.T) {
	at := time.Date(2026, 11, 24, 14, 2, 0, 0, time.UTC)
	if got := (&model.SyncRunningError{PID: 4242, Started: at}).Error(); got != "a sync is already running (pid 4242, started 14:02)" {
		t.Errorf("%q", got)
	}
	got := (&model.SyncRunningError{PID: 4242, Started: at, Stuck: 3 * time.Hour}).Error()
	if !strings.Contains(got, "kill 4242") || !strings.Contains(got, "3h0m") {
		t.Errorf("%q", got)
	}
	if got := (&model.SyncRunningError{}).Error(); got != "a sync is already running" {
		t.Errorf("%q", got)
	}
}
