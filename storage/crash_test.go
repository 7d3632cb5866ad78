package storage_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/storage"
)

// The child mode: when SHORTLIST_CHILD_DB is set, TestChildWriter logs
// touches in a loop until killed or until SHORTLIST_CHILD_N are done.
const childEnv = "SHORTLIST_CHILD_DB"

func TestChildWriter(t *testing.T) {
	path := os.Getenv(childEnv)
	if path == "" {
		t.Skip("runs only as a child of the crash and concurrency tests")
	}
	ctx := context.Background()
	db, err := storage.Open(ctx, path, testOptions())
	if err != nil {
		fmt.Println("ERR", err)
		os.Exit(2)
	}
	limit, _ := strconv.Atoi(os.Getenv("SHORTLIST_CHILD_N"))
	reopen := os.Getenv("SHORTLIST_CHILD_REOPEN") != "" // each log its own open, as `shortlist log` does
	fmt.Println("READY")
	for i := 1; limit == 0 || i <= limit; i++ {
		if reopen && i > 1 {
			db.Close()
			if db, err = storage.Open(ctx, path, testOptions()); err != nil {
				fmt.Println("ERR", err)
				os.Exit(2)
			}
		}
		_, err := db.LogTouch(ctx, model.LogRequest{ContactID: int64(1 + i%40), Channel: model.ChannelCall,
			Outcome: model.Outcomes[i%len(model.Outcomes)], At: clock.Add(time.Duration(i) * time.Minute),
			Note: "child " + strconv.Itoa(i),
			Next: model.NextChoice{Mode: model.NextAt, Due: clock.Add(48 * time.Hour)}})
		if err != nil {
			fmt.Println("ERR", err)
			os.Exit(3)
		}
	}
	db.Close()
	fmt.Println("DONE")
	os.Exit(0)
}

func child(t *testing.T, path string, n int) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^TestChildWriter$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+path, "SHORTLIST_CHILD_N="+strconv.Itoa(n))
	return cmd
}

// checkConsistent verifies the book after crashes: SQLite's integrity
// check passes and every log is whole (touch, outbox row, next task).
func checkConsistent(t *testing.T, path string) int {
	t.Helper()
	r := raw(t, path)
	var ok string
	if err := r.QueryRow("PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity_check: %q, %v", ok, err)
	}
	local := count(t, r, "SELECT count(*) FROM touches WHERE origin = 'local'")
	if n := count(t, r, `SELECT count(*) FROM touches t WHERE origin = 'local' AND (t.undo = ''
		OR NOT EXISTS (SELECT 1 FROM outbox o WHERE o.op_id = t.op_id AND o.kind = 'touch.create')
		OR NOT EXISTS (SELECT 1 FROM outbox o WHERE o.log_touch = t.id AND o.kind = 'task.create'))`); n != 0 {
		t.Fatalf("%d of %d logged touches are half-written", n, local)
	}
	if n := count(t, r, `SELECT count(*) FROM outbox o WHERE o.kind = 'touch.create'
		AND NOT EXISTS (SELECT 1 FROM touches t WHERE t.op_id = o.op_id)`); n != 0 {
		t.Fatalf("%d outbox rows without their touch", n)
	}
	if n := count(t, r, "SELECT count(*) FROM tasks WHERE origin = 'local'"); n != local {
		t.Fatalf("%d next actions for %d logs", n, local)
	}
	return local
}

func TestCrashWhileLogging(t *testing.T) {
	runs := 20
	if testing.Short() {
		runs = 5
	}
	db := demoDB(t, 30)
	path := db.Path()
	db.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	prev := 0
	for run := range runs {
		cmd := child(t, path, 0)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		line, _ := bufio.NewReader(out).ReadString('\n')
		if !strings.HasPrefix(line, "READY") {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("run %d: child said %q", run, line)
		}
		time.Sleep(time.Duration(5+rng.IntN(60)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		n := checkConsistent(t, path)
		if n < prev {
			t.Fatalf("run %d: committed logs went from %d to %d", run, prev, n)
		}
		prev = n
	}
	if prev == 0 {
		t.Fatal("no child ever committed a log; the test proved nothing")
	}
	t.Logf("%d logs committed across %d killed children", prev, runs)
}

func TestTwoProcessesWriteAtOnce(t *testing.T) {
	db := demoDB(t, 30)
	path := db.Path()
	db.Close()
	const each = 40
	var wg sync.WaitGroup
	outs := make([]string, 2)
	for i := range outs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, err := child(t, path, each).CombinedOutput()
			outs[i] = string(b)
			if err != nil {
				outs[i] += " exit: " + err.Error()
			}
		}()
	}
	wg.Wait()
	for i, o := range outs {
		if !strings.Contains(o, "DONE") {
			t.Fatalf("writer %d failed: %s", i, o)
		}
	}
	if n := checkConsistent(t, path); n != 2*each {
		t.Fatalf("%d logs, want %d", n, 2*each)
	}
}
