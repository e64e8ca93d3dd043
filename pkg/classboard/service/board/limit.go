package board

import (
	"math"
	"sync"
	"time"
)

// bucket is a token bucket: it holds up to burst tokens and gains rate per second.
type bucket struct {
	tokens float64
	at     time.Time
}

// take removes n tokens if it holds them, after refilling for the time since the last call.
func (b *bucket) take(now time.Time, rate float64, burst int, n float64) bool {
	if dt := now.Sub(b.at).Seconds(); dt > 0 {
		b.tokens = math.Min(float64(burst), b.tokens+dt*rate)
	}
	b.at = now
	if b.tokens < n {
		return false
	}
	b.tokens -= n
	return true
}

// limiter limits each account to burst reports at once and rate per second after, and counts
// what it refused.
type limiter struct {
	rate  float64
	burst int
	now   func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
	refused map[string]int
	total   int
}

func newLimiter(rate float64, burst int, now func() time.Time) *limiter {
	return &limiter{rate: rate, burst: burst, now: now, buckets: map[string]*bucket{}, refused: map[string]int{}}
}

// allow takes n reports from user's allowance; when it lacks them, it counts n refused and
// says how long until they would be allowed.
func (l *limiter) allow(user string, n int) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b := l.buckets[user]
	if b == nil {
		b = &bucket{tokens: float64(l.burst), at: now}
		l.buckets[user] = b
	}
	if b.take(now, l.rate, l.burst, float64(n)) {
		return true, 0
	}
	l.refused[user] += n
	l.total += n
	wait := time.Duration((float64(n) - b.tokens) / l.rate * float64(time.Second))
	return false, max(wait, time.Second)
}

func (l *limiter) refusedOf(user string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.refused[user]
}

func (l *limiter) refusedTotal() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.total
}
