//go:build !unix

package notify

import "os/exec"

// killGroup leaves exec's default: cancellation kills the process only.
func killGroup(*exec.Cmd) {}
