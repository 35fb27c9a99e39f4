package mib

import "testing"

// BenchmarkBuiltin measures decoding the embedded tables (the brief's target is < 50 ms).
func BenchmarkBuiltin(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Builtin(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkName measures naming an instance OID, the walk and trap-log hot path.
func BenchmarkName(b *testing.B) {
	n, err := Builtin()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = n.Name("1.3.6.1.2.1.2.2.1.10.3")
	}
}

// BenchmarkDescribe measures the enterprise fallback path.
func BenchmarkDescribe(b *testing.B) {
	n, err := Builtin()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = n.Describe("1.3.6.1.4.1.3845.1.2")
	}
}
