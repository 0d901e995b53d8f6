package app

import (
	"testing"

	"shipdesk/store"
)

// TestSettingsListsEditTheWorkingCopy adds, changes and removes senders and
// users through the settings screen's list editors, saves, and reads the
// store back; the last user cannot be removed.
func TestSettingsListsEditTheWorkingCopy(t *testing.T) {
	e := newEnv(t)
	e.as(t, store.RoleManager)
	e.ui.tabs.Select(e.ui.tabSettings)
	s := e.ui.setup

	s.senders.put(-1, store.Party{Name: "仓库二", Phone: "13800000002", Address: "上海市"})
	n := len(s.st.Senders)
	s.senders.put(n-1, store.Party{Name: "仓库三", Phone: "13800000003", Address: "杭州市"})
	s.senders.list.Select(0)
	s.senders.remove()
	if len(s.st.Senders) != n-1 || s.st.Senders[len(s.st.Senders)-1].Name != "仓库三" {
		t.Fatalf("senders = %+v", s.st.Senders)
	}
	if _, ok := s.senders.at(-1); ok {
		t.Error("at(-1) is an item")
	}

	for len(s.st.Users) > 1 {
		s.users.list.Select(len(s.st.Users) - 1)
		s.users.remove()
	}
	s.users.list.Select(0)
	s.users.remove()
	if len(s.st.Users) != 1 {
		t.Fatalf("the last user was removed: %+v", s.st.Users)
	}
	s.users.put(-1, store.User{Name: "新人", Role: store.RoleWarehouse})
	if len(s.st.Users) != 2 {
		t.Fatalf("users = %+v", s.st.Users)
	}

	s.save()
	e.wait()
	st, err := e.db.Settings(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Senders) != n-1 || st.Senders[len(st.Senders)-1].Name != "仓库三" {
		t.Errorf("stored senders = %+v", st.Senders)
	}
	if len(st.Users) != 2 || st.Users[1].Name != "新人" {
		t.Errorf("stored users = %+v", st.Users)
	}
}
