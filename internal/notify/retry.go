package notify

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// maxBackoff bounds one wait between attempts.
const maxBackoff = time.Minute

// SendWithRetry sends m through n, retrying up to retries times with an
// exponential back-off from delay (doubling, at most a minute or delay if
// larger). It stops at once on a permanent error or when ctx ends. The
// error returned is the last one, with the attempt count.
func SendWithRetry(ctx context.Context, n Notifier, retries int, delay time.Duration, m Message) error {
	if retries < 0 {
		retries = 0
	}
	attempts := retries + 1
	wait := delay
	var err error
	for i := 1; i <= attempts; i++ {
		err = n.Send(ctx, m)
		if err == nil {
			return nil
		}
		if errors.Is(err, ErrPermanent) {
			return fmt.Errorf("notifier %s: attempt %d of %d, not retried: %w", n.Name(), i, attempts, err)
		}
		if i == attempts {
			break
		}
		if ctx.Err() != nil {
			return fmt.Errorf("notifier %s: attempt %d of %d, then %w: %w", n.Name(), i, attempts, context.Cause(ctx), err)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("notifier %s: attempt %d of %d, then %w: %w", n.Name(), i, attempts, context.Cause(ctx), err)
		case <-t.C:
		}
		wait *= 2
		if limit := max(maxBackoff, delay); wait > limit || wait <= 0 {
			wait = limit
		}
	}
	return fmt.Errorf("notifier %s: %d attempts failed: %w", n.Name(), attempts, err)
}
