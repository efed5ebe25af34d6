// The memory floor under a connection lookup (docs/PERFORMANCE.md, "A lookup alone at 1,000,000 entries"):
// the same two-level layout as the connection table (an array of 2^20 bucket pointers, then the entry it points to,
// 1,000,000 entries of 112 bytes in a shuffled order), read one lookup after the other, each lookup's address
// depending on the one before, so no two misses overlap. No managed code, no hashing, no key compare: what is left
// is the two dependent reads from memory, with 4 KiB pages (mode 0) or with the two arrays advised to transparent
// huge pages (mode 1; madvise MADV_HUGEPAGE, which this process asks for itself and which changes nothing outside it).
//
//   gcc -O2 -o /tmp/mem-latency bench/mem-latency.c && /tmp/mem-latency 0 && /tmp/mem-latency 1
//
// Prints ns per lookup for three passes of 4,000,000 lookups and the AnonHugePages the process got.
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

enum { Buckets = 1 << 20, Entries = 1000000, EntrySize = 112, Lookups = 4000000 };
static const size_t Huge = 2u << 20;

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

// An anonymous mapping of at least len bytes whose start is 2 MiB aligned (so huge pages can back all of it).
static char *map_aligned(size_t len, int huge)
{
    char *p = mmap(NULL, len + Huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) { perror("mmap"); exit(1); }
    p = (char *)(((uintptr_t)p + Huge - 1) & ~(uintptr_t)(Huge - 1));
    if (huge && madvise(p, len, MADV_HUGEPAGE) != 0) perror("madvise");
    return p;
}

static uint64_t next_random(uint64_t *s)
{
    *s ^= *s << 13; *s ^= *s >> 7; *s ^= *s << 17;
    return *s;
}

int main(int argc, char **argv)
{
    if (argc != 2 || (argv[1][0] != '0' && argv[1][0] != '1')) {
        fprintf(stderr, "usage: mem-latency 0|1   (1: advise transparent huge pages)\n");
        return 2;
    }
    int huge = argv[1][0] == '1';
    uint64_t seed = 0x9E3779B97F4A7C15ull;
    char **buckets = (char **)map_aligned(Buckets * sizeof(char *), huge);
    char *entries = map_aligned((size_t)Entries * EntrySize, huge);
    memset(entries, 0, (size_t)Entries * EntrySize);

    uint32_t *order = malloc(sizeof(uint32_t) * Entries);
    for (uint32_t i = 0; i < Entries; i++) order[i] = i;
    for (uint32_t i = Entries - 1; i > 0; i--) {
        uint32_t j = (uint32_t)(next_random(&seed) % (i + 1));
        uint32_t t = order[i]; order[i] = order[j]; order[j] = t;
    }
    for (uint32_t b = 0; b < Buckets; b++) buckets[b] = entries + (size_t)order[b % Entries] * EntrySize;

    uint32_t *keys = malloc(sizeof(uint32_t) * Lookups);
    for (uint32_t i = 0; i < Lookups; i++) keys[i] = (uint32_t)next_random(&seed) & (Buckets - 1);

    uint64_t chain = 0;
    for (int pass = 0; pass < 3; pass++) {
        double t0 = seconds();
        for (uint32_t i = 0; i < Lookups; i++) {
            // the entry's word is always 0, so the key is unchanged, but the next bucket read waits for this entry
            char *e = buckets[keys[i] ^ (uint32_t)(chain & 1)];
            chain += *(volatile uint64_t *)(e + 8);
        }
        double t1 = seconds();
        printf("huge pages advised: %s  %.1f ns per lookup\n", huge ? "yes" : "no", (t1 - t0) / Lookups * 1e9);
    }
    FILE *f = fopen("/proc/self/smaps_rollup", "r");
    char line[256];
    while (f && fgets(line, sizeof line, f)) if (strstr(line, "AnonHugePages")) fputs(line, stdout);
    if (f) fclose(f);
    return (int)(chain & 1);
}
