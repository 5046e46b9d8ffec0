/*
 * Two of libtesseract's calls into Leptonica, served faster with exactly the same result.
 *
 * Loaded RTLD_GLOBAL before libtesseract (Interop.Libraries.cs), the three functions defined here bind Tesseract's calls
 * to them; a call from anywhere else, or one not handled here, goes to Leptonica's own function unchanged.
 *
 * 1. Line images (pixWriteMem). Before recognising each text line, Tesseract 5.3 (LSTMRecognizeWord -> GetRectImage ->
 *    ImageData::SetPixInternal) encodes the line's image as PNG and decodes it again with pixReadMem to scale it for the
 *    network. The PNG exists only for training files: perf on 40 generated pages put the encode at 4.3% of a run's
 *    samples and the decode at 1.2%. A PNG asked for from inside libtesseract is written instead in Leptonica's
 *    serialised form (SPIX: a header and the raster, copied), which pixReadMem recognises by its header and reads back
 *    to the same pixels. Only ImageData::SetPixInternal's requests are served so (the caller's symbol is checked): other
 *    PNGs Tesseract makes, for its debug viewer or its PDF renderer, stay PNG. Its training tools would write
 *    ImageData's bytes to files; Digitise never trains Tesseract.
 *
 * 2. Morphology (pixOpenBrick, pixCloseBrick). Tesseract's line finder opens and closes the whole page with bricks of
 *    resolution-dependent size (at 300 dpi: closing 5x5, opening 15x15, 1x75 and 75x1). Leptonica's rasterop version
 *    shifts the whole page once per pixel of the brick: perf put pixOpenBrick at 5.5% of a run's samples. Leptonica's
 *    DWA functions do the same operation a word at a time, and give the rasterop result exactly for the line lengths
 *    they have precompiled (2-15, 20, 21, 25, 30, 31, 35, 40, 41, 45, 50, 51); other lengths fall back to a composite
 *    that is not always exact. So each brick is done as a chain of those lines: eroding (or dilating) by lines of
 *    lengths a and b is eroding by one line of length a + b - 1, with the origins adding up, and a chain whose origins
 *    add up to Leptonica's (length / 2) gives its result at the page's edges too (each line holds its origin, so a
 *    pixel's contributions pass only through pixels inside the page). Tested bit for bit against Leptonica's rasterop
 *    version on the benchmark's pages and on random images, for every length the chain uses.
 *
 * Built without the C library's headers (scripts/setup installs gcc, not libc6-dev): the few declarations are below.
 */
typedef unsigned long size_t;
typedef struct Pix PIX;
typedef int (*write_fn)(unsigned char **data, size_t *size, PIX *pix, int format);
typedef PIX *(*brick_fn)(PIX *pixd, PIX *pixs, int hsize, int vsize);

typedef struct
{
    const char *dli_fname;
    void *dli_fbase;
    const char *dli_sname;
    void *dli_saddr;
} dl_info;

extern void *dlopen(const char *file, int mode);
extern void *dlsym(void *handle, const char *name);
extern int dladdr(const void *address, dl_info *info);
extern char *strstr(const char *haystack, const char *needle);
extern int pixWriteMemSpix(unsigned char **data, size_t *size, PIX *pix);
extern PIX *pixErodeBrickDwa(PIX *pixd, PIX *pixs, int hsize, int vsize);
extern PIX *pixDilateBrickDwa(PIX *pixd, PIX *pixs, int hsize, int vsize);
extern int pixGetDepth(PIX *pix);
extern void pixDestroy(PIX **pix);

#define RTLD_NOW 2
#define RTLD_NOLOAD 4
#define IFF_PNG 3
#define MAX_CHAIN 64

static void *tesseract_base;
static unsigned long spix_writes;
static unsigned long dwa_bricks;

/* Leptonica's own function, from the liblept.so.5 this library was linked with (already loaded: it is a dependency). */
static void *leptonica(const char *name)
{
    void *lept = dlopen("liblept.so.5", RTLD_NOW | RTLD_NOLOAD);
    return lept == 0 ? 0 : dlsym(lept, name);
}

static write_fn leptonica_write_mem(void)
{
    static write_fn write;
    write_fn found = __atomic_load_n(&write, __ATOMIC_ACQUIRE);
    if (found == 0)
    {
        found = (write_fn)leptonica("pixWriteMem");
        __atomic_store_n(&write, found, __ATOMIC_RELEASE);
    }

    return found;
}

static brick_fn leptonica_brick(int closing)
{
    static brick_fn open, close;
    brick_fn *slot = closing ? &close : &open;
    brick_fn found = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    if (found == 0)
    {
        found = (brick_fn)leptonica(closing ? "pixCloseBrick" : "pixOpenBrick");
        __atomic_store_n(slot, found, __ATOMIC_RELEASE);
    }

    return found;
}

/*
 * True when the code at address belongs to libtesseract (its load address is remembered after the first match) and,
 * when `function` is given, to the libtesseract function whose (mangled) name contains it.
 */
static int from_tesseract(const void *address, const char *function)
{
    dl_info info;
    if (!dladdr(address, &info) || info.dli_fbase == 0)
    {
        return 0;
    }

    void *known = __atomic_load_n(&tesseract_base, __ATOMIC_RELAXED);
    if (known == 0 && info.dli_fname != 0 && strstr(info.dli_fname, "libtesseract.so") != 0)
    {
        known = info.dli_fbase;
        __atomic_store_n(&tesseract_base, known, __ATOMIC_RELAXED);
    }

    return known != 0 && info.dli_fbase == known && (function == 0 || (info.dli_sname != 0 && strstr(info.dli_sname, function) != 0));
}

int pixWriteMem(unsigned char **data, size_t *size, PIX *pix, int format)
{
    /* Only ImageData's: Tesseract's other PNGs (its debug viewer, its PDF renderer) stay PNG. */
    if (format == IFF_PNG && from_tesseract(__builtin_return_address(0), "ImageData14SetPixInternal"))
    {
        __atomic_add_fetch(&spix_writes, 1, __ATOMIC_RELAXED);
        return pixWriteMemSpix(data, size, pix);
    }

    write_fn write = leptonica_write_mem();
    return write == 0 ? 1 : write(data, size, pix, format);
}

/* The line lengths Leptonica's DWA does itself, exactly as its rasterop version. */
static int direct(int length)
{
    return (length >= 2 && length <= 15) || length == 20 || length == 21 || length == 25 || length == 30 || length == 31
        || length == 35 || length == 40 || length == 41 || length == 45 || length == 50 || length == 51;
}

/*
 * Writes a chain of direct lengths for a line of `length` into `out` and returns how many (0 for a length of 1), or -1.
 * The lengths add up to length + (count - 1) and their origins (each length / 2) to length / 2: all odd for an odd
 * length; for an even length one 2 (origin 1) and the odd rest.
 */
int digitise_brick_chain(int length, int *out, int capacity)
{
    int count = 0;
    if (length < 1 || capacity < 2)
    {
        return -1;
    }

    if (length == 1)
    {
        return 0;
    }

    if (direct(length))
    {
        out[0] = length;
        return 1;
    }

    if (length % 2 == 0)
    {
        out[count++] = 2;
        length -= 1;
    }

    while (length > 51 && count < capacity)
    {
        out[count++] = 51;
        length -= 50;
    }

    if (count >= capacity)
    {
        return -1;
    }

    if (direct(length))
    {
        out[count++] = length;
        return count;
    }

    for (int a = 51; a >= 3 && count + 2 <= capacity; a -= 2)
    {
        int b = length - a + 1;
        if (direct(a) && a < length && direct(b))
        {
            out[count++] = a;
            out[count++] = b;
            return count;
        }
    }

    return -1;
}

/* pixs through the lines of each chain (horizontal, then vertical) with `step`; null when a step failed. */
static PIX *through(brick_fn step, PIX *pixs, const int *across, int nacross, const int *down, int ndown)
{
    PIX *current = pixs;
    for (int i = 0; i < nacross + ndown; i++)
    {
        PIX *next = i < nacross ? step(0, current, across[i], 1) : step(0, current, 1, down[i - nacross]);
        if (current != pixs)
        {
            pixDestroy(&current);
        }

        if (next == 0)
        {
            return 0;
        }

        current = next;
    }

    return current;
}

/* An opening (erode, then dilate) or closing by an hsize x vsize brick as DWA chains; null when it cannot be done so. */
static PIX *brick_by_dwa(PIX *pixs, int hsize, int vsize, int closing)
{
    int across[MAX_CHAIN], down[MAX_CHAIN];
    int nacross = digitise_brick_chain(hsize, across, MAX_CHAIN);
    int ndown = digitise_brick_chain(vsize, down, MAX_CHAIN);
    if (pixs == 0 || nacross < 0 || ndown < 0 || nacross + ndown == 0 || pixGetDepth(pixs) != 1)
    {
        return 0;
    }

    PIX *first = through(closing ? pixDilateBrickDwa : pixErodeBrickDwa, pixs, across, nacross, down, ndown);
    if (first == 0)
    {
        return 0;
    }

    PIX *result = through(closing ? pixErodeBrickDwa : pixDilateBrickDwa, first, across, nacross, down, ndown);
    pixDestroy(&first);
    if (result != 0)
    {
        __atomic_add_fetch(&dwa_bricks, 1, __ATOMIC_RELAXED);
    }

    return result;
}

/* The DWA chain itself, for tests to hold against Leptonica's rasterop version; null when it cannot be done so. */
PIX *digitise_brick_by_dwa(PIX *pixs, int hsize, int vsize, int closing)
{
    return brick_by_dwa(pixs, hsize, vsize, closing);
}

/* Tesseract's call (from `caller`, into a new pix) by DWA chains when it can be; everything else by Leptonica's own. */
static PIX *serve_brick(PIX *pixd, PIX *pixs, int hsize, int vsize, int closing, const void *caller)
{
    if (pixd == 0 && from_tesseract(caller, 0))
    {
        PIX *result = brick_by_dwa(pixs, hsize, vsize, closing);
        if (result != 0)
        {
            return result;
        }
    }

    brick_fn own = leptonica_brick(closing);
    return own == 0 ? 0 : own(pixd, pixs, hsize, vsize);
}

PIX *pixOpenBrick(PIX *pixd, PIX *pixs, int hsize, int vsize)
{
    return serve_brick(pixd, pixs, hsize, vsize, 0, __builtin_return_address(0));
}

PIX *pixCloseBrick(PIX *pixd, PIX *pixs, int hsize, int vsize)
{
    return serve_brick(pixd, pixs, hsize, vsize, 1, __builtin_return_address(0));
}

/* Nonzero when Leptonica's own functions were found, so every call not handled here still reaches them. */
int digitise_tesseract_images_ready(void)
{
    return leptonica_write_mem() != 0 && leptonica_brick(0) != 0 && leptonica_brick(1) != 0;
}

/* Tesseract's line images kept in memory instead of as PNG, in this process. */
unsigned long digitise_line_images_in_memory(void)
{
    return __atomic_load_n(&spix_writes, __ATOMIC_RELAXED);
}

/* Tesseract's brick openings and closings done by DWA chains, in this process. */
unsigned long digitise_bricks_by_dwa(void)
{
    return __atomic_load_n(&dwa_bricks, __ATOMIC_RELAXED);
}
