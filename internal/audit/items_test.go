package audit

import (
	"bytes"
	"strconv"
	"testing"
)

// FuzzItemsMatchValue: a row added item by item from its parts (Null, Integer, Text, Blob,
// Secret, the way a row read as one text is) encodes, digests and hints exactly as the same
// row added from scanned values.
func FuzzItemsMatchValue(f *testing.F) {
	f.Add("Client-A", []byte{0, 1, 0xff}, int64(-50), []byte(nil))
	f.Add("", []byte{}, int64(0), bytes.Repeat([]byte{0x42}, 32))
	f.Add("a\x00b\x1f,:", []byte("1:N,"), int64(-1<<63), []byte{1})
	f.Fuzz(func(t *testing.T, text string, blob []byte, n int64, key []byte) {
		d, _ := NewRecordDigester(bytes.Repeat([]byte{7}, 32))
		secrets := []Column{{"name", text}, {"name_key", nil}}
		cols := []Column{{"a", nil}, {"b", n}, {"c", text}, {"d", blob}, {"name", SecretValue(key, secrets)}}
		names := []string{"a", "b", "c", "d", "name"}
		var it, sec Items
		it.Null()
		it.Integer(strconv.FormatInt(n, 10))
		it.Text(text)
		it.Blob(string(blob))
		sec.Text(text)
		sec.Null()
		it.Secret(key, []string{"name", "name_key"}, &sec)
		var want, got [32]byte
		d.DigestTo(&want, "t", cols)
		d.DigestItems(&got, "t", &it, names)
		if got != want {
			t.Fatalf("digest of items %q differs from the values' %q", it.b, AppendRecord(nil, "t", cols))
		}
		if h, w := d.ColumnHintsItems("t", &it, names), d.ColumnHints("t", cols); h != w {
			t.Fatalf("hints %s, want %s", h, w)
		}
	})
}
