package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// Bucket names. Index buckets start with "ix_"; their keys end in the
// primary key so every entry is unique.
var (
	bMeta       = []byte("meta")          // schemaVersion, settings
	bOrders     = []byte("orders")        // order id -> JSON Order
	bOrderSeq   = []byte("orderseq")      // yyyymmdd -> uint64 daily order sequence
	bOrderStep  = []byte("ix_order_step") // step 0 id -> nil
	bShip       = []byte("ship")          // waybill -> encoded Shipment
	bEvents     = []byte("events")        // waybill -> encoded []TrackingEvent
	bPhone      = []byte("ix_phone")      // reversed phone digits 0 waybill -> created
	bName       = []byte("ix_name")       // lower(name) 0 waybill -> created
	bState      = []byte("ix_state")      // milestone, ^created, waybill -> nil
	bDay        = []byte("ix_day")        // created, waybill -> nil
	bDue        = []byte("ix_due")        // nextPollAt, waybill -> nil (schema v2)
	bRef        = []byte("ix_ref")        // refKey(reference or order id) 0 waybill -> created (schema v3)
	bCounters   = []byte("counters")      // counter key -> int64
	bJobs       = []byte("jobs")          // seq -> JSON PrintJob
	bJobState   = []byte("ix_job_state")  // state 0 seq -> nil
	bJobWaybill = []byte("ix_job_wb")     // waybill 0 seq -> nil
	bSMS        = []byte("sms")           // seq -> JSON SMSMessage
	bSMSOut     = []byte("ix_sms_out")    // outOrder -> seq
	bSMSWaybill = []byte("ix_sms_wb")     // waybill 0 seq -> nil
	bSMSState   = []byte("ix_sms_state")  // state 0 seq -> nil
	bExc        = []byte("exc")           // seq -> JSON Exception
	bExcOpen    = []byte("ix_exc_open")   // waybill 0 kind -> seq
	bAudit      = []byte("audit")         // seq -> JSON AuditEntry
)

var (
	keySchema   = []byte("schemaVersion")
	keySettings = []byte("settings")
)

// v1Buckets is the initial layout.
var v1Buckets = [][]byte{bMeta, bOrders, bOrderSeq, bOrderStep, bShip, bEvents, bPhone, bName, bState, bDay,
	bCounters, bJobs, bJobState, bJobWaybill, bSMS, bSMSOut, bSMSWaybill, bSMSState, bExc, bExcOpen, bAudit}

// migrations[i] moves a file from schema version i to i+1. Version 0 is an
// empty file. Each step runs in the same transaction as the version bump, so
// a crash leaves the file at the old version.
var migrations = []func(db *DB, tx *bolt.Tx) error{
	// 0 -> 1: the initial layout.
	func(db *DB, tx *bolt.Tx) error {
		for _, name := range v1Buckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		return nil
	},
	// 1 -> 2: the next-poll index, so the scheduler stops scanning.
	func(db *DB, tx *bolt.Tx) error {
		due, err := tx.CreateBucketIfNotExists(bDue)
		if err != nil {
			return err
		}
		return tx.Bucket(bShip).ForEach(func(k, v []byte) error {
			s, err := decodeShipment(v, db.loc)
			if err != nil {
				return fmt.Errorf("shipment %s: %w", k, err)
			}
			if key := dueKey(&s); key != nil {
				return due.Put(key, nil)
			}
			return nil
		})
	},
	// 2 -> 3: the reference / order id index, so search finds a shipment
	// by the clinic's 配镜单号 or our order id without scanning.
	func(db *DB, tx *bolt.Tx) error {
		ref, err := tx.CreateBucketIfNotExists(bRef)
		if err != nil {
			return err
		}
		var entries []ixEntry
		err = tx.Bucket(bShip).ForEach(func(k, v []byte) error {
			s, err := decodeShipment(v, db.loc)
			if err != nil {
				return fmt.Errorf("shipment %s: %w", k, err)
			}
			entries = append(entries, refEntries(&s)...)
			return nil
		})
		if err != nil {
			return err
		}
		// In key order, so the B-tree is written page after page.
		ref.FillPercent = appendFill
		slices.SortFunc(entries, func(a, b ixEntry) int { return bytes.Compare(a.key, b.key) })
		for _, e := range entries {
			if err := ref.Put(e.key, e.val); err != nil {
				return err
			}
		}
		return nil
	},
}

// schemaVersion is the layout version this package writes.
var schemaVersion = uint64(len(migrations))

func (db *DB) migrate() error {
	var ver uint64
	if err := db.bolt.View(func(tx *bolt.Tx) error {
		ver = schemaOf(tx)
		return nil
	}); err != nil {
		return err
	}
	if ver > schemaVersion {
		return fmt.Errorf("database schema v%d is newer than this Shipdesk understands (v%d); install the newer Shipdesk", ver, schemaVersion)
	}
	for ver < schemaVersion {
		err := db.bolt.Update(func(tx *bolt.Tx) error {
			if err := migrations[ver](db, tx); err != nil {
				return err
			}
			meta, err := tx.CreateBucketIfNotExists(bMeta)
			if err != nil {
				return err
			}
			return meta.Put(keySchema, u64(ver+1))
		})
		if err != nil {
			return fmt.Errorf("migrate schema v%d to v%d: %w", ver, ver+1, err)
		}
		ver++
	}
	return nil
}

func schemaOf(tx *bolt.Tx) uint64 {
	meta := tx.Bucket(bMeta)
	if meta == nil {
		return 0
	}
	v := meta.Get(keySchema)
	if len(v) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}
