package fileerr

import (
	"errors"
	"fmt"
	"testing"
)

func TestErrorAndAll(t *testing.T) {
	tests := map[string]*Error{
		"a.yaml:3: bad": {File: "a.yaml", Line: 3, Reason: "bad"},
		"a.yaml: bad":   {File: "a.yaml", Reason: "bad"},
		"line 3: bad":   {Line: 3, Reason: "bad"},
		"bad":           {Reason: "bad"},
	}
	for want, e := range tests {
		if e.Error() != want {
			t.Errorf("%+v = %q, want %q", e, e.Error(), want)
		}
	}
	cause := errors.New("denied")
	joined := fmt.Errorf("loading: %w", errors.Join(&Error{File: "x", Line: 1, Reason: "one"}, errors.New("other"), &Error{File: "x", Reason: "two", Err: cause}))
	all := All(joined)
	if len(all) != 2 || all[0].Reason != "one" || all[1].Reason != "two" || !errors.Is(joined, cause) {
		t.Fatalf("All = %+v", all)
	}
	if All(nil) != nil {
		t.Fatal("All(nil) not nil")
	}
}
