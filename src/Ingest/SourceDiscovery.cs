using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Digitise.Domain;

namespace Digitise.Ingest;

/// <summary>
/// Walks the operator's inputs (files or folders, recursively, in ordinal path order so runs are repeatable) and
/// hashes each file. Paths that cannot be read are reported, not skipped: every input is accounted for.
/// </summary>
public sealed class SourceDiscovery : ISourceDiscovery
{
    public async IAsyncEnumerable<DiscoveredSource> DiscoverAsync(IReadOnlyList<string> inputs, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (string input in inputs)
        {
            string full = Path.GetFullPath(input);
            if (File.Exists(full))
            {
                yield return await HashAsync(full, input, cancellationToken).ConfigureAwait(false);
            }
            else if (Directory.Exists(full))
            {
                foreach ((string path, string? error) in Walk(full))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    string display = Path.Combine(input, Path.GetRelativePath(full, path));
                    yield return error is null
                        ? await HashAsync(path, display, cancellationToken).ConfigureAwait(false)
                        : Failed(path, display, error);
                }
            }
            else
            {
                yield return Failed(full, input, "not_found: no such file or folder");
            }
        }
    }

    private static IEnumerable<(string Path, string? Error)> Walk(string root)
    {
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            string folder = pending.Pop();
            string[] files = [];
            string[] folders = [];
            string? error = null;
            try
            {
                files = Directory.GetFiles(folder);
                folders = Directory.GetDirectories(folder);
            }
            catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
            {
                error = "unreadable_folder: " + ex.GetType().Name;
            }

            if (error is not null)
            {
                yield return (folder, error);
            }

            Array.Sort(files, StringComparer.Ordinal);
            foreach (string file in files)
            {
                yield return (file, null);
            }

            Array.Sort(folders, StringComparer.Ordinal);
            for (int i = folders.Length - 1; i >= 0; i--)
            {
                pending.Push(folders[i]);
            }
        }
    }

    private static async Task<DiscoveredSource> HashAsync(string path, string display, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
            byte[] hash = await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false);
            return new DiscoveredSource(new SourceFile(path, display, Convert.ToHexStringLower(hash), stream.Length), null);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            return Failed(path, display, "unreadable_file: " + ex.GetType().Name);
        }
    }

    /// <summary>An unreadable path still gets a stable identity: the hash of its path.</summary>
    private static DiscoveredSource Failed(string path, string display, string reason)
    {
        string pseudo = Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("path:" + path)));
        return new DiscoveredSource(new SourceFile(path, display, pseudo, 0), reason);
    }
}
