// Package shipping holds the workflows of the shipping desk, free of any GUI:
// create and ship an order (validate, save, obtain the waybill, store the
// routing data, render the label, queue the print job, subscribe the
// waybill), smart paste, reprint, cancel, search, CSV import and batch
// shipping, and the dashboard figures. The desktop app and the command line
// both call a *Service; every method takes a context and, where it acts for
// a person, the acting User, whose role decides what is allowed (Allowed,
// canSeePhone).
//
// Shipping is resumable: the order records the last step that succeeded
// (store.StepSaved -> StepWaybilled -> StepQueued -> StepSubscribed ->
// StepDone) and Resume continues from there. Issuing is idempotent: the
// order id is sent to Kuaidi100 as orderId with reorder=false, so a retry
// after a timeout or a crash returns the first waybill, and concurrent Ship
// calls for one order (a double click) are serialised.
package shipping
