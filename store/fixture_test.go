package store

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The benchmark fixture: N shipments with 10 tracking events each, built
// once with large sorted batches and cached in os.TempDir().

// fixtureVersion changes whenever the generator or the layout changes; a
// cached file with another version (or another N, or schema) is rebuilt.
const fixtureVersion = 4

var keyFixture = []byte("benchFixture")

// fixtureNow is the fixture's "now": the newest shipment was created just
// before it.
var fixtureNow = time.Date(2026, 11, 26, 18, 0, 0, 0, shanghai)

var (
	surnames  = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
	givens    = []rune("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉建国文斌宇浩凯健俊帆帅旭宁欣怡婷雪琳晨阳佳悦子轩梓涵一诺雨")
	carriers  = []string{"zhongtong", "zhongtong", "zhongtong", "yuantong", "yuantong", "shentong", "yunda", "yunda", "shunfeng", "jd", "ems", "jtexpress"}
	provinces = []struct{ prov, city string }{
		{"天津市", "天津市"}, {"北京市", "北京市"}, {"河北省", "石家庄市"}, {"河北省", "唐山市"}, {"山东省", "济南市"}, {"山东省", "青岛市"},
		{"辽宁省", "沈阳市"}, {"江苏省", "南京市"}, {"上海市", "上海市"}, {"浙江省", "杭州市"}, {"广东省", "广州市"}, {"河南省", "郑州市"},
	}
	districts = []string{"南开区", "河西区", "和平区", "河东区", "红桥区", "西青区", "津南区", "北辰区", "滨海新区", "朝阳区", "海淀区", "长安区"}
	streets   = []string{"复康路", "友谊路", "卫津路", "南京路", "黄河道", "红旗路", "鞍山西道", "建国路", "中山路", "人民路", "解放路", "学府街"}
	couriers  = []string{"张伟", "刘洋", "李军", "赵磊", "陈强", "杨帆", "孙浩", "周杰"}
)

func fixtureWaybill(i int) string { return fmt.Sprintf("77%012d", i) }

// fixturePatient gives patient p a stable name and phone; about 60% of
// shipments go to a patient who received another one.
func fixturePatient(p int) (name, phone string) {
	r := rand.New(rand.NewPCG(uint64(p), 7))
	n := []rune{surnames[r.IntN(len(surnames))], givens[r.IntN(len(givens))]}
	if r.IntN(3) > 0 {
		n = append(n, givens[r.IntN(len(givens))])
	}
	return string(n), fmt.Sprintf("1%d%09d", 3+r.IntN(7), r.IntN(1_000_000_000))
}

// fixtureShipment generates shipment i of n, deterministically.
func fixtureShipment(i, n int) (Shipment, []TrackingEvent) {
	r := rand.New(rand.NewPCG(uint64(i), 42))
	span := 365 * 24 * time.Hour
	created := fixtureNow.Add(-span + time.Duration(int64(span)/int64(n)*int64(i))).Truncate(time.Second)
	name, phone := fixturePatient(r.IntN(max(1, n*6/10)))
	place := provinces[r.IntN(len(provinces))]
	dist := districts[r.IntN(len(districts))]
	addr := fmt.Sprintf("%s%s%s%s%d号%d号楼%d单元%d", place.prov, place.city, dist, streets[r.IntN(len(streets))], 1+r.IntN(300), 1+r.IntN(20), 1+r.IntN(6), 101+r.IntN(1800))
	day := created.Format("20060102")
	s := Shipment{
		Waybill:        fixtureWaybill(i),
		Carrier:        carriers[r.IntN(len(carriers))],
		OrderID:        fmt.Sprintf("SD%s-%06d", day, 1+i%2740),
		Reference:      fmt.Sprintf("PJ%s-%04d", day, 1+i%2740),
		Routing:        Routing{BigPen: fmt.Sprintf("%d-%s%02d %02d", 100+r.IntN(800), string(rune('A'+r.IntN(26))), r.IntN(100), r.IntN(100))},
		RecipientName:  name,
		RecipientPhone: phone,
		RecipientAddr:  addr,
		CreatedAt:      created,
		PrintedAt:      created.Add(90 * time.Second),
		CreatedBy:      "前台",
	}
	age := fixtureNow.Sub(created)
	// The journey: ordered, picked up, 6 transit scans, out for delivery, delivered.
	steps := []Milestone{MilestoneOrdered, MilestonePickedUp, MilestoneInTransit, MilestoneInTransit, MilestoneInTransit, MilestoneInTransit, MilestoneInTransit, MilestoneInTransit, MilestoneOutForDelivery, MilestoneDelivered}
	final := len(steps)
	switch {
	case age < 6*time.Hour:
		final = 1
	case age < 24*time.Hour:
		final = 3
	case age < 48*time.Hour:
		final = 6
	case age < 72*time.Hour:
		final = 9
	}
	hub := provinces[r.IntN(len(provinces))].city
	courier := couriers[r.IntN(len(couriers))]
	courierPhone := fmt.Sprintf("13%d%08d", r.IntN(10), r.IntN(100_000_000))
	site := fmt.Sprintf("%s%s%s营业部", place.city[:len(place.city)-3], dist[:len(dist)-3], streets[r.IntN(len(streets))])
	texts := []string{
		"商家已下单，等待快递员揽收",
		fmt.Sprintf("【天津市】天津南开复康路营业部（022-2334%04d）的 %s 已揽收", r.IntN(10000), courier),
		"【天津市】快件离开 天津南开复康路营业部 已发往 天津转运中心",
		"【天津市】快件已经到达 天津转运中心",
		fmt.Sprintf("【天津市】快件离开 天津转运中心 已发往 %s转运中心", hub),
		fmt.Sprintf("【%s】快件已经到达 %s转运中心", hub, hub),
		fmt.Sprintf("【%s】快件离开 %s转运中心 已发往 %s", hub, hub, site),
		fmt.Sprintf("【%s】快件已经到达 %s", place.city, site),
		fmt.Sprintf("【%s】%s 的派件员 %s 正在为您派件（%s），请保持电话畅通", place.city, site, courier, courierPhone),
		fmt.Sprintf("【%s】已签收，签收人凭取货码签收。感谢使用，期待再次为您服务。投诉电话：95311", place.city),
	}
	raw := []string{"0", "1", "0", "0", "0", "0", "0", "0", "5", "3"}
	var evs []TrackingEvent
	t := created.Add(10 * time.Minute)
	for k := 0; k < final; k++ {
		evs = append(evs, TrackingEvent{Time: t, Context: texts[k], Area: place.prov + place.city, RawState: raw[k], Milestone: steps[k]})
		s.SetMilestoneTime(steps[k], t)
		t = t.Add(time.Duration(2+r.IntN(6)) * time.Hour)
	}
	last := evs[len(evs)-1]
	s.Milestone = last.Milestone
	s.RawState = last.RawState
	s.LastEventAt = last.Time
	s.EventCount = len(evs)
	s.UpdatedAt = last.Time.Add(time.Minute)
	if s.Milestone == MilestoneDelivered && r.IntN(50) == 0 { // a few go wrong
		s.Milestone = []Milestone{MilestoneProblem, MilestoneRefused, MilestoneReturned, MilestoneReturning}[r.IntN(4)]
		s.SetMilestoneTime(s.Milestone, s.UpdatedAt)
	}
	s.Subscription = Subscription{State: SubActive, CallbackURL: "http://203.0.113.5:8090/kuaidi100/push", Salt: strconv.FormatUint(r.Uint64()&0xffffffff, 16),
		SubscribedAt: created.Add(2 * time.Minute), MonthCount: 1, Month: created.Format("2006-01"), LastPushAt: last.Time}
	if s.Milestone.Terminal() {
		s.Subscription.State = SubShutdown
	} else {
		s.NextPollAt = fixtureNow.Add(time.Duration(r.IntN(240)-60) * time.Minute) // a quarter is due now
		s.LastPollAt = s.NextPollAt.Add(-30 * time.Minute)
		s.PollDay = s.LastPollAt.Format("2006-01-02")
		s.PollsToday = 1 + r.IntN(10)
	}
	return s, evs
}

// bulkLoad writes shipments 0..n-1 of the generator with large sorted
// batches. It uses the same encoders, index and counter functions as the
// write path (TestBulkLoadMatchesWritePath proves the result identical).
func (db *DB) bulkLoad(ctx context.Context, n int) error {
	const batch = 50_000
	var ix []ixEntry
	counters := map[string]int64{}
	for start := 0; start < n; start += batch {
		end := min(start+batch, n)
		err := db.update(ctx, func(tx *bolt.Tx) error {
			ship, evb := tx.Bucket(bShip), tx.Bucket(bEvents)
			ship.FillPercent, evb.FillPercent = 1, 1 // keys arrive in order
			for i := start; i < end; i++ {
				s, evs := fixtureShipment(i, n)
				val, err := encodeShipment(&s)
				if err != nil {
					return err
				}
				if err := ship.Put([]byte(s.Waybill), val); err != nil {
					return err
				}
				if err := evb.Put([]byte(s.Waybill), encodeEvents(evs)); err != nil {
					return err
				}
				ix = append(ix, shipmentIndex(&s)...)
				for k, v := range db.shipmentCounters(&s) {
					counters[k] += v
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	slices.SortFunc(ix, func(a, b ixEntry) int {
		return cmp.Or(bytes.Compare(a.bucket, b.bucket), bytes.Compare(a.key, b.key))
	})
	for start := 0; start < len(ix); start += 4 * batch {
		err := db.update(ctx, func(tx *bolt.Tx) error {
			for _, e := range ix[start:min(start+4*batch, len(ix))] {
				b := tx.Bucket(e.bucket)
				b.FillPercent = 1
				if err := b.Put(e.key, e.val); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return db.update(ctx, func(tx *bolt.Tx) error {
		if err := db.applyCounters(tx, nil, counters); err != nil {
			return err
		}
		return tx.Bucket(bMeta).Put(keyFixture, []byte(fixtureTag(n)))
	})
}

func fixtureTag(n int) string {
	return fmt.Sprintf("fixture v%d schema v%d n=%d", fixtureVersion, schemaVersion, n)
}

// benchShipments is SHIPDESK_BENCH_SHIPMENTS or 1,000,000.
func benchShipments() int {
	if v, err := strconv.Atoi(os.Getenv("SHIPDESK_BENCH_SHIPMENTS")); err == nil && v > 0 {
		return v
	}
	return 1_000_000
}

func fixturePath(n int) string {
	if n == 1_000_000 {
		return filepath.Join(os.TempDir(), "shipdesk-bench-1m.db")
	}
	return filepath.Join(os.TempDir(), fmt.Sprintf("shipdesk-bench-%d.db", n))
}

// fixtureOptions opens the fixture the way the application opens its file.
func fixtureOptions() Options {
	return Options{Location: shanghai, Now: func() time.Time { return fixtureNow }}
}

// ensureFixture returns the path of an up-to-date fixture of n shipments,
// building it when missing or stale, and how long building took (0 when
// cached).
func ensureFixture(n int) (string, time.Duration, error) {
	path := fixturePath(n)
	if _, err := os.Stat(path); err != nil {
		// missing: build it
	} else if bdb, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second}); err == nil {
		// Read the tag without Open, which would first migrate a stale
		// fixture that is about to be thrown away.
		var tag string
		bdb.View(func(tx *bolt.Tx) error {
			if meta := tx.Bucket(bMeta); meta != nil {
				tag = string(meta.Get(keyFixture))
			}
			return nil
		})
		bdb.Close()
		if tag == fixtureTag(n) {
			return path, 0, nil
		}
	}
	start := time.Now()
	tmp := path + ".building"
	os.Remove(tmp)
	opts := fixtureOptions()
	opts.NoSync = true
	db, err := Open(tmp, opts)
	if err != nil {
		return "", 0, err
	}
	if err := db.bulkLoad(context.Background(), n); err != nil {
		db.Close()
		return "", 0, err
	}
	if err := db.bolt.Sync(); err != nil {
		db.Close()
		return "", 0, err
	}
	if err := db.Close(); err != nil {
		return "", 0, err
	}
	if err := os.Rename(tmp, path); err != nil {
		return "", 0, err
	}
	return path, time.Since(start), nil
}
