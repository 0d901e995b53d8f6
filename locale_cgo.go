//go:build cgo && (linux || freebsd)

package main

// Fyne works out the user's language while its packages initialise, before
// main runs, and under LANG=C.UTF-8 (the default of many containers and CI
// machines) it cannot parse "C" and prints three "Fyne error" lines on
// stderr on every start, which would break the command line's promise of one
// clear line on failure. A C constructor runs before the Go runtime reads the
// environment, so it can shorten "C.UTF-8" (and "POSIX.UTF-8") to plain "C"
// in place, which means the same for messages and which Fyne treats as "no
// preference". Only the original environment strings are changed, in place.

/*
#include <string.h>

extern char **environ;

static void shipdesk_plain_c_locale(void) {
	static const char *vars[] = {"LC_ALL=", "LC_MESSAGES=", "LANG=", 0};
	for (char **e = environ; e && *e; e++) {
		for (int i = 0; vars[i]; i++) {
			size_t n = strlen(vars[i]);
			if (strncmp(*e, vars[i], n) != 0) continue;
			char *v = *e + n;
			if ((strncmp(v, "C.", 2) == 0) ) v[1] = 0;
			else if (strncmp(v, "POSIX.", 6) == 0) v[5] = 0;
		}
	}
}

__attribute__((constructor)) static void shipdesk_locale_init(void) { shipdesk_plain_c_locale(); }
*/
import "C"
