package poller

import "time"

// schedule is a min-heap of entries by next poll time.
type schedule []*entry

func (s schedule) Len() int           { return len(s) }
func (s schedule) Less(i, j int) bool { return s[i].next.Before(s[j].next) }
func (s schedule) Swap(i, j int) {
	s[i], s[j] = s[j], s[i]
	s[i].index, s[j].index = i, j
}
func (s *schedule) Push(x any) {
	e := x.(*entry)
	e.index = len(*s)
	*s = append(*s, e)
}
func (s *schedule) Pop() any {
	old := *s
	e := old[len(old)-1]
	old[len(old)-1] = nil
	e.index = -1
	*s = old[:len(old)-1]
	return e
}

// rateCounter counts polls over the last minute in one-second buckets.
type rateCounter struct {
	buckets [60]int
	stamps  [60]int64
}

func (r *rateCounter) add(t time.Time) {
	sec := t.Unix()
	i := sec % 60
	if r.stamps[i] != sec {
		r.stamps[i], r.buckets[i] = sec, 0
	}
	r.buckets[i]++
}

func (r *rateCounter) perSecond(now time.Time) float64 {
	sec := now.Unix()
	total := 0
	for i := range r.buckets {
		if sec-r.stamps[i] < 60 && sec-r.stamps[i] >= 0 {
			total += r.buckets[i]
		}
	}
	return float64(total) / 60
}
