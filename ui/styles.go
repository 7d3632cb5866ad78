package ui

import (
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/shortlisthq/shortlist/model"
)

// palette is the semantic colours, each with a light- and dark-terminal shade.
// Colour only ever repeats what a letter or mark already says.
var palette = struct {
	subtle, text, accent, warn, bad, good, selBg, selFg lipgloss.AdaptiveColor
	tierA, tierB, tierC, tierD                          lipgloss.AdaptiveColor
}{
	subtle: lipgloss.AdaptiveColor{Light: "#8A8A8A", Dark: "#767676"},
	text:   lipgloss.AdaptiveColor{Light: "#1A1A1A", Dark: "#E4E4E4"},
	accent: lipgloss.AdaptiveColor{Light: "#5A3FC0", Dark: "#A48BFF"},
	warn:   lipgloss.AdaptiveColor{Light: "#A35D00", Dark: "#F2B35B"},
	bad:    lipgloss.AdaptiveColor{Light: "#B3261E", Dark: "#FF7A70"},
	good:   lipgloss.AdaptiveColor{Light: "#1E7B34", Dark: "#6FD88A"},
	selBg:  lipgloss.AdaptiveColor{Light: "#E2DCFA", Dark: "#3B3362"},
	selFg:  lipgloss.AdaptiveColor{Light: "#000000", Dark: "#FFFFFF"},
	tierA:  lipgloss.AdaptiveColor{Light: "#1E7B34", Dark: "#6FD88A"},
	tierB:  lipgloss.AdaptiveColor{Light: "#1F5FAD", Dark: "#7DB3F5"},
	tierC:  lipgloss.AdaptiveColor{Light: "#8A6D00", Dark: "#E0C15A"},
	tierD:  lipgloss.AdaptiveColor{Light: "#8A8A8A", Dark: "#8A8A8A"},
}

// Styles is the one set of styles, built once in New and passed to every
// screen; View only calls Render on them.
type Styles struct {
	Title, Subtle, Accent, Warn, Bad, Good Paint
	Selected, Header, ColHead              Paint
	Status, StatusErr, Cursor              Paint
	Tier                                   map[model.Tier]Paint
}

// Paint is a lipgloss style whose Render, for one line of text, wraps it in
// the escape sequences the style rendered to when it was made. A frame of
// the worklist renders a few hundred short strings; lipgloss works each
// out again from the style's properties (an eighth of a key press at 100k
// in colour). Text lipgloss would change (tabs, line breaks) and styles
// that do not wrap text whole (underlined spaces) take lipgloss's path.
type Paint struct {
	lipgloss.Style
	pre, post string
	fast      bool
}

// newPaint renders a probe through st once, under the colour profile and
// background in force now (ui.Run sets them before New).
func newPaint(st lipgloss.Style) Paint {
	p := Paint{Style: st}
	const probe = "x"
	out := st.Render(probe)
	i := strings.Index(out, probe)
	if i < 0 {
		return p
	}
	p.pre, p.post = out[:i], out[i+len(probe):]
	for _, t := range []string{"ab", "a b", " a ", "é·■"} {
		if st.Render(t) != p.pre+t+p.post {
			return p
		}
	}
	p.fast = true
	return p
}

// Render draws s in the style.
func (p Paint) Render(s string) string {
	if !p.fast || strings.ContainsAny(s, "\t\r\n") {
		return p.Style.Render(s)
	}
	if p.pre == "" && p.post == "" {
		return s
	}
	return p.pre + s + p.post
}

func newStyles() *Styles {
	sty := buildStyles()
	for _, p := range []*Paint{&sty.Title, &sty.Subtle, &sty.Accent, &sty.Warn, &sty.Bad, &sty.Good,
		&sty.Selected, &sty.Header, &sty.ColHead, &sty.Status, &sty.StatusErr, &sty.Cursor} {
		*p = newPaint(p.Style)
	}
	for t, p := range sty.Tier {
		sty.Tier[t] = newPaint(p.Style)
	}
	return &sty
}

func buildStyles() Styles {
	return Styles{
		Title:     Paint{Style: lipgloss.NewStyle().Bold(true).Foreground(palette.accent)},
		Subtle:    Paint{Style: lipgloss.NewStyle().Foreground(palette.subtle)},
		Accent:    Paint{Style: lipgloss.NewStyle().Foreground(palette.accent)},
		Warn:      Paint{Style: lipgloss.NewStyle().Foreground(palette.warn)},
		Bad:       Paint{Style: lipgloss.NewStyle().Foreground(palette.bad)},
		Good:      Paint{Style: lipgloss.NewStyle().Foreground(palette.good)},
		Selected:  Paint{Style: lipgloss.NewStyle().Bold(true).Foreground(palette.selFg).Background(palette.selBg)},
		Header:    Paint{Style: lipgloss.NewStyle().Bold(true)},
		ColHead:   Paint{Style: lipgloss.NewStyle().Foreground(palette.subtle).Underline(true)},
		Status:    Paint{Style: lipgloss.NewStyle().Foreground(palette.good)},
		StatusErr: Paint{Style: lipgloss.NewStyle().Foreground(palette.bad).Bold(true)},
		Cursor:    Paint{Style: lipgloss.NewStyle().Reverse(true)},
		Tier: map[model.Tier]Paint{
			model.TierA: Paint{Style: lipgloss.NewStyle().Bold(true).Foreground(palette.tierA)},
			model.TierB: Paint{Style: lipgloss.NewStyle().Foreground(palette.tierB)},
			model.TierC: Paint{Style: lipgloss.NewStyle().Foreground(palette.tierC)},
			model.TierD: Paint{Style: lipgloss.NewStyle().Foreground(palette.tierD)},
		},
	}
}

// tier renders a tier letter: the letter carries the meaning, colour repeats it.
func (s *Styles) tier(t model.Tier) string {
	if st, ok := s.Tier[t]; ok {
		return st.Render(string(t))
	}
	if t == "" {
		return "-"
	}
	return string(t)
}
