package tea

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// syncBuffer is an io.Writer the renderer and the test share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitOutput waits until out holds want and says how long that took.
func waitOutput(t *testing.T, out *syncBuffer, want string, limit time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for !strings.Contains(out.String(), want) {
		if time.Since(start) > limit {
			t.Fatalf("%q not drawn within %v; output %q", want, limit, out.String())
		}
		time.Sleep(time.Millisecond)
	}
	return time.Since(start)
}

// TestRendererIdle: a renderer whose view does not change must not wake.
// Upstream v1's ticker woke it 60 times a second for ever.
func TestRendererIdle(t *testing.T) {
	out := &syncBuffer{}
	r := newRenderer(out, false, 60).(*standardRenderer)
	r.start()
	defer r.stop()

	r.write("first frame")
	waitOutput(t, out, "first frame", time.Second)
	before := r.wakeups.Load()
	time.Sleep(time.Second)
	if n := r.wakeups.Load() - before; n != 0 {
		t.Fatalf("an unchanged screen woke the renderer %d times in 1 s, want 0", n)
	}

	// Writing the same view again is not a change either.
	for i := 0; i < 10; i++ {
		r.write("first frame")
	}
	time.Sleep(100 * time.Millisecond)
	if n := r.wakeups.Load() - before; n != 0 {
		t.Fatalf("rewriting the view on screen woke the renderer %d times, want 0", n)
	}
}

// TestRendererDrawsChanges: a change after a quiet spell is drawn at once,
// and a burst of changes is drawn at most once per frame, its last state
// within a frame of its last write.
func TestRendererDrawsChanges(t *testing.T) {
	out := &syncBuffer{}
	// A long frame, so "at once" stands apart from "at the next tick"
	// even on a loaded machine: a ticker would draw a change 0–250 ms
	// after it, at random, and three in a row under 100 ms by chance 6%
	// of the time.
	const fps = 4
	frame := time.Second / fps
	r := newRenderer(out, false, fps).(*standardRenderer)
	r.start()
	defer r.stop()

	r.write("quiet")
	waitOutput(t, out, "quiet", time.Second)
	for i := 0; i < 3; i++ {
		time.Sleep(frame + frame/5)
		key := fmt.Sprintf("key %d", i)
		r.write(key)
		if took := waitOutput(t, out, key, 2*time.Second); took > frame*2/5 {
			t.Fatalf("a change after a quiet frame took %v to draw, want at once (under %v)", took, frame*2/5)
		}
	}

	before := r.wakeups.Load()
	start := time.Now()
	for i := 0; i < 40; i++ {
		r.write(strings.Repeat("x", i+1) + " burst")
		time.Sleep(10 * time.Millisecond)
	}
	last := time.Now()
	waitOutput(t, out, strings.Repeat("x", 40)+" burst", time.Second)
	if took := time.Since(last); took > frame+frame/2 {
		t.Errorf("the last state of a burst took %v after its last write, want within a frame (%v)", took, frame)
	}
	// 40 writes over ~400 ms: a wake-up per write, plus one per frame for
	// the flush, never a busy loop.
	burst := time.Since(start)
	if n, most := r.wakeups.Load()-before, int64(40+burst/frame+2); n > most {
		t.Errorf("a burst of 40 changes over %v woke the renderer %d times, want at most %d", burst, n, most)
	}
	time.Sleep(2 * frame)
	settled := r.wakeups.Load()
	time.Sleep(500 * time.Millisecond)
	if n := r.wakeups.Load() - settled; n != 0 {
		t.Fatalf("after the burst the renderer woke %d times in 500 ms of quiet, want 0", n)
	}
}

// idleModel counts its updates; each key changes the view.
type idleModel struct{ keys int }

func (m idleModel) Init() Cmd { return nil }

func (m idleModel) Update(msg Msg) (Model, Cmd) {
	if k, ok := msg.(KeyMsg); ok {
		if k.String() == "q" {
			return m, Quit
		}
		m.keys++
	}
	return m, nil
}

func (m idleModel) View() string { return "keys " + strings.Repeat("|", m.keys) + " end" }

// TestProgramIdle runs a whole program: after its first frame and a key,
// an idle second wakes neither the renderer nor the model.
func TestProgramIdle(t *testing.T) {
	inR, inW := io.Pipe()
	out := &syncBuffer{}
	p := NewProgram(idleModel{}, WithInput(inR), WithOutput(out), WithFPS(60))
	done := make(chan error, 1)
	go func() { _, err := p.Run(); done <- err }()

	waitOutput(t, out, "keys  end", 2*time.Second)
	if _, err := inW.Write([]byte("j")); err != nil {
		t.Fatal(err)
	}
	waitOutput(t, out, "keys | end", 2*time.Second)
	r := p.renderer.(*standardRenderer)
	before := r.wakeups.Load()
	time.Sleep(time.Second)
	if n := r.wakeups.Load() - before; n != 0 {
		t.Errorf("an idle program's renderer woke %d times in 1 s, want 0", n)
	}
	_, _ = inW.Write([]byte("q"))
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the program did not quit on q")
	}
}

type bumpMsg struct{}

// viewCounter counts its Views through a pointer all its copies share.
type viewCounter struct {
	n     int
	views *atomic.Int64
}

func (m viewCounter) Init() Cmd { return nil }

func (m viewCounter) Update(msg Msg) (Model, Cmd) {
	switch msg.(type) {
	case bumpMsg:
		m.n++
	case KeyMsg:
		return m, Quit
	}
	return m, nil
}

func (m viewCounter) View() string {
	m.views.Add(1)
	return fmt.Sprintf("n=%d.", m.n)
}

// TestBurstOneView: messages that are already waiting are handled before
// the view is drawn, so a burst costs a few Views, not one per message,
// and its last state is drawn.
func TestBurstOneView(t *testing.T) {
	inR, inW := io.Pipe()
	out := &syncBuffer{}
	views := &atomic.Int64{}
	p := NewProgram(viewCounter{views: views}, WithInput(inR), WithOutput(out), WithFPS(60))
	done := make(chan error, 1)
	go func() { _, err := p.Run(); done <- err }()
	waitOutput(t, out, "n=0.", 2*time.Second)
	before := views.Load()
	const burst = 200
	for i := 0; i < burst; i++ {
		p.Send(bumpMsg{})
	}
	waitOutput(t, out, fmt.Sprintf("n=%d.", burst), 2*time.Second)
	if n := views.Load() - before; n > burst/4 {
		t.Errorf("%d messages sent at once took %d Views, want far fewer than one each", burst, n)
	}
	_, _ = inW.Write([]byte("q"))
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the program did not quit")
	}
}
