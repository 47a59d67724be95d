/* Fuzz target for protocol detection: byte 0 picks the well-known port the flow uses (so the
 * port-gated recognisers run too) and bit 7 of byte 1 the transport; the rest is cut into
 * chunks (length byte, then data) handed to the stream hook alternately per direction, or
 * sent as UDP payloads. The recognisers must never read past what they were given: the
 * chunks are copied into exactly-sized heap buffers so ASan sees any overread. */
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "stream/stream.h"

int cn_fuzz_app_detect(const uint8_t *d, size_t n);

static const uint16_t ports[] = {21, 22, 25, 53, 67, 80, 123, 143, 443, 445, 3389, 5060, 9999};

int cn_fuzz_app_detect(const uint8_t *d, size_t n)
{
    if (n < 2)
        return 0;
    struct cn_flow f;
    memset(&f, 0, sizeof(f));
    f.sp = 40000;
    f.dp = ports[d[0] % (sizeof(ports) / sizeof(ports[0]))];
    bool udp = d[1] & 0x80;
    d += 2;
    n -= 2;
    uint64_t off[2] = {0, 0};
    for (unsigned i = 0; n > 0; i++) {
        size_t len = d[0] < n - 1 ? d[0] : n - 1;
        uint8_t *chunk = malloc(len ? len : 1);
        if (!chunk)
            return 0;
        memcpy(chunk, d + 1, len);
        bool ts = (i & 1) == 0;
        struct cn_packet p;
        memset(&p, 0, sizeof(p));
        if (udp) {
            p.toserver = ts;
            p.payload = chunk;
            p.payload_len = (uint32_t)len;
            cn_app_udp_packet(&f, &p);
        } else {
            cn_app_stream_data(&f, &p, ts, chunk, (uint32_t)len, off[ts], 0);
            off[ts] += len;
        }
        free(chunk);
        d += 1 + len;
        n -= 1 + len;
    }
    cn_app_stream_data(&f, NULL, true, NULL, 0, off[1], CN_STREAM_EOF);
    cn_app_stream_data(&f, NULL, false, NULL, 0, off[0], CN_STREAM_EOF);
    return f.app_proto < CN_ALPROTO__COUNT ? 0 : 1;
}
