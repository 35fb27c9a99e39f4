package folderpoll

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	scans := 0
	type report struct {
		changed []string
		errs    int
	}
	var reports []report
	done := make(chan struct{})
	go func() {
		Run(ctx, time.Millisecond, func() ([]string, []error) {
			scans++
			switch scans {
			case 2:
				return []string{"a"}, nil
			case 3:
				return nil, []error{errors.New("bad")}
			case 4:
				cancel()
			}
			return nil, nil
		}, func(c []string, e []error) { reports = append(reports, report{c, len(e)}) })
		close(done)
	}()
	<-done
	if len(reports) != 2 || reports[0].changed[0] != "a" || reports[1].errs != 1 {
		t.Fatalf("reports %v", reports)
	}
}
