package ui

import (
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
	Title, Subtle, Accent, Warn, Bad, Good lipgloss.Style
	Selected, Header, ColHead              lipgloss.Style
	Status, StatusErr, Cursor              lipgloss.Style
	Tier                                   map[model.Tier]lipgloss.Style
}

func newStyles() Styles {
	s := lipgloss.NewStyle
	return Styles{
		Title:     s().Bold(true).Foreground(palette.accent),
		Subtle:    s().Foreground(palette.subtle),
		Accent:    s().Foreground(palette.accent),
		Warn:      s().Foreground(palette.warn),
		Bad:       s().Foreground(palette.bad),
		Good:      s().Foreground(palette.good),
		Selected:  s().Bold(true).Foreground(palette.selFg).Background(palette.selBg),
		Header:    s().Bold(true),
		ColHead:   s().Foreground(palette.subtle).Underline(true),
		Status:    s().Foreground(palette.good),
		StatusErr: s().Foreground(palette.bad).Bold(true),
		Cursor:    s().Reverse(true),
		Tier: map[model.Tier]lipgloss.Style{
			model.TierA: s().Bold(true).Foreground(palette.tierA),
			model.TierB: s().Foreground(palette.tierB),
			model.TierC: s().Foreground(palette.tierC),
			model.TierD: s().Foreground(palette.tierD),
		},
	}
}

// tier renders a tier letter: the letter carries the meaning, colour repeats it.
func (s Styles) tier(t model.Tier) string {
	if st, ok := s.Tier[t]; ok {
		return st.Render(string(t))
	}
	if t == "" {
		return "-"
	}
	return string(t)
}
