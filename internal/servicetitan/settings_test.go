package servicetitan

import (
	"reflect"
	"testing"
)

// Input spells the settings a second time, as Go fields. Every setting must
// reach exactly one field and every field must belong to a setting, or a
// new setting would be silently dropped between the provider and Connect.
func TestInputHasOneFieldPerSetting(t *testing.T) {
	var in Input
	seen := map[uintptr]string{}
	for _, s := range Settings() {
		f := in.Field(s.Name)
		if f == nil {
			t.Errorf("setting %q has no field in Input", s.Name)
			continue
		}
		switch f.(type) {
		case *string, **bool, **int64:
		default:
			t.Errorf("setting %q: field of type %T, want *string, **bool or **int64", s.Name, f)
			continue
		}
		addr := reflect.ValueOf(f).Pointer()
		if other, dup := seen[addr]; dup {
			t.Errorf("settings %q and %q share one field of Input", other, s.Name)
		}
		seen[addr] = s.Name
	}
	if n := reflect.TypeOf(in).NumField(); n != len(seen) {
		t.Errorf("Input has %d fields but %d settings reach one: a field belongs to no setting", n, len(seen))
	}
	if in.Field("no_such_setting") != nil {
		t.Error("a name that is no setting has a field")
	}
}

// explicit must read every field back under its setting's name.
func TestExplicitValuesFollowTheFields(t *testing.T) {
	var in Input
	yes, three := true, int64(3)
	for _, s := range Settings() {
		switch f := in.Field(s.Name).(type) {
		case *string:
			*f = "value of " + s.Name
		case **bool:
			*f = &yes
		case **int64:
			*f = &three
		}
	}
	got := in.explicit()
	for _, s := range Settings() {
		want := "value of " + s.Name
		switch in.Field(s.Name).(type) {
		case **bool:
			want = "true"
		case **int64:
			want = "3"
		}
		if got[s.Name] != want {
			t.Errorf("explicit()[%q] = %q, want %q", s.Name, got[s.Name], want)
		}
	}
	if len(got) != len(Settings()) {
		t.Errorf("explicit() has %d values for %d settings", len(got), len(Settings()))
	}
}
