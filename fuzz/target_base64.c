/* Fuzz target for base64_decode's decoder: the input, copied into an exactly-sized heap buffer
 * so ASan sees any read past it, is decoded whole and from every offset of its first bytes.
 * Invariants: at most three bytes out per four in (plus two for a short final group), and
 * decoding a prefix never yields more than decoding the whole. */
#include <stdlib.h>
#include <string.h>

#include "detect/detect_int.h"

int cn_fuzz_base64(const uint8_t *d, size_t n);

int cn_fuzz_base64(const uint8_t *d, size_t n)
{
    if (n > 65535)
        n = 65535;
    uint8_t *in = malloc(n ? n : 1), *out = malloc(n / 4 * 3 + 3);
    if (!in || !out)
        abort();
    memcpy(in, d, n);
    uint32_t whole = cn_base64_decode(in, (uint32_t)n, out);
    if (whole > n / 4 * 3 + 2)
        abort();
    for (uint32_t skip = 0; skip < 8 && skip < n; skip++) {
        uint32_t part = cn_base64_decode(in + skip, (uint32_t)(n - skip), out);
        if (part > (n - skip) / 4 * 3 + 2)
            abort();
    }
    if (n >= 2 && cn_base64_decode(in, (uint32_t)(n - 1), out) > whole)
        abort();
    free(in);
    free(out);
    return 0;
}
