package shipping

import (
	"sync"
	"time"
)

type orderLock struct {
	mu   sync.Mutex
	refs int
}

type recentOrder struct {
	id string
	at time.Time
}

// lock serialises work on one order id; the returned func unlocks.
func (s *Service) lock(id string) func() {
	s.mu.Lock()
	l := s.locks[id]
	if l == nil {
		l = &orderLock{}
		s.locks[id] = l
	}
	l.refs++
	s.mu.Unlock()
	l.mu.Lock()
	return func() {
		l.mu.Unlock()
		s.mu.Lock()
		l.refs--
		if l.refs == 0 {
			delete(s.locks, id)
		}
		s.mu.Unlock()
	}
}

func (s *Service) recentID(fp string) string {
	if s.d.DedupWindow < 0 {
		return ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for k, r := range s.recent {
		if now.Sub(r.at) > s.d.DedupWindow {
			delete(s.recent, k)
		}
	}
	return s.recent[fp].id
}

func (s *Service) remember(fp, id string) {
	if s.d.DedupWindow < 0 {
		return
	}
	s.mu.Lock()
	s.recent[fp] = recentOrder{id: id, at: s.now()}
	s.mu.Unlock()
}
