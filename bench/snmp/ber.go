package main

import "errors"

var errBER = errors.New("malformed BER")

// tlv splits the first BER element off b: its tag, its contents, the
// whole element and what follows it. Lengths over 16 MB are refused.
func tlv(b []byte) (tag byte, val, raw, rest []byte, err error) {
	if len(b) < 2 {
		return 0, nil, nil, nil, errBER
	}
	tag, n, i := b[0], int(b[1]), 2
	if n&0x80 != 0 {
		k := n & 0x7f
		if k == 0 || k > 3 || len(b) < 2+k {
			return 0, nil, nil, nil, errBER
		}
		n = 0
		for _, c := range b[2 : 2+k] {
			n = n<<8 | int(c)
		}
		i += k
	}
	if len(b)-i < n {
		return 0, nil, nil, nil, errBER
	}
	return tag, b[i : i+n], b[:i+n], b[i+n:], nil
}

// headerLen is the size of a BER tag and length for n bytes of contents.
func headerLen(n int) int {
	switch {
	case n < 0x80:
		return 2
	case n < 0x100:
		return 3
	case n < 0x10000:
		return 4
	}
	return 5
}

// appendHeader appends a BER tag and the definite length n.
func appendHeader(dst []byte, tag byte, n int) []byte {
	switch {
	case n < 0x80:
		return append(dst, tag, byte(n))
	case n < 0x100:
		return append(dst, tag, 0x81, byte(n))
	case n < 0x10000:
		return append(dst, tag, 0x82, byte(n>>8), byte(n))
	}
	return append(dst, tag, 0x83, byte(n>>16), byte(n>>8), byte(n))
}

// berInt decodes a small non-negative INTEGER's contents; negative and
// over-long ones are 0.
func berInt(b []byte) int {
	if len(b) == 0 || len(b) > 4 || b[0]&0x80 != 0 {
		return 0
	}
	n := 0
	for _, c := range b {
		n = n<<8 | int(c)
	}
	return n
}
