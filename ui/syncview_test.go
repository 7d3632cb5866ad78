package ui

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/shortlisthq/shortlist/model"
)

// syncedStore is a fake book whose sync state a sync changes.
type syncedStore struct {
	*fakeStore
	mu    sync.Mutex
	state model.SyncState
}

func (s *syncedStore) SyncState(ctx context.Context) (model.SyncState, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state, nil
}

// pushAll is a syncer that empties the store's outbox.
type pushAll struct{ st *syncedStore }

func (p pushAll) Sync(ctx context.Context, ch chan<- model.SyncProgress) (model.SyncReport, error) {
	p.st.mu.Lock()
	defer p.st.mu.Unlock()
	n := p.st.state.Pending
	p.st.state = model.SyncState{LastSync: testNow()}
	return model.SyncReport{Started: testNow(), Finished: testNow(), Pushed: n}, nil
}

func TestSyncUpdatesHeader(t *testing.T) {
	st := &syncedStore{fakeStore: newFakeStore(3, testNow()), state: model.SyncState{Pending: 2}}
	opts := testOptions(st)
	opts.Syncer = pushAll{st}
	h := newHarness(t, opts)
	if v := h.view(); !strings.Contains(v, "2 pending · never synced") {
		t.Fatalf("header before the sync:\n%s", v)
	}
	h.keys("S")
	if v := h.view(); !strings.Contains(v, "pushed 2") {
		t.Fatalf("sync screen:\n%s", v)
	}
	h.keys("enter")
	h.wantScreen(scrToday)
	if v := h.view(); !strings.Contains(v, "0 pending · synced just now") {
		t.Errorf("header after the sync:\n%s", v)
	}
}

func TestSyncFailureShowsTheWholeFix(t *testing.T) {
	opts := testOptions(newFakeStore(3, testNow()))
	opts.Syncer = fakeSyncer{err: errors.New("no CRM token stored for hubspot: run shortlist auth hubspot, or set SHORTLIST_HUBSPOT_TOKEN")}
	h := newHarness(t, opts)
	h.keys("S")
	v := h.view()
	if !strings.Contains(v, "✗ sync failed: no CRM token") || !strings.Contains(v, "SHORTLIST_HUBSPOT_TOKEN") {
		t.Errorf("the failure lost its fix at 80 columns:\n%s", v)
	}
	for _, l := range strings.Split(v, "\n") {
		if widthOf(l) > 80 {
			t.Errorf("line wider than 80: %q", l)
		}
	}
}

// TestSyncSummaryNamesChanges: the summary lists what changed in the book,
// j/k choose, and enter opens the account of the change chosen; one that
// left the book says so instead.
func TestSyncSummaryNamesChanges(t *testing.T) {
	opts := testOptions(newFakeStore(3, testNow()))
	opts.Syncer = fakeSyncer{report: model.SyncReport{Started: testNow(), Finished: testNow(), Pulled: 3, Changes: []model.SyncChange{
		{Kind: model.ChangeArrived, Account: "Account 002", CRMID: "9", AccountID: 2},
		{Kind: model.ChangeDeleted, Account: "Gone Ltd", CRMID: "8"},
		{Kind: model.ChangeRenamed, Account: "Account 003", From: "Old Name", CRMID: "7", AccountID: 3},
	}}}
	h := newHarness(t, opts)
	h.keys("S")
	v := h.view()
	for _, want := range []string{"What changed", "> + Account 002 arrived in your book", "- Gone Ltd left your book: deleted in the CRM", `~ Account 003 renamed (was "Old Name")`} {
		if !strings.Contains(v, want) {
			t.Fatalf("summary lacks %q:\n%s", want, v)
		}
	}
	h.keys("j", "enter")
	h.wantScreen(scrSync)
	h.wantStatus("Gone Ltd left your book")
	h.keys("j", "enter")
	h.wantScreen(scrAccount)
	if h.m.account.id != 3 {
		t.Errorf("opened account %d, want 3 (the renamed one)", h.m.account.id)
	}
}
