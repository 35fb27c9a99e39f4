package report

import (
	"bytes"

	"github.com/vantage-monitor/vantage/internal/notify"
)

// Message turns a scheduled report into a notification: Kind REPORT, the
// plain-text summary (Text) as its Reason, and the whole report attached in
// the schedule's format for e-mail (other notifiers send the text alone).
func Message(s Schedule, r Report) (notify.Message, error) {
	var b bytes.Buffer
	att := notify.Attachment{Name: reportFile(r, "html"), ContentType: "text/html; charset=utf-8"}
	if s.Format == "csv" {
		att = notify.Attachment{Name: reportFile(r, "csv"), ContentType: "text/csv; charset=utf-8"}
		if err := WriteCSV(&b, r); err != nil {
			return notify.Message{}, err
		}
	} else if err := WriteHTML(&b, r); err != nil {
		return notify.Message{}, err
	}
	att.Data = b.Bytes()
	return notify.Message{Time: r.Generated, Kind: "REPORT", Map: r.Map, Device: r.Device, Status: "report",
		Reason: Text(r), Attachments: []notify.Attachment{att}}, nil
}

// reportFile names an attachment: vantage-report-MAP-FROMDATE.EXT, with
// characters that are awkward in file names replaced.
func reportFile(r Report, ext string) string {
	name := []rune("vantage-report-" + r.Map + "-" + r.From.Format("2006-01-02"))
	for i, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_') {
			name[i] = '_'
		}
	}
	return string(name) + "." + ext
}
