package ui

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
)

// slowCounts is the fake store with header counts that take until release
// (or the query's cancellation), as they did on a 100k book.
type slowCounts struct {
	*fakeStore
	release   chan struct{}
	cancelled chan struct{}
}

func (s *slowCounts) Worklist(ctx context.Context, q model.WorklistQuery) (model.Worklist, error) {
	if !q.Counts {
		return s.fakeStore.Worklist(ctx, q)
	}
	select {
	case <-s.release:
		return s.fakeStore.Worklist(ctx, q)
	case <-ctx.Done():
		s.cancelled <- struct{}{}
		return model.Worklist{}, ctx.Err()
	}
}

// TestNewerCountsCancelOlder: a reload while the header counts are still
// being worked out cancels them (their reply would be dropped anyway) and
// the newer counts fill the header.
func TestNewerCountsCancelOlder(t *testing.T) {
	st := &slowCounts{fakeStore: newFakeStore(30, testNow()), release: make(chan struct{}), cancelled: make(chan struct{}, 4)}
	m := newToday(screenEnv{store: st, now: testNow, keys: func() *KeyMap { k := DefaultKeyMap(); return &k }(), sty: newStyles()}, false)
	older := m.countsCmd()
	got := make(chan any, 1)
	go func() { got <- older() }()
	m.cseq++
	newer := m.countsCmd()
	select {
	case <-st.cancelled:
	case <-time.After(5 * time.Second):
		t.Fatal("the older counts query was not cancelled by the newer one")
	}
	msg := (<-got).(countsLoadedMsg)
	if !errors.Is(msg.err, context.Canceled) {
		t.Fatalf("the older counts returned %v, want context.Canceled", msg.err)
	}
	close(st.release)
	reply := newer().(countsLoadedMsg)
	if reply.err != nil {
		t.Fatalf("the newer counts failed: %v", reply.err)
	}
	m, _ = m.Update(msg) // the cancelled reply is for an older cseq: dropped, no error shown
	if m.haveCounts {
		t.Fatal("a cancelled counts reply filled the header")
	}
	m, _ = m.Update(reply)
	if !m.haveCounts || m.counts.Due == 0 {
		t.Fatalf("the newer counts did not fill the header: %+v", m.counts)
	}
}
