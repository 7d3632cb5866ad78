package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/shortlisthq/shortlist/model"
)

// maxDemoAccounts is the largest demo book (the benchmarks' biggest).
const maxDemoAccounts = 300_000

// demoProgressFrom: a demo book larger than this shows its progress.
const demoProgressFrom = 5_000

func demoCmd() *command {
	return &command{
		name: "demo", summary: "write a made-up book to try Shortlist on",
		about: `Write a demo book: realistic, made-up accounts, contacts, touches and tasks,
the same every time for the same --seed. It refuses a file that already holds a
book. To simply try Shortlist, shortlist --demo creates and uses one for you.`,
		example: []string{"shortlist demo --db /tmp/demo.db", "shortlist demo --accounts 2000 --seed 7 --db big.db"},
		define: func(f *flags) func(context.Context, *call) error {
			accounts := f.int("accounts", 300, "how many accounts to write (`N`)")
			seed := f.uint64("seed", 1, "the random seed `N`: the same seed writes the same book")
			asJSON := f.fs.Bool("json", false, "print what was written as JSON")
			return func(ctx context.Context, c *call) error {
				if len(c.args) > 0 {
					return usagef("demo takes flags only, got %q (see shortlist demo --help)", c.args[0])
				}
				path := c.f.g.DB
				if path == "" {
					return usagef("demo needs --db PATH: where to write the demo book, like --db /tmp/demo.db")
				}
				if c.f.g.Demo {
					return usagef("demo writes to --db PATH; leave out --demo")
				}
				if *accounts < 1 || *accounts > maxDemoAccounts {
					return usagef("--accounts must be from 1 to %d", maxDemoAccounts)
				}
				if fi, err := os.Stat(path); err == nil && fi.Size() > 0 {
					return fmt.Errorf("%s already holds a book: choose a new --db path", path)
				} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
					return fmt.Errorf("check %s: %w", path, err)
				}
				start := time.Now()
				// A large book takes minutes: say how far it got, on one
				// line of stderr, when there is more than one step to tell.
				var progress func(done, total int)
				if *accounts > demoProgressFrom {
					progress = func(done, total int) {
						end := ""
						if done == total {
							end = "\n"
						}
						fmt.Fprintf(c.env.Stderr, "\rwriting the demo book: %s of %s accounts%s", groupDigits(int64(done)), groupDigits(int64(total)), end)
					}
				}
				b, err := c.env.WriteDemo(ctx, c.f.g, path, DemoOptions{Accounts: *accounts, Seed: *seed, Now: c.now(), Progress: progress})
				if err != nil {
					return err
				}
				c.book = b
				took := time.Since(start)
				accts, err := b.Store.Accounts(ctx, model.AccountFilter{})
				if err != nil {
					return fmt.Errorf("count demo accounts: %w", err)
				}
				wl, err := b.Store.Worklist(ctx, model.WorklistQuery{Now: c.now(), Limit: 1, Counts: true})
				if err != nil {
					return fmt.Errorf("read demo worklist: %w", err)
				}
				tiers := map[model.Tier]int{}
				for _, a := range accts {
					tiers[a.Tier]++
				}
				if *asJSON {
					tj := map[string]int{}
					for t, n := range tiers {
						tj[string(t)] = n
					}
					return writeJSON(c.env.Stdout, DemoJSON{Path: b.Path, Accounts: len(accts), Tiers: tj,
						Seconds: took.Seconds(), Today: todayJSON(wl, c.now().Location())})
				}
				fmt.Fprintf(c.env.Stdout, "wrote a demo book to %s in %s\n", b.Path, took.Round(time.Millisecond))
				fmt.Fprintf(c.env.Stdout, "  %d accounts (A %d, B %d, C %d, D %d)\n", len(accts), tiers[model.TierA], tiers[model.TierB], tiers[model.TierC], tiers[model.TierD])
				fmt.Fprintf(c.env.Stdout, "  today: %s\n", strings.ReplaceAll(summaryLine(wl), "\n", "; "))
				fmt.Fprintf(c.env.Stdout, "try: shortlist --db %s today\n", path)
				return nil
			}
		},
	}
}

// DemoJSON is `demo --json`.
type DemoJSON struct {
	Path     string         `json:"path"`
	Accounts int            `json:"accounts"`
	Tiers    map[string]int `json:"tiers"`
	Seconds  float64        `json:"seconds"`
	Today    TodayJSON      `json:"today"` // its rows: the first one only
}

// VersionJSON is `version --json`.
type VersionJSON struct {
	Version string `json:"version"`
	Schema  int    `json:"schema"`
	Go      string `json:"go"`
}

func versionCmd() *command {
	return &command{
		name: "version", summary: "print the version, database schema and Go version",
		about:   `Print Shortlist's version, the database schema it writes and the Go it was built with.`,
		example: []string{"shortlist version", "shortlist version --json"},
		define: func(f *flags) func(context.Context, *call) error {
			asJSON := f.fs.Bool("json", false, "print as JSON")
			return func(ctx context.Context, c *call) error {
				if len(c.args) > 0 {
					return usagef("version takes no arguments, got %q", c.args[0])
				}
				v := VersionJSON{Version: c.env.Version, Schema: c.env.Schema, Go: runtime.Version()}
				if v.Version == "" {
					v.Version = "dev"
				}
				if *asJSON {
					return writeJSON(c.env.Stdout, v)
				}
				fmt.Fprintf(c.env.Stdout, "shortlist %s (database schema %d, %s)\n", v.Version, v.Schema, v.Go)
				return nil
			}
		},
	}
}

// OpenProgress writes how far a long step of opening the book got ("building
// the search index: 40,000 of 100,000 accounts") on one line of w, which
// each report rewrites; a step done ends its line. A step said once, before
// it starts, is one line: "computing the touch budgets of 400,120
// contacts…".
func OpenProgress(w io.Writer, step, noun string, done, total int, once bool) {
	if once {
		if total > 0 {
			step += " of " + groupDigits(int64(total)) + " " + noun
		}
		fmt.Fprintln(w, step+"…")
		return
	}
	end := ""
	if done >= total {
		end = "\n"
	}
	fmt.Fprintf(w, "\r%s: %s of %s %s%s", step, groupDigits(int64(done)), groupDigits(int64(total)), noun, end)
}
