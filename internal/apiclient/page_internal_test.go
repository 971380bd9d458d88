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
