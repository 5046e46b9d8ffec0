/*
 * Serial OpenMP entry points for libtesseract, one engine per thread.
 *
 * Digitise runs one Tesseract engine per core, so every OpenMP parallel region inside Tesseract (its LSTM runs one
 * per time step) has a team of one thread. Debian's libgomp still ends each such region with a futex wake system call,
 * even at OMP_THREAD_LIMIT=1: 10-15% of a page's CPU time here (perf: libgomp's syscall and the kernel's return).
 * Loaded RTLD_GLOBAL before libtesseract (Interop.Libraries.cs), these definitions bind Tesseract's six OpenMP
 * references instead, with libgomp's symbol versions, and run each region inline: the same work in the same order as a
 * team of one, without the system call.
 */
typedef void (*region_fn)(void *);

/* Per thread (each engine's thread has its own regions), initial-exec: no __tls_get_addr call per access. */
#define PER_THREAD static __thread __attribute__((tls_model("initial-exec")))

PER_THREAD unsigned next_section;
PER_THREAD unsigned section_count;
PER_THREAD unsigned long regions;

void GOMP_parallel(region_fn fn, void *data, unsigned num_threads, unsigned flags)
{
    (void)num_threads;
    (void)flags;
    regions++;
    fn(data);
}

/* Combined "parallel sections": the region's body asks GOMP_sections_next for section numbers 1..count, 0 when done. */
void GOMP_parallel_sections(region_fn fn, void *data, unsigned num_threads, unsigned count, unsigned flags)
{
    unsigned saved_next = next_section, saved_count = section_count;
    (void)num_threads;
    (void)flags;
    regions++;
    next_section = 1;
    section_count = count;
    fn(data);
    next_section = saved_next;
    section_count = saved_count;
}

unsigned GOMP_sections_next(void)
{
    return next_section <= section_count ? next_section++ : 0;
}

void GOMP_sections_end_nowait(void)
{
}

int omp_get_thread_num(void)
{
    return 0;
}

int omp_get_num_threads(void)
{
    return 1;
}

/* Parallel regions the calling thread has run inline: zero after it OCRed a page means Tesseract did not bind here. */
unsigned long digitise_serial_openmp_regions(void)
{
    return regions;
}
