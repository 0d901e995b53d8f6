#!/usr/bin/env python3
"""Print every code point the label font must cover, one U+XXXX per line:
all of GBK (decoded byte pair by byte pair), printable ASCII, CJK and
full-width punctuation, and a few symbols seen on e-waybills."""
cps = set(range(0x20, 0x7F))
for lead in range(0x81, 0xFF):
    for trail in range(0x40, 0xFF):
        if trail == 0x7F:
            continue
        try:
            s = bytes([lead, trail]).decode("gbk")
        except UnicodeDecodeError:
            continue
        for ch in s:
            cps.add(ord(ch))
cps.update(range(0x3000, 0x3040))   # CJK symbols and punctuation
cps.update(range(0xFF01, 0xFF5F))   # full-width ASCII
cps.update([0x00A5, 0xFFE5, 0x203B, 0x00B7, 0x2014, 0x2026, 0x20AC, 0x00D7, 0x2116, 0x2103])
for cp in sorted(cps):
    if 0xE000 <= cp <= 0xF8FF:      # private use: nothing to draw
        continue
    print("U+%04X" % cp)
