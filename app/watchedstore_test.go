package app

// The methods of watchedStore (mainthread_test.go): each checks where it is
// called (and may fail or block, as a shared database that is away does),
// then calls the real store. TestWatchedStoreCoversTheStore checks that
// every method of store.Store is here.

import (
	"context"
	"io"
	"time"

	"shipdesk/store"
)

func (ws *watchedStore) Close() (err error) {
	if err = ws.check("Close"); err != nil {
		return
	}
	return ws.inner.Close()
}

func (ws *watchedStore) SaveOrder(ctx context.Context, o *store.Order) (err error) {
	if err = ws.check("SaveOrder"); err != nil {
		return
	}
	return ws.inner.SaveOrder(ctx, o)
}

func (ws *watchedStore) Order(ctx context.Context, id string) (_ store.Order, err error) {
	if err = ws.check("Order"); err != nil {
		return
	}
	return ws.inner.Order(ctx, id)
}

func (ws *watchedStore) OrdersByStep(ctx context.Context, step store.OrderStep) (_ []store.Order, err error) {
	if err = ws.check("OrdersByStep"); err != nil {
		return
	}
	return ws.inner.OrdersByStep(ctx, step)
}

func (ws *watchedStore) LockOrder(ctx context.Context, id string) (release func(), err error) {
	if err = ws.check("LockOrder"); err != nil {
		return
	}
	return ws.inner.LockOrder(ctx, id)
}

func (ws *watchedStore) CreateShipment(ctx context.Context, s *store.Shipment) (err error) {
	if err = ws.check("CreateShipment"); err != nil {
		return
	}
	return ws.inner.CreateShipment(ctx, s)
}

func (ws *watchedStore) Shipment(ctx context.Context, waybill string) (_ store.Shipment, err error) {
	if err = ws.check("Shipment"); err != nil {
		return
	}
	return ws.inner.Shipment(ctx, waybill)
}

func (ws *watchedStore) UpdateShipment(ctx context.Context, waybill string, fn func(*store.Shipment) error) (_ store.Shipment, err error) {
	if err = ws.check("UpdateShipment"); err != nil {
		return
	}
	return ws.inner.UpdateShipment(ctx, waybill, fn)
}

func (ws *watchedStore) ShipmentsByPhone(ctx context.Context, phoneOrLast4 string, limit int) (_ []store.Shipment, err error) {
	if err = ws.check("ShipmentsByPhone"); err != nil {
		return
	}
	return ws.inner.ShipmentsByPhone(ctx, phoneOrLast4, limit)
}

func (ws *watchedStore) ShipmentsByReference(ctx context.Context, ref string, limit int) (_ []store.Shipment, err error) {
	if err = ws.check("ShipmentsByReference"); err != nil {
		return
	}
	return ws.inner.ShipmentsByReference(ctx, ref, limit)
}

func (ws *watchedStore) ShipmentsByName(ctx context.Context, name string, limit int) (_ []store.Shipment, err error) {
	if err = ws.check("ShipmentsByName"); err != nil {
		return
	}
	return ws.inner.ShipmentsByName(ctx, name, limit)
}

func (ws *watchedStore) ShipmentsByState(ctx context.Context, m store.Milestone, after string, limit int) (page []store.Shipment, next string, err error) {
	if err = ws.check("ShipmentsByState"); err != nil {
		return
	}
	return ws.inner.ShipmentsByState(ctx, m, after, limit)
}

func (ws *watchedStore) ShipmentsByDay(ctx context.Context, from, to time.Time, limit int) (_ []store.Shipment, err error) {
	if err = ws.check("ShipmentsByDay"); err != nil {
		return
	}
	return ws.inner.ShipmentsByDay(ctx, from, to, limit)
}

func (ws *watchedStore) ShipmentsDue(ctx context.Context, now time.Time, limit int) (_ []store.Shipment, err error) {
	if err = ws.check("ShipmentsDue"); err != nil {
		return
	}
	return ws.inner.ShipmentsDue(ctx, now, limit)
}

func (ws *watchedStore) ActiveShipments(ctx context.Context, fn func(store.Shipment) error) (err error) {
	if err = ws.check("ActiveShipments"); err != nil {
		return
	}
	return ws.inner.ActiveShipments(ctx, fn)
}

func (ws *watchedStore) AllShipments(ctx context.Context, fn func(store.Shipment) error) (err error) {
	if err = ws.check("AllShipments"); err != nil {
		return
	}
	return ws.inner.AllShipments(ctx, fn)
}

func (ws *watchedStore) AddEvents(ctx context.Context, waybill string, evs []store.TrackingEvent) (added int, err error) {
	if err = ws.check("AddEvents"); err != nil {
		return
	}
	return ws.inner.AddEvents(ctx, waybill, evs)
}

func (ws *watchedStore) Events(ctx context.Context, waybill string) (_ []store.TrackingEvent, err error) {
	if err = ws.check("Events"); err != nil {
		return
	}
	return ws.inner.Events(ctx, waybill)
}

func (ws *watchedStore) AddJob(ctx context.Context, j *store.PrintJob) (err error) {
	if err = ws.check("AddJob"); err != nil {
		return
	}
	return ws.inner.AddJob(ctx, j)
}

func (ws *watchedStore) Job(ctx context.Context, id uint64) (_ store.PrintJob, err error) {
	if err = ws.check("Job"); err != nil {
		return
	}
	return ws.inner.Job(ctx, id)
}

func (ws *watchedStore) UpdateJob(ctx context.Context, id uint64, fn func(*store.PrintJob) error) (_ store.PrintJob, err error) {
	if err = ws.check("UpdateJob"); err != nil {
		return
	}
	return ws.inner.UpdateJob(ctx, id, fn)
}

func (ws *watchedStore) Jobs(ctx context.Context, f store.JobFilter) (_ []store.PrintJob, err error) {
	if err = ws.check("Jobs"); err != nil {
		return
	}
	return ws.inner.Jobs(ctx, f)
}

func (ws *watchedStore) AddSMS(ctx context.Context, m *store.SMSMessage) (err error) {
	if err = ws.check("AddSMS"); err != nil {
		return
	}
	return ws.inner.AddSMS(ctx, m)
}

func (ws *watchedStore) UpdateSMS(ctx context.Context, id uint64, fn func(*store.SMSMessage) error) (_ store.SMSMessage, err error) {
	if err = ws.check("UpdateSMS"); err != nil {
		return
	}
	return ws.inner.UpdateSMS(ctx, id, fn)
}

func (ws *watchedStore) SMSByOutOrder(ctx context.Context, outOrder string) (_ store.SMSMessage, err error) {
	if err = ws.check("SMSByOutOrder"); err != nil {
		return
	}
	return ws.inner.SMSByOutOrder(ctx, outOrder)
}

func (ws *watchedStore) SMSFor(ctx context.Context, waybill string) (_ []store.SMSMessage, err error) {
	if err = ws.check("SMSFor"); err != nil {
		return
	}
	return ws.inner.SMSFor(ctx, waybill)
}

func (ws *watchedStore) SMSInState(ctx context.Context, st store.SMSState) (_ []store.SMSMessage, err error) {
	if err = ws.check("SMSInState"); err != nil {
		return
	}
	return ws.inner.SMSInState(ctx, st)
}

func (ws *watchedStore) SMSDay(ctx context.Context, day time.Time) (count, costFen int, err error) {
	if err = ws.check("SMSDay"); err != nil {
		return
	}
	return ws.inner.SMSDay(ctx, day)
}

func (ws *watchedStore) RaiseException(ctx context.Context, e *store.Exception) (raised bool, err error) {
	if err = ws.check("RaiseException"); err != nil {
		return
	}
	return ws.inner.RaiseException(ctx, e)
}

func (ws *watchedStore) ResolveException(ctx context.Context, id uint64, who string) (err error) {
	if err = ws.check("ResolveException"); err != nil {
		return
	}
	return ws.inner.ResolveException(ctx, id, who)
}

func (ws *watchedStore) Exceptions(ctx context.Context, openOnly bool, limit int) (_ []store.Exception, err error) {
	if err = ws.check("Exceptions"); err != nil {
		return
	}
	return ws.inner.Exceptions(ctx, openOnly, limit)
}

func (ws *watchedStore) Audit(ctx context.Context, e store.AuditEntry) (err error) {
	if err = ws.check("Audit"); err != nil {
		return
	}
	return ws.inner.Audit(ctx, e)
}

func (ws *watchedStore) AuditLog(ctx context.Context, limit int) (_ []store.AuditEntry, err error) {
	if err = ws.check("AuditLog"); err != nil {
		return
	}
	return ws.inner.AuditLog(ctx, limit)
}

func (ws *watchedStore) Settings(ctx context.Context) (_ store.Settings, err error) {
	if err = ws.check("Settings"); err != nil {
		return
	}
	return ws.inner.Settings(ctx)
}

func (ws *watchedStore) SaveSettings(ctx context.Context, s store.Settings) (err error) {
	if err = ws.check("SaveSettings"); err != nil {
		return
	}
	return ws.inner.SaveSettings(ctx, s)
}

func (ws *watchedStore) Counts(ctx context.Context, now time.Time, days int) (_ store.Counts, err error) {
	if err = ws.check("Counts"); err != nil {
		return
	}
	return ws.inner.Counts(ctx, now, days)
}

func (ws *watchedStore) ExportShipmentsCSV(ctx context.Context, w io.Writer) (err error) {
	if err = ws.check("ExportShipmentsCSV"); err != nil {
		return
	}
	return ws.inner.ExportShipmentsCSV(ctx, w)
}

func (ws *watchedStore) BackupFile(ctx context.Context, path string) (err error) {
	if err = ws.check("BackupFile"); err != nil {
		return
	}
	return ws.inner.BackupFile(ctx, path)
}

func (ws *watchedStore) CheckCounters(ctx context.Context) (_ []string, err error) {
	if err = ws.check("CheckCounters"); err != nil {
		return
	}
	return ws.inner.CheckCounters(ctx)
}

func (ws *watchedStore) CheckIndexes(ctx context.Context) (_ []string, err error) {
	if err = ws.check("CheckIndexes"); err != nil {
		return
	}
	return ws.inner.CheckIndexes(ctx)
}

func (ws *watchedStore) Recount(ctx context.Context) (err error) {
	if err = ws.check("Recount"); err != nil {
		return
	}
	return ws.inner.Recount(ctx)
}
