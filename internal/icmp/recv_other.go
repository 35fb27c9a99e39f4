//go:build !linux

package icmp

import "errors"

// mmsgReader is Linux-only; openSocket fails first on other systems.
type mmsgReader struct{ hdrs []struct{} }

func newMmsgReader(n int) *mmsgReader { return &mmsgReader{hdrs: make([]struct{}, n)} }

func (r *mmsgReader) recv(fd uintptr) (int, error) {
	return 0, errors.New("the ICMP engine runs on Linux only")
}

func (r *mmsgReader) packet(i int) packet { return packet{} }

func enableDropCount(fd uintptr) error { return nil }
