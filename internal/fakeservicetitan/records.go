package fakeservicetitan

import (
	"bytes"
	"encoding/json"
	"hash/fnv"
	"strconv"
	"strings"
	"time"
)

// field is one name and value of a record.
type field struct {
	name  string
	value any
}

// record is one JSON object whose fields keep their order, so that the
// samples read as documentation quotes them and every synthetic record of
// a collection reads alike. Filters look fields up by name, and a change
// replaces modifiedOn, which a struct per record kind could not offer
// every one of the catalogue's collections.
type record []field

func (r record) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range r {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Quote(f.name))
		b.WriteByte(':')
		v, err := json.Marshal(f.value)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// get returns the field name, matched without regard to case as
// ServiceTitan binds filter names to fields.
func (r record) get(name string) (any, bool) {
	for _, f := range r {
		if strings.EqualFold(f.name, name) {
			return f.value, true
		}
	}
	return nil, false
}

// with returns r with name set to value, replacing the field or adding it
// at the end; r itself is left alone, since it may be shared.
func (r record) with(name string, value any) record {
	out := make(record, len(r), len(r)+1)
	copy(out, r)
	for i, f := range out {
		if strings.EqualFold(f.name, name) {
			out[i].value = value
			return out
		}
	}
	return append(out, field{name, value})
}

func (j job) record() record {
	r := record{
		{"id", j.ID}, {"jobNumber", j.JobNumber}, {"customerId", j.CustomerID}, {"locationId", j.LocationID},
		{"jobStatus", j.JobStatus}, {"businessUnitId", j.BusinessUnitID}, {"jobTypeId", j.JobTypeID},
		{"priority", j.Priority}, {"summary", j.Summary}, {"createdOn", j.CreatedOn},
	}
	if j.ModifiedOn != "" {
		r = append(r, field{"modifiedOn", j.ModifiedOn})
	}
	return r
}

func (c customer) record() record {
	r := record{{"id", c.ID}, {"active", c.Active}, {"name", c.Name}, {"type", c.Type}, {"createdOn", c.CreatedOn}}
	if c.ModifiedOn != "" {
		r = append(r, field{"modifiedOn", c.ModifiedOn})
	}
	return r
}

// settingsEpoch dates the settings lists: set up before any job or
// customer, as a tenant's business units and job types are.
var settingsEpoch = time.Date(2023, 1, 9, 10, 0, 0, 0, time.UTC)

// settingRecord is a business unit or job type i of a settings list. They
// carry createdOn and modifiedOn because their lists take the date
// filters.
func settingRecord(id int64, name string, active bool, i int) record {
	created := settingsEpoch.Add(time.Duration(i) * 24 * time.Hour)
	return record{
		{"id", id}, {"name", name}, {"active", active},
		{"createdOn", created.Format(isoSeconds)}, {"modifiedOn", created.Add(3 * time.Hour).Format(isoSeconds)},
	}
}

// synthEpoch dates the synthetic records of the catalogue's other
// collections.
var synthEpoch = time.Date(2023, 3, 1, 7, 0, 0, 0, time.UTC)

// synthetic describes the records of a collection that has no data of its
// own: how many, where their ids start, and which fields beyond id, name,
// createdOn and modifiedOn they carry, namely those its operations'
// filters name, so that the filters have something to narrow.
type synthetic struct {
	count   int
	firstID int64
	label   string
	active  bool
	// idFields are the …Id fields, in the order the operations name them.
	idFields []string
}

// hashOf is a stable number for a name, from which a collection's size and
// ids follow: the same catalogue gives the same data in every process.
func hashOf(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

func newSynthetic(key, label string, query []string) *synthetic {
	h := hashOf(key)
	sy := &synthetic{
		// Between 5 and 25 records: enough for a page or two at a small
		// pageSize, few enough that a test can read them all.
		count:   5 + int(h%21),
		firstID: int64(100+(h>>8)%9000)*1000 + 1,
		label:   label,
	}
	seen := map[string]bool{}
	for _, q := range query {
		name, ok := idFieldOf(q)
		switch {
		case strings.EqualFold(q, "active"):
			sy.active = true
		case ok && !seen[strings.ToLower(name)]:
			seen[strings.ToLower(name)] = true
			sy.idFields = append(sy.idFields, name)
		}
	}
	return sy
}

// idFieldOf is the record field that an equality filter such as
// businessUnitId, or a list filter such as businessUnitIds, compares.
// "ids" itself is the id, which every record has.
func idFieldOf(query string) (string, bool) {
	lower := strings.ToLower(query)
	switch {
	case lower == "id" || lower == "ids":
		return "", false
	case strings.HasSuffix(lower, "ids"):
		return query[:len(query)-1], true
	case strings.HasSuffix(lower, "id"):
		return query, true
	}
	return "", false
}

// businessUnitPattern spreads jobs over the business units unevenly (four,
// three, two and one in ten), so that counting jobs per business unit
// gives each its own number, as a real tenant's would.
var businessUnitPattern = []int{0, 1, 0, 2, 0, 1, 3, 1, 0, 2}

// idValue is the value of the …Id field name of record i. Those that name
// what the stand-in serves draw from it (business units, job types,
// customers, jobs), so a client joining them finds every id; the others
// cycle through five values, so an equality filter keeps some records.
func (d dataSet) idValue(name string, i int) int64 {
	switch strings.ToLower(name) {
	case "businessunitid":
		return businessUnits[businessUnitPattern[i%len(businessUnitPattern)]].ID
	case "jobtypeid":
		return jobTypes[i%len(jobTypes)].ID
	case "customerid":
		return int64(firstCustomerID + i%max(d.customers, 1))
	case "locationid":
		return int64(firstLocationID + i%max(d.customers, 1))
	case "jobid":
		return int64(firstJobID + i%max(d.jobs, 1))
	}
	return 1 + int64((uint64(i)+hashOf(strings.ToLower(name)))%5)
}

func (d dataSet) syntheticRecord(sy *synthetic, i int) record {
	r := make(record, 0, 6+len(sy.idFields))
	r = append(r, field{"id", sy.firstID + int64(i)}, field{"name", sy.label + " " + strconv.Itoa(i+1)})
	for _, f := range sy.idFields {
		r = append(r, field{f, d.idValue(f, i)})
	}
	if sy.active {
		r = append(r, field{"active", i%7 != 6})
	}
	// Thirteen hours apart and modified an hour later: modification order
	// is id order, as an export expects of records never changed.
	created := synthEpoch.Add(time.Duration(i) * 13 * time.Hour)
	return append(r,
		field{"createdOn", created.Format(isoSeconds)},
		field{"modifiedOn", created.Add(time.Hour + time.Duration(i%5)*time.Minute).Format(isoSeconds)})
}
