// The pod sandbox's "pause" process for the test cluster's node: it holds the pod's namespaces open,
// reaps orphaned children (it is PID 1 when the pod shares its PID namespace) and exits cleanly on
// SIGINT or SIGTERM. Written for tests/cluster because no registry can be reached to pull one.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	signals := make(chan os.Signal, 4)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGCHLD)
	for sig := range signals {
		if sig == syscall.SIGCHLD {
			for {
				var status syscall.WaitStatus
				pid, err := syscall.Wait4(-1, &status, syscall.WNOHANG, nil)
				if pid <= 0 || err != nil {
					break
				}
			}
			continue
		}
		os.Exit(0)
	}
}
