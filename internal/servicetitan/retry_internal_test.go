package servicetitan

import (
	"testing"
	"time"
)

// The wait between retries grows exponentially, never passes its cap, and
// is jittered over [d/2, d] so that processes started together spread out.
// Measuring real waits would make this slow and noisy, so the policy is
// sampled directly.
func TestBackoffStaysWithinItsCapWithJitter(t *testing.T) {
	const minWait, maxWait = 500 * time.Millisecond, 8 * time.Second
	p := &retryPolicy{opts: Options{}.withDefaults()}
	for _, attempt := range []int{0, 1, 2, 3, 4, 5, 10, 16, 17, 40, 63} {
		ceiling := maxWait
		if attempt < 5 {
			ceiling = minWait << attempt
		}
		seen := map[time.Duration]bool{}
		for range 2000 {
			d := p.backoff(minWait, maxWait, attempt, nil)
			if d < ceiling/2 || d > ceiling {
				t.Fatalf("attempt %d: wait %s outside [%s, %s]", attempt, d, ceiling/2, ceiling)
			}
			seen[d] = true
		}
		if len(seen) < 100 {
			t.Errorf("attempt %d: only %d distinct waits in 2000 samples: no jitter", attempt, len(seen))
		}
	}
}
