package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/vantage-monitor/vantage/internal/eventlog"
	"github.com/vantage-monitor/vantage/internal/netmap"
)

func TestDecodeJSONMalformed(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"empty", "", "request body is empty"},
		{"not json", "name=gw", "not valid JSON at byte"},
		{"truncated", `{"name":"gw"`, "request body"},
		{"unknown field", `{"name":"gw","adress":"x"}`, `unknown field "adress"`},
		{"wrong type", `{"name":"gw","x":"left"}`, `field "x" must be float64`},
		{"trailing", `{"name":"gw"} {"name":"other"}`, "data after the JSON object"},
		{"bad duration", `{"name":"gw","interval":"soon"}`, "request body"},
		{"array", `[1,2]`, "must be"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var d netmap.Device
			err := decodeJSONFrom(strings.NewReader(tc.body), &d)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
	var d netmap.Device
	if err := decodeJSONFrom(strings.NewReader(`{"name":"gw","address":"192.0.2.1","interval":"30s","params":{"count":"3"}}`), &d); err != nil || d.Interval.Std().Seconds() != 30 {
		t.Fatalf("good body: %+v %v", d, err)
	}
}

func FuzzDecodeDevice(f *testing.F) {
	for _, s := range []string{`{"name":"gw","address":"192.0.2.1","probe":"ping","interval":"30s","x":1,"y":2,"params":{"a":"b"},"snmp":{"version":"2c"}}`, `{}`, `[]`, `{"lat":1e400}`, `{"interval":-1}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var d netmap.Device
		_ = decodeJSONFrom(strings.NewReader(body), &d)
	})
}

func FuzzDecodeMap(f *testing.F) {
	f.Add(`{"name":"Campus","devices":[{"name":"gw","address":"192.0.2.1"}],"networks":[{"name":"lan","cidrs":["192.0.2.0/24"]}],"links":[{"from":"gw","to":"lan"}]}`)
	f.Add(`{"links":[["a","b"]]}`)
	f.Fuzz(func(t *testing.T, body string) {
		var m netmap.Map
		if decodeJSONFrom(strings.NewReader(body), &m) != nil {
			return
		}
		// Whatever decodes must survive the map file writer.
		_, _ = netmap.Marshal(&m)
	})
}

func FuzzEventQuery(f *testing.F) {
	f.Add("since=2026-01-01T00:00:00Z&limit=5&kind=DOWN")
	f.Add("since=15m&until=x")
	f.Fuzz(func(t *testing.T, q string) {
		_, _ = parseTimeQuery(q)
	})
}

// parseTimeQuery parses an events query string (for the fuzz target).
func parseTimeQuery(raw string) (eventlog.Query, error) {
	r, err := http.NewRequest("GET", "/api/v1/events?"+raw, nil)
	if err != nil {
		return eventlog.Query{}, err
	}
	return parseEventQuery(r)
}
