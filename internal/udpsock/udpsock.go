// Package udpsock holds the socket options that busy UDP receivers (the
// trap receiver, the flow collector) need: big receive buffers, several
// sockets on one port, and the kernel's count of datagrams it dropped.
package udpsock
