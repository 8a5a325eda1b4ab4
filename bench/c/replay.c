/*
 * replay.c — replays a trace (binary form written by bench/peers.ts) through the C library's malloc,
 * with the same loop shape as the JavaScript peers: parse first, time only the replay loop, tag the
 * first and last payload byte of every block and verify them before each realloc/free.
 *
 * Usage: replay FILE RUNS   → prints one JSON line {"opsPerSec":…, "highWater":…, "errors":…, "refused":…}
 * Binary form: u32 magic 'HKTR', u32 ids, u32 ops, u8 kind[ops] (0 a, 1 r, 2 f), pad to 4,
 * i32 id[ops], f64 size[ops].
 * highWater comes from a first, untimed pass in the fresh process: peak of mallinfo2() arena + hblkhd
 * (sampled every 64 ops and after large requests) minus what the loaded trace arrays already held.
 * Built with -DHK_NULL_ALLOC it measures the harness floor instead: every block is one static scratch area
 * (no memory management; tags clash), so its time is what the loop itself costs (bench/floor.ts).
 */
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint32_t nids, nops;
static uint8_t *kind;
static int32_t *ids;
static double *sizes;
static unsigned char **ptr;
static size_t *len;
static long errors, refused;

#ifdef HK_NULL_ALLOC
static unsigned char scratch[1 << 16];
static void *hk_malloc(size_t n) { return n < sizeof scratch - 32 ? scratch + 16 : 0; }
static void *hk_realloc(void *p, size_t n) { (void)p; return hk_malloc(n); }
static void hk_free(void *p) { (void)p; }
#else
#define hk_malloc malloc
#define hk_realloc realloc
#define hk_free free
#endif

static unsigned char tag(int32_t id) { return (unsigned char)((id * 131 + 7) & 255); }

static void verify(int32_t id) {
  unsigned char *p = ptr[id];
  size_t n = len[id];
  if (p && n && (p[0] != tag(id) || p[n - 1] != tag(id))) errors++;
}

static size_t peak = 0, baseline = 0;
static int sample = 0;

static void sample_heap(void) {
  struct mallinfo2 mi = mallinfo2();
  size_t used = mi.arena + mi.hblkhd;
  used = used > baseline ? used - baseline : 0;
  if (used > peak) peak = used;
}

static void run(void) {
  for (uint32_t i = 0; i < nops; i++) {
    int32_t id = ids[i];
    uint8_t k = kind[i];
    if (k == 2) {
      verify(id);
      hk_free(ptr[id]);
      ptr[id] = 0;
      len[id] = 0;
      continue;
    }
    double d = sizes[i];
    if (d >= 4294967296.0) { /* refused, as the 32-bit heaps do */
      refused++;
      if (k == 0) { ptr[id] = 0; len[id] = 0; }
      continue;
    }
    size_t n = (size_t)d;
    unsigned char *p;
    if (k == 0) p = hk_malloc(n);
    else {
      verify(id);
      p = hk_realloc(ptr[id], n);
    }
    if (!p) {
      if (n != 0) errors++;
      if (k == 0) { ptr[id] = 0; len[id] = 0; }
      continue;
    }
    if (k == 1 && len[id] && p[0] != tag(id)) errors++;
    ptr[id] = p;
    len[id] = n;
    if (n) { p[0] = tag(id); p[n - 1] = tag(id); }
    if (sample && ((i & 63) == 0 || n >= 65536)) sample_heap();
  }
}

static void release_all(void) {
  for (uint32_t i = 0; i < nids; i++) { hk_free(ptr[i]); ptr[i] = 0; len[i] = 0; }
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  if (argc < 3) { fprintf(stderr, "usage: replay FILE RUNS\n"); return 2; }
  FILE *f = fopen(argv[1], "rb");
  if (!f) { perror(argv[1]); return 2; }
  uint32_t hdr[3];
  if (fread(hdr, 4, 3, f) != 3 || hdr[0] != 0x52544b48u) { fprintf(stderr, "bad trace file\n"); return 2; }
  nids = hdr[1];
  nops = hdr[2];
  size_t kpad = (nops + 3) & ~(size_t)3;
  kind = malloc(kpad);
  ids = malloc(sizeof(int32_t) * (nops + 1));
  sizes = malloc(sizeof(double) * (nops + 1));
  if (fread(kind, 1, kpad, f) != kpad || fread(ids, 4, nops, f) != nops || fread(sizes, 8, nops, f) != nops) {
    fprintf(stderr, "short trace file\n");
    return 2;
  }
  fclose(f);
  ptr = calloc(nids, sizeof *ptr);
  len = calloc(nids, sizeof *len);
  int runs = atoi(argv[2]);
  if (runs < 1) runs = 1;
  { struct mallinfo2 mi = mallinfo2(); baseline = mi.arena + mi.hblkhd; } /* the trace arrays themselves */
  sample = 1;
  run();
  sample_heap();
  sample = 0;
  release_all();
  long errs = errors, refs = refused;
  double *t = malloc(sizeof(double) * runs);
  for (int r = 0; r < runs; r++) {
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    run();
    clock_gettime(CLOCK_MONOTONIC, &b);
    release_all();
    t[r] = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) * 1e-9;
  }
  qsort(t, runs, sizeof(double), cmp);
  printf("{\"opsPerSec\":%.1f,\"highWater\":%zu,\"errors\":%ld,\"refused\":%ld}\n", nops / t[runs / 2], peak, errs, refs);
  return 0;
}
