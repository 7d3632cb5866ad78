package demo

import "testing"

// TestTaskIDsNeverRepeat: random task ids collided in the 100,000-account
// benchmark book (UNIQUE constraint failed: tasks.crm_id after 60,000
// accounts); a taken draw moves to the next free id, wrapping at the top.
func TestTaskIDsNeverRepeat(t *testing.T) {
	g := &gen{}
	seen := map[string]bool{}
	for _, draw := range []int{7, 7, 8, 7, 999_999_999, 999_999_999, 0} {
		id := g.taskID(draw)
		if seen[id] {
			t.Fatalf("draw %d gave %s twice", draw, id)
		}
		seen[id] = true
	}
	if got := g.taskID(12); got != "1000000012" {
		t.Errorf("a free draw gave %s, want its own id 1000000012", got)
	}
}
