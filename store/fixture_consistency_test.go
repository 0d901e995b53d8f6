package store

import (
	"bytes"
	"path/filepath"
	"shipdesk/internal/testkit"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// TestBulkLoadMatchesWritePath proves that the benchmark fixture holds
// exactly what the normal write path would have stored, so benchmark
// figures are about the real layout.
func TestBulkLoadMatchesWritePath(t *testing.T) {
	const n = 400
	bulk, _ := openTestStore(t)
	ctx := t.Context()
	if err := bulk.bulkLoad(ctx, n); err != nil {
		t.Fatal(err)
	}
	clk := &testkit.Clock{}
	api, err := Open(filepath.Join(t.TempDir(), "api.db"), Options{NoSync: true, Now: clk.Now, Location: shanghai})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { checkAndClose(t, api) })
	for i := range n {
		s, evs := fixtureShipment(i, n)
		clk.Set(s.UpdatedAt)
		if err := api.CreateShipment(ctx, &s); err != nil {
			t.Fatal(err)
		}
		if _, err := api.AddEvents(ctx, s.Waybill, evs); err != nil {
			t.Fatal(err)
		}
	}
	dump := func(db *DB) map[string]map[string]string {
		out := map[string]map[string]string{}
		db.bolt.View(func(tx *bolt.Tx) error {
			return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
				if bytes.Equal(name, bMeta) {
					return nil
				}
				m := map[string]string{}
				b.ForEach(func(k, v []byte) error { m[string(k)] = string(v); return nil })
				out[string(name)] = m
				return nil
			})
		})
		return out
	}
	a, b := dump(bulk), dump(api)
	for name, am := range a {
		bm := b[name]
		if len(am) != len(bm) {
			t.Errorf("bucket %s: bulk %d keys, write path %d", name, len(am), len(bm))
			continue
		}
		for k, v := range am {
			if bm[k] != v {
				t.Errorf("bucket %s key %q differs", name, k)
				break
			}
		}
	}
	if len(a[string(bShip)]) != n || len(a[string(bEvents)]) != n {
		t.Errorf("bulk load stored %d shipments, %d traces", len(a[string(bShip)]), len(a[string(bEvents)]))
	}
}
