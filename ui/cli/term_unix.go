//go:build linux || darwin || freebsd || netbsd || openbsd

package cli

import (
	"os"
	"syscall"
	"unsafe"
)

// TermSize reports whether f is a terminal and, if so, its width in columns.
// One TIOCGWINSZ ioctl answers both: it fails on anything but a terminal.
func TermSize(f *os.File) (isTerminal bool, width int) {
	var ws struct{ Row, Col, X, Y uint16 }
	_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), uintptr(syscall.TIOCGWINSZ), uintptr(unsafe.Pointer(&ws)))
	if errno != 0 {
		return false, 0
	}
	return true, int(ws.Col)
}
