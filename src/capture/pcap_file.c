/* capture/pcap_file: `-r FILE` and `-r DIR`. A file is read through libpcap (classic pcap and
 * pcapng); a folder is every regular file in it that libpcap opens as a capture, ordered by
 * the timestamp of its first packet (ties by name) and read one after another as a single
 * stream whose pcap_cnt keeps counting across files.
 *
 * The hot path is one pcap_next_ex() call: frames point into libpcap's buffer (no copy), no
 * system call is added, and a 1 MiB stdio buffer makes libpcap's own reads rare. To say where
 * a broken file breaks, the start of each record is tracked: for classic pcap by arithmetic
 * (file header, then record header + caplen per record), for pcapng with ftello(), which
 * costs no system call because the stream's offset is made known to stdio (an explicit seek)
 * before libpcap starts reading. A pipe (`-r /dev/stdin`) works too; its offsets are known
 * for classic pcap only.
 *
 * A single classic-pcap file (the common case, and the benchmark's) is additionally mapped
 * into memory once libpcap has opened and checked it: well-formed records are then walked in
 * place, so a frame costs no copy, and frames stay valid until the capture is closed (the run
 * modes batch them without copying). libpcap still reads the header, compiles the filter
 * (applied with pcap_offline_filter()) and handles anything unusual: at the first record the
 * walk does not take as it is (longer than the snapshot length, cut short by the end of the
 * file), the stream is positioned at that record and libpcap reads from there on, with its own
 * checks and messages. Pages already read are dropped from the mapping as the walk goes on, so
 * the mapping adds at most MAP_KEEP bytes to the resident size. The file must not shrink while
 * it is read (the mapping would fault). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "capture/capture_int.h"

/* First four bytes of a capture file, read as a little-endian number. Classic pcap
 * (draft-ietf-opsawg-pcap section 4) in either byte order, microsecond or nanosecond
 * resolution, plus Kuznetzov's patched variant with 24-byte record headers; pcapng opens
 * with the Section Header Block type (draft-ietf-opsawg-pcapng section 4.1), which reads the
 * same in both byte orders. */
#define MAGIC_USEC    0xa1b2c3d4u
#define MAGIC_NSEC    0xa1b23c4du
#define MAGIC_PATCHED 0xa1b2cd34u
#define MAGIC_PCAPNG  0x0a0d0d0au

/* stdio's default buffer is one 4 KiB block: reading a capture would cost a read() every
 * few dozen packets. One large buffer per handle, reused for every file of a folder. */
#define IOBUF_SIZE (1u << 20)

/* The mapped walk keeps the last MAP_KEEP bytes before its position mapped (consumers of
 * batched frames lag behind the reader by a few MiB at most; a page dropped too early is
 * simply read again) and drops older pages in steps of MAP_STEP. */
#define MAP_KEEP (16u << 20)
#define MAP_STEP (4u << 20)
/* Workers sharing the walk stay within MAP_LEAD bytes of the slowest one. */
#define MAP_LEAD (32u << 20)
/* Cache lines are prefetched this far ahead of the walk. */
#define MAP_AHEAD (8u << 10)

enum file_format { FMT_UNKNOWN, FMT_PCAP, FMT_PCAPNG };

enum open_status {
    OPEN_OK,
    OPEN_UNREADABLE,  /* could not open or read the file */
    OPEN_NOT_CAPTURE, /* no capture magic: in a folder, simply not ours */
    OPEN_BROKEN,      /* capture magic, but libpcap rejects the header */
    OPEN_BAD_LINK,    /* a link type decode does not handle */
    OPEN_BAD_FILTER,  /* the BPF filter does not compile for this file */
};

struct file_entry {
    char *path;
    cn_time_t first_ts; /* of its first packet; 0 when it has none */
};

struct file_src {
    struct cn_capture base;
    pcap_t *h;        /* the file being read; NULL between files */
    FILE *fp;         /* h's stream, owned by h */
    const char *path; /* of the file being read */
    uint64_t cnt;     /* frames returned so far, over all files */
    int linktype;
    uint32_t snap; /* the file's snapshot length */
    /* record offsets: when arith, next_off is where the next record starts and each record
     * is rec_hdr + caplen bytes; otherwise ftello() tells */
    bool arith;
    bool learn;    /* classic pcap whose record header size is not confirmed yet */
    bool seekable; /* false for a pipe: offsets only by arithmetic, if at all */
    uint32_t rec_hdr;
    int64_t next_off;
    /* the mapped walk (a single classic-pcap file): map is NULL when libpcap reads */
    const uint8_t *map;
    size_t map_len; /* the file's size when it was opened */
    void *map_base; /* the mapping, kept until close so handed-out frames stay valid */
    size_t map_size;
    struct cn_capture_cursor own; /* the walk of cn_capture_next() */
    /* every walker's position (the own one, or each worker's when shared), a cache line
     * apart; a walker that has stopped reads SIZE_MAX */
    unsigned nwalkers;
    struct {
        _Atomic size_t pos;
        char pad[64 - sizeof(size_t)];
    } walkers[CN_CAPTURE_MAX_WALKERS];
    _Atomic size_t map_freed; /* pages below this offset have been dropped from the mapping */
    bool map_swap;            /* records are in the other byte order */
    bool map_nsec;            /* timestamps in nanoseconds */
    bool have_prog;           /* prog holds the compiled filter for the walk */
    struct bpf_program prog;
    char *bpf;   /* a copy of the filter, NULL for none */
    char *iobuf; /* IOBUF_SIZE bytes, the stdio buffer of the open file */
    bool dir;
    struct file_entry *files;
    size_t nfiles, nalloc, cur;
};

static uint32_t load_le32(const uint8_t b[4])
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static enum file_format sniff_format(const uint8_t m[4], uint32_t *rec_hdr)
{
    uint32_t le = load_le32(m);
    uint32_t be = __builtin_bswap32(le);
    *rec_hdr = 16;
    if (le == MAGIC_PATCHED || be == MAGIC_PATCHED) {
        *rec_hdr = 24;
        return FMT_PCAP;
    }
    if (le == MAGIC_USEC || be == MAGIC_USEC || le == MAGIC_NSEC || be == MAGIC_NSEC)
        return FMT_PCAP;
    if (le == MAGIC_PCAPNG)
        return FMT_PCAPNG;
    return FMT_UNKNOWN;
}

static void close_current(struct file_src *s)
{
    if (s->h) {
        pcap_close(s->h); /* closes fp too */
        s->h = NULL;
        s->fp = NULL;
    }
}

/* Opens path as the current file. The filter is compiled whenever one is set (so a bad one
 * is caught while probing a folder) but installed only when apply is true. */
static enum open_status open_one(struct file_src *s, const char *path, bool apply, char *err,
                                 size_t errlen)
{
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    uint8_t m[4] = {0};
    enum open_status st = OPEN_OK;

    FILE *fp = fopen(path, "rb");
    if (!fp) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return OPEN_UNREADABLE;
    }
    setvbuf(fp, s->iobuf, _IOFBF, IOBUF_SIZE);
    posix_fadvise(fileno(fp), 0, 0, POSIX_FADV_SEQUENTIAL);
    /* The magic is peeked with pread() so the stream's buffer is not filled twice. A pipe
     * (`-r /dev/stdin`) cannot be peeked; libpcap tells its format after the open. */
    bool seekable = true;
    ssize_t got = pread(fileno(fp), m, sizeof(m), 0);
    if (got < 0 && errno == ESPIPE) {
        seekable = false;
        got = 0;
    } else if (got < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        st = OPEN_UNREADABLE;
        goto out_fclose;
    }
    /* An explicit seek tells stdio the stream offset, which keeps ftello() free of lseek(). */
    if (seekable && fseeko(fp, 0, SEEK_SET) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        st = OPEN_UNREADABLE;
        goto out_fclose;
    }
    uint32_t rec_hdr = 16;
    enum file_format fmt = got == (ssize_t)sizeof(m) ? sniff_format(m, &rec_hdr) : FMT_UNKNOWN;

    pcap_t *h = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_MICRO, ebuf);
    if (!h) {
        snprintf(err, errlen, "%s: %s", path, ebuf[0] ? ebuf : "not a capture file");
        st = fmt == FMT_UNKNOWN ? OPEN_NOT_CAPTURE : OPEN_BROKEN;
        goto out_fclose;
    }
    int lt = pcap_datalink(h);
    if (!cn_decode_linktype_supported(lt)) {
        const char *name = pcap_datalink_val_to_name(lt);
        snprintf(err, errlen, "%s: unsupported link type %s (%d)", path, name ? name : "unknown",
                 lt);
        st = OPEN_BAD_LINK;
        goto out_pclose;
    }
    if (s->bpf) {
        struct bpf_program prog;
        if (pcap_compile(h, &prog, s->bpf, 1, PCAP_NETMASK_UNKNOWN) != 0) {
            snprintf(err, errlen, "%s: bpf filter '%s': %s", path, s->bpf, pcap_geterr(h));
            st = OPEN_BAD_FILTER;
            goto out_pclose;
        }
        int rc = apply ? pcap_setfilter(h, &prog) : 0;
        pcap_freecode(&prog);
        if (rc != 0) {
            snprintf(err, errlen, "%s: bpf filter '%s': %s", path, s->bpf, pcap_geterr(h));
            st = OPEN_BAD_FILTER;
            goto out_pclose;
        }
    }

    s->h = h;
    s->fp = fp;
    s->path = path;
    s->linktype = lt;
    s->snap = (uint32_t)pcap_snapshot(h);
    s->rec_hdr = rec_hdr;
    s->seekable = seekable;
    s->learn = seekable && fmt == FMT_PCAP;
    s->arith = false;
    s->next_off = 0;
    if (!seekable && pcap_major_version(h) == 2) {
        /* classic pcap from a pipe: assume the common 16-byte record header */
        s->arith = true;
        s->next_off = 24;
    }
    return OPEN_OK;

out_pclose:
    pcap_close(h);
    return st;
out_fclose:
    fclose(fp);
    return st;
}

/* Classic pcap: the first record shows the real record header size (the magic says 16 or
 * 24, but variants exist); once it matches, offsets are kept by arithmetic. */
static void learn_layout(struct file_src *s, int64_t start, uint32_t caplen)
{
    if (caplen >= s->snap)
        return; /* possibly cut by libpcap: try the next record */
    s->learn = false;
    int64_t end = ftello(s->fp);
    if (start < 0 || end < 0)
        return;
    if (end - start == (int64_t)s->rec_hdr + caplen) {
        s->arith = true;
        s->next_off = end;
    }
}

/* ---- the mapped walk ---- */

static uint32_t map_u32(const struct file_src *s, const uint8_t *b)
{
    uint32_t v = load_le32(b);
    return s->map_swap ? __builtin_bswap32(v) : v;
}

static void cursor_start(struct file_src *s, struct cn_capture_cursor *cur, unsigned index,
                         size_t off, uint64_t cnt)
{
    memset(cur, 0, sizeof(*cur));
    cur->src = s;
    cur->index = index;
    cur->off = off;
    cur->cnt = cnt;
    cur->mark = off;
    atomic_store(&s->walkers[index].pos, off);
}

/* Maps the file libpcap has just opened when the walk can read it: one classic-pcap file
 * with 16-byte record headers in a known byte order. Otherwise libpcap reads, as before. */
static void map_try(struct file_src *s)
{
    struct stat st;
    int fd = fileno(s->fp);
    if (s->dir || !s->learn || s->rec_hdr != 16 || pcap_major_version(s->h) != 2 ||
        fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 24 ||
        (uint64_t)st.st_size > SIZE_MAX / 2)
        return;
    size_t size = (size_t)st.st_size;
    void *base = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (base == MAP_FAILED)
        return; /* libpcap reads it */
    madvise(base, size, MADV_SEQUENTIAL);
    uint32_t m = load_le32(base);
    bool known = true;
    if (m == MAGIC_USEC || m == MAGIC_NSEC) {
        s->map_swap = false;
        s->map_nsec = m == MAGIC_NSEC;
    } else if (__builtin_bswap32(m) == MAGIC_USEC || __builtin_bswap32(m) == MAGIC_NSEC) {
        s->map_swap = true;
        s->map_nsec = __builtin_bswap32(m) == MAGIC_NSEC;
    } else {
        known = false;
    }
    if (s->bpf && known) {
        if (pcap_compile(s->h, &s->prog, s->bpf, 1, PCAP_NETMASK_UNKNOWN) != 0)
            known = false;
        else
            s->have_prog = true;
    }
    if (!known) {
        munmap(base, size);
        return;
    }
    s->map_base = base;
    s->map_size = size;
    s->map = base;
    s->map_len = size;
    s->nwalkers = 1;
    atomic_store(&s->map_freed, 0);
    cursor_start(s, &s->own, 0, 24, 0);
}

/* Lowest position of the walkers still walking. */
static size_t walkers_low(const struct file_src *s)
{
    size_t low = SIZE_MAX;
    for (unsigned i = 0; i < s->nwalkers; i++) {
        size_t pos = atomic_load_explicit(&s->walkers[i].pos, memory_order_relaxed);
        low = pos < low ? pos : low;
    }
    return low;
}

/* Every MAP_STEP bytes: publishes the cursor's position, keeps it within MAP_LEAD of the
 * slowest walker (so the pages kept mapped stay bounded when workers share the file) and
 * drops the pages every walker has left MAP_KEEP bytes behind. (Mapping the pages ahead with
 * MADV_POPULATE_READ was tried: on the reference VM it blocked, 3x slower.) */
static void map_release(struct file_src *s, struct cn_capture_cursor *cur)
{
    if (CN_LIKELY(cur->off < cur->mark))
        return;
    cur->mark = cur->off + MAP_STEP;
    atomic_store_explicit(&s->walkers[cur->index].pos, cur->off, memory_order_relaxed);
    size_t low = walkers_low(s);
    while (cur->off - low > MAP_LEAD) {
        struct timespec nap = {0, 50 * 1000};
        nanosleep(&nap, NULL);
        low = walkers_low(s);
    }
    if (low < MAP_KEEP + MAP_STEP)
        return;
    size_t upto = (low - MAP_KEEP) & ~((size_t)MAP_STEP - 1);
    size_t freed = atomic_load(&s->map_freed);
    if (upto > freed && atomic_compare_exchange_strong(&s->map_freed, &freed, upto))
        madvise((char *)s->map_base + freed, upto - freed, MADV_DONTNEED);
}

/* Each record's offset depends on the previous record's length, so walking record headers is
 * a chain of dependent cache misses that the CPU cannot run ahead of. Prefetching the file's
 * cache lines MAP_AHEAD bytes in front of the walk turns it into a stream. */
static void map_prefetch(const struct file_src *s, struct cn_capture_cursor *cur)
{
    size_t want = cur->off + MAP_AHEAD;
    if (want > s->map_len)
        want = s->map_len;
    size_t at = cur->ahead > cur->off ? cur->ahead : cur->off & ~(size_t)63;
    for (; at < want; at += 64) {
        /* a prefetch into a page not mapped yet is dropped: a real load maps it (and, by the
         * kernel's fault-around, its neighbours) before its lines are wanted */
        if ((at & 4095) == 0)
            (void)*(volatile const uint8_t *)(s->map + at);
        else
            __builtin_prefetch(s->map + at);
    }
    cur->ahead = at;
}

/* The next record of the mapped file: 0 with f filled, 1 at the end of the file, or -1 when
 * libpcap must take over at cur->off. */
static int map_next(struct file_src *s, struct cn_capture_cursor *cur, struct cn_frame *f)
{
    for (;;) {
        size_t off = cur->off;
        if (off == s->map_len)
            return 1;
        if (s->map_len - off < 16)
            return -1;
        const uint8_t *h = s->map + off;
        uint32_t caplen = map_u32(s, h + 8);
        if (caplen > s->snap || s->map_len - off - 16 < caplen)
            return -1;
        uint32_t len = map_u32(s, h + 12);
        cur->off = off + 16 + caplen;
        map_prefetch(s, cur);
        map_release(s, cur);
        if (s->have_prog) {
            struct pcap_pkthdr ph = {.caplen = caplen, .len = len};
            if (!pcap_offline_filter(&s->prog, &ph, h + 16))
                continue;
        }
        uint32_t frac = map_u32(s, h + 4);
        f->data = h + 16;
        f->caplen = caplen;
        f->wirelen = len;
        f->ts = (cn_time_t)map_u32(s, h) * CN_USEC + (s->map_nsec ? frac / 1000 : frac);
        f->linktype = s->linktype;
        f->pcap_cnt = ++cur->cnt;
        f->stable = true;
        return 0;
    }
}

/* Hands the rest of the file to libpcap, starting at the record the walk stopped at. */
static int map_handover(struct file_src *s)
{
    size_t off = s->own.off;
    s->map = NULL;
    s->cnt = s->own.cnt;
    if (fseeko(s->fp, (off_t)off, SEEK_SET) != 0) {
        cn_capture_set_error(&s->base, "%s: %s at byte %zu", s->path, strerror(errno), off);
        return -CN_EIO;
    }
    s->learn = false;
    s->arith = true;
    s->next_off = (int64_t)off;
    return 0;
}

/* ---- shared walks (capture.h) ---- */

static unsigned file_share(struct cn_capture *c, unsigned n)
{
    struct file_src *s = CN_CAPTURE_SELF(c, struct file_src, base);
    if (!s->map || n < 2 || n > CN_CAPTURE_MAX_WALKERS)
        return 0;
    s->nwalkers = n;
    for (unsigned i = 0; i < n; i++)
        atomic_store(&s->walkers[i].pos, s->own.off);
    return n;
}

static void file_cursor(struct cn_capture *c, struct cn_capture_cursor *cur, unsigned index)
{
    struct file_src *s = CN_CAPTURE_SELF(c, struct file_src, base);
    cursor_start(s, cur, index, s->own.off, s->own.cnt);
}

static void file_unshare(struct cn_capture *c, const struct cn_capture_cursor *cur)
{
    struct file_src *s = CN_CAPTURE_SELF(c, struct file_src, base);
    s->nwalkers = 1;
    cursor_start(s, &s->own, 0, cur->off, cur->cnt);
}

int cn_capture_cursor_next(struct cn_capture_cursor *cur, struct cn_frame *f)
{
    struct file_src *s = cur->src;
    int rc = map_next(s, cur, f);
    if (CN_LIKELY(rc == 0))
        return 0;
    cn_capture_cursor_stop(cur);
    return rc == 1 ? -CN_EEOF : -CN_EAGAIN;
}

void cn_capture_cursor_stop(struct cn_capture_cursor *cur)
{
    struct file_src *s = cur->src;
    atomic_store(&s->walkers[cur->index].pos, SIZE_MAX);
}

/* Moves to the next file of the list; -CN_EEOF when there is none. */
static int advance(struct file_src *s)
{
    char msg[CN_CAPTURE_ERRLEN];
    close_current(s);
    while (s->cur < s->nfiles) {
        const char *path = s->files[s->cur++].path;
        enum open_status st = open_one(s, path, true, msg, sizeof(msg));
        if (st == OPEN_OK)
            return 0;
        /* the file changed since the folder was scanned */
        cn_capture_set_error(&s->base, "%s", msg);
        cn_warn("%s, skipped", msg);
    }
    return -CN_EEOF;
}

static int file_next(struct cn_capture *c, struct cn_frame *f)
{
    struct file_src *s = CN_CAPTURE_SELF(c, struct file_src, base);
    struct pcap_pkthdr *hdr;
    const u_char *data;

    for (;;) {
        if (CN_UNLIKELY(!s->h)) {
            int rc = advance(s);
            if (rc)
                return rc;
        }
        if (s->map) {
            int rc = map_next(s, &s->own, f);
            if (CN_LIKELY(rc == 0))
                return 0;
            if (rc == 1) {
                s->map = NULL;
                close_current(s);
                continue;
            }
            if ((rc = map_handover(s)) != 0) {
                close_current(s);
                return rc;
            }
        }
        int64_t start = s->arith ? s->next_off : s->seekable ? ftello(s->fp) : -1;
        int rc = pcap_next_ex(s->h, &hdr, &data);
        if (CN_LIKELY(rc == 1)) {
            if (CN_LIKELY(s->arith)) {
                s->next_off += s->rec_hdr + hdr->caplen;
                /* libpcap cuts records longer than the snapshot length and skips the rest */
                if (CN_UNLIKELY(hdr->caplen >= s->snap)) {
                    s->next_off = s->seekable ? ftello(s->fp) : -1;
                    s->arith = s->next_off >= 0;
                }
            } else if (s->learn) {
                learn_layout(s, start, hdr->caplen);
            }
            f->data = data;
            f->caplen = hdr->caplen;
            f->wirelen = hdr->len;
            f->ts = hdr->ts.tv_sec < 0
                        ? 0
                        : (cn_time_t)hdr->ts.tv_sec * CN_USEC + (cn_time_t)hdr->ts.tv_usec;
            f->linktype = s->linktype;
            f->pcap_cnt = ++s->cnt;
            f->stable = false;
            return 0;
        }
        if (rc == PCAP_ERROR_BREAK) { /* clean end of this file */
            close_current(s);
            continue;
        }
        /* A short or corrupt record: say where it starts. */
        int code = ferror(s->fp) ? -CN_EIO : -CN_ETRUNC;
        if (start >= 0)
            cn_capture_set_error(c, "%s: %s at byte %lld", s->path, pcap_geterr(s->h),
                                 (long long)start);
        else
            cn_capture_set_error(c, "%s: %s", s->path, pcap_geterr(s->h));
        close_current(s);
        if (!s->dir)
            return code;
        cn_err("%s", c->err);
    }
}

static int add_entry(struct file_src *s, char *path, cn_time_t first_ts)
{
    if (s->nfiles == s->nalloc) {
        size_t n = s->nalloc ? s->nalloc * 2 : 16;
        struct file_entry *nf = cn_realloc(s->files, n * sizeof(*nf));
        if (!nf)
            return -CN_ENOMEM;
        s->files = nf;
        s->nalloc = n;
    }
    s->files[s->nfiles].path = path;
    s->files[s->nfiles].first_ts = first_ts;
    s->nfiles++;
    return 0;
}

static int cmp_entry(const void *a, const void *b)
{
    const struct file_entry *x = a, *y = b;
    if (x->first_ts != y->first_ts)
        return x->first_ts < y->first_ts ? -1 : 1;
    return strcmp(x->path, y->path);
}

static char *join_path(const char *dir, const char *name)
{
    size_t dl = strlen(dir), nl = strlen(name);
    bool slash = dl > 0 && dir[dl - 1] == '/';
    char *p = cn_malloc(dl + !slash + nl + 1);
    if (!p)
        return NULL;
    memcpy(p, dir, dl);
    if (!slash)
        p[dl++] = '/';
    memcpy(p + dl, name, nl + 1);
    return p;
}

/* Probes every regular file of the folder and lists the captures in reading order. Files
 * that are not captures are skipped with a warning; unreadable or broken ones also mark the
 * run as failed. A filter that does not compile fails the whole open. */
static int scan_dir(struct file_src *s, const char *dirpath, char *err, size_t errlen)
{
    char msg[CN_CAPTURE_ERRLEN];
    int rc = 0;
    DIR *d = opendir(dirpath);
    if (!d) {
        snprintf(err, errlen, "%s: %s", dirpath, strerror(errno));
        return -CN_EIO;
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        char *path = join_path(dirpath, de->d_name);
        if (!path) {
            snprintf(err, errlen, "%s: out of memory", dirpath);
            rc = -CN_ENOMEM;
            goto out_closedir;
        }
        struct stat st;
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
            cn_free(path);
            continue;
        }
        /* Probe without the filter: the first packet orders the files, and a filter that
         * matches nothing would otherwise read the whole file here. */
        enum open_status os = open_one(s, path, false, msg, sizeof(msg));
        if (os == OPEN_BAD_FILTER) {
            snprintf(err, errlen, "%s", msg);
            cn_free(path);
            rc = -CN_EINVAL;
            goto out_closedir;
        }
        if (os != OPEN_OK) {
            if (os != OPEN_NOT_CAPTURE)
                cn_capture_set_error(&s->base, "%s", msg);
            cn_warn("%s, skipped", msg);
            cn_free(path);
            continue;
        }
        struct pcap_pkthdr *hdr;
        const u_char *data;
        cn_time_t first = 0;
        if (pcap_next_ex(s->h, &hdr, &data) == 1 && hdr->ts.tv_sec >= 0)
            first = (cn_time_t)hdr->ts.tv_sec * CN_USEC + (cn_time_t)hdr->ts.tv_usec;
        close_current(s);
        if (add_entry(s, path, first) != 0) {
            cn_free(path);
            snprintf(err, errlen, "%s: out of memory", dirpath);
            rc = -CN_ENOMEM;
            goto out_closedir;
        }
    }
    if (s->nfiles == 0) {
        snprintf(err, errlen, "%s: no capture files in the folder", dirpath);
        rc = -CN_ENOENT;
        goto out_closedir;
    }
    qsort(s->files, s->nfiles, sizeof(s->files[0]), cmp_entry);
out_closedir:
    closedir(d);
    return rc;
}

static void file_free(struct file_src *s)
{
    close_current(s);
    for (size_t i = 0; i < s->nfiles; i++)
        cn_free(s->files[i].path);
    cn_free(s->files);
    if (s->map_base)
        munmap(s->map_base, s->map_size);
    if (s->have_prog)
        pcap_freecode(&s->prog);
    cn_free(s->bpf);
    cn_free(s->iobuf);
    cn_free(s);
}

static struct cn_capture *file_open(const struct cn_capture_config *cfg, int worker, char *err,
                                    size_t errlen)
{
    (void)worker;
    struct file_src *s = cn_calloc(1, sizeof(*s));
    if (!s) {
        snprintf(err, errlen, "%s: out of memory", cfg->source);
        return NULL;
    }
    if (cfg->bpf && cfg->bpf[0] && !(s->bpf = cn_strdup(cfg->bpf)))
        goto out_nomem;
    s->iobuf = cn_malloc(IOBUF_SIZE);
    if (!s->iobuf)
        goto out_nomem;

    struct stat st;
    if (stat(cfg->source, &st) != 0) {
        snprintf(err, errlen, "%s: %s", cfg->source, strerror(errno));
        goto out_free;
    }
    if (S_ISDIR(st.st_mode)) {
        s->dir = true;
        if (scan_dir(s, cfg->source, err, errlen) != 0)
            goto out_free;
        return &s->base;
    }
    char *path = cn_strdup(cfg->source);
    if (!path)
        goto out_nomem;
    if (add_entry(s, path, 0) != 0) {
        cn_free(path);
        goto out_nomem;
    }
    if (open_one(s, path, true, err, errlen) != OPEN_OK)
        goto out_free;
    map_try(s);
    s->cur = 1;
    return &s->base;

out_nomem:
    snprintf(err, errlen, "%s: out of memory", cfg->source);
out_free:
    file_free(s);
    return NULL;
}

static void file_close(struct cn_capture *c)
{
    file_free(CN_CAPTURE_SELF(c, struct file_src, base));
}

const struct cn_capture_ops cn_capture_pcap_file_ops = {
    .name = "pcap-file",
    .open = file_open,
    .next = file_next,
    .share = file_share,
    .cursor = file_cursor,
    .unshare = file_unshare,
    .close = file_close,
};
