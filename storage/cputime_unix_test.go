//go:build unix

package storage_test

import (
	"syscall"
	"time"
)

// cpuTime is the process's user plus system CPU time so far: on a noisy
// shared machine it moves less than wall time with what else is running.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
