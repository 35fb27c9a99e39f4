//go:build !linux

package snmptest

import "os/exec"

func setProcAttr(cmd *exec.Cmd) {}
