// Package discover builds maps from what can be learnt about the network:
// for now, the starter map a new server shows on its first start.
package discover

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"strings"

	"github.com/vantage-monitor/vantage/internal/netmap"
)

// HostFacts is what the starter map is drawn from.
type HostFacts struct {
	Hostname string
	// Addrs are the server's own addresses with their prefixes.
	Addrs    []netip.Prefix
	Gateways []netip.Addr
	DNS      []netip.Addr
}

// StarterMapName is the name of the map created on first start.
const StarterMapName = "Local network"

// StarterMap draws this server (the vantage point), its default gateways
// and DNS servers as ping devices, and its local subnets as network ovals,
// so a new user sees a live map at once.
func StarterMap(f HostFacts) *netmap.Map {
	m := &netmap.Map{Name: StarterMapName}
	self := f.Hostname
	if self == "" {
		self = "this server"
	}
	selfAddr := "127.0.0.1"
	for _, p := range f.Addrs {
		if p.Addr().Is4() && !p.Addr().IsLoopback() {
			selfAddr = p.Addr().String()
			break
		}
	}
	m.Devices = append(m.Devices, netmap.Device{Name: self, Address: selfAddr, Probe: netmap.DefaultProbe, X: 400, Y: 300})
	m.Vantage = self
	used := map[string]bool{self: true}
	name := func(base string) string {
		n := base
		for i := 2; used[n]; i++ {
			n = fmt.Sprintf("%s %d", base, i)
		}
		used[n] = true
		return n
	}
	add := func(base string, addrs []netip.Addr, y float64) {
		for i, a := range addrs {
			if a.IsLoopback() && base == "DNS" {
				continue // a local stub resolver is this server itself
			}
			m.Devices = append(m.Devices, netmap.Device{Name: name(base + " " + a.String()), Address: a.String(), Probe: netmap.DefaultProbe,
				X: 200 + float64(i)*200, Y: y})
		}
	}
	add("gateway", f.Gateways, 120)
	add("DNS", f.DNS, 480)
	seen := map[netip.Prefix]bool{}
	x := 150.0
	for _, p := range f.Addrs {
		p = p.Masked()
		if p.Addr().IsLoopback() || p.Addr().IsLinkLocalUnicast() || seen[p] {
			continue
		}
		seen[p] = true
		m.Networks = append(m.Networks, netmap.Network{Name: name(p.String()), CIDRs: []string{p.String()}, X: x, Y: 300})
		x += 500
	}
	return m
}

// LocalFacts reads the host's facts from the kernel and /etc/resolv.conf.
func LocalFacts() HostFacts {
	var f HostFacts
	f.Hostname, _ = os.Hostname()
	if ifs, err := net.Interfaces(); err == nil {
		for _, ifc := range ifs {
			if ifc.Flags&net.FlagUp == 0 {
				continue
			}
			addrs, _ := ifc.Addrs()
			for _, a := range addrs {
				if ipn, ok := a.(*net.IPNet); ok {
					if p, err := netip.ParsePrefix(ipn.String()); err == nil {
						f.Addrs = append(f.Addrs, netip.PrefixFrom(p.Addr().Unmap(), p.Bits()))
					}
				}
			}
		}
	}
	if r, err := os.Open("/proc/net/route"); err == nil {
		f.Gateways = append(f.Gateways, parseRoutes(r)...)
		r.Close()
	}
	if r, err := os.Open("/etc/resolv.conf"); err == nil {
		f.DNS = parseResolvConf(r)
		r.Close()
	}
	return f
}

// parseRoutes finds the IPv4 default gateways in /proc/net/route, whose
// addresses are little-endian hex.
func parseRoutes(r io.Reader) []netip.Addr {
	var out []netip.Addr
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 3 || f[1] != "00000000" || f[2] == "00000000" {
			continue
		}
		b, err := hex.DecodeString(f[2])
		if err != nil || len(b) != 4 {
			continue
		}
		a := netip.AddrFrom4([4]byte{b[3], b[2], b[1], b[0]})
		if !containsAddr(out, a) {
			out = append(out, a)
		}
	}
	return out
}

// parseResolvConf lists the nameserver addresses.
func parseResolvConf(r io.Reader) []netip.Addr {
	var out []netip.Addr
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == "nameserver" {
			host, _, _ := strings.Cut(f[1], "%")
			if a, err := netip.ParseAddr(host); err == nil && !containsAddr(out, a) {
				out = append(out, a)
			}
		}
	}
	return out
}

func containsAddr(list []netip.Addr, a netip.Addr) bool {
	for _, x := range list {
		if x == a {
			return true
		}
	}
	return false
}
