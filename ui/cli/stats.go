package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/shortlisthq/shortlist/model"
)

func statsCmd() *command {
	return &command{
		name:    "stats",
		summary: "the week's activity and how much was held back",
		about: `Print the stats screen's figures: touches today and this week by outcome,
the last 14 days, the connect rate, meetings booked, ICP coverage, and
restraint as figures: rows held back now by reason, stale accounts left out
of the suggestions, opt-outs recorded this week, and touches per contact
against the budget.`,
		example: []string{"shortlist stats", "shortlist stats --json"},
		define: func(f *flags) func(context.Context, *call) error {
			asJSON := f.fs.Bool("json", false, `print a JSON object; the restraint figures sit under "restraint", the listening ones (signals, answers, cold) under "listening"`)
			return func(ctx context.Context, c *call) error {
				if len(c.args) > 0 {
					return usagef("stats takes flags only, got %q (see shortlist stats --help)", c.args[0])
				}
				b, err := c.open(ctx)
				if err != nil {
					return err
				}
				st, err := b.Store.Stats(ctx, c.repNow(b.Settings))
				if err != nil {
					return err
				}
				if *asJSON {
					return writeJSON(c.env.Stdout, st)
				}
				writeStats(c.env.Stdout, st)
				return nil
			}
		},
	}
}

func writeStats(w io.Writer, st model.Stats) {
	sum := func(m map[model.Outcome]int) int {
		n := 0
		for _, v := range m {
			n += v
		}
		return n
	}
	fmt.Fprintf(w, "%-24s %6s %6s\n", "outcome", "today", "week")
	for _, o := range model.Outcomes {
		if st.Today[o] == 0 && st.Week[o] == 0 {
			continue
		}
		fmt.Fprintf(w, "%-24s %6d %6d\n", o.Label(), st.Today[o], st.Week[o])
	}
	fmt.Fprintf(w, "%-24s %6d %6d\n\n", "all touches", sum(st.Today), sum(st.Week))
	total := 0
	for _, d := range st.Days {
		total += d.Touches
	}
	rate := "—"
	if st.Calls > 0 {
		rate = fmt.Sprintf("%d%%", st.Connects*100/st.Calls)
	}
	cover := "—"
	if st.TierA > 0 {
		cover = fmt.Sprintf("%d%%", st.TierATouched*100/st.TierA)
	}
	fmt.Fprintf(w, "%-14s %d touches\n", "last 14 days", total)
	fmt.Fprintf(w, "%-14s %s (%d of %d calls this week)\n", "connect rate", rate, st.Connects, st.Calls)
	fmt.Fprintf(w, "%-14s %d booked this week\n", "meetings", st.MeetingsBooked)
	fmt.Fprintf(w, "%-14s %s of tier-A accounts touched in 14 days (%d of %d)\n\n", "ICP coverage", cover, st.TierATouched, st.TierA)
	fmt.Fprintln(w, "Restraint")
	for _, l := range st.Restraint.Lines() {
		fmt.Fprintf(w, "%-14s %s\n", l[0], l[1])
	}
	fmt.Fprintln(w, "\nListening")
	for _, l := range st.Listening.Lines() {
		fmt.Fprintf(w, "%-14s %s\n", l[0], l[1])
	}
}
