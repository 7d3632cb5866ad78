package ui

import (
	"fmt"
	"strings"

	"github.com/shortlisthq/shortlist/model"
)

// columns are the widths of the worklist table for a given width.
type columns struct {
	rank, account, contact, tier, next, local, last int
}

// sideWidth is the side panel's width on a wide terminal: 38 cells, and
// half of what a very wide one has beyond 160, up to 60.
func sideWidth(w int) int { return max(38, min(60, 38+(w-160)/2)) }

// Names are read in their first 28 and 34 cells; beyond that the width
// goes to the next action, which then shows its title.
const (
	maxAccountWidth = 28
	maxContactWidth = 34
)

func layout(w int) columns {
	c := columns{rank: 4, tier: 10, next: 15, local: 7, last: 5}
	rest := w - 2 - c.rank - c.tier - c.next - c.local - c.last - 6
	rest = max(rest, 12)
	c.account = rest * 9 / 20
	c.contact = rest - c.account
	if c.account > maxAccountWidth {
		c.next += c.account - maxAccountWidth
		c.account = maxAccountWidth
	}
	if c.contact > maxContactWidth {
		c.next += c.contact - maxContactWidth
		c.contact = maxContactWidth
	}
	return c
}

func (m today) tableWidth() int {
	if m.width >= wideWidth {
		return m.width - sideWidth(m.width) - 1
	}
	return m.width
}

// View draws only the rows on screen; Update prepared everything else.
func (m today) View() string {
	lines := make([]string, 0, m.height)
	lines = append(lines, m.headerLines()...)
	tw := m.tableWidth()
	c := layout(tw)
	table := make([]string, 0, m.listHeight()+1)
	table = append(table, m.colHead(c, tw))
	vis := m.listHeight()
	switch {
	case !m.loaded && m.loading:
		table = append(table, m.env.sty.Subtle.Render("  loading the worklist…"))
	case m.loaded && len(m.rows) == 0:
		msg := "  nothing due: the list is clear for today"
		if m.f.any() {
			msg = "  no rows match " + m.f.String() + ": press x to clear the filters"
		}
		table = append(table, m.env.sty.Subtle.Render(fit(msg, tw)))
		if !m.f.any() && m.haveCounts && m.counts.HeldBack == 0 && vis >= 6 {
			// Nothing due, stale or held: most likely a book with no
			// accounts yet. Say how to fill it.
			for _, l := range []string{"",
				"  a new book? bring accounts in:",
				"    shortlist import accounts FILE.csv   (a list from marketing or ops)",
				"    S                                    (sync with the CRM)",
				"    shortlist --demo                     (try Shortlist on a made-up book)"} {
				table = append(table, m.env.sty.Subtle.Render(fit(l, tw)))
			}
		}
	default:
		for i := m.top; i < m.top+vis && i <= m.last(); i++ {
			table = append(table, m.rowLine(i, c, tw))
		}
	}
	for len(table) < vis+1 {
		table = append(table, "")
	}
	if m.width >= wideWidth {
		side := m.sidePanel(len(table))
		for i := range table {
			table[i] = fit(table[i], tw) + " " + side[i]
		}
	}
	lines = append(lines, table...)
	if m.width < wideWidth {
		lines = append(lines, m.detailLines(tw)...)
	}
	if m.prompt.active() {
		lines = append(lines, m.prompt.View())
	}
	return strings.Join(lines, "\n")
}

// colHead is the table's column line. Underlined, lipgloss styles it rune
// by rune: it is drawn once per width and kept (memo is shared by every
// copy of the model, and the line depends only on the width).
func (m today) colHead(c columns, tw int) string {
	if m.memo != nil && m.memo.colHeadW == tw && m.memo.colHead != "" {
		return m.memo.colHead
	}
	line := m.env.sty.ColHead.Render(fit("  "+strings.Join([]string{
		fit("#", c.rank), fit("account", c.account), fit("contact", c.contact), fit("tier fit", c.tier),
		fit("next · due", c.next), fit("local", c.local), fit("last", c.last)}, " "), tw))
	if m.memo != nil {
		m.memo.colHead, m.memo.colHeadW = line, tw
	}
	return line
}

func (m today) headerLines() []string {
	s := m.env.sty
	left := s.Title.Render("Shortlist") + " " + m.now.Format("Mon 2 Jan 15:04")
	if m.env.settings.RepName != "" {
		left += " · " + model.Display(m.env.settings.RepName)
	}
	if m.demo {
		left += " · demo"
	}
	right := m.syncLabel()
	gap := m.width - lenCells(left) - lenCells(right)
	l1 := left + strings.Repeat(" ", max(1, gap)) + right

	var l2 string
	if m.haveCounts {
		c := m.counts
		done := "…"
		if m.haveDone {
			done = fmt.Sprint(m.doneToday)
		}
		overdue := fmt.Sprintf("overdue %d", c.Overdue)
		if c.Overdue > 0 {
			overdue = s.Warn.Render(overdue)
		}
		l2 = fmt.Sprintf("due %d · %s · suggested %d · done today %s · held %d",
			c.Due, overdue, c.Suggested, done, c.HeldBack)
		if c.Respond > 0 {
			l2 = s.Accent.Render(fmt.Sprintf("answer %d", c.Respond)) + " · " + l2
		}
	} else {
		l2 = s.Subtle.Render("counting…")
	}
	if m.f.any() {
		l2 += "  " + s.Accent.Render("["+m.f.String()+"]")
	}
	// The cold quota, after the filters so a narrow screen keeps those.
	if cold := fmt.Sprintf(" · cold %d/%d", m.counts.ColdToday, m.counts.ColdQuota); m.haveCounts && (!m.f.any() || widthOf(l2)+widthOf(cold) <= m.width) {
		l2 += cold
	}
	// The held breakdown and the off-ICP count are added as whole
	// phrases while they fit: never cut mid-word.
	if m.haveCounts && len(m.counts.Held) > 0 {
		reasons := heldReasons(m.counts.Held)
		for n := len(reasons); n > 0; n-- {
			text := strings.Join(reasons[:n], ", ")
			if n < len(reasons) {
				text += ", …"
			}
			if widthOf(l2)+widthOf(text)+3 <= m.width {
				l2 += s.Subtle.Render(" (" + text + ")")
				break
			}
		}
	}
	if n := m.counts.LeftOut[model.LeftOutBelowTier] + m.counts.LeftOut[model.LeftOutExcluded]; m.haveCounts && n > 0 {
		if more := fmt.Sprintf(" · %d off-ICP not suggested", n); widthOf(l2)+widthOf(more) <= m.width {
			l2 += s.Subtle.Render(more)
		}
	}
	return []string{clipANSI(l1, m.width), clipANSI(l2, m.width)}
}

func (m today) syncLabel() string {
	s := m.env.sty
	if !m.haveCounts {
		return ""
	}
	st := m.syncState
	last := "never synced"
	if !st.LastSync.IsZero() {
		last = "synced just now"
		if a := ago(st.LastSync, m.now); a != "now" {
			last = "synced " + a + " ago"
		}
	}
	txt := fmt.Sprintf("%d pending · %s", st.Pending, last)
	if m.offline {
		return s.Warn.Render("offline · " + txt)
	}
	if st.LastErr != "" {
		return s.Warn.Render("! " + txt)
	}
	return s.Subtle.Render(txt)
}

// heldReasons lists why rows were held back, most first.
func heldReasons(h map[model.HoldReason]int) []string {
	var parts []string
	for _, x := range model.HeldByCount(h) {
		parts = append(parts, fmt.Sprintf("%s %d", x.Reason, x.N))
	}
	return parts
}

func lenCells(s string) int { return widthOf(s) }

func (m today) rowLine(i int, c columns, tw int) string {
	r, ok := m.rowAt(i)
	if !ok {
		return m.env.sty.Subtle.Render(fit("  "+fit(fmt.Sprint(i+1), c.rank)+" …", tw))
	}
	s := m.env.sty
	mark := "  "
	if i == m.cur {
		mark = "> "
	}
	contact := r.Contact.Name()
	if r.Contact.Title != "" {
		contact += ", " + r.Contact.Title
	}
	if r.Contact.ID == 0 {
		contact = "(account task)"
		if r.Kind == model.RowSignal {
			contact = "(who? find them)"
		}
	}
	tierCell := string(r.Account.Tier)
	if tierCell == "" {
		tierCell = "-"
	}
	fitCell := fmt.Sprintf("%s %3d %s", tierCell, r.Account.Fit, fitBar(r.Account.Fit))
	next := string(r.Task.Kind) + " · " + dueLabel(r.Task, m.now)
	switch r.Kind {
	case model.RowSuggested:
		next = "+" + string(r.Task.Kind) + " · stale"
	case model.RowSignal:
		next = "↩" + string(r.Task.Kind) + " · " + ago(r.Signal.At, m.now)
	}
	if c.next > 24 && r.Task.Title != "" {
		next += " · " + r.Task.Title
	}
	local := "  —  "
	if loc := m.locs[r.Zone]; loc != nil {
		local = m.now.In(loc).Format("15:04")
	}
	switch {
	case r.Held:
		local += " ✗"
	case r.CallableNow:
		local += " ✓"
	default:
		local += "  "
	}
	// The contact's last touch; the account's when the contact has none.
	last := ago(r.Contact.LastTouched, m.now)
	if r.Contact.LastTouched.IsZero() {
		last = ago(r.Account.LastTouched, m.now)
	}
	cells := []string{fit(fmt.Sprint(i+1), c.rank), fit(r.Account.Name, c.account), fit(contact, c.contact),
		fit(fitCell, c.tier), fit(next, c.next), fit(local, c.local), fit(last, c.last)}
	line := mark + strings.Join(cells, " ")
	if i == m.cur {
		return s.Selected.Render(fit(line, tw))
	}
	// The tier letter is coloured only when the row is not selected; the
	// letter itself carries the meaning.
	pre := mark + cells[0] + " " + cells[1] + " " + cells[2] + " "
	return pre + s.tier(r.Account.Tier) + strings.TrimPrefix(strings.Join(cells[3:], " "), tierCell)
}

func (m today) rowAt(i int) (model.Row, bool) {
	j := i - m.off
	if j < 0 || j >= len(m.rows) {
		return model.Row{}, false
	}
	return m.rows[j], true
}

func whyText(r model.Row) string {
	parts := make([]string, 0, len(r.Why))
	for _, t := range r.Why {
		if t.Value == 0 {
			continue
		}
		if t.Name == "speed" {
			// The respond row's lead: "+9.0 replied 40 min ago".
			parts = append([]string{fmt.Sprintf("%+.1f %s", t.Value, t.Detail)}, parts...)
			continue
		}
		parts = append(parts, fmt.Sprintf("%s %+.1f", t.Name, t.Value))
	}
	return fmt.Sprintf("rank %.1f = ", r.Rank) + strings.Join(parts, " · ")
}

// detailLines are the two lines under the table on a narrow terminal: the
// selected row's why, then its contact or the reason it is held.
func (m today) detailLines(w int) []string {
	s := m.env.sty
	r, ok := m.selected()
	if !ok {
		return []string{"", ""}
	}
	why := whyText(r)
	if widthOf(why) > w-4 {
		why = clip(why, w-4-9) + " (y: all)"
	}
	l1 := s.Accent.Render("why ") + why
	var l2 string
	switch {
	case r.Held:
		l2 = s.Warn.Render(clip("held: "+string(r.HeldReason)+" — "+r.HeldDetail, w))
	default:
		l2 = m.contactLine(r, w)
	}
	return []string{l1, l2}
}

func (m today) contactLine(r model.Row, w int) string {
	var parts []string
	if r.Task.Title != "" {
		parts = append(parts, r.Task.Title)
	}
	c := r.Contact
	if c.Phone != "" {
		p := c.Phone
		if c.PhoneBad {
			p += " (bad)"
		}
		parts = append(parts, p)
	}
	if c.Email != "" {
		parts = append(parts, c.Email)
	}
	// Cut the plain text first, then add the links, so widths stay exact.
	text := clip(strings.Join(parts, " · "), w)
	if m.env.links {
		if c.Phone != "" && strings.Contains(text, c.Phone) {
			text = strings.Replace(text, c.Phone, osc8(true, "tel:"+telURI(c.Phone), c.Phone), 1)
		}
		if c.Email != "" && strings.Contains(text, c.Email) {
			text = strings.Replace(text, c.Email, osc8(true, "mailto:"+c.Email, c.Email), 1)
		}
	}
	return text
}

func telURI(p string) string {
	var b strings.Builder
	for _, r := range p {
		if r == '+' || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func (m today) sidePanel(h int) []string {
	s := m.env.sty
	w := sideWidth(m.width)
	out := make([]string, 0, h)
	add := func(str string) { out = append(out, clipANSI(str, w)) }
	r, ok := m.selected()
	if !ok {
		for len(out) < h {
			out = append(out, "")
		}
		return out
	}
	add(s.Header.Render(clip(r.Account.Name, w)))
	add(fmt.Sprintf("tier %s · fit %d %s", s.tier(r.Account.Tier), r.Account.Fit, fitBar(r.Account.Fit)))
	if r.Contact.ID != 0 {
		add(clip(r.Contact.Name(), w))
		if r.Contact.Title != "" {
			add(s.Subtle.Render(clip(r.Contact.Title, w)))
		}
		if r.Contact.Phone != "" {
			add("☎ " + osc8(m.env.links, "tel:"+telURI(r.Contact.Phone), clip(r.Contact.Phone, w-2)))
		}
		if r.Contact.Email != "" {
			add("@ " + osc8(m.env.links, "mailto:"+r.Contact.Email, clip(r.Contact.Email, w-2)))
		}
	}
	if loc := m.locs[r.Zone]; loc != nil {
		mark := "not callable now"
		if r.CallableNow {
			mark = "callable now ✓"
		}
		add(fmt.Sprintf("%s %s · %s", m.now.In(loc).Format("15:04"), clip(r.Zone, 16), mark))
	}
	if r.Signal != nil {
		add(s.Accent.Render("↩ ") + clip(r.Signal.Phrase(m.now)+" · "+r.Signal.Source, w-2))
	}
	if r.Task.Title != "" {
		add(s.Accent.Render("next ") + clip(r.Task.Title, w-5))
	}
	if r.Kind == model.RowSignal {
		add(string(r.Task.Kind) + " · now")
	} else {
		add(string(r.Task.Kind) + " · " + dueLabel(r.Task, m.now))
	}
	if r.Held {
		add(s.Warn.Render("held: " + string(r.HeldReason)))
		for _, l := range wrap(r.HeldDetail, w) {
			add(s.Warn.Render(l))
		}
	}
	add("")
	add(s.Accent.Render(fmt.Sprintf("why · rank %.1f", r.Rank)))
	for _, t := range r.Why {
		line := fmt.Sprintf("%+6.1f %s", t.Value, t.Name)
		switch {
		case t.Name == "speed":
			line = fmt.Sprintf("%+6.1f %s", t.Value, t.Detail) // "+9.0 replied 40 min ago"
		case t.Detail != "":
			line += " (" + t.Detail + ")"
		}
		add(clip(line, w))
	}
	if len(out) > h {
		out = out[:h]
	}
	for len(out) < h {
		out = append(out, "")
	}
	return out
}

// wrap breaks plain text into lines of at most w cells at spaces.
func wrap(s string, w int) []string {
	var lines []string
	var cur string
	for _, word := range strings.Fields(s) {
		switch {
		case cur == "":
			cur = clip(word, w)
		case widthOf(cur)+1+widthOf(word) <= w:
			cur += " " + word
		default:
			lines = append(lines, cur)
			cur = clip(word, w)
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
}
