package apiclient

import (
	"encoding/json"
	"testing"
)

// The count of a page's items is read off the raw array, without decoding
// it; it must agree with a decoder's whatever the items hold.
func TestCountArrayItemsAgreesWithADecoder(t *testing.T) {
	for _, arr := range []string{
		`[]`, `[ ]`, `[1]`, `[1,2,3]`, `[{"a":[1,2],"b":{"c":","}},2]`,
		`["a,b", "c\"d,", "\\", "]["]`, `[[],[[]],{}]`, `[null, true, false, -1.5e3]`,
		"[\n  {\"summary\": \"no cooling, second floor\"},\n  {\"summary\": \"\\\"quoted\\\", too\"}\n]",
	} {
		var want []json.RawMessage
		if err := json.Unmarshal([]byte(arr), &want); err != nil {
			t.Fatalf("%s: %v", arr, err)
		}
		var ib itemsBuilder
		ib.add(json.RawMessage(arr))
		if ib.count != len(want) {
			t.Errorf("%s: counted %d items, a decoder finds %d", arr, ib.count, len(want))
		}
		var got []json.RawMessage
		if err := json.Unmarshal([]byte(ib.json()), &got); err != nil || len(got) != len(want) {
			t.Errorf("%s: rebuilt as %s (%v)", arr, ib.json(), err)
		}
	}
}

// Each kind of answer gives its items: a bare array, {"data": […]}, a
// list's envelope, and report rows keyed by their columns' names.
func TestReadAnswerFindsTheItemsOfEachKind(t *testing.T) {
	for _, tc := range []struct {
		name, body, items string
		more              bool
		from              string
	}{
		{"bare array", ` [{"id":1},{"id":2}]`, `[{"id":1},{"id":2}]`, false, ""},
		{"data only", `{"data":[{"id":1}]}`, `[{"id":1}]`, false, ""},
		{"list", `{"page":1,"pageSize":1,"hasMore":true,"data":[{"id":1}]}`, `[{"id":1}]`, true, ""},
		{"export", `{"data":[],"hasMore":false,"continueFrom":"abc"}`, `[]`, false, "abc"},
		{"report", `{"fields":[{"name":"Date","label":"Date"},{"name":"Revenue","label":"Revenue"}],"hasMore":false,"data":[["2024-06-24",13556.6],["2024-06-25",1,"extra"]]}`,
			`[{"Date":"2024-06-24","Revenue":13556.6},{"Date":"2024-06-25","Revenue":1,"column3":"extra"}]`, false, ""},
		{"object", `{"id":1,"data":"text"}`, ``, false, ""},
	} {
		a, err := readAnswer([]byte(tc.body))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if string(a.items) != tc.items || a.hasMore != tc.more || a.continueFrom != tc.from {
			t.Errorf("%s: items %s, more %v, from %q; want %s, %v, %q", tc.name, a.items, a.hasMore, a.continueFrom, tc.items, tc.more, tc.from)
		}
	}
}
