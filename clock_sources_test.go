package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// wallClockReads are the places outside tests allowed to read the machine's
// clock directly, each with why. Everything else takes its now from the one
// clock main.go builds (internal/clock, SHORTLIST_NOW), so a pinned clock
// reaches the ranking, the store's stamps, the demo book and sandbox, the
// sync engine and the screens.
var wallClockReads = map[string]string{
	// Defaults for a caller that gives no clock (tests, library use);
	// main.go always gives one.
	"storage/writes.go (*DB).now":                         "Options.Now nil",
	"storage/demo/demo.go Generate":                       "Options.Now zero",
	"storage/csvio/records.go NewRecords":                 "Options.Now zero",
	"ui/ui.go New":                                        "Options.Now nil",
	"ui/cli/cli.go (*call).now":                           "Env.Now nil",
	"sync/engine.go New":                                  "Options.Now nil",
	"sync/hubspot/client.go New":                          "Options.Now nil",
	"sync/salesforce/client.go New":                       "Options.Now nil",
	"sync/salesforce/device.go deviceClient":              "Options.Now nil",
	"sync/hubspottest/hubspottest.go NewUnstartedHandler": "Options.Now nil",
	"sync/salesforcetest/server.go NewUnstarted":          "Options.Now nil",
	// Durations, throttles and timeouts: the monotonic clock, which a
	// pinned clock moves with anyway.
	"internal/clock/clock.go Wall":                      "the wall clock itself",
	"internal/clock/clock.go Pinned":                    "the pinned clock moves on with the wall clock",
	"storage/db.go (*DB).begin":                         "busy-wait deadline",
	"ui/cli/cli.go Run":                                 "how long a command took, for the debug log",
	"ui/cli/misc.go demoCmd":                            "how long the demo book took to write",
	"ui/cli/sync.go (*lineProgress).progress":           "at most 20 redraws a second",
	"main.go openProgress":                              "progress only after a second",
	"main.go (loggedSyncer).Sync":                       "how long a sync took, for the debug log",
	"sync/salesforce/http.go (*Client).postForm":        "how long a request took, for the debug log",
	"sync/internal/httpx/httpx.go (*Sender).Once":       "how long a request took, for the debug log",
	"sync/internal/httpx/httpx.go (*Sender).LogRequest": "how long a request took, for the debug log",
	// Another machine's clock.
	"sync/internal/httpx/httpx.go RetryAfter": "a Retry-After date is the server's clock",
}

// TestOneClock fails when code outside tests reads time.Now, time.Since or
// time.Until anywhere wallClockReads does not list, and when a listed place
// no longer does (the list stays true). A new read of the machine's clock
// would make SHORTLIST_NOW pin only part of the app: take now from the
// clock passed in instead, or list the place here with why.
func TestOneClock(t *testing.T) {
	found := map[string]bool{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != "." && (name == "third_party" || name == "testdata" || strings.HasPrefix(name, ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		timeName := ""
		for _, im := range f.Imports {
			if p, _ := strconv.Unquote(im.Path.Value); p == "time" {
				timeName = "time"
				if im.Name != nil {
					timeName = im.Name.Name
				}
			}
		}
		if timeName == "" {
			return nil
		}
		for _, decl := range f.Decls {
			where := filepath.ToSlash(path) + " " + declName(decl)
			ast.Inspect(decl, func(n ast.Node) bool {
				sel, ok := n.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				if x, ok := sel.X.(*ast.Ident); ok && x.Name == timeName && slices.Contains([]string{"Now", "Since", "Until"}, sel.Sel.Name) {
					found[where] = true
					if _, ok := wallClockReads[where]; !ok {
						t.Errorf("%s: time.%s in %s reads the machine's clock: take now from the clock passed in (internal/clock), or list it in wallClockReads with why",
							fset.Position(sel.Pos()), sel.Sel.Name, declName(decl))
					}
				}
				return true
			})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for where := range wallClockReads {
		if !found[where] {
			t.Errorf("wallClockReads lists %s, which no longer reads the machine's clock: remove it", where)
		}
	}
}

// declName is a declaration's name as wallClockReads spells it: "Func",
// "(*T).Method", "(T).Method", or "var" for anything else.
func declName(d ast.Decl) string {
	fd, ok := d.(*ast.FuncDecl)
	if !ok {
		return "var"
	}
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return fd.Name.Name
	}
	switch r := fd.Recv.List[0].Type.(type) {
	case *ast.StarExpr:
		if id, ok := r.X.(*ast.Ident); ok {
			return "(*" + id.Name + ")." + fd.Name.Name
		}
	case *ast.Ident:
		return "(" + r.Name + ")." + fd.Name.Name
	}
	return fd.Name.Name
}
