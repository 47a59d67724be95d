/* core: the toolbox every stage uses. Error codes, logging, the allocator hook, memcaps, the
 * bounds-checked cursor that all packet parsing goes through, addresses, timestamps, hashing,
 * per-thread statistics counters and the YAML configuration tree.
 *
 * This is the only public header of src/core; it depends on nothing but libc. */
#ifndef CN_CORE_H
#define CN_CORE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define CN_API          __attribute__((visibility("default")))
#define CN_LIKELY(x)    __builtin_expect(!!(x), 1)
#define CN_UNLIKELY(x)  __builtin_expect(!!(x), 0)
#define CN_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define CN_MIN(a, b)    ((a) < (b) ? (a) : (b))
#define CN_MAX(a, b)    ((a) > (b) ? (a) : (b))

/* ---- errors: commands return 0 or one of these, negated ---- */
enum {
    CN_OK = 0,
    CN_EAGAIN = 1, /* need more data */
    CN_EINVAL,     /* malformed input or bad argument */
    CN_ENOMEM,     /* allocation failed or memcap reached */
    CN_EIO,        /* read or write failed */
    CN_ENOENT,     /* not found */
    CN_EEOF,       /* end of input */
    CN_ETRUNC,     /* input ends in the middle of a record */
};
CN_API const char *cn_strerror(int err);

/* ---- logging: to stderr, one line per call, prefixed with the level ---- */
enum cn_log_level { CN_LOG_ERROR, CN_LOG_WARN, CN_LOG_INFO, CN_LOG_DEBUG };
CN_API void cn_log_set_level(enum cn_log_level level);
CN_API enum cn_log_level cn_log_get_level(void);
CN_API void cn_log(enum cn_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
#define cn_err(...)  cn_log(CN_LOG_ERROR, __VA_ARGS__)
#define cn_warn(...) cn_log(CN_LOG_WARN, __VA_ARGS__)
#define cn_info(...) cn_log(CN_LOG_INFO, __VA_ARGS__)

/* ---- allocation: every allocation goes through one per-thread hook so tests and fuzzers
 * can make allocations fail ---- */
struct cn_alloc_hook {
    void *(*alloc)(void *ctx, size_t size);            /* like malloc */
    void *(*realloc)(void *ctx, void *p, size_t size); /* like realloc */
    void (*free)(void *ctx, void *p);
    void *ctx;
};
/* NULL restores the libc allocator. Applies to the calling thread only. */
CN_API void cn_alloc_set_hook(const struct cn_alloc_hook *hook);
CN_API void *cn_malloc(size_t size);
CN_API void *cn_calloc(size_t n, size_t size);
CN_API void *cn_realloc(void *p, size_t size);
CN_API void cn_free(void *p);
CN_API char *cn_strdup(const char *s);

/* ---- memcaps: a byte budget owned by one thread (each worker gets its share) ---- */
struct cn_memcap {
    uint64_t limit; /* 0 = unlimited */
    uint64_t used;
    uint64_t peak;
    uint64_t fails; /* reservations refused */
};
static inline bool cn_memcap_try(struct cn_memcap *mc, uint64_t n)
{
    if (mc->limit && mc->used + n > mc->limit) {
        mc->fails++;
        return false;
    }
    mc->used += n;
    if (mc->used > mc->peak)
        mc->peak = mc->used;
    return true;
}
static inline void cn_memcap_release(struct cn_memcap *mc, uint64_t n)
{
    mc->used = n > mc->used ? 0 : mc->used - n;
}

/* ---- cursor: bounds-checked reads of untrusted bytes. Any read past the end sets the
 * sticky error flag and returns zeros; callers check cn_cur_ok() once per record. ---- */
struct cn_cursor {
    const uint8_t *data;
    size_t len;
    size_t off;
    bool err;
};
static inline struct cn_cursor cn_cursor_init(const uint8_t *data, size_t len)
{
    struct cn_cursor c = {data, len, 0, false};
    return c;
}
static inline size_t cn_cur_left(const struct cn_cursor *c)
{
    return c->err ? 0 : c->len - c->off;
}
static inline bool cn_cur_ok(const struct cn_cursor *c)
{
    return !c->err;
}
static inline bool cn_cur_need(struct cn_cursor *c, size_t n)
{
    if (c->err || c->len - c->off < n) {
        c->err = true;
        return false;
    }
    return true;
}
static inline const uint8_t *cn_cur_ptr(const struct cn_cursor *c)
{
    return c->data + c->off;
}
static inline uint8_t cn_cur_u8(struct cn_cursor *c)
{
    if (!cn_cur_need(c, 1))
        return 0;
    return c->data[c->off++];
}
static inline uint16_t cn_cur_be16(struct cn_cursor *c)
{
    if (!cn_cur_need(c, 2))
        return 0;
    const uint8_t *p = c->data + c->off;
    c->off += 2;
    return (uint16_t)(p[0] << 8 | p[1]);
}
static inline uint32_t cn_cur_be32(struct cn_cursor *c)
{
    if (!cn_cur_need(c, 4))
        return 0;
    const uint8_t *p = c->data + c->off;
    c->off += 4;
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline uint16_t cn_cur_le16(struct cn_cursor *c)
{
    if (!cn_cur_need(c, 2))
        return 0;
    const uint8_t *p = c->data + c->off;
    c->off += 2;
    return (uint16_t)(p[1] << 8 | p[0]);
}
static inline uint32_t cn_cur_le32(struct cn_cursor *c)
{
    if (!cn_cur_need(c, 4))
        return 0;
    const uint8_t *p = c->data + c->off;
    c->off += 4;
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}
static inline void cn_cur_skip(struct cn_cursor *c, size_t n)
{
    if (cn_cur_need(c, n))
        c->off += n;
}
/* Returns a pointer to the next n bytes and advances, or NULL (and sets the error). */
static inline const uint8_t *cn_cur_bytes(struct cn_cursor *c, size_t n)
{
    if (!cn_cur_need(c, n))
        return NULL;
    const uint8_t *p = c->data + c->off;
    c->off += n;
    return p;
}
/* Bounds a nested length-prefixed field: the returned cursor covers the next n bytes and the
 * parent advances past them. A short parent yields an empty cursor in error. */
static inline struct cn_cursor cn_cursor_sub(struct cn_cursor *c, size_t n)
{
    struct cn_cursor sub = {c->data + c->off, 0, 0, true};
    if (!cn_cur_need(c, n))
        return sub;
    sub.len = n;
    sub.err = false;
    c->off += n;
    return sub;
}

/* ---- addresses: IPv4 lives in the first 4 bytes, the rest are zero ---- */
union cn_addr {
    uint8_t b[16];
    uint32_t w[4];
    uint64_t q[2];
};
#define CN_ADDR_STRLEN 46
/* Formats as Suricata does (IPv6 in its full, uncompressed form). Returns the length. */
CN_API int cn_addr_format(const union cn_addr *a, int family, char out[CN_ADDR_STRLEN]);
static inline bool cn_addr_eq(const union cn_addr *a, const union cn_addr *b)
{
    return a->q[0] == b->q[0] && a->q[1] == b->q[1];
}
static inline int cn_addr_cmp(const union cn_addr *a, const union cn_addr *b)
{
    return memcmp(a->b, b->b, 16);
}

/* ---- time: microseconds since the epoch, from the packet (not the wall clock) ---- */
typedef uint64_t cn_time_t;
#define CN_USEC 1000000ULL
/* ISO 8601 with microseconds and the UTC offset, as Suricata writes:
 * 2024-01-02T03:04:05.123456+0000 */
#define CN_TIME_STRLEN 40
CN_API int cn_time_format(cn_time_t t, char out[CN_TIME_STRLEN]);
CN_API cn_time_t cn_time_now(void); /* wall clock, for stats intervals and throughput */
CN_API uint64_t cn_monotonic_ns(void);

/* ---- hashing: a fast seeded hash for tables (not cryptographic) ---- */
CN_API uint64_t cn_hash_bytes(const void *data, size_t len, uint64_t seed);
static inline uint64_t cn_hash_mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

/* ---- sizes and durations in config values: "64mb", "32 MiB", "1gb", "4096" ---- */
CN_API int cn_parse_size(const char *s, uint64_t *out);
CN_API int cn_parse_bool(const char *s, bool *out); /* yes/no/true/false/on/off/1/0 */
CN_API int cn_parse_u64(const char *s, uint64_t *out);

/* ---- hex digits in rules, datasets and keys ---- */
static inline int cn_hex_digit(int c) /* 0..15, or -1 if c is not a hex digit */
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}
/* Decodes exactly 2*outlen hex digits from s into out; false on any non-hex digit. */
CN_API bool cn_hex_decode(const char *s, uint8_t *out, size_t outlen);

/* ---- statistics: one array of counters per thread, summed (or maxed) for the stats
 * record. The counter list is the X-macro stats.def, which pulls in each stage's list. ---- */
enum cn_stat_kind { CN_STAT_SUM, CN_STAT_MAX };
enum cn_stat_id {
#define CN_STAT(id, path, kind) CN_STAT_##id,
#include "core/stats.def"
#undef CN_STAT
    CN_STAT__COUNT
};
struct cn_stat_desc {
    const char *path; /* dotted key inside the stats record, e.g. "decoder.ipv4" */
    enum cn_stat_kind kind;
};
CN_API extern const struct cn_stat_desc cn_stat_descs[CN_STAT__COUNT];
struct cn_stats {
    uint64_t v[CN_STAT__COUNT];
};
static inline void cn_stat_add(struct cn_stats *s, enum cn_stat_id id, uint64_t n)
{
    s->v[id] += n;
}
static inline void cn_stat_max(struct cn_stats *s, enum cn_stat_id id, uint64_t n)
{
    if (n > s->v[id])
        s->v[id] = n;
}
/* Folds src into dst following each counter's kind. */
CN_API void cn_stats_merge(struct cn_stats *dst, const struct cn_stats *src);

/* ---- anomaly events: Suricata's names, one list (events.def) built from each stage's ---- */
enum cn_event_layer { CN_EVL_DECODE, CN_EVL_STREAM, CN_EVL_APPLAYER };
enum cn_event_id {
    CN_EV_NONE = 0,
#define CN_DECODER_EVENT(id, name)          CN_EV_##id,
#define CN_DECODER_EVENT_AS(id, name, stat) CN_EV_##id,
#define CN_STREAM_EVENT(id, name)           CN_EV_##id,
#define CN_APPLAYER_EVENT(id, name)         CN_EV_##id,
#include "core/events.def"
#undef CN_DECODER_EVENT
#undef CN_DECODER_EVENT_AS
#undef CN_STREAM_EVENT
#undef CN_APPLAYER_EVENT
    CN_EV__COUNT
};
struct cn_event_desc {
    const char *name; /* e.g. "decoder.ipv4.trunc_pkt" */
    enum cn_event_layer layer;
    enum cn_stat_id counter; /* the decoder.event.* counter it bumps; CN_STAT__COUNT: none */
};
CN_API extern const struct cn_event_desc cn_event_descs[CN_EV__COUNT];
CN_API int cn_event_by_name(const char *name); /* CN_EV_NONE when unknown */

/* ---- configuration: a YAML tree (Suricata's layout), with include:, --set overrides and
 * typed getters whose errors name the key path ---- */
struct cn_conf; /* a node: scalar, map or sequence */
/* Loads a YAML file. On failure returns NULL and writes "file:line: reason" into err. */
CN_API struct cn_conf *cn_conf_load(const char *path, char *err, size_t errlen);
CN_API struct cn_conf *cn_conf_new(void); /* an empty map */
CN_API void cn_conf_free(struct cn_conf *root);
/* Applies "a.b.c=value"; a numeric component indexes a sequence. */
CN_API int cn_conf_set(struct cn_conf *root, const char *assignment, char *err, size_t errlen);
/* Finds a node by dotted path ("stream.reassembly.depth"); NULL when absent. */
CN_API struct cn_conf *cn_conf_find(struct cn_conf *root, const char *path);
CN_API const char *cn_conf_value(const struct cn_conf *node); /* NULL unless scalar */
CN_API const char *cn_conf_name(const struct cn_conf *node);  /* key in the parent map */
CN_API bool cn_conf_is_seq(const struct cn_conf *node);
CN_API bool cn_conf_is_map(const struct cn_conf *node);
CN_API struct cn_conf *cn_conf_first(struct cn_conf *node); /* first child */
CN_API struct cn_conf *cn_conf_next(struct cn_conf *node);  /* next sibling */
CN_API const char *cn_conf_file(const struct cn_conf *node);
CN_API int cn_conf_line(const struct cn_conf *node);
/* Typed getters: an absent key leaves *out = def and returns 0; a present key of the wrong
 * form returns -CN_EINVAL and writes "key: expected <what>, got '<value>' (file:line)". */
CN_API int cn_conf_get_bool(struct cn_conf *root, const char *path, bool def, bool *out, char *err,
                            size_t errlen);
CN_API int cn_conf_get_u64(struct cn_conf *root, const char *path, uint64_t def, uint64_t *out,
                           char *err, size_t errlen);
CN_API int cn_conf_get_size(struct cn_conf *root, const char *path, uint64_t def, uint64_t *out,
                            char *err, size_t errlen);
CN_API const char *cn_conf_get_str(struct cn_conf *root, const char *path, const char *def);

#endif
