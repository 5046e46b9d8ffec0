namespace Digitise.Storage;

/// <summary>
/// The page/blob storage seam. Keys are relative, '/'-separated (e.g. "sources/ab/abcdef..."). The local folder
/// store is the default; Azure Blob Storage lands in a project of its own.
/// </summary>
public interface IBlobStore
{
    Task<bool> ExistsAsync(string key, CancellationToken cancellationToken);

    /// <summary>Writes the blob from <paramref name="content"/>; an existing blob with the same key is replaced atomically.</summary>
    Task PutAsync(string key, Stream content, CancellationToken cancellationToken);

    /// <summary>Opens the blob for reading (streamed); <see cref="FileNotFoundException"/> when there is none.</summary>
    Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken);
}

/// <summary>Blob storage in a local folder; writes go to a temporary file first and are renamed into place.</summary>
public sealed class LocalFolderBlobStore : IBlobStore
{
    private readonly string _root;

    public LocalFolderBlobStore(string root)
    {
        _root = Path.GetFullPath(root);
        Directory.CreateDirectory(_root);
    }

    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken) =>
        Task.FromResult(File.Exists(PathFor(key)));

    public async Task PutAsync(string key, Stream content, CancellationToken cancellationToken)
    {
        string path = PathFor(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                await content.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        string path = PathFor(key);
        try
        {
            return Task.FromResult<Stream>(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true));
        }
        catch (DirectoryNotFoundException ex)
        {
            throw new FileNotFoundException($"Blob '{key}' does not exist in '{_root}'.", path, ex);
        }
    }

    private string PathFor(string key)
    {
        if (string.IsNullOrWhiteSpace(key) || key.Contains("..", StringComparison.Ordinal) || Path.IsPathRooted(key))
        {
            throw new ArgumentException($"Blob key '{key}' is not a relative key.", nameof(key));
        }

        return Path.Combine(_root, key.Replace('/', Path.DirectorySeparatorChar));
    }
}

/// <summary>Where things live in the blob store. Keys are content-addressed by the source file's SHA-256.</summary>
public static class BlobKeys
{
    /// <summary>The archived source file, byte for byte.</summary>
    public static string Source(string sha256) => $"sources/{sha256[..2]}/{sha256}";

    /// <summary>A page's preview image (JPEG or PNG: tell by the magic bytes), for people to look at.</summary>
    public static string Preview(string sha256, int pageNumber) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"previews/{sha256[..2]}/{sha256}/{pageNumber:D4}");

    /// <summary>
    /// A page's full-resolution image as OCRed (rotation and deskew applied; G4 TIFF, PNG or JPEG: tell by the magic bytes);
    /// its pixels are the ones the stored word boxes refer to.
    /// </summary>
    public static string PageImage(string sha256, int pageNumber) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"pages/{sha256[..2]}/{sha256}/{pageNumber:D4}");

    /// <summary>A filed document's searchable PDF (page images with an invisible OCR text layer).</summary>
    public static string SearchablePdf(string documentId) => $"documents/{documentId[..2]}/{documentId}.pdf";
}
