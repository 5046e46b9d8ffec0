using System.Buffers.Binary;
using System.Text;

namespace Digitise.Output;

/// <summary>
/// A small ICC v2 display profile for sRGB (D50-adapted primaries, gamma 2.2 curves), built in code so the searchable
/// PDF's output intent needs no profile file on the machine.
/// </summary>
internal static class IccProfiles
{
    private static readonly Lazy<byte[]> s_srgb = new(BuildSRgb);

    public static byte[] SRgb() => s_srgb.Value;

    private static byte[] BuildSRgb()
    {
        byte[] description = TextDescription("sRGB IEC61966-2.1 (approximation)");
        byte[] copyright = Text("No copyright, use freely");
        byte[] white = Xyz(0.9642, 1.0, 0.8249);
        byte[] red = Xyz(0.4361, 0.2225, 0.0139);
        byte[] green = Xyz(0.3851, 0.7169, 0.0971);
        byte[] blue = Xyz(0.1431, 0.0606, 0.7141);
        byte[] curve = [.. "curv"u8, 0, 0, 0, 0, 0, 0, 0, 1, 0x02, 0x33, 0, 0];
        (string Signature, byte[] Data)[] tags =
        [
            ("desc", description), ("cprt", copyright), ("wtpt", white),
            ("rXYZ", red), ("gXYZ", green), ("bXYZ", blue),
            ("rTRC", curve), ("gTRC", curve), ("bTRC", curve),
        ];

        int offset = 128 + 4 + (12 * tags.Length);
        var table = new List<(string Signature, int Offset, int Size)>();
        using var body = new MemoryStream();
        foreach ((string signature, byte[] data) in tags)
        {
            table.Add((signature, offset + (int)body.Length, data.Length));
            body.Write(data);
            while (body.Length % 4 != 0)
            {
                body.WriteByte(0);
            }
        }

        int size = offset + (int)body.Length;
        var profile = new byte[size];
        Span<byte> header = profile;
        BinaryPrimitives.WriteInt32BigEndian(header, size);
        BinaryPrimitives.WriteInt32BigEndian(header[8..], 0x02100000);
        "mntr"u8.CopyTo(header[12..]);
        "RGB "u8.CopyTo(header[16..]);
        "XYZ "u8.CopyTo(header[20..]);
        BinaryPrimitives.WriteUInt16BigEndian(header[24..], 2024);
        BinaryPrimitives.WriteUInt16BigEndian(header[26..], 1);
        BinaryPrimitives.WriteUInt16BigEndian(header[28..], 1);
        "acsp"u8.CopyTo(header[36..]);
        Xyz(0.9642, 1.0, 0.8249).AsSpan(8).CopyTo(header[68..]);
        BinaryPrimitives.WriteInt32BigEndian(header[128..], tags.Length);
        for (int i = 0; i < table.Count; i++)
        {
            Span<byte> entry = header[(132 + (12 * i))..];
            Encoding.ASCII.GetBytes(table[i].Signature).CopyTo(entry);
            BinaryPrimitives.WriteInt32BigEndian(entry[4..], table[i].Offset);
            BinaryPrimitives.WriteInt32BigEndian(entry[8..], table[i].Size);
        }

        body.ToArray().CopyTo(profile, offset);
        return profile;
    }

    private static byte[] Xyz(double x, double y, double z)
    {
        var data = new byte[20];
        "XYZ "u8.CopyTo(data);
        BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(8), S15Fixed16(x));
        BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(12), S15Fixed16(y));
        BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(16), S15Fixed16(z));
        return data;
    }

    private static int S15Fixed16(double value) => (int)Math.Round(value * 65536.0);

    private static byte[] Text(string text) => [.. "text"u8, 0, 0, 0, 0, .. Encoding.ASCII.GetBytes(text), 0];

    /// <summary>textDescriptionType (ICC v2): ASCII, then empty Unicode and ScriptCode parts.</summary>
    private static byte[] TextDescription(string text)
    {
        byte[] ascii = [.. Encoding.ASCII.GetBytes(text), 0];
        var data = new byte[12 + ascii.Length + 8 + 3 + 67];
        "desc"u8.CopyTo(data);
        BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(8), ascii.Length);
        ascii.CopyTo(data, 12);
        return data;
    }
}
