package netnstest

import (
	"fmt"
	"os"
	"runtime"

	"golang.org/x/sys/unix"
)

// Do runs fn inside the namespace, in this process: its goroutine is
// locked to an OS thread that enters the namespace (setns) and comes back
// when fn returns, so no other goroutine ever runs there. Sockets fn opens
// (in its own goroutine) belong to the namespace for good and can be used
// from any goroutine once Do returns: a server listening at Addr, or a
// client dialling out from it, without a helper process.
func (ns *NS) Do(fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		// Unlocked only once back home: a goroutine that ends locked takes
		// its thread with it. (Not the process's main thread, which Go
		// keeps, and whose namespace is the one /proc/self/net shows: so
		// the thread always goes back.)
		home, err := os.Open("/proc/thread-self/ns/net")
		if err != nil {
			errc <- fmt.Errorf("netnstest: %w", err)
			return
		}
		defer home.Close()
		target, err := os.Open("/run/netns/" + ns.name)
		if err != nil {
			errc <- fmt.Errorf("netnstest: %w", err)
			return
		}
		defer target.Close()
		if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("netnstest: setns %s: %w", ns.name, err)
			return
		}
		err = fn()
		if rerr := unix.Setns(int(home.Fd()), unix.CLONE_NEWNET); rerr != nil {
			errc <- fmt.Errorf("netnstest: back from %s: %w", ns.name, rerr)
			return
		}
		runtime.UnlockOSThread()
		errc <- err
	}()
	return <-errc
}
