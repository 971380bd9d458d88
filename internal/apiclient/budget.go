package apiclient

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
)

// What the process holds of ServiceTitan's answers. A server decides how
// much it sends, not how much we keep: a body is read into a buffer that
// grows with what arrives (never sized from a Content-Length, which costs
// the server nothing to claim), every byte a read holds is taken from one
// budget for the whole process, and one read holds at most MaxReadSize.

const (
	// ResponseBudget is the most response bytes the provider process holds
	// at once across all its reads: Terraform's default parallelism of 10
	// times a page of 5000 wide records, with room to spare.
	ResponseBudget = 256 << 20
	// MaxReadSize is the most one read holds across all its pages.
	MaxReadSize = 256 << 20
	// minGrowth is the first buffer of a body, and the least it grows by.
	minGrowth = 32 << 10
)

// responseBudget is the process's budget. A variable so that a test can
// make it small.
var responseBudget = newByteBudget(ResponseBudget)

// byteBudget hands out bytes up to a total. A read that holds nothing yet
// waits for its share; one that already holds some is refused at once,
// since two reads each waiting for the other's bytes would wait forever.
type byteBudget struct {
	mu    sync.Mutex
	total int64
	free  int64
	// freed is closed, and replaced, whenever bytes are given back.
	freed chan struct{}
}

func newByteBudget(total int64) *byteBudget {
	return &byteBudget{total: total, free: total, freed: make(chan struct{})}
}

// budgetError is a read refused for the bytes it would hold.
type budgetError struct {
	// perRead says the read's own cap, not the process's budget, was passed.
	perRead bool
	limit   int64
}

func (e *budgetError) Error() string {
	if e.perRead {
		return fmt.Sprintf("the read would hold more than %d MiB of responses, the most one read may hold; narrow the query, or read fewer pages at a time (max_pages, then from = continue_from for an export)", e.limit>>20)
	}
	return fmt.Sprintf("the responses being read at once would pass the provider's budget of %d MiB; ask for smaller pages (page_size), or run fewer reads at once (terraform -parallelism)", e.limit>>20)
}

func (b *byteBudget) take(ctx context.Context, n int64, holding bool) error {
	for {
		b.mu.Lock()
		if n <= b.free {
			b.free -= n
			b.mu.Unlock()
			return nil
		}
		freed := b.freed
		b.mu.Unlock()
		if holding || n > b.total {
			return &budgetError{limit: b.total}
		}
		select {
		case <-freed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (b *byteBudget) give(n int64) {
	if n <= 0 {
		return
	}
	b.mu.Lock()
	b.free += n
	close(b.freed)
	b.freed = make(chan struct{})
	b.mu.Unlock()
}

// hold takes n more bytes for this read from the budget.
func (r *read) hold(ctx context.Context, n int64) error {
	if r.held+n > MaxReadSize {
		return &budgetError{perRead: true, limit: MaxReadSize}
	}
	if err := responseBudget.take(ctx, n, r.held > 0); err != nil {
		return err
	}
	r.held += n
	return nil
}

// drop gives n bytes of this read back.
func (r *read) drop(n int64) {
	n = min(n, r.held)
	responseBudget.give(n)
	r.held -= n
}

// readBody reads a response through the transport's cap into a buffer
// that doubles as the body arrives, each growth taken from the budget
// first: what is held is what arrived, at most twice over.
func (r *read) readBody(ctx context.Context, resp *http.Response) ([]byte, error) {
	var buf []byte
	for {
		if len(buf) == cap(buf) {
			// Doubling, but never past one byte beyond the cap: that byte
			// is how a body too large is told.
			grow := min(max(int64(cap(buf)), minGrowth), MaxAPIResponseSize+1-int64(cap(buf)))
			if grow <= 0 {
				return nil, errResponseTooLarge
			}
			if err := r.hold(ctx, grow); err != nil {
				return nil, err
			}
			next := make([]byte, len(buf), int64(cap(buf))+grow)
			copy(next, buf)
			buf = next
		}
		n, err := resp.Body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		switch {
		case err == io.EOF:
			return buf, nil
		case err != nil:
			return nil, err
		}
	}
}
