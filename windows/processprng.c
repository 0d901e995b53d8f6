/*
 * bcryptprimitives.dll for Wine 8.0, which lacks it: Go 1.24+ Windows
 * binaries import ProcessPrng from it and do not start without it.
 * ProcessPrng fills a buffer with random bytes and always succeeds; here it
 * asks advapi32's RtlGenRandom (SystemFunction036), which Wine has.
 * Test harness only (windows/test-windows.sh puts it in a private prefix);
 * real Windows 10+ ships its own bcryptprimitives.dll.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	while (len > 0) {
		ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		len -= n;
	}
	return TRUE;
}
