package snmptest

import (
	"os/exec"
	"syscall"
)

// setProcAttr kills the agent if the test binary dies without cleaning up.
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
