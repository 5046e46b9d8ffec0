using System.Security.Cryptography;
using System.Text;

namespace Digitise.Storage;

/// <summary>
/// The audit trail's hash chain: each row stores the SHA-256 of its predecessor's hash and its own fields, so editing,
/// deleting or inserting a row anywhere breaks every hash after it. Every provider computes it the same way, and
/// <c>digitise audit verify</c> re-computes it.
/// </summary>
/// <remarks>
/// The canonical serialisation is unambiguous without escaping: each field is its UTF-8 byte length in decimal, a colon,
/// then the bytes; a null field is a single <c>-</c>. Fields in order: previous hash, id, at_utc (as stored), user name,
/// action, document id, patient id, detail.
/// </remarks>
public static class AuditChain
{
    /// <summary>The "previous hash" of the first row.</summary>
    public static readonly string Genesis = new('0', 64);

    /// <summary>The row's hash (lower-case hex).</summary>
    public static string Hash(string previousHash, long id, string atUtc, string userName, string action, string? documentId, string? patientId, string detail)
    {
        var canonical = new StringBuilder(256);
        Field(canonical, previousHash);
        Field(canonical, id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Field(canonical, atUtc);
        Field(canonical, userName);
        Field(canonical, action);
        Field(canonical, documentId);
        Field(canonical, patientId);
        Field(canonical, detail);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())));
    }

    private static void Field(StringBuilder canonical, string? value)
    {
        if (value is null)
        {
            canonical.Append('-');
            return;
        }

        canonical.Append(Encoding.UTF8.GetByteCount(value).ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(':').Append(value);
    }
}
