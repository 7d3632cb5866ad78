package httpx

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestCutShort(t *testing.T) {
	for body, want := range map[string]bool{
		`{"results":[{"id":"1"`: true, `[1,2`: true, ` {"a":`: true,
		`{"results":[]}`: false, ``: false, `<html>502</html>`: false, `{"a":1}}`: false, `nope`: false,
	} {
		if got := CutShort([]byte(body)); got != want {
			t.Errorf("CutShort(%q) = %v, want %v", body, got, want)
		}
	}
}

// TestRetryFail: a request that may pass is tried Max+1 times, waiting at
// least the server's floor between tries and at most the cap; then the
// final error carries the count; a wait cut by ctx is ctx's error.
func TestRetryFail(t *testing.T) {
	var waits []time.Duration
	r := Retry{Max: 3, Base: 10 * time.Millisecond, Cap: 40 * time.Millisecond,
		Sleep: func(ctx context.Context, d time.Duration) error { waits = append(waits, d); return nil }}
	final := errors.New("final")
	tries := 0
	for {
		tries++
		err := r.Fail(context.Background(), "op", 5*time.Millisecond, func(n int) error {
			if n != 4 {
				t.Errorf("final after %d failures, want 4", n)
			}
			return final
		})
		if err != nil {
			if !errors.Is(err, final) {
				t.Fatalf("got %v", err)
			}
			break
		}
	}
	if tries != 4 || len(waits) != 3 {
		t.Fatalf("%d tries, %d waits; want 4 and 3", tries, len(waits))
	}
	for _, d := range waits {
		if d < 5*time.Millisecond || d > 40*time.Millisecond {
			t.Errorf("a wait of %v, want within [5ms, 40ms]", d)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r = Retry{Max: 3, Base: time.Millisecond, Cap: time.Millisecond, Sleep: Sleep}
	if err := r.Fail(ctx, "op", 0, func(int) error { return final }); !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled wait: %v", err)
	}
}
