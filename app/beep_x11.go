//go:build linux && cgo

package app

/*
#cgo LDFLAGS: -lX11
#include <X11/Xlib.h>

// bell rings the X server's bell at pitch Hz for ms milliseconds and puts
// the keyboard's bell settings back.
static int bell(int pitch, int ms) {
	Display *d = XOpenDisplay(NULL);
	if (d == NULL) return -1;
	XKeyboardState old;
	XGetKeyboardControl(d, &old);
	XKeyboardControl kc;
	kc.bell_pitch = pitch;
	kc.bell_duration = ms;
	kc.bell_percent = 100;
	XChangeKeyboardControl(d, KBBellPitch | KBBellDuration | KBBellPercent, &kc);
	XBell(d, 0);
	kc.bell_pitch = old.bell_pitch;
	kc.bell_duration = old.bell_duration;
	kc.bell_percent = old.bell_percent;
	XChangeKeyboardControl(d, KBBellPitch | KBBellDuration | KBBellPercent, &kc);
	XCloseDisplay(d);
	return 0;
}
*/
import "C"

import "time"

// platformBeep rings the X bell (the desktop's beep) and waits while it
// sounds.
func platformBeep(hz int, d time.Duration) {
	if C.bell(C.int(hz), C.int(d.Milliseconds())) == 0 {
		time.Sleep(d)
	}
}
