//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package cli

import "os"

// TermSize reports whether f is a terminal and its width. On this platform
// it cannot tell, so it says no: output is plain and 100 columns wide.
func TermSize(f *os.File) (isTerminal bool, width int) { return false, 0 }
