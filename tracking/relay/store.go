// Package relay is Shipdesk's push relay: a small always-on service on a
// host with a public address that receives Kuaidi100's tracking pushes for
// one or more stations (desk PCs behind NAT, switched off at night), stores
// each push durably before it answers Kuaidi100, and keeps it until the
// station, connecting out over HTTPS with its token, has taken and
// acknowledged it.
//
// The relay cannot verify a push (the salts stay at the stations), so it is
// hardened instead: a body limit, per-source rate limits, a cap on what it
// keeps per station (the oldest are kept, new pushes are refused so that
// Kuaidi100 retries them later), tokens stored only as hashes and compared
// in constant time, and no way for a station to see another's data. A
// station verifies every push with its own per-shipment salt; forged pushes
// are refused there and counted here.
//
// The pieces: DB (the relay's own bbolt file), Server (the HTTP handlers)
// and Client (the station side, which takes pushes as they come by long
// polling and hands each to the station's push handling).
package relay

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterr "go.etcd.io/bbolt/errors"
)

// Errors a caller branches on.
var (
	// ErrLocked means another process (a running relay) holds the file.
	ErrLocked = errors.New("relay: database in use by another process")
	// ErrNoStation means no station of that name exists.
	ErrNoStation = errors.New("relay: no such station")
	// ErrStationExists means add-station was given a name already taken.
	ErrStationExists = errors.New("relay: station already exists")
	// ErrBadName means a station name is not 1-32 of a-z, 0-9 and '-'.
	ErrBadName = errors.New("relay: station name must be 1-32 characters of a-z, 0-9 and '-'")
	// ErrFull means the station already has MaxPending pushes waiting.
	ErrFull = errors.New("relay: station's store is full")
	// ErrBadToken means a token that matches no station.
	ErrBadToken = errors.New("relay: bad token")
)

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,31}$`)

var (
	bStations = []byte("stations") // name -> JSON station
	bPending  = []byte("pending")  // name -> bucket: seq (8 bytes BE) -> JSON Push
)

// station is the stored record of one station.
type station struct {
	Name      string    `json:"name"`
	TokenHash string    `json:"tokenHash"` // hex SHA-256 of the whole token
	Created   time.Time `json:"created"`
	Counts
}

// Counts are a station's counters.
type Counts struct {
	Received int `json:"received"` // pushes stored for it
	Refused  int `json:"refused"`  // pushes refused because its store was full
	Applied  int `json:"applied"`  // taken and applied by the station
	Forged   int `json:"forged"`   // taken and refused by the station: the sign did not match
	Unknown  int `json:"unknown"`  // taken; the station knows no such number
	Bad      int `json:"bad"`      // taken; the body was not a push
}

// StationInfo is what `relay stations` lists of one station.
type StationInfo struct {
	Name    string    `json:"name"`
	Created time.Time `json:"created"`
	Waiting int       `json:"waiting"` // pushes stored, not yet acknowledged
	Oldest  time.Time `json:"oldest"`  // when the oldest waiting push came; zero if none
	Counts
}

// Push is one stored push: the form body exactly as Kuaidi100 posted it.
type Push struct {
	Seq      uint64    `json:"seq"`
	Received time.Time `json:"received"`
	Query    string    `json:"query,omitempty"` // the callback URL's query string, as echoed
	Body     []byte    `json:"body"`            // application/x-www-form-urlencoded (param, sign), byte for byte
}

// Outcome is what a station did with a push it took.
type Outcome string

// The outcomes a station reports when it acknowledges a push.
const (
	Applied Outcome = "applied"
	Forged  Outcome = "forged"
	Unknown Outcome = "unknown"
	Bad     Outcome = "bad"
)

// DB is the relay's bbolt file. Its methods are safe for concurrent use;
// Close it when done.
type DB struct {
	b *bolt.DB
}

// OpenDB opens (creating) the relay database at path. A file held by a
// running relay gives ErrLocked after a second.
func OpenDB(path string) (*DB, error) {
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if errors.Is(err, bolterr.ErrTimeout) {
		return nil, fmt.Errorf("open relay db %s: %w", path, ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("open relay db %s: %w", path, err)
	}
	err = b.Update(func(tx *bolt.Tx) error {
		for _, n := range [][]byte{bStations, bPending} {
			if _, err := tx.CreateBucketIfNotExists(n); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Close()
		return nil, fmt.Errorf("open relay db %s: %w", path, err)
	}
	return &DB{b: b}, nil
}

// Close closes the file.
func (d *DB) Close() error { return d.b.Close() }

// hashToken is the stored form of a token.
func hashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// StationOfToken returns the station name a token carries (tokens are
// NAME.SECRET), or false.
func StationOfToken(token string) (string, bool) {
	name, secret, ok := strings.Cut(strings.TrimSpace(token), ".")
	if !ok || !nameRE.MatchString(name) || len(secret) < 32 {
		return "", false
	}
	return name, true
}

// AddStation creates a station and returns its token (NAME.SECRET, 32
// random bytes hex-encoded). Only the token's hash is stored: the token
// cannot be shown again.
func (d *DB) AddStation(name string, now time.Time) (string, error) {
	if !nameRE.MatchString(name) {
		return "", fmt.Errorf("add station %q: %w", name, ErrBadName)
	}
	var sec [32]byte
	if _, err := rand.Read(sec[:]); err != nil {
		return "", fmt.Errorf("add station %s: %w", name, err)
	}
	token := name + "." + hex.EncodeToString(sec[:])
	err := d.b.Update(func(tx *bolt.Tx) error {
		st := tx.Bucket(bStations)
		if st.Get([]byte(name)) != nil {
			return ErrStationExists
		}
		raw, err := json.Marshal(station{Name: name, TokenHash: hashToken(token), Created: now})
		if err != nil {
			return err
		}
		if err := st.Put([]byte(name), raw); err != nil {
			return err
		}
		_, err = tx.Bucket(bPending).CreateBucketIfNotExists([]byte(name))
		return err
	})
	if err != nil {
		return "", fmt.Errorf("add station %s: %w", name, err)
	}
	return token, nil
}

// Authenticate returns the station a token belongs to. The hash of the
// token is compared in constant time with the stored one.
func (d *DB) Authenticate(token string) (string, error) {
	name, ok := StationOfToken(token)
	if !ok {
		return "", ErrBadToken
	}
	want := hashToken(strings.TrimSpace(token))
	var match bool
	err := d.b.View(func(tx *bolt.Tx) error {
		s, err := getStation(tx, name)
		if err != nil {
			// Compare anyway, so a missing station costs the same time.
			subtle.ConstantTimeCompare([]byte(want), []byte(strings.Repeat("0", len(want))))
			return nil
		}
		match = subtle.ConstantTimeCompare([]byte(want), []byte(s.TokenHash)) == 1
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("authenticate: %w", err)
	}
	if !match {
		return "", ErrBadToken
	}
	return name, nil
}

func getStation(tx *bolt.Tx, name string) (station, error) {
	var s station
	raw := tx.Bucket(bStations).Get([]byte(name))
	if raw == nil {
		return s, ErrNoStation
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return s, fmt.Errorf("station %s: %w", name, err)
	}
	return s, nil
}

func putStation(tx *bolt.Tx, s station) error {
	raw, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return tx.Bucket(bStations).Put([]byte(s.Name), raw)
}

// HasStation reports whether name is a station.
func (d *DB) HasStation(name string) bool {
	ok := false
	d.b.View(func(tx *bolt.Tx) error {
		ok = tx.Bucket(bStations).Get([]byte(name)) != nil
		return nil
	})
	return ok
}

// Store keeps one push for station durably (the transaction is committed,
// and so synced to disk, when Store returns nil). With max > 0 and max
// pushes already waiting it refuses the push with ErrFull, keeping the
// older ones, and counts the refusal.
func (d *DB) Store(name string, p Push, max int) (uint64, error) {
	var seq uint64
	err := d.b.Update(func(tx *bolt.Tx) error {
		s, err := getStation(tx, name)
		if err != nil {
			return err
		}
		pb := tx.Bucket(bPending).Bucket([]byte(name))
		if pb == nil {
			if pb, err = tx.Bucket(bPending).CreateBucket([]byte(name)); err != nil {
				return err
			}
		}
		if max > 0 && pb.Stats().KeyN >= max {
			return ErrFull
		}
		if seq, err = pb.NextSequence(); err != nil {
			return err
		}
		p.Seq = seq
		raw, err := json.Marshal(p)
		if err != nil {
			return err
		}
		if err := pb.Put(seqKey(seq), raw); err != nil {
			return err
		}
		s.Received++
		return putStation(tx, s)
	})
	if errors.Is(err, ErrFull) {
		// The transaction rolled back with the error: count the refusal
		// on its own.
		d.b.Update(func(tx *bolt.Tx) error {
			s, err := getStation(tx, name)
			if err != nil {
				return err
			}
			s.Refused++
			return putStation(tx, s)
		})
	}
	if err != nil {
		return 0, fmt.Errorf("store push for %s: %w", name, err)
	}
	return seq, nil
}

func seqKey(seq uint64) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], seq)
	return k[:]
}

// Pending returns up to limit of station's waiting pushes with a sequence
// number above after, oldest first.
func (d *DB) Pending(name string, after uint64, limit int) ([]Push, error) {
	out := []Push{}
	err := d.b.View(func(tx *bolt.Tx) error {
		pb := tx.Bucket(bPending).Bucket([]byte(name))
		if pb == nil {
			return ErrNoStation
		}
		c := pb.Cursor()
		for k, v := c.Seek(seqKey(after + 1)); k != nil && len(out) < limit; k, v = c.Next() {
			var p Push
			if err := json.Unmarshal(v, &p); err != nil {
				return fmt.Errorf("push %d: %w", binary.BigEndian.Uint64(k), err)
			}
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("pending pushes of %s: %w", name, err)
	}
	return out, nil
}

// Ack is a station's acknowledgement of one push it took.
type Ack struct {
	Seq     uint64  `json:"seq"`
	Outcome Outcome `json:"outcome"`
}

// Acknowledge deletes the pushes station has taken and counts their
// outcomes. A sequence number that is not waiting (acknowledged before) is
// ignored, so an acknowledgement may be repeated. It returns how many were
// deleted.
func (d *DB) Acknowledge(name string, acks []Ack) (int, error) {
	n := 0
	err := d.b.Update(func(tx *bolt.Tx) error {
		s, err := getStation(tx, name)
		if err != nil {
			return err
		}
		pb := tx.Bucket(bPending).Bucket([]byte(name))
		if pb == nil {
			return ErrNoStation
		}
		for _, a := range acks {
			k := seqKey(a.Seq)
			if pb.Get(k) == nil {
				continue
			}
			if err := pb.Delete(k); err != nil {
				return err
			}
			n++
			switch a.Outcome {
			case Forged:
				s.Forged++
			case Unknown:
				s.Unknown++
			case Bad:
				s.Bad++
			default:
				s.Applied++
			}
		}
		return putStation(tx, s)
	})
	if err != nil {
		return 0, fmt.Errorf("acknowledge pushes of %s: %w", name, err)
	}
	return n, nil
}

// Stations lists every station with what it has waiting, by name.
func (d *DB) Stations() ([]StationInfo, error) {
	var out []StationInfo
	err := d.b.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bStations).ForEach(func(k, v []byte) error {
			var s station
			if err := json.Unmarshal(v, &s); err != nil {
				return fmt.Errorf("station %s: %w", k, err)
			}
			info := StationInfo{Name: s.Name, Created: s.Created, Counts: s.Counts}
			if pb := tx.Bucket(bPending).Bucket(k); pb != nil {
				info.Waiting = pb.Stats().KeyN
				if _, v := pb.Cursor().First(); v != nil {
					var p Push
					if json.Unmarshal(v, &p) == nil {
						info.Oldest = p.Received
					}
				}
			}
			out = append(out, info)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("list stations: %w", err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
