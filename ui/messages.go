package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/muesli/termenv"

	"github.com/shortlisthq/shortlist/model"
)

// storeTimeout bounds one store call made from the UI, so a locked database
// shows up as an error in the status line instead of a frozen screen.
const storeTimeout = 10 * time.Second

// Navigation messages: screens switch by message, never by reaching into
// each other.
type (
	openAccountMsg struct{ id int64 }
	openLogMsg     struct {
		row      model.Row
		upperKey bool
	}
	openSearchMsg struct{}
	openStatsMsg  struct{}
	startSyncMsg  struct{}
	backMsg       struct{}
)

// statusMsg puts a line in the status bar; err marks it as a problem.
type statusMsg struct {
	text string
	err  bool
}

func statusCmd(text string, isErr bool) tea.Cmd {
	return func() tea.Msg { return statusMsg{text: text, err: isErr} }
}

// actionDoneMsg reports a write to the store; reload asks the screens that
// show store data to fetch it again.
type actionDoneMsg struct {
	text   string
	err    error
	reload bool
}

// touchLoggedMsg reports a LogTouch.
// logStateLoadedMsg carries the book's state for the row the log screen
// opened on.
type logStateLoadedMsg struct {
	contactID, taskID int64
	state             model.LogState
	err               error
}

type touchLoggedMsg struct {
	req model.LogRequest
	res model.LogResult
	err error
}

// effects is what main.go's environment does outside the store: the system
// opener and the clipboard. Tests replace them.
type effects struct {
	open func(ctx context.Context, url string) error
	copy func(text string) error
}

func defaultEffects() effects {
	return effects{open: systemOpen, copy: osc52Copy}
}

// systemOpen hands a URL to the platform's opener, only one that passes
// model.CheckWebURL: an opener runs whatever it is given (a file: path, an
// option like --manual), so this is the last gate before it, whoever calls.
func systemOpen(ctx context.Context, url string) error {
	if err := model.CheckWebURL(url); err != nil {
		return err
	}
	name := "xdg-open"
	switch runtime.GOOS {
	case "darwin":
		name = "open"
	case "windows":
		name = "explorer"
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, url)
	if out, err := cmd.CombinedOutput(); err != nil {
		if len(out) > 0 {
			return fmt.Errorf("%s: %w: %s", name, err, model.Shorten(model.Display(string(out)), 200))
		}
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// osc52Copy asks the terminal to put text on the clipboard (OSC 52); termenv
// wraps it for screen and tmux.
func osc52Copy(text string) error {
	termenv.NewOutput(os.Stdout).Copy(text)
	return nil
}

func withTimeout(fn func(ctx context.Context) tea.Msg) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
		defer cancel()
		return fn(ctx)
	}
}

// errText turns a store error into what the rep reads and what to do.
func errText(op string, err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, model.ErrBusy):
		return op + ": the database is busy (another shortlist running?): try again"
	case errors.Is(err, model.ErrNotFound):
		return op + ": it no longer exists (changed by a sync?): press r to refresh"
	case errors.Is(err, model.ErrConflict):
		return op + ": it changed meanwhile: press r to refresh and retry"
	case errors.Is(err, context.DeadlineExceeded):
		return op + ": the database took too long: try again"
	}
	return op + ": " + err.Error()
}

func errorsIsOffline(err error) bool { return errors.Is(err, model.ErrOffline) }

// openCRM hands the account's CRM page to the system opener.
func openCRM(fx effects, a model.Account) tea.Cmd {
	if a.CRMURL == "" {
		return statusCmd("no CRM link for "+a.Name+" yet: it appears after the account syncs", true)
	}
	url, name := a.CRMURL, model.Display(a.Name)
	if err := model.CheckWebURL(url); err != nil {
		// A CSV's "Record URL" or a CRM field can hold anything: file:
		// paths and option-like values never reach the opener.
		return statusCmd("not opened: the CRM link for "+name+" is refused: "+err.Error(), true)
	}
	return func() tea.Msg {
		if err := fx.open(context.Background(), url); err != nil {
			// No browser here (a server, a container, ssh): the opener's
			// own output is many lines of no use. One line with the link,
			// copied to the clipboard where the terminal allows it.
			what := "no browser opened"
			if cerr := fx.copy(url); cerr == nil {
				what += ", link copied (OSC 52)"
			}
			return statusMsg{text: what + ": " + model.Display(url), err: true}
		}
		return statusMsg{text: "opened " + name + " in the CRM"}
	}
}

// copyContact copies the phone for a call (else the email) via OSC 52.
func copyContact(fx effects, c model.Contact, kind model.TaskKind) tea.Cmd {
	what, val := "email", c.Email
	if (kind == model.TaskCall || val == "") && c.Phone != "" {
		what, val = "phone", c.Phone
	}
	if val == "" {
		return statusCmd("nothing to copy: this contact has no phone or email", true)
	}
	return func() tea.Msg {
		if err := fx.copy(val); err != nil {
			return statusMsg{text: "copy failed: " + err.Error(), err: true}
		}
		return statusMsg{text: "copied " + what + " " + val + " (OSC 52: your terminal must allow clipboard access)"}
	}
}
