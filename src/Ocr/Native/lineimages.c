/*
 * Line images kept in memory as they are, not as PNG, inside libtesseract.
 *
 * Before recognising each text line, Tesseract (5.3, LSTMRecognizeWord -> GetRectImage -> ImageData::SetPixInternal)
 * encodes the line's image as PNG with pixWriteMem, and decodes it again with pixReadMem to scale it for the network
 * (ImageData::GetPixInternal). The PNG exists only for training files; at recognition time the round trip is pure work:
 * perf on 40 generated pages put zlib's deflate and libpng at 4.3% of a run's samples and the decode at 1.2%.
 *
 * Loaded RTLD_GLOBAL before libtesseract (Interop.Libraries.cs), this pixWriteMem binds Tesseract's call. A PNG asked for
 * by libtesseract is written instead in Leptonica's own serialised form (SPIX: a header and the raster, copied), which
 * pixReadMem recognises by its header and reads back to the same pixels: the network sees the same line, so the text is
 * the same. Every other call (another format, or a caller outside libtesseract) goes to Leptonica's pixWriteMem unchanged.
 *
 * Built without the C library's headers (scripts/setup installs gcc, not libc6-dev): the few declarations are below.
 */
typedef unsigned long size_t;
typedef struct Pix PIX;
typedef int (*write_fn)(unsigned char **data, size_t *size, PIX *pix, int format);

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

#define RTLD_NOW 2
#define RTLD_NOLOAD 4
#define IFF_PNG 3

static write_fn leptonica_write;
static void *tesseract_base;
static unsigned long spix_writes;

/* Leptonica's own pixWriteMem, from the liblept.so.5 this library was linked with (already loaded: it is a dependency). */
static write_fn leptonica_write_mem(void)
{
    write_fn write = __atomic_load_n(&leptonica_write, __ATOMIC_ACQUIRE);
    if (write == 0)
    {
        void *lept = dlopen("liblept.so.5", RTLD_NOW | RTLD_NOLOAD);
        write = lept == 0 ? 0 : (write_fn)dlsym(lept, "pixWriteMem");
        __atomic_store_n(&leptonica_write, write, __ATOMIC_RELEASE);
    }

    return write;
}

/* True when the code at address belongs to libtesseract (its load address is remembered after the first match). */
static int from_tesseract(const void *address)
{
    dl_info info;
    if (!dladdr(address, &info) || info.dli_fbase == 0)
    {
        return 0;
    }

    void *known = __atomic_load_n(&tesseract_base, __ATOMIC_RELAXED);
    if (known != 0)
    {
        return info.dli_fbase == known;
    }

    if (info.dli_fname != 0 && strstr(info.dli_fname, "libtesseract.so") != 0)
    {
        __atomic_store_n(&tesseract_base, info.dli_fbase, __ATOMIC_RELAXED);
        return 1;
    }

    return 0;
}

int pixWriteMem(unsigned char **data, size_t *size, PIX *pix, int format)
{
    if (format == IFF_PNG && from_tesseract(__builtin_return_address(0)))
    {
        __atomic_add_fetch(&spix_writes, 1, __ATOMIC_RELAXED);
        return pixWriteMemSpix(data, size, pix);
    }

    write_fn write = leptonica_write_mem();
    return write == 0 ? 1 : write(data, size, pix, format);
}

/* Nonzero when Leptonica's pixWriteMem was found, so every call that is not Tesseract's PNG still reaches it. */
int digitise_line_images_ready(void)
{
    return leptonica_write_mem() != 0;
}

/* Line images Tesseract has kept in memory this way, in this process: above zero after a page is OCRed proves the binding. */
unsigned long digitise_line_images_spix(void)
{
    return __atomic_load_n(&spix_writes, __ATOMIC_RELAXED);
}
