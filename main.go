// Command shortlist is a terminal app for working the short list of ICP
// accounts assigned to a B2B sales rep: the day's ranked next actions, each
// account's explained fit, and touches logged in a few keystrokes.
//
// main.go is the one place that knows every package: it loads the config,
// opens the book, and hands both to the CLI (ui/cli) or the TUI (ui).
package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"time"
	_ "time/tzdata" // IANA zones on machines without zoneinfo

	"github.com/adrg/xdg"
	"github.com/charmbracelet/lipgloss"
	xterm "github.com/charmbracelet/x/term"
	"github.com/muesli/termenv"

	"github.com/shortlisthq/shortlist/internal/clock"
	"github.com/shortlisthq/shortlist/internal/debuglog"
	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/storage"
	"github.com/shortlisthq/shortlist/storage/config"
	"github.com/shortlisthq/shortlist/storage/demo"
	"github.com/shortlisthq/shortlist/storage/secret"
	crmsync "github.com/shortlisthq/shortlist/sync"
	"github.com/shortlisthq/shortlist/sync/hubspot"
	"github.com/shortlisthq/shortlist/sync/sandbox"
	"github.com/shortlisthq/shortlist/ui"
	"github.com/shortlisthq/shortlist/ui/cli"
)

// version is set at release with -ldflags "-X main.version=v1.2.3"; it is
// never written at run time.
var version = ""

// Demo book defaults for --demo: the same book on every machine.
const (
	demoAccounts = 300
	demoSeed     = 1
)

func main() {
	os.Exit(run())
}

func run() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	outTerm, width := cli.TermSize(os.Stdout)
	inTerm, _ := cli.TermSize(os.Stdin)
	if !outTerm {
		width = 0
	}
	// The one clock: every part of the app reads now from it, so a test
	// pins it (SHORTLIST_NOW) for the whole process.
	now, err := clock.FromEnv(os.Getenv)
	if err != nil {
		fmt.Fprintf(os.Stderr, "shortlist: %s\n", err)
		return cli.ExitUsage
	}
	// The debug log: written only with --debug or SHORTLIST_DEBUG=1.
	dl := debuglog.New(filepath.Join(xdg.StateHome, "shortlist", "shortlist.log"), 0)
	defer dl.Close()
	logFor := func(g cli.Globals) *debuglog.Log {
		if debugOn(g, os.Getenv) {
			return dl
		}
		return nil
	}
	env := cli.Env{
		Stdout:          os.Stdout,
		Stderr:          os.Stderr,
		Stdin:           os.Stdin,
		Now:             now,
		Terminal:        outTerm && inTerm,
		Width:           width,
		Version:         buildVersion(),
		Schema:          storage.LatestSchema(),
		Open:            func(ctx context.Context, g cli.Globals) (*cli.Book, error) { return openBook(ctx, g, logFor(g), now) },
		WriteDemo:       demoWriter(now),
		TUI:             func(ctx context.Context, b *cli.Book) error { return runTUI(ctx, b, now) },
		Setup:           newSetup(inTerm, dl.Path(), now),
		Debug:           func(g cli.Globals) *slog.Logger { return logFor(g).Logger() },
		CheckCRM:        checkCRM,
		FixCRM:          fixCRM,
		CheckToken:      tokenChecker(tokenCheckLimit),
		SalesforceLogin: salesforceLogin,
	}
	env.StdoutTerminal = outTerm // an export to a terminal is sanitised
	if outTerm && inTerm {
		env.Edit = func(text string) (string, error) {
			return cli.EditText(text, os.Getenv, os.Stdin, os.Stdout, os.Stderr)
		}
		if pager := cli.PagerCommand(os.LookupEnv); pager != nil {
			env.Page = func(text []byte) error { return cli.RunPager(pager, text, os.Stdout, os.Stderr) }
			_, env.Height, _ = xterm.GetSize(os.Stdout.Fd())
		}
	}
	return cli.Run(ctx, os.Args[1:], env)
}

// debugOn reports whether this run writes the debug log.
func debugOn(g cli.Globals, getenv func(string) string) bool {
	switch strings.ToLower(strings.TrimSpace(getenv("SHORTLIST_DEBUG"))) {
	case "1", "true", "yes", "on":
		return true
	}
	return g.Debug
}

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// loadConfig reads --config, or the default file when there is one.
func loadConfig(path string) (config.Config, error) {
	var c config.Config
	var err error
	if path != "" {
		c, err = config.Load(path)
		if errors.Is(err, fs.ErrNotExist) {
			return config.Config{}, fmt.Errorf("config file %s does not exist: check --config, or run shortlist init --config %s", path, path)
		}
	} else {
		c, err = config.Load(config.DefaultPath())
		if errors.Is(err, fs.ErrNotExist) {
			c, err = config.Default(), nil
		}
	}
	if err != nil {
		return config.Config{}, err
	}
	if err := config.ApplyEnv(&c, os.Getenv); err != nil {
		return config.Config{}, err
	}
	return c, nil
}

// bookPath is the real book: --db, else $SHORTLIST_DB, else the XDG data
// directory. With --demo it is demo.db beside it, so the two never mix.
func bookPath(g cli.Globals) string {
	p := g.DB
	if p == "" {
		p = os.Getenv("SHORTLIST_DB")
	}
	if p == "" {
		p = filepath.Join(xdg.DataHome, "shortlist", "shortlist.db")
	}
	if g.Demo {
		p = filepath.Join(filepath.Dir(p), "demo.db")
	}
	return p
}

func openBook(ctx context.Context, g cli.Globals, dl *debuglog.Log, now func() time.Time) (*cli.Book, error) {
	cfg, err := loadConfig(g.Config)
	if err != nil {
		return nil, err
	}
	path := bookPath(g)
	opts := storage.Options{Settings: cfg.Settings, Profile: cfg.Profile, MustExist: true, Progress: openProgress(), Now: now}
	if g.Demo && !hasBook(path) {
		// The demo book is made on first use, whole or not at all.
		err := storage.Build(ctx, path, opts, func(ctx context.Context, db *storage.DB) error {
			return demo.Generate(ctx, db, demo.Options{Accounts: demoAccounts, Seed: demoSeed, Now: now()})
		})
		if err != nil {
			return nil, fmt.Errorf("write demo book %s: %w", path, err)
		}
	}
	// Only the commands that make a book (import, sync) create one; any
	// other says there is none, so a mistyped --db creates nothing.
	opts.MustExist = !g.Create
	db, err := storage.Open(ctx, path, opts)
	if err != nil {
		return nil, err
	}
	if g.Demo {
		if err := fillDemo(ctx, db, now); err != nil {
			db.Close()
			return nil, err
		}
	}
	b := book(db, cfg, g.Demo)
	b.Syncer = newSyncer(db, cfg, g, dl, now)
	if dl != nil {
		b.Syncer = loggedSyncer{s: b.Syncer, log: dl.Logger()}
	}
	if n, ran := db.RescoredAtOpen(); ran {
		b.Notice = rescoreNotice(n)
	}
	if db.StaleScores() {
		b.Notice = fmt.Sprintf("%s is read-only (%s): its scores are from the ICP it was last opened with", db.Path(), db.ReadOnly())
	}
	return b, nil
}

// hasBook reports whether path names a file that holds something (an
// empty file is a book never written).
func hasBook(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Size() > 0
}

// fillDemo writes the demo book when --demo opens one left empty (by an
// older Shortlist, or by hand).
func fillDemo(ctx context.Context, db *storage.DB, now func() time.Time) error {
	accts, err := db.Accounts(ctx, model.AccountFilter{Limit: 1})
	if err != nil {
		return fmt.Errorf("open demo book: %w", err)
	}
	if len(accts) > 0 || db.ReadOnly() != "" {
		return nil
	}
	if err := demo.Generate(ctx, db, demo.Options{Accounts: demoAccounts, Seed: demoSeed, Now: now()}); err != nil {
		return fmt.Errorf("write demo book %s: %w", db.Path(), err)
	}
	return nil
}

// demoWriter writes a new demo book at path beside it under a temporary
// name, moved into place only when whole: a killed demo leaves no book.
func demoWriter(now func() time.Time) func(ctx context.Context, g cli.Globals, path string, o cli.DemoOptions) (*cli.Book, error) {
	return func(ctx context.Context, g cli.Globals, path string, o cli.DemoOptions) (*cli.Book, error) {
		return writeDemo(ctx, g, path, o, now)
	}
}

func writeDemo(ctx context.Context, g cli.Globals, path string, o cli.DemoOptions, now func() time.Time) (*cli.Book, error) {
	cfg, err := loadConfig(g.Config)
	if err != nil {
		return nil, err
	}
	opts := storage.Options{Settings: cfg.Settings, Profile: cfg.Profile, Now: now}
	err = storage.Build(ctx, path, opts, func(ctx context.Context, db *storage.DB) error {
		if err := demo.Generate(ctx, db, demo.Options{Accounts: o.Accounts, Seed: o.Seed, Now: o.Now, Progress: o.Progress}); err != nil {
			return fmt.Errorf("write demo book %s: %w", path, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	opts.MustExist = true
	db, err := storage.Open(ctx, path, opts)
	if err != nil {
		return nil, err
	}
	return book(db, cfg, true), nil
}

func book(db *storage.DB, cfg config.Config, isDemo bool) *cli.Book {
	return &cli.Book{Store: db, Settings: cfg.Settings, Profile: cfg.Profile, Path: db.Path(), Demo: isDemo, Close: db.Close,
		ReadOnly: db.ReadOnly()}
}

// rescoreNotice says that an edited ICP profile (or rank weights) took
// effect when the book opened.
func rescoreNotice(changed int) string {
	what := fmt.Sprintf("%d accounts changed fit or tier", changed)
	if changed == 1 {
		what = "1 account changed fit or tier"
	}
	return "ICP or rank weights changed: re-scored, " + what
}

func runTUI(ctx context.Context, b *cli.Book, now func() time.Time) error {
	return ui.Run(ctx, ui.Options{
		Store: b.Store, Settings: b.Settings, Profile: b.Profile, Syncer: b.Syncer,
		Now: now, Demo: b.Demo, DBPath: b.Path, Notice: b.Notice, ReadOnly: b.ReadOnly,
	})
}

// configPath is the config file the globals select.
func configPath(g cli.Globals) string {
	if g.Config != "" {
		return g.Config
	}
	return config.DefaultPath()
}

// newSetup wires init, config, auth and doctor to storage/config and
// storage/secret.
func newSetup(stdinTerminal bool, logPath string, now func() time.Time) *cli.Setup {
	return &cli.Setup{
		DebugLog:    func(g cli.Globals) (string, bool) { return logPath, debugOn(g, os.Getenv) },
		ConfigPath:  configPath,
		Template:    func() string { return config.Template(config.SystemZone()) },
		WriteConfig: config.WriteFile,
		LoadConfig: func(g cli.Globals) (cli.ConfigView, error) {
			c, err := loadConfig(g.Config)
			if err != nil {
				return cli.ConfigView{}, err
			}
			return cli.ConfigView{
				Path: c.Path, TOML: c.TOML(), Tree: c.Tree(), Sources: c.Sources(),
				RepZone: c.Rep.TimeZone, CRMKind: c.CRM.Kind, OwnerEmail: c.CRM.OwnerEmail,
			}, nil
		},
		Token: func(g cli.Globals) cli.TokenStore {
			return tokenStore{secret.Options{ConfigDir: filepath.Dir(configPath(g))}}
		},
		BookPath:      bookPath,
		BookSchema:    func(ctx context.Context, g cli.Globals) (int, error) { return bookSchema(ctx, g, now) },
		SystemZone:    config.SystemZone,
		Terminal:      terminalInfo,
		Stdin:         os.Stdin,
		StdinTerminal: stdinTerminal,
		ReadPassword:  func() ([]byte, error) { return xterm.ReadPassword(os.Stdin.Fd()) },
	}
}

// bookSchema opens the book as every command does (migrating an older one)
// and reads its schema version.
func bookSchema(ctx context.Context, g cli.Globals, now func() time.Time) (int, error) {
	cfg, err := loadConfig(g.Config)
	if err != nil {
		return 0, err
	}
	db, err := storage.Open(ctx, bookPath(g), storage.Options{Settings: cfg.Settings, Profile: cfg.Profile, MustExist: true,
		Progress: openProgress(), Now: now})
	if err != nil {
		return 0, err
	}
	defer db.Close()
	return db.SchemaVersion(ctx)
}

// openProgress reports a long step of opening the book (a migration
// indexing an old, big book) on stderr once it has taken more than a
// second, so a rep does not wait in silence; the TUI starts after it.
func openProgress() func(storage.Progress) {
	start := time.Now() // a duration: the monotonic clock, pinned or not
	return func(p storage.Progress) {
		if p.Once || time.Since(start) >= time.Second {
			cli.OpenProgress(os.Stderr, p.Step, p.Noun, p.Done, p.Total, p.Once)
		}
	}
}

func terminalInfo() cli.TermInfo {
	w, h, err := xterm.GetSize(os.Stdout.Fd())
	if err != nil {
		return cli.TermInfo{}
	}
	profile := "no colour"
	switch lipgloss.ColorProfile() {
	case termenv.TrueColor:
		profile = "true color"
	case termenv.ANSI256:
		profile = "256 colors"
	case termenv.ANSI:
		profile = "16 colors"
	}
	return cli.TermInfo{IsTerminal: true, Width: w, Height: h, Profile: profile}
}

// tokenStore adapts storage/secret to the CLI. The token itself never
// crosses: Where says only where it is.
type tokenStore struct{ o secret.Options }

func (t tokenStore) Where(crm string) (string, string, error) {
	_, src, err := secret.Lookup(t.o, crm)
	if err != nil {
		return "", "", err
	}
	detail := ""
	if src == secret.SourceFile {
		detail = secret.FilePath(t.o, crm)
	}
	return string(src), detail, nil
}

func (t tokenStore) Save(crm, token string) (string, error) {
	src, err := secret.Save(t.o, crm, token)
	return string(src), err
}

func (t tokenStore) Remove(crm string) ([]string, error) {
	removed, err := secret.Remove(t.o, crm)
	out := make([]string, len(removed))
	for i, r := range removed {
		out[i] = string(r)
	}
	return out, err
}

func (t tokenStore) KeyringProblem(crm string) error { return secret.CheckKeyring(t.o, crm) }
func (t tokenStore) EnvVar(crm string) string        { return secret.EnvVar(crm) }
func (t tokenStore) FilePath(crm string) string      { return secret.FilePath(t.o, crm) }

// lazySyncer builds the sync engine on the first Sync, so a book opens and
// the TUI starts without a token or [crm] settings: Sync then says what is
// missing and how to add it. A built engine is kept for the next Sync (the
// demo sandbox's CRM lives as long as the process).
type lazySyncer struct {
	crm string // the CRM's name, for the first progress report
	// slow: building takes a moment (the demo CRM is seeded from the book),
	// so a progress report says so first. Otherwise the engine's own
	// connect report comes first, and a setup error is the only output.
	slow bool
	// words word the CRM's refusals (explainCRM); zero: HubSpot's.
	words crmWords
	build func(ctx context.Context) (model.Syncer, error)
	mu    sync.Mutex
	s     model.Syncer
}

// explain words a sync's error with the syncer's CRM words.
func (l *lazySyncer) explain(rep model.SyncReport, err error) error {
	w := l.words
	if w.name == "" {
		w = hubspotWords
	}
	return explainCRM(w, rep, err)
}

func (l *lazySyncer) Sync(ctx context.Context, progress chan<- model.SyncProgress) (model.SyncReport, error) {
	l.mu.Lock()
	if l.s == nil {
		if l.slow {
			select {
			case progress <- model.SyncProgress{Phase: model.PhaseConnect, What: l.crm}:
			case <-ctx.Done():
				l.mu.Unlock()
				return model.SyncReport{}, ctx.Err()
			}
		}
		s, err := l.build(ctx)
		if err != nil {
			l.mu.Unlock()
			return model.SyncReport{}, err
		}
		l.s = s
	}
	s := l.s
	l.mu.Unlock()
	if !l.slow || progress == nil {
		rep, err := s.Sync(ctx, progress)
		return rep, l.explain(rep, err)
	}
	// The demo already said "connect the demo CRM"; the engine's own
	// connect report would name the adapter under it ("HubSpot").
	inner := make(chan model.SyncProgress)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for p := range inner {
			if p.Phase == model.PhaseConnect {
				continue
			}
			select {
			case progress <- p:
			case <-ctx.Done():
			}
		}
	}()
	rep, err := s.Sync(ctx, inner)
	close(inner)
	<-done
	return rep, l.explain(rep, err)
}

// newSyncer is the book's syncer: the demo sandbox for the demo book, else
// HubSpot as [crm] and the SHORTLIST_HUBSPOT_* variables say, with the
// token from the environment, the keyring or the token file.
func newSyncer(db *storage.DB, cfg config.Config, g cli.Globals, dl *debuglog.Log, now func() time.Time) model.Syncer {
	if g.CRM != "" && !g.Demo {
		return &lazySyncer{crm: "the CRM", build: func(context.Context) (model.Syncer, error) {
			return nil, errors.New("--crm picks the demo's CRM and needs --demo: for your book, set [crm] kind in config.toml")
		}}
	}
	if g.Demo {
		kind, err := demoCRM(cfg, g)
		if err != nil {
			return &lazySyncer{crm: "the demo CRM", build: func(context.Context) (model.Syncer, error) { return nil, err }}
		}
		if kind == "salesforce" {
			return newSalesforceDemo(db, now)
		}
		return &lazySyncer{crm: "the demo CRM", slow: true, build: func(ctx context.Context) (model.Syncer, error) {
			sb, err := sandbox.New(ctx, db, now())
			if err != nil {
				return nil, err
			}
			crm, err := sb.CRM()
			if err != nil {
				return nil, err
			}
			return crmsync.New(db, crm, crmsync.Options{OwnerEmail: sandbox.OwnerEmail, Now: now}), nil
		}}
	}
	if cfg.CRM.Kind == "salesforce" {
		return newSalesforceSyncer(db, cfg, g, dl, now)
	}
	return &lazySyncer{crm: "HubSpot", build: func(ctx context.Context) (model.Syncer, error) {
		c := cfg.CRM
		switch {
		case c.OwnerEmail == "":
			return nil, errors.New("sync needs [crm] owner_email in config.toml or SHORTLIST_HUBSPOT_OWNER_EMAIL")
		case c.Kind == "":
			return nil, errors.New(`sync needs [crm] kind = "hubspot" in config.toml (or SHORTLIST_HUBSPOT_OWNER_EMAIL set)`)
		case c.Kind != "hubspot":
			return nil, fmt.Errorf("sync does not know the CRM %q: set [crm] kind = \"hubspot\" or \"salesforce\"", c.Kind)
		}
		token, _, err := secret.Lookup(secret.Options{ConfigDir: filepath.Dir(configPath(g))}, c.Kind)
		if err != nil {
			return nil, err
		}
		dl.Secret(token)
		// The ten-second window is kept beside the book, so a sync started
		// right after a killed one waits out what that one sent.
		crm, err := hubspot.New(hubspot.Options{BaseURL: c.BaseURL, Token: token, MeetingLength: c.MeetingLength(),
			RateFile: db.Path() + ".hubspot-rate", Log: dl.Logger()})
		if err != nil {
			return nil, err
		}
		return crmsync.New(db, crm, crmsync.Options{OwnerEmail: c.OwnerEmail, Now: now}), nil
	}}
}

// checkCRM is doctor's CRM check: the configured HubSpot accepts the
// stored token and knows the owner email.
func checkCRM(ctx context.Context, g cli.Globals) error {
	cfg, err := loadConfig(g.Config)
	if err != nil {
		return err
	}
	if cfg.CRM.Kind == "salesforce" {
		return checkSalesforce(ctx, cfg, g)
	}
	if cfg.CRM.Kind != "hubspot" {
		return errors.New(`no CRM configured: set [crm] kind = "hubspot" and owner_email (or kind = "salesforce" and instance_url)`)
	}
	token, _, err := secret.Lookup(secret.Options{ConfigDir: filepath.Dir(configPath(g))}, cfg.CRM.Kind)
	if err != nil {
		return err
	}
	crm, err := hubspot.New(hubspot.Options{BaseURL: cfg.CRM.BaseURL, Token: token, MaxRetries: 1})
	if err != nil {
		return err
	}
	if _, err := crm.Connect(ctx, cfg.CRM.OwnerEmail); err != nil {
		return explainCRM(hubspotWords, model.SyncReport{}, err)
	}
	return nil
}

// tokenCheckLimit bounds the check auth makes before storing a token: a rep
// on a slow link waits this long at most, then the token is stored unchecked.
const tokenCheckLimit = 15 * time.Second

// tokenChecker is auth's check of a candidate token: it finds the owner
// email with it, as a sync's first step does, within limit. HubSpot's 401
// and a missing scope refuse the token; no network, a 5xx, a timeout or a
// reply that does not decode (a captive portal) wrap model.ErrOffline, so
// the token is stored unchecked; an unknown owner email is a warning on an
// accepted token.
func tokenChecker(limit time.Duration) func(ctx context.Context, g cli.Globals, token string) error {
	return func(ctx context.Context, g cli.Globals, token string) error {
		cfg, err := loadConfig(g.Config)
		if err != nil {
			return &cli.TokenWarning{Msg: "not checked with HubSpot: " + err.Error()}
		}
		if cfg.CRM.OwnerEmail == "" {
			return &cli.TokenWarning{Msg: "not checked with HubSpot: the check needs [crm] owner_email in config.toml (or SHORTLIST_HUBSPOT_OWNER_EMAIL); set it, then shortlist doctor checks the token"}
		}
		o := hubspot.Options{BaseURL: cfg.CRM.BaseURL, Token: "placeholder", MaxRetries: 1, Timeout: limit / 2}
		if _, err := hubspot.New(o); err != nil { // the config's fault, not the token's: keep the token
			return &cli.TokenWarning{Msg: "not checked with HubSpot: " + err.Error()}
		}
		o.Token = token
		crm, err := hubspot.New(o)
		if err != nil {
			return err
		}
		cctx, cancel := context.WithTimeout(ctx, limit)
		defer cancel()
		_, err = crm.Connect(cctx, cfg.CRM.OwnerEmail)
		var pe *crmsync.ProtocolError
		var off *crmsync.OfflineError
		switch {
		case err == nil:
			return nil
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, crmsync.ErrUnauthorized):
			return errors.New("HubSpot refused it (HTTP 401): copy the whole token again from HubSpot → Settings → Integrations → Private apps")
		case errors.Is(err, crmsync.ErrDailyLimit):
			return &cli.TokenWarning{Msg: "not checked with HubSpot: its daily API limit is reached; shortlist doctor checks the token tomorrow"}
		case errors.As(err, &off):
			return fmt.Errorf("%w: %s", model.ErrOffline, off.Reason)
		case errors.Is(err, model.ErrOffline):
			return err
		case errors.Is(err, context.DeadlineExceeded) || cctx.Err() != nil:
			return fmt.Errorf("%w: HubSpot did not answer within %s", model.ErrOffline, limit)
		case errors.As(err, &pe):
			return fmt.Errorf("%w: the reply was not HubSpot's (HTTP %d); a network that needs a sign-in page answers like this", model.ErrOffline, pe.Status)
		case errors.Is(err, crmsync.ErrUnknownOwner):
			return &cli.TokenWarning{Accepted: true, Msg: explainCRM(hubspotWords, model.SyncReport{}, err).Error()}
		}
		return explainCRM(hubspotWords, model.SyncReport{}, err)
	}
}

// loggedSyncer writes a sync to the debug log: each phase as it starts and
// the report's summary (counts and the one-line error, never a record).
type loggedSyncer struct {
	s   model.Syncer
	log *slog.Logger
}

func (l loggedSyncer) Sync(ctx context.Context, progress chan<- model.SyncProgress) (model.SyncReport, error) {
	start := time.Now() // a duration: the monotonic clock, pinned or not
	l.log.InfoContext(ctx, "sync start")
	inner := make(chan model.SyncProgress)
	done := make(chan struct{})
	go func() {
		defer close(done)
		last := model.SyncProgress{Phase: "-"}
		for p := range inner {
			if p.Phase != last.Phase || p.What != last.What {
				l.log.InfoContext(ctx, "sync phase", "phase", string(p.Phase), "what", p.What, "total", p.Total)
			}
			last = p
			if progress == nil {
				continue
			}
			select {
			case progress <- p:
			case <-ctx.Done():
			}
		}
	}()
	rep, err := l.s.Sync(ctx, inner)
	close(inner)
	<-done
	attrs := []any{"pulled", rep.Pulled, "pushed", rep.Pushed, "pending", rep.Pending, "held_back", rep.HeldBack,
		"conflicts", len(rep.Conflicts), "changes", len(rep.Changes) + rep.ChangesMore, "errors", len(rep.Errors),
		"ms", time.Since(start).Milliseconds()}
	if len(rep.Errors) > 0 {
		attrs = append(attrs, "first_error", model.Sanitize(rep.Errors[0]))
	}
	if err != nil {
		l.log.WarnContext(ctx, "sync failed", append(attrs, "error", model.Sanitize(err.Error()))...)
	} else {
		l.log.InfoContext(ctx, "sync report", attrs...)
	}
	return rep, err
}
