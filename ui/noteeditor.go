package ui

import (
	"errors"
	"os"
	"os/exec"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
)

// noteEditedMsg is the note as the rep left it in $VISUAL or $EDITOR.
type noteEditedMsg struct {
	text string
	err  error
}

// editorCommand is the rep's editor as git and gh find it: $VISUAL, then
// $EDITOR, then vi. The variable may hold arguments ("code --wait").
func editorCommand(getenv func(string) string) []string {
	for _, v := range []string{"VISUAL", "EDITOR"} {
		if f := strings.Fields(getenv(v)); len(f) > 0 {
			return f
		}
	}
	return []string{"vi"}
}

// editInEditor hands note to the rep's editor in a temporary file; the
// program gives the terminal to the editor and takes it back after.
func editInEditor(note string) tea.Cmd {
	f, err := os.CreateTemp("", "shortlist-note-*.txt")
	if err != nil {
		return func() tea.Msg { return noteEditedMsg{err: err} }
	}
	path := f.Name()
	_, werr := f.WriteString(note)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		os.Remove(path)
		return func() tea.Msg { return noteEditedMsg{err: werr} }
	}
	argv := append(editorCommand(os.Getenv), path)
	cmd := exec.Command(argv[0], argv[1:]...)
	return tea.ExecProcess(cmd, func(err error) tea.Msg {
		defer os.Remove(path)
		if err != nil {
			return noteEditedMsg{err: errors.New("the editor " + argv[0] + " failed: " + err.Error() + " (the note is as it was)")}
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return noteEditedMsg{err: err}
		}
		return noteEditedMsg{text: strings.TrimRight(string(b), "\n")}
	})
}
