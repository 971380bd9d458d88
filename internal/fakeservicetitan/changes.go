package fakeservicetitan

import (
	"sort"
	"time"
)

// changeLog is the order in which a collection's records were last
// written, which is the order its export returns them in. Position p < n0
// is record p as it was at the start; later positions are events in
// arrival order: records added (AddJobs) and records modified (the steady
// rate of Config.ExportChanges, ChangeRecords). A continueFrom token is a
// position, so an export resumed from one returns exactly what was written
// after it.
//
// Modifications take the initial records in turn, from the first: the
// m-th modification ever made changes record m % n0. That makes the log
// computable in runs rather than stored per event, so a stand-in left
// changing records for hours holds a few numbers, not millions of entries.
type changeLog struct {
	n0       int
	created  int
	modifies int
	runs     []changeRun
	// marks date the modifications: from marks[i].m on, until the next
	// mark, they happened at marks[i].at.
	marks []changeMark
	// steady counts the modifications made by the steady rate so far.
	steady int
}

// changeRun is a stretch of events of one kind starting at position pos:
// count records added from record first on, or count modifications
// numbered from first on.
type changeRun struct {
	create            bool
	pos, first, count int
}

type changeMark struct {
	m  int
	at time.Time
}

func newChangeLog(n0 int) *changeLog { return &changeLog{n0: n0} }

// records is how many records the collection holds now.
func (c *changeLog) records() int { return c.n0 + c.created }

// end is the position after the last event.
func (c *changeLog) end() int { return c.n0 + c.created + c.modifies }

func (c *changeLog) addRun(create bool, first, k int) {
	if n := len(c.runs); n > 0 && c.runs[n-1].create == create {
		c.runs[n-1].count += k
		return
	}
	c.runs = append(c.runs, changeRun{create: create, pos: c.end(), first: first, count: k})
}

// add appends k new records.
func (c *changeLog) add(k int) {
	if k <= 0 {
		return
	}
	c.addRun(true, c.records(), k)
	c.created += k
}

// modify changes k records at time at. A collection without initial
// records has nothing to change.
func (c *changeLog) modify(k int, at time.Time) {
	if k <= 0 || c.n0 == 0 {
		return
	}
	if n := len(c.marks); n == 0 || !c.marks[n-1].at.Equal(at) {
		c.marks = append(c.marks, changeMark{c.modifies, at})
	}
	c.addRun(false, c.modifies, k)
	c.modifies += k
}

// lastModify is the number of the latest modification of record x, or -1
// if it has none.
func (c *changeLog) lastModify(x int) int {
	if x >= c.n0 || c.modifies <= x {
		return -1
	}
	return x + c.n0*((c.modifies-1-x)/c.n0)
}

// modifiedAt is when record x was last modified, and whether it was.
func (c *changeLog) modifiedAt(x int) (time.Time, bool) {
	m := c.lastModify(x)
	if m < 0 {
		return time.Time{}, false
	}
	i := sort.Search(len(c.marks), func(i int) bool { return c.marks[i].m > m }) - 1
	return c.marks[i].at, true
}

// runAt returns the run that holds position p >= n0.
func (c *changeLog) runAt(p int) changeRun {
	i := sort.Search(len(c.runs), func(i int) bool { return c.runs[i].pos > p }) - 1
	return c.runs[i]
}

// current returns the record written at position p and whether that is
// its latest write; if not, next is the first position after p that may
// be, so that a reader skips long runs of superseded writes at once.
func (c *changeLog) current(p int) (x int, ok bool, next int) {
	if p < c.n0 {
		if p < c.modifies {
			// Records from p up to the modification count have all been
			// modified since.
			return p, false, min(c.n0, c.modifies)
		}
		return p, true, p + 1
	}
	r := c.runAt(p)
	if r.create {
		return r.first + p - r.pos, true, p + 1
	}
	m := r.first + p - r.pos
	x = m % c.n0
	if m+c.n0 < c.modifies {
		// Modification m + n0 wrote record x again.
		latest := c.modifies - c.n0
		if latest < r.first+r.count {
			return x, false, r.pos + latest - r.first
		}
		return x, false, r.pos + r.count
	}
	return x, true, p + 1
}

// batch returns the records of up to n positions from pos on that hold
// each record's latest write, and the position from which to go on: past
// any superseded writes after the last record, so that next < end() says
// whether more is to come.
func (c *changeLog) batch(pos, n int) (records []int, next int) {
	p := pos
	for p < c.end() {
		x, ok, nx := c.current(p)
		if ok {
			if len(records) == n {
				break
			}
			records = append(records, x)
		}
		p = nx
	}
	return records, p
}
