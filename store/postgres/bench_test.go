package postgres_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"shipdesk/store"
	"shipdesk/store/postgres"
	"shipdesk/store/postgres/pgtest"
)

// The benchmarks run on a fixture of SHIPDESK_BENCH_SHIPMENTS shipments
// (default 1,000,000), loaded once per run with COPY into a database of the
// test server. `make bench` runs them; README lists the figures beside the
// bbolt engine's.

var fixture struct {
	once     sync.Once
	dsn      string
	n        int
	phones   []string
	waybills []string
	err      error
}

var benchNow = time.Date(2026, 11, 26, 10, 0, 0, 0, storeZone)

var storeZone = time.FixedZone("CST", 8*3600)

var carriers = []string{"zhongtong", "yuantong", "shentong", "yunda", "shunfeng", "jd", "ems"}
var surnames = []rune("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文")
var given = []string{"芳", "伟", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞", "平", "刚", "桂英", "华", "红", "玉兰", "建华", "志强", "海燕", "丹", "鑫"}

func fixtureShipment(r *rand.Rand, i int) store.Shipment {
	created := benchNow.Add(-time.Duration(r.Int64N(int64(365 * 24 * time.Hour))))
	s := store.Shipment{
		Waybill:        fmt.Sprintf("73%011d", i),
		Carrier:        carriers[r.IntN(len(carriers))],
		OrderID:        fmt.Sprintf("SD%s-%06d", created.Format("20060102"), i%1000000),
		Reference:      fmt.Sprintf("PJ%s-%04d", created.Format("20060102"), i%10000),
		RecipientName:  string(surnames[r.IntN(len(surnames))]) + given[r.IntN(len(given))],
		RecipientPhone: fmt.Sprintf("13%09d", r.IntN(1_000_000_000)),
		RecipientAddr:  "天津市河西区友谊路32号",
		CreatedAt:      created,
		UpdatedAt:      created,
		PrintedAt:      created.Add(time.Minute),
		Milestone:      store.MilestoneDelivered,
		EventCount:     10,
	}
	switch x := r.IntN(100); {
	case created.After(benchNow.Add(-5*24*time.Hour)) && x < 70:
		s.Milestone = []store.Milestone{store.MilestoneOrdered, store.MilestonePickedUp, store.MilestoneInTransit, store.MilestoneOutForDelivery}[r.IntN(4)]
		s.NextPollAt = benchNow.Add(time.Duration(r.IntN(12*60)) * time.Minute)
	case x < 3:
		s.Milestone = store.MilestoneProblem
		s.NextPollAt = benchNow.Add(time.Duration(r.IntN(12*60)) * time.Minute)
	case x < 5:
		s.Milestone = store.MilestoneReturned
	}
	s.SetMilestoneTime(store.MilestoneOrdered, created)
	if s.Milestone == store.MilestoneDelivered {
		s.SetMilestoneTime(store.MilestoneDelivered, created.Add(50*time.Hour))
	}
	return s
}

func benchFixture(b *testing.B) (string, []string, []string) {
	b.Helper()
	fixture.once.Do(func() {
		n := 1_000_000
		if v := os.Getenv("SHIPDESK_BENCH_SHIPMENTS"); v != "" {
			if k, err := strconv.Atoi(v); err == nil && k > 0 {
				n = k
			}
		}
		fixture.n = n
		admin, err := pgtest.AdminDSN()
		if err != nil {
			fixture.err = err
			return
		}
		ctx := b.Context()
		name := fmt.Sprintf("bench_%d", n)
		conn, err := postgres.Open(ctx, admin, postgres.Options{Station: "bench"})
		if err != nil {
			fixture.err = err
			return
		}
		conn.Close()
		fixture.dsn = pgtest.WithDatabase(admin, name)
		start := time.Now()
		if err := createDatabase(ctx, admin, name); err != nil {
			fixture.err = err
			return
		}
		db, err := postgres.Open(ctx, fixture.dsn, postgres.Options{Station: "bench", Location: storeZone})
		if err != nil {
			fixture.err = err
			return
		}
		defer db.Close()
		l, err := db.NewLoader(ctx)
		if err != nil {
			fixture.err = err
			return
		}
		r := rand.New(rand.NewPCG(16, 1))
		batch := make([]store.Shipment, 0, 20000)
		for i := range n {
			s := fixtureShipment(r, i)
			if i%(max(n/1000, 1)) == 0 {
				fixture.waybills = append(fixture.waybills, s.Waybill)
				fixture.phones = append(fixture.phones, s.RecipientPhone)
			}
			batch = append(batch, s)
			if len(batch) == cap(batch) || i == n-1 {
				if err := l.Shipments(ctx, batch); err != nil {
					fixture.err = err
					return
				}
				batch = batch[:0]
			}
		}
		loaded := time.Since(start)
		if err := l.Finish(ctx); err != nil {
			fixture.err = err
			return
		}
		fmt.Fprintf(os.Stderr, "postgres fixture: %d shipments loaded with COPY in %v, counters rebuilt and analysed in %v\n", n, loaded.Round(time.Millisecond), (time.Since(start) - loaded).Round(time.Millisecond))
	})
	if fixture.err != nil {
		b.Fatal(fixture.err)
	}
	return fixture.dsn, fixture.waybills, fixture.phones
}

func createDatabase(ctx context.Context, admin, name string) error {
	db, err := postgres.OpenAdmin(ctx, admin)
	if err != nil {
		return err
	}
	defer db.Close(ctx)
	_, err = db.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	if err == nil {
		_, err = db.Exec(ctx, "CREATE DATABASE "+name)
	}
	return err
}

func benchDB(b *testing.B, station string) (*postgres.DB, []string, []string) {
	dsn, wbs, phones := benchFixture(b)
	db, err := postgres.Open(b.Context(), dsn, postgres.Options{Station: station, Location: storeZone})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db, wbs, phones
}

func BenchmarkPGShipmentByWaybill(b *testing.B) {
	db, wbs, _ := benchDB(b, "front")
	ctx := b.Context()
	i := 0
	for b.Loop() {
		if _, err := db.Shipment(ctx, wbs[i%len(wbs)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkPGShipmentsByPhone(b *testing.B) {
	db, _, phones := benchDB(b, "front")
	ctx := b.Context()
	i := 0
	for b.Loop() {
		got, err := db.ShipmentsByPhone(ctx, phones[i%len(phones)], 20)
		if err != nil || len(got) == 0 {
			b.Fatal(len(got), err)
		}
		i++
	}
}

func BenchmarkPGShipmentsByPhoneLast4(b *testing.B) {
	db, _, phones := benchDB(b, "front")
	ctx := b.Context()
	i := 0
	for b.Loop() {
		p := phones[i%len(phones)]
		got, err := db.ShipmentsByPhone(ctx, p[len(p)-4:], 20)
		if err != nil || len(got) == 0 {
			b.Fatal(len(got), err)
		}
		i++
	}
}

func BenchmarkPGStatePage(b *testing.B) {
	db, _, _ := benchDB(b, "front")
	ctx := b.Context()
	for b.Loop() {
		page, _, err := db.ShipmentsByState(ctx, store.MilestoneDelivered, "", 50)
		if err != nil || len(page) != 50 {
			b.Fatal(len(page), err)
		}
	}
}

func BenchmarkPGCounts(b *testing.B) {
	db, _, _ := benchDB(b, "office")
	ctx := b.Context()
	for b.Loop() {
		c, err := db.Counts(ctx, benchNow, 30)
		if err != nil || c.Total < fixture.n {
			b.Fatal(c.Total, err)
		}
	}
}

// BenchmarkPGShipThreeStations ships from three stations at once: per
// ship, the order lock, the order saved, the shipment stored with its
// counters, the print job queued and the step saved, as the workflow does.
func BenchmarkPGShipThreeStations(b *testing.B) {
	var dbs []*postgres.DB
	for _, st := range []string{"front", "warehouse", "office"} {
		db, _, _ := benchDB(b, st)
		dbs = append(dbs, db)
	}
	var seq atomic.Int64
	var which atomic.Int64
	b.SetParallelism(2) // 2 cores: 4 goroutines per station pair
	b.RunParallel(func(pb *testing.PB) {
		db := dbs[int(which.Add(1))%len(dbs)]
		ctx := b.Context()
		for pb.Next() {
			// b.Error, not b.Fatal: this is not the benchmark's goroutine.
			if err := shipOne(ctx, db, seq.Add(1)); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// shipOne is the store's part of one Ship: save the order, lock it, create
// the shipment, queue the label, mark the order queued.
func shipOne(ctx context.Context, db *postgres.DB, i int64) error {
	o := store.Order{Recipient: store.Party{Name: "王芳", Phone: "13700001111", Address: "天津市河西区友谊路32号"}, Carrier: "zhongtong"}
	if err := db.SaveOrder(ctx, &o); err != nil {
		return err
	}
	release, err := db.LockOrder(ctx, o.ID)
	if err != nil {
		return err
	}
	defer release()
	s := store.Shipment{Waybill: fmt.Sprintf("78%011d", i+time.Now().UnixNano()%1e9*1000), Carrier: "zhongtong", OrderID: o.ID,
		RecipientName: "王芳", RecipientPhone: "13700001111", Milestone: store.MilestoneOrdered}
	if err := db.CreateShipment(ctx, &s); err != nil {
		return err
	}
	j := store.PrintJob{Waybill: s.Waybill, OrderID: o.ID, PrinterURI: "virtual:///tmp", Format: "tspl", Data: []byte("SIZE 76 mm,130 mm\r\n")}
	if err := db.AddJob(ctx, &j); err != nil {
		return err
	}
	o.Step, o.Waybill = store.StepQueued, s.Waybill
	return db.SaveOrder(ctx, &o)
}

// BenchmarkPGChangeToOtherDashboard measures how long after one station
// commits a shipment change another station's listener hears of it.
func BenchmarkPGChangeToOtherDashboard(b *testing.B) {
	writer, wbs, _ := benchDB(b, "front")
	reader, _, _ := benchDB(b, "office")
	ctx, cancel := context.WithCancel(b.Context())
	heard := make(chan string, 1024)
	ready := make(chan struct{})
	var once sync.Once
	done := make(chan struct{})
	go func() {
		defer close(done)
		reader.Listen(ctx, func(c store.Change) {
			if c.Kind == "shipment" {
				heard <- c.Key
			}
		}, func(ok bool, err error) {
			if ok {
				once.Do(func() { close(ready) })
			}
		})
	}()
	<-ready
	i := 0
	for b.Loop() {
		wb := wbs[i%len(wbs)]
		i++
		if _, err := writer.UpdateShipment(ctx, wb, func(s *store.Shipment) error { s.ReprintCount++; return nil }); err != nil {
			b.Fatal(err)
		}
		for k := range heard {
			if k == wb {
				break
			}
		}
	}
	b.StopTimer()
	cancel()
	<-done
}
