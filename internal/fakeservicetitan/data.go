package fakeservicetitan

import (
	"strconv"
	"time"
)

type job struct {
	ID             int64  `json:"id"`
	JobNumber      string `json:"jobNumber"`
	CustomerID     int64  `json:"customerId"`
	LocationID     int64  `json:"locationId"`
	JobStatus      string `json:"jobStatus"`
	BusinessUnitID int64  `json:"businessUnitId"`
	JobTypeID      int64  `json:"jobTypeId"`
	Priority       string `json:"priority"`
	Summary        string `json:"summary"`
	CreatedOn      string `json:"createdOn"`
	// ModifiedOn is left out of the samples so that their JSON stays what
	// documentation quotes.
	ModifiedOn string `json:"modifiedOn,omitempty"`
}

type customer struct {
	ID         int64  `json:"id"`
	Active     bool   `json:"active"`
	Name       string `json:"name"`
	Type       string `json:"type"`
	CreatedOn  string `json:"createdOn"`
	ModifiedOn string `json:"modifiedOn,omitempty"`
}

type businessUnit struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Active bool   `json:"active"`
}

type jobType struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Active bool   `json:"active"`
	// summary is what a job of this type is about; synthetic jobs take it.
	summary string
}

// sampleJobs and sampleCustomers are fixed so that tests and demos can
// compare output verbatim; the jobs belong to the customers.
func sampleJobs() []job {
	return []job{
		{
			ID: 10001, JobNumber: "10001", CustomerID: 20001, LocationID: 30001,
			JobStatus: "Scheduled", BusinessUnitID: 401, JobTypeID: 501, Priority: "Normal",
			Summary: "Annual furnace maintenance", CreatedOn: "2024-01-15T14:30:00Z",
		},
		{
			ID: 10002, JobNumber: "10002", CustomerID: 20002, LocationID: 30002,
			JobStatus: "Scheduled", BusinessUnitID: 401, JobTypeID: 502, Priority: "High",
			Summary: "No cooling on second floor", CreatedOn: "2024-01-16T09:05:00Z",
		},
	}
}

func sampleCustomers() []customer {
	return []customer{
		{ID: 20001, Active: true, Name: "Avery Johnson", Type: "Residential", CreatedOn: "2023-11-02T16:20:00Z"},
		{ID: 20002, Active: true, Name: "Northwind Offices", Type: "Commercial", CreatedOn: "2023-12-07T10:45:00Z"},
		{ID: 20003, Active: false, Name: "Riley Chen", Type: "Residential", CreatedOn: "2024-01-03T08:10:00Z"},
	}
}

// The settings lists hold the business units and job types the samples
// refer to, so that a client joining jobs to them finds every id.
var (
	businessUnits = []businessUnit{
		{ID: 401, Name: "HVAC Service", Active: true},
		{ID: 402, Name: "HVAC Install", Active: true},
		{ID: 403, Name: "Plumbing", Active: true},
		{ID: 404, Name: "Electrical", Active: false},
	}
	jobTypes = []jobType{
		{ID: 501, Name: "Maintenance", Active: true, summary: "Seasonal maintenance visit"},
		{ID: 502, Name: "No Cooling", Active: true, summary: "System not cooling"},
		{ID: 503, Name: "No Heat", Active: true, summary: "No heat from furnace"},
		{ID: 504, Name: "Installation", Active: true, summary: "New system installation"},
		{ID: 505, Name: "Leak Repair", Active: false, summary: "Water leak under sink"},
	}
)

// Synthetic records number on from the samples' ids (job 10001, customer
// 20001, location 30001), so the first synthetic records look like the
// samples and job i belongs to a customer that exists.
const (
	firstJobID      = 10001
	firstCustomerID = 20001
	firstLocationID = 30001
)

var (
	jobEpoch      = time.Date(2024, 1, 1, 8, 0, 0, 0, time.UTC)
	customerEpoch = time.Date(2023, 6, 1, 9, 0, 0, 0, time.UTC)

	jobStatuses = []string{"Scheduled", "Dispatched", "InProgress", "Hold", "Completed", "Canceled"}
	priorities  = []string{"Normal", "High", "Low", "Urgent"}
	firstNames  = []string{"Avery", "Jordan", "Riley", "Morgan", "Casey", "Quinn", "Taylor", "Jamie", "Rowan", "Emerson", "Hayden"}
	lastNames   = []string{"Johnson", "Chen", "Garcia", "Okafor", "Novak", "Patel", "Schmidt", "Silva", "Kim", "Moreau", "Larsen", "Haddad", "Nguyen"}
	companies   = []string{"Northwind", "Bluebell", "Harbor", "Cedar", "Summit", "Lakeside", "Ironwood"}
	companyKind = []string{"Offices", "Dental", "Bakery", "Storage", "Apartments"}
)

const isoSeconds = "2006-01-02T15:04:05Z"

// syntheticJob is job i of a data set whose customers number customers.
// Creation and modification times grow with i, as they would in a tenant
// that only ever adds jobs, so export order and modifiedOn order agree.
func syntheticJob(i, customers int) job {
	c := i % max(customers, 1)
	t := jobTypes[i%len(jobTypes)]
	created := jobEpoch.Add(time.Duration(i) * 7 * time.Minute)
	id := int64(firstJobID + i)
	return job{
		ID:             id,
		JobNumber:      strconv.FormatInt(id, 10),
		CustomerID:     int64(firstCustomerID + c),
		LocationID:     int64(firstLocationID + c),
		JobStatus:      jobStatuses[i%len(jobStatuses)],
		BusinessUnitID: businessUnits[businessUnitPattern[i%len(businessUnitPattern)]].ID,
		JobTypeID:      t.ID,
		Priority:       priorities[i%len(priorities)],
		Summary:        t.summary,
		CreatedOn:      created.Format(isoSeconds),
		// Seven minutes apart and at most four minutes late: still in order.
		ModifiedOn: created.Add(2*time.Hour + time.Duration(i%5)*time.Minute).Format(isoSeconds),
	}
}

func syntheticCustomer(i int) customer {
	created := customerEpoch.Add(time.Duration(i) * 11 * time.Minute)
	c := customer{
		ID:         int64(firstCustomerID + i),
		Active:     i%9 != 8,
		Name:       firstNames[i%len(firstNames)] + " " + lastNames[(i/len(firstNames))%len(lastNames)],
		Type:       "Residential",
		CreatedOn:  created.Format(isoSeconds),
		ModifiedOn: created.Add(time.Hour + time.Duration(i%5)*time.Minute).Format(isoSeconds),
	}
	if i%4 == 3 {
		c.Type = "Commercial"
		c.Name = companies[i%len(companies)] + " " + companyKind[(i/len(companies))%len(companyKind)]
	}
	return c
}

// dataSet serves records by position, computing synthetic ones on demand
// so that a stand-in with millions of jobs costs no memory for them.
type dataSet struct {
	samplesJobs      []job
	samplesCustomers []customer
	customers        int
	// jobs is how many jobs there were at the start, which the synthetic
	// records' jobId fields refer to.
	jobs int
}

func newDataSet(cfg Config) dataSet {
	d := dataSet{customers: cfg.Customers, jobs: initialJobs(cfg)}
	if cfg.Jobs <= 0 {
		d.samplesJobs = sampleJobs()
	}
	if cfg.Customers <= 0 {
		d.samplesCustomers = sampleCustomers()
		d.customers = len(d.samplesCustomers)
	}
	return d
}

// initialJobs is how many jobs the data set starts with; AddJobs adds more.
func initialJobs(cfg Config) int {
	if cfg.Jobs > 0 {
		return cfg.Jobs
	}
	return len(sampleJobs())
}

func (d dataSet) job(i int) job {
	if i < len(d.samplesJobs) {
		return d.samplesJobs[i]
	}
	return syntheticJob(i, d.customers)
}

func (d dataSet) customer(i int) customer {
	if i < len(d.samplesCustomers) {
		return d.samplesCustomers[i]
	}
	return syntheticCustomer(i)
}
