// Package e2e holds the end-to-end test of the Windows build under Wine:
// the real shipdesk.exe and its installer, run by windows/test-windows.sh
// (make test-windows) in a private Wine prefix with a private CUPS server
// whose raw queue is a Windows printer to the exe. Without that harness the
// test skips and says so.
package e2e
