package netmap

import "testing"

func TestDeviceRecords(t *testing.T) {
	for _, tc := range []struct {
		sets []string
		ds   string
		want bool
	}{
		{nil, "rtt", true},
		{[]string{"rtt"}, "rtt", true},
		{[]string{"rtt"}, "loss", false},
		{[]string{"if.*.in_bps", "if.*.out_bps"}, "if.3.out_bps", true},
		{[]string{"if.*.in_bps"}, "if.3.in_util", false},
		{[]string{"none"}, "rtt", false},
	} {
		if got := (Device{Datasets: tc.sets}).Records(tc.ds); got != tc.want {
			t.Errorf("%v records %s = %v", tc.sets, tc.ds, got)
		}
	}
}
