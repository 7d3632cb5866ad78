package httpx

import "testing"

func TestCutShort(t *testing.T) {
	for body, want := range map[string]bool{
		`{"results":[{"id":"1"`: true, `[1,2`: true, ` {"a":`: true,
		`{"results":[]}`: false, ``: false, `<html>502</html>`: false, `{"a":1}}`: false, `nope`: false,
	} {
		if got := CutShort([]byte(body)); got != want {
			t.Errorf("CutShort(%q) = %v, want %v", body, got, want)
		}
	}
}
