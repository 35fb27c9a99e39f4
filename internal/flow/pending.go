package flow

import "time"

// pendingSet is a data set whose template had not arrived yet, kept with
// the header it came with so it decodes as it would have on time.
type pendingSet struct {
	key  tmplKey
	hdr  nfHeader
	p    packetInfo
	body []byte
}

// pendingQueue holds an exporter's data sets waiting for their templates,
// bounded in count, bytes and age; what overflows or expires is dropped
// and counted.
type pendingQueue struct {
	sets  []pendingSet
	bytes int
}

// limits for a pendingQueue.
type pendingLimits struct {
	sets, bytes int
	ttl         time.Duration
}

// add keeps a copy of body, dropping the oldest sets to stay within the
// limits; it returns how many were dropped.
func (q *pendingQueue) add(s pendingSet, lim pendingLimits) (dropped int) {
	if lim.sets <= 0 || len(s.body) > lim.bytes {
		return 1
	}
	s.body = append([]byte(nil), s.body...)
	q.sets = append(q.sets, s)
	q.bytes += len(s.body)
	for len(q.sets) > lim.sets || q.bytes > lim.bytes {
		q.bytes -= len(q.sets[0].body)
		q.sets[0] = pendingSet{}
		q.sets = q.sets[1:]
		dropped++
	}
	return dropped
}

// take removes and returns the sets waiting for template k.
func (q *pendingQueue) take(k tmplKey) []pendingSet {
	var got []pendingSet
	kept := q.sets[:0]
	for _, s := range q.sets {
		if s.key == k {
			got = append(got, s)
			q.bytes -= len(s.body)
		} else {
			kept = append(kept, s)
		}
	}
	clear(q.sets[len(kept):])
	q.sets = kept
	return got
}

// expire drops sets that arrived before cutoff and returns how many.
func (q *pendingQueue) expire(cutoff time.Time) (dropped int) {
	kept := q.sets[:0]
	for _, s := range q.sets {
		if s.p.received.Before(cutoff) {
			q.bytes -= len(s.body)
			dropped++
		} else {
			kept = append(kept, s)
		}
	}
	clear(q.sets[len(kept):])
	q.sets = kept
	return dropped
}
