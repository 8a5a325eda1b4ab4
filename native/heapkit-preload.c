/*
 * heapkit-preload.c — an LD_PRELOAD library that logs every malloc-family call of a program.
 * Built on first use by `heapkit record` (src/node/record/); exports the interposed malloc family.
 *
 * Each process image appends text lines (numbers in lower-case hex, no 0x) to
 * $HEAPKIT_RECORD_DIR/heapkit.<pid>.log:
 *
 *   P <pid> <ppid>            a process image starts (after exec or fork): its heap is new
 *   m <size> <ret>            malloc
 *   c <nmemb> <size> <ret>    calloc
 *   r <old> <size> <ret>      realloc (and reallocarray, with size = nmemb * size)
 *   A <align> <size> <ret>    memalign, posix_memalign, aligned_alloc, valloc, pvalloc
 *   f <ptr>                   free
 *
 * Every call runs the real function and logs it under one lock, so the log order is an order the
 * calls really happened in (a free is logged before another thread can get the same address back).
 * Calls made while a hook is already running on this thread (the real allocator or dlsym calling
 * back into us) go straight to the real function and are not logged. Nothing here calls malloc:
 * numbers are formatted by hand and written with write(2) from a static buffer.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef void *(*malloc_fn)(size_t);
typedef void *(*calloc_fn)(size_t, size_t);
typedef void *(*realloc_fn)(void *, size_t);
typedef void (*free_fn)(void *);
typedef void *(*memalign_fn)(size_t, size_t);
typedef int (*posix_memalign_fn)(void **, size_t, size_t);
typedef void *(*valloc_fn)(size_t);

static malloc_fn real_malloc;
static calloc_fn real_calloc;
static realloc_fn real_realloc;
static free_fn real_free;
static memalign_fn real_memalign;
static posix_memalign_fn real_posix_memalign;
static memalign_fn real_aligned_alloc;
static valloc_fn real_valloc;
static valloc_fn real_pvalloc;

/* Set while this thread is inside a hook: nested calls are the allocator's own, not the program's. */
static __thread int in_hook __attribute__((tls_model("initial-exec")));
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static int log_fd = -1;
static int resolving;

/* dlsym may call calloc before real_calloc is known: serve those from a small static arena. */
static char boot_arena[16384] __attribute__((aligned(16)));
static size_t boot_used;

static int in_boot(const void *p) {
  return (const char *)p >= boot_arena && (const char *)p < boot_arena + sizeof boot_arena;
}

static void *boot_alloc(size_t n) {
  size_t start = (boot_used + 15) & ~(size_t)15;
  if (start + n > sizeof boot_arena) return NULL;
  boot_used = start + n;
  return boot_arena + start;
}

/* ---- log buffer ---- */
static char buf[1 << 16];
static size_t buf_len;

static void flush_log(void) {
  size_t off = 0;
  while (log_fd >= 0 && off < buf_len) {
    ssize_t w = write(log_fd, buf + off, buf_len - off);
    if (w < 0) {
      if (errno == EINTR) continue;
      break;
    }
    off += (size_t)w;
  }
  buf_len = 0;
}

static void put_char(char c) {
  if (buf_len == sizeof buf) flush_log();
  buf[buf_len++] = c;
}

static void put_hex(uint64_t v) {
  char tmp[16];
  int n = 0;
  do {
    tmp[n++] = "0123456789abcdef"[v & 15];
    v >>= 4;
  } while (v);
  put_char(' ');
  while (n) put_char(tmp[--n]);
}

static void put_dec_str(char *out, uint64_t v) {
  char tmp[24];
  int n = 0;
  do {
    tmp[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  while (n) *out++ = tmp[--n];
  *out = 0;
}

static void log_rec(char op, int argc, uint64_t a, uint64_t b, uint64_t c) {
  if (log_fd < 0) return;
  put_char(op);
  if (argc > 0) put_hex(a);
  if (argc > 1) put_hex(b);
  if (argc > 2) put_hex(c);
  put_char('\n');
}

/* Opens this process's log file and writes its start line. Called with log_lock held (or before threads). */
static void open_log(void) {
  const char *dir = getenv("HEAPKIT_RECORD_DIR");
  log_fd = -1;
  buf_len = 0;
  if (!dir) return;
  size_t dl = strlen(dir);
  char path[4096];
  if (dl + 40 > sizeof path) return;
  memcpy(path, dir, dl);
  memcpy(path + dl, "/heapkit.", 9);
  put_dec_str(path + dl + 9, (uint64_t)getpid());
  strcat(path, ".log");
  log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  log_rec('P', 2, (uint64_t)getpid(), (uint64_t)getppid(), 0);
}

static void resolve(void) {
  if (real_malloc || resolving) return;
  resolving = 1;
  real_calloc = (calloc_fn)dlsym(RTLD_NEXT, "calloc");
  real_malloc = (malloc_fn)dlsym(RTLD_NEXT, "malloc");
  real_realloc = (realloc_fn)dlsym(RTLD_NEXT, "realloc");
  real_free = (free_fn)dlsym(RTLD_NEXT, "free");
  real_memalign = (memalign_fn)dlsym(RTLD_NEXT, "memalign");
  real_posix_memalign = (posix_memalign_fn)dlsym(RTLD_NEXT, "posix_memalign");
  real_aligned_alloc = (memalign_fn)dlsym(RTLD_NEXT, "aligned_alloc");
  real_valloc = (valloc_fn)dlsym(RTLD_NEXT, "valloc");
  real_pvalloc = (valloc_fn)dlsym(RTLD_NEXT, "pvalloc");
  resolving = 0;
}

static void atfork_prepare(void) { pthread_mutex_lock(&log_lock); flush_log(); }
static void atfork_parent(void) { pthread_mutex_unlock(&log_lock); }
static void atfork_child(void) {
  pthread_mutex_init(&log_lock, NULL);
  if (log_fd >= 0) close(log_fd);
  open_log();
}

__attribute__((constructor)) static void heapkit_init(void) {
  in_hook = 1;
  resolve();
  pthread_mutex_lock(&log_lock);
  open_log();
  pthread_mutex_unlock(&log_lock);
  pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
  in_hook = 0;
}

__attribute__((destructor)) static void heapkit_fini(void) {
  pthread_mutex_lock(&log_lock);
  flush_log();
  if (log_fd >= 0) close(log_fd);
  log_fd = -1;
  pthread_mutex_unlock(&log_lock);
}

/* Enter/leave a logged call: the lock orders the log; in_hook sends nested calls straight through. */
#define ENTER() do { in_hook = 1; pthread_mutex_lock(&log_lock); } while (0)
#define LEAVE() do { pthread_mutex_unlock(&log_lock); in_hook = 0; } while (0)

void *malloc(size_t n) {
  if (!real_malloc) { resolve(); if (!real_malloc) return boot_alloc(n); }
  if (in_hook) return real_malloc(n);
  ENTER();
  void *p = real_malloc(n);
  log_rec('m', 2, n, (uint64_t)(uintptr_t)p, 0);
  LEAVE();
  return p;
}

void *calloc(size_t k, size_t n) {
  if (!real_calloc) {
    resolve();
    if (!real_calloc) {
      if (n && k > (size_t)-1 / n) return NULL;
      return boot_alloc(k * n); /* static storage is zeroed */
    }
  }
  if (in_hook) return real_calloc(k, n);
  ENTER();
  void *p = real_calloc(k, n);
  log_rec('c', 3, k, n, (uint64_t)(uintptr_t)p);
  LEAVE();
  return p;
}

void *realloc(void *old, size_t n) {
  if (!real_realloc) resolve();
  if (in_boot(old)) { /* move a bootstrap block to the real heap; never logged */
    void *p = malloc(n);
    if (p) memcpy(p, old, n < sizeof boot_arena ? n : sizeof boot_arena);
    return p;
  }
  if (!real_realloc) return NULL;
  if (in_hook) return real_realloc(old, n);
  ENTER();
  void *p = real_realloc(old, n);
  log_rec('r', 3, (uint64_t)(uintptr_t)old, n, (uint64_t)(uintptr_t)p);
  LEAVE();
  return p;
}

void *reallocarray(void *old, size_t k, size_t n) {
  if (n && k > (size_t)-1 / n) { errno = ENOMEM; return NULL; }
  return realloc(old, k * n);
}

void free(void *p) {
  if (in_boot(p)) return;
  if (!real_free) resolve();
  if (!real_free) return;
  if (in_hook) { real_free(p); return; }
  ENTER();
  log_rec('f', 1, (uint64_t)(uintptr_t)p, 0, 0);
  real_free(p);
  LEAVE();
}

static void *aligned_call(memalign_fn fn, size_t a, size_t n) {
  if (!real_malloc) resolve();
  if (!fn) return NULL;
  if (in_hook) return fn(a, n);
  ENTER();
  void *p = fn(a, n);
  log_rec('A', 3, a, n, (uint64_t)(uintptr_t)p);
  LEAVE();
  return p;
}

void *memalign(size_t a, size_t n) { if (!real_memalign) resolve(); return aligned_call(real_memalign, a, n); }
void *aligned_alloc(size_t a, size_t n) { if (!real_aligned_alloc) resolve(); return aligned_call(real_aligned_alloc, a, n); }

int posix_memalign(void **out, size_t a, size_t n) {
  if (!real_posix_memalign) resolve();
  if (!real_posix_memalign) return ENOMEM;
  if (in_hook) return real_posix_memalign(out, a, n);
  ENTER();
  int rc = real_posix_memalign(out, a, n);
  log_rec('A', 3, a, n, rc == 0 ? (uint64_t)(uintptr_t)*out : 0);
  LEAVE();
  return rc;
}

static void *page_call(valloc_fn fn, size_t n) {
  if (!fn) return NULL;
  if (in_hook) return fn(n);
  ENTER();
  void *p = fn(n);
  log_rec('A', 3, (uint64_t)sysconf(_SC_PAGESIZE), n, (uint64_t)(uintptr_t)p);
  LEAVE();
  return p;
}

void *valloc(size_t n) { if (!real_valloc) resolve(); return page_call(real_valloc, n); }
void *pvalloc(size_t n) { if (!real_pvalloc) resolve(); return page_call(real_pvalloc, n); }
