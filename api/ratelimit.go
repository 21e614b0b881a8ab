package api

import (
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"appstore/models"
)

// RateLimit is "Count events per Period" with bursts up to Count.
type RateLimit struct {
	Count  int
	Period time.Duration
}

// keyedLimiter holds one token bucket per key (an IP, an email). Idle buckets
// are dropped on a sweep every few minutes so the map cannot grow forever.
type keyedLimiter struct {
	mu        sync.Mutex
	limit     rate.Limit
	burst     int
	buckets   map[string]*bucket
	lastSweep time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

func newKeyedLimiter(rl RateLimit) *keyedLimiter {
	return &keyedLimiter{
		limit:   rate.Limit(float64(rl.Count) / rl.Period.Seconds()),
		burst:   rl.Count,
		buckets: map[string]*bucket{},
	}
}

// allow takes one token for key; when none is left it says how long to wait.
func (k *keyedLimiter) allow(key string, now time.Time) (bool, time.Duration) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if now.Sub(k.lastSweep) > 5*time.Minute {
		for key, b := range k.buckets {
			if now.Sub(b.seen) > 10*time.Minute {
				delete(k.buckets, key)
			}
		}
		k.lastSweep = now
	}
	b, ok := k.buckets[key]
	if !ok {
		b = &bucket{lim: rate.NewLimiter(k.limit, k.burst)}
		k.buckets[key] = b
	}
	b.seen = now
	r := b.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// rateLimitedError is a 429 that knows its Retry-After.
type rateLimitedError struct {
	domain *models.Error
	wait   time.Duration
}

func (e *rateLimitedError) Error() string { return e.domain.Error() }
func (e *rateLimitedError) Unwrap() error { return e.domain }

func (e *rateLimitedError) retryAfterSeconds() int {
	return int(math.Ceil(e.wait.Seconds()))
}

// loginLimiter limits sign-in attempts per client IP and per email, so
// neither one address nor one targeted account can be hammered.
type loginLimiter struct {
	byIP, byEmail *keyedLimiter
}

func newLoginLimiter(perIP, perEmail RateLimit) *loginLimiter {
	return &loginLimiter{byIP: newKeyedLimiter(perIP), byEmail: newKeyedLimiter(perEmail)}
}

func (l *loginLimiter) check(ip, email string, now time.Time) error {
	if ok, wait := l.byIP.allow("ip:"+ip, now); !ok {
		return limited(wait)
	}
	if ok, wait := l.byEmail.allow("email:"+email, now); !ok {
		return limited(wait)
	}
	return nil
}

func limited(wait time.Duration) error {
	return &rateLimitedError{
		domain: &models.Error{Kind: models.KindRateLimited, Code: "too_many_attempts",
			Message: "Too many sign-in attempts. Wait a moment and try again."},
		wait: wait,
	}
}
