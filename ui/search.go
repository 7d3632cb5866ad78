package ui

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/shortlisthq/shortlist/model"
)

// searchLimit is how many hits one search shows.
const searchLimit = 50

// searchDebounce is how long the text must rest before it is searched.
// Keys that come together (a rollover, a terminal sending a word in
// pieces) ask the store once; at typing speed (a key every 100–200 ms)
// every text is searched anyway, and a new key cancels the search still
// running. At 60 ms the wait was a third of the time from the last key to
// its results on the 100k book; a common name's search takes 45–55 ms CPU.
const searchDebounce = 20 * time.Millisecond

// searchDueMsg says the text of seq has rested searchDebounce.
type searchDueMsg struct{ seq int }

// searchedMsg carries the hits for one query.
type searchedMsg struct {
	seq     int
	query   string
	hits    []model.SearchHit
	total   int
	partial bool
	err     error
}

// search is `/`: type to search accounts and contacts. Each change of the
// text waits searchDebounce for the next; a text that rests is searched,
// cancelling the search still running for an older one, and only the reply
// for the newest text is kept (by sequence number).
type search struct {
	env           screenEnv
	width, height int
	in            editor
	seq           int
	cancel        context.CancelFunc // the running search's; nil: none
	hits          []model.SearchHit
	total         int    // how many match in all
	partial       bool   // only part of the book was searched
	query         string // the text the hits are for
	cur           int
	picked        bool // the rep moved the cursor: replies keep that hit under it
	nav           tea.Msg
}

func newSearch(env screenEnv) search {
	in := newEditor(env.sty)
	in.prompt = "/ "
	in.placeholder = "account, contact or domain"
	in.limit = 200
	return search{env: env, width: 80, height: 22, in: in}
}

func (m *search) setSize(w, h int) { m.width, m.height, m.in.width = w, h, w }

func (m search) open() (search, tea.Cmd) {
	m.in.Focus()
	m.in.Reset()
	m.stop()
	m.hits, m.query, m.cur, m.picked, m.total, m.partial = nil, "", 0, false, 0, false
	return m, nil
}

// stop cancels the running search and makes every reply or timer still on
// its way stale.
func (m *search) stop() {
	m.seq++
	if m.cancel != nil {
		m.cancel()
		m.cancel = nil
	}
}

// changed is the text changing: the newest text is searched once it rests.
func (m search) changed() (search, tea.Cmd) {
	m.seq++
	if strings.TrimSpace(m.in.Value()) == "" {
		m.stop()
		m.hits, m.query, m.cur, m.picked, m.total, m.partial = nil, "", 0, false, 0, false
		return m, nil
	}
	seq := m.seq
	return m, tea.Tick(searchDebounce, func(time.Time) tea.Msg { return searchDueMsg{seq: seq} })
}

// run searches the current text, cancelling the search before it.
func (m search) run() (search, tea.Cmd) {
	q := strings.TrimSpace(m.in.Value())
	m.stop()
	if q == "" {
		return m, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	seq, st := m.seq, m.env.store
	m.cancel = cancel
	return m, func() tea.Msg {
		defer cancel()
		res, err := st.Search(ctx, q, searchLimit)
		hits := res.Hits
		for i, h := range hits {
			h.AccountName, h.ContactName, h.Title = model.Display(h.AccountName), model.Display(h.ContactName), model.Display(h.Title)
			hits[i] = h
		}
		return searchedMsg{seq: seq, query: q, hits: hits, total: res.Total, partial: res.Partial, err: err}
	}
}

func (m search) Update(msg tea.Msg) (search, tea.Cmd) {
	switch msg := msg.(type) {
	case searchDueMsg:
		if msg.seq != m.seq {
			return m, nil // the text changed again since
		}
		return m.run()
	case searchedMsg:
		if msg.seq != m.seq {
			return m, nil // an older text's reply
		}
		m.cancel = nil
		if msg.err != nil {
			return m, statusCmd(errText("search", msg.err), true)
		}
		// A hit the rep moved to stays under the cursor when the newer
		// text's reply still holds it, so an enter pressed as the reply
		// lands opens what was shown; gone, the hit that took its place
		// is selected. Untouched, the cursor starts on the best hit.
		cur := 0
		if m.picked && m.cur < len(m.hits) {
			cur = min(m.cur, max(0, len(msg.hits)-1))
			was := m.hits[m.cur]
			for i, h := range msg.hits {
				if h.AccountID == was.AccountID && h.ContactID == was.ContactID {
					cur = i
					break
				}
			}
		}
		m.hits, m.query, m.cur, m.total, m.partial = msg.hits, msg.query, cur, msg.total, msg.partial
		return m, nil
	case tea.MouseMsg:
		switch msg.Button {
		case tea.MouseButtonWheelUp:
			m.cur, m.picked = max(0, m.cur-1), true
		case tea.MouseButtonWheelDown:
			m.cur, m.picked = max(0, min(len(m.hits)-1, m.cur+1)), true
		}
		return m, nil
	case tea.KeyMsg:
		k := m.env.keys
		switch {
		case key.Matches(msg, k.Back):
			m.in.Blur()
			m.stop()
			m.nav = backMsg{}
			return m, nil
		case msg.Type == tea.KeyUp || msg.Type == tea.KeyCtrlP:
			m.cur, m.picked = max(0, m.cur-1), true
			return m, nil
		case msg.Type == tea.KeyDown || msg.Type == tea.KeyCtrlN:
			m.cur, m.picked = max(0, min(len(m.hits)-1, m.cur+1)), true
			return m, nil
		case msg.Type == tea.KeyEnter:
			if len(m.hits) == 0 {
				return m, statusCmd("no account selected: type part of a name, then ↓ and enter", true)
			}
			id := m.hits[m.cur].AccountID
			m.nav = openAccountMsg{id: id}
			return m, nil
		}
		before := m.in.Value()
		m.in = m.in.Update(msg)
		if m.in.Value() != before {
			return m.changed()
		}
	}
	return m, nil
}

func (m search) View() string {
	s := m.env.sty
	lines := []string{s.Title.Render("Search"), m.in.View(), ""}
	room := max(1, m.height-len(lines)-1)
	switch {
	case m.in.Value() == "":
		lines = append(lines, s.Subtle.Render(clip("type to search accounts and contacts by name, title or domain", m.width)))
	case len(m.hits) == 0 && m.query != "":
		lines = append(lines, s.Subtle.Render(clip(fmt.Sprintf("no account or contact matches %q", m.query), m.width)))
	}
	top := max(0, m.cur-room+1)
	// The account column takes 2/5 of a narrow screen but no more than a
	// long name needs: the spare width of a wide one goes to the contact.
	nameW := min(max(12, m.width*2/5), 40)
	for i := top; i < len(m.hits) && i < top+room; i++ {
		h := m.hits[i]
		who := h.ContactName
		if h.Title != "" {
			who += ", " + h.Title
		}
		line := fmt.Sprintf("%s %s  %s", string(h.Tier), fit(h.AccountName, nameW), who)
		if i == m.cur {
			lines = append(lines, s.Selected.Render(fit("> "+line, m.width)))
			continue
		}
		lines = append(lines, "  "+s.tier(h.Tier)+clip(strings.TrimPrefix(line, string(h.Tier)), m.width-3))
	}
	if len(m.hits) > 0 {
		lines = append(lines, s.Subtle.Render(hitCount(len(m.hits), m.total, m.partial)))
	}
	return strings.Join(lines, "\n")
}

// hitCount says how many hits are shown and, when that is not all of them,
// of how many: "50 of 1,144", or "50+ hits" when only part of the book was
// searched (there may be more).
func hitCount(shown, total int, partial bool) string {
	switch {
	case partial:
		return fmt.Sprintf("%d+ hits", shown)
	case total > shown:
		return fmt.Sprintf("%d of %s", shown, groupThousands(total))
	case shown == 1:
		return "1 hit"
	}
	return fmt.Sprintf("%d hits", shown)
}

// groupThousands writes 1144 as "1,144".
func groupThousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func (m search) helpKeys() keyHelp {
	return keyHelp{short: []key.Binding{
		key.NewBinding(key.WithKeys("down"), key.WithHelp("↑/↓", "select")),
		key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open account")),
		m.env.keys.Back,
	}}
}
