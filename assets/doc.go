// Package assets holds the files embedded in the Shipdesk binary: the CJK
// font subset and its licence, the carrier table, and other read-only data.
// Everything here is plain bytes (no GUI toolkit imports), safe for
// concurrent use, and must not be modified by callers.
package assets
