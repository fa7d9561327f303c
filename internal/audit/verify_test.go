package audit_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/expeerienced/counsel/internal/audit"
)

func TestVerifyIntact(t *testing.T) {
	for _, n := range []int{0, 1, 2, 50} {
		t.Run(fmt.Sprintf("%dEvents", n), func(t *testing.T) {
			evs := chain(t, n)
			head, err := verify(evs)
			if err != nil {
				t.Fatal(err)
			}
			want := audit.Head{}
			if n > 0 {
				want = evs[n-1].Head()
			}
			if head != want {
				t.Errorf("head = %+v, want %+v", head, want)
			}
		})
	}
}

func TestVerifyTampered(t *testing.T) {
	const n, k = 10, 5 // k is a 1-based seq
	tests := []struct {
		name       string
		tamper     func(evs []audit.Event) []audit.Event
		wantSeq    int64
		wantID     string // the stored ID of the event the verifier stops at
		wantReason string
	}{
		{
			name:    "EditObject",
			tamper:  func(evs []audit.Event) []audit.Event { evs[k-1].Object = "S-9999"; return evs },
			wantSeq: k, wantID: "ev-0000005", wantReason: "edited",
		},
		{
			name:    "EditTimeByOneNanosecond",
			tamper:  func(evs []audit.Event) []audit.Event { evs[k-1].At = evs[k-1].At.Add(time.Nanosecond); return evs },
			wantSeq: k, wantID: "ev-0000005", wantReason: "edited",
		},
		{
			name:    "EditAction",
			tamper:  func(evs []audit.Event) []audit.Event { evs[k-1].Action = audit.ActionPurge; return evs },
			wantSeq: k, wantID: "ev-0000005", wantReason: "edited",
		},
		{
			name: "EditDetailValue",
			tamper: func(evs []audit.Event) []audit.Event {
				evs[k-1].Details = map[string]string{"provider": "jitsi-meet-example", "count": "999"}
				return evs
			},
			wantSeq: k, wantID: "ev-0000005", wantReason: "edited",
		},
		{
			name: "AddDetail",
			tamper: func(evs []audit.Event) []audit.Event {
				d := map[string]string{"extra": "1"}
				for key, v := range evs[k-1].Details {
					d[key] = v
				}
				evs[k-1].Details = d
				return evs
			},
			wantSeq: k, wantID: "ev-0000005", wantReason: "edited",
		},
		{
			name:    "EditHash",
			tamper:  func(evs []audit.Event) []audit.Event { evs[k-1].Hash = evs[k-2].Hash; return evs },
			wantSeq: k, wantID: "ev-0000005", wantReason: "edited",
		},
		{
			name: "EditAndRehash",
			tamper: func(evs []audit.Event) []audit.Event {
				evs[k-1].Object = "S-9999"
				evs[k-1].Hash = evs[k-1].ComputeHash()
				return evs
			},
			wantSeq: k + 1, wantID: "ev-0000006", wantReason: "previous hash",
		},
		{
			name:    "Delete",
			tamper:  func(evs []audit.Event) []audit.Event { return slices.Delete(evs, k-1, k) },
			wantSeq: k + 1, wantID: "ev-0000006", wantReason: "sequence gap",
		},
		{
			name: "DeleteAndRenumber",
			tamper: func(evs []audit.Event) []audit.Event {
				evs = slices.Delete(evs, k-1, k)
				for i := k - 1; i < len(evs); i++ {
					evs[i].Seq--
				}
				return evs
			},
			wantSeq: k, wantID: "ev-0000006", wantReason: "previous hash",
		},
		{
			name:    "DeleteFirst",
			tamper:  func(evs []audit.Event) []audit.Event { return evs[1:] },
			wantSeq: 2, wantID: "ev-0000002", wantReason: "sequence gap",
		},
		{
			name: "InsertNaive",
			tamper: func(evs []audit.Event) []audit.Event {
				// A row added by hand: plausible seq and link, but a made-up hash.
				ins := audit.Event{Seq: k, ID: "ev-forged", At: t0, Action: audit.ActionPurge,
					PrevHash: evs[k-2].Hash, Hash: strings.Repeat("ab", 32)}
				evs = slices.Insert(evs, k-1, ins)
				for i := k; i < len(evs); i++ {
					evs[i].Seq++
				}
				return evs
			},
			wantSeq: k, wantID: "ev-forged", wantReason: "edited",
		},
		{
			name: "InsertRehashed",
			tamper: func(evs []audit.Event) []audit.Event {
				// The inserter computed a valid hash: the next event no longer links.
				ins, err := audit.Seal(evs[k-2].Head(), audit.Event{ID: "ev-forged", At: t0, Action: audit.ActionPurge})
				if err != nil {
					panic(err)
				}
				return slices.Insert(evs, k-1, ins)
			},
			wantSeq: k, wantID: "ev-0000005", wantReason: "seq out of order: seq 5 comes after seq 5",
		},
		{
			// A copy stored below seq 1 is read first: the finding says so, not "expected seq 1".
			name: "CopyBelowOne",
			tamper: func(evs []audit.Event) []audit.Event {
				c := evs[1]
				c.Seq, c.ID = -5, "ev-copy"
				return slices.Insert(evs, 0, c)
			},
			wantSeq: -5, wantID: "ev-copy", wantReason: "seq -5 is not positive: counsel numbers events from 1",
		},
		{
			name:    "Swap",
			tamper:  func(evs []audit.Event) []audit.Event { evs[k-1], evs[k] = evs[k], evs[k-1]; return evs },
			wantSeq: k + 1, wantID: "ev-0000006", wantReason: "sequence gap",
		},
		{
			name: "SwapSeqs",
			tamper: func(evs []audit.Event) []audit.Event {
				evs[k-1], evs[k] = evs[k], evs[k-1]
				evs[k-1].Seq, evs[k].Seq = evs[k].Seq, evs[k-1].Seq
				return evs
			},
			wantSeq: k, wantID: "ev-0000006", wantReason: "previous hash",
		},
		{
			name:    "GenesisChanged",
			tamper:  func(evs []audit.Event) []audit.Event { evs[0].PrevHash = strings.Repeat("1", 64); return evs },
			wantSeq: 1, wantID: "ev-0000001", wantReason: "previous hash",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs := tt.tamper(chain(t, n))
			head, err := verify(evs)
			var be *audit.BrokenError
			if !errors.As(err, &be) {
				t.Fatalf("err = %v, want *BrokenError", err)
			}
			if be.Seq != tt.wantSeq || be.ID != tt.wantID || !strings.Contains(be.Reason.String(), tt.wantReason) {
				t.Errorf("broken at seq %d id %s (%s), want seq %d id %s (%s)",
					be.Seq, be.ID, be.Reason, tt.wantSeq, tt.wantID, tt.wantReason)
			}
			// Head stays at the event before the broken one.
			i := slices.IndexFunc(evs, func(e audit.Event) bool { return e.ID == tt.wantID })
			wantHead := audit.Head{}
			if i > 0 {
				wantHead = evs[i-1].Head()
			}
			if head != wantHead {
				t.Errorf("head = %+v, want %+v", head, wantHead)
			}
		})
	}
}

func TestVerifyKnownHead(t *testing.T) {
	full := chain(t, 10)
	kept := full[6].Hash // an export was taken when the chain ended at seq 7
	rewritten := func() []audit.Event {
		// Event 5 edited and everything after it resealed: internally consistent.
		evs := slices.Clone(full[:4])
		head := evs[3].Head()
		for _, e := range full[4:] {
			e.Object = "S-9999"
			s, err := audit.Seal(head, e)
			if err != nil {
				t.Fatal(err)
			}
			evs = append(evs, s)
			head = s.Head()
		}
		return evs
	}()
	tests := []struct {
		name    string
		evs     []audit.Event
		wantErr bool
	}{
		{name: "SameLength", evs: full[:7]},
		{name: "Grown", evs: full},
		{name: "TruncatedBeforeKept", evs: full[:6], wantErr: true},
		{name: "TruncatedToNothing", evs: nil, wantErr: true},
		{name: "Rewritten", evs: rewritten, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			head, err := verify(tt.evs, strings.ToUpper(kept))
			if !tt.wantErr {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var hn *audit.HeadNotFoundError
			if !errors.As(err, &hn) {
				t.Fatalf("err = %v, want *HeadNotFoundError", err)
			}
			if hn.Want != kept || hn.Head != head {
				t.Errorf("error = %+v, want hash %s and head %+v", hn, kept, head)
			}
			if !strings.Contains(err.Error(), "truncated or rewritten") {
				t.Errorf("message %q does not say what happened", err)
			}
		})
	}
	t.Run("RewrittenVerifiesWithoutHead", func(t *testing.T) {
		// The reason to keep heads: without one a full rewrite goes unnoticed.
		if _, err := verify(rewritten); err != nil {
			t.Errorf("err = %v; the rewritten chain is internally consistent", err)
		}
	})
}

func TestVerifierMisuse(t *testing.T) {
	evs := chain(t, 4)
	t.Run("ExpectInvalidHash", func(t *testing.T) {
		var v audit.Verifier
		if err := v.Expect("abc"); err == nil {
			t.Error("want an error")
		}
	})
	t.Run("ExpectAfterAdd", func(t *testing.T) {
		var v audit.Verifier
		if err := v.Add(evs[0]); err != nil {
			t.Fatal(err)
		}
		if err := v.Expect(evs[2].Hash); err == nil {
			t.Error("want an error")
		}
	})
	t.Run("ErrorIsSticky", func(t *testing.T) {
		var v audit.Verifier
		if err := v.Add(evs[0]); err != nil {
			t.Fatal(err)
		}
		first := v.Add(evs[2])
		if first == nil {
			t.Fatal("want an error for a sequence gap")
		}
		if err := v.Add(evs[3]); err != first {
			t.Errorf("second Add = %v, want the first error %v", err, first)
		}
		if err := v.Finish(); err != first {
			t.Errorf("Finish = %v, want the first error %v", err, first)
		}
	})
}

func TestVerifyAllocations(t *testing.T) {
	evs := chain(t, 256)
	var v audit.Verifier
	for _, e := range evs[:128] { // grow the buffers
		if err := v.Add(e); err != nil {
			t.Fatal(err)
		}
	}
	i := 128
	allocs := testing.AllocsPerRun(100, func() {
		if i < len(evs) {
			_ = v.Add(evs[i])
			i++
		}
	})
	if allocs > 0 {
		t.Errorf("Add allocates %.1f times per event, want 0", allocs)
	}
	if err := v.Finish(); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkVerify(b *testing.B) {
	evs := chain(b, 1<<16)
	b.ReportAllocs()
	for b.Loop() {
		var v audit.Verifier
		for _, e := range evs {
			if err := v.Add(e); err != nil {
				b.Fatal(err)
			}
		}
		if err := v.Finish(); err != nil {
			b.Fatal(err)
		}
	}
	perEvent := b.Elapsed().Seconds() / float64(b.N*len(evs))
	b.ReportMetric(1/perEvent, "events/s")
	b.ReportMetric(perEvent*1e9, "ns/event")
}
