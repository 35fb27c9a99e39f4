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

func TestNetBIOSAddress(t *testing.T) {
	for in, want := range map[string]string{`\fileserver`: "FILESERVER", `\PC-042`: "PC-042", `\A`: "A"} {
		if got, ok := NetBIOSName(in); !ok || got != want {
			t.Errorf("NetBIOSName(%q) = %q, %v", in, got, ok)
		}
		if err := checkAddress(in); err != nil {
			t.Errorf("checkAddress(%q): %v", in, err)
		}
	}
	for _, in := range []string{`\`, `\toolongnetbiosname`, `\a.b`, `\a b`, `\a*`, `fileserver`, `\\x`, "\\caf\u00e9"} {
		if _, ok := NetBIOSName(in); ok {
			t.Errorf("NetBIOSName(%q) accepted", in)
		}
	}
	if err := checkAddress(`\a.b`); err == nil {
		t.Error(`checkAddress(\a.b) accepted`)
	}
}
